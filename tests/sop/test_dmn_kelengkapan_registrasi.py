"""dmn/kelengkapan_registrasi.dmn: verification of a provider's registration file at the LPSE.

Cases follow domain-rules.md section 3: Daftar Hitam -> ditolak (checked first); every required document
present, originals matching copies and the online data -> lengkap; otherwise tidak lengkap (back to the
provider through the Subbag, SOP Rekruitment step 13 -> 12). Perorangan needs no akta; koperasi also
needs the badan-hukum approval (ASSUMPTION L).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import SpiffWorkflow.dmn.parser as spiff_dmn_parser
import yaml
from lxml import etree

from service.engine import Engine, FrozenClock, parse_bpmn
from service.engine.dmn import evaluate_decision, map_decision_result, parse_dmn
from service.sop.importer import generate
from service.sop.model import load_table

REPO = Path(__file__).resolve().parents[2]
DMN_FILE = REPO / "dmn" / "kelengkapan_registrasi.dmn"
SOP_FILE = REPO / "sop" / "pagaralam" / "rekrutmen_registrasi_penyedia.yaml"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
NS = {"d": DMN13}
DOCS = ["dok_formulir_data", "dok_formulir_keikutsertaan", "dok_penunjukan_admin", "dok_ktp", "dok_npwp",
        "dok_izin_usaha"]


def complete(jenis: str = "Badan Usaha", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {k: True for k in DOCS}
    data.update(terdaftar_daftar_hitam=False, jenis_pelaku_usaha=jenis, verifikasi_dikuasakan=False,
                dok_surat_kuasa=False, dok_akta=jenis != "Perorangan", dok_pengesahan_koperasi=jenis == "Koperasi",
                asli_sesuai_salinan=True, berkas_sesuai_data_online=True)
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def model():
    models = {m.key: m for m in parse_dmn(DMN_FILE.name, DMN_FILE.read_bytes())}
    assert list(models) == ["kelengkapan_registrasi", "hasil_kelengkapan_registrasi"]
    assert models["hasil_kelengkapan_registrasi"].required == ["kelengkapan_registrasi"]
    return models["hasil_kelengkapan_registrasi"]


def verify(model, data: dict[str, Any]) -> tuple[str, str, list[str]]:
    """(hasil, catatan, every item rule that found a deficiency, in table order)."""
    result = evaluate_decision(model, data)
    row = map_decision_result(result, "singleResult")
    items = [r.rule_id for r in result.evaluations[0].matched_rules if r.rule_id != "Rule_reg_lengkap"]
    assert row["kekurangan"] == ([] if row["hasil_verifikasi"] == "lengkap" else row["kekurangan"])
    return row["hasil_verifikasi"], row["catatan_verifikasi"], items


def test_table_is_valid_dmn13_with_annotated_rules() -> None:
    xsd = Path(spiff_dmn_parser.__file__).parent / "schema" / "DMN13.xsd"
    doc = etree.parse(str(DMN_FILE))
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    assert schema.validate(doc), schema.error_log
    table = doc.getroot().find("d:decision[@id='kelengkapan_registrasi']/d:decisionTable", NS)
    assert table.get("hitPolicy") == "COLLECT"          # every deficiency at once (review, issue 16)
    assert all(e.get("typeRef") for e in table.findall("d:input/d:inputExpression", NS))
    outcome = table.findtext("d:output[@name='hasil_verifikasi']/d:outputValues/d:text", namespaces=NS)
    assert outcome == '"lengkap","tidak lengkap","ditolak"'
    rules = table.findall("d:rule", NS) + doc.getroot().findall(
        "d:decision[@id='hasil_kelengkapan_registrasi']/d:decisionTable/d:rule", NS)
    assert rules[0].get("id") == "Rule_reg_daftar_hitam"
    assert len({r.get("id") for r in rules}) == len(rules)
    top = doc.getroot().find("d:decision[@id='hasil_kelengkapan_registrasi']/d:decisionTable", NS)
    assert top.findtext("d:output[@name='hasil_verifikasi']/d:outputValues/d:text", namespaces=NS) == outcome
    for rule in rules:
        note = rule.findtext("d:description", namespaces=NS) or ""
        assert any(src in note for src in ("Perpres", "SOP Rekruitment", "ASSUMPTION", "domain-rules")), \
            rule.get("id")


@pytest.mark.parametrize("jenis", ["Badan Usaha", "Perorangan", "Koperasi"])
def test_complete_file_is_lengkap(model, jenis: str) -> None:
    assert verify(model, complete(jenis))[0] == "lengkap"


@pytest.mark.parametrize("jenis", ["Badan Usaha", "Perorangan", "Koperasi"])
def test_daftar_hitam_is_ditolak_even_with_a_complete_file(model, jenis: str) -> None:
    hasil, catatan, rules = verify(model, complete(jenis, terdaftar_daftar_hitam=True))
    assert (hasil, rules) == ("ditolak", ["Rule_reg_daftar_hitam"])
    assert "Daftar Hitam" in catatan


def test_daftar_hitam_wins_over_missing_documents(model) -> None:
    hasil, catatan, rules = verify(model, complete(terdaftar_daftar_hitam=True, dok_npwp=False, dok_ktp=False))
    assert hasil == "ditolak" and rules == ["Rule_reg_daftar_hitam", "Rule_reg_ktp", "Rule_reg_npwp"]
    assert catatan.startswith("Pelaku usaha tercantum dalam Daftar Hitam")


@pytest.mark.parametrize("jenis", ["Badan Usaha", "Perorangan", "Koperasi"])
@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("missing", [False, None])
def test_each_common_document_is_required(model, jenis: str, doc: str, missing: bool | None) -> None:
    hasil, catatan, _ = verify(model, complete(jenis, **{doc: missing}))
    assert hasil == "tidak lengkap"
    assert "belum ada" in catatan


def test_akta_required_for_badan_usaha_and_koperasi_not_perorangan(model) -> None:
    assert verify(model, complete("Badan Usaha", dok_akta=False))[2] == ["Rule_reg_akta"]
    assert verify(model, complete("Koperasi", dok_akta=False))[2] == ["Rule_reg_akta"]
    assert verify(model, complete("Perorangan", dok_akta=False))[0] == "lengkap"


def test_koperasi_needs_badan_hukum_approval(model) -> None:
    assert verify(model, complete("Koperasi", dok_pengesahan_koperasi=False))[2] == ["Rule_reg_pengesahan_koperasi"]
    assert verify(model, complete("Badan Usaha", dok_pengesahan_koperasi=False))[0] == "lengkap"


def test_surat_kuasa_only_when_verification_is_delegated(model) -> None:
    assert verify(model, complete(verifikasi_dikuasakan=False, dok_surat_kuasa=False))[0] == "lengkap"
    hasil, catatan, rules = verify(model, complete(verifikasi_dikuasakan=True, dok_surat_kuasa=False))
    assert (hasil, rules) == ("tidak lengkap", ["Rule_reg_surat_kuasa"])
    assert verify(model, complete(verifikasi_dikuasakan=True, dok_surat_kuasa=True))[0] == "lengkap"


@pytest.mark.parametrize("check, rule", [("asli_sesuai_salinan", "Rule_reg_asli_salinan"),
                                         ("berkas_sesuai_data_online", "Rule_reg_data_online")])
def test_documents_must_match_originals_and_online_data(model, check: str, rule: str) -> None:
    hasil, _, matched = verify(model, complete(**{check: False}))
    assert (hasil, matched) == ("tidak lengkap", [rule])


def test_unknown_or_missing_provider_type_is_tidak_lengkap(model) -> None:
    assert verify(model, complete(jenis_pelaku_usaha="CV"))[2] == ["Rule_reg_jenis"]
    assert verify(model, complete(jenis_pelaku_usaha=None))[2] == ["Rule_reg_jenis"]


def test_empty_form_is_tidak_lengkap_not_lengkap(model) -> None:
    assert verify(model, {})[0] == "tidak lengkap"


def test_every_missing_document_is_listed_at_once(model) -> None:
    """Review (issue 16): the old FIRST table named only the first gap, so a provider needed several rounds."""
    data = complete("Koperasi", dok_npwp=False, dok_akta=None, dok_pengesahan_koperasi=False,
                    berkas_sesuai_data_online=False)
    result = evaluate_decision(model, data)
    row = map_decision_result(result, "singleResult")
    assert row["hasil_verifikasi"] == "tidak lengkap"
    assert row["kekurangan"] == ["NPWP belum ada", "Akta pendirian dan akta perubahan terakhir belum ada",
                                 "Pengesahan badan hukum koperasi belum ada",
                                 "Berkas tidak sesuai dengan data yang diisikan secara online"]
    assert row["catatan_verifikasi"] == "; ".join(row["kekurangan"])
    assert [r.rule_id for r in result.evaluations[0].matched_rules] == [
        "Rule_reg_npwp", "Rule_reg_akta", "Rule_reg_pengesahan_koperasi", "Rule_reg_data_online", "Rule_reg_lengkap"]
    assert [r.rule_id for r in result.matched_rules] == ["Rule_hasil_kelengkapan_registrasi_tidak_lengkap"]


def test_a_complete_file_lists_no_deficiency(model) -> None:
    row = map_decision_result(evaluate_decision(model, complete("Perorangan")), "singleResult")
    assert row == {"hasil_verifikasi": "lengkap", "kekurangan": [],
                   "catatan_verifikasi": "Berkas lengkap dan sesuai; permohonan dapat disetujui"}


def test_step_12_form_and_gateway_match_the_table() -> None:
    table = yaml.load(SOP_FILE.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    steps = table["steps"]
    step12 = next(s for s in steps if s.get("no") == "12")
    fields = {f["key"]: f for f in step12["fields"]}
    doc = etree.parse(str(DMN_FILE)).getroot()
    inputs = [e.text.strip() for e in doc.iterfind(
        "d:decision[@id='kelengkapan_registrasi']/d:decisionTable/d:input/d:inputExpression/d:text", NS)]
    assert set(inputs) <= set(fields)
    for key in inputs:
        if key != "jenis_pelaku_usaha":
            assert fields[key]["type"] == "checkbox", key
    jenis = doc.findtext(".//d:input[@id='Input_jenis_pelaku_usaha']/d:inputValues/d:text", namespaces=NS)
    assert [v["value"] for v in fields["jenis_pelaku_usaha"]["values"]] == \
        [v.strip().strip('"') for v in jenis.split(",")]
    rule_step = steps[steps.index(step12) + 1]
    assert rule_step["kind"] == "rule" and rule_step["decision"]["ref"] == "hasil_kelengkapan_registrasi"
    targets = {b["to"]: b for b in rule_step["gateway"]["branches"]}
    assert set(targets) == {"14", "13", "ditolak"}
    assert "'lengkap'" in targets["14"]["when"] and "'ditolak'" in targets["ditolak"]["when"]
    assert targets["13"]["default"] == "true"
    assert next(s for s in steps if s.get("no") == "13")["next"] == "12"     # re-verify after completion


# --------------------------------------------------------------------------- the SOP runs the table in the engine
def _run_sop(verifications: list[dict[str, Any]]) -> tuple[list[str], dict[str, Any]]:
    """Drive the generated SOP model through the engine; step 12 takes the given verification answers."""
    process = parse_bpmn("rekrutmen_registrasi_penyedia.bpmn", generate(load_table(SOP_FILE)).bpmn)[0]
    decisions = {m.key: m for m in parse_dmn(DMN_FILE.name, DMN_FILE.read_bytes())}
    engine = Engine(clock=FrozenClock(dt.datetime(2026, 2, 2, 1, 0, tzinfo=dt.timezone.utc)),
                    processes=lambda key, tenant: process,
                    decisions=lambda key, tenant, binding, version: decisions[key])
    inst = engine.start(process, variables={"nama_pelaku_usaha": "CV Maju",
                                            "email_perusahaan": "admin@cvmaju.co.id"}, tenant="pagaralam")
    answers: dict[str, list[dict[str, Any]]] = {
        "Step_5": [{"verifikasi_dikuasakan": False}],
        "Step_6": [{"jenis_pelaku_usaha": "Badan Usaha"}],
        "Step_8": [{"nomor_tanda_terima": "TT-01"}],
        "Step_9": [{"sudah_registrasi_online": "ya"}],
        "Step_12": list(verifications),
        "Step_13": [{"daftar_kekurangan_berkas": "NPWP"}] * len(verifications),
        "Step_14": [{"tanggal_verifikasi": "2026-02-02"}],
        "Step_15": [{"nomor_arsip_berkas": "A-01"}],
    }
    trail = []
    while not inst.completed:
        tasks = inst.user_tasks()
        assert len(tasks) == 1, [t.element_id for t in tasks]
        trail.append(tasks[0].element_id)
        queue = answers.get(tasks[0].element_id)
        inst.complete_user_task(tasks[0].id, queue.pop(0) if queue else {}, user="verifikator")
    return [t.removeprefix("Step_") for t in trail if t.removeprefix("Step_") in ("12", "13", "14", "15")], \
        inst.variables()


def test_sop_returns_incomplete_files_and_approves_complete_ones() -> None:
    trail, variables = _run_sop([complete(dok_npwp=False), complete()])
    assert trail == ["12", "13", "12", "14", "15"]
    assert variables["verifikasi_berkas"]["hasil_verifikasi"] == "lengkap"


def test_sop_ends_without_approval_for_a_blacklisted_provider() -> None:
    trail, variables = _run_sop([complete(terdaftar_daftar_hitam=True)])
    assert trail == ["12"]
    assert variables["verifikasi_berkas"]["hasil_verifikasi"] == "ditolak"
