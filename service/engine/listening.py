"""Execution listeners as a token arrives at and leaves an element (docs/DELEGATES.md).

Arriving: the `take` listeners of the sequence flow it came by, the process's `start` listeners (at a
start event of the process), then the element's `start` listeners. Leaving: the element's `end` listeners.
The parser keeps them in the element's extensions: `listeners` (its own), `take` ([{flow, source,
listeners}], the flows into it), `process_listeners` (on the process's start events).
"""
from __future__ import annotations

from typing import Any

_ARRIVED = "alur_start_listeners"     # the arrival listeners ran (a reload or a re-check must not rerun them)


def _ext(spec: Any) -> dict:
    return getattr(spec, "extensions", None) or {}


def run_arrival_listeners(my_task: Any) -> None:
    ext = _ext(my_task.task_spec)
    takes, process, own = ext.get("take"), ext.get("process_listeners"), ext.get("listeners")
    if not (takes or process or own) or my_task.internal_data.get(_ARRIVED):
        return
    my_task.internal_data[_ARRIVED] = True
    from .delegation.invoke import run_execution_listeners
    parent = my_task.parent
    source = getattr(parent.task_spec, "bpmn_id", None) if parent is not None else None
    for take in takes or ():
        if take.get("source") == source:
            run_execution_listeners(my_task, take["listeners"], "take", activity_id=take["flow"],
                                    activity_name=take.get("name"))
    if process:
        run_execution_listeners(my_task, process, "start", activity_id=my_task.workflow.spec.name)
    if own:
        run_execution_listeners(my_task, own, "start")


def run_end_listeners(my_task: Any) -> None:
    own = _ext(my_task.task_spec).get("listeners")
    if own:
        from .delegation.invoke import run_execution_listeners
        run_execution_listeners(my_task, own, "end")


def run_process_end_listeners(workflow: Any, last_task: Any) -> None:
    """When the process ends: the `end` listeners of the process (kept on its start events)."""
    for spec in workflow.spec.task_specs.values():
        listeners = _ext(spec).get("process_listeners")
        if listeners:
            from .delegation.invoke import run_execution_listeners
            run_execution_listeners(last_task, listeners, "end", activity_id=workflow.spec.name)
            return


class ListeningMixin:
    """Events and gateways run execution listeners (activities do in specs.CamundaIoMixin)."""

    def _on_ready_hook(self, my_task: Any) -> None:
        super()._on_ready_hook(my_task)  # type: ignore[misc]
        run_arrival_listeners(my_task)

    def _on_complete_hook(self, my_task: Any) -> None:
        run_end_listeners(my_task)
        super()._on_complete_hook(my_task)  # type: ignore[misc]


__all__ = ["ListeningMixin", "run_arrival_listeners", "run_end_listeners", "run_process_end_listeners"]
