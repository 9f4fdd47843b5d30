"""GET /version: the Camunda 7 REST version this API imitates."""
from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from .routes import OPEN, Doc, Resource

CAMUNDA_REST_VERSION = "7.22.0"

resource = Resource("rest_version", __name__)
bp = resource.bp


class VersionSchema(Schema):
    version = fields.String()


@resource.get("/version", access=OPEN, doc=Doc("Camunda REST version imitated", response=VersionSchema))
def version() -> ResponseReturnValue:
    return jsonify({"version": CAMUNDA_REST_VERSION})
