"""User tasks beyond the first surface: GET and POST queries with count (narrowed to what the
authenticated user may see), variables seen from a task, form, form-variables, submit-form and
identity links."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields, validate

from service import ops as operations
from service.ops import tasks as td

from .access import apply_tenant_filter, can_see_task, principal
from .common import arg_list, ops
from .errors import RestError
from .queries import Flag, QuerySchema, date, flag, integer, load_body, read_query, string, strings, without_paging
from .task import task_schema
from .variables import plain_to_typed, typed_to_plain, variables_to_plain, variables_to_typed

bp = Blueprint("rest_task_query", __name__)


class TaskQuerySchema(QuerySchema):
    task_id = string("taskId")
    instance_id = string("processInstanceId")
    business_key = string("processInstanceBusinessKey")
    candidate_group = string("candidateGroup")
    candidate_groups = strings("candidateGroups")
    candidate_user = string("candidateUser")
    include_assigned = flag("includeAssignedTasks")
    assignee = string("assignee")
    unassigned = flag("unassigned")
    task_definition_key = string("taskDefinitionKey")
    definition_key = string("processDefinitionKey")
    definition_id = string("processDefinitionId")
    tenant_ids = strings("tenantIdIn")
    without_tenant = flag("withoutTenantId")
    due_before = date("dueBefore")
    due_after = date("dueAfter")
    overdue = flag("overdue")
    name_like = string("nameLike")
    task_ids = strings("taskIdIn")
    definition_keys = strings("processDefinitionKeyIn")
    task_definition_keys = strings("taskDefinitionKeyIn")
    instance_ids = strings("processInstanceIdIn")
    name = string("name")
    priority = integer("priority")


class CompleteSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    withVariablesInReturn = Flag(load_default=False, allow_none=True)


class ModificationsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    modifications = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    deletions = fields.List(fields.String(), load_default=None, allow_none=True)


class VariableValueSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    value = fields.Raw(load_default=None, allow_none=True)
    type = fields.String(load_default=None, allow_none=True)
    valueInfo = fields.Dict(load_default=None, allow_none=True)


class IdentityLinkSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    userId = fields.String(load_default=None, allow_none=True)
    groupId = fields.String(load_default=None, allow_none=True)
    type = fields.String(required=True, validate=validate.OneOf(sorted(td.LINK_TYPES)))


class TaskFormSchema(Schema):
    key = fields.String(allow_none=True)
    contextPath = fields.String(allow_none=True)
    camundaFormRef = fields.Dict(allow_none=True)


query_schema = TaskQuerySchema()
complete_schema = CompleteSchema()
modifications_schema = ModificationsSchema()
value_schema = VariableValueSchema()
link_schema = IdentityLinkSchema()

_IN_PYTHON = ("task_ids", "definition_keys", "task_definition_keys", "instance_ids", "name", "priority")


def _fetch(paged: bool) -> list[Any]:
    values = read_query(query_schema)
    if not paged:
        values = without_paging(values) | {"sort": values["sort"], "first_result": 0, "max_results": None}
    scope = apply_tenant_filter(values["tenant_ids"], without_tenant=values["without_tenant"],
                                include_without_tenant=values["without_tenant"])
    if scope.empty:
        return []
    values["tenant_ids"], values["without_tenant"] = scope.split()
    extra = {k: values.pop(k) for k in _IN_PYTHON}
    overdue = values.pop("overdue")
    values["overdue_at"] = ops().clock.now() if overdue else None
    restricted = principal() is not None or any(v is not None for v in extra.values())
    first, limit = values["first_result"], values["max_results"]
    if restricted:
        # Filters the SQL query does not know are applied here, so paging must come after them.
        values["first_result"], values["max_results"] = 0, None
    tasks = operations.query_tasks(ops(), operations.TaskQuery(**values))
    if restricted:
        tasks = [t for t in tasks if _extra_match(t, extra) and can_see_task(t)]
        tasks = tasks[first:] if limit is None else tasks[first:first + limit]
    return tasks


def _extra_match(t: Any, extra: dict[str, Any]) -> bool:
    checks = (("task_ids", t.id), ("definition_keys", t.definition_key), ("task_definition_keys", t.element_id),
              ("instance_ids", t.instance_id))
    for key, value in checks:
        if extra[key] is not None and value not in extra[key]:
            return False
    if extra["name"] is not None and t.name != extra["name"]:
        return False
    return extra["priority"] is None or t.priority == extra["priority"]


@bp.route("/task", methods=["GET", "POST"])
def list_() -> ResponseReturnValue:
    return jsonify([task_schema.dump(t) for t in _fetch(paged=True)])


@bp.route("/task/count", methods=["GET", "POST"])
def count() -> ResponseReturnValue:
    return jsonify({"count": len(_fetch(paged=False))})


def _user() -> str | None:
    from flask import request
    p = getattr(g, "rest_principal", None)
    if p is not None:
        return p.user_id
    return request.headers.get("X-Alur-User") or None     # authentication off: the first surface's header


def _complete(task_id: str) -> ResponseReturnValue:
    body = load_body(complete_schema)
    result = operations.complete_task(ops(), task_id, variables_to_plain(body["variables"]), user=_user(),
                                      with_variables=body["withVariablesInReturn"])
    if body["withVariablesInReturn"]:
        return jsonify(variables_to_typed(result or {}))
    return "", 204


@bp.post("/task/<task_id>/complete")
def complete(task_id: str) -> ResponseReturnValue:
    """As the first surface's complete, but the history records the authenticated user."""
    return _complete(task_id)


