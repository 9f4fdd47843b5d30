"""Issue 17 (seven readings) and Manajemen Risiko Strategis step 4: each corrected step is run through the
engine on the shipped model; its lane, its flow and the Waktu sum of the path are checked, and where a rule
table advises a person's decision, that the advice and the person's choice are both recorded."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from service.engine import Engine, FrozenClock, parse_bpmn
from service.engine.calls import CallFamily
from service.engine.dmn import parse_dmn
from service.sop.datagen import form_data
from service.sop.forms import build_forms
from service.sop.model import SopFormatError, from_dict

REPO = Path(__file__).resolve().parents[2]
_DAYS = re.compile(r"^P(\d+)D$")
MAX_TASKS = 80


_MODELS: dict[tuple[str, str], Any] = {}


def model(tenant: str, key: str) -> Any:
    """bpmn/<tenant>/<key>.bpmn, parsed once (called processes are looked up by key)."""
    if (tenant, key) not in _MODELS:
        _MODELS[(tenant, key)] = parse_bpmn(f"{key}.bpmn", (REPO / "bpmn" / tenant / f"{key}.bpmn").read_bytes())[0]
    return _MODELS[(tenant, key)]


class Run:
    """One instance of a shipped model: each user task gets its form's generated data, the values of the
    variables its fields already have (as the task page presets them), and the next answer given for its
    element id."""

    def __init__(self, tenant: str, key: str, start: dict[str, Any], answers: dict[str, list[dict[str, Any]]]):
        decisions = {m.key: m for f in (REPO / "dmn").glob("*.dmn") for m in parse_dmn(f.name, f.read_bytes())}
        engine = Engine(clock=FrozenClock(dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.timezone.utc)),
                        processes=lambda k, t: model(tenant, k), decisions=lambda k, t, b, v: decisions[k])
        family = CallFamily(engine)            # called processes run as child instances, in memory
        self.inst = family.instances[family.start(model(tenant, key), variables=start, tenant=tenant)]
        self.trail: list[tuple[str, str | None, str | None]] = []
        self.before: dict[str, dict[str, Any]] = {}     # element id -> variables when its (last) task opened
        self.history: list[Any] = [e for i in family.instances.values() for e in i.drain_history()]
        pending = {k: list(v) for k, v in answers.items()}
        while not self.inst.completed:
            tasks = [(i, inst, t) for i, inst in family.live() for t in inst.user_tasks()]
            assert tasks, "no open task and no end"
            instance_id, inst, task = tasks[0]          # parallel tasks: one after the other
            if inst is self.inst:                       # tasks of called processes are theirs
                self.trail.append((task.element_id, task.lane, task.properties.get("mutu.waktu")))
            assert len(self.trail) <= MAX_TASKS, f"no end after {MAX_TASKS} tasks: {self.ids}"
            self.before[task.element_id] = inst.variables()
            form = json.loads((REPO / "forms" / tenant / f"{task.form_ref}.form").read_text(encoding="utf-8"))
            data = form_data(form)
            # as the task page does: a field whose variable is set shows (and keeps) that value
            data.update({k: v for k, v in self.before[task.element_id].items() if k in data and v is not None})
            queue = pending.get(task.element_id)
            if queue:
                data.update(queue.pop(0) if len(queue) > 1 else queue[0])
            inst.complete_user_task(task.id, data, user="uji")
            family.settle(instance_id)
            self.history += [e for i in family.instances.values() for e in i.drain_history()]
        self.variables = self.inst.variables()

    @property
    def ids(self) -> list[str]:
        return [t[0] for t in self.trail]

    def lane(self, element_id: str) -> str | None:
        return next(t[1] for t in self.trail if t[0] == element_id)

    def waktu_days(self) -> int:
        days = 0
        for _, _, waktu in self.trail:
            if waktu:
                m = _DAYS.match(waktu)
                assert m, f"mutu.waktu {waktu!r} is not whole days"
                days += int(m.group(1))
        return days

    def decisions(self, element_id: str) -> list[Any]:
        return [e for e in self.history if e.kind == "decision_evaluated" and e.element_id == element_id]


def steps(*numbers: Any) -> list[str]:
    return [f"Step_{n}" for n in numbers]


# --------------------------------------------------------------------------- Pengelolaan Risiko (items 5, 6, 7)
PR = ("pagaralam", "pengelolaan_risiko")
PR_START = {"jenis_penugasan": "paket_pengadaan", "nama_penugasan": "Paket uji"}


def analysis(kemungkinan: int, dampak: int) -> dict[str, Any]:
    return {"kemungkinan": kemungkinan, "dampak": dampak, "peristiwa_risiko_lewat": False}


def test_pr_step_4_table_advises_and_the_owner_decides_against_it() -> None:
    """Besaran 12 (3 x 4 = 14 in the matrix: level Sedang): the table advises handling; the owner tolerates
    the risk and says why. The advice, its reason and the choice are all recorded."""
    run = Run(*PR, PR_START, {"Step_3": [analysis(3, 3)],
                              "Step_4": [{"disposisi_awal": "toleransi",
                                          "alasan_beda_disposisi_awal": "Paket sudah selesai kontrak"}],
                              "Step_11": [{"disposisi_konsolidasi": "toleransi"}]})
    before = run.before["Step_4"]
    assert before["saran_disposisi_awal"] == "tangani"
    assert before["disposisi_awal"] == "tangani"                  # the choice is preset to the advice
    assert "11-15" in before["saran_disposisi_awal_alasan"]
    assert run.lane("Step_4") == "Pemilik Risiko"
    assert run.variables["saran_disposisi_awal"] == "tangani"      # the advice stays beside the choice
    assert run.variables["disposisi_awal"] == "toleransi"
    assert run.variables["alasan_beda_disposisi_awal"] == "Paket sudah selesai kontrak"
    (decision,) = run.decisions("Task_saran_4")
    assert decision.data["result"]["disposisi"] == "tangani"
    assert decision.data["matched_rules"][0]["rule_id"] == "Rule_disposisi_perlu_ditangani"
    assert "ASSUMPTION" in decision.data["matched_rules"][0]["annotation"]


def test_pr_step_4_b_reports_and_consolidates_before_documenting() -> None:
    """Item 7: a tolerated risk still gets the report of step 9 and the consolidation of step 10."""
    run = Run(*PR, PR_START, {"Step_3": [analysis(2, 2)],
                              "Step_11": [{"disposisi_konsolidasi": "toleransi"}]})
    assert run.before["Step_4"]["saran_disposisi_awal"] == "toleransi"
    assert run.ids == steps(1, 2, 3, 4, 9, 10, 11, 14)
    assert [run.lane(s) for s in steps(9, 10, 11, 14)] == ["Pemilik Risiko", "Koordinator", "Pemilik Risiko",
                                                          "Dokumentasi"]
    assert run.waktu_days() == 1 + 1 + 1 + 1 + 2                   # 2, 3, 9, 10: 1 hari each; 14: 2 hari


def test_pr_step_11_owner_escalates_a_medium_risk_to_the_koordinator() -> None:
    """Items 5 and 6: besaran 12 is advised 'tangani' at step 11, the owner escalates anyway; the
    Koordinator decides at step 12 (its lane, as 11 b says) and the owner carries it out at 13."""
    run = Run(*PR, PR_START, {"Step_3": [analysis(3, 3)], "Step_8": [analysis(3, 3)],
                              "Step_11": [{"disposisi_konsolidasi": "eskalasi",
                                           "alasan_beda_disposisi_konsolidasi": "Dampak ke jadwal PBJ"}],
                              "Step_12": [{"keputusan_eskalasi": "terima"}]})
    assert run.before["Step_11"]["saran_disposisi_konsolidasi"] == "tangani"
    assert run.ids == steps(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14)
    assert run.lane("Step_12") == "Koordinator"
    assert run.lane("Step_13") == "Pemilik Risiko"
    assert run.variables["disposisi_konsolidasi"] == "eskalasi"
    assert run.waktu_days() == 1 * 8 + 2 == 10                     # 2, 3, 5, 6, 8, 9, 10, 12: 1 hari; 14: 2 (seed sum)


def test_pr_step_11_owner_may_close_a_high_risk_against_the_advice() -> None:
    """Besaran 20 is advised 'eskalasi'; the owner closes it (c) and the flow documents it."""
    run = Run(*PR, PR_START, {"Step_3": [analysis(4, 5)], "Step_8": [analysis(4, 5)],
                              "Step_11": [{"disposisi_konsolidasi": "toleransi"}]})
    assert run.before["Step_4"]["disposisi_awal"] == "tangani"     # advice eskalasi presets a at step 4
    assert run.before["Step_11"]["saran_disposisi_konsolidasi"] == "eskalasi"
    assert run.ids[-3:] == steps(10, 11, 14)


@pytest.mark.parametrize(("ulang", "again"), [("2", "Step_2"), ("3", "Step_3")])
def test_pr_step_13_carries_out_the_koordinators_decision(ulang: str, again: str) -> None:
    run = Run(*PR, PR_START, {"Step_3": [analysis(4, 4), analysis(1, 1)], "Step_8": [analysis(4, 4)],
                              "Step_11": [{"disposisi_konsolidasi": "eskalasi"},
                                          {"disposisi_konsolidasi": "toleransi"}],
                              "Step_12": [{"keputusan_eskalasi": "tangani"}],
                              "Step_13": [{"ulang_dari": ulang}]})
    i = run.ids.index("Step_13")
    assert run.ids[i + 1] == again
    assert run.ids[-1] == "Step_14"


def test_pr_komite_keeps_its_lane_without_a_step() -> None:
    xml = (REPO / "bpmn" / "pagaralam" / "pengelolaan_risiko.bpmn").read_text(encoding="utf-8")
    assert re.search(r'<bpmn:lane id="Lane_Komite" name="Komite"/>', xml)


# --------------------------------------------------------------------------- Manajemen Risiko Strategis step 4
MRS = ("pagaralam", "manajemen_risiko_strategis")
OWNER = "PEMILIK RESIKO (PA, PPK, Kepala Bagian PBJ, POKJA Pemilihan)"


def test_mrs_step_4_the_risk_owner_decides_with_the_table_as_advice() -> None:
    run = Run(*MRS, PR_START, {"Step_3": [analysis(2, 2)],
                               "Step_4": [{"disposisi_awal": "tangani",
                                           "alasan_beda_disposisi_awal": "Penyedia tunggal di pasar"}],
                               "Step_11": [{"disposisi_konsolidasi": "toleransi"}]})
    assert run.before["Step_4"]["saran_disposisi_awal"] == "toleransi"
    assert run.lane("Step_4") == OWNER
    assert run.ids[:6] == steps(1, 2, 3, 4, 5, 6)                  # handled although the table said tolerable
    assert run.variables["saran_disposisi_awal"] == "toleransi"
    assert run.variables["disposisi_awal"] == "tangani"


def test_mrs_step_4_follows_the_advice_by_default() -> None:
    run = Run(*MRS, PR_START, {"Step_3": [analysis(1, 2)]})
    assert run.ids == steps(1, 2, 3, 4, 14)
    assert run.waktu_days() == 1 + 5 + 3 + 1                       # 1: 1 hari, 2: 5, 3: 3, 14: 1


# --------------------------------------------------------------------------- the advice syntax
def _table(advice: dict[str, Any], fields: list[dict[str, Any]] | None = None, kind: str = "user") -> dict:
    step = {"no": "1", "name": "Memutuskan", "lane": "A", "kind": kind, "advice": advice,
            "fields": fields if fields is not None else [
                {"key": "pilihan", "label": "Pilihan", "type": "radio", "required": True,
                 "values": [{"value": "ya", "label": "Ya"}, {"value": "tidak", "label": "Tidak"}]}]}
    return {"key": "uji", "tenant": "t", "name": "Uji", "lanes": ["A"], "steps": [step]}


ADVICE = {"decision": "tabel", "field": "pilihan", "output": "hasil", "reason": "alasan",
          "values": [{"value": "mungkin", "label": "Mungkin", "choose": "ya"}]}


def test_advice_form_shows_the_advice_read_only_and_asks_why_when_the_choice_differs() -> None:
    table = from_dict(_table(ADVICE))
    comps = {c.get("key"): c for c in build_forms(table)["uji-1"]["components"]}
    assert comps["saran_pilihan"]["readonly"] is True
    assert [v["value"] for v in comps["saran_pilihan"]["values"]] == ["ya", "tidak", "mungkin"]
    assert comps["saran_pilihan_alasan"]["readonly"] is True
    note = comps["alasan_beda_pilihan"]
    assert note["validate"]["required"] is True
    assert note["conditional"]["hide"] == '=pilihan = saran_pilihan or (saran_pilihan = "mungkin" and pilihan = "ya")'
    assert "saran_pilihan" not in form_data(build_forms(table)["uji-1"])   # nobody submits the advice


@pytest.mark.parametrize(("advice", "fields", "kind", "message"), [
    ({**ADVICE, "field": "lain"}, None, "user", "must be a radio or select field of this step"),
    ({**ADVICE, "values": [{"value": "ya", "label": "Ya", "choose": "ya"}]}, None, "user", "already a choice"),
    ({**ADVICE, "values": [{"value": "x", "label": "X", "choose": "z"}]}, None, "user", "is not a choice"),
    ({"decision": "tabel"}, None, "user", "expected {decision"),
    (ADVICE, [], "manual", "only a user task"),
])
def test_advice_mistakes_are_refused_with_a_message(advice: dict, fields: list | None, kind: str,
                                                    message: str) -> None:
    with pytest.raises(SopFormatError) as err:
        from_dict(_table(advice, fields, kind))
    assert message in str(err.value)


# --------------------------------------------------------------------------- Pengelolaan Penyedia (item 4)
PP = ("pagaralam", "pengelolaan_penyedia")
_SEED_WAKTU = re.compile(r"^\s*(\d+)\s*(hari|menit|jam)\s*$", re.IGNORECASE)


def seed_numbered_waktu_days(tenant: str, key: str) -> float:
    """The seed's sum of Waktu over its numbered rows (sub-rows a., b. break a row's time down), in working
    days of 7.5 office hours."""
    from service.sop.model import load_table
    from tests.sop.test_traceability import seed_rows
    total = 0.0
    for cells in seed_rows(load_table(REPO / "sop" / tenant / f"{key}.yaml")):
        if not re.match(r"^\s*\d+\.?\s*$", cells[0] if cells else ""):
            continue
        for cell in cells[2:]:
            m = _SEED_WAKTU.match(cell)
            if m:
                n, unit = int(m.group(1)), m.group(2).lower()
                total += n if unit == "hari" else n / 7.5 if unit == "jam" else n / 60 / 7.5
    return round(total, 2)


def test_pp_planned_time_equals_the_seeds_sum_of_waktu() -> None:
    from service.sop.paths import enumerate_paths, read_process
    from service.sop.report import planned_working_days
    graph = read_process((REPO / "bpmn" / PP[0] / f"{PP[1]}.bpmn").read_bytes())
    (path,) = enumerate_paths(graph)
    assert planned_working_days(graph, path) == seed_numbered_waktu_days(*PP) == 18.07   # 30 menit + 10+1+4+3


def test_pp_rows_2_and_4_head_their_sub_rows() -> None:
    """Item 4: no 10-hari task before 2a-2c, no 4-hari task before 4a/4b; 4a then 4b make row 4's 4 hari."""
    run = Run(*PP, {"periode_pendataan": "Tahun 2025"}, {})
    ids = run.ids
    assert "Step_2" not in ids and "Step_4" not in ids
    assert sorted(ids[1:4]) == steps("2a", "2b", "2c")
    assert ids[4:] == steps(3, "4a", "4b", 5, 6)
    assert [run.lane(s) for s in steps("2a", "4a", "4b")] == ["Tim Pendataan dan Analisis", "Kasubag LPSE",
                                                              "Kasubag LPSE"]
    assert [t[2] for t in run.trail if t[0] in ("Step_4a", "Step_4b")] == ["P2D", "P2D"]
    xml = (REPO / "bpmn" / PP[0] / f"{PP[1]}.bpmn").read_text(encoding="utf-8")
    assert re.search(r'<bpmn:parallelGateway id="Gateway_2" name="2\. [^"]*">', xml)   # the heading row
    assert 'sourceRef="Step_4a" targetRef="Step_4b"' in xml


