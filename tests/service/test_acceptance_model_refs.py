"""Broken references in a BPMN document are refused at deploy with file, element and line, instead of
being accepted silently or failing inside SpiffWorkflow with an unrelated message."""
from __future__ import annotations

from typing import Any

import pytest

from service.engine import ModelError, parse_bpmn

from support import deploy_rest

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://alur.test">\n')
START = '<bpmn:startEvent id="s"/>\n'


def doc(body: str, process_attrs: str = 'id="p"', extra: str = "") -> bytes:
    return (HEAD + extra + f'<bpmn:process {process_attrs} isExecutable="true">\n' + body
            + "</bpmn:process>\n</bpmn:definitions>\n").encode()


CASES = [
    ("duplicate id", doc(START + '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="t"/>\n'
                                 '<bpmn:userTask id="t"/>\n<bpmn:userTask id="t"/>\n'),
     "t", 7, "used twice (also on line 6)"),
    ("flow to a missing element", doc(START + '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="hilang"/>\n'),
     "f", 5, "targetRef 'hilang'"),
    ("flow from a missing element", doc(START + '<bpmn:sequenceFlow id="f" sourceRef="hilang" targetRef="s"/>\n'),
     "f", 5, "sourceRef 'hilang'"),
    ("process without id", doc(START, process_attrs='name="x"'), "defs", 3, "needs an id"),
    ("process id with a space", doc(START, process_attrs='id="dua kata"'), "dua kata", 3, "not a valid XML id"),
    ("gateway default that is not its flow",
     doc(START + '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g"/>\n'
                 '<bpmn:exclusiveGateway id="g" default="f"/>\n'
                 '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="e"/>\n<bpmn:endEvent id="e"/>\n'),
     "g", 6, "default flow 'f'"),
    ("boundary event attached to nothing",
     doc(START + '<bpmn:boundaryEvent id="b" attachedToRef="hilang"><bpmn:timerEventDefinition>'
                 '<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>\n'),
     "b", 5, "attached to 'hilang'"),
    ("messageRef to nothing",
     doc(START + '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="c"/>\n<bpmn:intermediateCatchEvent id="c">'
                 '<bpmn:messageEventDefinition id="md" messageRef="hilang"/></bpmn:intermediateCatchEvent>\n'),
     "md", 6, "messageRef 'hilang'"),
    ("errorRef to a message",
     doc(START + '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="c"/>\n<bpmn:endEvent id="c">'
                 '<bpmn:errorEventDefinition id="ed" errorRef="m1"/></bpmn:endEvent>\n',
         extra='<bpmn:message id="m1" name="pesan"/>\n'),
     "ed", 7, "does not name a bpmn:error"),
    ("camunda:in without target",
     doc(START + '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="ca"/>\n<bpmn:callActivity id="ca" '
                 'calledElement="p"><bpmn:extensionElements><camunda:in source="x"/></bpmn:extensionElements>'
                 '</bpmn:callActivity>\n'),
     "ca", 6, "camunda:in needs a target"),
]


@pytest.mark.parametrize("xml, element, line, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_reference_is_refused(xml: bytes, element: str, line: int, words: str) -> None:
    with pytest.raises(ModelError) as info:
        parse_bpmn("m.bpmn", xml)
    err = info.value
    assert (err.file, err.element_id, err.line) == ("m.bpmn", element, line), str(err)
    assert words in err.message


def test_valid_references_still_parse() -> None:
    xml = doc(START + '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g"/>\n'
                      '<bpmn:exclusiveGateway id="g" default="f2"/>\n'
                      '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="c"/>\n'
                      '<bpmn:intermediateCatchEvent id="c"><bpmn:messageEventDefinition messageRef="m1"/>'
                      '</bpmn:intermediateCatchEvent>\n'
                      '<bpmn:sequenceFlow id="f3" sourceRef="c" targetRef="e"/>\n<bpmn:endEvent id="e"/>\n',
              extra='<bpmn:message id="m1" name="pesan"/>\n')
    assert [m.key for m in parse_bpmn("m.bpmn", xml)] == ["p"]


def test_broken_reference_through_rest(client: Any) -> None:
    r = deploy_rest(client, ("rusak.bpmn", CASES[1][1]), ("baik.bpmn", CASES[0][1].replace(
        b'<bpmn:userTask id="t"/>\n<bpmn:userTask id="t"/>', b'<bpmn:userTask id="t"/>').replace(b'id="p"', b'id="q"')))
    assert r.status_code == 400 and r.json["type"] == "ParseException"
    assert r.json["message"].startswith("rusak.bpmn: f (line 5): sequence flow targetRef 'hilang'")
    assert client.get("/engine-rest/deployment/count").json["count"] == 0


def test_script_task_without_format_names_the_missing_attribute() -> None:
    xml = doc(START + '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="sc"/>\n'
                      '<bpmn:scriptTask id="sc"><bpmn:script>1</bpmn:script></bpmn:scriptTask>\n')
    with pytest.raises(ModelError) as info:
        parse_bpmn("m.bpmn", xml)
    assert info.value.element_id == "sc" and "needs a scriptFormat (javascript, feel or juel)" in info.value.message
    assert "None" not in info.value.message
