"""dmn/kinerja_penyedia.dmn: provider performance per Perlem LKPP 4/2021 (domain-rules.md s.2).

nilai = 0.30 kualitas + 0.20 biaya + 0.30 waktu + 0.20 layanan (scores 1-3); bands 0 Buruk, [1, 2) Cukup,
[2, 3) Baik, 3 Sangat Baik; termination for provider fault -> 0 / Buruk / Daftar Hitam proposed (Pasal
78(3)a); no other result proposes Daftar Hitam. E-purchasing stars (ASSUMPTION): 1-2 -> 1, 3-4 -> 2, 5 -> 3.
"""
from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from service.engine.dmn import evaluate_decision, map_decision_result, parse_dmn

DMN_FILE = Path(__file__).resolve().parents[2] / "dmn" / "kinerja_penyedia.dmn"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
CAMUNDA_DMN = "http://camunda.org/schema/1.0/dmn"
WEIGHTS = {"skor_kualitas": Decimal("0.30"), "skor_biaya": Decimal("0.20"), "skor_waktu": Decimal("0.30"),
           "skor_layanan": Decimal("0.20")}


def predikat_for(nilai: Decimal) -> str:
    if nilai < 1:
        return "Buruk"
    if nilai < 2:
        return "Cukup"
    if nilai < 3:
        return "Baik"
    return "Sangat Baik"


@pytest.fixture(scope="module")
def kinerja():
    return {m.key: m for m in parse_dmn(DMN_FILE.name, DMN_FILE.read_bytes())}["kinerja_penyedia"]


def assess(model, **variables):
    return map_decision_result(evaluate_decision(model, variables), "singleResult")


def test_decision_key_and_hit_policy(kinerja):
    assert kinerja.required == ["nilai_kinerja_penyedia"]
    assert kinerja.hit_policy == "UNIQUE"


@pytest.mark.parametrize("pemicu", ["bast", "kahar"])
@pytest.mark.parametrize("jenis", ["konstruksi", "lainnya"])
def test_every_score_combination(kinerja, pemicu, jenis):
    for scores in itertools.product((1, 2, 3), repeat=4):
        values = dict(zip(WEIGHTS, scores, strict=True))
        nilai = sum(WEIGHTS[k] * v for k, v in values.items())
        result = assess(kinerja, pemicu_penilaian=pemicu, jenis_pekerjaan=jenis, **values)
        assert result is not None, values
        assert Decimal(str(result["nilai_kinerja"])) == nilai, values
        assert result["predikat_kinerja"] == predikat_for(nilai), values
        assert result["usul_daftar_hitam"] is False, values


@pytest.mark.parametrize(("scores", "nilai", "predikat"), [
    ((1, 1, 1, 1), "1", "Cukup"),
    ((2, 2, 2, 2), "2", "Baik"),            # band boundary: 2 is Baik, not Cukup
    ((3, 3, 3, 3), "3", "Sangat Baik"),
    ((3, 3, 3, 2), "2.8", "Baik"),
    ((2, 1, 2, 1), "1.6", "Cukup"),
    ((3, 1, 2, 2), "2.1", "Baik"),
])
def test_worked_examples(kinerja, scores, nilai, predikat):
    result = assess(kinerja, pemicu_penilaian="bast", jenis_pekerjaan="konstruksi",
                    **dict(zip(WEIGHTS, scores, strict=True)))
    assert Decimal(str(result["nilai_kinerja"])) == Decimal(nilai)
    assert result["predikat_kinerja"] == predikat


def test_weights_are_30_20_30_20(kinerja):
    base = dict.fromkeys(WEIGHTS, 1)
    for key, weight in WEIGHTS.items():
        result = assess(kinerja, pemicu_penilaian="bast", jenis_pekerjaan="konstruksi", **{**base, key: 2})
        assert Decimal(str(result["nilai_kinerja"])) == 1 + weight, key


@pytest.mark.parametrize("variables", [
    {"jenis_pekerjaan": "konstruksi", "skor_kualitas": 3, "skor_biaya": 3, "skor_waktu": 3, "skor_layanan": 3},
    {"jenis_pekerjaan": "konstruksi"},
    {"jenis_pekerjaan": "e_purchasing", "bintang": 5},
])
def test_termination_for_provider_fault_is_zero_buruk_and_proposes_daftar_hitam(kinerja, variables):
    result = evaluate_decision(kinerja, {"pemicu_penilaian": "pemutusan", **variables})
    assert map_decision_result(result, "singleResult") == {"nilai_kinerja": 0, "predikat_kinerja": "Buruk",
                                                           "usul_daftar_hitam": True}
    assert result.matched_rules[0].rule_id == "Rule_kinerja_pemutusan"
    assert "Pasal 78" in result.matched_rules[0].annotation


@pytest.mark.parametrize(("bintang", "nilai", "predikat"), [
    (1, 1, "Cukup"), (2, 1, "Cukup"), (3, 2, "Baik"), (4, 2, "Baik"), (5, 3, "Sangat Baik")])
def test_e_purchasing_stars(kinerja, bintang, nilai, predikat):
    result = assess(kinerja, pemicu_penilaian="bast", jenis_pekerjaan="e_purchasing", bintang=bintang)
    assert result == {"nilai_kinerja": nilai, "predikat_kinerja": predikat, "usul_daftar_hitam": False}


def test_star_mapping_is_marked_as_assumption():
    root = etree.parse(str(DMN_FILE)).getroot()
    for rule_id in ("Rule_nilai_bintang_rendah", "Rule_nilai_bintang_sedang", "Rule_nilai_bintang_tinggi"):
        rule = root.find(f".//{{{DMN13}}}rule[@id='{rule_id}']")
        assert rule.findtext(f"{{{DMN13}}}description").startswith("ASSUMPTION")


@pytest.mark.parametrize("variables", [
    {"jenis_pekerjaan": "konstruksi", "skor_kualitas": 4, "skor_biaya": 3, "skor_waktu": 3, "skor_layanan": 3},
    {"jenis_pekerjaan": "konstruksi", "skor_kualitas": 0, "skor_biaya": 3, "skor_waktu": 3, "skor_layanan": 3},
    {"jenis_pekerjaan": "konstruksi", "skor_kualitas": 3},
    {"jenis_pekerjaan": "e_purchasing", "bintang": 6},
    {"jenis_pekerjaan": "e_purchasing"},
])
def test_incomplete_or_out_of_scale_scores_give_no_result(kinerja, variables):
    result = evaluate_decision(kinerja, {"pemicu_penilaian": "bast", **variables})
    assert result.result_list == []
    assert map_decision_result(result, "singleResult") is None