# --------------------------------------------------------------------------- Analisa Ketersediaan (item 1)
AK = ("pagaralam", "analisa_ketersediaan_pelaku_usaha")


def test_ak_step_4_b_goes_on_to_documentation_and_the_improvement_plan() -> None:
    run = Run(*AK, {}, {"Step_4": [{"ada_pelaku_usaha_memenuhi": "tidak",
                                     "alasan_tidak_tersedia": "Tidak ada SBU yang sesuai"}]})
    assert run.ids == steps(1, 2, 3, 4, 5, 8, 9)
    assert [run.lane(s) for s in steps(5, 8, 9)] == ["PPK", "Jabfung PPBJ", "Jabfung PPBJ"]
    assert run.waktu_days() == 0                                   # the seed's Waktu column is empty
    xml = (REPO / "bpmn" / AK[0] / f"{AK[1]}.bpmn").read_text(encoding="utf-8")
    assert xml.count("<bpmn:endEvent ") == 1                       # one end: row 10


def test_ak_step_4_a_documents_and_plans_too() -> None:
    run = Run(*AK, {}, {"Step_4": [{"ada_pelaku_usaha_memenuhi": "ya", "jumlah_pelaku_usaha_memenuhi": 3}]})
    assert run.ids == steps(1, 2, 3, 4, 8, 9)


