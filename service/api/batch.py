"""Batches, Camunda's `/batch` and `/history/batch`: list, count, one, statistics (progress), suspend,
delete. A batch is created by an asynchronous operation (migration, modification, deletion)."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields

from service.ops import batches

from .access import apply_tenant_filter
from .common import CamundaDate, arg_bool, ops
from .openapi import CountResultSchema
from .operator import require_operator, require_tenant, user_id
from .queries import QuerySchema, flag, load_body, read_query, string, strings, without_paging
from .routes import READ, Doc, Resource

resource = Resource("rest_batch", __name__)
bp = resource.bp


class BatchSchema(Schema):
    id = fields.String()
    type = fields.String()
    totalJobs = fields.Integer(attribute="total")
    jobsCreated = fields.Function(lambda b: b.total)
    batchJobsPerSeed = fields.Constant(100)
    invocationsPerBatchJob = fields.Constant(1)
    seedJobDefinitionId = fields.Constant(None)
    monitorJobDefinitionId = fields.Constant(None)
    batchJobDefinitionId = fields.Constant(None)
    suspended = fields.Boolean()
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    createUserId = fields.String(attribute="user_id", allow_none=True)
    startTime = CamundaDate(attribute="start_time")
    executionStartTime = CamundaDate(attribute="execution_start_time", allow_none=True)


class BatchStatisticsSchema(BatchSchema):
    remainingJobs = fields.Integer(attribute="remaining_jobs")
    completedJobs = fields.Integer(attribute="completed")
    failedJobs = fields.Integer(attribute="failed")
    failures = fields.List(fields.Dict())     # Alur: which instances failed and why


class HistoricBatchSchema(BatchSchema):
    endTime = CamundaDate(attribute="end_time", allow_none=True)
    removalTime = fields.Constant(None)


class BatchQuerySchema(QuerySchema):
    batch_id = string("batchId")
    type = string("type")
    tenant_ids = strings("tenantIdIn")
    without_tenant = flag("withoutTenantId")
    suspended = fields.Boolean(data_key="suspended", load_default=None)


class HistoricBatchQuerySchema(BatchQuerySchema):
    completed = fields.Boolean(data_key="completed", load_default=None)


class SuspendedSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    suspended = fields.Boolean(required=True)


batch_schema = BatchSchema()
statistics_schema = BatchStatisticsSchema()
history_schema = HistoricBatchSchema()
query_schema = BatchQuerySchema()
history_query_schema = HistoricBatchQuerySchema()
suspended_schema = SuspendedSchema()


def batch_json(view: batches.BatchView) -> dict[str, Any]:
    return batch_schema.dump(view)


def _query(schema: QuerySchema, *, paged: bool, history: bool) -> batches.BatchQuery | None:
    values = read_query(schema)
    if not paged:
        values = without_paging(values)
    values.pop("sort", None)
    # Camunda's batch query has no includeBatchesWithoutTenantId: tenantIdIn matches exactly those tenants.
    scope = apply_tenant_filter(values.pop("tenant_ids"), without_tenant=values.pop("without_tenant"))
    if scope.empty:
        return None
    return batches.BatchQuery(**values, tenant_ids=scope.ids, include_without_tenant=scope.include_null,
                              with_ended=history)


def _list(schema: Any, query_schema_: QuerySchema, history: bool) -> ResponseReturnValue:
    q = _query(query_schema_, paged=True, history=history)
    return jsonify([] if q is None else [schema.dump(v) for v in batches.query_batches(ops(), q)])


def _count(query_schema_: QuerySchema, history: bool) -> ResponseReturnValue:
    q = _query(query_schema_, paged=False, history=history)
    return jsonify({"count": 0 if q is None else batches.count_batches(ops(), q)})


def _one(batch_id: str, *, with_ended: bool) -> batches.BatchView:
    view = batches.get_batch(ops(), batch_id, with_ended=with_ended)
    require_tenant(view.tenant_id)
    return view


@resource.get("/batch", access=READ, doc=Doc("Running batches", query=BatchQuerySchema, response=BatchSchema,
                                              many=True))
def list_() -> ResponseReturnValue:
    return _list(batch_schema, query_schema, False)


@resource.get("/batch/count", access=READ, doc=Doc("Count running batches", query=BatchQuerySchema,
                                                    response=CountResultSchema))
def count() -> ResponseReturnValue:
    return _count(query_schema, False)


@resource.get("/batch/statistics", access=READ,
              doc=Doc("Running batches with their progress", query=BatchQuerySchema,
                      response=BatchStatisticsSchema, many=True))
def statistics() -> ResponseReturnValue:
    return _list(statistics_schema, query_schema, False)


@resource.get("/batch/statistics/count", access=READ,
              doc=Doc("Count running batches", query=BatchQuerySchema, response=CountResultSchema))
def statistics_count() -> ResponseReturnValue:
    return _count(query_schema, False)


@resource.get("/batch/<batch_id>", access=READ, doc=Doc("A running batch", response=BatchSchema))
def get(batch_id: str) -> ResponseReturnValue:
    return jsonify(batch_schema.dump(_one(batch_id, with_ended=False)))


@resource.get("/batch/<batch_id>/statistics", access=READ,
              doc=Doc("A batch's progress (Alur: also after it ended)", response=BatchStatisticsSchema))
def one_statistics(batch_id: str) -> ResponseReturnValue:
    return jsonify(statistics_schema.dump(_one(batch_id, with_ended=True)))


@resource.put("/batch/<batch_id>/suspended", access=READ,
              doc=Doc("Suspend or activate a batch", body=SuspendedSchema, body_required=True, status=204))
def suspend(batch_id: str) -> ResponseReturnValue:
    require_operator()
    _one(batch_id, with_ended=False)
    batches.suspend_batch(ops(), batch_id, load_body(suspended_schema, required=True)["suspended"], user=user_id())
    return "", 204


@resource.delete("/batch/<batch_id>", access=READ, doc=Doc("Delete a running batch", status=204))
def delete(batch_id: str) -> ResponseReturnValue:
    require_operator()
    _one(batch_id, with_ended=False)
    arg_bool("cascade")     # history is always kept: there is nothing more to cascade to
    batches.delete_batch(ops(), batch_id, user=user_id())
    return "", 204


@resource.get("/history/batch", access=READ,
              doc=Doc("Batches, running and ended", query=HistoricBatchQuerySchema, response=HistoricBatchSchema,
                      many=True))
def history_list() -> ResponseReturnValue:
    return _list(history_schema, history_query_schema, True)


@resource.get("/history/batch/count", access=READ,
              doc=Doc("Count batches, running and ended", query=HistoricBatchQuerySchema,
                      response=CountResultSchema))
def history_count() -> ResponseReturnValue:
    return _count(history_query_schema, True)


@resource.get("/history/batch/<batch_id>", access=READ, doc=Doc("A batch, running or ended",
                                                                 response=HistoricBatchSchema))
def history_get(batch_id: str) -> ResponseReturnValue:
    return jsonify(history_schema.dump(_one(batch_id, with_ended=True)))


__all__ = ["bp", "resource", "BatchSchema", "batch_json"]
