"""Every shipped SOP table imports, and every path of every model runs through the engine to an end."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from lxml import etree

from service.engine.workdays import WorkCalendar
from service.sop.bpmn_writer import to_bpmn
from service.sop.importer import import_tables
from service.sop.model import load_table
from service.sop.repository import Repository
from service.sop.simulate import run
from service.sop.bpmn_writer import element_suffix
from sop_di_checks import assert_readable_diagram

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(not any((REPO / "sop").glob("*/*.yaml")), reason="no SOP tables in sop/ yet")
def test_shipped_models_simulate_with_full_coverage(tmp_path: Path) -> None:
    generated = import_tables([REPO / "sop"], tmp_path)
    assert [g.table.path for g in generated if g.validation_note] == []     # all parsed by the engine
    if (REPO / "dmn").is_dir():
        shutil.copytree(REPO / "dmn", tmp_path / "dmn")
    out = io.StringIO()
    code = run(tmp_path, Repository(tmp_path).models(), out=out, calendar=WorkCalendar.default())
    text = out.getvalue()
    failures = [line for line in text.splitlines() if "GAGAL" in line or "ERROR" in line]
    assert code == 0, "\n".join(failures) or text[-2000:]
    assert text.splitlines()[-1].startswith(f"{len(generated)} models, ")
    assert text.splitlines()[-1].endswith("flow nodes 100%, sequence flows 100%")


TABLES = sorted((REPO / "sop").glob("*/*.yaml"))


@pytest.mark.parametrize("path", TABLES, ids=[str(p.relative_to(REPO)) for p in TABLES])
def test_shipped_diagram_is_clean(path: Path) -> None:
    table = load_table(path)
    steps = ["Gateway_" + element_suffix(st.ref) if st.heading else st.element_id for st in table.steps]
    assert_readable_diagram(etree.fromstring(to_bpmn(table)), table.lanes, steps)
