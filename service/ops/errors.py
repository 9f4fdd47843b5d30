"""Errors of the operations layer, named for what went wrong. They carry no HTTP status and no Camunda
exception name: the REST API (`service.api.errors`) and the web pages map the classes to their own.

`message` is English (REST clients, logs, Camunda compatibility); `pesan` is the Indonesian text a page
shows to staff.
"""
from __future__ import annotations


class OpsError(Exception):
    def __init__(self, message: str, *, pesan: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pesan = pesan or message


class BadRequest(OpsError):
    """The request cannot succeed as asked (invalid values, unknown names, wrong state)."""


class TooLarge(BadRequest):
    """Over a size limit; the message names the limit and its setting."""


class ParseError(BadRequest):
    """A model (BPMN, DMN, form) or a deployment of models is not valid."""


class Rejected(BadRequest):
    """The process engine refuses the request in the current state of the process or its models."""


class Suspended(BadRequest):
    """The instance or task is suspended."""


class MessageMismatch(BadRequest):
    """A message correlates to no waiting instance or start event, or to more than one."""


class LockNotHeld(BadRequest):
    """An external task's lock is not held by the worker that asks (expired, or another worker's)."""


class NotFound(OpsError):
    pass


class Conflict(OpsError):
    """Someone else changed the same thing first (claimed the task, completed it, moved the instance)."""


class TaskAlreadyClaimed(Conflict):
    pass


class NotActive(Conflict):
    """The instance has ended or is not running, so it cannot be changed."""


class Forbidden(OpsError):
    pass


class OperationFailed(OpsError):
    """The model itself failed while running (a decision with two UNIQUE matches, a failing script)."""


def is_request_error(exc: OpsError) -> bool:
    """The caller's request was refused (bad, unknown, conflicting or forbidden) rather than the process or
    the service failing: retrying the same thing later will not help."""
    return isinstance(exc, (BadRequest, NotFound, Conflict, Forbidden))


__all__ = ["OpsError", "BadRequest", "ParseError", "Rejected", "Suspended", "MessageMismatch", "LockNotHeld",
           "NotFound", "Conflict", "TaskAlreadyClaimed", "NotActive", "Forbidden", "OperationFailed",
           "is_request_error", "TooLarge"]