# --------------------------------------------------------------------------- Perencanaan Pengadaan (item 2)
PPN = ("pagaralam", "perencanaan_pengadaan")
PPN_START = {"nama_kegiatan": "Belanja modal", "tahun_anggaran": 2025}


def test_ppn_step_5_supports_the_ppk_while_the_ppk_plans() -> None:
    """Step 5 is open while the PPK works on steps 6-10; the PPK never waits for it. The Jabfung closes
    it last here, after the RUP is announced, and only then does the instance end."""
    engine = Engine(clock=FrozenClock(dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.timezone.utc)),
                    processes=lambda k, t: model(PPN[0], k), decisions=lambda k, t, b, v: None)
    inst = engine.start(model(*PPN), variables=PPN_START, tenant=PPN[0])
    answers = {"Step_3": {"perlu_asistensi": "ya"}}
    seen: list[list[str]] = []
    while not inst.completed:
        tasks = inst.user_tasks()
        open_ = sorted(t.element_id for t in tasks)
        seen.append(open_)
        task = next((t for t in tasks if t.element_id != "Step_5"), tasks[0])   # the Jabfung finishes last
        form = json.loads((REPO / "forms" / PPN[0] / f"{task.form_ref}.form").read_text(encoding="utf-8"))
        inst.complete_user_task(task.id, {**form_data(form), **answers.get(task.element_id, {})}, user="uji")
        assert len(seen) < 30
    assert ["Step_5", "Step_6"] in seen                            # 5 beside the PPK's step 6
    assert ["Step_10", "Step_5"] in seen                           # and still open at the RUP
    assert seen[-1] == ["Step_5"]                                  # the instance waits for the support to end


