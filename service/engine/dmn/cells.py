"""Compiled table cells: input expressions, input entries (unary tests) and output entries.

FEEL is the language of every cell; a cell written as `${...}` / `#{...}` is JUEL, as Camunda allows.
Both are compiled once, at parse time, and never run through Python's eval.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from service.expr import ExpressionError, Limits, feel, juel

FEEL_LANGUAGES = frozenset({"", "feel", "http://www.omg.org/spec/feel/20140401",
                            "https://www.omg.org/spec/feel/20140401",
                            "http://www.omg.org/spec/dmn/20180521/feel/",
                            "https://www.omg.org/spec/dmn/20191111/feel/",
                            "https://www.omg.org/spec/dmn/20211108/feel/",
                            "https://www.omg.org/spec/dmn/20230324/feel/"})
JUEL_LANGUAGES = frozenset({"juel"})


class UnsupportedLanguage(ValueError):
    pass


class _NullForMissing(Mapping[str, Any]):
    """Variables where an absent name reads as null, as DMN inputs do (JUEL would raise otherwise)."""
    __slots__ = ("_inner",)

    def __init__(self, inner: Mapping[str, Any]) -> None:
        self._inner = inner

    def __getitem__(self, key: str) -> Any:
        return self._inner.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._inner)

    def __len__(self) -> int:
        return len(self._inner)

    def __contains__(self, key: object) -> bool:
        return key in self._inner


def _use_juel(text: str, language: str | None) -> bool:
    lang = (language or "").strip().lower()
    if lang in JUEL_LANGUAGES:
        return True
    if lang not in FEEL_LANGUAGES:
        raise UnsupportedLanguage(f"expression language {language!r} is not supported (use FEEL or JUEL)")
    return juel.is_juel(text)


class ExpressionCell:
    """An input expression, output entry or literal expression; `evaluate` returns a FEEL value."""
    __slots__ = ("text", "element_id", "line", "_feel", "_juel")

    def __init__(self, text: str, element_id: str | None, line: int | None, language: str | None,
                 names: tuple[str, ...] = (), types: Mapping[str, str] | None = None) -> None:
        self.text = text
        self.element_id = element_id
        self.line = line
        self._feel = None
        self._juel = None
        if _use_juel(text, language):
            self._juel = juel.compile(text)
        else:
            self._feel = feel.compile_expression(text, declared=names, types=types)

    def evaluate(self, variables: Mapping[str, Any], limits: Limits, diagnostics: list[str]) -> Any:
        if self._feel is not None:
            return self._feel.evaluate(variables, limits=limits, diagnostics=diagnostics)
        return _juel_value(self._juel, variables, limits)   # type: ignore[arg-type]


class TestCell:
    """An input entry: FEEL unary tests against the input value (`?` / the input variable)."""
    __slots__ = ("text", "element_id", "line", "_feel", "_juel", "_predicate")

    def __init__(self, text: str, element_id: str | None, line: int | None, language: str | None,
                 input_variable: str | None = None, names: tuple[str, ...] = (),
                 types: Mapping[str, str] | None = None) -> None:
        self.text = text
        self.element_id = element_id
        self.line = line
        self._feel = None
        self._juel = None
        self._predicate = None
        if _use_juel(text, language):
            self._juel = juel.compile(text)
            return
        self._feel = feel.compile_unary_tests(text, declared=names, types=types)
        if input_variable and _mentions(text, input_variable):
            # Camunda models write `cellInput > 3`: a boolean expression over the input variable.
            # FEEL alone would compare the input with that boolean; the boolean is the answer.
            try:
                self._predicate = feel.compile_expression(text, declared=names, types=types)
            except ExpressionError:
                self._predicate = None   # e.g. a list of tests: plain unary-test semantics

    def matches(self, value: Any, variables: Mapping[str, Any], limits: Limits, diagnostics: list[str]) -> bool:
        if self._predicate is not None:
            outcome = self._predicate.evaluate(variables, limits=limits, diagnostics=diagnostics)
            if isinstance(outcome, bool):
                return outcome
            if outcome is None:
                return False   # `cellInput > 3` with a null input: not satisfied
        if self._feel is not None:
            return self._feel.matches(value, variables, limits=limits, diagnostics=diagnostics)
        # A JUEL entry is a boolean expression over the input variable (Camunda's cellInput).
        return _juel_value(self._juel, variables, limits) is True   # type: ignore[arg-type]


_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"')


def _mentions(text: str, name: str) -> bool:
    code = _STRING_LITERAL.sub('""', text)
    return re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", code) is not None


def _juel_value(compiled: juel.CompiledJuel, variables: Mapping[str, Any], limits: Limits) -> Any:
    value = compiled.evaluate(_NullForMissing(variables), limits=limits)
    return feel.to_feel(value)


def is_any(text: str) -> bool:
    """`-` or an empty cell: matches every input without evaluating anything."""
    return text.strip() in ("", "-")


__all__ = ["ExpressionCell", "TestCell", "UnsupportedLanguage", "is_any"]
