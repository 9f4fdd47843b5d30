"""Process instances: GET and POST queries with count (narrowed to what the caller may see), one
instance, cancel (DELETE), its variables and activity instances."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from service import ops as operations
from service.ops import instances as instance_ops
from service.ops.file_variables import file_data, is_reference
from service.ops.views import InstanceView

from .access import apply_tenant_filter, principal
from .common import arg_bool, arg_str, file_response, json_body, links, ops
from .errors import RestError, invalid
from .openapi import CountResultSchema
from .params import NOTHING_TO_SKIP
from .queries import QuerySchema, flag, load_body, read_query, string, strings, without_paging
from .routes import READ, WRITE, Doc, Resource
from .variable_query import VariableFilterList, VariableFilterSchema
from .variables import (ONE_VALUE_PARAMS, VALUE_PARAMS, VariableValueSchema, plain_to_typed, typed_to_plain,
                        variables_to_plain, variables_to_typed)

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
    super_instance = string("superProcessInstance")
    sub_instance = string("subProcessInstance")
    variables = VariableFilterList("variables")
    variable_names_ignore_case = flag("variableNamesIgnoreCase")
    variable_values_ignore_case = flag("variableValuesIgnoreCase")
    incident_message = string("incidentMessage")
    incident_message_like = string("incidentMessageLike")
    definition_without_tenant = flag("processDefinitionWithoutTenantId")


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
    return jsonify(_json(view))      # Camunda's instance DTO always carries its links (pycamunda reads them)


# Cancelling runs no listeners and no output mappings here, so Camunda's skip switches hold either way.
@resource.delete("/process-instance/<instance_id>", access=WRITE,
                 params=("deleteReason", "failIfNotExists", *NOTHING_TO_SKIP),
                 doc=Doc("Cancel a process instance", status=204))
def delete(instance_id: str) -> ResponseReturnValue:
    """Camunda's flags: cancelling runs no listeners and no output mappings here, so skipCustomListeners and
    skipIoMappings hold either way; failIfNotExists=false answers 204 for an unknown or ended instance;
    `deleteReason` is the reason kept in history."""
    from service.ops.errors import NotFound

    from .operator import user_id

    if not arg_bool("failIfNotExists", True):
        try:
            if operations.get_instance(ops(), instance_id).ended:
                return "", 204      # an ended instance is not in Camunda's runtime: "not found"
        except NotFound:
            return "", 204
    operations.cancel_instance(ops(), instance_id, reason=arg_str("deleteReason"), user=user_id())
    return "", 204


@resource.get("/process-instance/<instance_id>/variables", access=READ, params=VALUE_PARAMS)
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


@resource.get("/process-instance/<instance_id>/variables/<name>", access=READ, params=ONE_VALUE_PARAMS)
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
    children = [{"id": f"{a.element_id}:{instance_id}", "parentActivityInstanceId": instance_id,
                 "activityId": a.element_id, "activityName": a.name, "name": a.name,
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
