"""The pages' statuses for operations errors (which carry none)."""
from __future__ import annotations

from service.ops import errors as E
from service.web.error_status import page_status


def test_page_status_by_error_class() -> None:
    assert page_status(E.ParseError("x")) == 400
    assert page_status(E.BadRequest("x")) == 400
    assert page_status(E.Forbidden("x")) == 403
    assert page_status(E.NotFound("x")) == 404
    assert page_status(E.TaskAlreadyClaimed("x")) == 409
    assert page_status(E.NotActive("x")) == 409
    assert page_status(E.OperationFailed("x")) == 500
    assert page_status(E.OpsError("x")) == 500
