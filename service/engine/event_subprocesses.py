"""Event subprocesses (`subProcess triggeredByEvent="true"`) as SpiffWorkflow can run them.

SpiffWorkflow 3.2 parses event subprocesses but does not run them as BPMN says: a message start only
starts one when a message is sent to the whole workflow (no correlation, no subscription), nothing is
interrupted, and error, escalation, signal and conditional starts are not armed. Boundary events, though,
behave as BPMN says for every one of these triggers. So before SpiffWorkflow sees the document, each scope
(process, subprocess, transaction) holding event subprocesses is rewritten into its equivalent:

    scope:  start -> [ the rest of the scope ]          scope:  start -> wrapper  (wrapper: the rest)
            eventSubProcess(start E, ...)         ==>           boundary E on wrapper -> subProcess(...)

The wrapper is the scope's whole body after its start event (a process with several start events: each
leads into the wrapper, where the one that began the instance picks its way, `START_VARIABLE`); each event
subprocess start event becomes a
boundary event on it (interrupting as `isInterrupting`, same event definition, same id), and the event
subprocess an ordinary embedded subprocess (same id) reached from that boundary event. An interrupting
trigger cancels the body and runs the handler inside the scope, which then completes; a non-interrupting one
runs the handler beside the body and can trigger again; the scope ends when the body and every handler
have ended. Those are the BPMN (and Camunda 7) semantics.

The rewritten elements carry reserved id suffixes (model_checks.RESERVED_SUFFIXES); `hide_synthetic` then
removes their BPMN ids from the specs, so they appear in no history, activity tree or token count.
"""
from __future__ import annotations

from copy import deepcopy
from typing import Any

from lxml import etree

from .errors import ModelError

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_B = "{%s}" % BPMN
SCOPE_SUFFIX = "__alur_scope"
START_SUFFIX = "__alur_start"
END_SUFFIX = "__alur_end"
ROUTE_SUFFIX = "__alur_route"
FLOW_SUFFIX = "__alur_flow"
SYNTHETIC_SUFFIXES = (SCOPE_SUFFIX, START_SUFFIX, END_SUFFIX, ROUTE_SUFFIX)
# The id of the start event that began the instance, when a rewritten process has several (values.py
# RESERVED_PREFIXES: hidden, and nobody else may set it).
START_VARIABLE = "alur__start_event"

_SCOPES = ("process", "subProcess", "transaction")
# Children of a scope that stay on the scope itself (not flow content of its body).
_SCOPE_OWN = frozenset({"extensionElements", "documentation", "laneSet", "ioSpecification", "property",
                        "incoming", "outgoing", "multiInstanceLoopCharacteristics",
                        "standardLoopCharacteristics"})
_DEFINITIONS = ("messageEventDefinition", "timerEventDefinition", "signalEventDefinition", "errorEventDefinition",
                "escalationEventDefinition", "conditionalEventDefinition", "compensateEventDefinition")


def _local(node: Any) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _is_event_subprocess(node: Any) -> bool:
    return _local(node) == "subProcess" and node.get("triggeredByEvent") == "true"


def has_event_subprocesses(root: Any) -> bool:
    return any(_is_event_subprocess(n) for n in root.iter(f"{_B}subProcess"))


def rewrite(root: Any, filename: str) -> Any:
    """A copy of the document with every event subprocess turned into boundary event + subprocess (or
    `root` itself when it has none)."""
    if not has_event_subprocesses(root):
        return root
    copy = deepcopy(root)
    scopes = [n for n in copy.iter() if _local(n) in _SCOPES]
    for scope in reversed(scopes):      # innermost first: a handler's own event subprocesses are done already
        handlers = [c for c in scope if _is_event_subprocess(c)]
        if handlers:
            _rewrite_scope(scope, handlers, filename)
    return copy


def _error(node: Any, filename: str, message: str) -> ModelError:
    return ModelError(message, file=filename, element_id=node.get("id"), line=node.sourceline)


def _rewrite_scope(scope: Any, handlers: list, filename: str) -> None:
    starts = [c for c in scope if _local(c) == "startEvent"]
    if not starts or len(starts) > 1 and _local(scope) != "process":
        raise _error(scope, filename, f"a scope with an event subprocess ({handlers[0].get('id')}) needs one start "
                                      f"event; '{scope.get('id')}' has {len(starts)}")
    scope_id = scope.get("id") + SCOPE_SUFFIX
    wrapper = etree.SubElement(scope, f"{_B}subProcess", id=scope_id)
    inner_start = etree.SubElement(wrapper, f"{_B}startEvent", id=scope_id + START_SUFFIX)
    for child in list(scope):
        if child is wrapper or child in starts or child in handlers or _local(child) in _SCOPE_OWN \
                or not isinstance(child.tag, str):
            continue
        wrapper.append(child)
    entry = inner_start.get("id")
    if len(starts) > 1:
        # Several start events (none, message, timer...) lead into the one wrapper: the start event that began
        # the instance (Instance._begin stores it in START_VARIABLE) picks the way inside.
        route = etree.SubElement(wrapper, f"{_B}exclusiveGateway", id=scope_id + ROUTE_SUFFIX)
        etree.SubElement(wrapper, f"{_B}sequenceFlow", id=route.get("id") + FLOW_SUFFIX, sourceRef=entry,
                         targetRef=route.get("id"))
        entry = route.get("id")
    for start in starts:
        flows = [f for f in wrapper.iterfind(f"{_B}sequenceFlow") if f.get("sourceRef") == start.get("id")]
        if len(starts) > 1 and (len(flows) != 1 or flows[0].find(f"{_B}conditionExpression") is not None):
            raise _error(start, filename, "in a process with event subprocesses and several start events, each "
                                          "start event needs exactly one outgoing sequence flow, without a condition")
        for flow in flows:
            flow.set("sourceRef", entry)
            if len(starts) > 1:
                condition = etree.SubElement(flow, f"{_B}conditionExpression")
                condition.text = f'{START_VARIABLE} = "{start.get("id")}"'      # FEEL
        for ref in start.findall(f"{_B}outgoing"):
            start.remove(ref)
        etree.SubElement(scope, f"{_B}sequenceFlow", id=start.get("id") + FLOW_SUFFIX, sourceRef=start.get("id"),
                         targetRef=scope_id)
    for handler in handlers:
        _to_boundary(scope, handler, scope_id, filename)
    if _local(scope) != "process":
        # A subprocess completes at its end event in SpiffWorkflow (not when its last token is consumed):
        # the body and every handler lead to one.
        end = etree.SubElement(scope, f"{_B}endEvent", id=scope_id + END_SUFFIX)
        for source in [scope_id, *(h.get("id") for h in handlers)]:
            etree.SubElement(scope, f"{_B}sequenceFlow", id=source + END_SUFFIX + FLOW_SUFFIX, sourceRef=source,
                             targetRef=end.get("id"))


