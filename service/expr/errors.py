"""Exceptions raised by the expression languages (FEEL and JUEL).

Only two kinds ever escape an evaluation: a syntax error at compile time and a
resource bound hit at run time. Every other invalid operation yields null plus
a diagnostic, as the DMN standard asks.
"""
from __future__ import annotations


class ExpressionError(Exception):
    """Base class: carries the message, the offending source text and a column."""

    def __init__(self, message: str, text: str | None = None, position: int | None = None) -> None:
        self.message = message
        self.text = text
        self.position = position
        super().__init__(self._render())

    def _render(self) -> str:
        where = f" at column {self.position}" if self.position is not None else ""
        if self.text is None:
            return f"{self.message}{where}"
        snippet = self.text if len(self.text) <= 200 else self.text[:200] + "..."
        return f"{self.message}{where} in {snippet!r}"


class ExpressionSyntaxError(ExpressionError):
    """The text is not a valid expression (raised when compiling)."""


class LimitExceeded(ExpressionError):
    """A resource bound of `Limits` was hit while evaluating."""


class UnresolvedIdentifier(ExpressionError):
    """A JUEL name that no variable holds (Camunda's PropertyNotFoundException); conditional events read
    it as false, everything else as an error."""


__all__ = ["ExpressionError", "ExpressionSyntaxError", "LimitExceeded", "UnresolvedIdentifier"]
