"""Java external functions (DMN 1.3, 10.3.2.13.3) limited to an allow-list of pure static methods.

`function(x) external {java: {class: "java.lang.Math", method signature: "cos(double)"}}` and the boxed
`functionDefinition kind="Java"` name a Java method; Alur runs no Java and loads no class. Each allowed
method is mapped onto a Python equivalent with Java's argument and result conversions (FEEL number ->
int/long/short/byte/float/double, string -> char/String; results back to FEEL numbers and strings).
Anything not listed is refused with a message naming it.
"""
from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .values import DECIMAL_CONTEXT, BuiltinFunction

_INT_RANGES = {"byte": 8, "short": 16, "int": 32, "long": 64}
_BOXED = {"java.lang.Integer": "int", "java.lang.Long": "long", "java.lang.Short": "short",
          "java.lang.Byte": "byte", "java.lang.Double": "double", "java.lang.Float": "float",
          "java.lang.String": "java.lang.String", "java.lang.Boolean": "boolean", "java.lang.Character": "char"}
_OBJECTS = "[Ljava.lang.Object;"
_MAX_FORMAT_OUTPUT = 100_000


class JavaError(ValueError):
    """An argument or result with no Java/FEEL equivalent: the call is null with this message."""


def _to_float32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def _float32_decimal(x: float) -> Decimal:
    """Java's Float.toString digits: the shortest decimal that reads back as the same float."""
    for digits in range(1, 10):
        text = f"{x:.{digits}g}"
        if _to_float32(float(text)) == x:
            return DECIMAL_CONTEXT.create_decimal(text)
    return DECIMAL_CONTEXT.create_decimal(repr(x))


def _argument(value: Any, java_type: str) -> Any:
    java_type = _BOXED.get(java_type, java_type)
    if java_type in _INT_RANGES:
        if type(value) is not Decimal:
            raise JavaError(f"{java_type} argument must be a number")
        whole = int(value.to_integral_value(rounding="ROUND_DOWN"))   # Java's narrowing: truncation
        bits = _INT_RANGES[java_type]
        if not -(2 ** (bits - 1)) <= whole < 2 ** (bits - 1):
            raise JavaError(f"{value} does not fit a Java {java_type}")
        return whole
    if java_type in ("double", "float"):
        if type(value) is not Decimal:
            raise JavaError(f"{java_type} argument must be a number")
        number = float(value)
        if not math.isfinite(number):
            raise JavaError(f"{value} does not fit a Java {java_type}")
        return _to_float32(number) if java_type == "float" else number
    if java_type == "char":
        if type(value) is not str or len(value) != 1:
            raise JavaError("char argument must be a string of one character")
        return value
    if java_type == "java.lang.String":
        if type(value) is not str:
            raise JavaError("String argument must be a string")
        return value
    if java_type == "boolean":
        if type(value) is not bool:
            raise JavaError("boolean argument must be a boolean")
        return value
    if java_type in ("java.lang.Object", _OBJECTS):
        return value
    raise JavaError(f"Java parameter type {java_type} is not supported")


def _result(value: Any, java_type: str) -> Any:
    java_type = _BOXED.get(java_type, java_type)
    if value is None:
        return None
    if java_type in _INT_RANGES:
        return Decimal(int(value))
    if java_type in ("double", "float"):
        if not math.isfinite(value):
            raise JavaError("the result is not a finite number")
        return _float32_decimal(value) if java_type == "float" else DECIMAL_CONTEXT.create_decimal(repr(float(value)))
    if java_type in ("java.lang.String", "char", "boolean"):
        return value
    raise JavaError(f"Java result type {java_type} is not supported")  # pragma: no cover - table below


