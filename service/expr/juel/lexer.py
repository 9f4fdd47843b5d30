"""Tokenizer for the JUEL subset: splits a template into literal text and `${...}` / `#{...}` token runs."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import syntax_error

# EL keywords that are operators or literals; `instanceof` and the EL 3.0 additions are reserved
# so that they are refused by name instead of being read as variables.
KEYWORD_OPERATORS = frozenset({"and", "or", "not", "empty", "div", "mod", "eq", "ne", "lt", "gt", "le", "ge"})
LITERAL_KEYWORDS = frozenset({"true", "false", "null"})
REFUSED_KEYWORDS = {
    "instanceof": "the instanceof operator is not supported",
    "new": "object creation (new) is not allowed",
    "class": "access to 'class' is not allowed",
}

_IDENT = re.compile(r"(?:[^\W\d]|\$)[\w$]*")   # Java identifiers, Unicode letters included
_NUMBER = re.compile(r"(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?")
_SPACE = re.compile(r"[ \t\r\n]+")

# Longest first so that `<=` wins over `<`.
_OPERATORS = ("==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":",
              ".", "[", "]", "(", ")", ",")
_REFUSED_OPERATORS = {
    "+=": "the string concatenation operator += is not supported",
    "->": "lambda expressions are not supported",
    ";": "';' (several statements) is not supported",
    "=": "assignment is not supported",
    "{": "set and map literals are not supported",
}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str        # ident | keyword | int | float | str | op | end
    value: str
    position: int    # offset in the whole template text


@dataclass(frozen=True, slots=True)
class ExpressionRun:
    """The tokens of one `${...}` or `#{...}` block; `tokens` ends with an `end` token at the `}`."""
    tokens: tuple[Token, ...]
    start: int
    deferred: bool   # True for `#{...}`


Segment = str | ExpressionRun


def split_template(text: str) -> list[Segment]:
    """Return the literal and expression segments of `text`, in order."""
    segments: list[Segment] = []
    literal: list[str] = []
    kinds: set[bool] = set()
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 2 < n + 1 and text[i + 1:i + 3] in ("${", "#{"):
            literal.append(text[i + 1:i + 3])   # EL escape: \${ is a literal ${
            i += 3
            continue
        if ch in "$#" and i + 1 < n and text[i + 1] == "{":
            if literal:
                segments.append("".join(literal))
                literal = []
            run, i = _tokenize_run(text, i)
            kinds.add(run.deferred)
            segments.append(run)
            continue
        literal.append(ch)
        i += 1
    if literal:
        segments.append("".join(literal))
    if len(kinds) > 1:
        raise syntax_error("mixing ${...} and #{...} in one expression is not allowed", text, 0)
    return segments


def _tokenize_run(text: str, start: int) -> tuple[ExpressionRun, int]:
    tokens: list[Token] = []
    i, n = start + 2, len(text)
    while True:
        if i >= n:
            raise syntax_error("unterminated expression: missing '}'", text, start)
        ch = text[i]
        m = _SPACE.match(text, i)
        if m:
            i = m.end()
            continue
        if ch == "}":
            tokens.append(Token("end", "}", i))
            i += 1
            break
        if ch in "'\"":
            value, i2 = _read_string(text, i)
            tokens.append(Token("str", value, i))
            i = i2
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            m = _NUMBER.match(text, i)
            assert m is not None
            lexeme = m.group(0)
            if i + len(lexeme) < n and (text[m.end()].isalpha() or text[m.end()] == "_"):
                raise syntax_error(f"invalid number literal {text[i:m.end() + 1]!r}", text, i)
            kind = "int" if lexeme.isdigit() else "float"
            tokens.append(Token(kind, lexeme, i))
            i = m.end()
            continue
        m = _IDENT.match(text, i)
        if m:
            word = m.group(0)
            kind = "keyword" if word in KEYWORD_OPERATORS or word in LITERAL_KEYWORDS else "ident"
            tokens.append(Token(kind, word, i))
            i = m.end()
            continue
        for refused, why in _REFUSED_OPERATORS.items():
            if text.startswith(refused, i) and not text.startswith("==", i):
                raise syntax_error(f"{why}: {refused!r}", text, i)
        for op in _OPERATORS:
            if text.startswith(op, i):
                tokens.append(Token("op", op, i))
                i += len(op)
                break
        else:
            raise syntax_error(f"unexpected character {ch!r}", text, i)
    if len(tokens) == 1:
        raise syntax_error("empty expression", text, start)
    return ExpressionRun(tuple(tokens), start, text[start] == "#"), i


def _read_string(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    out: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in ("\\", "'", '"'):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == quote:
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise syntax_error("unterminated string literal", text, start)
