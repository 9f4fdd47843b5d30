"""User tasks: GET /task/{id}; claim, unclaim, assignee (queries and completion: task_query.py)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields

from service import ops as operations
from service.ops.views import TaskView

from .common import CamundaDate, load, ops
from .errors import invalid

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


task_schema = TaskSchema()
user_schema = UserIdSchema()

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


__all__ = ["bp", "TaskSchema", "task_schema"]
