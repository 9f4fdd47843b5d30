"""Corrections of the SOP review (issue 16, item 6): each corrected step is run through the engine on the
shipped model, and its lane, its flow and the Waktu sum of the path are checked against the seed."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from service.engine import Engine, FrozenClock, parse_bpmn
from service.engine.dmn import parse_dmn
from service.sop.datagen import form_data
from service.sop.model import load_table
from tests.sop.test_traceability import seed_rows, seeds_dir

REPO = Path(__file__).resolve().parents[2]
_DAYS = re.compile(r"^P(\d+)D$")
_SEED_DAYS = re.compile(r"^\s*(\d+)\s*hari\s*$", re.IGNORECASE)
MAX_TASKS = 60


def _decisions() -> dict[str, Any]:
    return {m.key: m for f in (REPO / "dmn").glob("*.dmn") for m in parse_dmn(f.name, f.read_bytes())}


def run_shipped(tenant: str, key: str, start: dict[str, Any], answers: dict[str, list[dict[str, Any]]]
                ) -> tuple[list[tuple[str, str | None, str | None]], dict[str, Any]]:
    """Run bpmn/<tenant>/<key>.bpmn: each user task gets its form's generated data plus the next answer
    given for its element id. Returns the trail (element id, lane, mutu.waktu) and the final variables."""
    process = parse_bpmn(f"{key}.bpmn", (REPO / "bpmn" / tenant / f"{key}.bpmn").read_bytes())[0]
    decisions = _decisions()
    engine = Engine(clock=FrozenClock(dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.timezone.utc)),
                    processes=lambda k, t: process, decisions=lambda k, t, b, v: decisions[k])
    inst = engine.start(process, variables=start, tenant=tenant)
    trail: list[tuple[str, str | None, str | None]] = []
    pending = {k: list(v) for k, v in answers.items()}
    while not inst.completed:
        tasks = inst.user_tasks()
        assert len(tasks) == 1, [t.element_id for t in tasks]
        task = tasks[0]
        trail.append((task.element_id, task.lane, task.properties.get("mutu.waktu")))
        assert len(trail) <= MAX_TASKS, f"no end after {MAX_TASKS} tasks: {[t[0] for t in trail]}"
        form = json.loads((REPO / "forms" / tenant / f"{task.form_ref}.form").read_text(encoding="utf-8"))
        data = form_data(form)
        queue = pending.get(task.element_id)
        if queue:
            data.update(queue.pop(0) if len(queue) > 1 else queue[0])
        inst.complete_user_task(task.id, data, user="uji")
    return trail, inst.variables()


def waktu_days(trail: list[tuple[str, str | None, str | None]]) -> int:
    days = 0
    for _, _, waktu in trail:
        if waktu:
            m = _DAYS.match(waktu)
            assert m, f"mutu.waktu {waktu!r} is not whole days"
            days += int(m.group(1))
    return days


def seed_waktu_days(tenant: str, key: str) -> int | None:
    """The sum of the seed table's 'N hari' Waktu cells (None when the seeds are not on this machine)."""
    table = load_table(REPO / "sop" / tenant / f"{key}.yaml")
    assert table.source is not None
    if not (seeds_dir() / table.source.file).is_file():
        return None
    return sum(int(m.group(1)) for cells in seed_rows(table) for c in cells[2:] if (m := _SEED_DAYS.match(c)))


# --------------------------------------------------------------------------- Bawaslu Pengelolaan Kinerja step 17
BAWASLU = ("bawaslu", "pengelolaan_kinerja_ukpbj")


@pytest.mark.parametrize("choice", ["lanjut", "selesai"])
def test_bawaslu_step_17_b_goes_with_c_to_the_end(choice: str) -> None:
    """The seed's graph: '(a)' to one box, '(b)/(c)' to another; b (lanjut tanpa perbaikan) ends like c."""
    answers = {"Step_6": [{"keputusan_rencana": "setuju"}],
               "Step_17": [{"keputusan_rapat": choice, "status_indikator": "tercapai"}]}
    trail, _ = run_shipped(*BAWASLU, {"tahun_kinerja": 2025}, answers)
    ids = [t[0] for t in trail]
    assert ids == [f"Step_{n}" for n in range(1, 18)]          # each step once, 17 is the last
    assert trail[-1][1] == "Kepala UKPBJ"                        # the decision graph sits in the Kepala's column
    assert waktu_days(trail) == 33                              # 10:7 11:5 12:4 13:4 14:3 15:4 16:3 17:3
    assert seed_waktu_days(*BAWASLU) in (None, 33)


def test_bawaslu_step_17_a_loops_to_step_11_alone() -> None:
    answers = {"Step_6": [{"keputusan_rencana": "setuju"}],
               "Step_17": [{"keputusan_rapat": "perbaikan", "rekomendasi_disetujui": "Percepat reviu"},
                           {"keputusan_rapat": "selesai", "status_indikator": "tercapai"}]}
    trail, _ = run_shipped(*BAWASLU, {"tahun_kinerja": 2025}, answers)
    ids = [t[0] for t in trail]
    assert ids == [f"Step_{n}" for n in range(1, 18)] + [f"Step_{n}" for n in range(11, 18)]
    assert [t[1] for t in trail[17:]] == ["Penanggung Jawab Kinerja"] * 2 + ["Tim Pengelolaan Kelembagaan UKPBJ"] * 3 \
        + ["Kepala UKPBJ"] * 2
    assert waktu_days(trail) == 33 + 26                          # the a-loop repeats steps 11-17 (5+4+4+3+4+3+3)


