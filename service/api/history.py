"""Camunda's history resources: process-instance, activity-instance, task, variable-instance and
decision-instance, each with GET and POST queries, count and lookup by id."""
from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any, Callable

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from service.ops import history_queries as hq
from service.ops.access import forbidden
from service.ops.file_variables import file_data, is_reference
from service.ops.history_instance_filters import InstanceFilters

from .access import apply_tenant_filter, instance_visibility, tenant_predicate
from .common import CamundaDate, arg_bool, file_response, ops
from .errors import RestError
from .openapi import CountResultSchema
from .queries import (
    QuerySchema,
    date,
    flag,
    read_query,
    string,
    strings,
    without_paging,
)
from .routes import READ, Doc, Resource
from .variables import plain_to_typed

resource = Resource("rest_history", __name__)
bp = resource.bp


# -- query schemas (names as Camunda's, mapped onto one HistoryFilter) -------------------------------------

class _LifecycleQuerySchema(QuerySchema):
    """Filters every historic instance, activity and task query shares."""
    finished = flag("finished")
    unfinished = flag("unfinished")
    started_before = date("startedBefore")
    started_after = date("startedAfter")
    finished_before = date("finishedBefore")
    finished_after = date("finishedAfter")
    tenant_ids = strings("tenantIdIn")
    without_tenant = flag("withoutTenantId")


class HistoricInstanceQuerySchema(_LifecycleQuerySchema):
    instance_id = string("processInstanceId")
    instance_ids = strings("processInstanceIds")
    definition_id = string("processDefinitionId")
    definition_key = string("processDefinitionKey")
    business_key = string("processInstanceBusinessKey")
    super_instance_id = string("superProcessInstanceId")
    sub_instance_id = string("subProcessInstanceId")
    # history_instance_filters.InstanceFilters
    business_key_like = string("processInstanceBusinessKeyLike")
    business_keys = strings("processInstanceBusinessKeyIn")
    definition_keys = strings("processDefinitionKeyIn")
    definition_keys_not = strings("processDefinitionKeyNotIn")
    definition_name = string("processDefinitionName")
    definition_name_like = string("processDefinitionNameLike")
    ids_not = strings("processInstanceIdNotIn")
    started_by = string("startedBy")
    active = flag("active")
    suspended = flag("suspended")
    completed = flag("completed")
    externally_terminated = flag("externallyTerminated")


INSTANCE_FILTERS = frozenset(f.name for f in dataclass_fields(InstanceFilters))


class HistoricActivityQuerySchema(_LifecycleQuerySchema):
    ids = strings("activityInstanceIdIn")
    activity_instance_id = string("activityInstanceId")
    instance_id = string("processInstanceId")
    definition_id = string("processDefinitionId")
    activity_id = string("activityId")
    activity_type = string("activityType")
    canceled = flag("canceled")


class HistoricTaskQuerySchema(_LifecycleQuerySchema):
    task_id = string("taskId")
    instance_id = string("processInstanceId")
    instance_ids = strings("processInstanceIdIn")
    definition_id = string("processDefinitionId")
    definition_key = string("processDefinitionKey")
    activity_id = string("taskDefinitionKey")
    assignee = string("taskAssignee")


class HistoricVariableQuerySchema(QuerySchema):
    variable_name = string("variableName")
    variable_name_like = string("variableNameLike")
    instance_id = string("processInstanceId")
    instance_ids = strings("processInstanceIdIn")
    definition_id = string("processDefinitionId")
    definition_key = string("processDefinitionKey")
    ids = strings("variableInstanceIdIn")
    tenant_ids = strings("tenantIdIn")
    without_tenant = flag("withoutTenantId")


