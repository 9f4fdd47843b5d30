"""External tasks: fetchAndLock (with long polling), query, get, complete, failure, bpmnError,
extendLock, unlock, retries, priority, errorDetails."""
from __future__ import annotations

import threading
import time
from typing import Any

from flask import Response, current_app, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields, validate

from service.ops import external_tasks as et

from .access import apply_tenant_filter, require_work, tenant_predicate, work_scope
from .openapi import CountResultSchema
from .routes import READ, WORK, Doc, Resource
from .variable_query import VariableFilterList, to_filters
from .common import CamundaDate, ops
from .queries import (
    INT,
    MAX_INT,
    Flag,
    QuerySchema,
    date,
    flag,
    integer,
    load_body,
    read_query,
    string,
    strings,
    without_paging,
)
from .variables import variables_to_plain, variables_to_typed

resource = Resource("rest_external_task", __name__)
bp = resource.bp

# Camunda refuses asyncResponseTimeout above 30 minutes; polling re-checks this often while waiting.
MAX_ASYNC_TIMEOUT_MS = 1_800_000
POLL_SECONDS = 0.2
# At most this many requests wait at once (setting ALUR_LONG_POLL_SLOTS), so waiting workers can never
# occupy every server thread; a fetch finding no free slot answers at once, and the worker polls again.
LONG_POLL_SLOTS = 4
_wakeup = threading.Condition()
_slots_lock = threading.Lock()


def _slots() -> threading.BoundedSemaphore:
    with _slots_lock:
        slots = current_app.extensions.get("alur_long_poll")
        if slots is None:
            size = int(current_app.config.get("ALUR_LONG_POLL_SLOTS", LONG_POLL_SLOTS))
            slots = current_app.extensions["alur_long_poll"] = threading.BoundedSemaphore(max(size, 0) or 1)
        return slots


def notify_new_work() -> None:
    """Wake long-polling fetches at once (called after requests that may create external tasks)."""
    with _wakeup:
        _wakeup.notify_all()


# -- request schemas ------------------------------------------------------------------------------------------

class TopicSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    topicName = fields.String(required=True, validate=validate.Length(min=1))
    lockDuration = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=et.MAX_LOCK_MS))
    variables = fields.List(fields.String(), load_default=None, allow_none=True)
    localVariables = Flag(load_default=False, allow_none=True)
    deserializeValues = Flag(load_default=False, allow_none=True)
    includeExtensionProperties = Flag(load_default=False, allow_none=True)
    businessKey = fields.String(load_default=None, allow_none=True)
    processDefinitionId = fields.String(load_default=None, allow_none=True)
    processDefinitionIdIn = fields.List(fields.String(), load_default=None, allow_none=True)
    processDefinitionKey = fields.String(load_default=None, allow_none=True)
    processDefinitionKeyIn = fields.List(fields.String(), load_default=None, allow_none=True)
    processDefinitionVersionTag = fields.String(load_default=None, allow_none=True)
    withoutTenantId = Flag(load_default=False, allow_none=True)
    tenantIdIn = fields.List(fields.String(), load_default=None, allow_none=True)
    processVariables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)


class FetchAndLockSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    workerId = fields.String(required=True, validate=validate.Length(min=1))
    maxTasks = fields.Integer(load_default=0, allow_none=True, strict=False,
                              validate=validate.Range(min=0, max=MAX_INT))
    usePriority = Flag(load_default=False, allow_none=True)
    asyncResponseTimeout = fields.Integer(load_default=None, allow_none=True, strict=False,
                                          validate=validate.Range(min=0, max=MAX_ASYNC_TIMEOUT_MS))
    topics = fields.List(fields.Nested(TopicSchema), load_default=list, allow_none=True)
    sorting = fields.List(fields.Dict(), load_default=None, allow_none=True)


class CompleteSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    workerId = fields.String(required=True, allow_none=True)
    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    localVariables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)


class FailureSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    workerId = fields.String(required=True, allow_none=True)
    errorMessage = fields.String(load_default=None, allow_none=True)
    errorDetails = fields.String(load_default=None, allow_none=True)
    retries = fields.Integer(load_default=0, allow_none=True, strict=False, validate=validate.Range(min=0, max=MAX_INT))
    retryTimeout = fields.Integer(load_default=0, allow_none=True, strict=False,
                                  validate=validate.Range(min=0, max=et.MAX_LOCK_MS))
    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)
    localVariables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)


class BpmnErrorSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    workerId = fields.String(required=True, allow_none=True)
    errorCode = fields.String(required=True, validate=validate.Length(min=1))
    errorMessage = fields.String(load_default=None, allow_none=True)
    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)


class ExtendLockSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    workerId = fields.String(required=True, allow_none=True)
    newDuration = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=et.MAX_LOCK_MS))


class RetriesSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    retries = fields.Integer(required=True, strict=False, validate=validate.Range(min=0, max=MAX_INT))


class RetriesManySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    retries = fields.Integer(required=True, strict=False, validate=validate.Range(min=0, max=MAX_INT))
    externalTaskIds = fields.List(fields.String(), load_default=None, allow_none=True)
    processInstanceIds = fields.List(fields.String(), load_default=None, allow_none=True)


class PrioritySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    priority = fields.Integer(required=True, strict=False, validate=INT)


class ExternalTaskQuerySchema(QuerySchema):
    task_id = string("externalTaskId")
    task_ids = strings("externalTaskIdIn")
    topic = string("topicName")
    worker_id = string("workerId")
    locked = flag("locked")
    not_locked = flag("notLocked")
    with_retries_left = flag("withRetriesLeft")
    no_retries_left = flag("noRetriesLeft")
    activity_id = string("activityId")
    activity_ids = strings("activityIdIn")
    instance_id = string("processInstanceId")
    instance_ids = strings("processInstanceIdIn")
    definition_id = string("processDefinitionId")
    definition_key = string("processDefinitionKey")
    tenant_ids = strings("tenantIdIn")
    without_tenant = flag("withoutTenantId")
    active = flag("active")
    suspended = flag("suspended")
    priority_min = integer("priorityHigherThanOrEquals")
    priority_max = integer("priorityLowerThanOrEquals")
    lock_expiration_before = date("lockExpirationBefore")
    lock_expiration_after = date("lockExpirationAfter")
    execution_id = string("executionId")
    definition_keys = strings("processDefinitionKeyIn")
    definition_name = string("processDefinitionName")
    definition_name_like = string("processDefinitionNameLike")
    process_variables = VariableFilterList("processVariables")
    variable_names_ignore_case = flag("variableNamesIgnoreCase")
    variable_values_ignore_case = flag("variableValuesIgnoreCase")


# -- response schemas ------------------------------------------------------------------------------------------

class ExternalTaskSchema(Schema):
    activityId = fields.String(attribute="element_id")
    activityInstanceId = fields.Function(lambda t: f"{t.element_id}:{t.id}")
    errorMessage = fields.String(attribute="error_message", allow_none=True)
    executionId = fields.Function(lambda t: t.id)
    id = fields.String()
    lockExpirationTime = CamundaDate(attribute="lock_expiration", allow_none=True)
    createTime = CamundaDate(attribute="created", allow_none=True)
    processDefinitionId = fields.String(attribute="definition_id")
    processDefinitionKey = fields.String(attribute="definition_key")
    processDefinitionVersionTag = fields.String(attribute="version_tag", allow_none=True)
    processInstanceId = fields.String(attribute="instance_id")
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    retries = fields.Integer(allow_none=True)
    suspended = fields.Boolean()
    workerId = fields.String(attribute="worker_id", allow_none=True)
    topicName = fields.String(attribute="topic")
    priority = fields.Integer()
    businessKey = fields.String(attribute="business_key", allow_none=True)


class LockedExternalTaskSchema(ExternalTaskSchema):
    errorDetails = fields.String(attribute="error_details", allow_none=True)
    variables = fields.Function(lambda t: variables_to_typed(t.variables or {}))
    extensionProperties = fields.Function(lambda t: {k: str(v) for k, v in (t.properties or {}).items()})


class CountSchema(Schema):
    count = fields.Integer()


task_schema = ExternalTaskSchema()
locked_schema = LockedExternalTaskSchema()
fetch_schema = FetchAndLockSchema()
complete_schema = CompleteSchema()
failure_schema = FailureSchema()
bpmn_error_schema = BpmnErrorSchema()
extend_schema = ExtendLockSchema()
retries_schema = RetriesSchema()
priority_schema = PrioritySchema()
retries_many_schema = RetriesManySchema()
query_schema = ExternalTaskQuerySchema()


