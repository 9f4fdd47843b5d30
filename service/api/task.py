"""User tasks: GET and POST queries with count (narrowed to what the caller may see), one task, claim,
unclaim, assignee, completion and submit-form, the form, variables seen from a task, identity links."""
from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields, validate

from service import ops as operations
from service.ops import tasks as task_ops
from service.ops.task_filters import TaskFilters
from service.ops.views import TaskView

from .access import apply_tenant_filter, principal
from .common import CamundaDate, arg_list, json_body, load, ops
from .dates import format_date
from .errors import RestError, invalid
from .openapi import CountResultSchema
from .queries import Flag, QuerySchema, date, flag, integer, load_body, read_query, string, strings, without_paging
from .routes import ASSIGN, READ, WORK, Doc, Resource
from .variable_query import VariableFilterList, to_filters
from .variables import (ONE_VALUE_PARAMS, VALUE_PARAMS, VariableValueSchema, plain_to_typed, typed_to_plain,
                        variables_to_plain, variables_to_typed)

resource = Resource("rest_task", __name__)
bp = resource.bp


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
        return _form_ref(task)


def task_json(t: TaskView) -> dict[str, Any]:
    """What `TaskSchema().dump(t)` gives (a test keeps them equal), without marshmallow: on the path of
    every task list and task GET the schema only copies attributes, at several times the cost."""
    return {"id": t.id, "name": t.name, "assignee": t.assignee, "created": format_date(t.created),
            "lastUpdated": None, "due": format_date(t.due), "followUp": format_date(t.follow_up),
            "delegationState": None, "description": t.documentation, "executionId": t.instance_id,
            "owner": t.owner, "parentTaskId": None, "priority": t.priority, "processDefinitionId": t.definition_id,
            "processInstanceId": t.instance_id, "taskDefinitionKey": t.element_id, "caseExecutionId": None,
            "caseInstanceId": None, "caseDefinitionId": None, "suspended": False, "formKey": t.form_key,
            "camundaFormRef": _form_ref(t), "tenantId": t.tenant_id, "taskState": "Created"}


class UserIdSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    userId = fields.String(required=True, allow_none=True)


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
    without_due = flag("withoutDueDate")
    # task_filters.TaskFilters (MORE_FILTERS below)
    business_keys = strings("processInstanceBusinessKeyIn")
    business_key_like = string("processInstanceBusinessKeyLike")
    definition_name = string("processDefinitionName")
    definition_name_like = string("processDefinitionNameLike")
    execution_id = string("executionId")
    assignee_like = string("assigneeLike")
    assignee_in = strings("assigneeIn")
    assignee_not_in = strings("assigneeNotIn")
    assigned = flag("assigned")
    owner = string("owner")
    involved_user = string("involvedUser")
    candidate_group_like = string("candidateGroupLike")
    with_candidate_groups = flag("withCandidateGroups")
    without_candidate_groups = flag("withoutCandidateGroups")
    with_candidate_users = flag("withCandidateUsers")
    without_candidate_users = flag("withoutCandidateUsers")
    task_definition_keys_not_in = strings("taskDefinitionKeyNotIn")
    task_definition_key_like = string("taskDefinitionKeyLike")
    description = string("description")
    description_like = string("descriptionLike")
    name_not_equal = string("nameNotEqual")
    name_not_like = string("nameNotLike")
    min_priority = integer("minPriority")
    max_priority = integer("maxPriority")
    active = flag("active")
    suspended = flag("suspended")
    parent_task_id = string("parentTaskId")
    delegation_state = fields.String(data_key="delegationState", load_default=None, allow_none=True,
                                     validate=validate.OneOf(["PENDING", "RESOLVED"]))
    due_date = date("dueDate")
    due_equal = date("due")                       # Camunda's older name of dueDate
    follow_up_date = date("followUpDate")
    follow_up_equal = date("followUp")            # ... of followUpDate
    follow_up_after = date("followUpAfter")
    follow_up_before = date("followUpBefore")
    follow_up_before_or_not_existent = date("followUpBeforeOrNotExistent")
    created_on = date("createdOn")
    created_equal = date("created")               # ... of createdOn
    created_after = date("createdAfter")
    created_before = date("createdBefore")
    process_variables = VariableFilterList("processVariables")
    task_variables = VariableFilterList("taskVariables")
    variable_names_ignore_case = flag("variableNamesIgnoreCase")
    variable_values_ignore_case = flag("variableValuesIgnoreCase")


MORE_FILTERS = frozenset(f.name for f in dataclass_fields(TaskFilters))


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


class IdentityLinkSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    userId = fields.String(load_default=None, allow_none=True)
    groupId = fields.String(load_default=None, allow_none=True)
    type = fields.String(required=True, validate=validate.OneOf(sorted(task_ops.LINK_TYPES)))


