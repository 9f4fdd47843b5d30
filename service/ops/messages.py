"""Message correlation (Camunda's POST /message): waiting instances found in SQL by message name,
business key and tenant, then narrowed by correlation keys; or a message start event of a latest
definition. Exactly one match is required unless `all_matches`."""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import func, select

from service.store import InstanceState, MessageSubscription, ProcessDefinition, ProcessInstance, StartMessage

from . import persistence
from .context import OpsContext
from .engine_errors import engine_errors
from .errors import BadRequest, MessageMismatch
from .views import CorrelationView



def correlate_message(ctx: OpsContext, name: str, *, business_key: str | None = None,
                      correlation_keys: dict[str, Any] | None = None, variables: dict[str, Any] | None = None,
                      tenant: str | None = None, without_tenant: bool = False, instance_id: str | None = None,
                      all_matches: bool = False, with_variables: bool = False,
                      user: str | None = None, tenant_filter: tuple[list[str], bool] | None = None,
                      may_see: Callable[[ProcessInstance], bool] | None = None,
                      may_start: Callable[[ProcessDefinition], bool] | None = None) -> list[CorrelationView]:
    """`tenant_filter` (tenant ids, include tenant-less), `may_see` and `may_start` narrow the candidates to
    what the caller may touch: anything else is treated as not there, so the answer leaks nothing."""
    if not name:
        raise BadRequest("No message name given", pesan="Nama pesan wajib diisi")
    payload = dict(variables or {})
    keys = dict(correlation_keys or {})
    with ctx.transaction() as session, engine_errors():
        query = (select(ProcessInstance)
                 .join(MessageSubscription, MessageSubscription.instance_id == ProcessInstance.id)
                 .where(MessageSubscription.message_name == name, ProcessInstance.state == InstanceState.ACTIVE)
                 .order_by(ProcessInstance.start_time, ProcessInstance.id))
        if business_key is not None:
            query = query.where(ProcessInstance.business_key == business_key)
        if instance_id is not None:
            query = query.where(ProcessInstance.id == instance_id)
        if tenant is not None:
            query = query.where(ProcessInstance.tenant_id == tenant)
        elif without_tenant:
            query = query.where(ProcessInstance.tenant_id.is_(None))
        if tenant_filter is not None:
            query = query.where(_tenant_clause(ProcessInstance.tenant_id, tenant_filter))
        waiting = []
        for row in session.scalars(query).unique():
            if may_see is not None and not may_see(row):
                continue
            loaded = persistence.load(ctx, session, row.id, row=row)
            if keys:
                current = loaded.inst.variables()
                if any(k not in current or current[k] != v for k, v in keys.items()):
                    continue
            waiting.append(loaded)
        starts = [] if instance_id is not None else _start_candidates(session, name, tenant, without_tenant)
        if tenant_filter is not None:
            ids, include_null = tenant_filter
            starts = [(d, e) for d, e in starts if (d.tenant_id in ids if d.tenant_id else include_null)]
        if may_start is not None:
            starts = [(d, e) for d, e in starts if may_start(d)]
        total = len(waiting) + len(starts)
        if total == 0:
            raise MessageMismatch(f"Cannot correlate message '{name}': No process definition or execution matches "
                                  f"the parameters", pesan=f"Tidak ada proses yang menunggu pesan '{name}'")
        if total > 1 and not all_matches:
            raise MessageMismatch(f"Cannot correlate a message with name '{name}' to a single execution. {total} "
                                  f"executions match the correlation keys",
                                  pesan=f"Pesan '{name}' cocok dengan {total} proses; persempit dengan business key")
        results: list[CorrelationView] = []
        for loaded in waiting:
            if not loaded.inst.correlate_message(name, payload):
                if all_matches:
                    continue
                raise MessageMismatch(f"Cannot correlate message '{name}': instance {loaded.row.id} is not "
                                      f"waiting for it")
            persistence.save(ctx, session, loaded)
            results.append(CorrelationView("Execution", persistence.instance_view(
                loaded.row, inst=loaded.inst, with_variables=with_variables),
                dict(loaded.inst.variables()) if with_variables else None))
        for definition, element_id in starts:
            loaded = persistence.create(ctx, session, definition, variables=payload, business_key=business_key,
                                        user=user, start_event_id=element_id, message=name)
            persistence.save(ctx, session, loaded)
            results.append(CorrelationView("ProcessDefinition", persistence.instance_view(
                loaded.row, inst=loaded.inst, with_variables=with_variables),
                dict(loaded.inst.variables()) if with_variables else None))
        return results


def _tenant_clause(column: Any, tenant_filter: tuple[list[str], bool]) -> Any:
    ids, include_null = tenant_filter
    clause = column.in_(ids) if ids else column.in_([])
    return clause | column.is_(None) if include_null else clause


def _start_candidates(session: Any, name: str, tenant: str | None,
                      without_tenant: bool) -> list[tuple[ProcessDefinition, str]]:
    """Latest definitions (per key and tenant) with a message start event of this name."""
    newest = (select(ProcessDefinition.key, ProcessDefinition.tenant_scope,
                     func.max(ProcessDefinition.version).label("version"))
              .group_by(ProcessDefinition.key, ProcessDefinition.tenant_scope).subquery())
    query = (select(ProcessDefinition, StartMessage.element_id)
             .join(StartMessage, StartMessage.definition_id == ProcessDefinition.id)
             .join(newest, (newest.c.key == ProcessDefinition.key)
                   & (newest.c.tenant_scope == ProcessDefinition.tenant_scope)
                   & (newest.c.version == ProcessDefinition.version))
             .where(StartMessage.message_name == name, ProcessDefinition.suspended.is_(False))
             .order_by(ProcessDefinition.key))
    if tenant is not None:
        query = query.where(ProcessDefinition.tenant_scope == tenant)
    elif without_tenant:
        query = query.where(ProcessDefinition.tenant_scope == "")
    return [(d, e) for d, e in session.execute(query)]


__all__ = ["correlate_message"]
