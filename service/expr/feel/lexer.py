"""Tokenizer for FEEL (DMN 1.3, 10.3.1.2 grammar rules 26-40)."""
from __future__ import annotations

from dataclasses import dataclass

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

# Longest first, so that '**' wins over '*', '..' over '.', and '<=' over '<'.
_OPERATORS = ("**", "..", "<=", ">=", "!=", "->", "+", "-", "*", "/", "=", "<", ">", "(", ")", "[",
              "]", "{", "}", ",", ".", ":", "?", "@")

_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    value: str
    pos: int          # 0-based offset of the first character
    end: int          # offset after the last character
    space_before: bool


def _is_name_start(ch: str) -> bool:
    return ch.isalpha() or ch == "_" or (ord(ch) > 127 and ch.isidentifier())


def _is_name_part(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or (ord(ch) > 127 and ("a" + ch).isidentifier())


def tokenize(text: str, max_tokens: int = 200_000) -> list[Token]:
    """Split ``text`` into tokens; comments and whitespace are dropped."""
    tokens: list[Token] = []
    i = 0
    n = len(text)
    space = False
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            space = True
            continue
        if ch == "/" and text.startswith("//", i):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
            space = True
            continue
        if ch == "/" and text.startswith("/*", i):
            close = text.find("*/", i + 2)
            if close < 0:
                raise ExpressionSyntaxError("unterminated comment", text, i + 1)
            i = close + 2
            space = True
            continue
        start = i
        if ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            while i < n and text[i].isdigit():
                i += 1
            # '1..5' is a range, so a '.' only belongs to the number if a digit follows it.
            if i + 1 < n and text[i] == "." and text[i + 1].isdigit():
                i += 1
                while i < n and text[i].isdigit():
                    i += 1
            if i < n and (_is_name_part(text[i])):
                raise ExpressionSyntaxError("invalid number literal", text, start + 1)
            tokens.append(Token(NUMBER, text[start:i], start, i, space))
        elif ch == '"':
            i, value = _read_string(text, i)
            tokens.append(Token(STRING, value, start, i, space))
        elif _is_name_start(ch):
            # "'" is used nowhere else in FEEL, so inside a name it is a name character ("Applicant's").
            while i < n and (_is_name_part(text[i]) or text[i] == "'"):
                i += 1
            tokens.append(Token(NAME, text[start:i], start, i, space))
        else:
            for op in _OPERATORS:
                if text.startswith(op, i):
                    i += len(op)
                    tokens.append(Token(OP, op, start, i, space))
                    break
            else:
                raise ExpressionSyntaxError(f"unexpected character {ch!r}", text, start + 1)
        space = False
        if len(tokens) > max_tokens:
            raise ExpressionSyntaxError("expression too long", text, start + 1)
    tokens.append(Token(EOF, "", n, n, space))
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