def test_ppn_without_assistance_goes_straight_to_step_6() -> None:
    run = Run(*PPN, PPN_START, {"Step_3": [{"perlu_asistensi": "tidak"}]})
    assert run.ids == steps(2, 3, 6, 7, 8, "8_", 9, 10)


# --------------------------------------------------------------------------- Proses Utama (item 3)
def test_pu_plans_the_year_once_and_procures_each_package_of_the_daftar_paket() -> None:
    """Item 3: the PPK appointment, the RKA entry and the RUP announcement happen once; steps 3-7 run once
    per package of step 9's Daftar Paket, each called instance with its own package."""
    decisions = {m.key: m for f in (REPO / "dmn").glob("*.dmn") for m in parse_dmn(f.name, f.read_bytes())}
    engine = Engine(clock=FrozenClock(dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.timezone.utc)),
                    processes=lambda k, t: model("pagaralam", k), decisions=lambda k, t, b, v: decisions[k])
    family = CallFamily(engine)
    root = family.instances[family.start(model("pagaralam", "proses_utama_pbj"),
                                         variables={"unit_kerja": "Dinas PU", "tahun_anggaran": 2025},
                                         tenant="pagaralam", business_key="RENCANA-2025")]
    done: list[tuple[str, str, str | None]] = []
    while not root.completed:
        assert len(done) < 200, done[-5:]
        instance_id, inst, task = [(i, x, t) for i, x in family.live() for t in x.user_tasks()][0]
        form = json.loads((REPO / "forms" / "pagaralam" / f"{task.form_ref}.form").read_text(encoding="utf-8"))
        data = form_data(form)
        if task.form_ref == "perencanaan_pengadaan-9":
            data["daftar_paket_teks"] = "PKT-1 Jalan desa\n\nPKT-2 Gedung\r\n  PKT-3 Mobil dinas  "
        package = inst.variables().get("nama_paket")               # the called instance's own item
        done.append((inst.model.key, task.element_id, package))
        inst.complete_user_task(task.id, data, user="uji")
        family.settle(instance_id)
    once = [(p, e) for p, e, _ in done if p == "perencanaan_pengadaan"]
    assert once.count(("perencanaan_pengadaan", "Step_2")) == 1       # the PPK is appointed once a year
    assert once.count(("perencanaan_pengadaan", "Step_8")) == 1       # one RKA entry
    assert once.count(("perencanaan_pengadaan", "Step_10")) == 1      # one RUP announcement
    received = sorted(pkg for p, e, pkg in done if (p, e) == ("proses_utama_pbj_paket", "Step_7"))
    assert received == ["PKT-1 Jalan desa", "PKT-2 Gedung", "PKT-3 Mobil dinas"]
    assert sum(1 for p, e, _ in done if (p, e) == ("persiapan_pengadaan", "Step_2")) == 3
    # one child instance per package, the package its business key (camunda:in businessKey="${nama_paket}")
    packages = sorted(i.business_key for i in family.instances.values() if i.model.key == "proses_utama_pbj_paket")
    assert packages == ["PKT-1 Jalan desa", "PKT-2 Gedung", "PKT-3 Mobil dinas"]


