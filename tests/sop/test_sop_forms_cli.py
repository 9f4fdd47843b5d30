"""Form generation and the `alur sop import` command."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.sop.cli import main
from service.sop.forms import build_forms
from service.sop.model import load_table

FIXTURES = Path(__file__).parent / "fixtures"


def test_step_form_has_context_checklist_fields_and_output() -> None:
    forms = build_forms(load_table(FIXTURES / "linear.yaml"))
    assert sorted(forms) == ["uji_linear-1", "uji_linear-2", "uji_linear-start"]   # no form for the manual task
    form = forms["uji_linear-1"]
    assert {k: form[k] for k in ("id", "type", "schemaVersion")} == {
        "id": "uji_linear-1", "type": "default", "schemaVersion": 16}
    assert form["exporter"]["name"] == "Alur"
    text, checklist, number, upload = form["components"]
    assert text["type"] == "text" and "**1. Menyusun dokumen persiapan**" in text["text"]
    assert "Output: Dokumen Persiapan Pengadaan" in text["text"] and "Keterangan: Sesuai" in text["text"]
    assert checklist["type"] == "checklist" and checklist["key"] == "kelengkapan_1"
    assert [v["value"] for v in checklist["values"]] == ["SK PPK", "Dokumen Anggaran"]
    assert checklist["validate"] == {"required": True}
    assert number["key"] == "nomor_output_1" and number["validate"]["required"] is True
    assert upload["type"] == "filepicker" and upload["key"] == "berkas_output_1"
    assert all(c["id"] for c in form["components"]) and len({c["id"] for c in form["components"]}) == 4


def test_field_validation_and_conditional_visibility() -> None:
    comps = {c.get("key"): c for c in build_forms(load_table(FIXTURES / "linear.yaml"))["uji_linear-2"]["components"]}
    assert comps["jumlah_anggota"]["validate"] == {"required": True, "min": 3, "max": 5}
    assert comps["kode_surat"]["validate"] == {"required": True, "pattern": "^[0-9]{3}/[A-Z]+$"}
    assert comps["catatan"]["conditional"] == {"hide": "=not(jumlah_anggota > 3)"}
    assert comps["catatan"]["type"] == "textarea" and "validate" not in comps["catatan"]
    start = build_forms(load_table(FIXTURES / "linear.yaml"))["uji_linear-start"]
    assert start["components"][1]["validate"] == {"required": True, "maxLength": 200}
    radio = {c.get("key"): c for c in build_forms(load_table(FIXTURES / "branch_loop.yaml"))["uji_cabang-4"]
             ["components"]}["dpp_lengkap"]
    assert radio["values"] == [{"label": "Lengkap", "value": "ya"}, {"label": "Tidak lengkap", "value": "tidak"}]


def test_cli_import_writes_models_forms_and_assumptions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sop", "import", str(FIXTURES / "branch_loop.yaml"), str(FIXTURES / "linear.yaml"),
                 "--out", str(tmp_path), "--assumptions", str(tmp_path / "bpmn" / "ASSUMPTIONS.md")])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "bpmn" / "uji" / "uji_cabang.bpmn").is_file()
    form = json.loads((tmp_path / "forms" / "uji" / "uji_cabang-4.form").read_text(encoding="utf-8"))
    assert form["id"] == "uji_cabang-4"
    assert "seed steps without a task: 3, 7, 8" in (tmp_path / "bpmn" / "ASSUMPTIONS.md").read_text()
    assert "uji_cabang.bpmn" in capsys.readouterr().out


def test_cli_import_reports_problems_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text('key: x\ntenant: t\nname: X\nlanes: [A]\nsteps:\n  - {no: "1", name: S, lane: B}\n')
    assert main(["sop", "import", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml: step 1: lane: 'B' is not one of the lanes ['A']" in err
    assert not (tmp_path / "out").exists()
    assert main(["sop", "import", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "out")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_output_document_options() -> None:
    from service.sop.model import parse_yaml
    table = parse_yaml("""
key: t
tenant: x
name: T
lanes: [A]
steps:
  - {no: "1", name: Layar, lane: A, output: Halaman pendaftaran, output_document: false}
  - no: "2"
    name: Surat
    lane: A
    output: Surat Permohonan Asistensi
    output_show_if: '=perlu_asistensi = "ya"'
    fields: [{key: perlu_asistensi, label: Perlu asistensi, type: radio, values: [ya, tidak]}]
""", "t.yaml")
    forms = build_forms(table)
    assert [c["type"] for c in forms["t-1"]["components"]] == ["text"]
    comps = {c.get("key"): c for c in forms["t-2"]["components"]}
    assert comps["nomor_output_2"]["conditional"] == {"hide": '=not(perlu_asistensi = "ya")'}
    assert comps["berkas_output_2"]["conditional"] == comps["nomor_output_2"]["conditional"]
    with pytest.raises(Exception, match="output_show_if: needs an output document"):
        parse_yaml('key: t\ntenant: x\nname: T\nlanes: [A]\nsteps:\n'
                   '  - {no: "1", name: S, lane: A, output_show_if: "=x"}\n', "t.yaml")


def test_read_only_values_are_templated_text() -> None:
    from service.sop.model import SopFormatError, parse_yaml
    base = 'key: t\ntenant: x\nname: T\nlanes: [A]\nsteps:\n'
    table = parse_yaml(base + '  - {no: "7", name: Jadwal, lane: A, show: [{label: Metode pemilihan, '
                              'value: penetapan_metode.metode_pemilihan}]}\n', "t.yaml")
    text = build_forms(table)["t-7"]["components"][1]
    assert text == {"id": "Text_data_7", "type": "text",
                    "text": "**Metode pemilihan:** {{penetapan_metode.metode_pemilihan}}"}
    with pytest.raises(SopFormatError, match=r"show\[1\]"):
        parse_yaml(base + '  - {no: "7", name: J, lane: A, show: [{label: X, value: "a + b"}]}\n', "t.yaml")
