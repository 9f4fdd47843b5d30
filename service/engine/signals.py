"""Signals sent from outside a process (Camunda's `POST /signal`).

A signal reaches every signal catch event and signal boundary event of an instance that waits for its
name; the variables are given to the catching event, so they become process variables. Signal start
events are found in the model XML (`signal_starts`), so the host can start instances for them.
"""
from __future__ import annotations

from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    SignalEventDefinition,
)

from .model import ProcessModel
from .runtime import Instance
from .values import check_variables

_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def waiting_signals(instance: Instance) -> list[str]:
    """Names of the signals the instance waits for (catch events, boundaries, event gateways)."""
    names: list[str] = []
    for task in instance._wf.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        for d in getattr(definition, "event_definitions", [definition]):
            if isinstance(d, SignalEventDefinition) and d.name not in names:
                names.append(d.name)
    return names


def send_signal(instance: Instance, name: str, variables: dict[str, Any] | None = None) -> bool:
    """Deliver signal `name` with `variables`; False (and nothing changes) when nothing waits for it."""
    check_variables(variables or {})
    if name not in waiting_signals(instance):
        return False

    def action() -> None:
        instance._wf.send_event(BpmnEvent(SignalEventDefinition(name), payload=dict(variables or {})))

    instance._act(action)
    return True


def _tree(model: ProcessModel) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(model.xml, parser)


def signal_names(model: ProcessModel) -> set[str]:
    """Every signal name the model's document declares for a signal event definition."""
    root = _tree(model)
    declared = {s.get("id"): s.get("name") or s.get("id") for s in root.iter(f"{{{_BPMN}}}signal")}
    return {declared.get(d.get("signalRef"), d.get("signalRef"))
            for d in root.iter(f"{{{_BPMN}}}signalEventDefinition") if d.get("signalRef")}


def signal_starts(model: ProcessModel) -> list[tuple[str, str]]:
    """(start event id, signal name) of the process's signal start events."""
    root = _tree(model)
    declared = {s.get("id"): s.get("name") or s.get("id") for s in root.iter(f"{{{_BPMN}}}signal")}
    out = []
    for process in root.iter(f"{{{_BPMN}}}process"):
        if process.get("id") != model.key:
            continue
        for start in process.findall(f"{{{_BPMN}}}startEvent"):
            definition = start.find(f"{{{_BPMN}}}signalEventDefinition")
            if definition is not None and definition.get("signalRef"):
                ref = definition.get("signalRef")
                out.append((start.get("id"), declared.get(ref, ref)))
    return out


__all__ = ["waiting_signals", "send_signal", "signal_names", "signal_starts"]
