"""Camunda LIKE on values held in JSON: same answers as the regex translation, without its backtracking."""
from __future__ import annotations

import random
import re
import time

from service.ops.history_queries import like_match


def _reference(text: str, pattern: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, flags=re.DOTALL) is not None


def test_like_agrees_with_the_regex_translation() -> None:
    rnd = random.Random(11)
    for _ in range(5_000):
        text = "".join(rnd.choice("ab.\n") for _ in range(rnd.randint(0, 8)))
        pattern = "".join(rnd.choice("ab.%_") for _ in range(rnd.randint(0, 6)))
        assert like_match(text, pattern) == _reference(text, pattern), (text, pattern)
    assert like_match("PKT-2026-001", "PKT-%-0__") and not like_match("PKT", "PKT_")


def test_like_is_not_a_regex_bomb() -> None:
    # The regex translation backtracks for minutes on this; a query filter must answer at once.
    start = time.perf_counter()
    assert not like_match("a" * 100_000, "%a" * 12 + "%b")
    assert time.perf_counter() - start < 0.5