# --------------------------------------------------------------------------- Persiapan Pemilihan Penyedia step 6
PPP = ("pagaralam", "persiapan_pemilihan_penyedia")
PPP_START = {"nama_paket": "Paket uji", "kode_rup": "51234567"}
DPP_OK = {k: "sesuai" for k in ("dpp_sk_ppk", "dpp_surat_permohonan", "dpp_dokumen_anggaran", "dpp_id_rup",
                                "dpp_spesifikasi_kak", "dpp_hps", "dpp_rancangan_kontrak", "dpp_waktu_penggunaan",
                                "dpp_analisis_pasar")}
PACKAGE = {"tersedia_katalog": False, "keadaan_tertentu": False, "spek_volume_rinci": False,
           "penyedia_terkualifikasi_sikap": False, "tanggal_pemilihan": "2025-06-02"}


@pytest.mark.parametrize("package, metode", [
    ({"jenis_pengadaan": "Barang", "nilai_hps": 150_000_000}, "Pengadaan Langsung"),
    ({"jenis_pengadaan": "Pekerjaan Konstruksi", "nilai_hps": 390_000_000}, "Pengadaan Langsung"),
    ({"jenis_pengadaan": "Barang", "nilai_hps": 200_000_000, "tersedia_katalog": True}, "E-purchasing"),
])
def test_ppp_pengadaan_langsung_and_small_e_purchasing_go_to_the_pejabat_pengadaan(package: dict, metode: str) -> None:
    """Perpres 16/2018 jo 12/2021 Pasal 15: the Kepala UKPBJ assigns no Pokja, the Pejabat Pengadaan prepares."""
    trail, variables = run_shipped(*PPP, PPP_START, {"Step_2": [{**PACKAGE, **package}]})
    assert [(t[0], t[1]) for t in trail] == [("Step_2", "PPK"),
                                             ("Task_persiapan_pejabat_pengadaan", "Pejabat Pengadaan")]
    assert variables["penetapan_metode"]["metode_pemilihan"] == metode
    assert variables["penetapan_metode"]["pelaksana"] == "Pejabat Pengadaan"
    assert waktu_days(trail) == 0                               # the seed's Waktu column is empty
    assert seed_waktu_days(*PPP) in (None, 0)


@pytest.mark.parametrize("package, metode", [
    ({"jenis_pengadaan": "Barang", "nilai_hps": 200_000_001}, "Tender"),
    ({"jenis_pengadaan": "Barang", "nilai_hps": 900_000_000, "tersedia_katalog": True}, "E-purchasing"),
    ({"jenis_pengadaan": "Jasa Konsultansi", "nilai_hps": 900_000_000, "tersedia_katalog": True}, "Seleksi"),
])
def test_ppp_method_is_decided_before_the_pokja_is_assigned(package: dict, metode: str) -> None:
    answers = {"Step_2": [{**PACKAGE, **package}], "Step_4": [DPP_OK]}
    trail, variables = run_shipped(*PPP, PPP_START, answers)
    assert [(t[0], t[1]) for t in trail] == [
        ("Step_2", "PPK"), ("Step_3", "Kepala UKPBJ"), ("Step_4", "Pokja Pemilihan"),
        ("Step_6", "Pokja Pemilihan"), ("Step_7", "Pokja Pemilihan"), ("Step_8", "Pokja Pemilihan")]
    assert (variables["penetapan_metode"]["metode_pemilihan"], variables["penetapan_metode"]["pelaksana"]) == \
        (metode, "Pokja Pemilihan")
    assert waktu_days(trail) == 0


def test_ppp_step_6_the_table_advises_the_method_and_the_pokja_decides() -> None:
    """The old model ran the method table after step 6, from inputs the Pokja typed at step 6: now the
    table runs after step 2, and at step 6 its advice is shown beside the Pokja's own choice."""
    table = load_table(REPO / "sop" / PPP[0] / f"{PPP[1]}.yaml")
    refs = [s.ref for s in table.steps]
    assert refs.index("tentukan_metode_pemilihan") == refs.index("2") + 1
    assert refs.index("tentukan_metode_pemilihan") < refs.index("3") < refs.index("6")
    form = json.loads((REPO / "forms" / PPP[0] / "persiapan_pemilihan_penyedia-6.form").read_text(encoding="utf-8"))
    keys = {c.get("key"): c for c in form["components"]}
    assert keys["saran_metode_pemilihan"]["readonly"] and keys["saran_metode_pemilihan_alasan"]["readonly"]
    assert "Pengadaan Langsung" not in [v["value"] for v in keys["metode_pemilihan"]["values"]]
    assert not set(keys) & {"jenis_pengadaan", "nilai_hps", "tersedia_katalog", "tanggal_pemilihan"}
    package = {**PACKAGE, "jenis_pengadaan": "Barang", "nilai_hps": 3_000_000_000, "spek_volume_rinci": True,
               "penyedia_terkualifikasi_sikap": True}
    answers = {"Step_2": [package], "Step_4": [DPP_OK],
               "Step_6": [{"metode_pemilihan": "Tender", "alasan_beda_metode_pemilihan": "Penyedia SIKaP sedikit"}]}
    trail, variables = run_shipped(*PPP, PPP_START, answers)
    assert [t[0] for t in trail] == ["Step_2", "Step_3", "Step_4", "Step_6", "Step_7", "Step_8"]
    assert variables["saran_metode_pemilihan"] == "Tender Cepat"               # the table's advice ...
    assert variables["saran_metode_pemilihan_alasan"] == "Perpres 16/2018 jo 12/2021 Pasal 38 ayat (6)"
    assert variables["metode_pemilihan"] == "Tender"                            # ... and the Pokja's decision
