"""Hit policies and COLLECT aggregations of decision tables."""
from __future__ import annotations

import datetime as dt

import pytest

from service.engine.dmn import DecisionError, evaluate_decision, parse_dmn
from tests.engine.dmn_fixtures.builder import fixture, table


def decide(xml: bytes, variables: dict):
    model = parse_dmn("t.dmn", xml)[0]
    return evaluate_decision(model, variables)


# score -> several overlapping rules; outputs carry the rule number to see order
OVERLAP_RULES = [
    ([">= 10"], ['"low"', "1"], "ten or more"),
    ([">= 20"], ['"high"', "2"]),
    ([">= 30"], ['"medium"', "3"]),
    (["< 0"], ['"negative"', "4"]),
]
OVERLAP_OUTPUTS = [("level", "string", '"high","medium","low","negative"'), ("n", "number")]


def overlap(hit_policy: str | None, aggregation: str | None = None, outputs=None, rules=None) -> bytes:
    return table(inputs=[("score", "number")], outputs=outputs or OVERLAP_OUTPUTS, rules=rules or OVERLAP_RULES,
                 hit_policy=hit_policy, aggregation=aggregation)


class TestSingleHit:
    def test_unique_default_single_match(self):
        result = decide(overlap(None), {"score": 15})
        assert result.result_list == [{"level": "low", "n": 1}]
        assert [(r.rule_id, r.index, r.annotation, r.decision_key) for r in result.matched_rules] == \
            [("d_r1", 1, "ten or more", "d")]
        assert result.matched_rules[0].outputs == {"level": "low", "n": 1}

    def test_unique_two_matches_names_the_rules(self):
        with pytest.raises(DecisionError) as info:
            decide(overlap("UNIQUE"), {"score": 25})
        assert "UNIQUE" in str(info.value) and "'d'" in str(info.value)
        assert "d_r1, d_r2" in str(info.value)
        assert info.value.rule_ids == ["d_r1", "d_r2"] and info.value.decision_key == "d"

    def test_no_match_is_an_empty_result(self):
        for policy in ("UNIQUE", "FIRST", "ANY", "PRIORITY", "COLLECT", "RULE ORDER", "OUTPUT ORDER"):
            result = decide(overlap(policy), {"score": 5})
            assert result.result_list == [] and result.matched_rules == [], policy

    def test_first(self):
        result = decide(overlap("FIRST"), {"score": 35})
        assert result.result_list == [{"level": "low", "n": 1}]
        assert [r.rule_id for r in result.matched_rules] == ["d_r1"]

    def test_any_with_agreeing_outputs(self):
        rules = [([">= 10"], ['"ok"', "1"]), ([">= 20"], ['"ok"', "1"]), (["< 0"], ['"neg"', "2"])]
        result = decide(overlap("ANY", rules=rules), {"score": 25})
        assert result.result_list == [{"level": "ok", "n": 1}]
        assert [r.rule_id for r in result.matched_rules] == ["d_r1"]

    def test_any_with_different_outputs_is_an_error(self):
        with pytest.raises(DecisionError, match=r"ANY.*d_r1, d_r2.*different outputs"):
            decide(overlap("ANY"), {"score": 25})

    def test_priority_uses_output_values_order(self):
        result = decide(overlap("PRIORITY"), {"score": 35})
        assert result.result_list == [{"level": "high", "n": 2}]
        assert [r.rule_id for r in result.matched_rules] == ["d_r2"]

    def test_priority_over_several_outputs_in_output_order(self):
        outputs = [("grade", "string", '"A","B"'), ("tier", "number", "3,2,1")]
        rules = [(["> 0"], ['"B"', "3"]), (["> 1"], ['"A"', "1"]), (["> 2"], ['"A"', "2"])]
        result = decide(overlap("PRIORITY", outputs=outputs, rules=rules), {"score": 5})
        assert result.result_list == [{"grade": "A", "tier": 2}]

    def test_hit_policy_abbreviation(self):
        assert decide(overlap("F"), {"score": 35}).result_list == [{"level": "low", "n": 1}]


class TestMultipleHits:
    def test_rule_order(self):
        result = decide(overlap("RULE ORDER"), {"score": 35})
        assert result.result_list == [{"level": "low", "n": 1}, {"level": "high", "n": 2},
                                      {"level": "medium", "n": 3}]
        assert [r.index for r in result.matched_rules] == [1, 2, 3]

    def test_output_order(self):
        result = decide(overlap("OUTPUT ORDER"), {"score": 35})
        assert [row["level"] for row in result.result_list] == ["high", "medium", "low"]
        assert [r.rule_id for r in result.matched_rules] == ["d_r2", "d_r3", "d_r1"]

    def test_output_order_value_missing_from_list_ranks_last_with_a_diagnostic(self):
        rules = [([">= 10"], ['"unlisted"', "1"]), ([">= 20"], ['"low"', "2"])]
        result = decide(overlap("OUTPUT ORDER", rules=rules), {"score": 25})
        assert [row["level"] for row in result.result_list] == ["low", "unlisted"]
        assert any("not in its outputValues" in d for d in result.diagnostics)

    def test_collect_without_aggregation(self):
        result = decide(overlap("COLLECT"), {"score": 20})
        assert result.result_list == [{"level": "low", "n": 1}, {"level": "high", "n": 2}]
        assert result.collect_result is None


AGG_OUTPUT = [("points", "number")]
AGG_RULES = [([">= 1"], ["10"]), ([">= 2"], ["2.5"]), ([">= 3"], ["-4"]), ([">= 4"], [""]), (["< 0"], ["100"])]


