"""Queries over external tasks (GET/POST /external-task, /count, topic names) and the view of one
external task that the worker protocol (`external_tasks`) returns as well."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select

from service.store import ExternalTask, InstanceState, ProcessDefinition, ProcessInstance

from .context import OpsContext
from .errors import BadRequest


@dataclass(frozen=True)
class ExternalTaskView:
    id: str
    topic: str
    worker_id: str | None
    lock_expiration: datetime | None
    retries: int | None
    error_message: str | None
    priority: int
    element_id: str
    name: str | None
    instance_id: str
    definition_id: str
    definition_key: str
    version_tag: str | None
    business_key: str | None
    tenant_id: str | None
    suspended: bool
    created: datetime
    properties: dict[str, Any] = field(default_factory=dict)
    error_details: str | None = None
    variables: dict[str, Any] | None = None


def not_locked(now: datetime) -> Any:
    return or_(ExternalTask.lock_expiration.is_(None), ExternalTask.lock_expiration <= now)


def view(task: ExternalTask, instance_state: Any, version_tag: str | None,
          variables: dict[str, Any] | None = None, *, with_properties: bool = True) -> ExternalTaskView:
    state = instance_state.value if isinstance(instance_state, InstanceState) else str(instance_state)
    return ExternalTaskView(
        id=task.id, topic=task.topic, worker_id=task.worker_id, lock_expiration=task.lock_expiration,
        retries=task.retries, error_message=task.error_message, priority=task.priority, element_id=task.element_id,
        name=task.name, instance_id=task.instance_id, definition_id=task.definition_id,
        definition_key=task.definition_key, version_tag=version_tag, business_key=task.business_key,
        tenant_id=task.tenant_id, suspended=state == InstanceState.SUSPENDED.value, created=task.created,
        properties=dict(task.properties or {}) if with_properties else {}, error_details=task.error_details,
        variables=variables)


def base_query() -> Select[Any]:
    return (select(ExternalTask, ProcessInstance.state, ProcessDefinition.version_tag)
            .join(ProcessInstance, ProcessInstance.id == ExternalTask.instance_id)
            .join(ProcessDefinition, ProcessDefinition.id == ExternalTask.definition_id, isouter=True))


@dataclass
class ExternalTaskQuery:
    task_id: str | None = None
    task_ids: list[str] | None = None
    topic: str | None = None
    worker_id: str | None = None
    locked: bool = False
    not_locked: bool = False
    with_retries_left: bool = False
    no_retries_left: bool = False
    activity_id: str | None = None
    activity_ids: list[str] | None = None
    instance_id: str | None = None
    instance_ids: list[str] | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    tenant_ids: list[str] | None = None
    include_without_tenant: bool = False     # with tenant_ids: tenant-less tasks as well
    without_tenant: bool = False             # only tenant-less tasks
    active: bool = False
    suspended: bool = False
    priority_min: int | None = None
    priority_max: int | None = None
    lock_expiration_before: datetime | None = None
    lock_expiration_after: datetime | None = None
    sort: list[tuple[str, str]] = field(default_factory=list)
    first_result: int = 0
    max_results: int | None = None


SORT_COLUMNS = {
    "id": ExternalTask.id, "lockExpirationTime": ExternalTask.lock_expiration,
    "processInstanceId": ExternalTask.instance_id, "processDefinitionId": ExternalTask.definition_id,
    "processDefinitionKey": ExternalTask.definition_key, "tenantId": ExternalTask.tenant_id,
    "taskPriority": ExternalTask.priority, "createTime": ExternalTask.created,
}


def _filtered(q: ExternalTaskQuery, now: datetime) -> Select[Any]:
    conds: list[Any] = []
    if q.task_id is not None:
        conds.append(ExternalTask.id == q.task_id)
    if q.task_ids:
        conds.append(ExternalTask.id.in_(q.task_ids))
    if q.topic is not None:
        conds.append(ExternalTask.topic == q.topic)
    if q.worker_id is not None:
        conds.append(ExternalTask.worker_id == q.worker_id)
    if q.locked:
        conds.append(and_(ExternalTask.lock_expiration.is_not(None), ExternalTask.lock_expiration > now))
    if q.not_locked:
        conds.append(not_locked(now))
    if q.with_retries_left:
        conds.append(or_(ExternalTask.retries.is_(None), ExternalTask.retries > 0))
    if q.no_retries_left:
        conds.append(and_(ExternalTask.retries.is_not(None), ExternalTask.retries <= 0))
    if q.activity_id is not None:
        conds.append(ExternalTask.element_id == q.activity_id)
    if q.activity_ids:
        conds.append(ExternalTask.element_id.in_(q.activity_ids))
    if q.instance_id is not None:
        conds.append(ExternalTask.instance_id == q.instance_id)
    if q.instance_ids:
        conds.append(ExternalTask.instance_id.in_(q.instance_ids))
    if q.definition_id is not None:
        conds.append(ExternalTask.definition_id == q.definition_id)
    if q.definition_key is not None:
        conds.append(ExternalTask.definition_key == q.definition_key)
    if q.without_tenant:
        conds.append(ExternalTask.tenant_id.is_(None))
    if q.tenant_ids is not None:
        conds.append(_tenant_condition(q.tenant_ids, q.include_without_tenant))
    if q.active:
        conds.append(ProcessInstance.state == InstanceState.ACTIVE)
    if q.suspended:
        conds.append(ProcessInstance.state == InstanceState.SUSPENDED)
    if q.priority_min is not None:
        conds.append(ExternalTask.priority >= q.priority_min)
    if q.priority_max is not None:
        conds.append(ExternalTask.priority <= q.priority_max)
    if q.lock_expiration_before is not None:
        conds.append(ExternalTask.lock_expiration < q.lock_expiration_before)
    if q.lock_expiration_after is not None:
        conds.append(ExternalTask.lock_expiration > q.lock_expiration_after)
    query = base_query()
    return query.where(*conds) if conds else query


def _tenant_condition(tenant_ids: list[str], include_without_tenant: bool) -> Any:
    cond = ExternalTask.tenant_id.in_(tenant_ids) if tenant_ids else false()
    return or_(cond, ExternalTask.tenant_id.is_(None)) if include_without_tenant else cond


def query_external_tasks(ctx: OpsContext, q: ExternalTaskQuery) -> list[ExternalTaskView]:
    order = []
    for sort_by, sort_order in q.sort or [("createTime", "asc")]:
        column = SORT_COLUMNS.get(sort_by)
        if column is None:
            raise BadRequest(f"Cannot set query parameter 'sortBy' to value '{sort_by}'")
        if sort_order not in ("asc", "desc"):
            raise BadRequest(f"Cannot set query parameter 'sortOrder' to value '{sort_order}'")
        # Null sorts lowest on every database (PostgreSQL would put it last in ascending order).
        order.append(column.desc().nulls_last() if sort_order == "desc" else column.asc().nulls_first())
    with ctx.transaction() as session:
        query = _filtered(q, ctx.clock.now()).order_by(*order, ExternalTask.id).offset(max(q.first_result, 0))
        if q.max_results is not None:
            query = query.limit(max(q.max_results, 0))
        return [view(t, s, v) for t, s, v in session.execute(query).all()]


def count_external_tasks(ctx: OpsContext, q: ExternalTaskQuery) -> int:
    with ctx.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(_filtered(q, ctx.clock.now()).subquery())) or 0)


def topics(ctx: OpsContext, *, with_locked: bool = True, with_unlocked: bool = True,
           with_retries_left: bool = True, without_retries_left: bool = True,
           tenant_ids: list[str] | None = None, include_without_tenant: bool = False) -> list[str]:
    """Topic names of existing external tasks (GET /external-task/topic-names); `tenant_ids` (None: all)
    and `include_without_tenant` narrow them to what the caller may see."""
    now = ctx.clock.now()
    conds: list[Any] = []
    if tenant_ids is not None:
        conds.append(_tenant_condition(tenant_ids, include_without_tenant))
    if not with_locked:
        conds.append(not_locked(now))
    if not with_unlocked:
        conds.append(and_(ExternalTask.lock_expiration.is_not(None), ExternalTask.lock_expiration > now))
    if not with_retries_left:
        conds.append(and_(ExternalTask.retries.is_not(None), ExternalTask.retries <= 0))
    if not without_retries_left:
        conds.append(or_(ExternalTask.retries.is_(None), ExternalTask.retries > 0))
    with ctx.transaction() as session:
        return list(session.scalars(select(ExternalTask.topic).where(*conds).distinct().order_by(ExternalTask.topic)))


__all__ = ["ExternalTaskView", "view", "base_query", "not_locked", "ExternalTaskQuery", "query_external_tasks",
           "count_external_tasks", "topics", "SORT_COLUMNS"]
