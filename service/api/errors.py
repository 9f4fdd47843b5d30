"""Errors of the REST API in Camunda's shape: `{"type": ..., "message": ...}` with Camunda's status codes."""
from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Blueprint, Response, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from service.ops.errors import Conflict, OpsError

from .variables import VariableError

log = logging.getLogger(__name__)

# Camunda reports these conflict types as 500 (it has no 409); OptimisticLocking likewise.
_CAMUNDA_500 = {"TaskAlreadyClaimedException", "OptimisticLockingException"}


class RestError(Exception):
    def __init__(self, status: int, message: str, type_: str = "InvalidRequestException") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_


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
        status = exc.status
        if isinstance(exc, Conflict) and exc.camunda_type in _CAMUNDA_500:
            status = 500
        return error_response(status, exc.camunda_type, exc.message)

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


__all__ = ["RestError", "invalid", "error_response", "register_error_handlers"]
