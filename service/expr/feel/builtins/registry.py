"""Registration and invocation of built-in functions (signatures, named arguments)."""
from __future__ import annotations

import decimal
from typing import Any, Callable

from ..values import BuiltinFunction


BUILTINS: dict[str, BuiltinFunction] = {}


class InvalidArgument(Exception):
    """An invalid argument: the call yields null with this message as diagnostic."""


def builtin(name: str, *signatures: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``impl(ctx, *args)``; each signature is a comma-separated parameter list.

    ``name?`` marks an optional parameter, ``name...`` collects the remaining arguments; a signature
    starting with ``=`` is only for calls with named arguments.
    """
    parsed = tuple(tuple(p.strip() for p in sig.split(",") if p.strip()) for sig in signatures)

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        BUILTINS[name] = BuiltinFunction(name, impl, parsed)
        return impl
    return register


def _bind(sig: tuple[str, ...], args: list[Any], named: dict[str, Any] | None) -> list[Any] | None:
    sig = tuple(p.lstrip("=") for p in sig)
    required = [p for p in sig if not p.endswith("?") and not p.endswith("...")]
    plain = [p.rstrip("?").removesuffix("...") for p in sig]
    varargs = bool(sig) and sig[-1].endswith("...")
    if named is not None:
        if set(named) - set(plain):
            return None
        if any(p.rstrip("?") not in named for p in required):
            return None
        bound = [named.get(p) for p in plain]
        if varargs:
            last = bound[-1]
            bound[-1] = last if type(last) is list else ([] if last is None else [last])
        return bound
    if varargs:
        fixed = len(sig) - 1
        if len(args) < len(required) or not args:
            return None   # `all()`, `mode()`: no argument at all is no list (TCK 0059, 0062)
        return list(args[:fixed]) + [list(args[fixed:])]
    if not len(required) <= len(args) <= len(sig):
        return None
    return list(args) + [None] * (len(sig) - len(args))


def _candidates(fn: BuiltinFunction, named: dict[str, Any] | None) -> list[tuple[str, ...]]:
    if named is None:
        return [s for s in fn.signatures if not (s and s[0].startswith("="))]
    # before(point, range) and before(range, point) share parameter names: prefer the
    # signature whose order matches the order the arguments were written in.
    order = list(named)
    exact = [s for s in fn.signatures
             if [p.lstrip("=").rstrip("?").removesuffix("...") for p in s][:len(order)] == order]
    return exact + [s for s in fn.signatures if s not in exact]


def call_builtin(ctx: Any, fn: BuiltinFunction, args: list[Any], named: dict[str, Any] | None) -> Any:
    for sig in _candidates(fn, named):
        bound = _bind(sig, args, named)
        if bound is not None:
            try:
                if getattr(fn.impl, "by_name", False):
                    # overloads told apart by the parameter names of a named call (context put: key / keys)
                    return fn.impl(ctx, *bound, named_as=sig if named is not None else None)
                return fn.impl(ctx, *bound)
            except InvalidArgument as exc:
                ctx.diag(f"{fn.name}: {exc}")
                return None
            except (decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero):
                ctx.diag(f"{fn.name}: invalid arithmetic")
                return None
            except (OverflowError, ValueError) as exc:
                ctx.diag(f"{fn.name}: {exc}")
                return None
    given = ", ".join(named) if named is not None else f"{len(args)} argument(s)"
    ctx.diag(f"{fn.name}: no signature accepts {given}")
    return None
