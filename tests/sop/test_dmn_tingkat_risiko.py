"""dmn/tingkat_risiko.dmn: the PermenPANRB 5/2020 5x5 risk matrix and its level bands (domain-rules.md s.1).

The expected matrix below is copied from the regulation's table as recorded in domain-rules.md, so a wrong
cell in the DMN fails here. Every besaran 1..25 occurs exactly once in the matrix, so the 25 cells also
exercise every band boundary of the level decision.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from service.engine.dmn import evaluate_decision, map_decision_result, parse_dmn

DMN_FILE = Path(__file__).resolve().parents[2] / "dmn" / "tingkat_risiko.dmn"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
CAMUNDA_DMN = "http://camunda.org/schema/1.0/dmn"

# kemungkinan -> besaran for dampak 1..5 (PermenPANRB 5/2020, domain-rules.md s.1)
MATRIX = {
    5: [9, 15, 18, 23, 25],
    4: [6, 12, 16, 19, 24],
    3: [4, 10, 14, 17, 22],
    2: [2, 7, 11, 13, 21],
    1: [1, 3, 5, 8, 20],
}
CELLS = [(k, d, MATRIX[k][d - 1]) for k in range(1, 6) for d in range(1, 6)]


def level_for(besaran: int) -> str:
    if besaran <= 5:
        return "Sangat Rendah"
    if besaran <= 10:
        return "Rendah"
    if besaran <= 15:
        return "Sedang"
    if besaran <= 20:
        return "Tinggi"
    return "Sangat Tinggi"


@pytest.fixture(scope="module")
def decisions():
    return {m.key: m for m in parse_dmn(DMN_FILE.name, DMN_FILE.read_bytes())}


def test_two_decisions_level_requires_besaran(decisions):
    assert set(decisions) == {"besaran_risiko", "tingkat_risiko"}
    assert decisions["tingkat_risiko"].required == ["besaran_risiko"]
    assert decisions["besaran_risiko"].hit_policy == "UNIQUE"
    assert decisions["tingkat_risiko"].hit_policy == "UNIQUE"


@pytest.mark.parametrize(("kemungkinan", "dampak", "besaran"), CELLS)
def test_matrix_cell(decisions, kemungkinan, dampak, besaran):
    result = evaluate_decision(decisions["tingkat_risiko"], {"kemungkinan": kemungkinan, "dampak": dampak})
    assert map_decision_result(result, "singleResult") == {"besaran_risiko": besaran,
                                                           "level_risiko": level_for(besaran)}
    assert len(result.matched_rules) == 1
    assert [e.key for e in result.evaluations] == ["besaran_risiko"]
    inner = result.evaluations[0]
    assert len(inner.matched_rules) == 1
    assert inner.matched_rules[0].rule_id == f"Rule_besaran_K{kemungkinan}_D{dampak}"
    assert "PermenPANRB 5/2020" in inner.matched_rules[0].annotation


def test_matrix_is_a_lookup_not_a_product():
    # The regulation's matrix differs from kemungkinan x dampak: (5,1) is 9, not 5; (1,5) is 20, not 5.
    assert MATRIX[5][0] == 9 and MATRIX[1][4] == 20
    assert sorted(b for _, _, b in CELLS) == list(range(1, 26))


@pytest.mark.parametrize("variables", [
    {"kemungkinan": 0, "dampak": 3},
    {"kemungkinan": 6, "dampak": 3},
    {"kemungkinan": 3, "dampak": 0},
    {"kemungkinan": 3},
    {},
])
def test_out_of_scale_gives_no_result(decisions, variables):
    result = evaluate_decision(decisions["tingkat_risiko"], variables)
    assert result.result_list == []
    assert map_decision_result(result, "singleResult") is None


def test_level_bands_cover_1_to_25_once(decisions):
    # Evaluating the level table alone: every besaran falls in exactly one band.
    seen = []
    for besaran in range(1, 26):
        k, d = next((k, d) for k, d, b in CELLS if b == besaran)
        result = evaluate_decision(decisions["tingkat_risiko"], {"kemungkinan": k, "dampak": d})
        seen.append(result.matched_rules[0].rule_id)
    assert seen.count("Rule_level_Sangat_Rendah") == 5
    assert seen.count("Rule_level_Rendah") == 5
    assert seen.count("Rule_level_Sedang") == 5
    assert seen.count("Rule_level_Tinggi") == 5
    assert seen.count("Rule_level_Sangat_Tinggi") == 5


def test_score_20_band_was_checked_against_the_available_text(decisions):
    """Review (issue 16): 'a score of 20 shows as Tinggi; 20-25 may be Sangat Tinggi'. The text available here
    (domain-rules.md s.1 bands and the SPBE Risk Register template's per-cell levels) puts 20 in Tinggi; the
    annotation says so and that the regulation itself was not opened (ASSUMPTION), instead of a new citation."""
    result = evaluate_decision(decisions["tingkat_risiko"], {"kemungkinan": 1, "dampak": 5})
    assert map_decision_result(result, "singleResult") == {"besaran_risiko": 20, "level_risiko": "Tinggi"}
    note = result.matched_rules[0].annotation
    assert "besaran 20" in note and "ASSUMPTION" in note and "tidak dibuka" in note
    root = etree.parse(str(DMN_FILE)).getroot()
    for rule in root.iter(f"{{{DMN13}}}rule"):
        assert len(rule.findall(f"{{{DMN13}}}description")) == 1, rule.get("id")   # DMN 1.3: one annotation
