"""Jinja filters and globals of the pages: dates in Jakarta time, durations, safe text formatting."""
from __future__ import annotations

import functools
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from service.web.i18n import current_lang

JAKARTA = ZoneInfo("Asia/Jakarta")
_MONTHS = {"id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
           "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]}


def fmt_datetime(value: Any) -> str:
    if not isinstance(value, datetime):
        return fmt_date(value)
    local = value.astimezone(JAKARTA) if value.tzinfo else value
    months = _MONTHS.get(current_lang(), _MONTHS["id"])
    return f"{local.day} {months[local.month - 1]} {local.year} {local:%H:%M} WIB"


def fmt_date(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(JAKARTA).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        months = _MONTHS.get(current_lang(), _MONTHS["id"])
        return f"{value.day} {months[value.month - 1]} {value.year}"
    return "" if value is None else str(value)


def fmt_value(value: Any) -> str:
    """A process variable for display (JSON-like, shortened)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("ya" if value else "tidak") if current_lang() == "id" else ("yes" if value else "no")
    if isinstance(value, (datetime, date)):
        return fmt_datetime(value)
    if isinstance(value, (int, float, Decimal)) and abs(float(value)) >= 10_000:
        return fmt_number(value)
    if isinstance(value, (list, tuple)) and not value:
        return "—"
    if isinstance(value, (list, tuple)) and all(isinstance(v, dict) and "nama" in v for v in value):
        text = "; ".join(str(v["nama"]) for v in value)          # a filepicker's document references
    elif isinstance(value, (list, tuple)) and all(not isinstance(v, (dict, list)) for v in value):
        text = "; ".join(fmt_value(v) for v in value)
    elif isinstance(value, dict) and all(not isinstance(v, (dict, list)) for v in value.values()):
        text = " · ".join(f"{k}: {fmt_value(v)}" for k, v in value.items())
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    return text if len(text) <= 300 else text[:297] + "..."


def fmt_number(value: Any) -> str:
    """Amounts of rupiah read the Indonesian way: 150.000.000 (English: 150,000,000)."""
    text = f"{float(value):,.2f}" if not float(value).is_integer() else f"{int(value):,}"
    if current_lang() == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


# markdown-it-py parses in linear time (CommonMark's delimiter algorithm, no backtracking regexes) and, with
# `html` off, escapes every tag and entity of the text. Only what form-js texts use is on: **bold**, *italic*,
# headings (shown as bold, the page has its own headings) and line breaks; links and images stay literal text.
_MARKDOWN = MarkdownIt("zero", {"breaks": True, "html": False}).enable(["emphasis", "heading", "newline"])
_MARKDOWN.add_render_rule("heading_open", lambda *a: "<p><strong>")
_MARKDOWN.add_render_rule("heading_close", lambda *a: "</strong></p>\n")
# Longer texts are shown escaped with their line breaks, unparsed: a page view must stay fast.
MARKDOWN_MAX_CHARS = 8_000


@functools.lru_cache(maxsize=256)
def _render_markdown(text: str) -> str:
    if len(text) > MARKDOWN_MAX_CHARS:
        return str(escape(text)).replace("\n", "<br>\n")
    return _MARKDOWN.render(text)


def markdown_safe(text: Any) -> Markup:
    """The markdown of form-js text components and task descriptions, rendered with every HTML tag escaped.

    Each distinct text is rendered once (the texts come from deployed models and forms, which never change).
    """
    return Markup(_render_markdown(str(text or "")))


def install(app: Flask) -> None:
    app.jinja_env.filters.update(datetime=fmt_datetime, date=fmt_date, value=fmt_value, size=fmt_size,
                                 markdown_safe=markdown_safe, tojson_attr=lambda v: json.dumps(v))


__all__ = ["install", "fmt_datetime", "fmt_date", "fmt_value", "fmt_number", "fmt_size", "markdown_safe"]
