"""GET /version: the Camunda 7 REST version this API imitates."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

CAMUNDA_REST_VERSION = "7.22.0"

bp = Blueprint("rest_version", __name__)


@bp.get("/version")
def version() -> ResponseReturnValue:
    return jsonify({"version": CAMUNDA_REST_VERSION})
