"""Builds the shared `service.expr` errors for JUEL, with the offending text and position."""
from __future__ import annotations

from service.expr import ExpressionError, ExpressionSyntaxError, LimitExceeded
from service.expr.errors import UnresolvedIdentifier


def syntax_error(message: str, text: str, position: int | None) -> ExpressionSyntaxError:
    if position is not None and position < len(text):
        message = f"{message} (near {text[position:position + 30]!r})"
    return ExpressionSyntaxError(message, text=text, position=position)


def eval_error(message: str, text: str, position: int | None = None) -> ExpressionError:
    return ExpressionError(message, text=text, position=position)


def unresolved_error(message: str, text: str, position: int | None = None) -> UnresolvedIdentifier:
    return UnresolvedIdentifier(message, text=text, position=position)


def limit_error(message: str, text: str, position: int | None = None) -> LimitExceeded:
    return LimitExceeded(message, text=text, position=position)
