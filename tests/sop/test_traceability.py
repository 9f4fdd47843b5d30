"""Every SOP table in sop/ matches its seed: the same step numbers and the same Pelaksana (lanes), unless
the table records a justified difference in `trace` (see docs/sop-format.md, Traceability)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from lxml import etree

from service.sop.bpmn_writer import to_bpmn
from service.sop.importer import assumptions_markdown, find_tables, generate
from service.sop.model import SopTable, load_table

REPO = Path(__file__).resolve().parents[2]
TABLES = find_tables([REPO / "sop"]) if (REPO / "sop").is_dir() else []
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
_STEP = re.compile(r"^\s*(\d+[A-Za-z]?)\.?\s*$")
_HEADER_NO = re.compile(r"^\s*no\.?\s*$", re.IGNORECASE)


def seeds_dir() -> Path:
    return Path(os.environ.get("ALUR_SEEDS_DIR") or REPO.parent / "shared" / "seeds")


def seed_rows(table: SopTable) -> list[list[str]]:
    assert table.source is not None, f"{table.path}: no source"
    path = seeds_dir() / table.source.file
    if not path.is_file():
        if os.environ.get("ALUR_REQUIRE_SEEDS") == "1":     # CI (.ci/run): a missing seed is a failure
            pytest.fail(f"seed {path} is absent and ALUR_REQUIRE_SEEDS=1 (set ALUR_SEEDS_DIR)")
        pytest.skip(f"seed {path} is absent (set ALUR_SEEDS_DIR)")
    lines = path.read_text(encoding="utf-8").splitlines()
    first, last = table.source.lines
    assert 1 <= first <= last <= len(lines), f"{table.path}: source lines {first}-{last} outside {path.name}"
    return [line.split("\t") for line in lines[first - 1:last]]


def seed_steps(rows: list[list[str]]) -> tuple[list[str], set[str]]:
    """(step numbers, numbers of the Mulai/Selesai rows)."""
    steps, terminals = [], set()
    for cells in rows:
        m = _STEP.match(cells[0]) if cells else None
        if not m:
            continue
        steps.append(m.group(1))
        if len(cells) > 1 and cells[1].strip().lower() in ("mulai", "selesai"):
            terminals.add(m.group(1))
    return steps, terminals


def seed_lanes(rows: list[list[str]]) -> list[str]:
    for i, cells in enumerate(rows):
        if not cells or not _HEADER_NO.match(cells[0]):
            continue
        col = next((j for j, c in enumerate(cells) if re.match(r"^\s*pelaksana", c, re.IGNORECASE)), None)
        if col is None or i + 1 >= len(rows):
            continue
        end = next((j for j in range(col + 1, len(cells)) if cells[j].strip()), len(cells))
        sub = rows[i + 1]
        return [c.strip() for c in sub[col:end] if c.strip()]
    raise AssertionError("no 'No | Uraian | Pelaksana' header row in the source lines")


def model_facts(table: SopTable) -> tuple[list[str], list[str], set[str]]:
    """(sop.no values, lane names, the lanes holding no seed step: only helper steps or nothing)."""
    root = etree.fromstring(to_bpmn(table))
    proc = root.find(f"{{{BPMN}}}process")
    numbered = {el.get("id"): p.get("value") for el in proc for p in el.iter(f"{{{CAMUNDA}}}property")
                if p.get("name") == "sop.no"}
    lanes = [ln.get("name") for ln in proc.iter(f"{{{BPMN}}}lane")]
    unnumbered = {ln.get("name") for ln in proc.iter(f"{{{BPMN}}}lane")
                  if not any(ref.text in numbered for ref in ln.iter(f"{{{BPMN}}}flowNodeRef"))}
    return list(numbered.values()), lanes, unnumbered


def seed_lane_view(lanes: list[str], unnumbered: set[str], seed: list[str]) -> list[str]:
    """The model's lanes as the seed's Pelaksana header sees them: a lane that is not in the header and holds
    no seed step (e.g. the Pejabat Pengadaan a method table routes to, with an assumption) is left out."""
    return [lane for lane in lanes if lane in seed or lane not in unnumbered]


def test_seed_parser_reads_a_pagaralam_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed = tmp_path / "seed.txt"
    seed.write_text("intro\nNo\tUraian Kegiatan\tPelaksana\t\t\tMutu Baku\t\t\tKeterangan\n"
                    "\t\tPPK\tKepala UKPBJ\tPokja Pemilihan\tKelengkapan\tWaktu\tOutput\t\n"
                    "1\tMulai\t\t\t\t\t\t\t\n2\tMenyampaikan\t\t\t\t\t\t\t\n2a.\tSub\t\n"
                    "3.\tSelesai\t\n", encoding="utf-8")
    monkeypatch.setenv("ALUR_SEEDS_DIR", str(tmp_path))
    table = load_table(Path(__file__).parent / "fixtures" / "branch_loop.yaml")
    table.source.file, table.source.lines = "seed.txt", (1, 7)
    rows = seed_rows(table)
    assert seed_lanes(rows) == ["PPK", "Kepala UKPBJ", "Pokja Pemilihan"]
    assert seed_steps(rows) == (["1", "2", "2a", "3"], {"1", "3"})


@pytest.mark.skipif(not TABLES, reason="no SOP tables in sop/ yet")
@pytest.mark.parametrize("path", TABLES, ids=[str(p.relative_to(REPO)) for p in TABLES])
def test_table_matches_its_seed(path: Path) -> None:
    table = load_table(path)
    assert table.source is not None, f"{path}: every shipped table needs source: {{file, lines}}"
    rows = seed_rows(table)
    steps, terminals = seed_steps(rows)
    assert steps, f"{path}: no numbered rows in {table.source.file} lines {table.source.lines}"
    expected = (set(steps) - terminals - set(table.trace.missing_steps)) | set(table.trace.extra_steps)
    nos, lanes, unnumbered = model_facts(table)
    actual = set(nos) - terminals
    assert actual == expected, (
        f"{path}: sop.no in the model {sorted(actual)} != seed steps {sorted(expected)} "
        f"(only in the model: {sorted(actual - expected)}, only in the seed: {sorted(expected - actual)}); "
        "record justified differences in trace: {extra_steps, missing_steps} with an assumption")
    for extra in table.trace.extra_steps:
        assert extra not in set(steps) - terminals, f"{path}: trace.extra_steps {extra!r} is a seed step"
    if not table.trace.lanes_from_text:
        assert seed_lane_view(lanes, unnumbered, seed_lanes(rows)) == seed_lanes(rows), (
            f"{path}: lanes {lanes} != seed Pelaksana {seed_lanes(rows)}; "
            "set trace.lanes_from_text: true (with an assumption) if the seed header is lost or garbled; "
            "a lane outside the header may hold helper steps only")


@pytest.mark.skipif(not TABLES, reason="no SOP tables in sop/ yet")
@pytest.mark.parametrize("path", TABLES, ids=[str(p.relative_to(REPO)) for p in TABLES])
def test_generated_model_is_up_to_date(path: Path) -> None:
    table = load_table(path)
    shipped = REPO / "bpmn" / table.tenant / f"{table.key}.bpmn"
    if not shipped.is_file():
        pytest.skip(f"{shipped.relative_to(REPO)} not generated yet")
    assert shipped.read_bytes() == to_bpmn(table), (
        f"{shipped.relative_to(REPO)} is stale: run `alur sop import sop --out . "
        "--assumptions bpmn/ASSUMPTIONS.md`")


@pytest.mark.skipif(not TABLES, reason="no SOP tables in sop/ yet")
@pytest.mark.parametrize("path", TABLES, ids=[str(p.relative_to(REPO)) for p in TABLES])
def test_generated_forms_are_up_to_date(path: Path) -> None:
    table = load_table(path)
    folder = REPO / "forms" / table.tenant
    if not (REPO / "bpmn" / table.tenant / f"{table.key}.bpmn").is_file():
        pytest.skip("not generated yet")
    for form_id, text in generate(table).forms.items():
        shipped = folder / f"{form_id}.form"
        assert shipped.is_file() and shipped.read_text(encoding="utf-8") == text, (
            f"{shipped.relative_to(REPO)} is stale or missing: re-run `alur sop import sop --out . "
            "--assumptions bpmn/ASSUMPTIONS.md`")


@pytest.mark.skipif(not TABLES, reason="no SOP tables in sop/ yet")
def test_assumptions_page_is_up_to_date() -> None:
    page = REPO / "bpmn" / "ASSUMPTIONS.md"
    if not page.is_file():
        pytest.skip("bpmn/ASSUMPTIONS.md not generated yet")
    assert page.read_text(encoding="utf-8") == assumptions_markdown([load_table(p) for p in TABLES]), (
        "bpmn/ASSUMPTIONS.md is stale: re-run `alur sop import sop --out . --assumptions bpmn/ASSUMPTIONS.md`")


def test_a_lane_outside_the_seed_header_may_hold_helper_steps_only() -> None:
    assert seed_lane_view(["PPK", "Pokja", "Pejabat Pengadaan"], {"Pejabat Pengadaan"}, ["PPK", "Pokja"]) == \
        ["PPK", "Pokja"]
    # a lane outside the header that holds a seed step is a mismatch
    assert seed_lane_view(["PPK", "Pokja", "Pejabat Pengadaan"], set(), ["PPK", "Pokja"]) != ["PPK", "Pokja"]
    # a header lane without a seed step still counts (the seed names it)
    assert seed_lane_view(["PPK", "Pokja"], {"Pokja"}, ["PPK", "Pokja"]) == ["PPK", "Pokja"]
