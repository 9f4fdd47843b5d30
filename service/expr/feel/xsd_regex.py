"""XML Schema / XPath regular expressions (what FEEL's matches(), replace() and split() take) rewritten for
the `regex` module, whose syntax differs:

- character class subtraction `[A-Z-[OI]]` becomes `(?:(?![OI])[A-Z])`;
- `.` matches neither `\\n` nor `\\r` (unless flag `s`);
- flag `x` removes whitespace outside character classes (it is not Python's verbose mode: `\\ s` is `\\s`);
- block escapes `\\p{IsBasicLatin}` become `\\p{InBasicLatin}`;
- a back-reference or `\\0` inside a character class is an error, as XML Schema has none.

One linear pass; the result is compiled (and run with a timeout) by the caller.
"""
from __future__ import annotations

_WHITESPACE = "\t\n\r "
_MAX_SUBTRACTIONS = 16


class XsdRegexError(ValueError):
    pass


def translate(pattern: str, flags: str) -> str:
    """The `regex`-module pattern of an XPath pattern with XPath flags (s, m, i, x)."""
    if "x" in flags:
        pattern = _strip_whitespace(pattern)
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            text, i = _escape(pattern, i, in_class=False)
            out.append(text)
        elif c == "[":
            text, i = _class(pattern, i)
            out.append(text)
        elif c == "." and "s" not in flags:
            out.append(r"[^\n\r]")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _strip_whitespace(pattern: str) -> str:
    out: list[str] = []
    depth = 0
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            # whitespace goes before the escape is read: `\\ s` is `\\s` (XPath 3.1, 5.6.1)
            out.append(c)
            i += 1
            while depth == 0 and i < n and pattern[i] in _WHITESPACE:
                i += 1
            if i < n:
                out.append(pattern[i])
                i += 1
            continue
        if c == "[":
            depth += 1
        elif c == "]" and depth:
            depth -= 1
        if depth or c not in _WHITESPACE:
            out.append(c)
        i += 1
    return "".join(out)


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    if i + 1 >= len(pattern):
        raise XsdRegexError("the pattern ends with a backslash")
    c = pattern[i + 1]
    if c in "pP" and i + 2 < len(pattern) and pattern[i + 2] == "{":
        end = pattern.find("}", i + 3)
        if end < 0:
            raise XsdRegexError("unterminated \\p{...}")
        name = pattern[i + 3:end]
        if name.startswith("Is"):
            name = "In" + name[2:]          # XML Schema block names: IsBasicLatin
        return f"\\{c}{{{name}}}", end + 1
    if c.isdigit() and (in_class or c == "0"):
        raise XsdRegexError(f"\\{c} is not allowed {'in a character class' if in_class else 'here'}")
    return pattern[i:i + 2], i + 2


def _class(pattern: str, i: int, depth: int = 0) -> tuple[str, int]:
    """A character class starting at `[`: its translation and the index after its `]`."""
    if depth > _MAX_SUBTRACTIONS:
        raise XsdRegexError(f"character class subtractions nested deeper than {_MAX_SUBTRACTIONS}")
    body: list[str] = []
    j, n = i + 1, len(pattern)
    if j < n and pattern[j] == "^":
        body.append("^")
        j += 1
    first = True
    while j < n:
        c = pattern[j]
        if c == "]" and not first:
            return "[" + "".join(body) + "]", j + 1
        if c == "-" and j + 1 < n and pattern[j + 1] == "[":
            subtracted, after = _class(pattern, j + 1, depth + 1)
            if after >= n or pattern[after] != "]":
                raise XsdRegexError("a class subtraction must end its character class")
            return f"(?:(?!{subtracted})[{''.join(body)}])", after + 1
        if c == "\\":
            text, j = _escape(pattern, j, in_class=True)
            body.append(text)
        elif c == "[":
            body.append("\\[")     # a literal '[' inside a class (regex's V0 would read a nested set)
            j += 1
        else:
            body.append(c)
            j += 1
        first = False
    raise XsdRegexError("unterminated character class")


__all__ = ["XsdRegexError", "translate"]
