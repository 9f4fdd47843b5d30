"""dmn/metode_pemilihan.dmn: procurement method (Perpres 16/2018 jo 12/2021 Pasal 38, 41; Perpres 46/2025).

Cases follow domain-rules.md section 4 (first hit): katalog -> E-purchasing (not for Jasa Konsultansi, Pasal
41(1)), keadaan tertentu -> Penunjukan Langsung, Pengadaan Langsung up to Rp200 jt (Barang / Jasa Lainnya),
Rp400 jt (Pekerjaan Konstruksi from Perpres 46/2025, Rp200 jt before), Rp100 jt (Jasa Konsultansi), Seleksi,
Tender Cepat, Tender. Each rule also names who prepares the selection: the Pejabat Pengadaan (Pasal 15) or
the Pokja Pemilihan (Pasal 13).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import SpiffWorkflow.dmn.parser as spiff_dmn_parser
import yaml
from lxml import etree

from service.engine.dmn import evaluate_decision, map_decision_result, parse_dmn

REPO = Path(__file__).resolve().parents[2]
DMN_FILE = REPO / "dmn" / "metode_pemilihan.dmn"
SOP_FILE = REPO / "sop" / "pagaralam" / "persiapan_pemilihan_penyedia.yaml"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
NS = {"d": DMN13}
PERPRES_46_2025 = dt.date(2025, 4, 30)
METHODS = ["E-purchasing", "Penunjukan Langsung", "Pengadaan Langsung", "Seleksi", "Tender Cepat", "Tender"]


@pytest.fixture(scope="module")
def model():
    models = parse_dmn(DMN_FILE.name, DMN_FILE.read_bytes())
    assert [m.key for m in models] == ["metode_pemilihan"]
    return models[0]


def decide(model, **variables: Any) -> tuple[str | None, str | None]:
    """(metode_pemilihan, matched rule id) for a package; unset flags are false, the date is after 46/2025."""
    data = {"tersedia_katalog": False, "keadaan_tertentu": False, "spek_volume_rinci": False,
            "penyedia_terkualifikasi_sikap": False, "tanggal_pemilihan": "2025-06-02"}
    data.update(variables)
    result = evaluate_decision(model, data)
    row = map_decision_result(result, "singleResult")
    if row is None:
        return None, None
    return row["metode_pemilihan"], result.matched_rules[0].rule_id


# --------------------------------------------------------------------------- table structure
def test_table_is_valid_dmn13_with_annotated_rules() -> None:
    xsd = Path(spiff_dmn_parser.__file__).parent / "schema" / "DMN13.xsd"
    doc = etree.parse(str(DMN_FILE))
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    assert schema.validate(doc), schema.error_log
    root = doc.getroot()
    assert root.tag == f"{{{DMN13}}}definitions"
    assert root.nsmap.get("camunda") == "http://camunda.org/schema/1.0/dmn"
    table = root.find("d:decision[@id='metode_pemilihan']/d:decisionTable", NS)
    assert table.get("hitPolicy") == "FIRST"
    assert all(e.get("typeRef") for e in table.findall("d:input/d:inputExpression", NS))
    assert all(e.get("typeRef") for e in table.findall("d:output", NS))
    method_values = table.find("d:output[@name='metode_pemilihan']/d:outputValues/d:text", NS).text
    assert [v.strip().strip('"') for v in method_values.split(",")] == METHODS
    rules = table.findall("d:rule", NS)
    assert len({r.get("id") for r in rules}) == len(rules) == 12
    for rule in rules:
        note = rule.findtext("d:description", namespaces=NS) or ""
        assert "Perpres" in note or "ASSUMPTION" in note, rule.get("id")


def test_thresholds_and_effective_date_are_plain_cells() -> None:
    """Analysts edit the amounts and the Perpres 46/2025 date in cells, not inside expressions."""
    cells = [t.text for t in etree.parse(str(DMN_FILE)).getroot().iterfind(".//d:inputEntry/d:text", NS)]
    assert {"<= 200000000", "<= 400000000", "<= 100000000", '>= date("2025-04-30")'} <= set(cells)


# --------------------------------------------------------------------------- first-hit order
def test_katalog_comes_first(model) -> None:
    assert decide(model, jenis_pengadaan="Barang", nilai_hps=5_000_000_000, tersedia_katalog=True,
                  keadaan_tertentu=True) == ("E-purchasing", "Rule_metode_katalog_pokja")


def test_keadaan_tertentu_gives_penunjukan_langsung_for_every_type(model) -> None:
    for jenis in ("Barang", "Pekerjaan Konstruksi", "Jasa Konsultansi", "Jasa Lainnya"):
        assert decide(model, jenis_pengadaan=jenis, nilai_hps=50_000_000, keadaan_tertentu=True)[0] == \
            "Penunjukan Langsung"


@pytest.mark.parametrize("jenis", ["Barang", "Jasa Lainnya"])
@pytest.mark.parametrize("nilai, expected", [(1, "Pengadaan Langsung"), (200_000_000, "Pengadaan Langsung"),
                                             (200_000_001, "Tender")])
def test_barang_and_jasa_lainnya_threshold_200_jt(model, jenis: str, nilai: int, expected: str) -> None:
    assert decide(model, jenis_pengadaan=jenis, nilai_hps=nilai)[0] == expected


@pytest.mark.parametrize("tanggal, nilai, expected", [
    ("2025-04-30", 400_000_000, "Pengadaan Langsung"),      # Perpres 46/2025 in force
    ("2025-04-30", 400_000_001, "Tender"),
    ("2026-01-05", 300_000_000, "Pengadaan Langsung"),
    ("2025-04-29", 300_000_000, "Tender"),                  # before 46/2025: Rp200 jt
    ("2024-03-01", 200_000_000, "Pengadaan Langsung"),
    ("2024-03-01", 200_000_001, "Tender"),
])
def test_pekerjaan_konstruksi_threshold_depends_on_date(model, tanggal: str, nilai: int, expected: str) -> None:
    assert decide(model, jenis_pengadaan="Pekerjaan Konstruksi", nilai_hps=nilai,
                  tanggal_pemilihan=tanggal)[0] == expected


@pytest.mark.parametrize("tanggal", [PERPRES_46_2025, dt.datetime(2025, 5, 2, 9, 30, tzinfo=dt.timezone.utc),
                                     "2025-05-02T09:30:00"])
def test_date_may_be_a_date_datetime_or_iso_text(model, tanggal: Any) -> None:
    assert decide(model, jenis_pengadaan="Pekerjaan Konstruksi", nilai_hps=350_000_000,
                  tanggal_pemilihan=tanggal) == ("Pengadaan Langsung", "Rule_metode_pl_konstruksi_2025")


def test_unknown_date_uses_the_lower_construction_limit(model) -> None:
    assert decide(model, jenis_pengadaan="Pekerjaan Konstruksi", nilai_hps=150_000_000,
                  tanggal_pemilihan=None) == ("Pengadaan Langsung", "Rule_metode_pl_konstruksi_2021")
    assert decide(model, jenis_pengadaan="Pekerjaan Konstruksi", nilai_hps=350_000_000,
                  tanggal_pemilihan=None)[0] == "Tender"


@pytest.mark.parametrize("nilai, expected", [(100_000_000, "Pengadaan Langsung"), (100_000_001, "Seleksi"),
                                             (2_000_000_000, "Seleksi")])
def test_jasa_konsultansi(model, nilai: int, expected: str) -> None:
    assert decide(model, jenis_pengadaan="Jasa Konsultansi", nilai_hps=nilai)[0] == expected


def test_jasa_konsultansi_never_gets_tender_cepat(model) -> None:
    assert decide(model, jenis_pengadaan="Jasa Konsultansi", nilai_hps=900_000_000, spek_volume_rinci=True,
                  penyedia_terkualifikasi_sikap=True)[0] == "Seleksi"


@pytest.mark.parametrize("jenis", ["Barang", "Pekerjaan Konstruksi", "Jasa Lainnya"])
def test_tender_cepat_needs_detailed_spec_and_sikap(model, jenis: str) -> None:
    big = {"jenis_pengadaan": jenis, "nilai_hps": 3_000_000_000}
    assert decide(model, **big, spek_volume_rinci=True, penyedia_terkualifikasi_sikap=True) == \
        ("Tender Cepat", "Rule_metode_tender_cepat")
    assert decide(model, **big, spek_volume_rinci=True)[0] == "Tender"
    assert decide(model, **big, penyedia_terkualifikasi_sikap=True)[0] == "Tender"


def test_pengadaan_langsung_wins_over_tender_cepat_below_the_limit(model) -> None:
    assert decide(model, jenis_pengadaan="Barang", nilai_hps=150_000_000, spek_volume_rinci=True,
                  penyedia_terkualifikasi_sikap=True)[0] == "Pengadaan Langsung"


def test_unknown_type_gives_no_result(model) -> None:
    assert decide(model, jenis_pengadaan="Hibah", nilai_hps=10_000_000) == (None, None)


def test_annotation_of_the_matched_rule_cites_the_legal_basis(model) -> None:
    result = evaluate_decision(model, {"jenis_pengadaan": "Pekerjaan Konstruksi", "nilai_hps": 390_000_000,
                                       "tanggal_pemilihan": "2025-07-01"})
    assert "Perpres 46/2025" in result.matched_rules[0].annotation
    assert result.result_list[0]["dasar_hukum"].startswith("Perpres 46/2025")


# --------------------------------------------------------------------------- review corrections (issue 16)
@pytest.mark.parametrize("nilai, expected", [(80_000_000, "Pengadaan Langsung"), (900_000_000, "Seleksi")])
def test_jasa_konsultansi_is_never_e_purchasing(model, nilai: int, expected: str) -> None:
    """Pasal 41(1) lists Seleksi, Pengadaan Langsung and Penunjukan Langsung for Jasa Konsultansi only."""
    assert decide(model, jenis_pengadaan="Jasa Konsultansi", nilai_hps=nilai, tersedia_katalog=True)[0] == expected


def test_no_rule_offers_e_purchasing_for_jasa_konsultansi() -> None:
    table = etree.parse(str(DMN_FILE)).getroot().find("d:decision[@id='metode_pemilihan']/d:decisionTable", NS)
    for rule in table.findall("d:rule", NS):
        if rule.findtext("d:outputEntry[1]/d:text", namespaces=NS) == '"E-purchasing"':
            jenis = rule.findtext("d:inputEntry[1]/d:text", namespaces=NS)
            assert jenis != "-" and "Jasa Konsultansi" not in jenis, rule.get("id")
            assert "Pasal 41" not in rule.findtext("d:outputEntry[2]/d:text", namespaces=NS)


def who(model, **variables: Any) -> tuple[str | None, str | None]:
    data = {"tersedia_katalog": False, "keadaan_tertentu": False, "spek_volume_rinci": False,
            "penyedia_terkualifikasi_sikap": False, "tanggal_pemilihan": "2025-06-02", **variables}
    row = map_decision_result(evaluate_decision(model, data), "singleResult")
    return (row["pelaksana"], row["dasar_pelaksana"]) if row else (None, None)


@pytest.mark.parametrize("variables, pelaksana, pasal", [
    ({"jenis_pengadaan": "Barang", "nilai_hps": 150_000_000}, "Pejabat Pengadaan", "Pasal 15 huruf a"),
    ({"jenis_pengadaan": "Pekerjaan Konstruksi", "nilai_hps": 390_000_000}, "Pejabat Pengadaan", "Pasal 15 huruf a"),
    ({"jenis_pengadaan": "Jasa Konsultansi", "nilai_hps": 100_000_000}, "Pejabat Pengadaan", "Pasal 15 huruf a"),
    ({"jenis_pengadaan": "Barang", "nilai_hps": 200_000_000, "tersedia_katalog": True}, "Pejabat Pengadaan",
     "Pasal 15 huruf d"),
    ({"jenis_pengadaan": "Barang", "nilai_hps": 200_000_001, "tersedia_katalog": True}, "Pokja Pemilihan",
     "Pasal 13 ayat (1)"),
    ({"jenis_pengadaan": "Jasa Lainnya", "nilai_hps": 150_000_000, "keadaan_tertentu": True}, "Pejabat Pengadaan",
     "Pasal 15 huruf b"),
    ({"jenis_pengadaan": "Jasa Konsultansi", "nilai_hps": 100_000_000, "keadaan_tertentu": True},
     "Pejabat Pengadaan", "Pasal 15 huruf c"),
    ({"jenis_pengadaan": "Jasa Konsultansi", "nilai_hps": 100_000_001, "keadaan_tertentu": True},
     "Pokja Pemilihan", "Pasal 13 ayat (1)"),
    ({"jenis_pengadaan": "Barang", "nilai_hps": 250_000_000}, "Pokja Pemilihan", "Pasal 13 ayat (1)"),
    ({"jenis_pengadaan": "Jasa Konsultansi", "nilai_hps": 900_000_000}, "Pokja Pemilihan", "Pasal 13 ayat (1)"),
    ({"jenis_pengadaan": "Barang", "nilai_hps": 3_000_000_000, "spek_volume_rinci": True,
      "penyedia_terkualifikasi_sikap": True}, "Pokja Pemilihan", "Pasal 13 ayat (1)"),
])
def test_pelaksana_follows_pasal_15(model, variables: dict, pelaksana: str, pasal: str) -> None:
    assert who(model, **variables) == (pelaksana, f"Perpres 16/2018 jo 12/2021 {pasal}")


def test_every_rule_names_its_pelaksana_and_cites_the_article() -> None:
    table = etree.parse(str(DMN_FILE)).getroot().find("d:decision[@id='metode_pemilihan']/d:decisionTable", NS)
    for rule in table.findall("d:rule", NS):
        outputs = [e.findtext("d:text", namespaces=NS) for e in rule.findall("d:outputEntry", NS)]
        assert outputs[2] in ('"Pejabat Pengadaan"', '"Pokja Pemilihan"'), rule.get("id")
        assert "Pasal 15" in outputs[3] or "Pasal 13" in outputs[3], rule.get("id")
        assert "Pelaksana:" in rule.findtext("d:description", namespaces=NS), rule.get("id")


def test_unknown_type_has_no_pelaksana(model) -> None:
    assert who(model, jenis_pengadaan="Hibah", nilai_hps=10_000_000) == (None, None)


# --------------------------------------------------------------------------- the SOP form feeds the table
def test_step_2_form_offers_exactly_the_table_inputs() -> None:
    table = yaml.load(SOP_FILE.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    step2 = next(s for s in table["steps"] if s.get("no") == "2")
    fields = {f["key"]: f for f in step2["fields"]}
    doc = etree.parse(str(DMN_FILE)).getroot()
    names = [e.text.strip() for e in doc.iterfind(".//d:inputExpression/d:text", NS)]
    assert {n for n in names if n.isidentifier()} | {"tanggal_pemilihan"} <= set(fields)
    jenis = doc.find(".//d:input[@id='Input_jenis_pengadaan']/d:inputValues/d:text", NS).text
    assert [v["value"] for v in fields["jenis_pengadaan"]["values"]] == \
        [v.strip().strip('"') for v in jenis.split(",")]
    rule_step = next(s for s in table["steps"] if s.get("id") == "tentukan_metode_pemilihan")
    assert rule_step["kind"] == "rule" and rule_step["decision"]["ref"] == "metode_pemilihan"
