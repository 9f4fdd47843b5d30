"""parse_dmn: namespaces, model data and error messages (file, element id, line, offending text)."""
from __future__ import annotations

import pytest

from service.engine.dmn import DecisionModel, DmnModelError, evaluate_decision, parse_dmn
from tests.engine.dmn_fixtures.builder import (DMN11, DMN12, DMN13, DMN14, DMN15, compile_error, decision_xml,
                                               definitions, fixture, table)

SIMPLE = dict(inputs=[("x", "number")], outputs=[("y", "string")],
              rules=[(["< 5"], ['"small"']), ([">= 5"], ['"big"'])])


@pytest.mark.parametrize("ns", [DMN11, DMN12, DMN13, DMN14, DMN15])
def test_every_dmn_namespace(ns):
    model = parse_dmn("simple.dmn", table(ns=ns, **SIMPLE))[0]
    assert isinstance(model, DecisionModel)
    assert model.key == "d" and model.name == "Decision" and model.hit_policy == "UNIQUE"
    assert evaluate_decision(model, {"x": 7}).result_list == [{"y": "big"}]


def test_dmn11_file_with_description_annotations():
    model = parse_dmn("risk_level_dmn11.dmn", fixture("risk_level_dmn11.dmn"))[0]
    result = evaluate_decision(model, {"besaran": 8})
    assert result.result_list == [{"level": "Rendah", "dapatDitolerir": True}]
    assert result.matched_rules[0].annotation == "Rendah"
    result = evaluate_decision(model, {"besaran": 12})
    assert result.matched_rules[0].annotation is None
    assert result.result_list == [{"level": "Sedang", "dapatDitolerir": False}]


def test_several_decisions_in_file_order_with_camunda_attributes():
    models = parse_dmn("dish.dmn", fixture("dish.dmn"))
    assert [m.key for m in models] == ["beverages", "dish", "season"]
    beverages = models[0]
    assert beverages.required == ["dish"] and models[1].required == ["season"] and models[2].required == []
    assert beverages.version_tag == "v1" and beverages.history_ttl == "180"
    assert beverages.drd_key == "dinnerDecisions" and beverages.drd_name == "Dinner Decisions"
    assert beverages.hit_policy == "COLLECT" and models[2].hit_policy == "FIRST"
    assert beverages.xml == fixture("dish.dmn") and beverages.resource_name == "dish.dmn"


def test_literal_expression_decisions():
    models = {m.key: m for m in parse_dmn("literal.dmn", fixture("literal.dmn"))}
    assert models["nilaiKinerja"].kind == "literalExpression" and models["nilaiKinerja"].hit_policy is None
    result = evaluate_decision(models["nilaiKinerja"], {"kualitas": 3, "biaya": 3, "waktu": 3, "layanan": 3})
    assert result.result_list == [{"nilai": 3}] and result.matched_rules == []
    assert evaluate_decision(models["sapaan"], {"nama": "Budi"}).result_list == [{"sapaan": "Yth. Budi"}]
    assert models["sapaan"].output_names == ["sapaan"]


def test_string_content_is_accepted():
    assert parse_dmn("s.dmn", table(**SIMPLE).decode())[0].key == "d"  # type: ignore[arg-type]


def error_of(xml: bytes, name: str = "bad.dmn") -> DmnModelError:
    return compile_error(xml, name)


def line_of(xml: bytes, fragment: str) -> int:
    return next(n for n, line in enumerate(xml.decode().splitlines(), 1) if fragment in line)


class TestCellErrors:
    def test_bad_input_entry_names_file_rule_line_and_text(self):
        xml = table(inputs=[("x", "number")], outputs=[("y", "string")],
                    rules=[(["< 5"], ['"a"']), (["[1..", ], ['"b"'], None, "rule_broken")])
        error = error_of(xml, "tabel.dmn")
        assert error.file == "tabel.dmn" and error.element_id == "rule_broken"
        assert error.line == line_of(xml, '<inputEntry id="rule_broken_i0">')
        assert "'[1..'" in error.message and "input entry" in error.message
        assert str(error).startswith(f"tabel.dmn: rule_broken (line {error.line}): rule 2, input entry")

    def test_bad_output_entry(self):
        xml = table(inputs=[("x", None)], outputs=[("y", None)], rules=[(["-"], ['"unterminated'])])
        error = error_of(xml)
        assert error.element_id == "d_r1" and "output entry for y" in error.message
        assert "'\"unterminated'" in error.message
        assert error.line == line_of(xml, '<outputEntry id="d_r1_o0">')

    def test_bad_input_expression_names_the_input(self):
        xml = table(inputs=[("x +* 2", None)], outputs=[("y", None)], rules=[(["-"], ["1"])])
        error = error_of(xml)
        assert error.element_id == "d_in0" and "input expression of input 1" in error.message
        assert "'x +* 2'" in error.message
        assert error.line == line_of(xml, '<input id="d_in0"')

    def test_refused_juel_cell(self):
        xml = table(inputs=[("${x.getClass()}", None)], outputs=[("y", None)], rules=[(["-"], ["1"])])
        assert "getClass" in error_of(xml).message

    def test_bad_input_values(self):
        xml = table(inputs=[("x", None)], outputs=[("y", None)], rules=[(["-"], ["1"])],
                    input_values={0: '"a", ['})
        error = error_of(xml)
        assert error.element_id == "d_in0" and "inputValues" in error.message

    def test_unsupported_expression_language(self):
        xml = table(inputs=[("x", None)], outputs=[("y", None)], rules=[(["-"], ["1"])]).replace(
            b'<inputExpression id="d_ie0"', b'<inputExpression id="d_ie0" expressionLanguage="javascript"')
        assert "expression language 'javascript' is not supported" in error_of(xml).message


