"""Errors of the engine adapter: deploy-time model errors and run-time engine errors."""
from __future__ import annotations

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

# Run-time failures of a model (an expression, a decision, a timer text, a script) are raised as
# SpiffWorkflow's WorkflowTaskException, message "<element id>: <problem>", with `.element_id` set:
# the host rolls back and records an incident. Exported under this name so callers need not import
# SpiffWorkflow.
IncidentError = WorkflowTaskException


class ModelError(Exception):
    """A model cannot be deployed; names the resource, the element and the source line."""

    def __init__(self, message: str, *, file: str | None = None, element_id: str | None = None,
                 line: int | None = None) -> None:
        self.message = message
        self.file = file
        self.element_id = element_id
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        # "<file>: <element> (line N): <message>"; a problem with no element (not XML, wrong root, ...)
        # reads "<file> (line N): <message>" rather than showing a placeholder for the element.
        where = self.file or "<model>"
        element = (self.element_id or "").strip()
        if element and element != "-":
            where += f": {element}"
        if self.line:
            where += f" (line {self.line})"
        return f"{where}: {self.message}"


class EngineError(Exception):
    """A run-time request the engine cannot honour (unknown task, task not ready, stuck gateway...)."""

    def __init__(self, message: str, *, element_id: str | None = None, task_id: str | None = None) -> None:
        self.message = message
        self.element_id = element_id
        self.task_id = task_id
        super().__init__(message)


__all__ = ["ModelError", "EngineError", "IncidentError"]
