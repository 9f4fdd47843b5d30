"""Runtime process-instance queries with Camunda's filters (GET/POST /process-instance, /count).

`activityIdIn` is answered from the task projections (user and external tasks) and message
subscriptions' instances, so it never loads engine state; variable filters load the matching instances.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, exists, func, or_, select

from service.store import ExternalTask, Incident, InstanceState, ProcessDefinition, ProcessInstance, UserTask

from . import persistence
from .context import OpsContext
from .errors import BadRequest
from .views import InstanceView

_OPS = {"eq", "neq", "gt", "gteq", "lt", "lteq", "like"}


@dataclass
class InstanceQuery:
    ids: list[str] | None = None
    business_key: str | None = None
    business_key_like: str | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    definition_keys: list[str] | None = None
    definition_keys_not: list[str] | None = None
    deployment_id: str | None = None
    tenant_ids: list[str] | None = None
    without_tenant: bool = False
    active: bool = False
    suspended: bool = False
    with_incident: bool = False
    incident_id: str | None = None
    incident_type: str | None = None
    activity_ids: list[str] | None = None
    variables: list[tuple[str, str, Any]] = field(default_factory=list)   # (name, operator, value)
    sort: list[tuple[str, str]] = field(default_factory=list)
    first_result: int = 0
    max_results: int | None = None


SORT_COLUMNS = {"instanceId": ProcessInstance.id, "definitionKey": ProcessInstance.definition_key,
                "definitionId": ProcessInstance.definition_id, "tenantId": ProcessInstance.tenant_id,
                "businessKey": ProcessInstance.business_key}


def _filtered(q: InstanceQuery) -> Select[Any]:
    pi = ProcessInstance
    conds: list[Any] = [pi.state.in_([InstanceState.ACTIVE, InstanceState.SUSPENDED])]
    if q.ids is not None:
        conds.append(pi.id.in_(q.ids))
    if q.business_key is not None:
        conds.append(pi.business_key == q.business_key)
    if q.business_key_like is not None:
        conds.append(pi.business_key.like(q.business_key_like))
    if q.definition_id is not None:
        conds.append(pi.definition_id == q.definition_id)
    if q.definition_key is not None:
        conds.append(pi.definition_key == q.definition_key)
    if q.definition_keys:
        conds.append(pi.definition_key.in_(q.definition_keys))
    if q.definition_keys_not:
        conds.append(pi.definition_key.not_in(q.definition_keys_not))
    if q.deployment_id is not None:
        conds.append(pi.definition_id.in_(select(ProcessDefinition.id)
                                          .where(ProcessDefinition.deployment_id == q.deployment_id)))
    if q.tenant_ids:
        cond = pi.tenant_id.in_(q.tenant_ids)
        conds.append(or_(cond, pi.tenant_id.is_(None)) if q.without_tenant else cond)
    elif q.without_tenant:
        conds.append(pi.tenant_id.is_(None))
    if q.active:
        conds.append(pi.state == InstanceState.ACTIVE)
    if q.suspended:
        conds.append(pi.state == InstanceState.SUSPENDED)
    incident_conds = [Incident.instance_id == pi.id, Incident.resolved.is_(False)]
    if q.incident_id is not None:
        incident_conds.append(Incident.id == q.incident_id)
    if q.incident_type is not None:
        incident_conds.append(Incident.incident_type == q.incident_type)
    if q.with_incident or q.incident_id is not None or q.incident_type is not None:
        conds.append(exists().where(*incident_conds))
    if q.activity_ids:
        conds.append(or_(exists().where(UserTask.instance_id == pi.id, UserTask.element_id.in_(q.activity_ids)),
                         exists().where(ExternalTask.instance_id == pi.id,
                                        ExternalTask.element_id.in_(q.activity_ids))))
    return select(pi).where(*conds)


def _check_variables(filters: list[tuple[str, str, Any]]) -> None:
    for name, op, _ in filters:
        if not name:
            raise BadRequest("a variable filter needs a name")
        if op not in _OPS:
            raise BadRequest(f"Invalid variable comparator specified: {op}")


def _matches(values: dict[str, Any], filters: list[tuple[str, str, Any]]) -> bool:
    for name, op, expected in filters:
        if name not in values:
            return False
        actual = values[name]
        try:
            if op == "eq" and not actual == expected:
                return False
            if op == "neq" and not actual != expected:
                return False
            if op == "gt" and not actual > expected:
                return False
            if op == "gteq" and not actual >= expected:
                return False
            if op == "lt" and not actual < expected:
                return False
            if op == "lteq" and not actual <= expected:
                return False
            if op == "like":
                from .history_queries import like_match
                if not isinstance(actual, str) or not like_match(actual, str(expected)):
                    return False
        except TypeError:
            return False
    return True


def _run(ctx: OpsContext, q: InstanceQuery, *, paged: bool) -> list[InstanceView]:
    _check_variables(q.variables)
    order = []
    for sort_by, sort_order in q.sort:
        column = SORT_COLUMNS.get(sort_by)
        if column is None:
            raise BadRequest(f"Cannot set query parameter 'sortBy' to value '{sort_by}'")
        if sort_order not in ("asc", "desc"):
            raise BadRequest(f"Cannot set query parameter 'sortOrder' to value '{sort_order}'")
        # Null sorts lowest on every database (PostgreSQL would put it last in ascending order).
        order.append(column.desc().nulls_last() if sort_order == "desc" else column.asc().nulls_first())
    query = _filtered(q).order_by(*order, ProcessInstance.start_time, ProcessInstance.id)
    if paged and not q.variables:
        query = query.offset(max(q.first_result, 0))
        if q.max_results is not None:
            query = query.limit(q.max_results)
    with ctx.transaction() as session:
        rows = list(session.scalars(query))
        if q.variables:
            rows = [r for r in rows
                    if _matches(dict(persistence.load(ctx, session, r.id, row=r).inst.variables()), q.variables)]
            if paged:
                start = max(q.first_result, 0)
                rows = rows[start:] if q.max_results is None else rows[start:start + q.max_results]
        return [persistence.instance_view(r) for r in rows]


def query_instances(ctx: OpsContext, q: InstanceQuery) -> list[InstanceView]:
    return _run(ctx, q, paged=True)


def count_instances(ctx: OpsContext, q: InstanceQuery) -> int:
    if not q.variables:
        with ctx.transaction() as session:
            return int(session.scalar(select(func.count()).select_from(_filtered(q).subquery())) or 0)
    return len(_run(ctx, q, paged=False))


__all__ = ["InstanceQuery", "query_instances", "count_instances", "SORT_COLUMNS"]