def _parse_number(text: str, java_type: str) -> Any:
    if not isinstance(text, str) or len(text) > 400:
        raise JavaError("the string is not a number")
    if java_type in _INT_RANGES:
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise JavaError(f"{text!r} is not a Java {java_type}")
        return _argument(Decimal(text), java_type)
    if not re.fullmatch(r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[fFdD]?\s*", text):
        raise JavaError(f"{text!r} is not a Java {java_type}")
    number = float(text.strip().rstrip("fFdD"))
    return _to_float32(number) if java_type == "float" else number


_FORMAT_SPEC = re.compile(r"%(%|n|s|d)")


def _format(pattern: str, values: list[Any]) -> str:
    """String.format with the specifiers %s, %d, %n and %% only (others are refused, not guessed)."""
    arguments = iter(values)
    pieces: list[str] = []
    position = 0
    for match in _FORMAT_SPEC.finditer(pattern):
        pieces.append(pattern[position:match.start()])
        position = match.end()
        kind = match.group(1)
        if kind in ("%", "n"):
            pieces.append("%" if kind == "%" else "\n")
            continue
        try:
            value = next(arguments)
        except StopIteration:
            raise JavaError("format: fewer arguments than format specifiers") from None
        if kind == "d":
            if type(value) is not Decimal or value != value.to_integral_value():
                raise JavaError("format: %d needs an integer")
            pieces.append(str(int(value)))
        else:
            pieces.append("null" if value is None else ("true" if value is True else "false" if value is False
                                                         else str(value)))
    rest = pattern[position:]
    if "%" in rest:
        raise JavaError(f"format: only %s, %d, %n and %% are supported: {rest!r}")
    pieces.append(rest)
    text = "".join(pieces)
    if len(text) > _MAX_FORMAT_OUTPUT:
        raise JavaError("format: the result is too long")
    return text


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


_M = "java.lang.Math"
_S = "java.lang.String"
_I = "java.lang.Integer"
# (class, method, parameter types) -> (implementation, result type). Pure static methods only.
_ALLOWED: dict[tuple[str, str, tuple[str, ...]], tuple[Callable[..., Any], str]] = {}


def _allow(cls: str, method: str, params: tuple[str, ...], result: str, impl: Callable[..., Any]) -> None:
    _ALLOWED[(cls, method, params)] = (impl, result)


for _t in ("int", "long", "float", "double"):
    _allow(_M, "max", (_t, _t), _t, max)
    _allow(_M, "min", (_t, _t), _t, min)
    _allow(_M, "abs", (_t,), _t, abs)
for _name, _fn in (("sin", math.sin), ("cos", math.cos), ("tan", math.tan), ("asin", math.asin),
                   ("acos", math.acos), ("atan", math.atan), ("sinh", math.sinh), ("cosh", math.cosh),
                   ("tanh", math.tanh), ("exp", math.exp), ("log", math.log), ("log10", math.log10),
                   ("sqrt", math.sqrt), ("cbrt", lambda x: math.copysign(abs(x) ** (1 / 3), x)),
                   ("floor", math.floor), ("ceil", math.ceil), ("toDegrees", math.degrees),
                   ("toRadians", math.radians), ("signum", lambda x: float((x > 0) - (x < 0)))):
    _allow(_M, _name, ("double",), "double", _fn)
for _name, _fn2 in (("pow", math.pow), ("atan2", math.atan2), ("hypot", math.hypot)):
    _allow(_M, _name, ("double", "double"), "double", _fn2)
_allow(_M, "round", ("double",), "long", _round_half_up)
_allow(_M, "round", ("float",), "int", _round_half_up)
for _t in ("char", "int", "long", "boolean", _S):
    _allow(_S, "valueOf", (_t,), _S, lambda v: ("true" if v else "false") if type(v) is bool else str(v))
_allow(_S, "valueOf", ("double",), _S, repr)
_allow(_S, "format", (_S, _OBJECTS), _S, _format)
for _cls, _prim, _parse in (("java.lang.Integer", "int", "parseInt"), ("java.lang.Long", "long", "parseLong"),
                            ("java.lang.Short", "short", "parseShort"), ("java.lang.Byte", "byte", "parseByte"),
                            ("java.lang.Double", "double", "parseDouble"),
                            ("java.lang.Float", "float", "parseFloat")):
    _allow(_cls, "valueOf", (_prim,), _prim, lambda v: v)
    _allow(_cls, "valueOf", (_S,), _prim, lambda s, p=_prim: _parse_number(s, p))
    _allow(_cls, _parse, (_S,), _prim, lambda s, p=_prim: _parse_number(s, p))
_allow(_I, "toString", ("int",), _S, str)
_allow(_I, "signum", ("int",), "int", lambda v: (v > 0) - (v < 0))
_allow(_I, "sum", ("int", "int"), "int", lambda a, b: ((a + b + 2 ** 31) % 2 ** 32) - 2 ** 31)


def java_function(class_name: Any, signature: Any, name: str = "external",
                  param_names: tuple[str, ...] = ()) -> BuiltinFunction:
    """The FEEL function of an allowed Java method (its FEEL parameters named `param_names` when they
    match the method's arity); JavaError names what is not allowed."""
    if type(class_name) is not str or type(signature) is not str:
        raise JavaError("a Java function needs a class and a method signature (strings)")
    match = re.fullmatch(r"\s*([A-Za-z_$][\w$]*)\s*\(([^()]*)\)\s*", signature)
    if match is None:
        raise JavaError(f"invalid Java method signature {signature!r}")
    method = match.group(1)
    params = tuple(p.strip() for p in match.group(2).split(",") if p.strip())
    entry = _ALLOWED.get((class_name.strip(), method, params))
    if entry is None:
        raise JavaError(f"Java method {class_name.strip()}.{method}({', '.join(params)}) is not on Alur's allow-list "
                        f"of pure java.lang methods")
    impl, result_type = entry
    varargs = bool(params) and params[-1] == _OBJECTS

    def call(ctx: Any, *args: Any) -> Any:
        try:
            if varargs:
                fixed = [_argument(a, t) for a, t in zip(args[:len(params) - 1], params, strict=False)]
                rest = args[len(params) - 1:]
                values = list(rest[0]) if len(rest) == 1 and type(rest[0]) is list else list(rest)
                return _result(impl(*fixed, values), result_type)
            return _result(impl(*(_argument(a, t) for a, t in zip(args, params, strict=False))), result_type)
        except JavaError as exc:
            ctx.diag(f"{name}: {exc}")
        except (ValueError, OverflowError, ZeroDivisionError) as exc:
            ctx.diag(f"{name}: {class_name}.{method}: {exc}")
        return None

    if len(param_names) == len(params):
        names = tuple(param_names)
        return BuiltinFunction(name, call, ((*names[:-1], names[-1] + "..."),) if varargs else (names,))
    arity = tuple(f"p{i}" for i in range(len(params) - (1 if varargs else 0)))
    return BuiltinFunction(name, call, (arity + ("args...",),) if varargs else (arity,))


__all__ = ["JavaError", "java_function"]