class HistoricDecisionQuerySchema(QuerySchema):
    decision_instance_id = string("decisionInstanceId")
    ids = strings("decisionInstanceIdIn")
    decision_definition_id = string("decisionDefinitionId")
    decision_key = string("decisionDefinitionKey")
    instance_id = string("processInstanceId")
    definition_id = string("processDefinitionId")
    definition_key = string("processDefinitionKey")
    activity_id = string("activityId")
    started_before = date("evaluatedBefore")
    started_after = date("evaluatedAfter")
    tenant_ids = strings("tenantIdIn")
    without_tenant = flag("withoutTenantId")
    include_inputs = flag("includeInputs")
    include_outputs = flag("includeOutputs")


# -- response schemas -------------------------------------------------------------------------------

class HistoricInstanceSchema(Schema):
    id = fields.String()
    rootProcessInstanceId = fields.String(attribute="root_instance_id")
    superProcessInstanceId = fields.String(attribute="super_instance_id", allow_none=True)
    superCaseInstanceId = fields.Constant(None)
    caseInstanceId = fields.Constant(None)
    processDefinitionName = fields.String(attribute="definition_name", allow_none=True)
    processDefinitionKey = fields.String(attribute="definition_key")
    processDefinitionVersion = fields.Integer(attribute="definition_version", allow_none=True)
    processDefinitionId = fields.String(attribute="definition_id")
    businessKey = fields.String(attribute="business_key", allow_none=True)
    startTime = CamundaDate(attribute="start_time")
    endTime = CamundaDate(attribute="end_time", allow_none=True)
    removalTime = fields.Constant(None)
    durationInMillis = fields.Integer(attribute="duration_ms", allow_none=True)
    startUserId = fields.String(attribute="start_user_id", allow_none=True)
    startActivityId = fields.String(attribute="start_activity_id", allow_none=True)
    deleteReason = fields.String(attribute="delete_reason", allow_none=True)
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    state = fields.String()
    restartedProcessInstanceId = fields.Constant(None)


class HistoricActivitySchema(Schema):
    id = fields.String()
    parentActivityInstanceId = fields.Function(lambda a: a.instance_id)
    activityId = fields.String(attribute="activity_id")
    activityName = fields.String(attribute="activity_name", allow_none=True)
    activityType = fields.String(attribute="activity_type", allow_none=True)
    processDefinitionKey = fields.String(attribute="definition_key", allow_none=True)
    processDefinitionId = fields.String(attribute="definition_id", allow_none=True)
    processInstanceId = fields.String(attribute="instance_id")
    executionId = fields.Function(lambda a: a.instance_id)
    taskId = fields.Function(lambda a: a.task_id if a.activity_type in hq.USER_TASK_TYPES else None)
    calledProcessInstanceId = fields.String(attribute="called_instance_id", allow_none=True)
    calledCaseInstanceId = fields.Constant(None)
    assignee = fields.String(allow_none=True)
    startTime = CamundaDate(attribute="start_time")
    endTime = CamundaDate(attribute="end_time", allow_none=True)
    durationInMillis = fields.Integer(attribute="duration_ms", allow_none=True)
    canceled = fields.Boolean()
    completeScope = fields.Function(lambda a: a.activity_type in ("endEvent", "noneEndEvent")
                                    and a.end_time is not None)
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    removalTime = fields.Constant(None)
    rootProcessInstanceId = fields.Function(lambda a: a.instance_id)


