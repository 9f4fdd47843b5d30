"""form-js text templating on the task page: `{{a.b}}` in a text component shows the process variable.

The SOP importer writes a step's read-only values (`show:`, e.g. the decision table's list of missing
items) as such templates; form-js fills them in the browser, the server-rendered page fills them here.
Only dotted variable names are read (never evaluated); other `{{...}}` text is left as it is.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from service.web.filters import fmt_value

_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_]\w{0,63}(?:\.[A-Za-z_]\w{0,63}){0,7})\s*\}\}")
MAX_VALUE_CHARS = 4000          # one shown value; a longer one is cut with "…"


def _lookup(variables: Mapping[str, Any], path: str) -> Any:
    value: Any = variables
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _text(value: Any) -> str:
    """Strings and lists in full (up to MAX_VALUE_CHARS): a list of missing items must be read whole."""
    if isinstance(value, (list, tuple)):
        text = "; ".join(_text(v) for v in value) if value else fmt_value(None)
    elif isinstance(value, str):
        text = value or fmt_value(None)
    else:
        text = fmt_value(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def fill_text(text: str | None, variables: Mapping[str, Any]) -> str | None:
    if not text or "{{" not in text:
        return text
    return _TEMPLATE.sub(lambda m: _text(_lookup(variables, m.group(1))), text)


def fill_form_texts(form: Any, variables: Mapping[str, Any]) -> Any:
    """A copy of the form definition whose text components show the variables' values."""
    if form is None:
        return None

    def fill(field: Any) -> Any:
        changes: dict[str, Any] = {}
        if field.text and "{{" in field.text:
            changes["text"] = fill_text(field.text, variables)
        if field.components:
            changes["components"] = tuple(fill(c) for c in field.components)
        return dataclasses.replace(field, **changes) if changes else field

    return dataclasses.replace(form, fields=tuple(fill(f) for f in form.fields))


__all__ = ["fill_form_texts", "fill_text"]
