"""Decision definitions: queries and count, one definition by id, key or key + tenant, its deployed XML,
and evaluating it."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields

from service import ops as operations
from service.ops import definitions as definition_ops

from .common import load, ops
from .definitions import DecisionDefinitionSchema, DefinitionQuerySchema, decision_schema, read_definition_query
from .openapi import CountResultSchema
from .queries import flag, string, strings
from .routes import READ, Doc, Resource
from .variables import variables_to_plain, variables_to_typed

resource = Resource("rest_decision_definition", __name__)
bp = resource.bp

# Evaluating a decision changes nothing but history: whoever may read the table may evaluate it.
BY_ID = "/decision-definition/<definition_id>"
BY_KEY = "/decision-definition/key/<key>"
BY_KEY_TENANT = "/decision-definition/key/<key>/tenant-id/<tenant>"


class DecisionQuerySchema(DefinitionQuerySchema):
    class Meta(DefinitionQuerySchema.Meta):
        # Decision definitions are never suspended (Camunda's decision query has no such filters).
        exclude = ("active", "suspended")

    id = string("decisionDefinitionId")
    ids = strings("decisionDefinitionIdIn")
    include_without_tenant = flag("includeDecisionDefinitionsWithoutTenantId")


class EvaluateSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)


class DmnXmlSchema(Schema):
    id = fields.String()
    dmnXml = fields.String()


query_schema = DecisionQuerySchema()
evaluate_schema = EvaluateSchema()


@resource.get("/decision-definition", access=READ, doc=Doc("Query decision definitions", query=DecisionQuerySchema,
                                                           response=DecisionDefinitionSchema, many=True))
def list_() -> ResponseReturnValue:
    q = read_definition_query(query_schema)
    return jsonify([decision_schema.dump(v)
                    for v in (definition_ops.query_definitions(ops(), "decision", q) if q is not None else [])])


@resource.get("/decision-definition/count", access=READ,
              doc=Doc("Count decision definitions", query=DecisionQuerySchema, response=CountResultSchema))
def count() -> ResponseReturnValue:
    q = read_definition_query(query_schema)
    return jsonify({"count": definition_ops.count_definitions(ops(), "decision", q) if q is not None else 0})


@resource.get(BY_ID, access=READ, doc=Doc("A decision definition", response=DecisionDefinitionSchema))
def get_by_id(definition_id: str) -> ResponseReturnValue:
    return jsonify(decision_schema.dump(operations.get_definition(ops(), "decision", definition_id=definition_id)))


@resource.get(BY_KEY, access=READ, doc=Doc("Latest decision definition of a key", response=DecisionDefinitionSchema))
def get_by_key(key: str) -> ResponseReturnValue:
    return jsonify(decision_schema.dump(operations.get_definition(ops(), "decision", key=key)))


@resource.get(BY_KEY_TENANT, access=READ)
def get_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return jsonify(decision_schema.dump(operations.get_definition(ops(), "decision", key=key, tenant=tenant)))


def _xml(**where: Any) -> ResponseReturnValue:
    view, xml = definition_ops.definition_xml(ops(), "decision", **where)
    return jsonify({"id": view.id, "dmnXml": xml})


@resource.get(BY_ID + "/xml", access=READ)
def xml(definition_id: str) -> ResponseReturnValue:
    return _xml(definition_id=definition_id)


@resource.get(BY_KEY + "/xml", access=READ)
def xml_by_key(key: str) -> ResponseReturnValue:
    return _xml(key=key)


@resource.get(BY_KEY_TENANT + "/xml", access=READ)
def xml_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _xml(key=key, tenant=tenant)


def _evaluate(*, key: str | None = None, definition_id: str | None = None,
              tenant: str | None = None) -> ResponseReturnValue:
    body = load(evaluate_schema)
    view = operations.evaluate_decision(ops(), key=key, definition_id=definition_id, tenant=tenant,
                                        variables=variables_to_plain(body["variables"]))
    return jsonify([variables_to_typed(row) for row in view.result_list])


@resource.post(BY_ID + "/evaluate", access=READ, doc=Doc("Evaluate a decision", body=EvaluateSchema))
def evaluate_by_id(definition_id: str) -> ResponseReturnValue:
    return _evaluate(definition_id=definition_id)


@resource.post(BY_KEY + "/evaluate", access=READ, doc=Doc("Evaluate a decision", body=EvaluateSchema))
def evaluate_by_key(key: str) -> ResponseReturnValue:
    return _evaluate(key=key)


@resource.post(BY_KEY_TENANT + "/evaluate", access=READ,
               doc=Doc("Evaluate a decision of a tenant", body=EvaluateSchema))
def evaluate_by_key_tenant(key: str, tenant: str) -> ResponseReturnValue:
    return _evaluate(key=key, tenant=tenant)


__all__ = ["bp", "resource", "DecisionQuerySchema", "EvaluateSchema", "DmnXmlSchema"]
