"""Stuck work shows itself (issue 14, item 4): running instances with an open incident, and instances
waiting at a step longer than its SOP time (an open user task past its due date, which the engine sets
from the step's `mutu.waktu`). Read in SQL for the instance list and the model list."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import select

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


def _with_incident() -> Any:
    """Ids of instances with an open incident (few rows: read from the incident side)."""
    return select(Incident.instance_id).where(Incident.resolved.is_(False), Incident.instance_id.is_not(None))


def _late(now: datetime) -> Any:
    """Ids of instances with an open user task past its due date (the indexed `due` column)."""
    return select(UserTask.instance_id).where(UserTask.due.is_not(None), UserTask.due < now)


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
    pi = ProcessInstance
    flagged = _with_incident().union(_late(ctx.clock.now())).subquery()
    statement = (select(pi).where(pi.id.in_(select(flagged.c[0])), pi.state.in_(_RUNNING),
                                  access_sql.in_tenant(pi.tenant_id, p))
                 .order_by(pi.incident.desc(), pi.start_time, pi.id).limit(limit))
    if definition_key is not None:
        statement = statement.where(pi.definition_key == definition_key)
    with ctx.transaction() as session:
        return [persistence.instance_view(r) for r in session.scalars(statement)]


def counts_by_definition(ctx: OpsContext, p: Principal) -> dict[str, Counter[str]]:
    """{definition id: Counter(incident=n, late=n)} over the running instances a process owner may see."""
    pi = ProcessInstance
    result: dict[str, Counter[str]] = {}
    with ctx.transaction() as session:
        for name, ids in (("incident", _with_incident()), ("late", _late(ctx.clock.now()))):
            statement = select(pi.definition_id).where(pi.id.in_(ids), pi.state.in_(_RUNNING),
                                                       access_sql.in_tenant(pi.tenant_id, p))
            for definition_id in session.scalars(statement):
                result.setdefault(definition_id, Counter())[name] += 1
    return result


__all__ = ["Flags", "flags", "needing_attention", "counts_by_definition"]
