"""Structural rules of Camunda 7's BpmnParse that SpiffWorkflow does not enforce: a model breaking one is
refused at deploy by Camunda, so it is refused here too (each rule names the BpmnParse check it mirrors).

- a process has at most one none or timer start event (selectInitial);
- a subprocess or transaction has one start event; a plain one has a none start event only, an event
  subprocess an event start event, and an error start event there interrupts (parseScopeStartEvent);
- no sequence flow enters or leaves an event subprocess (parseSequenceFlow);
- an event-based gateway is not asyncAfter (parseEventBasedGateway);
- an exclusive gateway has outgoing flows, a lone flow carries no condition, the default flow no condition,
  and only the default (or one flow when there is no default) goes without a condition
  (validateExclusiveGateway).
Run on the executable processes only, after the reference checks (every id a flow names exists).
"""
from __future__ import annotations

from typing import Any, Callable

from .errors import ModelError

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ErrorFactory = Callable[[Any, str], ModelError]

# BpmnParse.parseScopeStartEvent: the definitions a start event of a plain subprocess must not have.
_NOT_IN_PLAIN_SUBPROCESS = {
    "conditionalEventDefinition": "conditionalEventDefinition is not allowed on start event within a subprocess",
    "timerEventDefinition": "timerEventDefinition is not allowed on start event within a subprocess",
    "escalationEventDefinition": "escalationEventDefinition is not allowed on start event within a subprocess",
    "compensateEventDefinition": "compensateEventDefinition is not allowed on start event within a subprocess",
    "errorEventDefinition": "errorEventDefinition only allowed on start event if subprocess is an event subprocess",
    "messageEventDefinition": "messageEventDefinition only allowed on start event if subprocess is an event "
                              "subprocess",
    "signalEventDefinition": "signalEventDefinition only allowed on start event if subprocess is an event "
                             "subprocess",
}


_NOT_NONE_START = {"messageEventDefinition", "signalEventDefinition", "conditionalEventDefinition"}


def _b(tag: str) -> str:
    return "{%s}%s" % (BPMN, tag)


def _definitions(event: Any) -> list[str]:
    return [child.tag.split("}", 1)[1] for child in event
            if isinstance(child.tag, str) and child.tag.startswith(_b("")) and child.tag.endswith("EventDefinition")]


def _is_event_subprocess(node: Any) -> bool:
    return node.tag == _b("subProcess") and (node.get("triggeredByEvent") or "").lower() == "true"


def check_camunda_rules(root: Any, error: ErrorFactory) -> None:
    """Raise `error(node, message)` for the first rule the document breaks."""
    for process in root.iterfind(_b("process")):
        _process_start_events(process, error)
        for scope in process.iter(_b("subProcess"), _b("transaction")):
            _scope_start_events(scope, error)
        for container in process.iter(_b("process"), _b("subProcess"), _b("transaction"), _b("adHocSubProcess")):
            _event_subprocess_flows(container, error)
            for gateway in container.iterfind(_b("exclusiveGateway")):
                _exclusive_gateway(container, gateway, error)
        _anonymous_flows_after_async(process, error)
        for gateway in process.iter(_b("eventBasedGateway")):
            if (gateway.get("{%s}asyncAfter" % CAMUNDA) or "").lower() == "true":
                raise error(gateway, "'asyncAfter' not supported for eventBasedGateway elements")


def _anonymous_flows_after_async(process: Any, error: ErrorFactory) -> None:
    """A flow without id is fine (Camunda names none), except after an asyncAfter activity, whose job
    continues on a flow found by its id (BpmnParse.validateOutgoingFlows)."""
    by_id = {node.get("id"): node for node in process.iter() if isinstance(node.tag, str) and node.get("id")}
    for flow in process.iter(_b("sequenceFlow")):
        source = by_id.get(flow.get("sourceRef"))
        if flow.get("id") is None and source is not None \
                and (source.get("{%s}asyncAfter" % CAMUNDA) or "").lower() == "true":
            raise error(flow, f"Sequence flow with sourceRef='{source.get('id')}' must have an id, activity with id "
                              f"'{source.get('id')}' uses 'asyncAfter'.")


def _process_start_events(process: Any, error: ErrorFactory) -> None:
    initial = None
    for start in process.iterfind(_b("startEvent")):
        kinds = set(_definitions(start))
        # BpmnParse.parseProcessDefinitionStartEvent: a timer wins over the other definitions; without a
        # timer, message, signal or conditional definition the start event counts as a none start event.
        if "timerEventDefinition" not in kinds and kinds & _NOT_NONE_START:
            continue
        if initial is not None:
            raise error(start, "multiple none start events or timer start events not supported on process "
                               f"definition (also '{initial.get('id')}')")
        initial = start


def _scope_start_events(scope: Any, error: ErrorFactory) -> None:
    starts = list(scope.iterfind(_b("startEvent")))
    if len(starts) > 1:
        raise error(starts[1], "multiple start events not supported for subprocess")
    for start in starts:
        kinds = _definitions(start)
        if _is_event_subprocess(scope):
            if not kinds:
                raise error(start, "start event of event subprocess must be of type 'error', 'message', 'timer', "
                                   "'signal', 'compensation', 'escalation' or 'conditional'")
            if kinds[0] == "errorEventDefinition" and (start.get("isInterrupting") or "true").lower() != "true":
                raise error(start, "error start event of event subprocess must be interrupting")
        else:
            for kind in kinds:
                if kind in _NOT_IN_PLAIN_SUBPROCESS:
                    raise error(start, _NOT_IN_PLAIN_SUBPROCESS[kind])


def _event_subprocess_flows(container: Any, error: ErrorFactory) -> None:
    event_subprocesses = {child.get("id") for child in container if _is_event_subprocess(child)}
    if not event_subprocesses:
        return
    for flow in container.iterfind(_b("sequenceFlow")):
        if flow.get("sourceRef") in event_subprocesses:
            raise error(flow, "Invalid outgoing sequence flow of event subprocess")
        if flow.get("targetRef") in event_subprocesses:
            raise error(flow, "Invalid incoming sequence flow of event subprocess")


def _exclusive_gateway(container: Any, gateway: Any, error: ErrorFactory) -> None:
    name = gateway.get("id")
    outgoing = [f for f in container.iterfind(_b("sequenceFlow")) if f.get("sourceRef") == name]
    if not outgoing:
        raise error(gateway, f"Exclusive Gateway '{name}' has no outgoing sequence flows")
    conditional = {id(f) for f in outgoing if f.find(_b("conditionExpression")) is not None}
    if len(outgoing) == 1:
        if conditional:
            raise error(gateway, f"Exclusive Gateway '{name}' has only one outgoing sequence flow "
                                 f"('{outgoing[0].get('id')}'). This is not allowed to have a condition.")
        return
    default = gateway.get("default") or None
    unconditional = []
    for flow in outgoing:
        is_default = flow.get("id") is not None and flow.get("id") == default
        if id(flow) in conditional and is_default:
            raise error(gateway, f"Exclusive Gateway '{name}' has outgoing sequence flow '{flow.get('id')}' which is "
                                 "the default flow but has a condition too.")
        if id(flow) not in conditional and not is_default:
            unconditional.append(flow)
    if (default and unconditional) or len(unconditional) > 1:
        raise error(gateway, f"Exclusive Gateway '{name}' has outgoing sequence flow "
                             f"'{unconditional[0].get('id')}' without condition which is not the default flow.")


__all__ = ["check_camunda_rules"]
