"""Cells of decision tables: unary-test forms, input expressions (FEEL and JUEL), outputs and typeRefs."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from service.engine.dmn import evaluate_decision, parse_dmn
from tests.engine.dmn_fixtures.builder import table


def matches(entry: str, value, type_ref: str | None = None, variables: dict | None = None) -> bool:
    xml = table(inputs=[("x", type_ref)], outputs=[("hit", "boolean")], rules=[([entry], ["true"])])
    result = evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": value, **(variables or {})})
    return result.result_list == [{"hit": True}]


class TestUnaryTests:
    @pytest.mark.parametrize("entry, value, expected", [
        ('"a","b"', "a", True), ('"a","b"', "b", True), ('"a","b"', "c", False),
        ('not("x")', "y", True), ('not("x")', "x", False), ('not("x","y")', "y", False),
        ("[1..5]", 1, True), ("[1..5]", 5, True), ("[1..5]", 3, True), ("[1..5]", 6, False), ("[1..5]", 0.5, False),
        ("]1..5[", 1, False), ("]1..5[", 5, False), ("]1..5[", 1.01, True), ("(1..5)", 4.99, True),
        ("[1..5[", 5, False), ("-", "anything", True), ("-", None, True), ("", 42, True),
        ("true", True, True), ("true", False, False), ("false", False, True),
        ("1,2,3", 2, True), ("1,2,3", 4, False), ("< 10", 9, True), ("<= 10", 10, True), ("> 10", 10, False),
        (">= 10", 10, True), ('!= "x"', "y", True), ("10", 10.0, True), ("10", Decimal("10.00"), True),
        ('< date("2024-01-01")', dt.date(2023, 12, 31), True),
        ('< date("2024-01-01")', dt.date(2024, 1, 1), False),
        ('[date("2024-01-01")..date("2024-12-31")]', dt.date(2024, 6, 1), True),
        ('date("2024-01-01")', dt.date(2024, 1, 1), True),
        ("null", None, True), ("null", 0, False), ("< 10", None, False),
        ("? > 3", 4, True), ("cellInput > 3", 4, True), ("cellInput > 3", 2, False), ("cellInput > 3", None, False),
        ("cellInput = false", False, True), ("cellInput = null", None, True), ("\"cellInput\"", "cellInput", True),
    ])
    def test_entry(self, entry, value, expected):
        assert matches(entry, value) is expected

    def test_entry_may_reference_other_variables(self):
        assert matches("> limit", 10, variables={"limit": 5}) is True
        assert matches("> limit", 10, variables={"limit": 50}) is False
        assert matches("[low..high]", 7, variables={"low": 5, "high": 9}) is True

    def test_custom_input_variable(self):
        xml = table(inputs=[("amount", "number", "nilai")], outputs=[("big", "boolean")],
                    rules=[(["nilai > 100"], ["true"]), (["nilai <= 100"], ["false"])])
        model = parse_dmn("t.dmn", xml)[0]
        assert evaluate_decision(model, {"amount": 150}).result_list == [{"big": True}]
        assert evaluate_decision(model, {"amount": 50}).result_list == [{"big": False}]

    def test_juel_input_entry(self):
        assert matches("${cellInput > 3}", 4) is True
        assert matches("${cellInput > 3}", 2) is False
        assert matches("#{cellInput == 'a' || cellInput == 'b'}", "b") is True


class TestInputs:
    def test_missing_input_variable_is_null(self):
        xml = table(inputs=[("amount", "number"), ("region", "string")], outputs=[("out", "string")],
                    rules=[(["null", "-"], ['"no amount"']), (["> 0", "-"], ['"amount"'])])
        result = evaluate_decision(parse_dmn("t.dmn", xml)[0], {})
        assert result.result_list == [{"out": "no amount"}]
        assert result.inputs[0]["value"] is None and result.inputs[1]["value"] is None

    def test_feel_input_expression(self):
        xml = table(inputs=[("amount * 2 + bonus", "number")], outputs=[("out", "number")],
                    rules=[(["> 10"], ["amount"]), (["<= 10"], ["0"])])
        result = evaluate_decision(parse_dmn("t.dmn", xml)[0], {"amount": 5, "bonus": 1})
        assert result.result_list == [{"out": 5}]

    def test_juel_input_expression_and_missing_variable_is_null(self):
        xml = table(inputs=[("${order.total}", "number"), ("${absent}", None)], outputs=[("out", "string")],
                    rules=[(["> 100", "null"], ['"big"']), (["<= 100", "-"], ['"small"'])])
        model = parse_dmn("t.dmn", xml)[0]
        assert evaluate_decision(model, {"order": {"total": 150}}).result_list == [{"out": "big"}]
        assert evaluate_decision(model, {"order": {"total": 10}}).result_list == [{"out": "small"}]

    def test_input_type_ref_coercion(self):
        xml = table(inputs=[("x", "integer")], outputs=[("out", "string")],
                    rules=[(["null"], ['"null"']), (["-"], ['"value"'])], hit_policy="FIRST")
        model = parse_dmn("t.dmn", xml)[0]
        assert evaluate_decision(model, {"x": 3}).result_list == [{"out": "value"}]
        result = evaluate_decision(model, {"x": "three"})
        assert result.result_list == [{"out": "null"}]
        assert any("input d_in0" in d and "integer" in d for d in result.diagnostics)

    def test_names_with_spaces(self):
        xml = table(inputs=[("Monthly Salary * 12", "number")], outputs=[("band", "string")],
                    rules=[([">= 120000"], ['"high"']), (["< 120000"], ['"low"'])])
        result = evaluate_decision(parse_dmn("t.dmn", xml)[0], {"Monthly Salary": 10000})
        assert result.result_list == [{"band": "high"}]


class TestOutputs:
    def test_output_expressions_use_variables(self):
        xml = table(inputs=[("x", "number")], outputs=[("total", "number"), ("label", "string")],
                    rules=[(["-"], ["x * 1.1", '"nilai " + string(x)'])])
        result = evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 10})
        assert result.result_list == [{"total": 11, "label": "nilai 10"}]
        assert isinstance(result.result_list[0]["total"], int)

    def test_empty_output_entry_is_null(self):
        xml = table(inputs=[("x", "number")], outputs=[("a", "string"), ("b", "string")],
                    rules=[(["-"], ['"set"', ""])])
        assert evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 1}).result_list == [{"a": "set", "b": None}]

    @pytest.mark.parametrize("type_ref, cell, expected", [
        ("string", '"abc"', "abc"), ("number", "1.5", 1.5), ("number", "2", 2), ("integer", "7", 7),
        ("boolean", "false", False), ("date", 'date("2024-02-29")', dt.date(2024, 2, 29)),
        ("string", "42", None), ("boolean", '"yes"', None), ("number", '"12"', None),
    ])
    def test_output_type_ref(self, type_ref, cell, expected):
        xml = table(inputs=[("x", None)], outputs=[("out", type_ref)], rules=[(["-"], [cell])])
        result = evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 1})
        value = result.result_list[0]["out"]
        assert value == expected and type(value) is type(expected)
        if expected is None:
            assert any("out" in d and type_ref in d for d in result.diagnostics)

    def test_datetime_output_stays_a_datetime(self):
        xml = table(inputs=[("x", None)], outputs=[("at", "dateTime")],
                    rules=[(["-"], ['date and time("2024-05-01T08:00:00Z")'])])
        value = evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 1}).result_list[0]["at"]
        assert isinstance(value, dt.datetime) and value.year == 2024 and value.hour == 8

    def test_juel_output_entry(self):
        xml = table(inputs=[("x", None)], outputs=[("greeting", "string")], rules=[(["-"], ["Halo ${name}"])])
        assert evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 1, "name": "Sari"}).result_list == \
            [{"greeting": "Halo Sari"}]

    def test_invalid_operation_in_output_is_null_with_diagnostic(self):
        xml = table(inputs=[("x", None)], outputs=[("out", None)], rules=[(["-"], ['"a" + 1'])])
        result = evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 1})
        assert result.result_list == [{"out": None}]
        assert result.diagnostics


class TestEvaluationErrors:
    def test_juel_error_in_entry_is_a_decision_error_naming_the_rule(self):
        from service.engine.dmn import DecisionError
        xml = table(inputs=[("x", None)], outputs=[("y", None)], rules=[(["${cellInput + 'abc' > 1}"], ["1"])])
        with pytest.raises(DecisionError) as info:
            evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 1})
        assert info.value.rule_ids == ["d_r1"] and "rule d_r1" in str(info.value)
        assert "cannot coerce 'abc'" in str(info.value)

    def test_limit_in_input_expression_is_a_decision_error(self):
        from service.engine.dmn import DecisionError
        from service.expr import LimitExceeded, Limits
        xml = table(inputs=[("count(for i in 1..100000 return i)", None)], outputs=[("y", None)],
                    rules=[(["-"], ["1"])])
        model = parse_dmn("t.dmn", xml)[0]
        assert evaluate_decision(model, {}).result_list == [{"y": 1}]
        with pytest.raises(DecisionError, match="limit exceeded") as info:
            evaluate_decision(model, {}, limits=Limits(max_collection=1000))
        assert isinstance(info.value.__cause__, LimitExceeded)

    def test_table_without_inputs(self):
        xml = table(inputs=[], outputs=[("y", None)], rules=[([], ['"always"'])])
        assert evaluate_decision(parse_dmn("t.dmn", xml)[0], {}).result_list == [{"y": "always"}]

    def test_range_output_is_null_with_diagnostic(self):
        xml = table(inputs=[("x", None)], outputs=[("y", None)], rules=[(["-"], ["[1..5]"])])
        result = evaluate_decision(parse_dmn("t.dmn", xml)[0], {"x": 1})
        assert result.result_list == [{"y": None}]
        assert any("range cannot be a decision result" in d for d in result.diagnostics)