class TaskFormSchema(Schema):
    key = fields.String(allow_none=True)
    contextPath = fields.String(allow_none=True)
    camundaFormRef = fields.Dict(allow_none=True)


task_schema = TaskSchema()
user_schema = UserIdSchema()
query_schema = TaskQuerySchema()
complete_schema = CompleteSchema()
modifications_schema = ModificationsSchema()
value_schema = VariableValueSchema()
link_schema = IdentityLinkSchema()

def _form_ref(task: TaskView) -> dict[str, Any] | None:
    if not task.form_ref:
        return None
    return {"key": task.form_ref, "binding": task.form_ref_binding or "latest", "version": task.form_ref_version}


def _task_query(paged: bool) -> operations.TaskQuery | None:
    """The asked query, narrowed to what the caller may see; None when nothing can match."""
    values = read_query(query_schema)
    if not paged:
        values = without_paging(values) | {"sort": values["sort"], "first_result": 0, "max_results": None}
    scope = apply_tenant_filter(values["tenant_ids"], without_tenant=values["without_tenant"],
                                include_without_tenant=values["without_tenant"])
    if scope.empty:
        return None
    values["tenant_ids"], values["without_tenant"] = scope.split()
    values["overdue_at"] = ops().clock.now() if values.pop("overdue") else None
    for alias, name in (("due_equal", "due_date"), ("follow_up_equal", "follow_up_date"),
                        ("created_equal", "created_on")):
        alias_value = values.pop(alias)
        values[name] = values[name] or alias_value
    more = {name: values.pop(name) for name in MORE_FILTERS}
    candidates = (values["candidate_group"], values["candidate_groups"], values["candidate_user"],
                  more["candidate_group_like"])
    if values["include_assigned"] and all(c is None for c in candidates) and not any(
            more[k] for k in ("with_candidate_groups", "without_candidate_groups", "with_candidate_users",
                              "without_candidate_users")):
        raise invalid("Invalid query usage: candidateUser, candidateGroup, candidateGroupIn, withCandidateGroups, "
                      "withCandidateUsers has to be called before 'includeAssignedTasks'.")
    more["process_variables"] = to_filters(more["process_variables"])
    more["task_variables"] = to_filters(more["task_variables"])
    return operations.TaskQuery(**values, more=TaskFilters(**more), visible_to=principal())


@resource.query("/task", doc=Doc("Query tasks", query=TaskQuerySchema, response=TaskSchema, many=True))
def list_() -> ResponseReturnValue:
    q = _task_query(paged=True)
    return jsonify([] if q is None else [task_json(t) for t in operations.query_tasks(ops(), q)])


@resource.query("/task/count", doc=Doc("Count tasks", query=TaskQuerySchema, response=CountResultSchema))
def count() -> ResponseReturnValue:
    q = _task_query(paged=False)
    return jsonify({"count": 0 if q is None else operations.count_tasks(ops(), q)})


@resource.get("/task/<task_id>", access=READ, doc=Doc("A task", response=TaskSchema))
def get(task_id: str) -> ResponseReturnValue:
    return jsonify(task_json(operations.get_task(ops(), task_id)))


@resource.post("/task/<task_id>/claim", access=WORK,
               doc=Doc("Claim a task", body=UserIdSchema, status=204, body_required=True))
def claim(task_id: str) -> ResponseReturnValue:
    body = load(user_schema, required=True)
    if not body.get("userId"):
        raise invalid("userId is required to claim a task")
    operations.claim(ops(), task_id, body["userId"])
    return "", 204


@resource.post("/task/<task_id>/unclaim", access=ASSIGN, doc=Doc("Unclaim a task", status=204))
def unclaim(task_id: str) -> ResponseReturnValue:
    operations.unclaim(ops(), task_id)
    return "", 204


@resource.post("/task/<task_id>/assignee", access=ASSIGN,
               doc=Doc("Set the assignee", body=UserIdSchema, status=204, body_required=True))
def assignee(task_id: str) -> ResponseReturnValue:
    body = load(user_schema, required=True)
    operations.assign(ops(), task_id, body.get("userId"))
    return "", 204


def _user() -> str | None:
    p = getattr(g, "rest_principal", None)
    if p is not None:
        return p.user_id
    return request.headers.get("X-Alur-User") or None     # authentication off: the caller may name itself


def _complete_body() -> dict[str, Any]:
    """The completion body. The usual shape (a variables object, a boolean or null flag) is read as is;
    anything else goes through CompleteSchema, which coerces or refuses it with its messages."""
    body = json_body()
    variables = body.get("variables")
    flag = body.get("withVariablesInReturn")
    if isinstance(variables, (dict, type(None))) and isinstance(flag, (bool, type(None))):
        return {"variables": variables, "withVariablesInReturn": bool(flag)}
    loaded: dict[str, Any] = complete_schema.load(body)
    return loaded