def _topics(items: list[dict[str, Any]]) -> list[et.TopicRequest]:
    out = []
    for t in items:
        ids = list(t["processDefinitionIdIn"] or []) + ([t["processDefinitionId"]] if t["processDefinitionId"] else [])
        keys = list(t["processDefinitionKeyIn"] or []) + (
            [t["processDefinitionKey"]] if t["processDefinitionKey"] else [])
        out.append(et.TopicRequest(
            topic_name=t["topicName"], lock_duration=t["lockDuration"], variables=t["variables"],
            business_key=t["businessKey"], definition_ids=ids or None, definition_keys=keys or None,
            version_tag=t["processDefinitionVersionTag"], tenant_ids=t["tenantIdIn"],
            without_tenant=t["withoutTenantId"],
            # Camunda compares plain JSON values here (not typed variables).
            process_variables=dict(t["processVariables"]) if t["processVariables"] else None,
            include_extension_properties=t["includeExtensionProperties"]))
    return out


@resource.post("/external-task/fetchAndLock", access=WORK,
               doc=Doc("Fetch and lock external tasks (long polling)", body=FetchAndLockSchema, body_required=True,
                       response=LockedExternalTaskSchema, many=True))
def fetch_and_lock() -> ResponseReturnValue:
    body = load_body(fetch_schema, required=True)
    body["maxTasks"] = body["maxTasks"] or 0          # null reads as 0, like Camunda's primitive int
    topics = _topics(body["topics"] or [])
    ctx = ops()
    allowed = tenant_predicate()
    scope = work_scope()          # computed once: a long poll repeats the fetch many times

    def attempt() -> list[et.ExternalTaskView]:
        return et.fetch_and_lock(ctx, body["workerId"], topics, max_tasks=body["maxTasks"],
                                 use_priority=body["usePriority"], tenant_filter=allowed, scope=scope)

    found = attempt()
    timeout_ms = body["asyncResponseTimeout"] or 0
    if not found and timeout_ms > 0 and topics and body["maxTasks"] > 0:
        slots = _slots()
        if slots.acquire(blocking=False):
            try:
                found = _wait(attempt, timeout_ms)
            finally:
                slots.release()
    return jsonify([locked_schema.dump(t) for t in found])


def _wait(attempt: Any, timeout_ms: int) -> list[et.ExternalTaskView]:
    """Long polling: holds only this request's thread, sleeping between short transactions; woken
    early by requests that may have created work."""
    deadline = time.monotonic() + timeout_ms / 1000.0
    poll = float(current_app.config.get("ALUR_FETCH_POLL_SECONDS", POLL_SECONDS))
    found: list[et.ExternalTaskView] = []
    while not found:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        with _wakeup:
            _wakeup.wait(min(poll, remaining))
        found = attempt()
    return found


def _query(paged: bool = True) -> et.ExternalTaskQuery | None:
    """The query as asked, narrowed to the caller's tenants; None when nothing can match."""
    values = read_query(query_schema)
    if not paged:
        values = without_paging(values)
    scope = apply_tenant_filter(values.pop("tenant_ids"), without_tenant=values.pop("without_tenant"))
    if scope.empty:
        return None
    values["process_variables"] = to_filters(values["process_variables"])
    return et.ExternalTaskQuery(**values, **scope.explicit(), scope=work_scope())


@resource.query("/external-task",
                doc=Doc("Query external tasks", query=ExternalTaskQuerySchema, response=ExternalTaskSchema, many=True))
def list_() -> ResponseReturnValue:
    q = _query()
    return jsonify([task_schema.dump(t) for t in et.query_external_tasks(ops(), q)] if q is not None else [])


@resource.query("/external-task/count",
                doc=Doc("Count external tasks", query=ExternalTaskQuerySchema, response=CountResultSchema))
def count() -> ResponseReturnValue:
    q = _query(paged=False)
    return jsonify({"count": et.count_external_tasks(ops(), q) if q is not None else 0})


@resource.get("/external-task/topic-names", access=READ,
               params=("withLockedTasks", "withUnlockedTasks", "withRetriesLeft"))
