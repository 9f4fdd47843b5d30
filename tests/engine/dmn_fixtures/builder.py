"""Builds DMN XML for tests from a compact description (so every hit policy is one short table)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

DMN11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
DMN12 = "http://www.omg.org/spec/DMN/20180521/MODEL/"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMN14 = "https://www.omg.org/spec/DMN/20211108/MODEL/"
DMN15 = "https://www.omg.org/spec/DMN/20230324/MODEL/"
CAMUNDA = "http://camunda.org/schema/1.0/dmn"
HERE = Path(__file__).parent


def fixture(name: str) -> bytes:
    return (HERE / name).read_bytes()


def _attr(name: str, value: str | None) -> str:
    return "" if value is None else f" {name}={quoteattr(value)}"


def decision_xml(decision_id: str = "d", *, inputs: Sequence = (), outputs: Sequence = (), rules: Sequence = (),
                 hit_policy: str | None = None, aggregation: str | None = None, name: str | None = "Decision",
                 requires: Sequence[str] = (), input_values: dict[int, str] | None = None) -> str:
    """inputs: (expression, typeRef) or (expression, typeRef, inputVariable); outputs: (name, typeRef[,
    outputValues]); rules: (input entries, output entries[, annotation[, rule id]])."""
    parts = [f"<decision id={quoteattr(decision_id)}{_attr('name', name)}>"]
    for n, req in enumerate(requires):
        parts.append(f'<informationRequirement id="{decision_id}_req{n}"><requiredDecision href="#{req}"/>'
                     f"</informationRequirement>")
    parts.append(f'<decisionTable id="{decision_id}_table"{_attr("hitPolicy", hit_policy)}'
                 f'{_attr("aggregation", aggregation)}>')
    for n, spec in enumerate(inputs):
        expression, type_ref = spec[0], spec[1]
        variable = spec[2] if len(spec) > 2 else None
        values = (input_values or {}).get(n)
        parts.append(f'<input id="{decision_id}_in{n}" label="Input {n}"{_attr("camunda:inputVariable", variable)}>'
                     f'<inputExpression id="{decision_id}_ie{n}"{_attr("typeRef", type_ref)}>'
                     f"<text>{escape(expression)}</text></inputExpression>"
                     + (f"<inputValues><text>{escape(values)}</text></inputValues>" if values else "")
                     + "</input>")
    for n, spec in enumerate(outputs):
        out_name, type_ref = spec[0], spec[1]
        values = spec[2] if len(spec) > 2 else None
        parts.append(f'<output id="{decision_id}_out{n}"{_attr("name", out_name)}{_attr("typeRef", type_ref)}>'
                     + (f"<outputValues><text>{escape(values)}</text></outputValues>" if values else "")
                     + "</output>")
    for n, rule in enumerate(rules, 1):
        ins, outs = rule[0], rule[1]
        annotation = rule[2] if len(rule) > 2 else None
        rule_id = rule[3] if len(rule) > 3 else f"{decision_id}_r{n}"
        parts.append(f"<rule id={quoteattr(rule_id)}>")
        for m, text in enumerate(ins):
            parts.append(f'<inputEntry id="{rule_id}_i{m}"><text>{escape(text)}</text></inputEntry>')
        for m, text in enumerate(outs):
            parts.append(f'<outputEntry id="{rule_id}_o{m}"><text>{escape(text)}</text></outputEntry>')
        if annotation is not None:
            parts.append(f"<annotationEntry><text>{escape(annotation)}</text></annotationEntry>")
        parts.append("</rule>")
    parts.append("</decisionTable></decision>")
    return "\n".join(parts)


def definitions(*decisions: str, ns: str = DMN13) -> bytes:
    body = "\n".join(decisions)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{ns}" xmlns:camunda="{CAMUNDA}" '
            f'id="defs" name="Test definitions" namespace="http://alur.test/dmn">\n{body}\n</definitions>\n'
            ).encode()


def table(**kw) -> bytes:
    ns = kw.pop("ns", DMN13)
    return definitions(decision_xml(**kw), ns=ns)


def compile_error(xml: bytes, name: str = "bad.dmn"):
    """The DmnModelError of a file: raised for the whole file, or held by the decision that does not compile
    (which then answers null with that error as its diagnostic)."""
    from service.engine.dmn import DmnModelError, evaluate_decision, parse_dmn
    try:
        models = parse_dmn(name, xml)
    except DmnModelError as exc:
        return exc
    broken = [m for m in models if m.compile_error is not None]
    assert broken, "the file compiled without a problem"
    result = evaluate_decision(broken[0], {})
    assert result.value is None and result.result_list == []
    assert str(broken[0].compile_error) in result.diagnostics[0]
    return broken[0].compile_error
