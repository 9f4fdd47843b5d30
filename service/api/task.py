"""User tasks: GET /task (query), /task/count, /task/{id}; claim, unclaim, assignee, complete."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields

from service import ops as operations
from service.ops.views import TaskView

from .common import CamundaDate, arg_bool, arg_date, arg_int, arg_list, arg_str, load, ops
from .errors import invalid
from .variables import variables_to_plain, variables_to_typed

bp = Blueprint("rest_task", __name__)


class TaskSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    created = CamundaDate()
    lastUpdated = fields.Constant(None)
    due = CamundaDate(allow_none=True)
    followUp = CamundaDate(attribute="follow_up", allow_none=True)
    delegationState = fields.Constant(None)
    description = fields.String(attribute="documentation", allow_none=True)
    executionId = fields.Function(lambda t: t.instance_id)
    owner = fields.String(allow_none=True)
    parentTaskId = fields.Constant(None)
    priority = fields.Integer()
    processDefinitionId = fields.String(attribute="definition_id")
    processInstanceId = fields.String(attribute="instance_id")
    taskDefinitionKey = fields.String(attribute="element_id")
    caseExecutionId = fields.Constant(None)
    caseInstanceId = fields.Constant(None)
    caseDefinitionId = fields.Constant(None)
    suspended = fields.Constant(False)
    formKey = fields.String(attribute="form_key", allow_none=True)
    camundaFormRef = fields.Method("_form_ref")
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    taskState = fields.Constant("Created")

    def _form_ref(self, task: TaskView) -> dict[str, Any] | None:
        if not task.form_ref:
            return None
        return {"key": task.form_ref, "binding": task.form_ref_binding or "latest", "version": task.form_ref_version}


class UserIdSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    userId = fields.String(required=True, allow_none=True)


class CompleteSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    withVariablesInReturn = fields.Boolean(load_default=False)


task_schema = TaskSchema()
user_schema = UserIdSchema()
complete_schema = CompleteSchema()

_SORT_ALIASES = {"instanceId": "processInstanceId", "dueDate": "dueDate"}


def _query() -> operations.TaskQuery:
    sort_by = arg_str("sortBy")
    sort_order = arg_str("sortOrder")
    if (sort_by is None) != (sort_order is None):
        raise invalid("Only a single sorting parameter specified. sortBy and sortOrder required")
    due_before, due_after = arg_date("dueBefore"), arg_date("dueAfter")
    overdue = None
    if arg_bool("overdue"):
        overdue = ops().clock.now()
    tenants = arg_list("tenantIdIn")
    return operations.TaskQuery(
        task_id=arg_str("taskId"), instance_id=arg_str("processInstanceId"),
        business_key=arg_str("processInstanceBusinessKey"), candidate_group=arg_str("candidateGroup"),
        candidate_groups=arg_list("candidateGroups"), candidate_user=arg_str("candidateUser"),
        include_assigned=arg_bool("includeAssignedTasks"), assignee=arg_str("assignee"),
        unassigned=arg_bool("unassigned"), task_definition_key=arg_str("taskDefinitionKey"),
        definition_key=arg_str("processDefinitionKey"), definition_id=arg_str("processDefinitionId"),
        tenant_ids=tenants, without_tenant=arg_bool("withoutTenantId"), due_before=due_before, due_after=due_after,
        overdue_at=overdue, name_like=arg_str("nameLike"),
        sort=[(sort_by, sort_order)] if sort_by and sort_order else [],
        first_result=arg_int("firstResult", 0) or 0, max_results=arg_int("maxResults"))


@bp.get("/task")
def list_() -> ResponseReturnValue:
    return jsonify([task_schema.dump(t) for t in operations.query_tasks(ops(), _query())])


@bp.get("/task/count")
def count() -> ResponseReturnValue:
    return jsonify({"count": operations.count_tasks(ops(), _query())})


@bp.get("/task/<task_id>")
def get(task_id: str) -> ResponseReturnValue:
    return jsonify(task_schema.dump(operations.get_task(ops(), task_id)))


@bp.post("/task/<task_id>/claim")
def claim(task_id: str) -> ResponseReturnValue:
    body = load(user_schema, required=True)
    if not body.get("userId"):
        raise invalid("userId is required to claim a task")
    operations.claim(ops(), task_id, body["userId"])
    return "", 204


@bp.post("/task/<task_id>/unclaim")
def unclaim(task_id: str) -> ResponseReturnValue:
    operations.unclaim(ops(), task_id)
    return "", 204


@bp.post("/task/<task_id>/assignee")
def assignee(task_id: str) -> ResponseReturnValue:
    body = load(user_schema, required=True)
    operations.assign(ops(), task_id, body.get("userId"))
    return "", 204


@bp.post("/task/<task_id>/complete")
def complete(task_id: str) -> ResponseReturnValue:
    body = load(complete_schema)
    result = operations.complete_task(ops(), task_id, variables_to_plain(body["variables"]),
                                      user=request.headers.get("X-Alur-User") or None,
                                      with_variables=body["withVariablesInReturn"])
    if body["withVariablesInReturn"]:
        return jsonify(variables_to_typed(result or {}))
    return "", 204


__all__ = ["bp", "TaskSchema", "task_schema"]
