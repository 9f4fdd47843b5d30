"""map_decision_result (camunda:mapDecisionResult) and required decisions (decision requirements graphs)."""
from __future__ import annotations

import pytest

from service.engine.dmn import DecisionError, DecisionResult, evaluate_decision, map_decision_result, parse_dmn
from tests.engine.dmn_fixtures.builder import decision_xml, definitions, fixture, table


def result_of(rows: list[dict], key: str = "dec") -> DecisionResult:
    return DecisionResult(key=key, result_list=rows, matched_rules=[], evaluations=[], diagnostics=[])


class TestMapping:
    @pytest.mark.parametrize("rows, expected", [([], None), ([{"a": 1}], 1), ([{"a": None}], None)])
    def test_single_entry(self, rows, expected):
        assert map_decision_result(result_of(rows), "singleEntry") == expected

    def test_single_entry_with_several_rows(self):
        with pytest.raises(DecisionError, match="'dec'.*expected a single result but 2 rules matched"):
            map_decision_result(result_of([{"a": 1}, {"a": 2}]), "singleEntry")

    def test_single_entry_with_several_outputs(self):
        with pytest.raises(DecisionError, match=r"singleEntry needs one output.*\(a, b\)"):
            map_decision_result(result_of([{"a": 1, "b": 2}]), "singleEntry")

    def test_single_result(self):
        assert map_decision_result(result_of([]), "singleResult") is None
        assert map_decision_result(result_of([{"a": 1, "b": 2}]), "singleResult") == {"a": 1, "b": 2}
        with pytest.raises(DecisionError, match="expected a single result"):
            map_decision_result(result_of([{"a": 1}, {"a": 1}]), "singleResult")

    def test_collect_entries(self):
        assert map_decision_result(result_of([]), "collectEntries") == []
        assert map_decision_result(result_of([{"a": 1}, {"a": 2}, {"a": None}]), "collectEntries") == [1, 2, None]
        with pytest.raises(DecisionError, match="collectEntries needs one output name"):
            map_decision_result(result_of([{"a": 1, "b": 1}]), "collectEntries")
        with pytest.raises(DecisionError, match=r"\(a, b\)"):
            map_decision_result(result_of([{"a": 1}, {"b": 1}]), "collectEntries")

    def test_result_list_is_a_copy(self):
        rows = [{"a": 1}, {"a": 2, "b": 3}]
        mapped = map_decision_result(result_of(rows), "resultList")
        assert mapped == rows and mapped[0] is not rows[0]
        assert map_decision_result(result_of([]), "resultList") == []

    def test_unknown_mapping(self):
        with pytest.raises(DecisionError, match="unknown mapDecisionResult 'firstEntry'"):
            map_decision_result(result_of([]), "firstEntry")

    def test_error_names_the_matched_rules(self):
        xml = table(inputs=[("x", None)], outputs=[("y", None)], hit_policy="COLLECT",
                    rules=[(["-"], ["1"]), (["-"], ["2"])])
        result = evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 1})
        with pytest.raises(DecisionError) as info:
            map_decision_result(result, "singleEntry")
        assert info.value.rule_ids == ["d_r1", "d_r2"] and "d_r1, d_r2" in str(info.value)
        assert map_decision_result(result, "collectEntries") == [1, 2]


