"""Request bodies must say what they are: JSON endpoints take `application/json` (or `+json`) only, the
deployment upload `multipart/form-data` only; anything else is a 415 naming the content type.

A browser can send a cross-site form POST as `text/plain` or `application/x-www-form-urlencoded`
without a preflight; read as JSON, such a body would let any web page act with a browser's cached
credentials. Bodiless requests (`POST .../unlock`) pass whatever their header says.
"""
from __future__ import annotations

from flask import request

from .errors import RestError
from .routes import DOCS

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def _multipart_endpoint() -> bool:
    # DOCS is keyed "resource_blueprint.function"; the endpoint carries the API blueprint's name in front.
    doc = DOCS.get(".".join((request.endpoint or "").split(".")[-2:]))
    return doc is not None and doc.multipart


def require_declared_content_type() -> None:
    """before_request of /engine-rest."""
    if request.method not in BODY_METHODS or request.url_rule is None:
        return
    mimetype = request.mimetype or ""
    if _multipart_endpoint():
        if mimetype != "multipart/form-data":
            raise _unsupported(mimetype, "multipart/form-data")
        return
    if _is_json(mimetype):
        return
    raw = request.get_data(cache=True)
    if raw and raw.strip():
        raise _unsupported(mimetype, "application/json")


def _unsupported(mimetype: str, expected: str) -> RestError:
    return RestError(415, f"Unsupported content type {mimetype or '(none)'!r}: this endpoint takes {expected} "
                          f"(Jenis isi {mimetype or '(tidak ada)'} tidak didukung: kirim {expected})",
                     "RestException")


__all__ = ["require_declared_content_type"]
