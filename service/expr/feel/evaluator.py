"""Turns a FEEL syntax tree into nested Python closures and runs them under Limits.

Compiling to closures once (instead of walking the tree on every evaluation) keeps a
typical decision-table cell at a few microseconds. Every closure takes
``(ctx, scope)``: ``ctx`` carries limits, counters and diagnostics, ``scope`` the names.
"""
from __future__ import annotations

import time as _time
from decimal import Decimal
from typing import Any, Callable, Mapping

from ..errors import ExpressionSyntaxError, LimitExceeded
from ..limits import DEFAULT_LIMITS, Limits
from . import nodes as n
from . import ops, temporal
from .properties import get_property
from .values import BuiltinFunction, ConversionError, FeelDate, FeelFunction, Range, to_feel

Closure = Callable[["Context", "Scope"], Any]
TestClosure = Callable[["Context", "Scope", Any], "bool | None"]

_MISSING = object()
_MAX_DIAGNOSTICS = 50


class Context:
    """Per-evaluation state: limits, step counter, deadline, diagnostics, call depth."""

    __slots__ = ("limits", "steps", "max_steps", "deadline", "next_clock", "diagnostics", "depth",
                 "text", "now")

    def __init__(self, limits: Limits | None, diagnostics: list[str] | None, text: str) -> None:
        limits = limits or DEFAULT_LIMITS
        self.limits = limits
        self.steps = 0
        self.max_steps = limits.max_steps
        self.deadline = _time.monotonic() + limits.max_seconds
        self.next_clock = 256
        self.diagnostics = diagnostics
        self.depth = 0
        self.text = text
        self.now: Any = None

    def diag(self, message: str) -> None:
        d = self.diagnostics
        if d is not None and len(d) < _MAX_DIAGNOSTICS:
            d.append(message)

    def limit(self, message: str) -> None:
        raise LimitExceeded(message, self.text, None)

    def tick(self, count: int = 1) -> None:
        self.steps += count
        if self.steps >= self.next_clock:
            if self.steps > self.max_steps:
                self.limit(f"evaluation exceeded {self.max_steps} steps")
            self.next_clock = self.steps + 256
            if _time.monotonic() > self.deadline:
                self.limit(f"evaluation exceeded {self.limits.max_seconds} seconds")

    def check_clock(self) -> None:
        if _time.monotonic() > self.deadline:
            self.limit(f"evaluation exceeded {self.limits.max_seconds} seconds")

    def check_size(self, size: int) -> None:
        """A new list of ``size`` items: bounded, and copying it costs steps (memory bound)."""
        if size > self.limits.max_collection:
            self.limit(f"collection of {size} items exceeds the limit of {self.limits.max_collection}")
        self.tick(size // 8 + 1)

    def check_string(self, length: int) -> None:
        """A new string of ``length`` characters: bounded, and building it costs steps (memory bound)."""
        if length > self.limits.max_string:
            self.limit(f"string of {length} characters exceeds the limit of {self.limits.max_string}")
        self.tick(length // 100 + 1)

    def invoke(self, fn: Any, args: list[Any], named: dict[str, Any] | None = None) -> Any:
        return invoke(self, fn, args, named)


class Scope:
    """A chain of name tables; the root holds the caller's plain variables (converted on read)."""

    __slots__ = ("vars", "parent", "raw", "converted")

    def __init__(self, variables: Mapping[str, Any], parent: "Scope | None" = None, raw: bool = False) -> None:
        self.vars = variables
        self.parent = parent
        self.raw = raw
        self.converted: dict[str, Any] | None = None

    def lookup(self, ctx: Context, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            v = scope.vars.get(name, _MISSING)
            if v is not _MISSING:
                if scope.raw:
                    return scope._convert(ctx, name, v)
                return v
            scope = scope.parent
        from .builtins import BUILTINS
        return BUILTINS.get(name, _MISSING)

    def _convert(self, ctx: Context, name: str, value: Any) -> Any:
        # Converted once per evaluation: a loop reading a large list must not convert it every time.
        t = type(value)
        if value is None or t is str or t is bool or t is Decimal:
            return to_feel(value) if t is Decimal else value
        cache = self.converted
        if cache is None:
            cache = self.converted = {}
        elif name in cache:
            return cache[name]
        try:
            result = to_feel(value)
        except ConversionError as exc:
            ctx.diag(f"variable {name!r}: {exc}")
            result = None
        cache[name] = result
        return result


# -- compile ------------------------------------------------------------------------------------

def compile_node(node: n.Node) -> Closure:
    method = _COMPILERS.get(type(node))
    if method is None:  # pragma: no cover - parser only builds known nodes
        raise TypeError(f"unknown node {type(node).__name__}")
    return method(node)


def _literal(node: n.Literal) -> Closure:
    value = node.value
    return lambda ctx, scope: value


def _name(node: n.Name) -> Closure:
    name = node.name

    def run(ctx: Context, scope: Scope) -> Any:
        v = scope.lookup(ctx, name)
        if v is _MISSING:
            ctx.diag(f"unknown name {name!r}")
            return None
        return v
    return run


_ARITH = {"+": ops.add, "-": ops.subtract, "*": ops.multiply, "/": ops.divide, "**": ops.exponent}


def _arithmetic(node: n.Arithmetic) -> Closure:
    first = compile_node(node.first)
    rest = [(_ARITH[op], compile_node(operand)) for op, operand in node.rest]
    if len(rest) == 1:
        fn, second = rest[0]

        def binary(ctx: Context, scope: Scope) -> Any:
            ctx.tick()
            return fn(ctx, first(ctx, scope), second(ctx, scope))
        return binary

    def chain(ctx: Context, scope: Scope) -> Any:
        value = first(ctx, scope)
        for fn, operand in rest:
            ctx.tick()
            value = fn(ctx, value, operand(ctx, scope))
        return value
    return chain


def _binary(node: n.Binary) -> Closure:
    left, right = compile_node(node.left), compile_node(node.right)
    op = node.op

    def comparison(ctx: Context, scope: Scope) -> Any:
        ctx.tick()
        return ops.compare_op(ctx, op, left(ctx, scope), right(ctx, scope))
    return comparison


def _and(node: n.And) -> Closure:
    items = [compile_node(item) for item in node.items]

    def run(ctx: Context, scope: Scope) -> Any:
        # Three-valued (table 51): any false gives false, all true gives true, otherwise null.
        unknown = False
        for item in items:
            value = item(ctx, scope)
            if value is False:
                return False
            if value is not True:
                unknown = True
        return None if unknown else True
    return run


def _or(node: n.Or) -> Closure:
    items = [compile_node(item) for item in node.items]

    def run(ctx: Context, scope: Scope) -> Any:
        unknown = False
        for item in items:
            value = item(ctx, scope)
            if value is True:
                return True
            if value is not False:
                unknown = True
        return None if unknown else False
    return run


def _negate(node: n.Negate) -> Closure:
    operand = compile_node(node.operand)
    return lambda ctx, scope: ops.negate(ctx, operand(ctx, scope))


def _if(node: n.If) -> Closure:
    cond, then, otherwise = compile_node(node.condition), compile_node(node.then), compile_node(node.otherwise)

    def run(ctx: Context, scope: Scope) -> Any:
        ctx.tick()
        if cond(ctx, scope) is True:
            return then(ctx, scope)
        return otherwise(ctx, scope)
    return run


def _integer(value: Any) -> int | None:
    if type(value) is Decimal and value == value.to_integral_value():
        return int(value)
    return None


def _iteration_source(ctx: Context, scope: Scope, it: tuple[str, Closure, Closure | None]) -> Any:
    """The values one iteration context runs over: a list, or a lazy integer range."""
    name, source, end = it
    start_v = source(ctx, scope)
    if end is not None:
        end_v = end(ctx, scope)
        if type(start_v) is FeelDate and type(end_v) is FeelDate:
            ctx.check_size(abs(end_v.epoch_day - start_v.epoch_day) + 1)
            return temporal.date_steps(start_v, end_v)
        a, b = _integer(start_v), _integer(end_v)
        if a is None or b is None:
            ctx.diag(f"range bounds of {name!r} must be integers")
            return None
        ctx.check_size(abs(b - a) + 1)
        step = 1 if b >= a else -1
        return (Decimal(i) for i in range(a, b + step, step))
    if type(start_v) is Range:
        r = start_v
        a, b = _integer(r.start), _integer(r.end)
        if a is None or b is None:
            ctx.diag(f"only integer ranges can be iterated ({name!r})")
            return None
        if a > b:
            ctx.diag(f"range {r} of {name!r} starts after its end")
            return None
        lo = a if r.start_included else a + 1
        hi = b if r.end_included else b - 1
        ctx.check_size(max(0, hi - lo + 1))
        return (Decimal(i) for i in range(lo, hi + 1))
    if type(start_v) is list:
        return start_v
    if start_v is None:
        return None
    return [start_v]


def _compile_iterations(iterations: list[n.Iteration]) -> list[tuple[str, Closure, Closure | None]]:
    return [(it.name, compile_node(it.source), compile_node(it.end) if it.end else None) for it in iterations]


def _for(node: n.For) -> Closure:
    iterations = _compile_iterations(node.iterations)
    body = compile_node(node.body)

    def run(ctx: Context, scope: Scope) -> Any:
        results: list[Any] = []
        local: dict[str, Any] = {"partial": results}
        inner = Scope(local, scope)
        limit = ctx.limits.max_collection

        def loop(level: int) -> bool:
            name = iterations[level][0]
            values = _iteration_source(ctx, inner, iterations[level])
            if values is None:
                return False
            last = level == len(iterations) - 1
            for v in values:
                ctx.tick()
                local[name] = v
                if last:
                    results.append(body(ctx, inner))
                    if len(results) > limit:
                        ctx.check_size(len(results))
                elif not loop(level + 1):
                    return False
            return True
        if not loop(0):
            return None
        return results
    return run


def _quantified(node: n.Quantified) -> Closure:
    iterations = _compile_iterations(node.iterations)
    cond = compile_node(node.condition)
    every = node.every

    def run(ctx: Context, scope: Scope) -> Any:
        local: dict[str, Any] = {}
        inner = Scope(local, scope)

        def loop(level: int) -> bool | None:
            name = iterations[level][0]
            values = _iteration_source(ctx, inner, iterations[level])
            if values is None:
                return None
            last = level == len(iterations) - 1
            for v in values:
                ctx.tick()
                local[name] = v
                r = cond(ctx, inner) if last else loop(level + 1)
                if every and r is not True:
                    return False
                if not every and r is True:
                    return True
            return every
        return loop(0)
    return run


def _between(node: n.Between) -> Closure:
    value, low, high = compile_node(node.value), compile_node(node.low), compile_node(node.high)

    def run(ctx: Context, scope: Scope) -> Any:
        v, lo, hi = value(ctx, scope), low(ctx, scope), high(ctx, scope)
        a = ops.compare_op(ctx, ">=", v, lo)
        b = ops.compare_op(ctx, "<=", v, hi)
        if a is False or b is False:
            return False
        if a is True and b is True:
            return True
        return None
    return run


def _in(node: n.In) -> Closure:
    value = compile_node(node.value)
    tests = [compile_test(t) for t in node.tests]

    def run(ctx: Context, scope: Scope) -> Any:
        v = value(ctx, scope)
        saw_null = False
        for test in tests:
            r = test(ctx, scope, v)
            if r is True:
                return True
            if r is None:
                saw_null = True
        # no test true and one null (a null input, a range with a null end point): the answer is null
        return None if saw_null else False
    return run


def _instance_of(node: n.InstanceOf) -> Closure:
    from .types import instance_of
    value = compile_node(node.value)
    type_ref = node.type
    return lambda ctx, scope: instance_of(value(ctx, scope), type_ref)


def _list(node: n.ListLiteral) -> Closure:
    items = [compile_node(i) for i in node.items]
    if all(isinstance(i, n.Literal) for i in node.items):
        constant = [i.value for i in node.items]  # type: ignore[attr-defined]
        # Lists are never mutated by the evaluator or the built-ins, so sharing is safe.
        return lambda ctx, scope: constant

    def run(ctx: Context, scope: Scope) -> Any:
        ctx.tick(len(items))
        return [f(ctx, scope) for f in items]
    return run


def _context(node: n.ContextLiteral) -> Closure:
    entries = [(k, compile_node(v)) for k, v in node.entries]

    def run(ctx: Context, scope: Scope) -> Any:
        result: dict[str, Any] = {}
        inner = Scope(result, scope)
        for key, f in entries:
            ctx.tick()
            result[key] = f(ctx, inner)
        return result
    return run


def _interval(node: n.Interval) -> Closure:
    if node.op is not None:
        return _comparison_range(node)
    start = compile_node(node.start) if node.start is not None else None
    end = compile_node(node.end) if node.end is not None else None
    si, ei = node.start_included, node.end_included

    def run(ctx: Context, scope: Scope) -> Any:
        s = start(ctx, scope) if start else None
        e = end(ctx, scope) if end else None
        # A null end point is allowed (DMN 1.5); membership in such a range is null.
        if s is not None and e is not None and ops.compare(ctx, s, e) is None:
            return None
        return Range(si, s, e, ei)
    if all(x is None or isinstance(x, n.Literal) for x in (node.start, node.end)):
        probe = Context(None, None, "")
        constant = run(probe, Scope({}))
        if constant is not None:
            return lambda ctx, scope: constant
    return run


def _invalid(node: n.Invalid) -> Closure:
    message = node.message

    def run(ctx: Context, scope: Scope) -> Any:
        ctx.diag(message)
        return None
    return run


def _comparison_range(node: n.Interval) -> Closure:
    """`(< 10)` as a range: start or end is the operand, the other end unbounded (`(= 5)`: both)."""
    assert node.start is not None
    operand = compile_node(node.start)
    op, si, ei = node.op, node.start_included, node.end_included

    def run(ctx: Context, scope: Scope) -> Any:
        v = operand(ctx, scope)
        if v is None:
            ctx.diag(f"the range ({op} null) has no end point")
            return None
        start = None if op in ("<", "<=") else v
        end = None if op in (">", ">=") else v
        return Range(si, start, end, ei, op)
    return run


def _filter(node: n.Filter) -> Closure:
    target = compile_node(node.target)
    cond = compile_node(node.condition)
    literal_index = (isinstance(node.condition, n.Literal) and type(node.condition.value) is Decimal)

    def run(ctx: Context, scope: Scope) -> Any:
        items = target(ctx, scope)
        if items is None:
            return None
        if type(items) is not list:
            items = [items]
        if literal_index:
            return _index(ctx, items, node.condition.value)  # type: ignore[attr-defined]
        result: list[Any] = []
        local: dict[str, Any] = {}
        inner = Scope(local, scope)
        for pos, item in enumerate(items):
            ctx.tick()
            local.clear()
            local["item"] = item
            if type(item) is dict:
                local.update(item)    # an entry named `item` wins over the item itself (TCK 0069)
            r = cond(ctx, inner)
            if pos == 0 and type(r) is Decimal:
                return _index(ctx, items, r)
            if r is True:
                result.append(item)
        return result
    return run


def _index(ctx: Context, items: list, index: Decimal) -> Any:
    i = _integer(index)
    if i is None or i == 0 or abs(i) > len(items):
        ctx.diag(f"list index {index} out of range")
        return None
    return items[i - 1] if i > 0 else items[i]


def _path(node: n.Path) -> Closure:
    target = compile_node(node.target)
    name = node.name
    return lambda ctx, scope: get_property(ctx, target(ctx, scope), name)


def _call(node: n.Call) -> Closure:
    fn = compile_node(node.function)
    args = [compile_node(a) for a in node.args]
    named = [(k, compile_node(v)) for k, v in node.named] if node.named else None
    fname = node.function.name if isinstance(node.function, n.Name) else None
    if fname in _PATTERN_ARGS:
        _check_literal_pattern(node, fname)

    def run(ctx: Context, scope: Scope) -> Any:
        ctx.tick()
        f = fn(ctx, scope)
        if fname is not None and type(f) is not FeelFunction and type(f) is not BuiltinFunction:
            # A variable called 'date' or 'count' must not hide the built-in function of that name.
            from .builtins import BUILTINS
            f = BUILTINS.get(fname, f)
        if f is None:
            if fname is not None:
                ctx.diag(f"unknown function {fname!r}")
            return None
        if named is not None:
            return invoke(ctx, f, [], {k: v(ctx, scope) for k, v in named})
        return invoke(ctx, f, [a(ctx, scope) for a in args], None)
    return run


def _external_function(node: n.FunctionDef) -> Closure:
    """`function(a) external {java: {class: ..., method signature: ...}}`: an allow-listed Java method."""
    from .java import JavaError, java_function
    mapping = compile_node(node.body)
    params = tuple(node.params)

    def run(ctx: Context, scope: Scope) -> Any:
        spec = mapping(ctx, scope)
        java = spec.get("java") if type(spec) is dict else None
        if type(java) is not dict:
            ctx.diag("an external function needs a java context (class, method signature)")
            return None
        try:
            return java_function(java.get("class"), java.get("method signature"), "external", params)
        except JavaError as exc:
            ctx.diag(str(exc))
            return None
    return run


# Built-ins taking a regular expression: (position of the pattern, its name), (position of the flags, name).
_PATTERN_ARGS = {"matches": ((1, "pattern"), (2, "flags")), "replace": ((1, "pattern"), (3, "flags")),
                 "split": ((1, "delimiter"), (-1, ""))}


def _check_literal_pattern(node: n.Call, fname: str) -> None:
    """A literal pattern too costly to compile fails the expression's compile (so the model's deploy)."""
    (p_at, p_name), (f_at, f_name) = _PATTERN_ARGS[fname]
    given = dict(node.named) if node.named else {}

    def literal(at: int, name: str) -> Any:
        arg = given.get(name) if node.named else (node.args[at] if 0 <= at < len(node.args) else None)
        return arg.value if isinstance(arg, n.Literal) and isinstance(arg.value, str) else None
    pattern, flags = literal(p_at, p_name), literal(f_at, f_name)
    if pattern is None:
        return
    from .builtins.strings import pattern_cost_refusal
    refusal = pattern_cost_refusal(pattern, flags)
    if refusal is not None:
        raise ExpressionSyntaxError(f"{fname}(): {refusal}", None, node.pos or None)


def _function_def(node: n.FunctionDef) -> Closure:
    if node.external:
        return _external_function(node)
    params = tuple(node.params)
    body = compile_node(node.body)
    if any(t is not None for t in node.types):
        from .types import coerce
        types = list(node.types)
        plain_body = body

        def typed_body(ctx: Context, scope: Scope) -> Any:
            # Arguments that do not conform to a declared parameter type become null (DMN 1.3, 10.3.2.9.4).
            local = scope.vars
            for name, type_ref in zip(params, types, strict=False):
                if type_ref is not None and local.get(name) is not None:
                    ok, value = coerce(local[name], type_ref)
                    if not ok:
                        ctx.diag(f"argument {name!r} does not conform to its declared type")
                    local[name] = value  # type: ignore[index]
            return plain_body(ctx, scope)
        body = typed_body
    return lambda ctx, scope: FeelFunction(params, body, scope)


_COMPILERS: dict[type, Callable[[Any], Closure]] = {
    n.Literal: _literal, n.Name: _name, n.Arithmetic: _arithmetic, n.Binary: _binary, n.And: _and,
    n.Or: _or, n.Negate: _negate,
    n.If: _if, n.For: _for, n.Quantified: _quantified, n.Between: _between, n.In: _in,
    n.InstanceOf: _instance_of, n.ListLiteral: _list, n.ContextLiteral: _context,
    n.Interval: _interval, n.Invalid: _invalid, n.Filter: _filter, n.Path: _path, n.Call: _call,
    n.FunctionDef: _function_def,
}


# -- invocation ---------------------------------------------------------------------------------

def invoke(ctx: Context, fn: Any, args: list[Any], named: dict[str, Any] | None) -> Any:
    if type(fn) is FeelFunction:
        return _invoke_user(ctx, fn, args, named)
    if type(fn) is BuiltinFunction:
        from .builtins import call_builtin
        return call_builtin(ctx, fn, args, named)
    ctx.diag(f"{ops.kind(fn)} is not a function")
    return None


def _invoke_user(ctx: Context, fn: FeelFunction, args: list[Any], named: dict[str, Any] | None) -> Any:
    params = fn.params
    if named is not None:
        unknown = [k for k in named if k not in params]
        if unknown:
            ctx.diag(f"unknown parameter(s) {', '.join(unknown)}")
            return None
        local = {p: named.get(p) for p in params}
    else:
        if len(args) > len(params):
            ctx.diag(f"function takes {len(params)} argument(s), {len(args)} given")
            return None
        local = {p: (args[i] if i < len(args) else None) for i, p in enumerate(params)}
    ctx.depth += 1
    try:
        if ctx.depth > ctx.limits.max_depth:
            ctx.limit(f"function calls nested deeper than {ctx.limits.max_depth}")
        return fn.body(ctx, Scope(local, fn.scope))
    finally:
        ctx.depth -= 1


# -- unary tests --------------------------------------------------------------------------------

def compile_test(test: n.UnaryTest) -> TestClosure:
    if isinstance(test, n.AnyTest):
        return lambda ctx, scope, value: True
    if isinstance(test, n.NotTest):
        inner = [compile_test(t) for t in test.tests]

        def negated(ctx: Context, scope: Scope, value: Any) -> bool | None:
            saw_null = False
            for t in inner:
                r = t(ctx, scope, value)
                if r is True:
                    return False
                if r is None:
                    saw_null = True
            return None if saw_null else True
        return negated
    if isinstance(test, n.CompareTest):
        operand = compile_node(test.operand)
        op = test.op
        return lambda ctx, scope, value: ops.compare_op(ctx, op, value, operand(ctx, scope))
    assert isinstance(test, n.ExprTest)
    expr = compile_node(test.expr)
    if test.uses_input:
        def with_input(ctx: Context, scope: Scope, value: Any) -> bool | None:
            v = expr(ctx, Scope({"?": value}, scope))
            if type(v) is bool:
                return v
            if v is None:
                # `? > 3` with a null input is null, which is not a value to compare with the input:
                # the test is not satisfied (DMN 1.3 10.3.2.9, unary test semantics; Camunda FEEL agrees).
                return None
            return _match_value(ctx, value, v)
        return with_input
    if isinstance(test.expr, (n.Literal, n.ListLiteral)) or (
            isinstance(test.expr, n.Interval) and isinstance(test.expr.start, n.Literal)
            and isinstance(test.expr.end, n.Literal)):
        # Constant tests ('"a"', '[1..5]', '5') are folded once.
        probe = Context(None, None, "")
        try:
            constant = expr(probe, Scope({}))
        except LimitExceeded:
            constant = None
        else:
            if type(constant) is Range:
                return lambda ctx, scope, value: ops.in_range(ctx, value, constant)
            if type(constant) is not list and constant is not None:
                return lambda ctx, scope, value: ops.equal(ctx, value, constant)
    return lambda ctx, scope, value: _match_value(ctx, value, expr(ctx, scope))


def _match_value(ctx: Context, value: Any, test_value: Any) -> bool | None:
    """Unary test semantics of a value (DMN 1.3, 10.3.2.9 and table 52)."""
    t = type(test_value)
    if t is Range:
        return ops.in_range(ctx, value, test_value)
    if t is list:
        if type(value) is list and ops.equal(ctx, value, test_value) is True:
            return True
        # A list of ranges is a list of tests: 1 in [[2..4], [1..3]] (TCK 0072 number_002).
        ctx.tick(len(test_value))
        for item in test_value:
            if type(item) is Range:
                if ops.in_range(ctx, value, item) is True:
                    return True
            elif ops.equal(ctx, item, value) is True:
                return True
        return False
    if t is FeelFunction or t is BuiltinFunction:
        return invoke(ctx, test_value, [value], None) is True
    return ops.equal(ctx, value, test_value)
