"""Signals (Camunda's POST /signal): delivered to every active instance waiting for the signal and
starting an instance of every latest definition with a signal start event of that name, all in one
transaction. Nothing waiting is not an error (Camunda broadcasts)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.store import InstanceState, ProcessDefinition, ProcessInstance

from . import definitions, persistence
from .context import OpsContext
from .engine_errors import engine_errors
from .errors import BadRequest, NotFound

_MAX_CACHED = 2048
# Signal names per definition id: definitions never change, so the XML is read once per process.
_NAMES: dict[str, frozenset[str]] = {}


@dataclass(frozen=True)
class SignalResult:
    delivered: list[str]         # ids of the instances that caught the signal
    started: list[str]           # ids of the instances started by signal start events


def _names(ctx: OpsContext, session: Session, definition_id: str) -> frozenset[str]:
    found = _NAMES.get(definition_id)
    if found is None:
        from service.engine.signals import signal_names
        found = frozenset(signal_names(definitions.process_by_id(ctx, session, definition_id)[1]))
        if len(_NAMES) >= _MAX_CACHED:
            _NAMES.clear()
        _NAMES[definition_id] = found
    return found


def _tenant_where(query: Any, column: Any, tenant: str | None, without_tenant: bool,
                  tenant_filter: tuple[list[str], bool] | None) -> Any:
    if tenant is not None:
        query = query.where(column == tenant)
    elif without_tenant:
        query = query.where(column.is_(None))
    if tenant_filter is not None:
        ids, include_null = tenant_filter
        cond = column.in_(ids)
        query = query.where(cond | column.is_(None) if include_null else cond)
    return query


def deliver_signal(ctx: OpsContext, name: str, *, variables: dict[str, Any] | None = None,
                   tenant: str | None = None, without_tenant: bool = False, instance_id: str | None = None,
                   tenant_filter: tuple[list[str], bool] | None = None, user: str | None = None) -> SignalResult:
    """`tenant_filter` = (visible tenant ids, tenant-less visible) narrows what the caller may reach."""
    if not name:
        raise BadRequest("No signal name given", pesan="Nama sinyal wajib diisi")
    if tenant is not None and without_tenant:
        raise BadRequest("Parameter 'tenantId' cannot be used together with parameter 'withoutTenantId'.")
    from service.engine.signals import send_signal, signal_starts

    payload = dict(variables or {})
    delivered: list[str] = []
    started: list[str] = []
    with ctx.transaction() as session, engine_errors():
        defs_query = _tenant_where(select(ProcessDefinition.id), ProcessDefinition.tenant_id, tenant, without_tenant,
                                   tenant_filter)
        with_signal = [d for d in session.scalars(defs_query) if name in _names(ctx, session, d)]
        if instance_id is not None:
            row = session.get(ProcessInstance, instance_id)
            if row is None or row.definition_id not in with_signal:
                raise NotFound(f"Cannot find execution with id '{instance_id}' waiting for signal '{name}'")
        if with_signal:
            query = (select(ProcessInstance).where(ProcessInstance.definition_id.in_(with_signal),
                                                   ProcessInstance.state == InstanceState.ACTIVE)
                     .order_by(ProcessInstance.start_time, ProcessInstance.id))
            if instance_id is not None:
                query = query.where(ProcessInstance.id == instance_id)
            for row in session.scalars(query):
                loaded = persistence.load(ctx, session, row.id, row=row)
                if send_signal(loaded.inst, name, payload):
                    persistence.save(ctx, session, loaded)
                    delivered.append(row.id)
        if instance_id is None:
            for definition in _latest(session, with_signal):
                model = definitions.process_by_id(ctx, session, definition.id)[1]
                for element_id, signal in signal_starts(model):
                    if signal != name:
                        continue
                    loaded = persistence.create(ctx, session, definition, variables=payload, business_key=None,
                                                user=user, start_event_id=element_id)
                    persistence.save(ctx, session, loaded)
                    started.append(loaded.row.id)
    return SignalResult(delivered, started)


def _latest(session: Session, ids: list[str]) -> list[ProcessDefinition]:
    """The latest version (per key and tenant) among `ids`, not suspended."""
    if not ids:
        return []
    newest = (select(ProcessDefinition.key, ProcessDefinition.tenant_scope,
                     func.max(ProcessDefinition.version).label("version"))
              .group_by(ProcessDefinition.key, ProcessDefinition.tenant_scope).subquery())
    query = (select(ProcessDefinition)
             .join(newest, (newest.c.key == ProcessDefinition.key)
                   & (newest.c.tenant_scope == ProcessDefinition.tenant_scope)
                   & (newest.c.version == ProcessDefinition.version))
             .where(ProcessDefinition.id.in_(ids), ProcessDefinition.suspended.is_(False))
             .order_by(ProcessDefinition.key))
    return list(session.scalars(query))


__all__ = ["deliver_signal", "SignalResult"]
