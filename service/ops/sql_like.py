"""Camunda's LIKE as one SQL condition on every database: `%` any run, `_` any one character, `\\` escapes
the next character, case-sensitive (as on Camunda's databases). SQLite's LIKE ignores case, so there the
same pattern is rendered as GLOB; PostgreSQL gets LIKE with an explicit ESCAPE, and a trailing lone
backslash (which PostgreSQL refuses) is read as a literal backslash."""
from __future__ import annotations

from typing import Any

from sqlalchemy import String, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

from .errors import BadRequest

MAX_PATTERN = 4000      # longer than any comparable value (store.variables.MAX_TEXT)

_ANY, _ONE = object(), object()


def _tokens(pattern: str) -> list[object]:
    out: list[object] = []
    chars = iter(pattern)
    for c in chars:
        if c == "\\":
            out.append(next(chars, "\\"))
        elif c == "%":
            out.append(_ANY)
        elif c == "_":
            out.append(_ONE)
        else:
            out.append(c)
    return out


def _like_text(tokens: list[object]) -> str:
    special = {"%": "\\%", "_": "\\_", "\\": "\\\\"}
    return "".join("%" if t is _ANY else "_" if t is _ONE else special.get(str(t), str(t)) for t in tokens)


def _glob_text(tokens: list[object]) -> str:
    special = {"*": "[*]", "?": "[?]", "[": "[[]"}
    return "".join("*" if t is _ANY else "?" if t is _ONE else special.get(str(t), str(t)) for t in tokens)


class CamundaLike(ColumnElement[bool]):
    """`column LIKE pattern` with Camunda's meaning; `negate` for NOT LIKE."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("like_value", InternalTraversal.dp_clauseelement),
                           ("glob_value", InternalTraversal.dp_clauseelement),
                           ("negate", InternalTraversal.dp_boolean)]

    def __init__(self, column: Any, pattern: str, *, negate: bool = False) -> None:
        tokens = _tokens(pattern)
        self.column = column
        self.like_value = bindparam(None, _like_text(tokens), type_=String())
        self.glob_value = bindparam(None, _glob_text(tokens), type_=String())
        self.negate = negate


@compiles(CamundaLike)
def _compile_like(element: CamundaLike, compiler: SQLCompiler, **kw: Any) -> str:
    op = "NOT LIKE" if element.negate else "LIKE"
    return (f"{compiler.process(element.column, **kw)} {op} {compiler.process(element.like_value, **kw)}"
            " ESCAPE '\\'")


@compiles(CamundaLike, "sqlite")
def _compile_glob(element: CamundaLike, compiler: SQLCompiler, **kw: Any) -> str:
    op = "NOT GLOB" if element.negate else "GLOB"
    return f"{compiler.process(element.column, **kw)} {op} {compiler.process(element.glob_value, **kw)}"


def like(column: Any, pattern: str, *, negate: bool = False, parameter: str = "like") -> ColumnElement[bool]:
    """The condition; a pattern over MAX_PATTERN characters is a BadRequest naming `parameter`."""
    if len(pattern) > MAX_PATTERN:
        raise BadRequest(f"Query parameter '{parameter}' is longer than {MAX_PATTERN} characters",
                         pesan=f"Parameter '{parameter}' lebih dari {MAX_PATTERN} karakter")
    return CamundaLike(column, pattern, negate=negate)


__all__ = ["like", "CamundaLike", "MAX_PATTERN"]
