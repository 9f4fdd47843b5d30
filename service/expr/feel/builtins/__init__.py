"""The built-in functions of DMN 1.3, 10.3.4, with the parameter names the specification gives.

Every implementation takes the evaluation context first and returns a FEEL value or None;
an InvalidArgument raised inside one becomes null plus a diagnostic (``call_builtin``).
Importing this package registers every function in ``BUILTINS``.
"""
from __future__ import annotations

from . import contexts, conversion, dates, lists, numeric, ranges, strings, temporals  # noqa: F401  (registration)
from .registry import BUILTINS, InvalidArgument, builtin, call_builtin

__all__ = ["BUILTINS", "InvalidArgument", "builtin", "call_builtin"]
