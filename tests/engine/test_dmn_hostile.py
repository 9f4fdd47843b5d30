"""The shared hostile corpus placed in every DMN cell kind: refused at parse or bounded, never escaping."""
from __future__ import annotations

import pytest

from service.engine.dmn import DecisionError, DmnModelError, evaluate_decision, parse_dmn
from service.expr import Limits
from tests.engine.dmn_fixtures.builder import definitions, table
from tests.hostile import HOSTILE, Sandbox, hostile_id

LIMITS = Limits(max_seconds=0.5)
PLACES = {
    "input entry": lambda h: table(inputs=[("x", None)], outputs=[("y", None)], rules=[([h], ["1"])]),
    "output entry": lambda h: table(inputs=[("x", None)], outputs=[("y", None)], rules=[(["-"], [h])]),
    "input expression": lambda h: table(inputs=[(h, None)], outputs=[("y", None)], rules=[(["-"], ["1"])]),
    "literal expression": lambda h: definitions(
        '<decision id="lit"><variable name="v"/><literalExpression id="e"><text>'
        + h.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        + "</text></literalExpression></decision>"),
}


def outcome(xml: bytes) -> str:
    try:
        model = parse_dmn("hostile.dmn", xml)[0]
    except DmnModelError as exc:
        assert exc.file == "hostile.dmn" and exc.message
        return "refused"
    try:
        result = evaluate_decision(model, {"x": 1}, limits=LIMITS)
    except DecisionError as exc:
        assert exc.decision_key == model.key
        return "decision error"
    assert result.key == model.key
    return "evaluated"


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("text", HOSTILE, ids=hostile_id)
def test_hostile_cell(place, text):
    xml = PLACES[place](text)
    with Sandbox() as box:
        result = outcome(xml)
    assert result in ("refused", "decision error", "evaluated")
    assert box.elapsed < 3.0, f"{place}: took {box.elapsed:.2f} s"  # bounded, with room for a slow CI


@pytest.mark.parametrize("text", HOSTILE, ids=hostile_id)
def test_hostile_input_value_is_inert(text):
    # a hostile string as the *value* of an input is data, compared and returned as a string
    xml = table(inputs=[("x", "string")], outputs=[("y", "string")],
                rules=[(['"safe"'], ['"no"']), (["-"], ["x"])], hit_policy="FIRST")
    model = parse_dmn("t.dmn", xml)[0]
    with Sandbox():
        assert evaluate_decision(model, {"x": text}).result_list == [{"y": text}]


def test_entity_expansion_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"><decision id="d">'
            b"<literalExpression><text>&lol2;</text></literalExpression></decision></definitions>")
    with Sandbox():
        with pytest.raises(DmnModelError, match="DOCTYPE"):
            parse_dmn("bomb.dmn", bomb)
