"""Errors of the engine adapter: deploy-time model errors and run-time engine errors."""
from __future__ import annotations


class IncidentError(Exception):
    """A model failing while it runs (an expression, a decision, a timer text, a script, or SpiffWorkflow
    itself): the host rolls back and reports the element. Raised by Alur's specs with the message
    "<element id>: <problem>"; SpiffWorkflow's own failures are mapped to it in spiff.py."""

    def __init__(self, message: str, *, element_id: str | None = None, element_name: str | None = None) -> None:
        self.message = message
        self.element_id = element_id
        self.element_name = element_name
        super().__init__(message)

    @property
    def problem(self) -> str:
        """The message without the element id in front (the element is named once, by the reader)."""
        prefix = f"{self.element_id}: " if self.element_id else None
        text = self.message[len(prefix):] if prefix and self.message.startswith(prefix) else self.message
        return text.strip() or type(self).__name__


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
