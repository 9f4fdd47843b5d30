"""form-js text templating on the server-rendered task page (the SOP tables' `show:` values)."""
from __future__ import annotations

from service.forms.definition import Field, FormDefinition
from service.web.form_text import MAX_VALUE_CHARS, fill_form_texts, fill_text


def test_dotted_names_are_read_never_evaluated() -> None:
    variables = {"reviu_dpp": {"catatan_reviu": "HPS belum ada; Analisis pasar belum ada", "kekurangan": ["A", "B"]},
                 "x": "rahasia"}
    assert fill_text("**Kekurangan:** {{reviu_dpp.catatan_reviu}}", variables) == \
        "**Kekurangan:** HPS belum ada; Analisis pasar belum ada"
    assert fill_text("{{ reviu_dpp.kekurangan }}", variables) == "A; B"
    assert fill_text("{{reviu_dpp.tidak_ada}} {{tidak.ada}}", variables) == "— —"
    # anything but a dotted name stays as written: no expression is evaluated
    assert fill_text("{{x + 1}} {{__import__('os')}}", variables) == "{{x + 1}} {{__import__('os')}}"


def test_long_values_are_cut_and_groups_are_filled() -> None:
    assert fill_text("{{v}}", {"v": "x" * (MAX_VALUE_CHARS + 10)}).endswith("…")
    inner = Field(id="t", key=None, type="text", text="{{a.b}}")
    form = FormDefinition(id="f", fields=(Field(id="g", key=None, type="group", components=(inner,)),))
    filled = fill_form_texts(form, {"a": {"b": "nilai"}})
    assert filled.fields[0].components[0].text == "nilai"
    assert form.fields[0].components[0].text == "{{a.b}}"          # the deployed definition is not changed
