"""Errors of the REST API in Camunda's shape: `{"type": ..., "message": ...}` with Camunda's status codes."""
from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Blueprint, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from service.ops.errors import (BadRequest, Conflict, Forbidden, LockNotHeld, MessageMismatch, NotActive, NotFound,
                                OperationFailed, OpsError, ParseError, Rejected, Suspended, TaskAlreadyClaimed,
                                TooLarge)

from .variables import VariableError

log = logging.getLogger(__name__)

# Status and Camunda exception type of each operations error; the first class an error is an instance of
# decides, so subclasses come before their base. Camunda has no 409: a lost race (optimistic locking, a
# task claimed first) is a 500 there.
OPS_ERRORS: tuple[tuple[type[OpsError], int, str], ...] = (
    (TooLarge, 413, "InvalidRequestException"),
    (ParseError, 400, "ParseException"),
    (Rejected, 400, "ProcessEngineException"),
    (Suspended, 400, "SuspendedEntityInteractionException"),
    (MessageMismatch, 400, "MismatchingMessageCorrelationException"),
    (LockNotHeld, 400, "RestException"),
    (BadRequest, 400, "InvalidRequestException"),
    (NotFound, 404, "InvalidRequestException"),
    (TaskAlreadyClaimed, 500, "TaskAlreadyClaimedException"),
    (NotActive, 409, "ProcessEngineException"),
    (Conflict, 500, "OptimisticLockingException"),
    (Forbidden, 403, "AuthorizationException"),
    (OperationFailed, 500, "ProcessEngineException"),
)


class RestError(Exception):
    def __init__(self, status: int, message: str, type_: str = "InvalidRequestException") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_


def ops_error_status(exc: OpsError) -> tuple[int, str]:
    """The HTTP status and Camunda exception type for an operations error."""
    for cls, status, type_ in OPS_ERRORS:
        if isinstance(exc, cls):
            return status, type_
    return 500, "RestException"


def invalid(message: str) -> RestError:
    return RestError(400, message)


def error_response(status: int, type_: str, message: str, **extra: Any) -> Response:
    response = jsonify({"type": type_, "message": message, **extra})
    response.status_code = status
    return response


def _validation_message(messages: Any, prefix: str = "") -> str:
    if isinstance(messages, dict):
        parts = []
        for key, value in messages.items():
            name = f"{prefix}{key}" if key != "_schema" else prefix.rstrip(".")
            parts.append(_validation_message(value, f"{name}." if name else ""))
        return "; ".join(p for p in parts if p)
    if isinstance(messages, list):
        text = " ".join(str(m) for m in messages)
        return f"{prefix.rstrip('.')}: {text}" if prefix else text
    return str(messages)


def register_error_handlers(bp: Blueprint) -> None:
    @bp.errorhandler(RestError)
    def _rest(exc: RestError) -> Response:
        return error_response(exc.status, exc.type, exc.message)

    @bp.errorhandler(OpsError)
    def _ops(exc: OpsError) -> Response:
        status, type_ = ops_error_status(exc)
        return error_response(status, type_, exc.message)

    @bp.errorhandler(VariableError)
    def _variables(exc: VariableError) -> Response:
        return error_response(400, "InvalidRequestException", str(exc))

    @bp.errorhandler(ValidationError)
    def _validation(exc: ValidationError) -> Response:
        return error_response(400, "InvalidRequestException", _validation_message(exc.messages))

    @bp.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        type_ = "InvalidRequestException" if (exc.code or 500) < 500 else "RestException"
        return error_response(exc.code or 500, type_, exc.description or exc.name)

    @bp.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # The text of an unexpected exception may hold SQL, paths or data: it goes to the log only.
        reference = uuid.uuid4().hex[:12]
        log.exception("unhandled error in /engine-rest (reference %s)", reference)
        return error_response(500, "RestException",
                              f"Internal error (reference {reference}); the server log has the details")


__all__ = ["RestError", "OPS_ERRORS", "ops_error_status", "invalid", "error_response", "register_error_handlers"]