def test_pu_package_call_is_a_multi_instance_call_with_the_package_as_business_key() -> None:
    xml = (REPO / "bpmn" / "pagaralam" / "proses_utama_pbj.bpmn").read_text(encoding="utf-8")
    assert 'calledElement="proses_utama_pbj_paket"' in xml
    assert '<camunda:in businessKey="${nama_paket}"/>' in xml
    assert 'camunda:collection="${daftar_paket}" camunda:elementVariable="nama_paket"' in xml
    assert "<camunda:out " not in xml.split('id="Task_pengadaan_per_paket"')[1].split("</bpmn:callActivity>")[0]
    run = Run("pagaralam", "proses_utama_pbj_paket", {"nama_paket": "PKT-9 Laptop"}, {})
    assert [t[0] for t in run.trail][-3:] == steps(5, 6, 7)
    assert [run.lane(s) for s in steps(5, 6, 7)] == ["Pokja Pemilihan", "PPK", "PA/KPA"]


def _call_table(call: dict[str, Any], outputs: list[dict[str, Any]] | None = None) -> dict:
    first = {"no": "1", "name": "Daftar", "lane": "A",
             "fields": [{"key": "teks", "label": "Teks", "type": "textarea", "required": True}],
             "outputs": outputs if outputs is not None else [{"name": "daftar", "feel": 'split(teks, "\\n")'}]}
    return {"key": "uji", "tenant": "t", "name": "Uji", "lanes": ["A"],
            "steps": [first, {"no": "2", "name": "Per item", "lane": "A", "kind": "call", "call": call}]}


