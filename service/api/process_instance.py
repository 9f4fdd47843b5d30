"""Process instances: GET and POST queries with count (narrowed to what the caller may see), one
instance, cancel (DELETE), its variables and activity instances."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields, validate

from service import ops as operations
from service.ops import instances as instance_ops
from service.ops.file_variables import file_data, is_reference
from service.ops.views import InstanceView

from .access import apply_tenant_filter, principal
from .common import arg_str, file_response, json_body, links, ops
from .errors import RestError, invalid
from .openapi import CountResultSchema
from .queries import QuerySchema, flag, load_body, read_query, string, strings, without_paging
from .routes import READ, WRITE, Doc, Resource
from .variables import VariableValueSchema, plain_to_typed, typed_to_plain, variables_to_plain, variables_to_typed

resource = Resource("rest_process_instance", __name__)
bp = resource.bp


class ProcessInstanceSchema(Schema):
    id = fields.String()
    definitionId = fields.String(attribute="definition_id")
    definitionKey = fields.String(attribute="definition_key")
    businessKey = fields.String(attribute="business_key", allow_none=True)
    caseInstanceId = fields.Constant(None)
    ended = fields.Boolean()
    suspended = fields.Boolean()
    tenantId = fields.String(attribute="tenant_id", allow_none=True)


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


instance_schema = ProcessInstanceSchema()
query_schema = InstanceQuerySchema()
value_schema = VariableValueSchema()


def instance_json(view: InstanceView, *, with_links: bool = True,
                  variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = instance_schema.dump(view)
    if with_links:
        body = {"links": links([("self", f"/process-instance/{view.id}")]), **body}
    if variables is not None:
        body["variables"] = variables_to_typed(variables)
    return body


def _query(paged: bool = True) -> instance_ops.InstanceQuery | None:
    values = read_query(query_schema)
    if not paged:
        values = without_paging(values)
    scope = apply_tenant_filter(values["tenant_ids"], without_tenant=values["without_tenant"],
                                include_without_tenant=values["without_tenant"])
    if scope.empty:
        return None
    values["tenant_ids"], values["without_tenant"] = scope.split()
    values["variables"] = [(v["name"], v["operator"], v["value"]) for v in values["variables"]]
    return instance_ops.InstanceQuery(**values, visible_to=principal())


def _json(view: Any) -> dict[str, Any]:
    return {"links": [], **instance_json(view, with_links=False)}     # Camunda lists carry empty links


@resource.query("/process-instance", doc=Doc("Query process instances", query=InstanceQuerySchema,
                                              response=ProcessInstanceSchema, many=True))
def list_() -> ResponseReturnValue:
    q = _query()
    if q is None:
        return jsonify([])
    return jsonify([_json(v) for v in instance_ops.query_instances(ops(), q)])


@resource.query("/process-instance/count", doc=Doc("Count process instances", query=InstanceQuerySchema,
                                                    response=CountResultSchema))
def count() -> ResponseReturnValue:
    q = _query(paged=False)
    if q is None:
        return jsonify({"count": 0})
    return jsonify({"count": instance_ops.count_instances(ops(), q)})


@resource.get("/process-instance/<instance_id>", access=READ,
              doc=Doc("A process instance", response=ProcessInstanceSchema))
def get(instance_id: str) -> ResponseReturnValue:
    view = operations.get_instance(ops(), instance_id)
    if view.ended:
        # Camunda's runtime API does not know ended instances.
        return jsonify({"type": "InvalidRequestException",
                        "message": f"Process instance with id {instance_id} does not exist"}), 404
    return jsonify(instance_json(view, with_links=False))


@resource.delete("/process-instance/<instance_id>", access=WRITE, doc=Doc("Cancel a process instance", status=204))
def delete(instance_id: str) -> ResponseReturnValue:
    operations.cancel_instance(ops(), instance_id, reason=arg_str("deleteReason"))
    return "", 204


@resource.get("/process-instance/<instance_id>/variables", access=READ)
def variables(instance_id: str) -> ResponseReturnValue:
    return jsonify(variables_to_typed(operations.get_variables(ops(), instance_id)))


@resource.post("/process-instance/<instance_id>/variables", access=WRITE)
def modify_variables(instance_id: str) -> ResponseReturnValue:
    body = json_body()
    deletions = body.get("deletions") or []
    if not isinstance(deletions, list) or not all(isinstance(d, str) for d in deletions):
        raise invalid("'deletions' must be a list of variable names")
    operations.set_variables(ops(), instance_id, variables_to_plain(body.get("modifications"), field="modifications"),
                             remove=deletions)
    return "", 204


@resource.get("/process-instance/<instance_id>/variables/<name>", access=READ)
def variable(instance_id: str, name: str) -> ResponseReturnValue:
    values = operations.get_variables(ops(), instance_id)
    if name not in values:
        return jsonify({"type": "InvalidRequestException",
                        "message": f"process instance variable with name {name} does not exist"}), 404
    return jsonify(plain_to_typed(values[name]))


@resource.put("/process-instance/<instance_id>/variables/<name>", access=WRITE,
              doc=Doc("Set a variable", status=204, body_required=True, body=VariableValueSchema))
def put_variable(instance_id: str, name: str) -> ResponseReturnValue:
    body = load_body(value_schema, required=True)
    operations.set_variables(ops(), instance_id, {name: typed_to_plain(name, body)})
    return "", 204


@resource.delete("/process-instance/<instance_id>/variables/<name>", access=WRITE,
                 doc=Doc("Remove a variable", status=204))
def delete_variable(instance_id: str, name: str) -> ResponseReturnValue:
    operations.set_variables(ops(), instance_id, {}, remove=[name])
    return "", 204


@resource.get("/process-instance/<instance_id>/variables/<name>/data", access=READ)
def variable_data(instance_id: str, name: str) -> ResponseReturnValue:
    """Camunda serves only Bytes/File variables here: a File variable's document; any other is refused."""
    values = operations.get_variables(ops(), instance_id)
    if name not in values:
        raise RestError(404, f"process instance variable with name {name} does not exist")
    if not is_reference(values[name]):
        raise RestError(400, f"Value of variable {name} of process instance {instance_id} is not a binary value.")
    return file_response(*file_data(ops(), instance_id, values[name]))


@resource.get("/process-instance/<instance_id>/activity-instances", access=READ)
def activity_instances(instance_id: str) -> ResponseReturnValue:
    view = operations.get_instance(ops(), instance_id, with_active=True)
    children = [{"id": f"{a.element_id}:{instance_id}", "activityId": a.element_id, "activityName": a.name,
                 "activityType": a.element_type, "processInstanceId": instance_id,
                 "processDefinitionId": view.definition_id, "childActivityInstances": [],
                 "childTransitionInstances": [], "executionIds": [instance_id], "incidentIds": [], "incidents": []}
                for a in view.active_elements or []]
    return jsonify({"id": instance_id, "parentActivityInstanceId": None, "activityId": view.definition_id,
                    "activityType": "processDefinition", "processInstanceId": instance_id,
                    "processDefinitionId": view.definition_id, "childActivityInstances": children,
                    "childTransitionInstances": [], "executionIds": [instance_id], "activityName": None,
                    "incidentIds": [], "incidents": [], "name": None})


__all__ = ["bp", "resource", "instance_json", "ProcessInstanceSchema", "InstanceQuerySchema", "VariableFilterSchema"]
