import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict

from service.forms import (FormDefinitionError, form_from_form_data, html_to_values, parse_camunda_form,
                           validate_submission)

FORM = {
    "id": "reviu-dpp",
    "type": "default",
    "schemaVersion": 16,
    "components": [
        {"type": "text", "id": "intro", "text": "# Reviu DPP"},
        {"type": "checklist", "id": "c1", "key": "kelengkapan", "label": "Kelengkapan",
         "values": [{"value": "kak", "label": "KAK"}, {"value": "hps", "label": "HPS"}],
         "validate": {"required": True}},
        {"type": "radio", "id": "c2", "key": "dpp_lengkap", "label": "DPP lengkap?",
         "values": [{"value": "ya", "label": "Lengkap"}, {"value": "tidak", "label": "Tidak lengkap"}],
         "validate": {"required": True}},
        {"type": "textarea", "id": "c3", "key": "alasan", "label": "Alasan pengembalian",
         "validate": {"required": True, "minLength": 5},
         "conditional": {"hide": "=dpp_lengkap != \"tidak\""}},
        {"type": "number", "id": "c4", "key": "nilai_hps", "label": "Nilai HPS",
         "validate": {"required": True, "min": 1, "max": 1000000000000}, "decimalDigits": 0},
        {"type": "textfield", "id": "c5", "key": "nomor_ba", "label": "Nomor BA",
         "validate": {"pattern": "BA-[0-9]{3}/[0-9]{4}"}},
        {"type": "datetime", "id": "c6", "key": "tanggal_ba", "subtype": "date", "dateLabel": "Tanggal BA"},
        {"type": "checkbox", "id": "c7", "key": "setuju", "label": "Setuju"},
        {"type": "group", "id": "g1", "components": [
            {"type": "textfield", "id": "c8", "key": "catatan", "label": "Catatan",
             "validate": {"maxLength": 10}}]},
    ],
}


def test_parse_flattens_groups_and_skips_display_components():
    form = parse_camunda_form(FORM)
    keys = [f.key for f in form.value_fields()]
    assert keys == ["kelengkapan", "dpp_lengkap", "alasan", "nilai_hps", "nomor_ba", "tanggal_ba",
                    "setuju", "catatan"]
    alasan = form.value_fields()[2]
    assert alasan.hide_if == 'dpp_lengkap != "tidak"'
    assert alasan.min_length == 5


def test_valid_submission_is_typed():
    form = parse_camunda_form(FORM)
    clean, errors = validate_submission(form, {
        "kelengkapan": ["kak", "hps"], "dpp_lengkap": "ya", "nilai_hps": "150000000",
        "nomor_ba": "BA-001/2026", "tanggal_ba": "2026-01-05", "setuju": True, "catatan": "ok"})
    assert errors == {}
    assert clean["nilai_hps"] == 150_000_000 and isinstance(clean["nilai_hps"], int)
    assert clean["tanggal_ba"] == dt.date(2026, 1, 5)
    assert "alasan" not in clean  # hidden: neither validated nor submitted


def test_each_rule_reports_its_field_in_indonesian():
    form = parse_camunda_form(FORM)
    _, errors = validate_submission(form, {
        "kelengkapan": ["kak", "palsu"], "dpp_lengkap": "mungkin", "nilai_hps": "0",
        "nomor_ba": "BA-1/26", "tanggal_ba": "05/01/2026", "catatan": "x" * 11})
    assert errors["kelengkapan"] == ["Pilihan tidak dikenal: palsu."]
    assert errors["dpp_lengkap"] == ["Pilihan tidak dikenal: mungkin."]
    assert errors["nilai_hps"] == ["Minimal 1."]
    assert errors["nomor_ba"] == ["Format tidak sesuai."]
    assert "tanggal_ba" in errors
    assert errors["catatan"] == ["Maksimal 10 karakter."]


def test_conditionally_shown_field_becomes_required():
    form = parse_camunda_form(FORM)
    base = {"kelengkapan": ["kak"], "nilai_hps": 10}
    _, errors = validate_submission(form, {**base, "dpp_lengkap": "tidak"})
    assert errors == {"alasan": ["Wajib diisi."]}
    _, errors = validate_submission(form, {**base, "dpp_lengkap": "tidak", "alasan": "HPS kurang"})
    assert errors == {}