def test_call_each_writes_a_multi_instance_call_and_feel_outputs() -> None:
    from service.sop.bpmn_writer import to_bpmn
    xml = to_bpmn(from_dict(_call_table({"key": "anak", "each": "daftar", "as": "item",
                                         "business_key": "${item}", "sequential": True}))).decode()
    assert '<bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="${daftar}" ' \
           'camunda:elementVariable="item"/>' in xml
    assert '<camunda:in businessKey="${item}"/>' in xml and "<camunda:out " not in xml
    assert '<camunda:outputParameter name="daftar">' in xml
    assert '<camunda:script scriptFormat="feel">split(teks, "\\n")</camunda:script>' in xml


@pytest.mark.parametrize(("call", "outputs", "message"), [
    ({"key": "anak", "each": "daftar"}, None, "each: and as: must be variable names"),
    ({"key": "anak", "as": "item"}, None, "only with call.each"),
    ({"key": "anak", "each": "daftar", "as": "item", "business_key": "item"}, None, "is not a JUEL expression"),
    ({"key": "anak", "for": "daftar"}, None, "unknown ['for']"),
    ({"key": "anak"}, [{"name": "x y", "feel": "1"}], "a user step's output is"),
])
def test_call_each_and_output_mistakes_are_refused(call: dict, outputs: list | None, message: str) -> None:
    with pytest.raises(SopFormatError) as err:
        from_dict(_call_table(call, outputs))
    assert message in str(err.value)