class HistoricTaskSchema(Schema):
    id = fields.Function(lambda t: t.activity.task_id)
    processDefinitionKey = fields.Function(lambda t: t.activity.definition_key)
    processDefinitionId = fields.Function(lambda t: t.activity.definition_id)
    processInstanceId = fields.Function(lambda t: t.activity.instance_id)
    executionId = fields.Function(lambda t: t.activity.instance_id)
    caseDefinitionKey = fields.Constant(None)
    caseDefinitionId = fields.Constant(None)
    caseInstanceId = fields.Constant(None)
    caseExecutionId = fields.Constant(None)
    activityInstanceId = fields.Function(lambda t: t.activity.id)
    name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    deleteReason = fields.String(attribute="delete_reason", allow_none=True)
    owner = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    startTime = fields.Function(lambda t: CamundaDate()._serialize(t.activity.start_time, None, None))
    endTime = fields.Function(lambda t: CamundaDate()._serialize(t.activity.end_time, None, None))
    duration = fields.Function(lambda t: t.activity.duration_ms)
    taskDefinitionKey = fields.Function(lambda t: t.activity.activity_id)
    priority = fields.Integer()
    due = CamundaDate(allow_none=True)
    parentTaskId = fields.Constant(None)
    followUp = CamundaDate(attribute="follow_up", allow_none=True)
    tenantId = fields.Function(lambda t: t.activity.tenant_id)
    removalTime = fields.Constant(None)
    rootProcessInstanceId = fields.Function(lambda t: t.activity.instance_id)
    taskState = fields.String(attribute="state")


class HistoricVariableSchema(Schema):
    id = fields.String()
    name = fields.String()
    type = fields.Function(lambda v: plain_to_typed(v.value)["type"])
    value = fields.Function(lambda v: plain_to_typed(v.value)["value"])
    valueInfo = fields.Function(lambda v: plain_to_typed(v.value)["valueInfo"])
    processDefinitionKey = fields.String(attribute="definition_key", allow_none=True)
    processDefinitionId = fields.String(attribute="definition_id", allow_none=True)
    processInstanceId = fields.String(attribute="instance_id", allow_none=True)
    executionId = fields.Function(lambda v: v.instance_id)
    activityInstanceId = fields.Function(lambda v: v.instance_id)
    caseDefinitionKey = fields.Constant(None)
    caseDefinitionId = fields.Constant(None)
    caseInstanceId = fields.Constant(None)
    caseExecutionId = fields.Constant(None)
    taskId = fields.Constant(None)
    errorMessage = fields.Constant(None)
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    state = fields.String()
    createTime = CamundaDate(attribute="created")
    removalTime = fields.Constant(None)
    rootProcessInstanceId = fields.Function(lambda v: v.instance_id)


class HistoricDecisionSchema(Schema):
    id = fields.String()
    decisionDefinitionId = fields.String(attribute="decision_definition_id", allow_none=True)
    decisionDefinitionKey = fields.String(attribute="decision_key")
    decisionDefinitionName = fields.String(attribute="decision_name", allow_none=True)
    evaluationTime = CamundaDate(attribute="evaluation_time")
    removalTime = fields.Constant(None)
    processDefinitionId = fields.String(attribute="definition_id", allow_none=True)
    processDefinitionKey = fields.String(attribute="definition_key", allow_none=True)
    processInstanceId = fields.String(attribute="instance_id", allow_none=True)
    caseDefinitionId = fields.Constant(None)
    caseDefinitionKey = fields.Constant(None)
    caseInstanceId = fields.Constant(None)
    activityId = fields.String(attribute="activity_id", allow_none=True)
    activityInstanceId = fields.String(attribute="activity_instance_id", allow_none=True)
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    userId = fields.String(attribute="user_id", allow_none=True)
    collectResultValue = fields.Constant(None)
    rootDecisionInstanceId = fields.Constant(None)
    rootProcessInstanceId = fields.Function(lambda v: v.instance_id)
    decisionRequirementsDefinitionId = fields.Constant(None)
    decisionRequirementsDefinitionKey = fields.Constant(None)


instance_query_schema = HistoricInstanceQuerySchema()
activity_query_schema = HistoricActivityQuerySchema()
task_query_schema = HistoricTaskQuerySchema()
variable_query_schema = HistoricVariableQuerySchema()
decision_query_schema = HistoricDecisionQuerySchema()
instance_schema = HistoricInstanceSchema()
activity_schema = HistoricActivitySchema()
task_schema = HistoricTaskSchema()
variable_schema = HistoricVariableSchema()
decision_schema = HistoricDecisionSchema()


