"""dmn/disposisi_risiko.dmn: tolerate / handle / escalate an analysed risk (domain-rules.md s.1 table).

Expected outcomes (ASSUMPTION thresholds, defaults): risk event passed -> toleransi; besaran <= 10 (selera
risiko) -> toleransi; 11..15 -> tangani; >= 16 -> eskalasi; each with an `alasan` the person reads. The table
only advises: the SOP steps 4 and 11 show the advice and the person's choice routes the gateway.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from service.engine.dmn import evaluate_decision, map_decision_result, parse_dmn
from service.sop.model import yaml_load

REPO = Path(__file__).resolve().parents[2]
DMN_FILE = REPO / "dmn" / "disposisi_risiko.dmn"
TINGKAT_FILE = REPO / "dmn" / "tingkat_risiko.dmn"
RISK_SOPS = [REPO / "sop" / "pagaralam" / "pengelolaan_risiko.yaml",
             REPO / "sop" / "pagaralam" / "manajemen_risiko_strategis.yaml"]
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
CAMUNDA_DMN = "http://camunda.org/schema/1.0/dmn"


def expected(besaran: int, lewat: bool) -> str:
    if lewat or besaran <= 10:
        return "toleransi"
    return "tangani" if besaran <= 15 else "eskalasi"


@pytest.fixture(scope="module")
def disposisi():
    (model,) = parse_dmn(DMN_FILE.name, DMN_FILE.read_bytes())
    return model


@pytest.fixture(scope="module")
def tingkat():
    return {m.key: m for m in parse_dmn(TINGKAT_FILE.name, TINGKAT_FILE.read_bytes())}["tingkat_risiko"]


def advice(result):
    return map_decision_result(result, "singleResult")["disposisi"]


def evaluate(model, besaran, lewat):
    return evaluate_decision(model, {"tingkat_risiko": {"besaran_risiko": besaran, "level_risiko": "-"},
                                     "peristiwa_risiko_lewat": lewat})


def test_decision_key_and_hit_policy(disposisi):
    assert disposisi.key == "disposisi_risiko"
    assert disposisi.hit_policy == "UNIQUE"


@pytest.mark.parametrize("lewat", [False, True])
@pytest.mark.parametrize("besaran", range(1, 26))
def test_every_besaran_has_exactly_one_disposition(disposisi, besaran, lewat):
    result = evaluate(disposisi, besaran, lewat)
    assert len(result.matched_rules) == 1
    assert advice(result) == expected(besaran, lewat)


@pytest.mark.parametrize(("besaran", "outcome"), [(10, "toleransi"), (11, "tangani"), (15, "tangani"),
                                                  (16, "eskalasi")])
def test_threshold_boundaries(disposisi, besaran, outcome):
    assert advice(evaluate(disposisi, besaran, False)) == outcome


def test_passed_event_is_tolerable_even_at_the_top(disposisi):
    result = evaluate(disposisi, 25, True)
    assert advice(result) == "toleransi"
    assert result.matched_rules[0].rule_id == "Rule_disposisi_peristiwa_lewat"


def test_missing_besaran_gives_no_result(disposisi):
    # The process gateways then take their default (step 4: handle, step 11: escalate).
    result = evaluate_decision(disposisi, {"peristiwa_risiko_lewat": False})
    assert result.result_list == []


@pytest.mark.parametrize(("kemungkinan", "dampak", "outcome"), [
    (1, 1, "toleransi"),    # besaran 1
    (3, 2, "toleransi"),    # 10: at the selera risiko
    (2, 3, "tangani"),      # 11
    (3, 3, "tangani"),      # 14
    (4, 3, "eskalasi"),     # 16
    (1, 5, "eskalasi"),     # 20: a lookup cell, not 1 x 5
    (5, 5, "eskalasi"),     # 25
])
def test_chained_with_tingkat_risiko_as_the_process_does(tingkat, disposisi, kemungkinan, dampak, outcome):
    hasil = map_decision_result(evaluate_decision(tingkat, {"kemungkinan": kemungkinan, "dampak": dampak}),
                                "singleResult")
    result = evaluate_decision(disposisi, {"tingkat_risiko": hasil, "peristiwa_risiko_lewat": False})
    assert advice(result) == outcome


def test_thresholds_are_plain_editable_cells():
    root = etree.parse(str(DMN_FILE)).getroot()
    cells = {rule.get("id"): [e.findtext(f"{{{DMN13}}}text") for e in rule.iter(f"{{{DMN13}}}inputEntry")]
             for rule in root.iter(f"{{{DMN13}}}rule")}
    assert cells["Rule_disposisi_dalam_selera"] == ["false", "<= 10"]
    assert cells["Rule_disposisi_perlu_ditangani"] == ["false", "[11..15]"]
    assert cells["Rule_disposisi_perlu_eskalasi"] == ["false", ">= 16"]
    for rule_id in ("Rule_disposisi_dalam_selera", "Rule_disposisi_perlu_ditangani",
                    "Rule_disposisi_perlu_eskalasi"):
        rule = root.find(f".//{{{DMN13}}}rule[@id='{rule_id}']")
        assert "ASSUMPTION" in rule.findtext(f"{{{DMN13}}}description")


@pytest.mark.parametrize("lewat", [False, True])
@pytest.mark.parametrize("besaran", [1, 10, 11, 15, 16, 25])
def test_every_advice_carries_its_reason(disposisi, besaran, lewat):
    result = map_decision_result(evaluate(disposisi, besaran, lewat), "singleResult")
    assert set(result) == {"disposisi", "alasan"}
    assert len(result["alasan"]) > 20
    # the reason names the threshold the advice rests on
    assert ("lewat" in result["alasan"]) if lewat else (str(min(besaran, 16) if besaran > 10 else 10)
                                                          in result["alasan"])


@pytest.mark.parametrize("sop", RISK_SOPS, ids=lambda p: p.stem)
def test_sop_steps_show_every_advice_the_table_can_give(sop):
    """The table advises at steps 4 and 11; each of its outputs is a choice of the person or an advice
    value mapped to one, so the form can show every advice and preset the choice to it."""
    root = etree.parse(str(DMN_FILE)).getroot()
    allowed = set(re.findall(r'"([^"]*)"', root.findtext(f".//{{{DMN13}}}outputValues/{{{DMN13}}}text")))
    table = yaml_load(sop.read_text(encoding="utf-8"))      # `no:` stays a key, not YAML 1.1 false
    advised = {s.get("no"): s for s in table["steps"] if (s.get("advice") or {}).get("decision") == "disposisi_risiko"}
    assert set(advised) == {"4", "11"}
    assert not [s for s in table["steps"] if (s.get("decision") or {}).get("ref") == "disposisi_risiko"]
    for step in advised.values():
        adv = step["advice"]
        choice = next(f for f in step["fields"] if f["key"] == adv["field"])
        choices = {v["value"] for v in choice["values"]}
        shown = choices | {v["value"] for v in adv.get("values", [])}
        assert shown == allowed
        assert {v["choose"] for v in adv.get("values", [])} <= choices
        assert adv["output"] == "disposisi" and adv["reason"] == "alasan"