def _to_boundary(scope: Any, handler: Any, scope_id: str, filename: str) -> None:
    starts = [c for c in handler if _local(c) == "startEvent"]
    triggered = [s for s in starts if any(_local(c) in _DEFINITIONS for c in s)]
    if len(starts) != 1 or len(triggered) != 1:
        raise _error(handler, filename, "an event subprocess needs exactly one start event, with an event "
                                        "definition (message, timer, signal, error, escalation or conditional)")
    start = triggered[0]
    kinds = [_local(c) for c in start if _local(c) in _DEFINITIONS]
    if kinds == ["compensateEventDefinition"]:
        raise _error(start, filename, "an event subprocess with a compensation start event is not supported")
    interrupting = start.get("isInterrupting", "true") != "false"
    boundary = etree.Element(f"{_B}boundaryEvent", id=start.get("id"), attachedToRef=scope_id,
                             cancelActivity="true" if interrupting else "false")
    if start.get("name") is not None:
        boundary.set("name", start.get("name"))
    for key, value in start.attrib.items():
        if key.startswith("{") and not key.startswith(_B):     # camunda:* and other extension attributes
            boundary.set(key, value)
    for child in list(start):
        if isinstance(child.tag, str) and _local(child) not in ("incoming", "outgoing"):
            boundary.append(child)
    none_start = etree.Element(f"{_B}startEvent", id=handler.get("id") + START_SUFFIX)
    handler.replace(start, none_start)
    for flow in handler.iterfind(f"{_B}sequenceFlow"):
        if flow.get("sourceRef") == start.get("id"):
            flow.set("sourceRef", none_start.get("id"))
    del handler.attrib["triggeredByEvent"]
    _implicit_ends(handler)
    scope.append(boundary)
    etree.SubElement(scope, f"{_B}sequenceFlow", id=start.get("id") + FLOW_SUFFIX, sourceRef=start.get("id"),
                     targetRef=handler.get("id"))


def _implicit_ends(handler: Any) -> None:
    """Camunda ends a token at a flow node without outgoing flows; SpiffWorkflow needs an end event in a
    subprocess: such nodes of the handler lead to one added end event."""
    if any(_local(c) == "endEvent" for c in handler):
        return
    sources = {f.get("sourceRef") for f in handler.iterfind(f"{_B}sequenceFlow")}
    leaves = [c for c in handler if isinstance(c.tag, str) and c.get("id") and c.get("id") not in sources
              and _local(c) not in ("sequenceFlow", "boundaryEvent", "textAnnotation", "association", "dataObject",
                                    "dataObjectReference", "dataStoreReference", "extensionElements",
                                    "documentation", "laneSet", "ioSpecification", "property", "incoming",
                                    "outgoing", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics")
              and not _is_event_subprocess(c)]
    end = etree.SubElement(handler, f"{_B}endEvent", id=handler.get("id") + END_SUFFIX)
    for leaf in leaves:
        etree.SubElement(handler, f"{_B}sequenceFlow", id=leaf.get("id") + FLOW_SUFFIX, sourceRef=leaf.get("id"),
                         targetRef=end.get("id"))


def hide_synthetic(specs: list[Any]) -> None:
    """Drop the BPMN id of the elements this module and compensation.py added: they are the engine's, not
    the model's (no history, activity tree or token count shows them)."""
    from . import compensation

    for spec in specs:
        for task_spec in spec.task_specs.values():
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if is_synthetic(bpmn_id) or compensation.is_synthetic(bpmn_id):
                task_spec.bpmn_id = None


def is_synthetic(element_id: str | None) -> bool:
    return isinstance(element_id, str) and element_id.endswith(SYNTHETIC_SUFFIXES)


__all__ = ["rewrite", "hide_synthetic", "is_synthetic", "has_event_subprocesses", "SCOPE_SUFFIX", "START_SUFFIX",
           "END_SUFFIX", "ROUTE_SUFFIX", "FLOW_SUFFIX", "START_VARIABLE"]
