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
from tests.sop.test_traceability import seed_rows

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


def seed_waktu_days(tenant: str, key: str) -> int:
    """The sum of the seed table's 'N hari' Waktu cells."""
    table = load_table(REPO / "sop" / tenant / f"{key}.yaml")
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
    assert waktu_days(trail) == seed_waktu_days(*BAWASLU) == 33  # 10:7 11:5 12:4 13:4 14:3 15:4 16:3 17:3


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
