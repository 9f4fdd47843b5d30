"""camunda:errorEventDefinition on an external task: when the worker completes (or reports a failure of) the
task, each definition's expression is evaluated on the task's variables, with the worker's variables already
set; the first that is true throws its BPMN error instead (Camunda's ExternalTaskEntity.evaluateThrowBpmnError).
On complete an expression that fails to evaluate fails the call; on a failure report it counts as false.
"""
from __future__ import annotations

from typing import Any

from . import specs as s
from .expressions import compile_text
from .runtime import Instance


def has_error_event_definitions(instance: Instance, task_id: str) -> bool:
    return bool(s.ext(instance._external(task_id).task_spec).get("error_events"))


def matching_error_code(instance: Instance, task_id: str, variables: dict[str, Any], *,
                        on_failure: bool) -> str | None:
    """The error code of the first definition whose expression is true, or None."""
    task = instance._external(task_id)
    definitions = s.ext(task.task_spec).get("error_events") or []
    engine = instance._script_engine
    scope = {**task.data, **variables}
    for definition in definitions:
        expression = definition.get("expression")
        if not expression:
            continue         # Camunda: a definition without an expression never matches
        try:
            value = compile_text(expression).evaluate(scope, now=engine.now(), limits=engine.limits)
        except Exception as exc:  # noqa: BLE001 - reported as Camunda does, below
            if on_failure:
                continue
            raise engine._task_error(task, expression, exc) from None
        if value is True:
            return str(definition.get("code") or "")
    return None


__all__ = ["has_error_event_definitions", "matching_error_code"]
