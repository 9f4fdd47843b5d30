"""The task page lists each Kelengkapan item once: its tick box (the form's checklist) and its file input."""
from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from service.web.kelengkapan import kelengkapan_section

from .support import KELENGKAPAN_2, STEP_2_VALID, complete, login, start, text


def _step_2_page(make_client: Any) -> tuple[Any, str, str]:
    ppk = make_client()
    login(ppk, "ppk.pagaralam")
    task_url = start(ppk).location
    page = text(ppk.get(task_url))
    form = page[page.index('id="form-h"'):]
    return ppk, task_url, form


def test_each_item_once_with_its_tick_box_and_file_input(make_client: Any) -> None:
    _client, _url, form = _step_2_page(make_client)
    rows = re.findall(r'<div class="check-item">(.*?)</div>', form, re.DOTALL)
    assert len(rows) == len(KELENGKAPAN_2)
    for i, item in enumerate(KELENGKAPAN_2, start=1):
        label = item
        assert form.count(f">{label}</label>") == 1, item           # the tick box's label, once
        row = next(r for r in rows if f">{label}</label>" in r)
        assert 'type="checkbox"' in row and 'name="kelengkapan_2"' in row and f'value="{label}"' in row
        assert f'name="doc_k{i}"' in row                               # its file input in the same row
    assert form.count('name="kelengkapan_2"') == len(KELENGKAPAN_2)


def test_the_merged_rows_still_complete_and_keep_ticks_on_error(make_client: Any) -> None:
    client, task_url, _form = _step_2_page(make_client)
    response = complete(client, task_url, dict(STEP_2_VALID, kelengkapan_2=["SK Penetapan PPK"]))
    assert response.status_code == 422
    page = text(response)
    assert 'id="f-kelengkapan_2"' in page and 'href="#f-kelengkapan_2"' in page
    assert re.search(r'value="SK Penetapan PPK"\s*checked', page)
    assert not re.search(r'value="ID Paket RUP"\s*checked', page)
    assert page.count("Kelengkapan belum lengkap") == 2                 # the summary and the fieldset
    assert complete(client, task_url, STEP_2_VALID).status_code == 302


def _field(key: str, labels: list[str], **kw: Any) -> Any:
    return SimpleNamespace(id="F1", key=key, type="checklist", hide_if=kw.get("hide_if"), readonly=False,
                           options=[SimpleNamespace(value=x, label=x) for x in labels])


def test_sections_for_each_kind_of_form() -> None:
    items = ("A", "B", "C")
    field = _field("kelengkapan_1", ["A", "B", "X"])
    form = SimpleNamespace(fields=[field])
    merged = kelengkapan_section(form, field, items, {"kelengkapan_1": ["B"]}, set())
    assert merged.skip_id == "F1" and merged.error_key == "kelengkapan_1"
    assert [(r.label, r.check_name, r.checked, r.file_index) for r in merged.rows] == [
        ("A", "kelengkapan_1", False, 1), ("B", "kelengkapan_1", True, 2), ("X", "kelengkapan_1", False, None),
        ("C", None, False, 3)]
    # A conditional checklist keeps its place in the form; the fieldset offers only the files.
    conditional = _field("kelengkapan_1", ["A"], hide_if="x = 1")
    kept = kelengkapan_section(SimpleNamespace(fields=[conditional]), conditional, items, {}, set())
    assert kept.skip_id is None and all(r.check_name is None for r in kept.rows)
    # No checklist in the form: the page's own tick boxes.
    own = kelengkapan_section(SimpleNamespace(fields=[]), None, items, {}, {"2"})
    assert [(r.check_name, r.check_value, r.checked) for r in own.rows] == [
        ("kelengkapan", "1", False), ("kelengkapan", "2", True), ("kelengkapan", "3", False)]
