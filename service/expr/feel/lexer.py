"""Tokenizer for FEEL (DMN 1.3, 10.3.1.2 grammar rules 26-40)."""
from __future__ import annotations

import re
from typing import NamedTuple

from ..errors import ExpressionSyntaxError

# Token kinds
NUMBER = "number"
STRING = "string"
NAME = "name"
OP = "op"
EOF = "eof"

KEYWORDS = frozenset({
    "and", "or", "if", "then", "else", "for", "in", "return", "some", "every", "satisfies",
    "between", "function", "true", "false", "null", "external",
})

_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


class Token(NamedTuple):     # a tuple: cheap to create for long expressions
    kind: str
    value: str
    pos: int          # 0-based offset of the first character
    end: int          # offset after the last character
    space_before: bool


# One pattern for every token kind, tried at each position (one regex call per token).
_TOKEN = re.compile(r"""
    (?P<space>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<string>")
  | (?P<number>(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)     # '1..5' is a range: '.' needs a digit after it
                (?:[eE][+-]?[0-9]{1,9})?)           # DMN 1.4 exponent: 1.23e4 (Decimal refuses huge ones)
  | (?P<name>(?:[^\W\d]|[\U00010000-\U000EFFFF])      # names may hold non-BMP characters (emoji)
              (?:[\w']|[\U00010000-\U000EFFFF])*)    # "'" occurs nowhere else: "Applicant's Age"
  | (?P<op>\*\*|\.\.|<=|>=|!=|->|[-+*/=<>()\[\]{},.:?@])
""", re.S | re.X)
_WORD_CHAR = re.compile(r"\w")


def tokenize(text: str, max_tokens: int = 200_000) -> list[Token]:
    """Split ``text`` into tokens; comments and whitespace are dropped."""
    tokens: list[Token] = []
    append = tokens.append
    match = _TOKEN.match
    i = 0
    n = len(text)
    space = False
    while i < n:
        m = match(text, i)
        if m is None:
            raise ExpressionSyntaxError(f"unexpected character {text[i]!r}", text, i + 1)
        kind = m.lastgroup
        start = i
        i = m.end()
        if kind == "space":
            space = True
            continue
        if kind == "string":
            i, value = _read_string(text, start)
            append(Token(STRING, value, start, i, space))
        elif kind == "number":
            if i < n and _WORD_CHAR.match(text, i):
                raise ExpressionSyntaxError("invalid number literal", text, start + 1)
            append(Token(NUMBER, m.group(), start, i, space))
        elif kind == "name":
            append(Token(NAME, m.group(), start, i, space))
        else:
            if text.startswith("/*", start):
                raise ExpressionSyntaxError("unterminated comment", text, start + 1)
            append(Token(OP, m.group(), start, i, space))
        space = False
        if len(tokens) > max_tokens:
            raise ExpressionSyntaxError("expression too long", text, start + 1)
    append(Token(EOF, "", n, n, space))
    return tokens


def _read_string(text: str, i: int) -> tuple[int, str]:
    start = i
    i += 1
    n = len(text)
    out: list[str] = []
    while i < n:
        ch = text[i]
        if ch == '"':
            return i + 1, "".join(out)
        if ch == "\\":
            if i + 1 >= n:
                break
            esc = text[i + 1]
            if esc in _ESCAPES:
                out.append(_ESCAPES[esc])
                i += 2
                continue
            if esc == "u":
                hexdigits = text[i + 2:i + 6]
                if len(hexdigits) == 4 and all(c in "0123456789abcdefABCDEF" for c in hexdigits):
                    code = int(hexdigits, 16)
                    i += 6
                    # Surrogate pairs written as two \u escapes form one character.
                    if 0xD800 <= code <= 0xDBFF and text.startswith("\\u", i):
                        low_hex = text[i + 2:i + 6]
                        if len(low_hex) == 4 and all(c in "0123456789abcdefABCDEF" for c in low_hex):
                            low = int(low_hex, 16)
                            if 0xDC00 <= low <= 0xDFFF:
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                                i += 6
                    out.append(chr(code))
                    continue
            if esc == "U":
                hexdigits = text[i + 2:i + 8]
                if len(hexdigits) == 6 and all(c in "0123456789abcdefABCDEF" for c in hexdigits):
                    code = int(hexdigits, 16)
                    if code <= 0x10FFFF:
                        out.append(chr(code))
                        i += 8
                        continue
            # Unknown escapes stay as written: regex patterns such as "\s" (10.3.4.3 split example).
            out.append("\\" + esc)
            i += 2
            continue
        out.append(ch)
        i += 1
    raise ExpressionSyntaxError("unterminated string literal", text, start + 1)
