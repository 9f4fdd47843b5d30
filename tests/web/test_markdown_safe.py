"""Task and form texts: markdown rendered by markdown-it-py in linear time, every HTML tag escaped (issue 11)."""
from __future__ import annotations

import time

import pytest

from service.web.filters import MARKDOWN_MAX_CHARS, markdown_safe


def test_bold_italic_headings_and_line_breaks() -> None:
    html = str(markdown_safe("**Penting** dan *miring*\nbaris dua\n# Judul"))
    assert "<strong>Penting</strong>" in html and "<em>miring</em>" in html
    assert "<br>" in html and "<strong>Judul</strong>" in html and "<h1>" not in html


@pytest.mark.parametrize("text, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ('<img src=x onerror="alert(1)">', "<img"),
    ("[klik](javascript:alert(1))", "<a "),
    ("![x](http://evil/x.png)", "<img"),
    ('**<a href="javascript:x">b</a>**', "<a "),
    ("&lt;script&gt;", "&lt;script&gt;"),            # an entity stays text, not markup
])
def test_html_is_escaped(text: str, forbidden: str) -> None:
    html = str(markdown_safe(text))
    assert forbidden not in html.replace("&amp;lt;", "")


@pytest.mark.parametrize("unit", ["*a ", "**a ", "_a ", "*a _b ", "*" , "[", "# *a\n"])
def test_pathological_markdown_is_linear(unit: str) -> None:
    # The old regex converter took 29 s for 60 KB of '*a '.
    for text in (unit * (MARKDOWN_MAX_CHARS // len(unit)), unit * (60_000 // len(unit))):
        start = time.perf_counter()
        markdown_safe(text + " ")
        assert time.perf_counter() - start < 3.0, (unit, len(text))


def test_empty_and_none() -> None:
    assert str(markdown_safe(None)) == "" and str(markdown_safe("")) == ""