def _filter(schema: QuerySchema, *, paged: bool) -> tuple[hq.HistoryFilter | None, dict[str, Any]]:
    """The filter (None: this user can see nothing asked for) and the options that are not filters."""
    values = read_query(schema)
    if not paged:
        values = without_paging(values)
    options: dict[str, Any] = {k: values.pop(k) for k in ("include_inputs", "include_outputs") if k in values}
    for single, many in (("activity_instance_id", "ids"), ("decision_instance_id", "ids")):
        if values.get(single):
            values[many] = list(values.get(many) or []) + [values[single]]
        values.pop(single, None)
    scope = apply_tenant_filter(values.pop("tenant_ids", None),
                                without_tenant=bool(values.pop("without_tenant", False)))
    if scope.empty:
        return None, options
    instance = InstanceFilters(**{k: values.pop(k) for k in INSTANCE_FILTERS if k in values})
    values.update(scope.explicit(), visible=instance_visibility(), instance=instance)
    return hq.HistoryFilter(**values), options


def _resource(path: str, schema: QuerySchema, out: Schema, query: Callable[..., list[Any]],
              count: Callable[..., int], dump: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None) -> None:
    name = path.replace("-", "_")

    def list_view() -> ResponseReturnValue:
        f, options = _filter(schema, paged=True)
        if f is None:
            return jsonify([])
        items = query(ops(), f, **({"with_inputs": bool(options.get("include_inputs"))} if dump else {}))
        return jsonify([dump(i, options) if dump else out.dump(i) for i in items])

    def count_view() -> ResponseReturnValue:
        f, _ = _filter(schema, paged=False)
        return jsonify({"count": count(ops(), f) if f is not None else 0})

    label = f"historic {path.replace('-', ' ')}s"
    resource.route(f"/history/{path}", ("GET", "POST"), access=READ, endpoint=f"{name}_list",
                   doc=Doc(label.capitalize(), query=type(schema), response=type(out), many=True))(list_view)
    resource.route(f"/history/{path}/count", ("GET", "POST"), access=READ, endpoint=f"{name}_count",
                   doc=Doc(f"Count {label}", query=type(schema), response=CountResultSchema))(count_view)


def _decision_json(d: hq.HistoricDecision, options: dict[str, Any]) -> dict[str, Any]:
    body = decision_schema.dump(d)
    body["inputs"] = [{"id": f"{d.id}:{item.get('id')}", "decisionInstanceId": d.id, "clauseId": item.get("id"),
                       "clauseName": item.get("label"), "errorMessage": None, **plain_to_typed(item.get("value")),
                       "createTime": body["evaluationTime"], "removalTime": None,
                       "rootProcessInstanceId": d.instance_id}
                      for item in d.inputs] if options.get("include_inputs") else None
    body["outputs"] = _outputs(d) if options.get("include_outputs") else None
    return body


def _outputs(d: hq.HistoricDecision) -> list[dict[str, Any]]:
    rows = d.result if isinstance(d.result, list) else [d.result]
    out = []
    for index, row in enumerate(rows):
        items = row.items() if isinstance(row, dict) else [("result", row)]
        rule = d.matched_rules[index] if index < len(d.matched_rules) else {}
        for name, value in items:
            out.append({"id": f"{d.id}:{index}:{name}", "decisionInstanceId": d.id, "clauseId": name,
                        "clauseName": name, "ruleId": rule.get("rule_id"), "ruleOrder": rule.get("index"),
                        "variableName": name, "errorMessage": None, **plain_to_typed(value),
                        "createTime": CamundaDate()._serialize(d.evaluation_time, None, None), "removalTime": None,
                        "rootProcessInstanceId": d.instance_id})
    return out


_resource("process-instance", instance_query_schema, instance_schema, hq.historic_instances,
          hq.count_historic_instances)
_resource("activity-instance", activity_query_schema, activity_schema, hq.historic_activities,
          hq.count_historic_activities)
