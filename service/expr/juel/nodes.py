"""JUEL syntax tree; each node evaluates itself against an `EvalContext`."""
from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Mapping
from typing import Any

from service.expr import Limits

from . import coercion as co
from .errors import eval_error, limit_error, unresolved_error
from .methods import ExecutionProxy, call_function, call_method

_CLOCK_EVERY = 256   # steps between wall-clock checks


class EvalContext:
    __slots__ = ("variables", "now", "limits", "text", "steps", "deadline", "execution", "hosts")

    def __init__(self, variables: Mapping[str, Any], now: _dt.datetime, limits: Limits, text: str,
                 hosts: frozenset[int] = frozenset()) -> None:
        self.variables = variables
        self.hosts = hosts      # ids of the objects whose public methods a HostCall may call
        self.now = now
        self.limits = limits
        self.text = text
        self.steps = 0
        self.deadline = time.monotonic() + limits.max_seconds
        self.execution = ExecutionProxy(variables)

    def step(self, position: int) -> None:
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise limit_error(f"evaluation exceeded {self.limits.max_steps} steps", self.text, position)
        if self.steps % _CLOCK_EVERY == 0 and time.monotonic() > self.deadline:
            raise limit_error(f"evaluation exceeded {self.limits.max_seconds} s", self.text, position)

    def check_string(self, value: Any, position: int) -> Any:
        if isinstance(value, str) and len(value) > self.limits.max_string:
            raise limit_error(f"string longer than {self.limits.max_string} characters", self.text, position)
        return value

    def fail(self, exc: co.CoercionError, position: int) -> Exception:
        return eval_error(str(exc), self.text, position)


class Node:
    __slots__ = ("position",)
    depth = 1
    position: int

    def evaluate(self, ctx: EvalContext) -> Any:
        raise NotImplementedError


class Literal(Node):
    __slots__ = ("value",)

    def __init__(self, value: Any, position: int) -> None:
        self.value = value
        self.position = position

    def evaluate(self, ctx: EvalContext) -> Any:
        return self.value


class Identifier(Node):
    __slots__ = ("name",)

    def __init__(self, name: str, position: int) -> None:
        self.name = name
        self.position = position

    def evaluate(self, ctx: EvalContext) -> Any:
        ctx.step(self.position)
        try:
            return ctx.variables[self.name]
        except KeyError:
            # Camunda's exact wording, so that operators recognise the failure.
            raise unresolved_error(
                f"Unknown property used in expression: {ctx.text}. Cause: Cannot resolve identifier '{self.name}'",
                ctx.text, self.position) from None


class Execution(Node):
    """The `execution` object; only usable as the receiver of getVariable & co (checked by the parser)."""
    __slots__ = ()

    def __init__(self, position: int) -> None:
        self.position = position

    def evaluate(self, ctx: EvalContext) -> Any:
        return ctx.execution


class Member(Node):
    """`a.b` and `a[expr]`: map key, list index or string property (EL resolvers for Map and List)."""
    __slots__ = ("target", "key", "depth")

    def __init__(self, target: Node, key: Node, position: int) -> None:
        self.target = target
        self.key = key
        self.position = position
        self.depth = 1 + max(target.depth, key.depth)

    def evaluate(self, ctx: EvalContext) -> Any:
        ctx.step(self.position)
        base = self.target.evaluate(ctx)
        key = self.key.evaluate(ctx)
        if base is None:
            return None   # EL: a null base yields null
        if isinstance(base, Mapping):
            return base.get(key) if _hashable(key) else None
        if isinstance(base, (list, tuple)):
            try:
                index = co.to_long(key)
            except co.CoercionError as exc:
                raise ctx.fail(co.CoercionError(f"bad list index: {exc}"), self.position) from None
            return base[index] if 0 <= index < len(base) else None
        raise ctx.fail(co.CoercionError(
            f"property '{co.java_string(key)}' not found on {co.type_name(base)}"), self.position)


def _hashable(key: Any) -> bool:
    return isinstance(key, (str, int, float, bool)) or key is None


class MethodCall(Node):
    __slots__ = ("target", "name", "args", "depth")

    def __init__(self, target: Node, name: str, args: list[Node], position: int) -> None:
        self.target = target
        self.name = name
        self.args = args
        self.position = position
        self.depth = 1 + max([target.depth, *(a.depth for a in args)])

    def evaluate(self, ctx: EvalContext) -> Any:
        ctx.step(self.position)
        receiver = self.target.evaluate(ctx)
        args = [a.evaluate(ctx) for a in self.args]
        try:
            result = call_method(receiver, self.name, args)
        except co.CoercionError as exc:
            raise ctx.fail(exc, self.position) from None
        return ctx.check_string(result, self.position)


