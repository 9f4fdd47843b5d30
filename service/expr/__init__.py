"""Expression languages for Alur: FEEL (DMN 1.3) and a safe JUEL subset.

Use ``from service.expr import feel, juel``; the subpackages are imported on
demand so that importing this package does no work.
"""
from __future__ import annotations

import importlib
from typing import Any

from .errors import ExpressionError, ExpressionSyntaxError, LimitExceeded
from .limits import Limits

__all__ = ["ExpressionError", "ExpressionSyntaxError", "LimitExceeded", "Limits", "feel", "juel"]


def __getattr__(name: str) -> Any:
    # Lazy subpackages: importing `service.expr` for its errors must not compile the parsers.
    if name in ("feel", "juel"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
