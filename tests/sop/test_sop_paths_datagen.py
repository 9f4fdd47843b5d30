"""Path enumeration from the BPMN graph and data generation, without the engine."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.sop.bpmn_writer import to_bpmn
from service.sop.datagen import (DataGenError, condition_variables, field_value, form_data, gateway_outcome,
                                 literal_candidates, read_dmn_tables, regex_example, rule_assignments)
from service.sop.forms import build_forms
from service.sop.model import load_table
from service.sop.paths import back_edges, enumerate_paths, read_process
from service.sop.report import planned_working_days, waktu_days

FIXTURES = Path(__file__).parent / "fixtures"


def graph_of(name: str):
    return read_process(to_bpmn(load_table(FIXTURES / name)))


def test_linear_has_one_path() -> None:
    g = graph_of("linear.yaml")
    (path,) = enumerate_paths(g)
    assert path.nodes == ["StartEvent", "Step_1", "Step_2", "Task_arsip", "End_selesai"]
    assert path.flows == list(g.flows)
    assert planned_working_days(g, path) == round(2 + 0.5 / 7.5, 2)


def test_loop_taken_once_and_not_taken() -> None:
    g = graph_of("branch_loop.yaml")
    assert back_edges(g) == {"Flow_Step_5_Step_4"}
    straight, looped = enumerate_paths(g)
    assert straight.decisions == {"Gateway_4": [("Flow_Gateway_4_Step_6",)]}
    assert looped.decisions == {"Gateway_4": [("Flow_Gateway_4_Step_5",), ("Flow_Gateway_4_Step_6",)]}
    assert looped.nodes.count("Step_4") == 2 and looped.back_edges == ["Flow_Step_5_Step_4"]
    assert set(straight.flows) | set(looped.flows) == set(g.flows)


def test_parallel_branches_all_in_one_path_and_join_fires_once() -> None:
    g = graph_of("parallel.yaml")
    (path,) = enumerate_paths(g)
    assert {"Step_2a", "Step_2b", "Step_2c"} <= set(path.nodes)
    assert path.nodes.count("Join_2") == 1 and path.nodes.index("Join_2") < path.nodes.index("Step_3")
    assert set(path.flows) == set(g.flows)
    # parallel branches overlap: 30 min + 1 day + the longest branch (2 h), not the sum of the branches
    assert planned_working_days(g, path) == round((0.5 + 2) / 7.5 + 1, 2)


def test_waktu_days() -> None:
    assert [waktu_days(w) for w in ("P5D", "PT30M", "P1W", "P1DT3H45M", "P1M", "", None, "x")] == [
        5, 0.5 / 7.5, 5, 1.5, 21, 0, 0, 0]


def test_inclusive_gateway_outcomes_are_subsets() -> None:
    xml = to_bpmn(load_table(FIXTURES / "branch_loop.yaml")).replace(b"exclusiveGateway", b"inclusiveGateway")
    g = read_process(xml)
    outcomes = {tuple(p.decisions["Gateway_4"][0]) for p in enumerate_paths(g)}
    # the default is taken alone; the conditional flow alone
    assert ("Flow_Gateway_4_Step_6",) in outcomes and ("Flow_Gateway_4_Step_5",) in outcomes


def test_dead_branch_still_enumerated() -> None:
    g = graph_of("broken.yaml")
    assert len(enumerate_paths(g)) == 2


@pytest.mark.parametrize("pattern", [r"^[0-9]{3}/[A-Z]+$", r"\d{4}-\d{2}", r"(ab|cd)+x?", r"[^a]b\w\s\.",
                                     r"NIB[0-9]{13}"])
def test_regex_example_matches(pattern: str) -> None:
    assert re.fullmatch(pattern, regex_example(pattern))


def test_regex_example_bad_pattern() -> None:
    with pytest.raises(DataGenError):
        regex_example("(")


def test_field_values_honour_validation() -> None:
    forms = build_forms(load_table(FIXTURES / "linear.yaml"))
    data = form_data(forms["uji_linear-2"])
    assert data["jumlah_anggota"] == 4 and re.fullmatch(r"[0-9]{3}/[A-Z]+", data["kode_surat"])
    assert data["nomor_output_2"] and "berkas_output_2" not in data     # optional file: not sent
    data1 = form_data(forms["uji_linear-1"])
    assert data1["kelengkapan_1"] == ["SK PPK", "Dokumen Anggaran"]
    assert field_value({"type": "textfield", "key": "x", "validate": {"minLength": 12, "maxLength": 20}}) \
        == "SimulasiSimu"
    assert len(field_value({"type": "textfield", "validate": {"maxLength": 3}})) == 3
    assert field_value({"type": "number", "validate": {"max": 0}}) == 0
    assert form_data(None, [{"id": "ok", "type": "boolean"}, {"id": "n", "type": "long"}]) == {"ok": True, "n": 1}


def test_condition_variables_and_literals() -> None:
    assert condition_variables("${reviu.hasil == 'lengkap' && nilai > 10}") == ["reviu", "nilai"]
    assert condition_variables("${not empty x and y eq true}") == ["x", "y"]
    cands = literal_candidates('>= 200000000')
    assert {200000000, 199999999, 200000001} <= set(cands)
    assert literal_candidates('[1..5]') == [1, 0, 2, 5, 4, 6, 3]
    assert literal_candidates('"a","b"') == ["a", "b"]


def test_gateway_outcome_semantics() -> None:
    conds = [("f1", "${x == 1}"), ("f2", "${x > 0}"), ("fd", None)]

    def ev(text, variables):
        return {"${x == 1}": variables["x"] == 1, "${x > 0}": variables["x"] > 0}[text]

    assert gateway_outcome(conds, "fd", "exclusiveGateway", {"x": 1}, ev) == ("f1",)
    assert gateway_outcome(conds, "fd", "inclusiveGateway", {"x": 1}, ev) == ("f1", "f2")
    assert gateway_outcome(conds, "fd", "exclusiveGateway", {"x": 0}, ev) == ("fd",)


def test_rule_assignments_cover_every_rule() -> None:
    tables = read_dmn_tables((FIXTURES / "dmn" / "uji_metode.dmn").read_bytes())
    t = tables["uji_metode"]
    assert [i.expression for i in t.inputs] == ["jenis", "nilai"] and len(t.rules) == 3

    def matches(entry: str, value, _scope) -> bool:     # a tiny stand-in for FEEL unary tests
        if entry == "-":
            return True
        if entry.startswith('"'):
            return value == entry.strip('"')
        if entry.startswith("<="):
            return isinstance(value, (int, float)) and value <= int(entry[2:])
        lo, hi = entry.strip("[]").split("..")
        return isinstance(value, (int, float)) and int(lo) <= value <= int(hi)

    choices = {"jenis": ["Barang", "Konstruksi", "Jasa Konsultansi"]}
    tried = list(rule_assignments(t, {"jenis": "Jasa Konsultansi", "nilai": 5}, choices, matches))
    assert tried[0] == {"jenis": "Jasa Konsultansi", "nilai": 5}
    # rule 1 isolated: its entries hold and rule 2's range is avoided
    assert tried[1] == {"jenis": "Barang", "nilai": 0}
    assert tried[2]["jenis"] == "Konstruksi" and 1 <= tried[2]["nilai"] <= 400000000
    # rule 1 without isolation keeps the base value where the entry accepts it
    assert {"jenis": "Barang", "nilai": 5} in tried
    # an assignment matching no rule's specific entries
    assert any(a["jenis"] == "Jasa Konsultansi" and a["nilai"] > 400000000 for a in tried)
    assert len(list(rule_assignments(t, {}, choices, matches, thorough=False))) < len(tried)
