"""FEEL (DMN 1.3 chapter 10): compile once, evaluate many times, never Python eval.

    expr = compile_expression("Monthly Salary * 12")
    expr.evaluate({"Monthly Salary": 1000})            # Decimal('12000')
    compile_unary_tests('"a","b"').matches("b", {})     # True

Only ExpressionSyntaxError (compile) and LimitExceeded (evaluation) are raised; any
other invalid operation yields None and appends a diagnostic.
"""
from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any, Iterable, Mapping

from ..errors import ExpressionError, ExpressionSyntaxError, LimitExceeded
from ..limits import DEFAULT_LIMITS, Limits
from . import nodes
from .evaluator import Context, Scope, compile_node, compile_test
from .lexer import KEYWORDS
from .parser import parse_expression, parse_unary_tests
from .types import type_check
from .values import from_feel, to_feel

__all__ = [
    "CompiledExpression", "CompiledUnaryTests", "compile_expression", "compile_unary_tests", "evaluate",
    "to_feel", "from_feel", "type_check", "ExpressionError", "ExpressionSyntaxError", "LimitExceeded",
    "Limits",
]

_SIMPLE_NAME = re.compile(r"[^\W\d]\w*(?: +\w+)*\Z")


@lru_cache(maxsize=4096)
def _is_special_name(name: str) -> bool:
    """A name the parser cannot find without being told: it holds keywords or operator characters."""
    if not _SIMPLE_NAME.match(name):
        return True
    return any(word in KEYWORDS for word in name.split())


def _special_names(text: str, variables: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(k for k in variables if type(k) is str and k in text and _is_special_name(k)))


def _run(ctx: Context, fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except LimitExceeded:
        raise
    except RecursionError:
        raise LimitExceeded("expression nested too deeply", ctx.text, None) from None
    except MemoryError:
        raise LimitExceeded("expression needs too much memory", ctx.text, None) from None
    except Exception as exc:  # a bug must not escape as a Python exception (DMN: null + diagnostic)
        ctx.diag(f"internal error: {type(exc).__name__}: {exc}")
        return None


class CompiledExpression:
    """A parsed FEEL expression, ready to evaluate against plain variables."""

    __slots__ = ("text", "_closure", "_uses_names", "_names")

    def __init__(self, text: str, names: tuple[str, ...] = ()) -> None:
        tree = parse_expression(text, names)
        self.text = text
        try:
            self._closure = compile_node(tree)
        except RecursionError:
            raise ExpressionSyntaxError("expression nested too deeply", text, None) from None
        self._uses_names = _tree_uses_names(tree)
        self._names = names

    def evaluate(self, variables: Mapping[str, Any] | None = None, *, limits: Limits | None = None,
                 diagnostics: list[str] | None = None, now: datetime | None = None) -> Any:
        """Evaluate; ``now`` (tz-aware) is what now()/today() return, e.g. the engine's clock."""
        variables = variables if variables is not None else {}
        target = self
        if self._uses_names and not self._names:
            special = _special_names(self.text, variables)
            if special:
                target = _compile_expression(self.text, special)
        ctx = Context(limits, diagnostics, self.text)
        ctx.now = now
        return _run(ctx, target._closure, ctx, Scope(variables, raw=True))

    def __repr__(self) -> str:
        return f"CompiledExpression({self.text!r})"


class CompiledUnaryTests:
    """Parsed unary tests of a decision-table input entry."""

    __slots__ = ("text", "_tests", "_uses_names", "_names")

    def __init__(self, text: str, names: tuple[str, ...] = ()) -> None:
        tests = parse_unary_tests(text, names)
        self.text = text
        try:
            self._tests = [compile_test(t) for t in tests]
        except RecursionError:
            raise ExpressionSyntaxError("expression nested too deeply", text, None) from None
        self._uses_names = any(_tree_uses_names(t) for t in tests)
        self._names = names

    def matches(self, input_value: Any, variables: Mapping[str, Any] | None = None, *,
                limits: Limits | None = None, diagnostics: list[str] | None = None,
                now: datetime | None = None) -> bool:
        """Whether the input value passes any of the tests (never raises except LimitExceeded)."""
        variables = variables if variables is not None else {}
        target = self
        if self._uses_names and not self._names:
            special = _special_names(self.text, variables)
            if special:
                target = _compile_unary_tests(self.text, special)
        ctx = Context(limits, diagnostics, self.text)
        ctx.now = now
        try:
            value = to_feel(input_value)
        except Exception as exc:
            ctx.diag(f"input value: {exc}")
            value = None
        scope = Scope(variables, raw=True)
        for test in target._tests:
            if _run(ctx, test, ctx, scope, value) is True:
                return True
        return False

    def __repr__(self) -> str:
        return f"CompiledUnaryTests({self.text!r})"


def _tree_uses_names(node: Any) -> bool:
    """Whether a tree has any name (so special multi-word variable names could matter)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, nodes.Name):
            if item.name != "?":
                return True
            continue
        if isinstance(item, (list, tuple)):
            stack.extend(item)
            continue
        slots = getattr(type(item), "__slots__", ())
        for slot in slots:
            child = getattr(item, slot, None)
            if isinstance(child, (nodes.Node, nodes.UnaryTest, nodes.Iteration, list, tuple)):
                stack.append(child)
    return False


@lru_cache(maxsize=2048)
def _compile_expression(text: str, names: tuple[str, ...]) -> CompiledExpression:
    return CompiledExpression(text, names)


@lru_cache(maxsize=4096)
def _compile_unary_tests(text: str, names: tuple[str, ...]) -> CompiledUnaryTests:
    return CompiledUnaryTests(text, names)


def _check_length(text: str) -> None:
    # Refused before parsing: parsing itself costs time proportional to the text.
    if len(text) > DEFAULT_LIMITS.max_text:
        raise ExpressionSyntaxError(f"expression longer than {DEFAULT_LIMITS.max_text} characters",
                                    text[:80] + "...", None)


def compile_expression(text: str, names: Iterable[str] | None = None) -> CompiledExpression:
    """Parse a FEEL expression (cached by text). ``names``: variable names holding keywords or
    operator characters (e.g. ``"Pre-Bureau Risk"``) that must be read as one name."""
    if not isinstance(text, str):
        raise ExpressionSyntaxError("expression text must be a string", repr(text), None)
    _check_length(text)
    return _compile_expression(text, tuple(sorted(set(names))) if names else ())


def compile_unary_tests(text: str, names: Iterable[str] | None = None) -> CompiledUnaryTests:
    """Parse decision-table unary tests (cached by text); ``''``, ``'-'`` match anything."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ExpressionSyntaxError("unary tests text must be a string", repr(text), None)
    _check_length(text)
    return _compile_unary_tests(text, tuple(sorted(set(names))) if names else ())


def evaluate(text: str, variables: Mapping[str, Any] | None = None, *, limits: Limits | None = None,
             diagnostics: list[str] | None = None, now: datetime | None = None) -> Any:
    """Compile (cached) and evaluate a FEEL expression."""
    variables = variables or {}
    special = _special_names(text, variables) if isinstance(text, str) else ()
    return compile_expression(text, special).evaluate(variables, limits=limits, diagnostics=diagnostics, now=now)