class TestAggregations:
    @pytest.mark.parametrize("aggregation, score, expected", [
        ("SUM", 3, 8.5), ("SUM", 1, 10), ("MIN", 3, -4), ("MAX", 3, 10), ("COUNT", 3, 3),
        ("COUNT", 4, 3),  # the empty output entry of rule 4 is not counted
    ])
    def test_aggregation(self, aggregation, score, expected):
        result = decide(overlap("COLLECT", aggregation, outputs=AGG_OUTPUT, rules=AGG_RULES), {"score": score})
        assert result.result_list == [{"points": expected}]
        assert type(result.result_list[0]["points"]) is type(expected)
        assert result.collect_result == expected
        assert len(result.matched_rules) == min(score, 4)

    def test_sum_returns_int_when_integral(self):
        rules = [([">= 1"], ["1.5"]), ([">= 2"], ["2.5"])]
        result = decide(overlap("COLLECT", "SUM", outputs=AGG_OUTPUT, rules=rules), {"score": 2})
        assert result.result_list == [{"points": 4}] and isinstance(result.result_list[0]["points"], int)

    @pytest.mark.parametrize("aggregation", ["SUM", "MIN", "MAX"])
    def test_no_match_gives_no_result(self, aggregation):
        result = decide(overlap("COLLECT", aggregation, outputs=AGG_OUTPUT, rules=AGG_RULES), {"score": -1000})
        assert result.result_list == [{"points": 100}]
        result = decide(overlap("COLLECT", aggregation, outputs=AGG_OUTPUT, rules=AGG_RULES), {"score": 0})
        assert result.result_list == []

    def test_count_of_no_match_is_zero(self):
        result = decide(overlap("COLLECT", "COUNT", outputs=AGG_OUTPUT, rules=AGG_RULES), {"score": 0})
        assert result.result_list == [{"points": 0}]

    def test_min_max_of_strings_and_dates(self):
        rules = [([">= 1"], ['"b"']), ([">= 2"], ['"a"']), ([">= 3"], ['"c"'])]
        outputs = [("word", "string")]
        assert decide(overlap("COLLECT", "MIN", outputs=outputs, rules=rules), {"score": 3}).result_list == \
            [{"word": "a"}]
        rules = [([">= 1"], ['date("2024-03-01")']), ([">= 2"], ['date("2024-01-15")'])]
        result = decide(overlap("COLLECT", "MAX", outputs=[("due", "date")], rules=rules), {"score": 2})
        assert result.result_list == [{"due": dt.date(2024, 3, 1)}]

    def test_sum_of_strings_is_an_error(self):
        rules = [([">= 1"], ['"b"']), ([">= 2"], ['"a"'])]
        with pytest.raises(DecisionError, match="SUM needs numbers"):
            decide(overlap("COLLECT", "SUM", outputs=[("word", "string")], rules=rules), {"score": 2})

    def test_min_of_mixed_types_is_an_error(self):
        rules = [([">= 1"], ['"b"']), ([">= 2"], ["1"])]
        with pytest.raises(DecisionError, match="MIN needs comparable values"):
            decide(overlap("COLLECT", "MIN", outputs=[("x", None)], rules=rules), {"score": 2})


@pytest.fixture(scope="module")
def model():
    return parse_dmn("metode_pengadaan_20.dmn", fixture("metode_pengadaan_20.dmn"))[0]


class TestTwentyRules:
    @pytest.mark.parametrize("jenis, nilai, katalog, metode, pelaksana, rule", [
        ("Barang", 5_000_000, False, "Pengadaan Langsung", "Pejabat Pengadaan", 2),
        ("Barang", 150_000_000, False, "Pengadaan Langsung", "Pejabat Pengadaan", 3),
        ("Barang", 200_000_001, False, "Tender", "Pokja Pemilihan", 4),
        ("Barang", 20_000_000_000, False, "Tender", "Pokja Pemilihan", 5),
        ("Barang", 20_000_000_000, True, "E-purchasing", "Pejabat Pengadaan", 1),
        ("Pekerjaan Konstruksi", 400_000_000, False, "Pengadaan Langsung", "Pejabat Pengadaan", 8),
        ("Pekerjaan Konstruksi", 400_000_000.5, False, "Tender", "Pokja Pemilihan", 9),
        ("Jasa Konsultansi", 100_000_001, False, "Seleksi", "Pokja Pemilihan", 14),
        ("Jasa Konsultansi", 10_000_000, False, "Pengadaan Langsung", "Pejabat Pengadaan", 12),
        ("Jasa Lainnya", 15_000_000_001, False, "Tender", "Pokja Pemilihan", 20),
    ])
    def test_each_band(self, model, jenis, nilai, katalog, metode, pelaksana, rule):
        result = evaluate_decision(model, {"jenis": jenis, "nilai": nilai, "katalog": katalog})
        assert result.result_list == [{"metode": metode, "pelaksana": pelaksana}]
        assert [r.index for r in result.matched_rules] == [rule]
        assert result.inputs[1] == {"id": "in_nilai", "label": "Nilai HPS (Rp)", "value": nilai}

    def test_unknown_type_matches_nothing(self, model):
        assert evaluate_decision(model, {"jenis": "Hibah", "nilai": 1, "katalog": False}).result_list == []

    def test_model_metadata(self, model):
        assert model.key == "metodePengadaan" and model.name == "Metode Pengadaan"
        assert model.hit_policy == "UNIQUE" and model.aggregation is None and model.required == []
        assert model.input_names == ["Jenis pengadaan", "Nilai HPS (Rp)", "Tersedia di katalog"]
        assert model.output_names == ["metode", "pelaksana"]
        assert model.drd_key == "metode_defs" and model.resource_name == "metode_pengadaan_20.dmn"
        assert len(model.logic.rules) == 20
