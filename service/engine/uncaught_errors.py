"""A BPMN error that no boundary event catches (Camunda 7's default, without
`enableExceptionsAfterUnhandledBpmnError`): the engine logs it and ends the execution that threw it,
as a none end event would. The instance ends when that was its last path.

Inside an embedded subprocess or a called process, ending the last path completes that scope (as
its end event would), and the enclosing process continues after it.
"""
from __future__ import annotations

import logging
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.util.task import TaskState

from . import spiff
from .runtime import Instance
from .values import check_variables

log = logging.getLogger(__name__)


def error_is_caught(instance: Instance, task_id: str, code: str) -> bool:
    """Whether an error boundary event (of the task or an enclosing scope) catches `code`."""
    return instance._error_catcher(instance._external(task_id), code) is not None


def end_uncaught_error(instance: Instance, task_id: str, code: str, message: str | None,
                       variables: dict[str, Any] | None = None) -> None:
    """End the path of external task `task_id` (with its waiting boundary events)."""
    task = instance._external(task_id)
    check_variables(variables or {})
    log.info("BPMN error '%s' (%s) thrown by '%s' is not caught: its path ends", code, message or "",
             task.task_spec.bpmn_id)

    if variables:
        # Camunda sets them on the execution before it ends: they stay process variables (and history).
        instance.set_variables(dict(variables))

    def action() -> None:
        parent = task.parent
        # The boundary events of the task wait under the same split: they end with it.
        (parent if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit) else task).cancel()
        _complete_finished_scopes(instance, task.workflow)

    instance._act(action)


def _complete_finished_scopes(instance: Instance, workflow: Any) -> None:
    """A subprocess with nothing left to run completes, like one whose end event was reached; SpiffWorkflow
    only notices completion through its end event, so the parent task is told here."""
    top = instance._wf
    while workflow is not top and not workflow.completed:
        if any(not t.has_state(TaskState.FINISHED_MASK) for t in workflow.tasks.values()):
            return
        workflow.completed = True
        parent_task = top.get_task_from_id(workflow.parent_task_id)
        spiff.complete_subworkflow(parent_task, workflow)
        workflow = parent_task.workflow


__all__ = ["error_is_caught", "end_uncaught_error"]
