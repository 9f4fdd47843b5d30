"""FEEL (DMN 1.3 chapter 10): compile once, evaluate many times, never Python eval.

    expr = compile_expression("Monthly Salary * 12")
    expr.evaluate({"Monthly Salary": 1000})            # Decimal('12000')
    compile_unary_tests('"a","b"').matches("b", {})     # True

Only ExpressionSyntaxError (compile) and LimitExceeded (evaluation) are raised; any
other invalid operation yields None and appends a diagnostic.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, Iterable, Mapping

from ..errors import ExpressionError, ExpressionSyntaxError, LimitExceeded
from ..limits import DEFAULT_LIMITS, Limits
from .evaluator import Context, Scope, compile_node, compile_test
from .parser import parse_expression, parse_unary_tests
from .types import type_check
from .values import from_feel, to_feel

__all__ = [
    "CompiledExpression", "CompiledUnaryTests", "compile_expression", "compile_unary_tests", "evaluate",
    "to_feel", "from_feel", "type_check", "ExpressionError", "ExpressionSyntaxError", "LimitExceeded",
    "Limits",
]

def _names_in(text: str, names: Iterable[str] | None) -> tuple[str, ...]:
    """The declared names that occur in the text: the cache key holds only the ones that can matter."""
    if not names:
        return ()
    return tuple(sorted({n for n in names if type(n) is str and n and n in text}))


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

    __slots__ = ("text", "_closure", "_names", "_declared", "_types")

    def __init__(self, text: str, names: tuple[str, ...] = (), declared: tuple[str, ...] = (),
                 types: tuple[tuple[str, str], ...] = ()) -> None:
        tree = _parse_with_declared(parse_expression, text, names, declared, types)
        self.text = text
        self._types = types
        try:
            self._closure = compile_node(tree)
        except RecursionError:
            raise ExpressionSyntaxError("expression nested too deeply", text, None) from None
        self._names = names
        self._declared = declared

    def evaluate(self, variables: Mapping[str, Any] | None = None, *, limits: Limits | None = None,
                 diagnostics: list[str] | None = None, now: datetime | None = None) -> Any:
        """Evaluate; ``now`` (tz-aware) is what now()/today() return, e.g. the engine's clock."""
        # A variable key alone never changes how the text parses (a key like "a and b" must not replace
        # the expression `a and b`): only names the model declared (`declared`) are read as one name.
        variables = variables if variables is not None else {}
        target = _with_declared(self, variables, _compile_expression)
        ctx = Context(limits, diagnostics, self.text)
        ctx.now = now
        return _run(ctx, target._closure, ctx, Scope(variables, raw=True))

    def __repr__(self) -> str:
        return f"CompiledExpression({self.text!r})"


class CompiledUnaryTests:
    """Parsed unary tests of a decision-table input entry."""

    __slots__ = ("text", "_tests", "_names", "_declared", "_types")

    def __init__(self, text: str, names: tuple[str, ...] = (), declared: tuple[str, ...] = (),
                 types: tuple[tuple[str, str], ...] = ()) -> None:
        tests = _parse_with_declared(parse_unary_tests, text, names, declared, types)
        self.text = text
        self._types = types
        try:
            self._tests = [compile_test(t) for t in tests]
        except RecursionError:
            raise ExpressionSyntaxError("expression nested too deeply", text, None) from None
        self._names = names
        self._declared = declared

    def matches(self, input_value: Any, variables: Mapping[str, Any] | None = None, *,
                limits: Limits | None = None, diagnostics: list[str] | None = None,
                now: datetime | None = None) -> bool:
        """Whether the input value passes any of the tests (never raises except LimitExceeded)."""
        variables = variables if variables is not None else {}
        target = _with_declared(self, variables, _compile_unary_tests)
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