def _complete(task_id: str) -> ResponseReturnValue:
    body = _complete_body()
    result = operations.complete_task(ops(), task_id, variables_to_plain(body["variables"]), user=_user(),
                                      with_variables=body["withVariablesInReturn"])
    if body["withVariablesInReturn"]:
        return jsonify(variables_to_typed(result or {}))
    return "", 204


@resource.post("/task/<task_id>/complete", access=WORK,
               doc=Doc("Complete a task", body=CompleteSchema, status=204))
def complete(task_id: str) -> ResponseReturnValue:
    """The history records the authenticated user (or X-Alur-User when authentication is off)."""
    return _complete(task_id)


@resource.post("/task/<task_id>/submit-form", access=WORK,
               doc=Doc("Submit a task form", body=CompleteSchema, status=204))
def submit_form(task_id: str) -> ResponseReturnValue:
    return _complete(task_id)


@resource.get("/task/<task_id>/form", access=READ, doc=Doc("Form of a task", response=TaskFormSchema))
def form(task_id: str) -> ResponseReturnValue:
    task = operations.get_task(ops(), task_id)
    return jsonify({"key": task.form_key, "contextPath": None, "camundaFormRef": _form_ref(task)})


@resource.get("/task/<task_id>/form-variables", access=READ, params=("variableNames", *VALUE_PARAMS))
def form_variables(task_id: str) -> ResponseReturnValue:
    return jsonify(variables_to_typed(task_ops.form_variables(ops(), task_id, arg_list("variableNames"))))


@resource.get("/task/<task_id>/variables", access=READ, params=VALUE_PARAMS)
def variables(task_id: str) -> ResponseReturnValue:
    return jsonify(variables_to_typed(task_ops.task_variables(ops(), task_id)))


@resource.get("/task/<task_id>/localVariables", access=READ, params=VALUE_PARAMS)
def local_variables(task_id: str) -> ResponseReturnValue:
    operations.get_task(ops(), task_id)
    return jsonify({})     # user tasks keep no variables of their own here


@resource.post("/task/<task_id>/variables", access=WORK,
               doc=Doc("Modify variables seen by a task", body=ModificationsSchema, status=204))
def modify_variables(task_id: str) -> ResponseReturnValue:
    body = load_body(modifications_schema)
    task_ops.set_task_variables(ops(), task_id, variables_to_plain(body["modifications"], field="modifications"),
                                remove=body["deletions"] or [])
    return "", 204


@resource.get("/task/<task_id>/variables/<name>", access=READ, params=ONE_VALUE_PARAMS)
def variable(task_id: str, name: str) -> ResponseReturnValue:
    values = task_ops.task_variables(ops(), task_id)
    if name not in values:
        raise RestError(404, f"task variable with name {name} does not exist")
    return jsonify(plain_to_typed(values[name]))


@resource.put("/task/<task_id>/variables/<name>", access=WORK,
              doc=Doc("Set a variable from a task", body=VariableValueSchema, status=204, body_required=True))
def put_variable(task_id: str, name: str) -> ResponseReturnValue:
    body = load_body(value_schema, required=True)
    task_ops.set_task_variables(ops(), task_id, {name: typed_to_plain(name, body)})
    return "", 204


@resource.delete("/task/<task_id>/variables/<name>", access=WORK)
def delete_variable(task_id: str, name: str) -> ResponseReturnValue:
    task_ops.set_task_variables(ops(), task_id, {}, remove=[name])
    return "", 204


@resource.get("/task/<task_id>/identity-links", access=READ, params=("type",))
def identity_links(task_id: str) -> ResponseReturnValue:
    links = task_ops.identity_links(ops(), task_id, request.args.get("type") or None)
    return jsonify([{"userId": link.user_id, "groupId": link.group_id, "type": link.type} for link in links])


@resource.post("/task/<task_id>/identity-links", access=WORK,
               doc=Doc("Add an identity link", body=IdentityLinkSchema, status=204, body_required=True))
def add_identity_link(task_id: str) -> ResponseReturnValue:
    body = load_body(link_schema, required=True)
    task_ops.add_identity_link(ops(), task_id, user_id=body["userId"], group_id=body["groupId"],
                               link_type=body["type"])
    return "", 204


@resource.post("/task/<task_id>/identity-links/delete", access=WORK,
               doc=Doc("Delete an identity link", body=IdentityLinkSchema, status=204, body_required=True))
def delete_identity_link(task_id: str) -> ResponseReturnValue:
    body = load_body(link_schema, required=True)
    task_ops.delete_identity_link(ops(), task_id, user_id=body["userId"], group_id=body["groupId"],
                                  link_type=body["type"])
    return "", 204


__all__ = ["bp", "resource", "TaskSchema", "task_schema", "task_json", "TaskQuerySchema", "CompleteSchema",
           "ModificationsSchema", "IdentityLinkSchema", "TaskFormSchema", "UserIdSchema"]