class HostCall(Node):
    """`bean.method(args)` in a delegate or listener expression: a public method of an object the host
    handed in (the execution/task facade, a registered bean); on any other value, the allow-list."""
    __slots__ = ("target", "name", "args", "depth")

    def __init__(self, target: Node, name: str, args: list[Node], position: int) -> None:
        self.target = target
        self.name = name
        self.args = args
        self.position = position
        self.depth = 1 + max([target.depth, *(a.depth for a in args)])

    def evaluate(self, ctx: EvalContext) -> Any:
        ctx.step(self.position)
        receiver = self.target.evaluate(ctx)
        args = [a.evaluate(ctx) for a in self.args]
        if id(receiver) in ctx.hosts:
            method = getattr(receiver, self.name, None)
            if method is None or not callable(method):
                raise ctx.fail(co.CoercionError(f"method {self.name}() not found on {type(receiver).__name__}"),
                               self.position)
            return ctx.check_string(method(*args), self.position)
        try:
            result = call_method(receiver, self.name, args)
        except co.CoercionError as exc:
            raise ctx.fail(exc, self.position) from None
        except TypeError:
            raise ctx.fail(co.CoercionError(f"method {self.name}() takes other arguments"), self.position) from None
        return ctx.check_string(result, self.position)


class FunctionCall(Node):
    __slots__ = ("name",)

    def __init__(self, name: str, position: int) -> None:
        self.name = name
        self.position = position

    def evaluate(self, ctx: EvalContext) -> Any:
        ctx.step(self.position)
        return call_function(self.name, ctx.now)


class Unary(Node):
    __slots__ = ("op", "operand", "depth")

    def __init__(self, op: str, operand: Node, position: int) -> None:
        self.op = op
        self.operand = operand
        self.position = position
        self.depth = 1 + operand.depth

    def evaluate(self, ctx: EvalContext) -> Any:
        ctx.step(self.position)
        value = self.operand.evaluate(ctx)
        try:
            if self.op == "-":
                return co.negate(value)
            if self.op == "!":
                return not co.to_boolean(value)
            return co.is_empty(value)
        except co.CoercionError as exc:
            raise ctx.fail(exc, self.position) from None


class Binary(Node):
    __slots__ = ("op", "left", "right", "depth")

    def __init__(self, op: str, left: Node, right: Node, position: int) -> None:
        self.op = op
        self.left = left
        self.right = right
        self.position = position
        self.depth = 1 + max(left.depth, right.depth)

    def evaluate(self, ctx: EvalContext) -> Any:
        ctx.step(self.position)
        op = self.op
        try:
            if op == "&&":
                return co.to_boolean(self.left.evaluate(ctx)) and co.to_boolean(self.right.evaluate(ctx))
            if op == "||":
                return co.to_boolean(self.left.evaluate(ctx)) or co.to_boolean(self.right.evaluate(ctx))
            a = self.left.evaluate(ctx)
            b = self.right.evaluate(ctx)
            if op in ("+", "-", "*"):
                return co.arithmetic(op, a, b, ctx.limits.max_number_digits)
            if op == "/":
                return co.divide(a, b, ctx.limits.max_number_digits)
            if op == "%":
                return co.modulo(a, b)
            if op == "==":
                return co.equals(a, b)
            if op == "!=":
                return not co.equals(a, b)
            return co.compare(op, a, b)
        except co.CoercionError as exc:
            raise ctx.fail(exc, self.position) from None
        except OverflowError:
            raise limit_error(f"number larger than {ctx.limits.max_number_digits} digits",
                              ctx.text, self.position) from None


class Conditional(Node):
    __slots__ = ("condition", "then", "otherwise", "depth")

    def __init__(self, condition: Node, then: Node, otherwise: Node, position: int) -> None:
        self.condition = condition
        self.then = then
        self.otherwise = otherwise
        self.position = position
        self.depth = 1 + max(condition.depth, then.depth, otherwise.depth)

    def evaluate(self, ctx: EvalContext) -> Any:
        ctx.step(self.position)
        try:
            chosen = co.to_boolean(self.condition.evaluate(ctx))
        except co.CoercionError as exc:
            raise ctx.fail(exc, self.position) from None
        return (self.then if chosen else self.otherwise).evaluate(ctx)
