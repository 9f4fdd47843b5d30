"""SQL building blocks of the history queries: activity instances paired from their start and end
events, variables folded to their latest value, (Camunda's sorting and paging: query.py).

Everything is expressed as one SELECT so that filters, ORDER BY, OFFSET/LIMIT and COUNT run in the
database; the same statements work on SQLite and PostgreSQL.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from service.store import HistoryEvent


ACTIVITY_KINDS = ("activity_started", "activity_ended", "activity_cancelled")
END_KINDS = ("activity_ended", "activity_cancelled")
VARIABLE_KINDS = ("variable_set", "variable_removed")


def _task_key(event: Any) -> Any:
    return func.coalesce(event.task_id, event.element_id)


def _same_task(a: Any, b: Any) -> Any:
    return and_(a.instance_id == b.instance_id, _task_key(a) == _task_key(b), a.kind.in_(ACTIVITY_KINDS))


@dataclass(frozen=True)
class ActivityRecords:
    start: Any          # the record's first event: its start, or an end that was recorded without one
    end: Any            # outer-joined end or cancel event; NULL while the activity runs
    query: Select[Any]  # select(start, end); callers add filters, columns and joins


def activity_records() -> ActivityRecords:
    """One row per activity instance, paired exactly as a replay of the events in id order would:
    a start is ended by the next event of the same engine task when that event is an end; an end whose
    previous event of the task is not a start (history from before a restart) is a record of its own."""
    start = aliased(HistoryEvent, name="act_start")
    end = aliased(HistoryEvent, name="act_end")
    after = aliased(HistoryEvent, name="act_after")
    before = aliased(HistoryEvent, name="act_before")
    prev = aliased(HistoryEvent, name="act_prev")
    next_id = (select(func.min(after.id)).where(_same_task(after, start), after.id > start.id)
               .correlate(start).scalar_subquery())
    prev_id = (select(func.max(before.id)).where(_same_task(before, start), before.id < start.id)
               .correlate(start).scalar_subquery())
    end_id = case((start.kind == "activity_started", next_id), else_=start.id)
    follows_start = exists().where(prev.id == prev_id, prev.kind == "activity_started")
    is_record = or_(start.kind == "activity_started", and_(start.kind.in_(END_KINDS), ~follows_start))
    query = (select(start, end).select_from(start)
             .outerjoin(end, and_(end.id == end_id, end.kind.in_(END_KINDS)))
             .where(is_record))
    return ActivityRecords(start, end, query)


@dataclass(frozen=True)
class VariableRecords:
    first: Any          # the set event that created the variable's current life (its id names the record)
    value: Any          # the latest set event (its value)
    last: Any           # the latest set or remove event (the state)
    name: Any           # the variable name column of the grouped rows
    instance_id: Any
    query: Select[Any]  # select(first, value, last); callers add filters
    groups: Select[Any]  # one row per record, without the joins (enough to count unfiltered records)


def variable_name(event: Any = HistoryEvent) -> Any:
    return event.data["name"].as_string()


def variable_records(where: Sequence[Any]) -> VariableRecords:
    """One row per (instance, variable name): created by the first set after the last removal that
    precedes the latest set, valued by the latest set, DELETED when the latest event removes it.
    `where` filters the events (conditions on `HistoryEvent`) before they are grouped."""
    ev = HistoryEvent
    # The name is computed once in an inner SELECT: PostgreSQL does not see two renderings of the same
    # JSON path (each with its own bound parameter) as one GROUP BY expression.
    named = (select(ev.id, ev.kind, ev.instance_id, variable_name(ev).label("name"))
             .where(ev.kind.in_(VARIABLE_KINDS), *where).subquery("var_events"))
    grouped = (select(named.c.instance_id, named.c.name,
                      func.max(case((named.c.kind == "variable_set", named.c.id))).label("last_set"),
                      func.max(named.c.id).label("last_any"))
               .group_by(named.c.instance_id, named.c.name).subquery("var_groups"))
    removed = aliased(HistoryEvent, name="var_removed")
    sets = aliased(HistoryEvent, name="var_sets")

    def same(alias: Any) -> Any:
        # Plain equality keeps the (instance_id, id) index usable; variable events always have an instance.
        return and_(alias.instance_id == grouped.c.instance_id, variable_name(alias) == grouped.c.name)

    last_removal = (select(func.max(removed.id)).where(removed.kind == "variable_removed", same(removed),
                                                       removed.id < grouped.c.last_set)
                    .correlate(grouped).scalar_subquery())
    first_id = (select(func.min(sets.id)).where(sets.kind == "variable_set", same(sets),
                                                sets.id > func.coalesce(last_removal, 0))
                .correlate(grouped).scalar_subquery())
    first = aliased(HistoryEvent, name="var_first")
    value = aliased(HistoryEvent, name="var_value")
    last = aliased(HistoryEvent, name="var_last")
    query = (select(first, value, last.kind).select_from(grouped)
             .join(first, first.id == first_id)
             .join(value, value.id == grouped.c.last_set)
             .join(last, last.id == grouped.c.last_any)
             .where(grouped.c.last_set.is_not(None)))
    groups = select(grouped.c.name).where(grouped.c.last_set.is_not(None))
    return VariableRecords(first, value, last, grouped.c.name, grouped.c.instance_id, query, groups)


def millis_between(session: Session, start: Any, end: Any) -> Any:
    """end - start in milliseconds as a sortable SQL expression (NULL while `end` is NULL)."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86_400_000.0
    return func.extract("epoch", end - start) * 1000


def like(session: Session, column: Any, pattern: str) -> Any:
    """Camunda's case-sensitive LIKE (`%`, `_`); SQLite's LIKE ignores case, so it gets GLOB there."""
    if session.get_bind().dialect.name != "sqlite":
        return column.like(pattern)
    special = {"*": "[*]", "?": "[?]", "[": "[[]", "%": "*", "_": "?"}
    return column.op("GLOB")("".join(special.get(c, c) for c in pattern))


__all__ = ["ActivityRecords", "activity_records", "VariableRecords", "variable_records", "variable_name",
           "millis_between", "like", "ACTIVITY_KINDS", "END_KINDS", "VARIABLE_KINDS"]
