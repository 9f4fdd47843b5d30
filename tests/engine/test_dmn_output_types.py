"""Decision results carry the Python type of their output's typeRef (Camunda: Double stays Double)."""
from __future__ import annotations

from pathlib import Path

import pytest

from service.engine.dmn import evaluate_decision, parse_dmn
from service.engine.dmn.typed_plain import typed_plain
from tests.engine.dmn_fixtures.builder import decision_xml, definitions, table

ROOT = Path(__file__).resolve().parents[2]


def one_output(type_ref: str | None, entry: str, **kw):
    xml = table(inputs=[("x", None)], outputs=[("y", type_ref)], rules=[(["-"], [entry])], **kw)
    return evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 1})


@pytest.mark.parametrize("type_ref, entry, expected, kind", [
    ("double", "0", 0.0, float),
    ("double", "3", 3.0, float),
    ("double", "2.5", 2.5, float),
    ("xsd:double", "7", 7.0, float),
    ("integer", "4", 4, int),
    ("long", "4.0", 4, int),
    ("number", "4", 4, int),
    ("number", "4.5", 4.5, float),
    (None, "4", 4, int),
    ("string", '"4"', "4", str),
    ("boolean", "true", True, bool),
])
def test_output_type_shapes_the_plain_value(type_ref, entry, expected, kind):
    result = one_output(type_ref, entry)
    value = result.result_list[0]["y"]
    assert value == expected and type(value) is kind
    matched = result.matched_rules[0].outputs["y"]
    assert matched == expected and type(matched) is kind


def test_date_output_is_a_date():
    import datetime as dt
    value = one_output("date", 'date("2026-01-05")').result_list[0]["y"]
    assert value == dt.date(2026, 1, 5) and type(value) is dt.date


def test_collect_sum_of_doubles_is_a_float_and_count_an_int():
    rules = [(["-"], ["1"]), (["-"], ["2"])]
    xml = table(inputs=[("x", None)], outputs=[("y", "double")], rules=rules, hit_policy="COLLECT",
                aggregation="SUM")
    result = evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 1})
    assert result.result_list == [{"y": 3.0}] and type(result.collect_result) is float
    xml = table(inputs=[("x", None)], outputs=[("y", "double")], rules=rules, hit_policy="COLLECT",
                aggregation="COUNT")
    result = evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 1})
    assert result.result_list == [{"y": 2}] and type(result.result_list[0]["y"]) is int


def test_collect_rows_of_doubles_are_floats():
    xml = table(inputs=[("x", None)], outputs=[("y", "double")], rules=[(["-"], ["1"]), (["-"], ["2"])],
                hit_policy="COLLECT")
    rows = evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 1}).result_list
    assert [type(row["y"]) for row in rows] == [float, float]


def test_literal_decision_with_double_variable():
    xml = definitions('<decision id="lit" name="Lit"><variable name="v" typeRef="double"/>'
                      '<literalExpression><text>1 + 1</text></literalExpression></decision>')
    result = evaluate_decision(parse_dmn("l.dmn", xml)[0], {})
    assert result.result_list == [{"v": 2.0}] and type(result.result_list[0]["v"]) is float


def test_required_decision_doubles_reach_the_requiring_decision():
    required = decision_xml("base", inputs=[("x", None)], outputs=[("b", "double")], rules=[(["-"], ["0"])])
    top = decision_xml("top", inputs=[("b", "double")], outputs=[("t", "double")], rules=[(["0"], ["b"])],
                       requires=["base"])
    models = {m.key: m for m in parse_dmn("r.dmn", definitions(required, top))}
    result = evaluate_decision(models["top"], {"x": 1})
    assert result.result_list == [{"t": 0.0}] and type(result.result_list[0]["t"]) is float
    assert type(result.evaluations[0].result_list[0]["b"]) is float


def test_kinerja_penyedia_pemutusan_gives_a_double_zero():
    content = (ROOT / "dmn" / "kinerja_penyedia.dmn").read_bytes()
    models = {m.key: m for m in parse_dmn("kinerja_penyedia.dmn", content)}
    top = models["kinerja_penyedia"]
    result = evaluate_decision(top, {"pemicu_penilaian": "pemutusan"})
    assert result.result_list, result.diagnostics
    value = result.result_list[0]["nilai_kinerja"]
    assert value == 0 and type(value) is float


def test_typed_plain_keeps_non_finite_and_lists():
    from decimal import Decimal
    assert typed_plain([Decimal(1), Decimal("1.5")], "list<double>") == [1.0, 1.5]
    assert type(typed_plain([Decimal(1)], "list<double>")[0]) is float
    assert typed_plain(Decimal("1E+400"), "double") == typed_plain(Decimal("1E+400"), None)
    assert typed_plain(None, "double") is None