class TestStructureErrors:
    def test_not_xml(self):
        error = error_of(b"<definitions><oops></definitions>")
        assert error.file == "bad.dmn" and "invalid XML" in error.message and error.line == 1

    def test_not_dmn(self):
        error = error_of(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>')
        assert "not a DMN file" in error.message

    def test_doctype_refused(self):
        xml = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               b'<definitions xmlns="' + DMN13.encode() + b'"><decision id="d">&x;</decision></definitions>')
        assert "DOCTYPE" in error_of(xml).message

    def test_no_decision(self):
        assert "no decision" in error_of(definitions()).message

    def test_duplicate_decision_id(self):
        xml = definitions(decision_xml("a", **SIMPLE), decision_xml("a", **SIMPLE))
        assert "duplicate decision id 'a'" in error_of(xml).message

    def test_unknown_hit_policy(self):
        error = error_of(table(hit_policy="SOMETIMES", **SIMPLE))
        assert error.element_id == "d" and "unknown hit policy 'SOMETIMES'" in error.message

    def test_aggregation_needs_collect(self):
        assert "only allowed with hit policy COLLECT" in error_of(table(hit_policy="FIRST", aggregation="SUM",
                                                                          **SIMPLE)).message

    def test_unknown_aggregation(self):
        assert "unknown aggregation 'AVG'" in error_of(table(hit_policy="COLLECT", aggregation="AVG",
                                                             **SIMPLE)).message

    def test_aggregation_with_two_outputs(self):
        xml = table(hit_policy="COLLECT", aggregation="SUM", inputs=[("x", None)], outputs=[("a", None), ("b", None)],
                    rules=[(["-"], ["1", "2"])])
        assert "needs exactly one output" in error_of(xml).message

    def test_priority_without_output_values(self):
        assert "needs outputValues" in error_of(table(hit_policy="PRIORITY", **SIMPLE)).message

    def test_rule_with_wrong_number_of_entries(self):
        xml = table(inputs=[("x", None), ("z", None)], outputs=[("y", None)], rules=[(["-"], ["1"])])
        error = error_of(xml)
        assert error.element_id == "d_r1" and "1 input entries, the table has 2 inputs" in error.message
        xml = table(inputs=[("x", None)], outputs=[("y", None)], rules=[(["-"], ["1", "2"])])
        assert "2 output entries" in error_of(xml).message

    def test_unnamed_output_of_several(self):
        xml = table(inputs=[("x", None)], outputs=[("a", None), (None, None)], rules=[(["-"], ["1", "2"])])
        error = error_of(xml)
        assert error.element_id == "d_out1" and "needs a name" in error.message

    def test_duplicate_output_name(self):
        xml = table(inputs=[("x", None)], outputs=[("a", None), ("a", None)], rules=[(["-"], ["1", "2"])])
        assert "duplicate output name 'a'" in error_of(xml).message

    def test_missing_input_expression(self):
        xml = table(inputs=[("", None)], outputs=[("a", None)], rules=[(["-"], ["1"])])
        assert "has no inputExpression text" in error_of(xml).message

    def test_required_decision_not_found(self):
        xml = definitions(decision_xml("a", requires=["ghost"], **SIMPLE))
        error = error_of(xml)
        assert error.element_id == "a" and "'ghost' not found" in error.message

    def test_required_decision_in_another_file(self):
        xml = definitions(decision_xml("a", **SIMPLE)).replace(
            b"<decisionTable", b'<informationRequirement><requiredDecision href="other.dmn#b"/>'
                               b"</informationRequirement><decisionTable")
        assert "is neither '#id' in the same file nor in an imported model" in error_of(xml).message

    def test_cyclic_requirements(self):
        xml = definitions(decision_xml("a", requires=["b"], **SIMPLE), decision_xml("b", requires=["a"], **SIMPLE))
        assert "cyclic decision requirements: a -> b -> a" in error_of(xml).message

    def test_unsupported_decision_logic(self):
        # contexts, invocations, lists, relations and functions are supported since the conformance work;
        # (DMN 1.4 conditional/filter/for/some/every too); the abstract <iterator> is not a decision logic
        xml = definitions('<decision id="ctx"><iterator/></decision>')
        error = error_of(xml)
        assert error.element_id == "ctx" and "<iterator> is not supported" in error.message

    def test_empty_literal_expression(self):
        xml = definitions('<decision id="lit"><literalExpression id="e"><text> </text></literalExpression>'
                          "</decision>")
        assert "literal expression is empty" in error_of(xml).message

    def test_too_large_file(self):
        assert "larger than" in error_of(b" " * 5_000_001).message
