"""The one compile path for untrusted patterns (service/expr/regex_guard.py): bombs cost bounded time and memory."""
from __future__ import annotations

import time

import pytest

from service.expr import ExpressionSyntaxError, feel, regex_guard
from service.expr.regex_guard import PatternRefused, PatternTooCostly, compile_pattern

# Each compiles for seconds and gigabytes in the `regex` module (the probe's bombs and two classic ones).
BOMBS = ["(?:(?:a{300}[](]){300}[](]){100}", "(?:(?:(?:a{1000}){1000}){1000})", "(((a{100}){100}){100}){10}"]


@pytest.mark.parametrize("pattern", BOMBS)
def test_compile_bomb_is_refused_within_the_time_limit(pattern: str) -> None:
    start = time.perf_counter()
    with pytest.raises(PatternTooCostly, match="longer than 0.5 s to compile"):
        compile_pattern(pattern + "x")                     # not cached by another test
    # the kill after COMPILE_SECONDS, plus starting a fresh checker on a loaded machine
    assert time.perf_counter() - start < regex_guard.COMPILE_SECONDS + 3.0
    start = time.perf_counter()
    with pytest.raises(PatternTooCostly):
        compile_pattern(pattern + "x")
    assert time.perf_counter() - start < 0.05             # refusals are remembered


def test_ordinary_patterns_compile_and_match() -> None:
    assert compile_pattern(r"[A-Z]{2}\d{6}").fullmatch("AB123456")
    assert compile_pattern(r"(\d{3}-){2}\d{4}").fullmatch("021-555-1234")
    assert compile_pattern(r"\p{L}+").fullmatch("Nusantara")
    assert compile_pattern("a|b") is compile_pattern("a|b")           # cached


def test_invalid_and_long_patterns_are_refused_with_the_reason() -> None:
    with pytest.raises(PatternRefused, match="invalid regular expression"):
        compile_pattern("(")
    with pytest.raises(PatternRefused, match="invalid regular expression"):
        compile_pattern("(a{2}")                                         # checked in the child
    with pytest.raises(PatternTooCostly, match=f"longer than {regex_guard.MAX_PATTERN_LENGTH} characters"):
        compile_pattern("a" * (regex_guard.MAX_PATTERN_LENGTH + 1))


def test_compiled_size_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # This pattern keeps about 160 kB once compiled (in 0.05 s): over a 100 kB limit.
    monkeypatch.setattr(regex_guard, "COMPILED_BYTES", 100_000)
    with pytest.raises(PatternTooCostly, match="compiles to more than 100000 bytes"):
        compile_pattern("(?:[0-9]{100}){10}")


def test_feel_literal_bomb_fails_the_compile_so_the_deploy() -> None:
    with pytest.raises(ExpressionSyntaxError, match=r"matches\(\): regular expression takes longer"):
        feel.compile_expression('matches(x, "' + BOMBS[0] + '")')
    with pytest.raises(ExpressionSyntaxError, match=r"replace\(\)"):
        feel.compile_expression('replace(input: x, pattern: "' + BOMBS[1] + '", replacement: "")')
    with pytest.raises(ExpressionSyntaxError, match=r"split\(\)"):
        feel.compile_unary_tests('split(?, "' + BOMBS[2] + '") = []')


def test_feel_invalid_literal_pattern_is_still_null_at_run_time() -> None:
    # DMN TCK 1111: an invalid pattern is an error value (null), not a model error.
    diagnostics: list[str] = []
    assert feel.evaluate('matches("h", "(.)\\3")', diagnostics=diagnostics) is None
    assert "invalid regular expression" in diagnostics[0]
    assert feel.evaluate('matches("abc", "^a.c$")') is True
