"""Errors of the operations layer. The API and the web pages map them to HTTP status codes.

`message` is English (REST clients, logs, Camunda compatibility); `pesan` is the Indonesian text a page
shows to staff. `camunda_type` names the exception type Camunda's REST API reports for the same case.
"""
from __future__ import annotations


class OpsError(Exception):
    status = 500
    camunda_type = "RestException"

    def __init__(self, message: str, *, pesan: str | None = None, camunda_type: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pesan = pesan or message
        if camunda_type is not None:
            self.camunda_type = camunda_type
        if status is not None:
            self.status = status


class BadRequest(OpsError):
    status = 400
    camunda_type = "InvalidRequestException"


class NotFound(OpsError):
    status = 404
    camunda_type = "InvalidRequestException"


class Conflict(OpsError):
    """Someone else changed the same thing first (claimed the task, completed it, moved the instance)."""

    status = 409
    camunda_type = "OptimisticLockingException"


class Forbidden(OpsError):
    status = 403
    camunda_type = "AuthorizationException"


class OperationFailed(OpsError):
    """The model itself failed while running (a decision with two UNIQUE matches, a failing script)."""

    status = 500
    camunda_type = "ProcessEngineException"


__all__ = ["OpsError", "BadRequest", "NotFound", "Conflict", "Forbidden", "OperationFailed"]
