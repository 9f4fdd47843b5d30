"""String functions (DMN 1.3, 10.3.4.3); regular expressions run in the `regex` module with a timeout."""
from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any, Callable

import regex

from ...regex_guard import PatternRefused, PatternTooCostly, compile_pattern
from ..xsd_regex import XsdRegexError, translate
from .args import arg_list, arg_number, arg_position, arg_string, check_size
from .registry import InvalidArgument, builtin


@builtin("substring", "string, start position, length?")
def _substring(ctx: Any, string: Any, start: Any, length: Any) -> Any:
    s = arg_string(string)
    n = len(s)
    first = arg_position(start, n)
    if length is None:
        return s[first:]
    count = arg_number(length, "length")
    if count < 0:
        raise InvalidArgument("length must not be negative")
    count_i = int(count.to_integral_value(rounding=decimal.ROUND_DOWN)) if count < n + 1 else n + 1
    return s[first:first + count_i]


@builtin("string length", "string")
def _string_length(ctx: Any, string: Any) -> Any:
    return Decimal(len(arg_string(string)))


@builtin("upper case", "string")
def _upper(ctx: Any, string: Any) -> Any:
    s = arg_string(string)
    ctx.check_string(len(s))
    return s.upper()


@builtin("lower case", "string")
def _lower(ctx: Any, string: Any) -> Any:
    s = arg_string(string)
    ctx.check_string(len(s))
    return s.lower()


@builtin("substring before", "string, match")
def _substring_before(ctx: Any, string: Any, match: Any) -> Any:
    s, m = arg_string(string), arg_string(match, "match")
    i = s.find(m)
    return "" if i < 0 else s[:i]


@builtin("substring after", "string, match")
def _substring_after(ctx: Any, string: Any, match: Any) -> Any:
    s, m = arg_string(string), arg_string(match, "match")
    i = s.find(m)
    return "" if i < 0 else s[i + len(m):]


@builtin("contains", "string, match")
def _contains(ctx: Any, string: Any, match: Any) -> Any:
    return arg_string(match, "match") in arg_string(string)


@builtin("starts with", "string, match")
def _starts_with(ctx: Any, string: Any, match: Any) -> Any:
    return arg_string(string).startswith(arg_string(match, "match"))


@builtin("ends with", "string, match")
def _ends_with(ctx: Any, string: Any, match: Any) -> Any:
    return arg_string(string).endswith(arg_string(match, "match"))


# 'x' is handled by the XPath translation (it strips whitespace outside classes; not Python's verbose mode)
_FLAG_BITS = {"i": regex.IGNORECASE, "s": regex.DOTALL, "m": regex.MULTILINE, "x": 0}


def _compile_regex(pattern: str, flags: str) -> Any:
    try:
        return _guarded_compile(pattern, flags)
    except PatternRefused as exc:
        raise InvalidArgument(str(exc)) from None


def pattern_cost_refusal(pattern: str, flags: str | None) -> str | None:
    """Why a literal pattern is too costly to compile, else None (an invalid one gives null when run)."""
    try:
        _guarded_compile(pattern, flags or "")
    except PatternTooCostly as exc:
        return str(exc)
    except (PatternRefused, InvalidArgument):
        return None
    return None


def _guarded_compile(pattern: str, flags: str) -> Any:
    bits = regex.V0
    literal = False
    for f in flags:
        if f == "q":
            literal = True
        elif f in _FLAG_BITS:
            bits |= _FLAG_BITS[f]
        else:
            raise InvalidArgument(f"unknown regular expression flag {f!r}")
    if literal:
        pattern = regex.escape(pattern)
    else:
        try:
            pattern = translate(pattern, flags)
        except XsdRegexError as exc:
            raise InvalidArgument(f"invalid regular expression: {exc}") from None
    return compile_pattern(pattern, bits)      # bounded compile time and memory, bounded cache


def _regex(pattern: Any, flags: Any) -> Any:
    p = arg_string(pattern, "pattern")
    f = "" if flags is None else arg_string(flags, "flags")
    return _compile_regex(p, f)


def _regex_timeout(ctx: Any) -> float:
    import time
    remaining = ctx.deadline - time.monotonic()
    if remaining <= 0:
        ctx.check_clock()
    return max(0.001, min(ctx.limits.regex_timeout, remaining))


def _run_regex(ctx: Any, action: Callable[[float], Any]) -> Any:
    try:
        return action(_regex_timeout(ctx))
    except TimeoutError:
        ctx.limit(f"regular expression took longer than {ctx.limits.regex_timeout} seconds")


@builtin("matches", "input, pattern, flags?")
def _matches(ctx: Any, input_: Any, pattern: Any, flags: Any) -> Any:
    s = arg_string(input_, "input")
    rx = _regex(pattern, flags)
    return _run_regex(ctx, lambda t: rx.search(s, timeout=t) is not None)


def _replacement(text: str) -> str:
    """XPath replacement ($1, \\$) to the regex module's template syntax."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 < len(text) and text[i + 1] in "\\$":
                out.append("\\\\" if text[i + 1] == "\\" else "$")
                i += 2
                continue
            raise InvalidArgument("invalid escape in replacement")
        if ch == "$":
            j = i + 1
            while j < len(text) and text[j].isdigit():
                j += 1
            if j == i + 1:
                raise InvalidArgument("'$' in replacement must be followed by a group number")
            out.append(f"\\g<{text[i + 1:j]}>")
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


@builtin("replace", "input, pattern, replacement, flags?")
def _replace(ctx: Any, input_: Any, pattern: Any, replacement: Any, flags: Any) -> Any:
    s = arg_string(input_, "input")
    rx = _regex(pattern, flags)
    template = _replacement(arg_string(replacement, "replacement"))

    def action(t: float) -> str:
        result = rx.sub(lambda m: _expand(m, template), s, timeout=t)
        return result
    out = _run_regex(ctx, action)
    if out is not None:
        ctx.check_string(len(out))
    return out


def _expand(m: Any, template: str) -> str:
    try:
        return m.expand(template)
    except (regex.error, IndexError) as exc:
        raise InvalidArgument(f"invalid replacement: {exc}") from None


@builtin("split", "string, delimiter")
def _split(ctx: Any, string: Any, delimiter: Any) -> Any:
    s = arg_string(string)
    rx = _regex(delimiter, None)
    parts = _run_regex(ctx, lambda t: rx.split(s, timeout=t))
    if rx.groups:
        parts = parts[:: rx.groups + 1]
    check_size(ctx, len(parts))
    return parts


@builtin("string join", "list, delimiter?")
def _string_join(ctx: Any, items: Any, delimiter: Any) -> Any:
    values = arg_list(items)
    sep = "" if delimiter is None else arg_string(delimiter, "delimiter")
    parts = []
    for v in values:
        if v is None:
            continue
        parts.append(arg_string(v, "list item"))
    total = sum(len(p) for p in parts) + len(sep) * max(0, len(parts) - 1)
    ctx.check_string(total)
    return sep.join(parts)
