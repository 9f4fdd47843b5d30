"""Process instances: start, read (state, active elements, variables), cancel, history, and the runtime
queries with Camunda's filters.

`activityIdIn` is answered from the task projections (user and external tasks) and message
subscriptions' instances, so it never loads engine state; variable filters load the matching instances.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from sqlalchemy import Select, delete, exists, or_, select
from sqlalchemy.orm import Session, aliased, defer

from service.store import (
    ExternalTask,
    HistoryEvent,
    Incident,
    InstanceState,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    TaskCandidate,
    UserTask,
)

from . import (access_sql, definitions, file_variables, operation_log, participation, persistence, query, sql_like,
               variable_filters, variable_projection)
from .access import Principal
from .context import OpsContext
from .engine_errors import engine_errors
from .errors import BadRequest, NotActive
from .views import HistoryView, InstanceView


def start_instance(ctx: OpsContext, *, key: str | None = None, definition_id: str | None = None,
                   tenant: str | None = None, variables: dict[str, Any] | None = None,
                   business_key: str | None = None, user: str | None = None,
                   start_event_id: str | None = None, with_variables: bool = False) -> InstanceView:
    """Start the latest version of `key` in `tenant` (or exactly `definition_id`). File variables
    (file_variables.FileUpload) become documents of the new instance, kept only if it starts."""
    if key is None and definition_id is None:
        raise BadRequest("either a process definition key or id is required")
    instance_id = str(uuid4())
    with file_variables.stored(ctx, instance_id=instance_id, tenant_id=tenant, variables=dict(variables or {}),
                               user=user) as values, ctx.transaction() as session, engine_errors():
        definition = definitions.require(session, ProcessDefinition, definition_id=definition_id, key=key,
                                         tenant=tenant)
        if definition.suspended:
            raise BadRequest(f"Process definition {definition.id} is suspended",
                             pesan=f"Definisi proses {definition.key} sedang ditangguhkan")
        loaded = persistence.create(ctx, session, definition, variables=values, business_key=business_key,
                                    user=user, start_event_id=start_event_id, instance_id=instance_id)
        persistence.save(ctx, session, loaded)
        return persistence.instance_view(loaded.row, inst=loaded.inst, with_variables=with_variables)


def get_instance(ctx: OpsContext, instance_id: str, *, with_variables: bool = False,
                 with_active: bool = False) -> InstanceView:
    with ctx.transaction() as session, engine_errors():
        row = persistence.get_row(session, instance_id)
        if not (with_variables or with_active):
            return persistence.instance_view(row)
        loaded = persistence.load(ctx, session, instance_id, row=row)
        return persistence.instance_view(row, inst=loaded.inst, with_variables=with_variables,
                                         with_active=with_active)


def list_instances(ctx: OpsContext, *, definition_key: str | None = None, business_key: str | None = None,
                   tenant: str | None = None, active_only: bool = False, first_result: int = 0,
                   max_results: int | None = None) -> list[InstanceView]:
    with ctx.transaction() as session:
        query = select(ProcessInstance)
        if definition_key is not None:
            query = query.where(ProcessInstance.definition_key == definition_key)
        if business_key is not None:
            query = query.where(ProcessInstance.business_key == business_key)
        if tenant is not None:
            query = query.where(ProcessInstance.tenant_id == tenant)
        if active_only:
            query = query.where(ProcessInstance.state == InstanceState.ACTIVE)
        query = query.order_by(ProcessInstance.start_time, ProcessInstance.id).offset(first_result)
        if max_results is not None:
            query = query.limit(max_results)
        return [persistence.instance_view(r) for r in session.scalars(query)]


def cancel_instance(ctx: OpsContext, instance_id: str, *, reason: str | None = None,
                    user: str | None = None, operation_id: str | None = None) -> InstanceView:
    """Camunda's delete: the instance ends as CANCELLED, its open work disappears, history stays; the
    instances its call activities started are cancelled with it; the user operation log records who
    cancelled it and why (`operation_id`: the batch's operation)."""
    with ctx.transaction() as session:
        return cancel_in(ctx, session, instance_id, reason=reason, user=user, operation_id=operation_id)


def cancel_in(ctx: OpsContext, session: Any, instance_id: str, *, reason: str | None, user: str | None,
              operation_id: str | None = None) -> InstanceView:
    """cancel_instance within the caller's transaction (a batch deletes each instance in its own)."""
    row = persistence.get_row(session, instance_id)
    if row.state in (InstanceState.COMPLETED, InstanceState.CANCELLED):
        raise BadRequest(f"Process instance {instance_id} has already ended ({row.state.value})",
                         pesan="Proses ini sudah selesai")
    cancel_row(ctx, session, row, reason=reason, user=user)
    from .calls import child_deleted
    with engine_errors():
        child_deleted(ctx, session, row, reason=reason, user=user)
    operation_log.record(session, ctx.clock.now(), operation_log.CANCEL, operation_log.Subject(
        "ProcessInstance", instance_id=row.id, definition_id=row.definition_id,
        definition_key=row.definition_key, tenant_id=row.tenant_id), user=user, annotation=reason,
        properties={"deleteReason": (None, reason)} if reason else None, operation_id=operation_id)
    return persistence.instance_view(row)


def cancel_row(ctx: OpsContext, session: Session, row: ProcessInstance, *, reason: str | None,
               user: str | None, internal: bool = False) -> None:
    """Cancel `row` and, first, the active instances it called (bounded by the call-depth budget).
    `internal`: ended by the engine (its call activity was interrupted), not by a request: Camunda's
    history says INTERNALLY_TERMINATED."""
    children = session.scalars(select(ProcessInstance).where(
        ProcessInstance.super_process_instance_id == row.id,
        ProcessInstance.state.in_([InstanceState.ACTIVE, InstanceState.SUSPENDED]))).all()
    for child in children:
        cancel_row(ctx, session, child, reason=reason, user=user, internal=internal)
    now = ctx.clock.now()
    for task in session.scalars(select(UserTask).where(UserTask.instance_id == row.id)):
        session.add(HistoryEvent(kind="activity_cancelled", time=now, instance_id=row.id,
                                 definition_id=row.definition_id, definition_key=row.definition_key,
                                 tenant_id=row.tenant_id, element_id=task.element_id, element_name=task.name,
                                 element_type="userTask", lane=task.lane, task_id=task.id, user_id=user,
                                 data={"reason": reason} if reason else {}))
    task_ids = select(UserTask.id).where(UserTask.instance_id == row.id)
    session.execute(delete(TaskCandidate).where(TaskCandidate.task_id.in_(task_ids)))
    session.execute(delete(UserTask).where(UserTask.instance_id == row.id))
    session.execute(delete(ExternalTask).where(ExternalTask.instance_id == row.id))
    session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == row.id))
    variable_projection.forget(session, row.id)
    row.state = InstanceState.CANCELLED
    row.projected = {}
    row.end_time = now
    row.next_timer_due = None
    session.add(HistoryEvent(kind="instance_ended", time=now, instance_id=row.id,
                             definition_id=row.definition_id, definition_key=row.definition_key,
                             tenant_id=row.tenant_id, user_id=user,
                             data={"state": "CANCELLED", **({"reason": reason} if reason else {}),
                                   **({"internal": True} if internal else {})}))