@bp.post("/task/<task_id>/submit-form")
def submit_form(task_id: str) -> ResponseReturnValue:
    return _complete(task_id)


@bp.get("/task/<task_id>/form")
def form(task_id: str) -> ResponseReturnValue:
    task = operations.get_task(ops(), task_id)
    ref = None
    if task.form_ref:
        ref = {"key": task.form_ref, "binding": task.form_ref_binding or "latest", "version": task.form_ref_version}
    return jsonify({"key": task.form_key, "contextPath": None, "camundaFormRef": ref})


@bp.get("/task/<task_id>/form-variables")
def form_variables(task_id: str) -> ResponseReturnValue:
    return jsonify(variables_to_typed(td.form_variables(ops(), task_id, arg_list("variableNames"))))


@bp.get("/task/<task_id>/variables")
def variables(task_id: str) -> ResponseReturnValue:
    return jsonify(variables_to_typed(td.task_variables(ops(), task_id)))


@bp.get("/task/<task_id>/localVariables")
def local_variables(task_id: str) -> ResponseReturnValue:
    operations.get_task(ops(), task_id)
    return jsonify({})     # user tasks keep no variables of their own here


@bp.post("/task/<task_id>/variables")
def modify_variables(task_id: str) -> ResponseReturnValue:
    body = load_body(modifications_schema)
    td.set_task_variables(ops(), task_id, variables_to_plain(body["modifications"], field="modifications"),
                          remove=body["deletions"] or [])
    return "", 204


@bp.get("/task/<task_id>/variables/<name>")
def variable(task_id: str, name: str) -> ResponseReturnValue:
    values = td.task_variables(ops(), task_id)
    if name not in values:
        raise RestError(404, f"task variable with name {name} does not exist")
    return jsonify(plain_to_typed(values[name]))


@bp.put("/task/<task_id>/variables/<name>")
def put_variable(task_id: str, name: str) -> ResponseReturnValue:
    body = load_body(value_schema, required=True)
    td.set_task_variables(ops(), task_id, {name: typed_to_plain(name, body)})
    return "", 204


@bp.delete("/task/<task_id>/variables/<name>")
def delete_variable(task_id: str, name: str) -> ResponseReturnValue:
    td.set_task_variables(ops(), task_id, {}, remove=[name])
    return "", 204


@bp.get("/task/<task_id>/identity-links")
def identity_links(task_id: str) -> ResponseReturnValue:
    from flask import request
    links = td.identity_links(ops(), task_id, request.args.get("type") or None)
    return jsonify([{"userId": link.user_id, "groupId": link.group_id, "type": link.type} for link in links])


@bp.post("/task/<task_id>/identity-links")
def add_identity_link(task_id: str) -> ResponseReturnValue:
    body = load_body(link_schema, required=True)
    td.add_identity_link(ops(), task_id, user_id=body["userId"], group_id=body["groupId"], link_type=body["type"])
    return "", 204


@bp.post("/task/<task_id>/identity-links/delete")
def delete_identity_link(task_id: str) -> ResponseReturnValue:
    body = load_body(link_schema, required=True)
    td.delete_identity_link(ops(), task_id, user_id=body["userId"], group_id=body["groupId"],
                            link_type=body["type"])
    return "", 204


__all__ = ["bp", "TaskQuerySchema", "CompleteSchema", "ModificationsSchema", "VariableValueSchema",
           "IdentityLinkSchema", "TaskFormSchema"]
