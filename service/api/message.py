"""POST /message: correlate a message to a waiting instance or a message start event."""
from __future__ import annotations

from typing import Any

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields

from service import ops as operations

from .access import apply_tenant_filter, can_see_instance, can_start_definition
from .common import ops
from .errors import invalid
from .process_instance import instance_json
from .params import load_declared
from .routes import WORK, Doc, Resource
from .variables import variables_to_plain, variables_to_typed

resource = Resource("rest_message", __name__)
bp = resource.bp


class CorrelateSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    messageName = fields.String(required=True)
    businessKey = fields.String(load_default=None, allow_none=True)
    tenantId = fields.String(load_default=None, allow_none=True)
    withoutTenantId = fields.Boolean(load_default=False)
    processInstanceId = fields.String(load_default=None, allow_none=True)
    correlationKeys = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    processVariables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    all = fields.Boolean(load_default=False)
    resultEnabled = fields.Boolean(load_default=False)
    variablesInResultEnabled = fields.Boolean(load_default=False)


correlate_schema = CorrelateSchema()


@resource.post("/message", access=WORK, doc=Doc("Correlate a message", body=CorrelateSchema, body_required=True))
def correlate() -> ResponseReturnValue:
    body = load_declared(correlate_schema, required=True)
    if not body["messageName"]:
        raise invalid("No message name given")
    # A restricted caller correlates only into instances it may see and starts only what it may start;
    # everything else counts as "no match" so the answer does not reveal what exists elsewhere.
    scope = apply_tenant_filter(None)
    restricted = scope.ids is not None
    principal = getattr(g, "rest_principal", None)
    results = operations.correlate_message(
        ops(), body["messageName"], business_key=body["businessKey"],
        correlation_keys=variables_to_plain(body["correlationKeys"], field="correlationKeys"),
        variables=variables_to_plain(body["processVariables"], field="processVariables"), tenant=body["tenantId"],
        without_tenant=body["withoutTenantId"], instance_id=body["processInstanceId"], all_matches=body["all"],
        with_variables=body["variablesInResultEnabled"], user=getattr(principal, "user_id", None),
        tenant_filter=(scope.ids, scope.include_null) if scope.ids is not None else None,
        may_see=can_see_instance if restricted else None, may_start=can_start_definition if restricted else None)
    if not body["resultEnabled"]:
        return "", 204
    out: list[dict[str, Any]] = []
    for r in results:
        item: dict[str, Any] = {"resultType": r.result_type, "execution": None, "processInstance": None}
        if r.result_type == "Execution":
            item["execution"] = {"id": r.instance.id, "processInstanceId": r.instance.id,
                                 "ended": r.instance.ended, "tenantId": r.instance.tenant_id}
        else:
            item["processInstance"] = instance_json(r.instance, with_links=False)
        if body["variablesInResultEnabled"]:
            item["variables"] = variables_to_typed(r.variables or {})
        out.append(item)
    return jsonify(out)
