"""Process instance migration, Camunda's `/migration`: generate a plan (equal activity ids), validate it
(the plan, and per instance when instances are named), execute it at once or as a batch."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields, validate

from service.ops import migration

from .batch import BatchSchema, batch_json
from .common import ops
from .instance_operations import instance_query
from .operator import require_operator, tenant_scope, user_id
from .queries import load_body
from .routes import READ, Doc, Resource
from .variables import plain_to_typed, variables_to_plain

resource = Resource("rest_migration", __name__)
bp = resource.bp


class GenerateSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sourceProcessDefinitionId = fields.String(required=True)
    targetProcessDefinitionId = fields.String(required=True)
    updateEventTriggers = fields.Boolean(load_default=False)
    variables = fields.Dict(load_default=None, allow_none=True)


class InstructionSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sourceActivityIds = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=1))
    targetActivityIds = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=1))
    updateEventTrigger = fields.Boolean(load_default=False)


class PlanSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    sourceProcessDefinitionId = fields.String(required=True)
    targetProcessDefinitionId = fields.String(required=True)
    instructions = fields.List(fields.Nested(InstructionSchema), required=True, validate=validate.Length(max=10_000))
    variables = fields.Dict(load_default=None, allow_none=True)


class ValidateSchema(PlanSchema):
    """Camunda's body is the plan itself; Alur also takes processInstanceIds/processInstanceQuery
    (the per-instance report of what stops each instance)."""

    processInstanceIds = fields.List(fields.String(), load_default=None, validate=validate.Length(max=10_000))
    processInstanceQuery = fields.Dict(load_default=None, allow_none=True)


class ExecuteSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    migrationPlan = fields.Nested(PlanSchema, required=True)
    processInstanceIds = fields.List(fields.String(), load_default=None, validate=validate.Length(max=100_000))
    processInstanceQuery = fields.Dict(load_default=None, allow_none=True)
    skipCustomListeners = fields.Boolean(load_default=False)
    skipIoMappings = fields.Boolean(load_default=False)
    annotation = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


generate_schema = GenerateSchema()
validate_schema = ValidateSchema()
execute_schema = ExecuteSchema()


def _plan(body: dict[str, Any]) -> migration.MigrationPlan:
    variables = variables_to_plain(body["variables"], field="variables") if body.get("variables") else {}
    return migration.MigrationPlan(
        body["sourceProcessDefinitionId"], body["targetProcessDefinitionId"],
        [migration.PlanInstruction(i["sourceActivityIds"], i["targetActivityIds"], i["updateEventTrigger"])
         for i in body["instructions"]], variables)


def plan_json(plan: migration.MigrationPlan) -> dict[str, Any]:
    body = plan.to_json()
    body["variables"] = {k: plain_to_typed(v) for k, v in plan.variables.items()} or None
    return body


@resource.post("/migration/generate", access=READ,
               doc=Doc("Generate a migration plan (equal activity ids)", body=GenerateSchema, body_required=True,
                       response=PlanSchema))
def generate() -> ResponseReturnValue:
    require_operator()
    body = load_body(generate_schema, required=True)
    variables = variables_to_plain(body["variables"], field="variables") if body["variables"] else {}
    return jsonify(plan_json(migration.generate_plan(ops(), body["sourceProcessDefinitionId"],
                                                     body["targetProcessDefinitionId"],
                                                     update_event_triggers=body["updateEventTriggers"],
                                                     variables=variables)))


def _instruction_json(i: migration.PlanInstruction) -> dict[str, Any]:
    return {"sourceActivityIds": i.source_activity_ids, "targetActivityIds": i.target_activity_ids,
            "updateEventTrigger": i.update_event_trigger}


@resource.post("/migration/validate", access=READ,
               doc=Doc("Validate a migration plan (and instances against it)", body=ValidateSchema,
                       body_required=True))
def validate_() -> ResponseReturnValue:
    require_operator()
    body = load_body(validate_schema, required=True)
    with_instances = bool(body["processInstanceIds"]) or body["processInstanceQuery"] is not None
    report = migration.validate(ops(), _plan(body), instance_ids=body["processInstanceIds"],
                                instance_query=instance_query(body["processInstanceQuery"]),
                                tenant_scope=tenant_scope() if with_instances else None)
    result: dict[str, Any] = {
        "instructionReports": [{"instruction": _instruction_json(r.instruction), "failures": r.failures}
                               for r in report.instruction_reports],
        "variableReports": {}}
    if with_instances:
        result["instanceReports"] = [
            {"processInstanceId": r.instance_id, "failures": r.failures,
             "activityInstanceValidationReports": [{"sourceScopeId": element, "failures": [failure]}
                                                   for element, failure in r.activity_failures],
             "transitionInstanceValidationReports": []}
            for r in report.instance_reports]
    return jsonify(result)


def _execute_args(body: dict[str, Any]) -> dict[str, Any]:
    require_operator()
    return dict(instance_ids=body["processInstanceIds"], instance_query=instance_query(body["processInstanceQuery"]),
                skip_custom_listeners=body["skipCustomListeners"], skip_io_mappings=body["skipIoMappings"],
                user=user_id(), annotation=body["annotation"], tenant_scope=tenant_scope())


@resource.post("/migration/execute", access=READ,
               doc=Doc("Migrate process instances now (all or none)", body=ExecuteSchema, body_required=True,
                       status=204))
def execute() -> ResponseReturnValue:
    body = load_body(execute_schema, required=True)
    migration.execute(ops(), _plan(body["migrationPlan"]), **_execute_args(body))
    return "", 204


@resource.post("/migration/executeAsync", access=READ,
               doc=Doc("Migrate process instances in a batch", body=ExecuteSchema, body_required=True,
                       response=BatchSchema))
def execute_async() -> ResponseReturnValue:
    body = load_body(execute_schema, required=True)
    return jsonify(batch_json(migration.execute_async(ops(), _plan(body["migrationPlan"]), **_execute_args(body))))


__all__ = ["bp", "resource", "plan_json"]
