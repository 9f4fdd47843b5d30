"""The Kelengkapan rows of a task page: each item of the step once, with its tick box and its file input.

A step's Kelengkapan comes from the SOP (`mutu.kelengkapan`); the SOP importer often also writes a
checklist field `kelengkapan_<no>` into the step form. Rendered separately, the page listed every item
twice (the form's checklist, then a file input per item). The form's checklist is therefore drawn inside
the Kelengkapan fieldset, one row per item, and left out of the generic form rendering.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KelengkapanRow:
    label: str
    # The tick box: the form field's name and option value, or the page's own `kelengkapan` list.
    check_name: str | None
    check_value: str | None
    check_id: str | None
    checked: bool
    disabled: bool
    # `doc_k<n>`: n is the item's 1-based position in the step's Kelengkapan (what the upload handler reads).
    file_index: int | None


def mergeable_field(form: Any, field: Any, items: Sequence[str]) -> Any:
    """The form's Kelengkapan checklist when it can be drawn in the Kelengkapan fieldset: it exists, the
    step lists items, and it sits at the top of the form without a condition (a nested or conditional
    checklist keeps its own place, where its group and show/hide logic apply)."""
    if field is None or not items or form is None or getattr(field, "hide_if", None):
        return None
    return field if any(f is field for f in form.fields) else None


def kelengkapan_rows(items: Sequence[str], field: Any, values: dict[str, Any],
                     ticked: set[str]) -> list[KelengkapanRow]:
    """One row per item. With the form's checklist `field`, its options come first (ticked from `values`),
    each with the file input of the step item of the same label; step items no option names follow with a
    file input only. Without it, the page's own tick boxes (`ticked` holds their 1-based numbers)."""
    position = {item: i for i, item in enumerate(items, start=1)}
    if field is None:
        return [KelengkapanRow(item, "kelengkapan", str(i), f"k{i}", str(i) in ticked, False, i)
                for i, item in enumerate(items, start=1)]
    chosen = values.get(field.key) or []
    rows = [KelengkapanRow(o.label, field.key, o.value, f"f-{field.key}-{j}", o.value in chosen,
                           bool(getattr(field, "readonly", False)), position.get(o.label))
            for j, o in enumerate(field.options, start=1)]
    named = {o.label for o in field.options}
    rows += [KelengkapanRow(item, None, None, None, False, False, i) for item, i in position.items()
             if item not in named]
    return rows


@dataclass(frozen=True)
class KelengkapanSection:
    rows: list[KelengkapanRow]
    error_key: str              # where the "not complete" error of the items is reported
    skip_id: str | None         # the form field drawn here instead of in the form


def kelengkapan_section(form: Any, field: Any, items: Sequence[str], values: dict[str, Any],
                        ticked: set[str]) -> KelengkapanSection:
    """The rows of the page's Kelengkapan fieldset; `field` is the form's Kelengkapan checklist, if any."""
    merged = mergeable_field(form, field, items)
    if merged is not None:
        return KelengkapanSection(kelengkapan_rows(items, merged, values, ticked), merged.key, merged.id)
    if field is not None:
        # The checklist stays in the form (nested or conditional): here only the file inputs.
        return KelengkapanSection([KelengkapanRow(item, None, None, None, False, False, i)
                                   for i, item in enumerate(items, start=1)], field.key, None)
    return KelengkapanSection(kelengkapan_rows(items, None, values, ticked), "kelengkapan", None)


__all__ = ["KelengkapanRow", "KelengkapanSection", "kelengkapan_rows", "kelengkapan_section", "mergeable_field"]
