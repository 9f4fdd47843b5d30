"""Process instances: start, read (state, active elements, variables), cancel, history."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from service.store import (ExternalTask, HistoryEvent, InstanceState, MessageSubscription, ProcessDefinition,
                           ProcessInstance, TaskCandidate, UserTask)

from . import definitions, persistence
from .context import OpsContext
from .engine_errors import engine_errors
from .errors import BadRequest, Conflict
from .views import HistoryView, InstanceView


def start_instance(ctx: OpsContext, *, key: str | None = None, definition_id: str | None = None,
                   tenant: str | None = None, variables: dict[str, Any] | None = None,
                   business_key: str | None = None, user: str | None = None,
                   start_event_id: str | None = None, with_variables: bool = False) -> InstanceView:
    """Start the latest version of `key` in `tenant` (or exactly `definition_id`)."""
    if key is None and definition_id is None:
        raise BadRequest("either a process definition key or id is required")
    with ctx.transaction() as session, engine_errors():
        definition = definitions.require(session, ProcessDefinition, definition_id=definition_id, key=key,
                                         tenant=tenant)
        if definition.suspended:
            raise BadRequest(f"Process definition {definition.id} is suspended",
                             pesan=f"Definisi proses {definition.key} sedang ditangguhkan")
        loaded = persistence.create(ctx, session, definition, variables=dict(variables or {}),
                                    business_key=business_key, user=user, start_event_id=start_event_id)
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
                    user: str | None = None) -> InstanceView:
    """Camunda's delete: the instance ends as CANCELLED, its open work disappears, history stays."""
    with ctx.transaction() as session:
        row = persistence.get_row(session, instance_id)
        if row.state in (InstanceState.COMPLETED, InstanceState.CANCELLED):
            raise BadRequest(f"Process instance {instance_id} has already ended ({row.state.value})",
                             pesan="Proses ini sudah selesai")
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
        row.state = InstanceState.CANCELLED
        row.projected = {}
        row.end_time = now
        row.next_timer_due = None
        session.add(HistoryEvent(kind="instance_ended", time=now, instance_id=row.id,
                                 definition_id=row.definition_id, definition_key=row.definition_key,
                                 tenant_id=row.tenant_id, user_id=user,
                                 data={"state": "CANCELLED", **({"reason": reason} if reason else {})}))
        return persistence.instance_view(row)


def get_variables(ctx: OpsContext, instance_id: str) -> dict[str, Any]:
    with ctx.transaction() as session, engine_errors():
        return dict(persistence.load(ctx, session, instance_id).inst.variables())


def set_variables(ctx: OpsContext, instance_id: str, values: dict[str, Any], *,
                  remove: list[str] | None = None, user: str | None = None) -> dict[str, Any]:
    with ctx.transaction() as session, engine_errors():
        row = persistence.get_row(session, instance_id)
        if row.state != InstanceState.ACTIVE:
            raise Conflict(f"Process instance {instance_id} is not active ({row.state.value})",
                           pesan="Variabel hanya dapat diubah pada proses yang masih berjalan",
                           camunda_type="ProcessEngineException")
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


__all__ = ["start_instance", "get_instance", "list_instances", "cancel_instance", "get_variables",
           "set_variables", "history", "history_view"]
