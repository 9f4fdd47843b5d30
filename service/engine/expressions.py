"""Route model expressions to JUEL (``${..}``/``#{..}``) or FEEL; never Python.

Compiled expressions are cached per text: they are immutable, and a model's expressions are
evaluated on every step of every instance.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Mapping

from service.expr import ExpressionError, ExpressionSyntaxError, Limits

@dataclass(frozen=True)
class CompiledText:
    text: str
    language: str          # "juel" | "feel"
    compiled: Any

    def evaluate(self, variables: Mapping[str, Any], *, now: datetime, limits: Limits | None = None) -> Any:
        if self.language == "juel":
            return self.compiled.evaluate(variables, now=now, limits=limits)
        from service.expr import feel
        value = self.compiled.evaluate(variables, limits=limits)
        return feel.from_feel(value)


def is_juel(text: str) -> bool:
    from service.expr import juel
    return bool(juel.is_juel(text))


@lru_cache(maxsize=4096)
def compile_text(text: str) -> CompiledText:
    """Compile a model expression; raises ExpressionSyntaxError naming the problem."""
    if text is None or not str(text).strip():
        raise ExpressionSyntaxError("empty expression", text or "")
    text = str(text)
    try:
        if is_juel(text):
            from service.expr import juel
            return CompiledText(text, "juel", juel.compile(text))
        from service.expr import feel
        return CompiledText(text, "feel", feel.compile_expression(text.strip()))
    except RecursionError:
        # Long operator chains can exhaust Python's stack in a compiler: refuse them like deep nesting.
        raise ExpressionSyntaxError("the expression is nested too deeply", text[:200]) from None


def evaluate_text(text: str, variables: Mapping[str, Any], *, now: datetime, limits: Limits | None = None) -> Any:
    return compile_text(text).evaluate(variables, now=now, limits=limits)


def as_condition(value: Any, text: str) -> bool:
    """Gateway and event conditions must be boolean; null (a missing variable in FEEL) is false."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    raise ExpressionError(f"a condition must be true or false, got {type(value).__name__} {value!r}", text)


__all__ = ["CompiledText", "compile_text", "evaluate_text", "as_condition", "is_juel", "ExpressionError",
           "ExpressionSyntaxError"]
