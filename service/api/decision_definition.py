"""Decision definitions: get, evaluate (by key, key + tenant, or id); lists: definition_query.py."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields

from service import ops as operations

from .common import load, ops
from .definitions_json import decision_schema
from .variables import variables_to_plain, variables_to_typed

bp = Blueprint("rest_decision_definition", __name__)


class EvaluateSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)


evaluate_schema = EvaluateSchema()


def _evaluate(*, key: str | None = None, definition_id: str | None = None,
              tenant: str | None = None) -> ResponseReturnValue:
    body = load(evaluate_schema)
    view = operations.evaluate_decision(ops(), key=key, definition_id=definition_id, tenant=tenant,
                                        variables=variables_to_plain(body["variables"]))
    return jsonify([variables_to_typed(row) for row in view.result_list])


@bp.post("/decision-definition/key/<key>/evaluate")
def evaluate_by_key(key: str) -> ResponseReturnValue:
    return _evaluate(key=key)


@bp.post("/decision-definition/key/<key>/tenant-id/<tenant>/evaluate")
def evaluate_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _evaluate(key=key, tenant=tenant)


@bp.post("/decision-definition/<definition_id>/evaluate")
def evaluate_by_id(definition_id: str) -> ResponseReturnValue:
    return _evaluate(definition_id=definition_id)


@bp.get("/decision-definition/key/<key>")
def get_by_key(key: str) -> ResponseReturnValue:
    return jsonify(decision_schema.dump(operations.get_definition(ops(), "decision", key=key)))


@bp.get("/decision-definition/<definition_id>")
def get_by_id(definition_id: str) -> ResponseReturnValue:
    return jsonify(decision_schema.dump(operations.get_definition(ops(), "decision", definition_id=definition_id)))