class TestRequiredDecisions:
    def models(self, name: str) -> dict:
        return {m.key: m for m in parse_dmn(name, fixture(name))}

    @pytest.mark.parametrize("month, guests, dish", [
        (1, 4, "Spareribs"), (12, 9, "Pasta"), (7, 12, "Light Salad"), (4, 6, "Steak"), (4, 2, "Stew"),
    ])
    def test_chain_of_two_required_decisions(self, month, guests, dish):
        models = self.models("dish.dmn")
        result = evaluate_decision(models["beverages"], {"month": month, "guestCount": guests,
                                                         "guestsWithChildren": False})
        assert [e.key for e in result.evaluations] == ["season", "dish"]
        assert result.evaluations[1].result_list == [{"desiredDish": dish}]
        assert {"beverages": "Water"} in result.result_list

    def test_collect_result_and_input_variable(self):
        models = self.models("dish.dmn")
        result = evaluate_decision(models["beverages"], {"month": 4, "guestCount": 6, "guestsWithChildren": True})
        assert map_decision_result(result, "collectEntries") == ["Pinot Noir", "Apple Juice", "Water"]
        assert [r.rule_id for r in result.matched_rules] == ["bev_pinot", "bev_apple_juice", "bev_water"]

    def test_required_result_is_bound_by_name_and_id(self):
        season = decision_xml("season_id", name="Season Name", inputs=[("m", None)], outputs=[("season", None)],
                              rules=[(["-"], ['"dry"'])])
        probe = decision_xml("probe", requires=["season_id"], inputs=[("season", None), ("Season Name", None),
                                                                      ("season_id", None)],
                             outputs=[("out", None)], rules=[(['"dry"', '"dry"', '"dry"'], ["true"])])
        models = {m.key: m for m in parse_dmn("p.dmn", definitions(probe, season))}
        result = evaluate_decision(models["probe"], {"m": 1})
        assert result.result_list == [{"out": True}]
        assert [i["value"] for i in result.inputs] == ["dry", "dry", "dry"]

    def test_multi_output_and_multi_hit_required_results(self):
        pair = decision_xml("pair", inputs=[("m", None)], outputs=[("a", None), ("b", None)],
                            rules=[(["-"], ["1", "2"])])
        many = decision_xml("many", hit_policy="COLLECT", inputs=[("m", None)], outputs=[("v", None)],
                            rules=[(["-"], ["1"]), (["-"], ["2"])])
        probe = decision_xml("probe", requires=["pair", "many"], name=None,
                             inputs=[("pair.b", None), ("a", None), ("v", None), ("many", None)],
                             outputs=[("out", None)], rules=[(["2", "1", "[1,2]", "[1,2]"], ["true"])])
        models = {m.key: m for m in parse_dmn("p.dmn", definitions(pair, many, probe))}
        result = evaluate_decision(models["probe"], {"m": 0})
        assert [i["value"] for i in result.inputs] == [2, 1, [1, 2], [1, 2]]
        assert result.result_list == [{"out": True}]

    def test_required_literal_decision_by_name(self):
        models = self.models("literal.dmn")
        result = evaluate_decision(models["predikat"], {"kualitas": 3, "biaya": 2, "waktu": 3, "layanan": 2})
        assert result.result_list == [{"predikat": "Baik"}]
        assert result.evaluations[0].result_list == [{"nilai": 2.6}]
        result = evaluate_decision(models["predikat"], {"kualitas": 0, "biaya": 0, "waktu": 0, "layanan": 0})
        assert result.result_list == [{"predikat": "Buruk"}]

    def test_required_decision_with_no_match_binds_null(self):
        first = decision_xml("first", inputs=[("m", None)], outputs=[("x", None)], rules=[(["> 100"], ["1"])])
        probe = decision_xml("probe", requires=["first"], inputs=[("first", None)], outputs=[("out", None)],
                             rules=[(["null"], ['"none"'])])
        models = {m.key: m for m in parse_dmn("p.dmn", definitions(first, probe))}
        assert evaluate_decision(models["probe"], {"m": 1}).result_list == [{"out": "none"}]

    def test_shared_requirement_evaluated_once(self):
        base = decision_xml("base", inputs=[("m", None)], outputs=[("b", None)], rules=[(["-"], ["m + 1"])])
        left = decision_xml("left", requires=["base"], inputs=[("b", None)], outputs=[("l", None)],
                            rules=[(["-"], ["b * 2"])])
        right = decision_xml("right", requires=["base"], inputs=[("b", None)], outputs=[("r", None)],
                             rules=[(["-"], ["b * 3"])])
        top = decision_xml("top", requires=["left", "right"], inputs=[("l + r", None)], outputs=[("t", None)],
                           rules=[(["-"], ["l + r"])])
        models = {m.key: m for m in parse_dmn("p.dmn", definitions(top, left, right, base))}
        result = evaluate_decision(models["top"], {"m": 1})
        assert [e.key for e in result.evaluations] == ["base", "left", "right"]
        assert result.result_list == [{"t": 10}]
