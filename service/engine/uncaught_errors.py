"""A BPMN error that no boundary event catches (Camunda 7's default, without
`enableExceptionsAfterUnhandledBpmnError`): the engine logs it and ends the execution that threw it,
as a none end event would. The instance ends when that was its last path.

Only errors thrown by a task of the top-level process are ended this way; inside an embedded
subprocess or call activity ending the path would also have to complete the enclosing scope, which
SpiffWorkflow does not do for a cancelled path, so those stay refused by `Instance.throw_bpmn_error`.
"""
from __future__ import annotations

import logging
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit

from .errors import EngineError
from .values import check_variables

log = logging.getLogger(__name__)


def error_is_caught(instance: Any, task_id: str, code: str) -> bool:
    """Whether an error boundary event (of the task or an enclosing scope) catches `code`."""
    return instance._error_catcher(instance._external(task_id), code) is not None


def end_uncaught_error(instance: Any, task_id: str, code: str, message: str | None,
                       variables: dict[str, Any] | None = None) -> None:
    """End the path of external task `task_id` (with its waiting boundary events)."""
    task = instance._external(task_id)
    check_variables(variables or {})
    if task.workflow is not instance._wf:
        raise EngineError(f"no error boundary event catches error code '{code}' thrown by "
                          f"'{task.task_spec.bpmn_id}' inside a subprocess", element_id=task.task_spec.bpmn_id,
                          task_id=task_id)
    log.info("BPMN error '%s' (%s) thrown by '%s' is not caught: its path ends", code, message or "",
             task.task_spec.bpmn_id)

    def action() -> None:
        if variables:
            task.set_data(**variables)
        parent = task.parent
        # The boundary events of the task wait under the same split: they end with it.
        (parent if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit) else task).cancel()

    instance._act(action)


__all__ = ["error_is_caught", "end_uncaught_error"]
