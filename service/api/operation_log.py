"""Camunda's user operation log, `GET /history/user-operation` (and `/count`): who cancelled, suspended,
activated, modified or migrated what, when, and the reason given (`annotation`)."""
from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from service.ops import operation_log

from .access import apply_tenant_filter
from .common import CamundaDate, ops
from .openapi import CountResultSchema
from .queries import QuerySchema, date, read_query, string, strings, without_paging
from .routes import READ, Doc, Resource

resource = Resource("rest_operation_log", __name__)
bp = resource.bp


class OperationLogQuerySchema(QuerySchema):
    operation_id = string("operationId")
    operation_type = string("operationType")
    entity_type = string("entityType")
    entity_types = strings("entityTypeIn")
    category = string("category")
    user_id = string("userId")
    instance_id = string("processInstanceId")
    definition_id = string("processDefinitionId")
    definition_key = string("processDefinitionKey")
    batch_id = string("batchId")
    property = string("property")
    after = date("afterTimestamp")
    before = date("beforeTimestamp")


class OperationLogSchema(Schema):
    id = fields.String()
    operationId = fields.String(attribute="operation_id")
    operationType = fields.String(attribute="operation_type")
    entityType = fields.String(attribute="entity_type")
    category = fields.String()
    property = fields.String(allow_none=True)
    orgValue = fields.String(attribute="org_value", allow_none=True)
    newValue = fields.String(attribute="new_value", allow_none=True)
    userId = fields.String(attribute="user_id", allow_none=True)
    timestamp = CamundaDate()
    processInstanceId = fields.String(attribute="instance_id", allow_none=True)
    processDefinitionId = fields.String(attribute="definition_id", allow_none=True)
    processDefinitionKey = fields.String(attribute="definition_key", allow_none=True)
    rootProcessInstanceId = fields.Function(lambda e: e.instance_id)
    executionId = fields.Constant(None)
    taskId = fields.Constant(None)
    jobId = fields.Constant(None)
    jobDefinitionId = fields.Constant(None)
    batchId = fields.String(attribute="batch_id", allow_none=True)
    deploymentId = fields.Constant(None)
    caseDefinitionId = fields.Constant(None)
    caseInstanceId = fields.Constant(None)
    caseExecutionId = fields.Constant(None)
    externalTaskId = fields.Constant(None)
    removalTime = fields.Constant(None)
    tenantId = fields.String(attribute="tenant_id", allow_none=True)
    annotation = fields.String(allow_none=True)


query_schema = OperationLogQuerySchema()
entry_schema = OperationLogSchema()


def _query(paged: bool) -> operation_log.OperationLogQuery | None:
    values = read_query(query_schema)
    if not paged:
        values = without_paging(values)
    scope = apply_tenant_filter(None)
    if scope.empty:
        return None
    return operation_log.OperationLogQuery(**values, tenant_ids=scope.ids, include_without_tenant=scope.include_null)


@resource.get("/history/user-operation", access=READ,
              doc=Doc("The user operation log", query=OperationLogQuerySchema, response=OperationLogSchema,
                      many=True))
def list_() -> ResponseReturnValue:
    q = _query(paged=True)
    return jsonify([] if q is None else [entry_schema.dump(v) for v in operation_log.query_operations(ops(), q)])


@resource.get("/history/user-operation/count", access=READ,
              doc=Doc("Count user operation log entries", query=OperationLogQuerySchema, response=CountResultSchema))
def count() -> ResponseReturnValue:
    q = _query(paged=False)
    return jsonify({"count": 0 if q is None else operation_log.count_operations(ops(), q)})


__all__ = ["bp", "resource"]
