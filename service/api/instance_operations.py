"""Operator actions on process instances, Camunda's endpoints and bodies: suspend and activate
(`PUT /process-instance/{id}/suspended`, `PUT /process-instance/suspended`), modification
(`POST /process-instance/{id}/modification` and `/modification-async`) and the asynchronous delete
(`POST /process-instance/delete`). `DELETE /process-instance/{id}` is in process_instance.py."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields, validate

from service.ops import batches, modification, suspension
from service.ops import instances as instance_ops

from .access import apply_tenant_filter, principal
from .batch import BatchSchema, batch_json
from .common import ops
from .errors import invalid
from .operator import require_operator, tenant_scope, user_id
from .process_instance import InstanceQuerySchema
from .queries import load_body
from .routes import READ, WRITE, Doc, Resource
from .variables import variables_to_plain

resource = Resource("rest_instance_operations", __name__)
bp = resource.bp


class SuspensionSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    suspended = fields.Boolean(required=True)


class GroupSuspensionSchema(SuspensionSchema):
    processInstanceIds = fields.List(fields.String(), load_default=None, validate=validate.Length(max=100_000))
    processDefinitionId = fields.String(load_default=None)
    processDefinitionKey = fields.String(load_default=None)
    processDefinitionTenantId = fields.String(load_default=None)
    processDefinitionWithoutTenantId = fields.Boolean(load_default=False)


class InstructionSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    type = fields.String(required=True, validate=validate.OneOf(
        ["startBeforeActivity", "startAfterActivity", "startTransition", "cancel"]))
    activityId = fields.String(load_default=None)
    transitionId = fields.String(load_default=None)
    activityInstanceId = fields.String(load_default=None)
    transitionInstanceId = fields.String(load_default=None)
    cancelCurrentActiveActivityInstances = fields.Boolean(load_default=False)
    variables = fields.Dict(load_default=None, allow_none=True)
    ancestorActivityInstanceId = fields.String(load_default=None)


class ModificationSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    instructions = fields.List(fields.Nested(InstructionSchema), required=True,
                               validate=validate.Length(min=1, max=100))
    skipCustomListeners = fields.Boolean(load_default=False)
    skipIoMappings = fields.Boolean(load_default=False)
    annotation = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class DeleteSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    processInstanceIds = fields.List(fields.String(), load_default=None, validate=validate.Length(max=100_000))
    processInstanceQuery = fields.Dict(load_default=None, allow_none=True)
    deleteReason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    skipCustomListeners = fields.Boolean(load_default=False)
    skipSubprocesses = fields.Boolean(load_default=False)
    skipIoMappings = fields.Boolean(load_default=False)
    failIfNotExists = fields.Boolean(load_default=True)


suspension_schema = SuspensionSchema()
group_schema = GroupSuspensionSchema()
modification_schema = ModificationSchema()
delete_schema = DeleteSchema()
instance_query_schema = InstanceQuerySchema()


def instance_query(body: dict[str, Any] | None) -> instance_ops.InstanceQuery | None:
    """A `processInstanceQuery` body (the runtime query's filters) as an InstanceQuery, narrowed to
    what the caller may see."""
    if body is None:
        return None
    values = instance_query_schema.load(body)
    values.pop("sorting", None)
    scope = apply_tenant_filter(values["tenant_ids"], without_tenant=values["without_tenant"],
                                include_without_tenant=values["without_tenant"])
    values["tenant_ids"], values["without_tenant"] = scope.split()
    values["variables"] = [(v["name"], v["operator"], v["value"]) for v in values["variables"]]
    if values["variables"]:
        raise invalid("variable filters are not supported in a processInstanceQuery of a batch operation")
    return instance_ops.InstanceQuery(**values, visible_to=principal())


@resource.put("/process-instance/<instance_id>/suspended", access=WRITE,
              doc=Doc("Suspend or activate a process instance", body=SuspensionSchema, body_required=True,
                      status=204))
def suspend_one(instance_id: str) -> ResponseReturnValue:
    body = load_body(suspension_schema, required=True)
    suspension.suspend_instance(ops(), instance_id, body["suspended"], user=user_id())
    return "", 204


@resource.put("/process-instance/suspended", access=READ,
              doc=Doc("Suspend or activate process instances by ids or definition", body=GroupSuspensionSchema,
                      body_required=True, status=204))
def suspend_many() -> ResponseReturnValue:
    body = load_body(group_schema, required=True)
    selectors = [body["processInstanceIds"], body["processDefinitionId"], body["processDefinitionKey"]]
    if sum(1 for s in selectors if s) != 1:
        raise invalid("Only one of processInstanceIds, processDefinitionId or processDefinitionKey should be set to "
                      "update the suspension state.")
    suspension.suspend_instances(ops(), body["suspended"], instance_ids=body["processInstanceIds"],
                                 definition_id=body["processDefinitionId"],
                                 definition_key=body["processDefinitionKey"],
                                 tenant_id=body["processDefinitionTenantId"],
                                 without_tenant=body["processDefinitionWithoutTenantId"], user=user_id(),
                                 tenant_scope=tenant_scope())
    return "", 204


def _instructions(body: dict[str, Any]) -> list[modification.ModificationInstruction]:
    result = []
    for i in body["instructions"]:
        if i["ancestorActivityInstanceId"]:
            raise invalid("ancestorActivityInstanceId is not supported: tokens are moved in the top process only")
        result.append(modification.ModificationInstruction(
            i["type"], activity_id=i["activityId"], transition_id=i["transitionId"],
            activity_instance_id=i["activityInstanceId"], transition_instance_id=i["transitionInstanceId"],
            cancel_current_active_activity_instances=i["cancelCurrentActiveActivityInstances"],
            variables=variables_to_plain(i["variables"], field="variables") if i["variables"] else {}))
    return result


@resource.post("/process-instance/<instance_id>/modification", access=WRITE,
               doc=Doc("Modify a process instance (move tokens)", body=ModificationSchema, body_required=True,
                       status=204))
def modify(instance_id: str) -> ResponseReturnValue:
    body = load_body(modification_schema, required=True)
    modification.modify_instance(ops(), instance_id, _instructions(body),
                                 skip_custom_listeners=body["skipCustomListeners"],
                                 skip_io_mappings=body["skipIoMappings"], annotation=body["annotation"],
                                 user=user_id())
    return "", 204


@resource.post("/process-instance/<instance_id>/modification-async", access=WRITE,
               doc=Doc("Modify a process instance in a batch", body=ModificationSchema, body_required=True,
                       response=BatchSchema))
def modify_async(instance_id: str) -> ResponseReturnValue:
    body = load_body(modification_schema, required=True)
    instructions = _instructions(body)
    modification.check_options(skip_io_mappings=body["skipIoMappings"])
    view = instance_ops.get_instance(ops(), instance_id)
    payload = {"instructions": [i.__dict__ for i in instructions], "annotation": body["annotation"]}
    return jsonify(batch_json(_create(batches.MODIFICATION, [view.id], payload, view.tenant_id)))


def _create(batch_type: str, ids: list[str], payload: dict[str, Any], tenant_id: str | None) -> Any:
    context = ops()
    with context.transaction() as session:
        return batches.create_batch(context, session, batch_type, ids, payload, user=user_id(), tenant_id=tenant_id)


@resource.post("/process-instance/delete", access=READ,
               doc=Doc("Delete process instances in a batch", body=DeleteSchema, body_required=True,
                       response=BatchSchema))
def delete_async() -> ResponseReturnValue:
    require_operator()
    body = load_body(delete_schema, required=True)
    if body["skipIoMappings"]:
        modification.check_options(skip_io_mappings=True)
    ids = list(dict.fromkeys(body["processInstanceIds"] or []))
    q = instance_query(body["processInstanceQuery"])
    if q is not None:
        ids.extend(v.id for v in instance_ops.query_instances(ops(), q) if v.id not in ids)
    if not ids:
        raise invalid("processInstanceIds is empty")
    scope = tenant_scope()
    tenants: set[str | None] = set()
    for instance_id in ids:
        try:
            view = instance_ops.get_instance(ops(), instance_id)
        except Exception:   # noqa: BLE001 - a missing instance is the batch's business (failIfNotExists)
            continue
        tenants.add(view.tenant_id)
        if scope is not None and view.tenant_id is not None and view.tenant_id not in scope[0]:
            raise invalid(f"Process instance {instance_id} is not in a tenant you may change")
    # The batch belongs to the tenant of its instances when they share one (none otherwise).
    tenant = next(iter(tenants)) if len(tenants) == 1 else None
    payload = {"deleteReason": body["deleteReason"], "failIfNotExists": body["failIfNotExists"]}
    return jsonify(batch_json(_create(batches.DELETION, ids, payload, tenant)))


__all__ = ["bp", "resource", "instance_query"]