def _parse_with_declared(parse: Any, text: str, names: tuple[str, ...], declared: tuple[str, ...],
                         types: tuple[tuple[str, str], ...]) -> Any:
    """Parse without the declared names (their reading depends on the variables, `_with_declared`); a
    text that only parses with them (`decision A 2.1`, a name holding a number) is read with them."""
    try:
        return parse(text, names, dict(types))
    except ExpressionSyntaxError:
        if not declared:
            raise
        return parse(text, tuple(sorted({*names, *declared})), dict(types))


def _with_declared(compiled: Any, variables: Mapping[str, Any], compile_fn: Any) -> Any:
    """The compiled text re-read with the declared names that are bound in the variables (DMN: a name
    declared by the model reads as one name in the scope where it exists and as a path/operation elsewhere)."""
    if not compiled._declared:
        return compiled
    bound = [name for name in compiled._declared if name in variables]
    if not bound:
        return compiled
    return compile_fn(compiled.text, tuple(sorted({*compiled._names, *bound})), (), compiled._types)


@lru_cache(maxsize=2048)
def _compile_expression(text: str, names: tuple[str, ...], declared: tuple[str, ...] = (),
                        types: tuple[tuple[str, str], ...] = ()) -> CompiledExpression:
    return CompiledExpression(text, names, declared, types)


@lru_cache(maxsize=4096)
def _compile_unary_tests(text: str, names: tuple[str, ...], declared: tuple[str, ...] = (),
                         types: tuple[tuple[str, str], ...] = ()) -> CompiledUnaryTests:
    return CompiledUnaryTests(text, names, declared, types)


def _types_in(text: str, types: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    """The named types (DMN item definitions) a text may use after `instance of`, as a cache key: all of
    them when one occurs (a type's text may name others), none otherwise."""
    if not types or "instance" not in text or not any(name in text for name in types):
        return ()
    return tuple(sorted((str(k), str(v)) for k, v in types.items()))


def _check_length(text: str) -> None:
    # Refused before parsing: parsing itself costs time proportional to the text.
    if len(text) > DEFAULT_LIMITS.max_text:
        raise ExpressionSyntaxError(f"expression longer than {DEFAULT_LIMITS.max_text} characters",
                                    text[:80] + "...", None)


def compile_expression(text: str, names: Iterable[str] | None = None, *,
                       declared: Iterable[str] | None = None,
                       types: Mapping[str, str] | None = None) -> CompiledExpression:
    """Parse a FEEL expression (cached by text). ``names``: variable names holding keywords or
    operator characters (e.g. ``"Pre-Bureau Risk"``) that must be read as one name. ``declared``:
    names a model declares, read as one name only when the evaluation variables bind them.
    ``types``: named types (DMN item definitions) usable after ``instance of``, as FEEL type texts.
    Other variable keys never change how the text parses."""
    if not isinstance(text, str):
        raise ExpressionSyntaxError("expression text must be a string", repr(text), None)
    _check_length(text)
    return _compile_expression(text, _names_in(text, names), _names_in(text, declared), _types_in(text, types))


def compile_unary_tests(text: str, names: Iterable[str] | None = None, *,
                        declared: Iterable[str] | None = None,
                        types: Mapping[str, str] | None = None) -> CompiledUnaryTests:
    """Parse decision-table unary tests (cached by text); ``''``, ``'-'`` match anything."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ExpressionSyntaxError("unary tests text must be a string", repr(text), None)
    _check_length(text)
    return _compile_unary_tests(text, _names_in(text, names), _names_in(text, declared), _types_in(text, types))


def evaluate(text: str, variables: Mapping[str, Any] | None = None, *, limits: Limits | None = None,
             diagnostics: list[str] | None = None, now: datetime | None = None,
             names: Iterable[str] | None = None) -> Any:
    """Compile (cached) and evaluate a FEEL expression; ``names`` as in `compile_expression`."""
    variables = variables or {}
    return compile_expression(text, names).evaluate(variables, limits=limits, diagnostics=diagnostics, now=now)
