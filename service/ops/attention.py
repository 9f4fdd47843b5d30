"""Stuck work shows itself (issue 14, item 4): running instances with an open incident, and instances
waiting at a step longer than its SOP time (an open user task past its due date, which the engine sets
from the step's `mutu.waktu`). Read in SQL for the instance list and the model list."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import and_, exists, or_, select

from service.store import Incident, InstanceState, ProcessInstance, UserTask

from . import access_sql, persistence
from .access import Principal
from .context import OpsContext
from .views import InstanceView

_RUNNING = (InstanceState.ACTIVE, InstanceState.SUSPENDED)


@dataclass(frozen=True)
class Flags:
    incident: bool
    late: bool


def _incident_open() -> object:
    return exists().where(Incident.instance_id == ProcessInstance.id, Incident.resolved.is_(False))


def _late(now: datetime) -> object:
    return exists().where(UserTask.instance_id == ProcessInstance.id, UserTask.due.is_not(None), UserTask.due < now)


def flags(ctx: OpsContext, instance_ids: Sequence[str]) -> dict[str, Flags]:
    """Incident and late flags of the instances shown on a page (two indexed lookups)."""
    if not instance_ids:
        return {}
    now = ctx.clock.now()
    ids = list(instance_ids)
    with ctx.transaction() as session:
        with_incident = set(session.scalars(select(Incident.instance_id).where(
            Incident.instance_id.in_(ids), Incident.resolved.is_(False))))
        late = set(session.scalars(select(UserTask.instance_id).where(
            UserTask.instance_id.in_(ids), UserTask.due.is_not(None), UserTask.due < now)))
    return {i: Flags(i in with_incident, i in late) for i in ids}


def needing_attention(ctx: OpsContext, p: Principal, *, definition_key: str | None = None,
                      limit: int = 50) -> list[InstanceView]:
    """A process owner's running instances with an incident or a late step, incidents first, oldest first."""
    if not p.is_process_owner:
        return []
    now = ctx.clock.now()
    pi = ProcessInstance
    incident = _incident_open()
    statement = (select(pi).where(pi.state.in_(_RUNNING), access_sql.in_tenant(pi.tenant_id, p),
                                  or_(incident, _late(now)))   # type: ignore[arg-type]
                 .order_by(incident.desc(), pi.start_time, pi.id).limit(limit))   # type: ignore[attr-defined]
    if definition_key is not None:
        statement = statement.where(pi.definition_key == definition_key)
    with ctx.transaction() as session:
        return [persistence.instance_view(r) for r in session.scalars(statement)]


def counts_by_definition(ctx: OpsContext, p: Principal) -> dict[str, Counter[str]]:
    """{definition id: Counter(incident=n, late=n)} over the running instances a process owner may see."""
    now = ctx.clock.now()
    pi = ProcessInstance
    result: dict[str, Counter[str]] = {}
    base = and_(pi.state.in_(_RUNNING), access_sql.in_tenant(pi.tenant_id, p))
    with ctx.transaction() as session:
        for name, cond in (("incident", _incident_open()), ("late", _late(now))):
            for definition_id in session.scalars(select(pi.definition_id).where(base, cond)):  # type: ignore[arg-type]
                result.setdefault(definition_id, Counter())[name] += 1
    return result


__all__ = ["Flags", "flags", "needing_attention", "counts_by_definition"]