_resource("task", task_query_schema, task_schema, hq.historic_tasks, hq.count_historic_tasks)
_resource("variable-instance", variable_query_schema, variable_schema, hq.historic_variables,
          hq.count_historic_variables)
_resource("decision-instance", decision_query_schema, decision_schema, hq.historic_decisions,
          hq.count_historic_decisions, _decision_json)


def _check_tenant(tenant_id: str | None, what: str, instance_id: str | None = None) -> None:
    """The by-id reads: the tenant, and the instance (when there is one) as the lists narrow it."""
    allowed = tenant_predicate()
    if allowed is None:
        return
    if not allowed(tenant_id):
        raise forbidden(what)
    visible = instance_visibility()
    if instance_id is not None and visible is not None and not hq.count_historic_instances(
            ops(), hq.HistoryFilter(ids=[instance_id], visible=visible)):
        raise forbidden(what)


@resource.get("/history/process-instance/<history_instance_id>", access=READ)
def process_instance(history_instance_id: str) -> ResponseReturnValue:
    found = hq.historic_instance(ops(), history_instance_id)
    _check_tenant(found.tenant_id, "this process instance", found.id)
    return jsonify(instance_schema.dump(found))


@resource.get("/history/activity-instance/<activity_instance_id>", access=READ)
def activity_instance(activity_instance_id: str) -> ResponseReturnValue:
    found = hq.historic_activity(ops(), activity_instance_id)
    _check_tenant(found.tenant_id, "this activity instance", found.instance_id)
    return jsonify(activity_schema.dump(found))


@resource.get("/history/task/<history_task_id>", access=READ)
def task(history_task_id: str) -> ResponseReturnValue:
    found = hq.historic_tasks(ops(), hq.HistoryFilter(task_id=history_task_id))
    if not found:
        from service.ops.errors import NotFound
        raise NotFound(f"Historic task instance with id {history_task_id} does not exist")
    _check_tenant(found[0].activity.tenant_id, "this task", found[0].activity.instance_id)
    return jsonify(task_schema.dump(found[0]))


@resource.get("/history/variable-instance/<variable_id>", access=READ)
def variable_instance(variable_id: str) -> ResponseReturnValue:
    found = hq.historic_variable(ops(), variable_id)
    _check_tenant(found.tenant_id, "this variable", found.instance_id)
    return jsonify(variable_schema.dump(found))


@resource.get("/history/variable-instance/<variable_id>/data", access=READ)
def variable_instance_data(variable_id: str) -> ResponseReturnValue:
    """A historic File variable's bytes (its document); any other value is not binary (Camunda's 400)."""
    found = hq.historic_variable(ops(), variable_id)
    _check_tenant(found.tenant_id, "this variable", found.instance_id)
    if not is_reference(found.value) or found.instance_id is None:
        raise RestError(400, f"Value of variable with id {variable_id} is not a binary value.")
    return file_response(*file_data(ops(), found.instance_id, found.value))


@resource.get("/history/decision-instance/<decision_instance_id>", access=READ,
              params=("includeInputs", "includeOutputs"))
def decision_instance(decision_instance_id: str) -> ResponseReturnValue:
    options = {"include_inputs": arg_bool("includeInputs"), "include_outputs": arg_bool("includeOutputs")}
    found = hq.historic_decision(ops(), decision_instance_id, with_inputs=bool(options["include_inputs"]))
    _check_tenant(found.tenant_id, "this decision instance", found.instance_id)
    return jsonify(_decision_json(found, options))


__all__ = ["bp", "HistoricInstanceQuerySchema", "HistoricActivityQuerySchema", "HistoricTaskQuerySchema",
           "HistoricVariableQuerySchema", "HistoricDecisionQuerySchema", "HistoricInstanceSchema",
           "HistoricActivitySchema", "HistoricTaskSchema", "HistoricVariableSchema", "HistoricDecisionSchema"]
