"""The HTTP status a page answers with for an error of the operations layer (which carries none)."""
from __future__ import annotations

from service.ops.errors import BadRequest, Conflict, Forbidden, NotFound, OpsError


def page_status(exc: OpsError) -> int:
    """400 for a refused request, 403, 404, 409 for a lost race, 500 for a failure of the process."""
    for cls, status in ((BadRequest, 400), (Forbidden, 403), (NotFound, 404), (Conflict, 409)):
        if isinstance(exc, cls):
            return status
    return 500


__all__ = ["page_status"]
