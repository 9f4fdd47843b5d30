"""Process definitions: get by id or key, start an instance (by key, key + tenant, or id); lists: definition_query.py."""
from __future__ import annotations

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields

from service import ops as operations

from .common import load, ops
from .definitions_json import process_schema
from .process_instance import instance_json
from .variables import variables_to_plain

bp = Blueprint("rest_process_definition", __name__)


class StartSchema(Schema):
    class Meta:
        unknown = EXCLUDE     # Camunda ignores fields it does not use (startInstructions, caseInstanceId...)

    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    businessKey = fields.String(load_default=None, allow_none=True)
    withVariablesInReturn = fields.Boolean(load_default=False)


start_schema = StartSchema()


def _start(*, key: str | None = None, definition_id: str | None = None, tenant: str | None = None) -> ResponseReturnValue:
    body = load(start_schema)
    view = operations.start_instance(ops(), key=key, definition_id=definition_id, tenant=tenant,
                                     variables=variables_to_plain(body["variables"]),
                                     business_key=body["businessKey"],
                                     with_variables=body["withVariablesInReturn"],
                                     user=getattr(getattr(g, "rest_principal", None), "user_id", None))
    return jsonify(instance_json(view, variables=view.variables if body["withVariablesInReturn"] else None))


@bp.post("/process-definition/key/<key>/start")
def start_by_key(key: str) -> ResponseReturnValue:
    return _start(key=key)


@bp.post("/process-definition/key/<key>/tenant-id/<tenant>/start")
def start_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _start(key=key, tenant=tenant)


@bp.post("/process-definition/<definition_id>/start")
def start_by_id(definition_id: str) -> ResponseReturnValue:
    return _start(definition_id=definition_id)


@bp.get("/process-definition/key/<key>")
def get_by_key(key: str) -> ResponseReturnValue:
    return jsonify(process_schema.dump(operations.get_definition(ops(), "process", key=key)))


@bp.get("/process-definition/key/<key>/tenant-id/<tenant>")
def get_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return jsonify(process_schema.dump(operations.get_definition(ops(), "process", key=key, tenant=tenant)))


@bp.get("/process-definition/<definition_id>")
def get_by_id(definition_id: str) -> ResponseReturnValue:
    return jsonify(process_schema.dump(operations.get_definition(ops(), "process", definition_id=definition_id)))
