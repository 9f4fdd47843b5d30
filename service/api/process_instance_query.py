"""Process instances beyond the first surface: GET/POST queries and count with Camunda's filters,
single variables (PUT, DELETE)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields, validate

from service import ops as operations
from service.ops import instances as iq

from .access import apply_tenant_filter, can_see_instance, principal
from .common import ops
from .process_instance import instance_json
from .queries import QuerySchema, flag, load_body, read_query, string, strings, without_paging
from .variables import typed_to_plain

bp = Blueprint("rest_process_instance_query", __name__)


class VariableFilterSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=1))
    operator = fields.String(required=True, validate=validate.OneOf(["eq", "neq", "gt", "gteq", "lt", "lteq",
                                                                     "like"]))
    value = fields.Raw(required=True, allow_none=True)


class VariableFilters(fields.List):
    """POST: a list of {name, operator, value}; GET: `name_operator_value` items separated by commas."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, str):
            items = []
            for part in value.split(","):
                pieces = part.split("_", 2)
                if len(pieces) != 3:
                    raise self.make_error("invalid", input=part)
                items.append({"name": pieces[0], "operator": pieces[1], "value": _url_value(pieces[2])})
            value = items
        return super()._deserialize(value, attr, data, **kwargs)

    default_error_messages = {"invalid": "variable filter '{input}' must be name_operator_value"}


def _url_value(text: str) -> Any:
    """Camunda reads URL filter values as numbers or booleans when they look like one."""
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


class InstanceQuerySchema(QuerySchema):
    ids = strings("processInstanceIds")
    business_key = string("businessKey")
    business_key_like = string("businessKeyLike")
    definition_id = string("processDefinitionId")
    definition_key = string("processDefinitionKey")
    definition_keys = strings("processDefinitionKeyIn")
    definition_keys_not = strings("processDefinitionKeyNotIn")
    deployment_id = string("deploymentId")
    tenant_ids = strings("tenantIdIn")
    without_tenant = flag("withoutTenantId")
    active = flag("active")
    suspended = flag("suspended")
    with_incident = flag("withIncident")
    incident_id = string("incidentId")
    incident_type = string("incidentType")
    activity_ids = strings("activityIdIn")
    variables = VariableFilters(fields.Nested(VariableFilterSchema), load_default=list)


class VariableValueSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    value = fields.Raw(load_default=None, allow_none=True)
    type = fields.String(load_default=None, allow_none=True)
    valueInfo = fields.Dict(load_default=None, allow_none=True)


query_schema = InstanceQuerySchema()
value_schema = VariableValueSchema()


def _query(paged: bool = True) -> iq.InstanceQuery | None:
    values = read_query(query_schema)
    if not paged:
        values = without_paging(values)
    scope = apply_tenant_filter(values["tenant_ids"], without_tenant=values["without_tenant"],
                                include_without_tenant=values["without_tenant"])
    if scope.empty:
        return None
    values["tenant_ids"], values["without_tenant"] = scope.split()
    values["variables"] = [(v["name"], v["operator"], v["value"]) for v in values["variables"]]
    return iq.InstanceQuery(**values)


def _json(view: Any) -> dict[str, Any]:
    return {"links": [], **instance_json(view, with_links=False)}     # Camunda lists carry empty links


def _visible(views: list[Any]) -> list[Any]:
    return views if principal() is None else [v for v in views if can_see_instance(v)]


@bp.route("/process-instance", methods=["GET", "POST"])
def list_() -> ResponseReturnValue:
    q = _query()
    if q is None:
        return jsonify([])
    if principal() is None:
        return jsonify([_json(v) for v in iq.query_instances(ops(), q)])
    first, limit = q.first_result, q.max_results
    q.first_result, q.max_results = 0, None
    views = _visible(iq.query_instances(ops(), q))
    views = views[first:] if limit is None else views[first:first + limit]
    return jsonify([_json(v) for v in views])


@bp.route("/process-instance/count", methods=["GET", "POST"])
def count() -> ResponseReturnValue:
    q = _query(paged=False)
    if q is None:
        return jsonify({"count": 0})
    if principal() is None:
        return jsonify({"count": iq.count_instances(ops(), q)})
    return jsonify({"count": len(_visible(iq.query_instances(ops(), q)))})


@bp.put("/process-instance/<instance_id>/variables/<name>")
def put_variable(instance_id: str, name: str) -> ResponseReturnValue:
    body = load_body(value_schema, required=True)
    operations.set_variables(ops(), instance_id, {name: typed_to_plain(name, body)})
    return "", 204


@bp.delete("/process-instance/<instance_id>/variables/<name>")
def delete_variable(instance_id: str, name: str) -> ResponseReturnValue:
    operations.set_variables(ops(), instance_id, {}, remove=[name])
    return "", 204


@bp.get("/process-instance/<instance_id>/variables/<name>/data")
def variable_data(instance_id: str, name: str) -> ResponseReturnValue:
    """Camunda serves only Bytes/File variables here; Alur has none, so every existing one is refused."""
    from .errors import RestError

    values = operations.get_variables(ops(), instance_id)
    if name not in values:
        raise RestError(404, f"process instance variable with name {name} does not exist")
    raise RestError(400, f"Value of variable {name} of process instance {instance_id} is not a binary value.")


__all__ = ["bp", "InstanceQuerySchema", "VariableFilterSchema", "VariableValueSchema"]
