"""Fields a submission reveals: without JavaScript a conditional field is shown or hidden when the page is
rendered, so a choice that uncovers a field must bring the form back with it instead of skipping it."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from service.forms import FormDefinition, visible_fields

HIDDEN_INPUT = "_alur_hidden"    # space-separated keys hidden when the page was rendered (or by the script)
REVEALED = "_revealed"           # the errors key of the "more fields appeared" notice (shown as information)


def hidden_keys(form: FormDefinition | None, values: Mapping[str, Any],
                context: Mapping[str, Any] | None = None) -> set[str]:
    if form is None:
        return set()
    shown = {f.variable for f in visible_fields(form, values, context)}
    return {f.variable for f in form.value_fields() if f.variable not in shown}


def posted_hidden(raw: Iterable[str]) -> set[str]:
    return {key for text in raw for key in str(text).split() if key}


def newly_shown(form: FormDefinition | None, values: Mapping[str, Any], context: Mapping[str, Any] | None,
                hidden_when_rendered: set[str]) -> list[str]:
    """Keys the user could not see when submitting but that the submitted values make visible (and that are
    editable), in form order."""
    if form is None or not hidden_when_rendered:
        return []
    now_hidden = hidden_keys(form, values, context)
    return [f.key for f in form.value_fields()
            if f.key in hidden_when_rendered and f.key not in now_hidden and not f.readonly]


__all__ = ["HIDDEN_INPUT", "REVEALED", "hidden_keys", "newly_shown", "posted_hidden"]
