"""Camunda's user operation log: every operator action (cancel, suspend, activate, modify, migrate,
batch and incident actions) is written here by the operation itself, in its own transaction, with who
did it, when and why (`annotation`). `GET /history/user-operation` reads it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.store import OperationLogEntry
from service.store.types import new_id

from . import query
from .context import OpsContext

OPERATOR = "Operator"
CANCEL = "Delete"
SUSPEND = "Suspend"
ACTIVATE = "Activate"
SUSPEND_JOB = "SuspendJob"
ACTIVATE_JOB = "ActivateJob"
MODIFY = "ModifyProcessInstance"
MIGRATE = "Migrate"
DELETE_BATCH = "DeleteProcessInstancesBatch"
ANNOTATE_INCIDENT = "SetAnnotation"
RESOLVE_INCIDENT = "Resolve"
DELETE = "Delete"


@dataclass(frozen=True)
class Subject:
    """What an operation acted on: an instance, a definition, a batch or an incident."""

    entity_type: str                 # ProcessInstance | ProcessDefinition | Batch | Incident
    instance_id: str | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    tenant_id: str | None = None
    batch_id: str | None = None
    incident_id: str | None = None


def record(session: Session, now: datetime, operation_type: str, subject: Subject, *, user: str | None,
           annotation: str | None = None, properties: dict[str, tuple[Any, Any]] | None = None,
           operation_id: str | None = None) -> str:
    """Write one operation: a row per changed property (Camunda's shape), one row when none; returns
    the operation id, so a batch can log its instances under one operation."""
    operation_id = operation_id or new_id()
    items: list[tuple[str | None, tuple[Any, Any]]] = list((properties or {}).items()) or [(None, (None, None))]
    for name, (old, new) in items:
        session.add(OperationLogEntry(
            operation_id=operation_id, operation_type=operation_type, entity_type=subject.entity_type,
            category=OPERATOR, property=name, org_value=_text(old), new_value=_text(new), user_id=user,
            timestamp=now, instance_id=subject.instance_id, definition_id=subject.definition_id,
            definition_key=subject.definition_key, batch_id=subject.batch_id, incident_id=subject.incident_id,
            tenant_id=subject.tenant_id, annotation=annotation))
    return operation_id


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class OperationLogView:
    id: str
    operation_id: str
    operation_type: str
    entity_type: str
    category: str
    property: str | None
    org_value: str | None
    new_value: str | None
    user_id: str | None
    timestamp: datetime
    instance_id: str | None
    definition_id: str | None
    definition_key: str | None
    batch_id: str | None
    tenant_id: str | None
    annotation: str | None


@dataclass
class OperationLogQuery:
    operation_id: str | None = None
    operation_type: str | None = None
    entity_type: str | None = None
    entity_types: list[str] | None = None
    category: str | None = None
    user_id: str | None = None
    instance_id: str | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    batch_id: str | None = None
    property: str | None = None
    after: datetime | None = None
    before: datetime | None = None
    tenant_ids: list[str] | None = None
    include_without_tenant: bool = True
    sort: list[tuple[str, str]] = field(default_factory=list)
    first_result: int = 0
    max_results: int | None = None


SORT_COLUMNS = {"timestamp": OperationLogEntry.timestamp}


def _filtered(q: OperationLogQuery) -> Select[Any]:
    e = OperationLogEntry
    conds: list[Any] = []
    for column, value in ((e.operation_id, q.operation_id), (e.operation_type, q.operation_type),
                          (e.entity_type, q.entity_type), (e.category, q.category), (e.user_id, q.user_id),
                          (e.instance_id, q.instance_id), (e.definition_id, q.definition_id),
                          (e.definition_key, q.definition_key), (e.batch_id, q.batch_id),
                          (e.property, q.property)):
        if value is not None:
            conds.append(column == value)
    if q.entity_types:
        conds.append(e.entity_type.in_(q.entity_types))
    if q.after is not None:
        conds.append(e.timestamp > q.after)
    if q.before is not None:
        conds.append(e.timestamp < q.before)
    tenant = query.tenant_condition(e.tenant_id, q.tenant_ids, include_without_tenant=q.include_without_tenant)
    if tenant is not None and q.tenant_ids is not None:
        conds.append(tenant)
    return select(e).where(*conds)


def _view(r: OperationLogEntry) -> OperationLogView:
    return OperationLogView(id=r.id, operation_id=r.operation_id, operation_type=r.operation_type,
                            entity_type=r.entity_type, category=r.category, property=r.property,
                            org_value=r.org_value, new_value=r.new_value, user_id=r.user_id, timestamp=r.timestamp,
                            instance_id=r.instance_id, definition_id=r.definition_id,
                            definition_key=r.definition_key, batch_id=r.batch_id, tenant_id=r.tenant_id,
                            annotation=r.annotation)


def query_operations(ctx: OpsContext, q: OperationLogQuery) -> list[OperationLogView]:
    statement = query.ordered(_filtered(q), q.sort, SORT_COLUMNS, OperationLogEntry.timestamp, OperationLogEntry.id)
    with ctx.transaction() as session:
        return [_view(r) for r in session.scalars(query.paged(statement, q.first_result, q.max_results))]


def count_operations(ctx: OpsContext, q: OperationLogQuery) -> int:
    with ctx.transaction() as session:
        return query.count(session, _filtered(q), OperationLogEntry.id)


__all__ = ["Subject", "record", "OperationLogView", "OperationLogQuery", "query_operations", "count_operations",
           "SORT_COLUMNS", "OPERATOR", "CANCEL", "SUSPEND", "ACTIVATE", "MODIFY", "MIGRATE", "DELETE_BATCH",
           "ANNOTATE_INCIDENT", "RESOLVE_INCIDENT", "DELETE", "SUSPEND_JOB", "ACTIVATE_JOB"]
