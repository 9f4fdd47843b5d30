"""dmn/kelengkapan_dpp.dmn: completeness of the Dokumen Persiapan Pengadaan (reviu by the Pokja Pemilihan).

Cases follow domain-rules.md section 4: lengkap = every item present and "sesuai"; otherwise the DPP goes
back to the PPK (SOP Persiapan Pemilihan Penyedia step 4b -> 5 -> 4) with every missing item listed at once
(the COLLECT table of items kelengkapan_dpp, summed up by hasil_kelengkapan_dpp, which the SOP runs).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import SpiffWorkflow.dmn.parser as spiff_dmn_parser
import yaml
from lxml import etree

from service.engine import Engine, FrozenClock, parse_bpmn
from service.engine.dmn import evaluate_decision, map_decision_result, parse_dmn
from service.sop.importer import generate
from service.sop.model import load_table

REPO = Path(__file__).resolve().parents[2]
DMN_FILE = REPO / "dmn" / "kelengkapan_dpp.dmn"
SOP_FILE = REPO / "sop" / "pagaralam" / "persiapan_pemilihan_penyedia.yaml"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
NS = {"d": DMN13}
ITEMS = ["dpp_sk_ppk", "dpp_surat_permohonan", "dpp_dokumen_anggaran", "dpp_id_rup", "dpp_spesifikasi_kak",
         "dpp_hps", "dpp_rancangan_kontrak", "dpp_waktu_penggunaan", "dpp_analisis_pasar"]
STATUSES = ["sesuai", "tidak_sesuai", "tidak_ada"]
ALL_SESUAI = {k: "sesuai" for k in ITEMS}


@pytest.fixture(scope="module")
def model():
    models = {m.key: m for m in parse_dmn(DMN_FILE.name, DMN_FILE.read_bytes())}
    assert list(models) == ["kelengkapan_dpp", "hasil_kelengkapan_dpp"]
    assert models["hasil_kelengkapan_dpp"].required == ["kelengkapan_dpp"]
    return models["hasil_kelengkapan_dpp"]


def review(model, **changes: str | None) -> dict:
    data = dict(ALL_SESUAI)
    data.update(changes)
    for key in [k for k, v in data.items() if v == "<missing>"]:
        del data[key]
    return map_decision_result(evaluate_decision(model, data), "singleResult")


def test_table_is_valid_dmn13_with_annotated_rules() -> None:
    xsd = Path(spiff_dmn_parser.__file__).parent / "schema" / "DMN13.xsd"
    doc = etree.parse(str(DMN_FILE))
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    assert schema.validate(doc), schema.error_log
    table = doc.getroot().find("d:decision[@id='kelengkapan_dpp']/d:decisionTable", NS)
    assert table.get("hitPolicy") == "COLLECT"          # every deficiency at once (review, issue 16)
    inputs = table.findall("d:input", NS)
    assert [i.findtext("d:inputExpression/d:text", namespaces=NS).strip() for i in inputs] == ITEMS
    for i in inputs:
        assert i.find("d:inputExpression", NS).get("typeRef") == "string"
        values = i.findtext("d:inputValues/d:text", namespaces=NS)
        assert [v.strip().strip('"') for v in values.split(",")] == STATUSES
    outcome = table.findtext("d:output[@name='hasil_reviu']/d:outputValues/d:text", namespaces=NS)
    assert outcome == '"lengkap","tidak lengkap"'
    rules = table.findall("d:rule", NS)
    assert len({r.get("id") for r in rules}) == len(rules) == len(ITEMS) + 1
    top = doc.getroot().find("d:decision[@id='hasil_kelengkapan_dpp']/d:decisionTable", NS)
    assert top.findtext("d:output[@name='hasil_reviu']/d:outputValues/d:text", namespaces=NS) == outcome
    for rule in rules + top.findall("d:rule", NS):
        note = rule.findtext("d:description", namespaces=NS) or ""
        assert any(src in note for src in ("Perlem LKPP", "SOP Persiapan Pemilihan", "domain-rules")), rule.get("id")


def test_everything_sesuai_is_lengkap(model) -> None:
    assert review(model)["hasil_reviu"] == "lengkap"


@pytest.mark.parametrize("item", ITEMS)
@pytest.mark.parametrize("status", ["tidak_sesuai", "tidak_ada", None, "<missing>"])
def test_any_item_not_sesuai_is_tidak_lengkap(model, item: str, status: str | None) -> None:
    result = review(model, **{item: status})
    assert result["hasil_reviu"] == "tidak lengkap"
    assert "belum ada" in result["catatan_reviu"] or "tidak sesuai" in result["catatan_reviu"]


def test_every_deficient_item_is_listed_at_once_in_table_order(model) -> None:
    """Review (issue 16): the old FIRST table named only the first gap, so a PPK needed several rounds."""
    result = review(model, dpp_hps="tidak_ada", dpp_rancangan_kontrak="tidak_sesuai", dpp_sk_ppk=None)
    assert result["hasil_reviu"] == "tidak lengkap"
    assert result["kekurangan"] == ["SK Penetapan PPK belum ada atau tidak sesuai", "HPS belum ada atau tidak sesuai",
                                    "Rancangan Kontrak belum ada atau tidak sesuai"]
    assert result["catatan_reviu"] == "; ".join(result["kekurangan"])


def test_a_complete_dpp_lists_no_deficiency(model) -> None:
    assert review(model) == {"hasil_reviu": "lengkap", "kekurangan": [],
                             "catatan_reviu": "Dokumen Persiapan Pengadaan lengkap dan sesuai"}


def test_matched_rules_are_reported_for_the_audit_trail(model) -> None:
    result = evaluate_decision(model, {**ALL_SESUAI, "dpp_id_rup": "tidak_ada", "dpp_hps": "tidak_sesuai"})
    assert [m.rule_id for m in result.matched_rules] == ["Rule_hasil_kelengkapan_dpp_tidak_lengkap"]
    items = result.evaluations[0].matched_rules
    assert [m.rule_id for m in items] == ["Rule_dpp_id_rup", "Rule_dpp_hps", "Rule_dpp_lengkap"]
    assert "RUP" in items[0].annotation


def test_nothing_filled_in_is_tidak_lengkap(model) -> None:
    assert map_decision_result(evaluate_decision(model, {}), "singleResult")["hasil_reviu"] == "tidak lengkap"


def test_step_4_form_asks_every_item_with_the_table_values() -> None:
    table = yaml.load(SOP_FILE.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    steps = table["steps"]
    step4 = next(s for s in steps if s.get("no") == "4")
    fields = {f["key"]: f for f in step4["fields"]}
    for item in ITEMS:
        assert [v["value"] for v in fields[item]["values"]] == STATUSES, item
        assert fields[item]["required"] == "true"
    rule_step = steps[steps.index(step4) + 1]
    assert rule_step["id"] == "cek_kelengkapan_dpp" and rule_step["decision"]["ref"] == "hasil_kelengkapan_dpp"
    branches = rule_step["gateway"]["branches"]
    assert {b["to"] for b in branches} == {"6", "5"}
    lengkap = next(b for b in branches if b["to"] == "6")
    assert "'lengkap'" in lengkap["when"] and rule_step["decision"]["result"] in lengkap["when"]
    step5 = next(s for s in steps if s.get("no") == "5")
    assert step5["next"] == "4"            # the seed's loop: perbaikan -> reviu again


# --------------------------------------------------------------------------- the SOP runs the table in the engine
def test_sop_loops_back_to_the_ppk_until_the_dpp_is_complete() -> None:
    """YAML -> generated BPMN -> engine:
    2 -> metode (Pokja) -> 3 -> reviu 4 (tidak lengkap) -> 5 -> 4 (lengkap) -> 6 -> 7 -> 8."""
    process = parse_bpmn("persiapan_pemilihan_penyedia.bpmn", generate(load_table(SOP_FILE)).bpmn)[0]
    decisions = {m.key: m for f in (REPO / "dmn").glob("*.dmn") for m in parse_dmn(f.name, f.read_bytes())}
    engine = Engine(clock=FrozenClock(dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.timezone.utc)),
                    processes=lambda key, tenant: process,
                    decisions=lambda key, tenant, binding, version: decisions[key])
    inst = engine.start(process, variables={"nama_paket": "Rehabilitasi jalan", "kode_rup": "51234567"},
                        tenant="pagaralam")
    answers = {
        "Step_2": [{"jenis_pengadaan": "Pekerjaan Konstruksi", "nilai_hps": 2_000_000_000,
                    "tanggal_pemilihan": "2025-06-02"}],
        "Step_3": [{"anggota_pokja": "Pokja 1"}],
        "Step_4": [{**ALL_SESUAI, "dpp_hps": "tidak_ada"}, dict(ALL_SESUAI)],
        "Step_5": [{"uraian_perbaikan_dpp": "HPS dilengkapi"}],
        "Step_6": [{"metode_kualifikasi": "Pascakualifikasi", "metode_evaluasi": "Harga Terendah",
                    "metode_penyampaian": "Satu File"}],
        "Step_7": [{"tanggal_mulai_pemilihan": "2025-06-10", "tanggal_akhir_pemilihan": "2025-06-20"}],
        "Step_8": [{}],
    }
    trail, reviews = [], []
    while not inst.completed:
        tasks = inst.user_tasks()
        assert len(tasks) == 1, [t.element_id for t in tasks]
        task = tasks[0]
        trail.append(task.element_id)
        inst.complete_user_task(task.id, answers[task.element_id].pop(0), user="pokja")
        if task.element_id == "Step_4":
            reviews.append(inst.variables()["reviu_dpp"]["hasil_reviu"])
    assert trail == ["Step_2", "Step_3", "Step_4", "Step_5", "Step_4", "Step_6", "Step_7", "Step_8"]
    assert reviews == ["tidak lengkap", "lengkap"]
    method = inst.variables()["penetapan_metode"]
    assert (method["metode_pemilihan"], method["pelaksana"]) == ("Tender", "Pokja Pemilihan")   # > Rp400 jt
