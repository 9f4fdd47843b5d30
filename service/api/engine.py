"""GET /engine: the engines this REST API serves (Camunda clients call it to pick an engine name)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

ENGINE_NAME = "default"

bp = Blueprint("rest_engine", __name__)


@bp.get("/engine")
def engines() -> ResponseReturnValue:
    return jsonify([{"name": ENGINE_NAME}])