def topic_names() -> ResponseReturnValue:
    from .common import arg_bool
    return jsonify(et.topics(ops(), with_locked=arg_bool("withLockedTasks", True),
                             with_unlocked=arg_bool("withUnlockedTasks", True),
                             with_retries_left=arg_bool("withRetriesLeft", True),
                             without_retries_left=True, **apply_tenant_filter(None).explicit()))


@resource.get("/external-task/<task_id>", access=READ, doc=Doc("An external task", response=ExternalTaskSchema))
def get(task_id: str) -> ResponseReturnValue:
    return jsonify(task_schema.dump(et.get_external_task(ops(), task_id)))


@resource.get("/external-task/<task_id>/errorDetails", access=READ)
def error_details(task_id: str) -> ResponseReturnValue:
    return Response(et.error_details(ops(), task_id) or "", mimetype="text/plain")


@resource.post("/external-task/<task_id>/complete", access=WORK,
               doc=Doc("Complete an external task", body=CompleteSchema, status=204, body_required=True))
def complete(task_id: str) -> ResponseReturnValue:
    body = load_body(complete_schema, required=True)
    et.complete(ops(), task_id, body["workerId"], variables_to_plain(body["variables"]),
                variables_to_plain(body["localVariables"], field="localVariables"))
    notify_new_work()
    return "", 204


@resource.post("/external-task/<task_id>/failure", access=WORK,
               doc=Doc("Report a failure", body=FailureSchema, status=204, body_required=True))
def failure(task_id: str) -> ResponseReturnValue:
    body = load_body(failure_schema, required=True)
    et.handle_failure(ops(), task_id, body["workerId"], error_message=body["errorMessage"],
                      error_details=body["errorDetails"], retries=body["retries"] or 0,
                      retry_timeout=body["retryTimeout"] or 0)
    return "", 204


@resource.post("/external-task/<task_id>/bpmnError", access=WORK,
               doc=Doc("Report a BPMN error", body=BpmnErrorSchema, status=204, body_required=True))
def bpmn_error(task_id: str) -> ResponseReturnValue:
    body = load_body(bpmn_error_schema, required=True)
    et.handle_bpmn_error(ops(), task_id, body["workerId"], body["errorCode"], body["errorMessage"],
                         variables_to_plain(body["variables"]))
    notify_new_work()
    return "", 204


@resource.post("/external-task/<task_id>/extendLock", access=WORK,
               doc=Doc("Extend a lock", body=ExtendLockSchema, status=204, body_required=True))
def extend_lock(task_id: str) -> ResponseReturnValue:
    body = load_body(extend_schema, required=True)
    et.extend_lock(ops(), task_id, body["workerId"], body["newDuration"])
    return "", 204


@resource.post("/external-task/<task_id>/unlock", access=WORK, doc=Doc("Unlock", status=204))
def unlock(task_id: str) -> ResponseReturnValue:
    et.unlock(ops(), task_id)
    notify_new_work()
    return "", 204


@resource.put("/external-task/<task_id>/retries", access=WORK,
              doc=Doc("Set retries (resolves the incident when > 0)", body=RetriesSchema, status=204,
                      body_required=True))
def retries(task_id: str) -> ResponseReturnValue:
    body = load_body(retries_schema, required=True)
    et.set_retries(ops(), task_id, body["retries"])
    notify_new_work()
    return "", 204


@resource.put("/external-task/retries", access=WORK,
              doc=Doc("Set retries of several external tasks", body=RetriesManySchema, status=204, body_required=True))
def retries_many() -> ResponseReturnValue:
    body = load_body(retries_many_schema, required=True)
    allowed = tenant_predicate()
    ids = body["externalTaskIds"]
    if allowed is not None:
        for task_id in ids or []:
            require_work(et.get_external_task(ops(), task_id), "this external task")
        if body["processInstanceIds"]:
            from service.ops.access import forbidden
            raise forbidden("external tasks selected by process instance")
    et.set_retries_many(ops(), body["retries"], task_ids=ids, instance_ids=body["processInstanceIds"])
    return "", 204


@resource.put("/external-task/<task_id>/priority", access=WORK,
              doc=Doc("Set the priority", body=PrioritySchema, status=204, body_required=True))
def priority(task_id: str) -> ResponseReturnValue:
    body = load_body(priority_schema, required=True)
    et.set_priority(ops(), task_id, body["priority"])
    return "", 204