def called_instances(ctx: OpsContext, instance_id: str) -> list[InstanceView]:
    """The instances the call activities of `instance_id` started, ended ones included, oldest first."""
    with ctx.transaction() as session:
        rows = session.scalars(select(ProcessInstance).options(defer(ProcessInstance.engine_state))
                               .where(ProcessInstance.super_process_instance_id == instance_id)
                               .order_by(ProcessInstance.start_time, ProcessInstance.id).limit(_MAX_CALLED))
        return [persistence.instance_view(r) for r in rows]


_MAX_CALLED = 500     # one page's worth: a multi-instance call is bounded by the budget's multi-instance limit


def get_variables(ctx: OpsContext, instance_id: str) -> dict[str, Any]:
    with ctx.transaction() as session, engine_errors():
        return dict(persistence.load(ctx, session, instance_id).inst.variables())


def set_variables(ctx: OpsContext, instance_id: str, values: dict[str, Any], *,
                  remove: list[str] | None = None, user: str | None = None) -> dict[str, Any]:
    with ctx.transaction() as session, engine_errors():
        row = persistence.get_row(session, instance_id)
        if row.state != InstanceState.ACTIVE:
            raise NotActive(f"Process instance {instance_id} is not active ({row.state.value})",
                            pesan="Variabel hanya dapat diubah pada proses yang masih berjalan")
        loaded = persistence.load(ctx, session, instance_id, row=row)
        if values:
            loaded.inst.set_variables(dict(values))
        for name in remove or []:
            loaded.inst.remove_variable(name)
        persistence.save(ctx, session, loaded)
        return dict(loaded.inst.variables())


def history(ctx: OpsContext, instance_id: str) -> list[HistoryView]:
    with ctx.transaction() as session:
        persistence.get_row(session, instance_id)
        rows = session.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == instance_id)
                               .order_by(HistoryEvent.id))
        return [history_view(r) for r in rows]


def history_view(r: HistoryEvent) -> HistoryView:
    return HistoryView(id=r.id, kind=r.kind, time=r.time, instance_id=r.instance_id, definition_id=r.definition_id,
                       element_id=r.element_id, element_name=r.element_name, element_type=r.element_type,
                       lane=r.lane, task_id=r.task_id, user_id=r.user_id, data=dict(r.data or {}))


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
    super_instance: str | None = None       # instances called by this one (superProcessInstance)
    sub_instance: str | None = None         # the instance that called this one (subProcessInstance)
    variables: list[tuple[str, str, Any]] = field(default_factory=list)   # (name, operator, value)
    variable_names_ignore_case: bool = False
    variable_values_ignore_case: bool = False
    incident_message: str | None = None
    incident_message_like: str | None = None
    definition_without_tenant: bool = False
    visible_to: Principal | None = None     # only instances access.can_see_instance lets this user see
    newest_first: bool = False              # ties (and no sortBy) newest start first, instead of oldest
    sort: list[tuple[str, str]] = field(default_factory=list)
    first_result: int = 0
    max_results: int | None = None


