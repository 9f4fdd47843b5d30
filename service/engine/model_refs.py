"""Deploy-time reference checks of a BPMN document: ids are unique and well-formed, and every reference
(sequence flow ends, gateway defaults, boundary attachments, message/error/signal/escalation refs,
camunda:in/out mappings) names something that exists.

SpiffWorkflow either accepts such models silently (a flow from a missing element, a duplicate id: one
element quietly wins) or fails with an internal message ("we found two items, perhaps a form has the
same ID?", a TypeError); Camunda refuses them at deploy. Run on the lxml tree, so each error names the
file, the element and the line.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from .errors import ModelError

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"

# XML NCName as Camunda's schema requires for ids (ASCII subset plus any non-ASCII letter).
NCNAME = re.compile(r"[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*")
CONTAINERS = ("process", "subProcess", "transaction", "adHocSubProcess")
EVENT_REFS = {"messageEventDefinition": ("messageRef", "message"),
              "errorEventDefinition": ("errorRef", "error"),
              "signalEventDefinition": ("signalRef", "signal"),
              "escalationEventDefinition": ("escalationRef", "escalation")}
MESSAGE_CATCHERS = ("startEvent", "intermediateCatchEvent", "boundaryEvent")
GATEWAYS_WITH_DEFAULT = ("exclusiveGateway", "inclusiveGateway", "complexGateway")

ErrorFactory = Callable[[Any, str], ModelError]


def _b(tag: str) -> str:
    return "{%s}%s" % (BPMN, tag)


def _local(tag: Any) -> str:
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else str(tag)


def check_references(root: Any, error: ErrorFactory) -> None:
    """Raise `error(node, message)` for the first broken id or reference in the document."""
    ids = _unique_ids(root, error)
    for process in root.iterfind(_b("process")):
        key = process.get("id")
        if not key:
            raise error(process, "a bpmn:process needs an id (it is the process key)")
        if not NCNAME.fullmatch(key):
            raise error(process, f"process id {key!r} is not a valid XML id (letters, digits, '_', '-', '.'; "
                                 "not starting with a digit)")
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        tag = _local(node.tag)
        if node.tag.startswith("{%s}" % BPMN):
            if tag in CONTAINERS:
                _flows(node, error)
            elif tag == "boundaryEvent":
                attached = node.get("attachedToRef")
                if not attached or attached not in ids:
                    raise error(node, f"boundary event is attached to {attached!r}, which is not an element "
                                      "of this model")
            elif tag in EVENT_REFS:
                attr, kind = EVENT_REFS[tag]
                ref = node.get(attr)
                if ref is not None and (ids.get(ref) is None or _local(ids[ref].tag) != kind):
                    raise error(node, f"{attr} {ref!r} does not name a bpmn:{kind} of this document")
                parent = node.getparent()
                if ref is None and tag == "messageEventDefinition" and parent is not None \
                        and _local(parent.tag) in MESSAGE_CATCHERS:
                    # Camunda: a catching message event subscribes by the message's name, so it needs one.
                    raise error(node, f"the message event of {_local(parent.tag)} '{parent.get('id')}' has no "
                                      f"messageRef: a catching message event needs a bpmn:message")
        elif node.tag.startswith("{%s}" % CAMUNDA) and tag in ("in", "out"):
            _mapping(node, tag, error)


def _unique_ids(root: Any, error: ErrorFactory) -> dict[str, Any]:
    ids: dict[str, Any] = {}
    for node in root.iter():
        if not isinstance(node.tag, str) or not node.tag.startswith("{%s}" % BPMN):
            continue
        element_id = node.get("id")
        if element_id is None:
            continue
        if element_id in ids:
            first = ids[element_id].sourceline
            raise error(node, f"the id {element_id!r} is used twice (also on line {first}); ids must be unique")
        ids[element_id] = node
    return ids


def _flows(container: Any, error: ErrorFactory) -> None:
    """Sequence flows join elements of the same process or subprocess; gateway defaults are outgoing flows."""
    children = {child.get("id"): child for child in container
                if isinstance(child.tag, str) and child.get("id")}
    outgoing: dict[str, set[str]] = {}
    for flow in container.iterfind(_b("sequenceFlow")):
        for end in ("sourceRef", "targetRef"):
            ref = flow.get(end)
            target = children.get(ref) if ref else None
            if target is None or _local(target.tag) in ("sequenceFlow", "laneSet", "textAnnotation",
                                                         "association", "dataObject"):
                raise error(flow, f"sequence flow {end} {ref!r} is not a flow element of "
                                  f"{_local(container.tag)} '{container.get('id')}'")
        outgoing.setdefault(flow.get("sourceRef"), set()).add(flow.get("id"))
    for child in children.values():
        if _local(child.tag) in GATEWAYS_WITH_DEFAULT and child.get("default"):
            default = child.get("default")
            if default not in outgoing.get(child.get("id"), set()):
                raise error(child, f"default flow {default!r} is not an outgoing sequence flow of this gateway")


def _mapping(node: Any, tag: str, error: ErrorFactory) -> None:
    """camunda:in / camunda:out: `variables="all"`, `businessKey` (in), or a source and a target."""
    if node.get("variables") == "all" or (tag == "in" and node.get("businessKey") is not None):
        return
    if not (node.get("source") or node.get("sourceExpression")):
        raise error(node, f"camunda:{tag} needs source, sourceExpression or variables=\"all\"")
    if not node.get("target"):
        raise error(node, f"camunda:{tag} needs a target")


__all__ = ["check_references", "NCNAME"]
