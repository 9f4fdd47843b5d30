"""Rewrites of a model's parsed tree (never of the stored bytes) so SpiffWorkflow runs it as Camunda 7 does.

Each is a Camunda behaviour SpiffWorkflow lacks: sequence flows without an id, unconditional gateway flows
that are not the default, condition bodies with surrounding whitespace (Camunda trims them), and the
deprecated activiti: extension namespace. `normalize` runs after the deploy checks, before SpiffWorkflow
parses the tree; `read_activiti_as_camunda` before the checks.
"""
from __future__ import annotations

from typing import Any

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
ACTIVITI = "{http://activiti.org/bpmn}"
CONTAINERS = ("process", "subProcess", "transaction", "adHocSubProcess")
# Elements Camunda accepts without an id (a boundary event needs one: "boundary event has no id").
ANONYMOUS_ALLOWED = ("sequenceFlow", "subProcess", "transaction")


def _b(tag: str) -> str:
    return "{%s}%s" % (BPMN, tag)


def _local(tag: str) -> str:
    return tag.split("}", 1)[1]


def normalize(root: Any) -> None:
    name_anonymous_flows(root)
    trim_conditions(root)
    take_unconditional_flows(root)


def read_activiti_as_camunda(root: Any) -> None:
    """Camunda 7 still reads the deprecated Activiti extension namespace as its own (BpmnParse's
    CAMUNDA_BPMN_EXTENSIONS_NS has http://activiti.org/bpmn as alternative): activiti:assignee and
    <activiti:formProperty> are camunda:assignee and <camunda:formProperty>. Run before the deploy checks,
    so they check what will run; a camunda: attribute given beside its activiti: twin wins."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag.startswith(ACTIVITI):
            node.tag = CAMUNDA + node.tag[len(ACTIVITI):]
        for name in [k for k in node.attrib if k.startswith(ACTIVITI)]:
            value = node.attrib.pop(name)
            if CAMUNDA + name[len(ACTIVITI):] not in node.attrib:
                node.set(CAMUNDA + name[len(ACTIVITI):], value)


def trim_conditions(root: Any) -> None:
    """Camunda reads a condition as its text trimmed (BpmnParse.parseConditionExpression): a JUEL body on its
    own line would otherwise be a text template whose value is a string, never true or false."""
    for node in root.iter(_b("conditionExpression"), _b("condition")):
        if node.text is not None and len(node) == 0:
            node.text = node.text.strip()


def name_anonymous_flows(root: Any) -> None:
    """Give every sequence flow and subprocess without an id one (deterministic, so a stored model reads back
    the same): Camunda runs them without one, SpiffWorkflow keys them by id, so two id-less flows of one gateway
    would merge into one and the instance end where Camunda takes the other branch
    (ExclusiveGatewayTest.testNoIdOnSequenceFlow), and an id-less event subprocess could not be stored
    (BpmnParseTest.testParseEscalationStartEvent)."""
    taken = {node.get("id") for node in root.iter() if isinstance(node.tag, str) and node.get("id")}
    number = 0
    for node in root.iter(*(_b(tag) for tag in ANONYMOUS_ALLOWED)):
        if node.get("id") is not None:
            continue
        number += 1
        while f"{_local(node.tag)}_{number}_unnamed" in taken:
            number += 1
        node.set("id", f"{_local(node.tag)}_{number}_unnamed")


def take_unconditional_flows(root: Any) -> None:
    """Unconditional gateway flows that are not the default, which SpiffWorkflow refuses, get an always-true
    condition, so they run as in Camunda: an exclusive gateway without a default and with exactly one such
    flow among several takes it when it comes to it in document order (ExclusiveGatewayActivityBehavior;
    BpmnParse only warns), an inclusive gateway always takes every such flow
    (InclusiveGatewayActivityBehavior)."""
    for container in root.iter(_b("process"), _b("subProcess"), _b("transaction"), _b("adHocSubProcess")):
        flows = list(container.iterfind(_b("sequenceFlow")))
        for gateway in [c for c in container if c.tag in (_b("exclusiveGateway"), _b("inclusiveGateway"))]:
            default = gateway.get("default")
            outgoing = [f for f in flows if f.get("sourceRef") == gateway.get("id")]
            bare = [f for f in outgoing if f.find(_b("conditionExpression")) is None and f.get("id") != default]
            exclusive = gateway.tag == _b("exclusiveGateway")
            if exclusive and (default or len(outgoing) < 2 or len(bare) != 1):
                continue
            if not exclusive and len(outgoing) < 2:
                continue
            for flow in bare:
                condition = flow.makeelement(_b("conditionExpression"), {})
                condition.text = "${true}"
                flow.append(condition)


__all__ = ["normalize", "read_activiti_as_camunda", "name_anonymous_flows", "trim_conditions",
           "take_unconditional_flows"]