SORT_COLUMNS = {"instanceId": ProcessInstance.id, "definitionKey": ProcessInstance.definition_key,
                "definitionId": ProcessInstance.definition_id, "tenantId": ProcessInstance.tenant_id,
                "businessKey": ProcessInstance.business_key}


def _filtered(ctx: OpsContext, q: InstanceQuery) -> Select[Any]:
    pi = ProcessInstance
    conds: list[Any] = [pi.state.in_([InstanceState.ACTIVE, InstanceState.SUSPENDED])]
    if q.ids is not None:
        conds.append(pi.id.in_(q.ids))
    if q.business_key is not None:
        conds.append(pi.business_key == q.business_key)
    if q.super_instance is not None:
        conds.append(pi.super_process_instance_id == q.super_instance)
    if q.sub_instance is not None:
        sub = aliased(ProcessInstance)
        conds.append(pi.id == select(sub.super_process_instance_id).where(sub.id == q.sub_instance)
                     .scalar_subquery())
    if q.business_key_like is not None:
        conds.append(sql_like.like(pi.business_key, q.business_key_like, parameter="businessKeyLike"))
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
    tenant = query.tenant_condition(pi.tenant_id, q.tenant_ids, include_without_tenant=q.without_tenant)
    if tenant is not None:
        conds.append(tenant)
    if q.visible_to is not None:
        p = q.visible_to
        lanes = () if p.is_process_owner else participation.lane_definition_ids(ctx, p.tenants, p.groups)
        conds.append(access_sql.instance_visible(p, lanes))
    if q.active:
        conds.append(pi.state == InstanceState.ACTIVE)
    if q.suspended:
        conds.append(pi.state == InstanceState.SUSPENDED)
    incident_conds = [Incident.instance_id == pi.id, Incident.resolved.is_(False)]
    if q.incident_id is not None:
        incident_conds.append(Incident.id == q.incident_id)
    if q.incident_type is not None:
        incident_conds.append(Incident.incident_type == q.incident_type)
    if q.incident_message is not None:
        incident_conds.append(Incident.message == q.incident_message)
    if q.incident_message_like is not None:
        incident_conds.append(sql_like.like(Incident.message, q.incident_message_like,
                                            parameter="incidentMessageLike"))
    if len(incident_conds) > 2 or q.with_incident:
        conds.append(exists().where(*incident_conds))
    if q.definition_without_tenant:
        conds.append(pi.definition_id.in_(select(ProcessDefinition.id).where(ProcessDefinition.tenant_id.is_(None))))
    conds.extend(variable_filters.conditions(variable_filters.VariableFilters(
        process=[variable_filters.VariableFilter(*f) for f in q.variables],
        names_ignore_case=q.variable_names_ignore_case, values_ignore_case=q.variable_values_ignore_case), pi.id))
    if q.activity_ids:
        conds.append(or_(exists().where(UserTask.instance_id == pi.id, UserTask.element_id.in_(q.activity_ids)),
                         exists().where(ExternalTask.instance_id == pi.id,
                                        ExternalTask.element_id.in_(q.activity_ids))))
    return select(pi).where(*conds)


def _run(ctx: OpsContext, q: InstanceQuery, *, paged: bool) -> list[InstanceView]:
    pi = ProcessInstance
    tiebreak = (pi.start_time.desc(), pi.id.desc()) if q.newest_first else (pi.start_time, pi.id)
    statement = query.ordered(_filtered(ctx, q), q.sort, SORT_COLUMNS, *tiebreak)
    # The list shows no engine state: leave the largest column in the database.
    statement = statement.options(defer(pi.engine_state))
    if paged:
        statement = query.paged(statement, q.first_result, q.max_results)
    with ctx.transaction() as session:
        return [persistence.instance_view(r) for r in session.scalars(statement)]


def query_instances(ctx: OpsContext, q: InstanceQuery) -> list[InstanceView]:
    return _run(ctx, q, paged=True)


def count_instances(ctx: OpsContext, q: InstanceQuery) -> int:
    with ctx.transaction() as session:
        return query.count(session, _filtered(ctx, q), ProcessInstance.id)


def instance_definition_ids(ctx: OpsContext, q: InstanceQuery) -> list[str]:
    """The process definitions of the instances `q` selects, for a list's "which process" choice."""
    statement = _filtered(ctx, q).with_only_columns(ProcessInstance.definition_id).distinct().order_by(None)
    with ctx.transaction() as session:
        return sorted(session.scalars(statement))


__all__ = ["start_instance", "get_instance", "list_instances", "cancel_instance", "cancel_in", "get_variables",
           "set_variables",
           "history", "history_view", "InstanceQuery", "query_instances", "count_instances", "instance_definition_ids",
           "SORT_COLUMNS"]
