"""`compile()` and `CompiledJuel`: the public face of the JUEL subset."""
from __future__ import annotations

import datetime as _dt
import re
from collections import ChainMap
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from service.expr import ExpressionError, Limits

from .coercion import CoercionError, java_string
from .errors import eval_error, limit_error, syntax_error
from .lexer import ExpressionRun, split_template
from .methods import JodaDateTime, to_utc
from .names import variable_names
from .nodes import EvalContext, Node
from .parser import Parser

_JUEL_MARKER = re.compile(r"(?<!\\)[$#]\{.*\}", re.DOTALL)
_DEFAULT_LIMITS = Limits()


def is_juel(text: str) -> bool:
    """True when `text` holds a `${...}` or `#{...}` block (Camunda's test for an EL expression)."""
    return isinstance(text, str) and _JUEL_MARKER.search(text) is not None


class CompiledJuel:
    """A parsed JUEL template; immutable and safe to share between threads."""
    __slots__ = ("text", "_parts", "_nesting", "deferred")

    def __init__(self, text: str, parts: tuple[str | Node, ...], nesting: int, deferred: bool) -> None:
        self.text = text
        self._parts = parts
        self._nesting = nesting
        self.deferred = deferred

    def __repr__(self) -> str:
        return f"CompiledJuel({self.text!r})"

    def variable_names(self) -> tuple[str, ...]:
        """The variables the expression reads (roots of property paths, execution.getVariable names)."""
        return variable_names(self._parts)

    @property
    def is_composite(self) -> bool:
        """True when the result is a string built from literal text and expressions."""
        return not (len(self._parts) == 1 and isinstance(self._parts[0], Node))

    def evaluate(self, variables: Mapping[str, Any], *, now: _dt.datetime | None = None,
                 limits: Limits | None = None, hosts: Mapping[str, Any] | None = None) -> Any:
        """Evaluate to a plain value; raises ExpressionError (e.g. unknown property) or LimitExceeded.

        `hosts` (expressions compiled with `compile_with_hosts` only): named objects whose public methods
        the expression may call; they are found before the variables."""
        limits = limits or _DEFAULT_LIMITS
        if self._nesting > limits.max_depth:
            raise limit_error(f"expression nested deeper than {limits.max_depth} levels", self.text, 0)
        host_ids: frozenset[int] = frozenset()
        if hosts:
            variables = ChainMap(dict(hosts), variables)   # type: ignore[arg-type]
            host_ids = frozenset(id(h) for h in hosts.values())
        try:
            return self._evaluate(EvalContext(variables, to_utc(now), limits, self.text, host_ids), limits)
        except RecursionError:
            # deeply nested *data* (lists in lists) can still recurse in equality or string coercion
            raise limit_error("value nested too deeply", self.text, None) from None
        except MemoryError:
            raise limit_error("evaluation needs too much memory", self.text, None) from None
        except ExpressionError:
            raise
        except (ArithmeticError, ValueError, TypeError) as exc:
            # The documented contract: only ExpressionError escapes, whatever the values hold.
            raise eval_error(f"invalid operation: {type(exc).__name__}: {exc}", self.text, None) from None

    def _evaluate(self, ctx: EvalContext, limits: Limits) -> Any:
        if not self.is_composite:
            return _plain(self._parts[0].evaluate(ctx))   # type: ignore[union-attr]
        pieces: list[str] = []
        size = 0
        for part in self._parts:
            if isinstance(part, Node):
                try:
                    piece = java_string(part.evaluate(ctx))
                except CoercionError as exc:
                    raise eval_error(str(exc), self.text, part.position) from None
            else:
                piece = part
            size += len(piece)
            if size > limits.max_string:
                raise limit_error(f"string longer than {limits.max_string} characters", self.text, None)
            pieces.append(piece)
        return "".join(pieces)


def _plain(value: Any) -> Any:
    if isinstance(value, JodaDateTime):
        return value.value
    if isinstance(value, (int, float, str, bool, list, dict)) or value is None:
        return value
    return value if not hasattr(value, "java_string") else value.java_string()


def compile(text: str) -> CompiledJuel:  # noqa: A001 - the documented API name
    """Parse `text` (literal text with `${...}`/`#{...}` blocks); ExpressionSyntaxError outside the subset."""
    if not isinstance(text, str):
        raise syntax_error(f"expression must be a string, not {type(text).__name__}", repr(text), None)
    return _compile_cached(text)


def compile_with_hosts(text: str) -> CompiledJuel:
    """Compile a delegate or listener expression (camunda:expression): method calls on host objects
    (`${bean.method(execution)}`, `${execution.setVariable('a', 1)}`) parse; they run only on the objects
    given as `hosts` at evaluation."""
    if not isinstance(text, str):
        raise syntax_error(f"expression must be a string, not {type(text).__name__}", repr(text), None)
    return _compile_cached(text, True)


@lru_cache(maxsize=1024)
def _compile_cached(text: str, hosts: bool = False) -> CompiledJuel:
    if len(text) > _DEFAULT_LIMITS.max_text:
        raise syntax_error(f"expression longer than {_DEFAULT_LIMITS.max_text} characters", text[:80], None)
    parts: list[str | Node] = []
    nesting = 0
    deferred = False
    for segment in split_template(text):
        if isinstance(segment, ExpressionRun):
            parser = Parser(segment, text, _DEFAULT_LIMITS.max_depth, hosts=hosts)
            parts.append(parser.parse())
            nesting = max(nesting, parser.deepest)
            deferred = segment.deferred
        else:
            parts.append(segment)
    if not parts:
        parts.append("")
    return CompiledJuel(text, tuple(parts), nesting, deferred)
