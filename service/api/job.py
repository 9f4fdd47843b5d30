"""The timer subset of Camunda's `/job` resource: query (GET/POST) and count, `/job/{id}`,
`PUT /job/{id}/retries` (resolves a failed timer) and `POST /job/{id}/execute` (fires it now)."""
from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields

from service.ops import jobs
from service.ops.access import forbidden

from .access import apply_tenant_filter, tenant_predicate, work_scope
from .openapi import CountResultSchema
from .routes import READ, WORK, Doc, Resource
from .common import CamundaDate, load, ops
from .queries import (
    INT,
    QuerySchema,
    date,
    flag,
    integer,
    read_query,
    string,
    strings,
    without_paging,
)

resource = Resource("rest_job", __name__)
bp = resource.bp


class JobQuerySchema(QuerySchema):
    job_id = string("jobId")
    job_ids = strings("jobIds")
    instance_id = string("processInstanceId")
    instance_ids = strings("processInstanceIds")
    definition_id = string("processDefinitionId")
    definition_key = string("processDefinitionKey")
    activity_ids = strings("activityIds")
    with_exception = flag("withException")
    no_retries_left = flag("noRetriesLeft")
    with_retries_left = flag("withRetriesLeft")
    executable = flag("executable")
    timers = flag("timers")
    messages = flag("messages")
    due_before = date("dueDateLowerThan")
    due_after = date("dueDateHigherThan")
    active = flag("active")
    suspended = flag("suspended")
    tenant_ids = strings("tenantIdIn")
    without_tenant_id = flag("withoutTenantId")
    include_without_tenant = flag("includeJobsWithoutTenantId")
    execution_id = string("executionId")
    exception_message = string("exceptionMessage")
    priority_min = integer("priorityHigherThanOrEquals")
    priority_max = integer("priorityLowerThanOrEquals")


class JobSchema(Schema):
    id = fields.String()
    jobDefinitionId = fields.Constant(None)
    processInstanceId = fields.String(attribute="instance_id")
    processDefinitionId = fields.String(attribute="definition_id")
    processDefinitionKey = fields.String(attribute="definition_key")
    executionId = fields.Function(lambda j: j.instance_id)
    exceptionMessage = fields.String(attribute="exception_message", allow_none=True)
    failedActivityId = fields.String(attribute="failed_activity_id", allow_none=True)
    retries = fields.Integer()
    dueDate = CamundaDate(attribute="due", allow_none=True)
    suspended = fields.Boolean()
    priority = fields.Constant(0)
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    createTime = CamundaDate(attribute="created", allow_none=True)
    batchId = fields.Constant(None)


class RetriesSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    retries = fields.Integer(required=True, strict=False, validate=INT)
    dueDate = CamundaDate(load_default=None, allow_none=True)


query_schema = JobQuerySchema()
job_schema = JobSchema()
retries_schema = RetriesSchema()


def _query(paged: bool) -> jobs.JobQuery | None:
    values = read_query(query_schema)
    if not paged:
        values = without_paging(values)
    if values["messages"] and values["timers"]:
        from .errors import invalid
        raise invalid("Parameter timers cannot be used together with parameter messages.")
    scope = apply_tenant_filter(values["tenant_ids"], without_tenant=values["without_tenant_id"],
                                include_without_tenant=values["include_without_tenant"])
    if scope.empty:
        return None
    values.update(scope.explicit(), without_tenant_id=False)
    return jobs.JobQuery(**values, scope=work_scope())


def _visible(job_id: str) -> jobs.JobView:
    view = jobs.get_job(ops(), job_id)
    allowed = tenant_predicate()
    if allowed is not None and not allowed(view.tenant_id):
        raise forbidden("this job")
    return view


@resource.query("/job", doc=Doc("Timer jobs", query=JobQuerySchema, response=JobSchema, many=True))
def query() -> ResponseReturnValue:
    q = _query(paged=True)
    return jsonify([job_schema.dump(j) for j in (jobs.query_jobs(ops(), q) if q is not None else [])])


@resource.query("/job/count", doc=Doc("Count timer jobs", query=JobQuerySchema, response=CountResultSchema))
def count() -> ResponseReturnValue:
    q = _query(paged=False)
    return jsonify({"count": jobs.count_jobs(ops(), q) if q is not None else 0})


@resource.get("/job/<job_id>", access=READ, doc=Doc("A timer job", response=JobSchema))
def get(job_id: str) -> ResponseReturnValue:
    return jsonify(job_schema.dump(_visible(job_id)))


@resource.put("/job/<job_id>/retries", access=WORK,
              doc=Doc("Set retries (> 0 resolves a failed timer, 0 holds it)", body=RetriesSchema, status=204,
                      body_required=True))
def set_retries(job_id: str) -> ResponseReturnValue:
    body = load(retries_schema, required=True)
    _visible(job_id)
    if body["retries"] < 0:
        from .errors import invalid
        raise invalid(f"The number of job retries must be a non-negative Integer, but '{body['retries']}' has been "
                      "provided.")
    jobs.set_job_retries(ops(), job_id, body["retries"])
    return "", 204


@resource.post("/job/<job_id>/execute", access=WORK, doc=Doc("Fire the timer now", status=204))
def execute(job_id: str) -> ResponseReturnValue:
    _visible(job_id)
    jobs.execute_job(ops(), job_id)
    return "", 204


__all__ = ["bp", "JobQuerySchema", "JobSchema", "RetriesSchema"]