def test_english_messages_on_request():
    form = parse_camunda_form(FORM)
    _, errors = validate_submission(form, {"dpp_lengkap": "ya", "nilai_hps": "abc"}, lang="en")
    assert errors["kelengkapan"] == ["This field is required."]
    assert errors["nilai_hps"] == ["Must be a number."]


def test_integer_field_refuses_fractions_and_non_numbers():
    form = parse_camunda_form(FORM)
    base = {"kelengkapan": ["kak"], "dpp_lengkap": "ya"}
    assert validate_submission(form, {**base, "nilai_hps": "1.5"})[1] == {"nilai_hps": ["Harus berupa bilangan bulat."]}
    assert validate_submission(form, {**base, "nilai_hps": "NaN"})[1] == {"nilai_hps": ["Harus berupa angka."]}


def test_catastrophic_pattern_is_bounded():
    form = parse_camunda_form({"id": "f", "components": [
        {"type": "textfield", "id": "t", "key": "t", "validate": {"pattern": "(a+)+$"}}]})
    _, errors = validate_submission(form, {"t": "a" * 40 + "!"})
    assert errors["t"] in (["Pola validasi terlalu rumit untuk diperiksa."], ["Format tidak sesuai."])


def test_html_post_is_normalised():
    form = parse_camunda_form(FORM)
    raw = MultiDict([("kelengkapan", "kak"), ("kelengkapan", "hps"), ("dpp_lengkap", "ya"),
                     ("nilai_hps", " 25 "), ("nomor_ba", ""), ("setuju", "on")])
    values = html_to_values(form, raw)
    assert values == {"kelengkapan": ["kak", "hps"], "dpp_lengkap": "ya", "nilai_hps": "25", "setuju": True}
    assert "nomor_ba" not in values
    assert values["setuju"] is True
    clean, errors = validate_submission(form, values)
    assert errors == {} and clean["nilai_hps"] == 25


@pytest.mark.parametrize("broken, message", [
    ("{", "not valid JSON"),
    ({"components": []}, "has no 'id'"),
    ({"id": "f", "components": [{"type": "textfield", "id": "a"}]}, r"component 'a' \(textfield\) has no 'key'"),
    ({"id": "f", "components": [{"type": "radio", "id": "r", "key": "r"}]}, "has no 'values'"),
    ({"id": "f", "components": [{"type": "wormhole", "id": "w"}]}, "unknown type 'wormhole'"),
    ({"id": "f", "components": [{"type": "textfield", "id": "a", "key": "k"},
                                {"type": "number", "id": "b", "key": "k"}]}, "share key 'k'"),
])
def test_broken_forms_are_refused_with_the_component_named(broken, message):
    with pytest.raises(FormDefinitionError, match=message):
        parse_camunda_form(broken, name="x.form")


def test_form_data_fields_become_a_form():
    form = form_from_form_data("start", [
        {"id": "amount", "type": "long", "label": "Jumlah", "validation": [("required", None), ("min", "1")]},
        {"id": "kind", "type": "enum", "label": "Jenis", "options": [("barang", "Barang"), ("jasa", "Jasa")]},
        {"id": "approved", "type": "boolean", "label": "Disetujui"},
    ])
    clean, errors = validate_submission(form, {"amount": "3", "kind": "jasa", "approved": "true"})
    assert errors == {} and clean == {"amount": 3, "kind": "jasa", "approved": True}
    _, errors = validate_submission(form, {"kind": "lain"})
    assert set(errors) == {"amount", "kind"}


def test_posted_readonly_or_unknown_values_do_not_change_visibility():
    form = parse_camunda_form({"id": "f", "type": "default", "components": [
        {"type": "textfield", "key": "status", "label": "Status (dari proses)", "readonly": True},
        {"type": "textarea", "key": "alasan", "label": "Alasan penolakan", "validate": {"required": True},
         "conditional": {"hide": "=status = \"DISETUJUI\" or bebas = \"x\""}}]})
    context = {"status": "DITOLAK"}
    forged = html_to_values(form, MultiDict([("status", "DISETUJUI")]))
    assert validate_submission(form, forged, context=context)[1] == {"alasan": ["Wajib diisi."]}
    assert validate_submission(form, {"bebas": "x"}, context=context)[1] == {"alasan": ["Wajib diisi."]}
    # The process variable itself still hides the field.
    assert validate_submission(form, {}, context={"status": "DISETUJUI"}) == ({}, {})
