"""The exception a handler raises to throw a BPMN error (Camunda's BpmnError)."""
from __future__ import annotations


class BpmnError(Exception):
    """Raised by a delegate or listener: a BPMN error with `error_code` that an error boundary event (or
    error event subprocess) catching that code handles; uncaught, it is an incident naming the code."""

    def __init__(self, error_code: str, message: str | None = None) -> None:
        if not isinstance(error_code, str) or not error_code:
            raise TypeError("BpmnError needs an error code (a non-empty text)")
        self.error_code = error_code
        self.message = message
        super().__init__(f"{error_code}: {message}" if message else error_code)

    # Camunda's names, for handlers written after the Java API.
    def getErrorCode(self) -> str:
        return self.error_code

    def getMessage(self) -> str | None:
        return self.message


__all__ = ["BpmnError"]
