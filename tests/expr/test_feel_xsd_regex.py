"""matches()/replace()/split() take XML Schema (XPath) regular expressions, not Python's."""
from __future__ import annotations

import pytest

from service.expr import feel
from service.expr.feel.xsd_regex import XsdRegexError, translate


@pytest.mark.parametrize("text, expected", [
    ('matches("x", "[A-Z-[OI]]", "i")', True), ('matches("O", "[A-Z-[OI]]")', False),
    ('matches("P", "[A-Z-[OI]]")', True), ('matches("a", "[a-z-[aeiou]]")', False),
    ('matches("Mary\\u000DJones", "Mary.Jones")', False), ('matches("Mary\\u000DJones", "Mary.Jones", "s")', True),
    ('matches("hello world", "hello\\ sworld", "x")', True), ('matches("hello world", "hello world", "x")', False),
    ('matches("hello world", "\\p{ IsBasicLatin}+", "x")', True),
    ('matches("hello world", "\\p{ I s B a s i c L a t i n }+", "x")', True),
    ('matches("a b", "a[ ]b", "x")', True), ('matches("]", "[]]")', True), ('matches("x", "[^]a]")', True),
    ('replace("abc", "[a-c-[b]]", "X")', "XbX"), ('split("a1b2c", "[0-9-[5]]")', ["a", "b", "c"]),
])
def test_xpath_regex_semantics(text, expected):
    assert feel.evaluate(text, {}) == expected


@pytest.mark.parametrize("pattern", ["(asd)[\\\\1]", "(asd)[asd\\\\1]", "(asd)[asd\\\\0]", "1[asd\\\\0]",
                                     "[a-z", "[a-[b]c]", "a\\\\"])
def test_invalid_xpath_patterns_are_null_with_a_diagnostic(pattern):
    diagnostics: list[str] = []
    assert feel.evaluate(f'matches("abcd", "{pattern}")', {}, diagnostics=diagnostics) is None
    assert "invalid regular expression" in diagnostics[0]


def test_translation_is_linear_on_long_patterns():
    long = "[a-z-[q]]" * 20_000
    assert translate(long, "").count("(?!") == 20_000
    with pytest.raises(XsdRegexError):
        translate("[" * 10_000, "")
    with pytest.raises(XsdRegexError, match="nested deeper"):
        translate("[a-" * 5_000 + "[b]" + "]" * 5_000, "")
