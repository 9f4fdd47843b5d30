"""dmn/kategori_pembinaan.dmn: coaching groups of SOP Pembinaan Pelaku Usaha step 7 (domain-rules.md s.5).

ASSUMPTION rules, COLLECT: a = active Daftar Hitam or last predikat Buruk (or Cukup); b = verified within
12 months and no contract yet; c = no offer for more than 12 months. Several groups can apply at once.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from service.engine.dmn import evaluate_decision, map_decision_result, parse_dmn

DMN_FILE = Path(__file__).resolve().parents[2] / "dmn" / "kategori_pembinaan.dmn"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
CAMUNDA_DMN = "http://camunda.org/schema/1.0/dmn"
NEUTRAL = {"ada_daftar_hitam": False, "predikat_kinerja_terendah": "Baik",
           "bulan_verifikasi_terbaru_belum_kontrak": None, "bulan_tanpa_penawaran_terlama": 3}


@pytest.fixture(scope="module")
def kategori():
    (model,) = parse_dmn(DMN_FILE.name, DMN_FILE.read_bytes())
    return model


def groups(model, **changes) -> list[str]:
    return map_decision_result(evaluate_decision(model, {**NEUTRAL, **changes}), "collectEntries")


def test_decision_key_and_hit_policy(kategori):
    assert kategori.hit_policy == "COLLECT"
    assert kategori.aggregation is None


def test_every_rule_is_an_assumption():
    root = etree.parse(str(DMN_FILE)).getroot()
    for rule in root.iter(f"{{{DMN13}}}rule"):
        assert "ASSUMPTION" in rule.findtext(f"{{{DMN13}}}description"), rule.get("id")


def test_no_group_applies(kategori):
    assert groups(kategori) == []


@pytest.mark.parametrize(("changes", "expected"), [
    ({"ada_daftar_hitam": True}, ["a"]),
    ({"predikat_kinerja_terendah": "Buruk"}, ["a"]),
    ({"predikat_kinerja_terendah": "Cukup"}, ["a"]),
    ({"predikat_kinerja_terendah": "Sangat Baik"}, []),
    ({"predikat_kinerja_terendah": "Belum Dinilai"}, []),
    ({"bulan_verifikasi_terbaru_belum_kontrak": 0}, ["b"]),
    ({"bulan_verifikasi_terbaru_belum_kontrak": 12}, ["b"]),     # boundary: within 12 months
    ({"bulan_verifikasi_terbaru_belum_kontrak": 13}, []),
    ({"bulan_tanpa_penawaran_terlama": 12}, []),                 # boundary: not yet passive
    ({"bulan_tanpa_penawaran_terlama": 13}, ["c"]),
    ({"bulan_tanpa_penawaran_terlama": None}, []),
])
def test_single_group(kategori, changes, expected):
    assert groups(kategori, **changes) == expected


def test_several_groups_apply_at_once(kategori):
    result = groups(kategori, ada_daftar_hitam=True, predikat_kinerja_terendah="Buruk",
                    bulan_verifikasi_terbaru_belum_kontrak=2, bulan_tanpa_penawaran_terlama=30)
    # COLLECT keeps one entry per matching rule, in rule order: two rules give "a".
    assert result == ["a", "a", "b", "c"]
    assert {"a", "b", "c"} == set(result)


def test_matched_rules_name_their_reason(kategori):
    result = evaluate_decision(kategori, {**NEUTRAL, "ada_daftar_hitam": True, "bulan_tanpa_penawaran_terlama": 24})
    assert [m.rule_id for m in result.matched_rules] == ["Rule_kategori_a_daftar_hitam", "Rule_kategori_c_pasif"]


def test_thresholds_are_plain_editable_cells():
    root = etree.parse(str(DMN_FILE)).getroot()
    cells = {rule.get("id"): [e.findtext(f"{{{DMN13}}}text") for e in rule.iter(f"{{{DMN13}}}inputEntry")]
             for rule in root.iter(f"{{{DMN13}}}rule")}
    assert cells["Rule_kategori_b_baru"][2] == "<= 12"
    assert cells["Rule_kategori_c_pasif"][3] == "> 12"
