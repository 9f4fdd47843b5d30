"""Operations errors carry no HTTP status: the REST API maps each class to Camunda's status and type."""
from __future__ import annotations

import pytest

from service.api.errors import OPS_ERRORS, ops_error_status
from service.ops import errors as E


@pytest.mark.parametrize(("exc", "expected"), [
    (E.BadRequest("x"), (400, "InvalidRequestException")),
    (E.ParseError("x"), (400, "ParseException")),
    (E.Rejected("x"), (400, "ProcessEngineException")),
    (E.Suspended("x"), (400, "SuspendedEntityInteractionException")),
    (E.MessageMismatch("x"), (400, "MismatchingMessageCorrelationException")),
    (E.LockNotHeld("x"), (400, "RestException")),
    (E.NotFound("x"), (404, "InvalidRequestException")),
    (E.Conflict("x"), (500, "OptimisticLockingException")),
    (E.TaskAlreadyClaimed("x"), (500, "TaskAlreadyClaimedException")),
    (E.NotActive("x"), (409, "ProcessEngineException")),
    (E.Forbidden("x"), (403, "AuthorizationException")),
    (E.OperationFailed("x"), (500, "ProcessEngineException")),
    (E.OpsError("x"), (500, "RestException")),
])
def test_each_ops_error_has_camundas_status_and_type(exc: E.OpsError, expected: tuple[int, str]) -> None:
    assert ops_error_status(exc) == expected


def test_subclasses_are_listed_before_their_base() -> None:
    classes = [cls for cls, _, _ in OPS_ERRORS]
    for i, cls in enumerate(classes):
        assert not any(issubclass(cls, earlier) for earlier in classes[:i]), cls


def test_ops_errors_know_nothing_of_http() -> None:
    exc = E.TaskAlreadyClaimed("Task 't' is already claimed", pesan="Tugas sudah diklaim")
    assert not hasattr(exc, "status") and not hasattr(exc, "camunda_type")
    assert (exc.message, exc.pesan) == ("Task 't' is already claimed", "Tugas sudah diklaim")
