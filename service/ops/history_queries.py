"""Camunda's history resources read from the append-only `history_event` table and the instance rows.

Events are paired into activity instances (start ... end/cancel, per engine task), variables are
folded into their latest value, decision evaluations are listed as they were recorded. Ids of derived
records are UUIDs that encode the event row they come from, so `/history/.../{id}` finds them again.
Filters, sorting, paging and counts run in SQL (`history_sql`), so a large history is never loaded
into Python to answer one page.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Iterable

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from service.store import (
    HistoryEvent,
    InstanceState,
    ProcessDefinition,
    ProcessInstance,
    UserTask,
)

from . import history_sql as hs
from . import query as listing
from .context import OpsContext
from .history_instance_filters import InstanceFilters
from .history_instance_filters import conditions as instance_conditions
from .errors import BadRequest, NotFound
from .history_decisions import DefinitionResolver, clause_inputs
from .history_values import VALUE_TYPE_KEY, restore_value

# The first UUID group names the kind of record, the last one the history event row.
_KINDS = {"activity": 0xA1, "variable": 0xB1, "decision": 0xD1}
USER_TASK_TYPES = {"userTask", "manualTask"}


def event_uuid(kind: str, event_id: int) -> str:
    return f"{_KINDS[kind]:08x}-0000-8000-8000-{event_id:012x}"


def event_id_of(kind: str, record_id: str) -> int | None:
    try:
        parsed = uuid.UUID(record_id)
    except (ValueError, AttributeError, TypeError):
        return None
    text = str(parsed)
    if text[:8] != f"{_KINDS[kind]:08x}" or text[8:23] != "-0000-8000-8000":
        return None
    number = int(text[24:], 16)
    return number if number <= 2**31 - 1 else None      # the id column is a 32-bit integer


@dataclass(frozen=True)
class HistoricInstance:
    id: str
    business_key: str | None
    definition_id: str
    definition_key: str
    definition_name: str | None
    definition_version: int | None
    start_time: datetime
    end_time: datetime | None
    start_user_id: str | None
    start_activity_id: str | None
    delete_reason: str | None
    tenant_id: str | None
    state: str                     # ACTIVE | SUSPENDED | COMPLETED | EXTERNALLY_TERMINATED
    super_instance_id: str | None = None     # the instance whose call activity started this one
    root_instance_id: str | None = None      # the top of its call tree (itself when nobody called it)

    @property
    def duration_ms(self) -> int | None:
        return None if self.end_time is None else int((self.end_time - self.start_time).total_seconds() * 1000)


@dataclass(frozen=True)
class HistoricActivity:
    id: str
    activity_id: str
    activity_name: str | None
    activity_type: str | None
    lane: str | None
    instance_id: str
    definition_id: str | None
    definition_key: str | None
    task_id: str | None             # the engine task id (= the user task id for user tasks)
    assignee: str | None
    start_time: datetime
    end_time: datetime | None
    canceled: bool
    tenant_id: str | None
    called_instance_id: str | None = None     # a call activity's child instance

    @property
    def duration_ms(self) -> int | None:
        return None if self.end_time is None else int((self.end_time - self.start_time).total_seconds() * 1000)


@dataclass(frozen=True)
class HistoricTask:
    activity: HistoricActivity
    name: str | None
    assignee: str | None
    owner: str | None
    due: datetime | None
    follow_up: datetime | None
    priority: int
    description: str | None
    delete_reason: str | None
    state: str                      # Created | Completed | Deleted


@dataclass(frozen=True)
class HistoricVariable:
    id: str
    name: str
    value: Any
    instance_id: str | None
    definition_id: str | None
    definition_key: str | None
    tenant_id: str | None
    created: datetime
    state: str                      # CREATED | DELETED


@dataclass(frozen=True)
class HistoricDecision:
    id: str
    decision_key: str
    decision_name: str | None
    decision_definition_id: str | None
    evaluation_time: datetime
    instance_id: str | None
    definition_id: str | None       # process definition of the evaluating instance
    definition_key: str | None
    activity_id: str | None
    user_id: str | None
    tenant_id: str | None
    inputs: list[dict[str, Any]]     # {"id", "label", "value"} per table input; empty unless asked for
    result: Any
    matched_rules: list[dict[str, Any]] = field(default_factory=list)
    activity_instance_id: str | None = None   # the business rule task's historic activity instance


@dataclass(frozen=True)
class Visibility:
    """Which instances a restricted caller may read the history of (the pages' `can_see_instance`):
    those they started or took part in, and those of definitions with a lane of theirs. Process owners see
    their whole tenant, so they get no Visibility (tenant narrowing is enough)."""

    user_id: str
    lane_definition_ids: tuple[str, ...] = ()


def visible_instance_ids(v: Visibility) -> Select[Any]:
    """A subquery of the ids of instances `v` may see, to be combined with the tenant condition."""
    # An alias, so the subquery never correlates with a ProcessInstance of the enclosing query.
    pi = aliased(ProcessInstance, name="visible_pi")
    took_part = or_(
        select(HistoryEvent.id).where(HistoryEvent.instance_id == pi.id, HistoryEvent.user_id == v.user_id).exists(),
        select(UserTask.id).where(UserTask.instance_id == pi.id, UserTask.assignee == v.user_id).exists())
    return select(pi.id).where(or_(pi.start_user_id == v.user_id,
                                   pi.definition_id.in_(list(v.lane_definition_ids)), took_part))


@dataclass
class HistoryFilter:
    """The filters the five history resources share; each resource uses the ones that apply."""

    ids: list[str] | None = None
    instance_id: str | None = None
    instance_ids: list[str] | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    business_key: str | None = None
    super_instance_id: str | None = None     # superProcessInstanceId: instances this one called
    sub_instance_id: str | None = None       # subProcessInstanceId: the instance that called this one
    activity_id: str | None = None
    activity_type: str | None = None
    task_id: str | None = None
    assignee: str | None = None
    variable_name: str | None = None
    variable_name_like: str | None = None
    decision_key: str | None = None
    decision_definition_id: str | None = None
    tenant_ids: list[str] | None = None
    include_without_tenant: bool = False     # with tenant_ids: tenant-less records as well
    finished: bool = False
    unfinished: bool = False
    canceled: bool = False
    started_before: datetime | None = None
    started_after: datetime | None = None
    finished_before: datetime | None = None
    finished_after: datetime | None = None
    sort: list[tuple[str, str]] = field(default_factory=list)
    first_result: int = 0
    max_results: int | None = None
    visible: Visibility | None = None        # None: every instance the tenant filter lets through
    instance: InstanceFilters = field(default_factory=InstanceFilters)    # historic process instances only


def _tenant_condition(column: Any, f: HistoryFilter) -> Any:
    cond = column.in_(f.tenant_ids or [])
    return or_(cond, column.is_(None)) if f.include_without_tenant else cond


def _event_conditions(event: Any, f: HistoryFilter) -> list[Any]:
    """Conditions every event of one instance shares (instance, definition, tenant)."""
    out = []
    if f.instance_id is not None:
        out.append(event.instance_id == f.instance_id)
    if f.instance_ids:
        out.append(event.instance_id.in_(f.instance_ids))
    if f.definition_id is not None:
        out.append(event.definition_id == f.definition_id)
    if f.definition_key is not None:
        out.append(event.definition_key == f.definition_key)
    if f.tenant_ids is not None:
        out.append(_tenant_condition(event.tenant_id, f))
    if f.visible is not None:
        # Standalone decision evaluations belong to no instance: the tenant alone decides.
        out.append(or_(event.instance_id.is_(None), event.instance_id.in_(visible_instance_ids(f.visible))))
    return out


def _uuid_event_ids(kind: str, ids: Iterable[str]) -> list[int]:
    return [n for n in (event_id_of(kind, i) for i in ids) if n is not None]


# -- process instances ----------------------------------------------------------------------------------

_STATE = {InstanceState.ACTIVE: "ACTIVE", InstanceState.SUSPENDED: "SUSPENDED",
          InstanceState.COMPLETED: "COMPLETED", InstanceState.CANCELLED: "EXTERNALLY_TERMINATED"}


def _instance_query(f: HistoryFilter) -> Select[Any]:
    query = (select(ProcessInstance, ProcessDefinition.name, ProcessDefinition.version)
             .outerjoin(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id))
    ids = list(f.ids or []) + ([f.instance_id] if f.instance_id else []) + list(f.instance_ids or [])
    if ids:
        query = query.where(ProcessInstance.id.in_(ids))
    if f.definition_id is not None:
        query = query.where(ProcessInstance.definition_id == f.definition_id)
    if f.definition_key is not None:
        query = query.where(ProcessInstance.definition_key == f.definition_key)
    if f.business_key is not None:
        query = query.where(ProcessInstance.business_key == f.business_key)
    if f.super_instance_id is not None:
        query = query.where(ProcessInstance.super_process_instance_id == f.super_instance_id)
    if f.sub_instance_id is not None:
        query = query.where(ProcessInstance.id == _super_of(f.sub_instance_id))
    query = query.where(*instance_conditions(f.instance))
    if f.tenant_ids is not None:
        query = query.where(_tenant_condition(ProcessInstance.tenant_id, f))
    if f.visible is not None:
        query = query.where(ProcessInstance.id.in_(visible_instance_ids(f.visible)))
    if f.finished:
        query = query.where(ProcessInstance.end_time.is_not(None))
    if f.unfinished:
        query = query.where(ProcessInstance.end_time.is_(None))
    if f.started_before is not None:
        query = query.where(ProcessInstance.start_time <= f.started_before)
    if f.started_after is not None:
        query = query.where(ProcessInstance.start_time >= f.started_after)
    if f.finished_before is not None:
        query = query.where(ProcessInstance.end_time <= f.finished_before)
    if f.finished_after is not None:
        query = query.where(ProcessInstance.end_time >= f.finished_after)
    return query


def _instance_sort(session: Any) -> dict[str, Any]:
    pi = ProcessInstance
    return {"instanceId": pi.id, "definitionId": pi.definition_id, "definitionKey": pi.definition_key,
            "definitionName": ProcessDefinition.name, "definitionVersion": ProcessDefinition.version,
            "businessKey": pi.business_key, "startTime": pi.start_time, "endTime": pi.end_time,
            "duration": hs.millis_between(session, pi.start_time, pi.end_time), "tenantId": pi.tenant_id}


def _super_of(instance_id: str) -> Any:
    """The id of the instance that called `instance_id` (NULL when none did), as a scalar subquery."""
    sub = aliased(ProcessInstance)
    return select(sub.super_process_instance_id).where(sub.id == instance_id).scalar_subquery()


def _instances(session: Any, f: HistoryFilter, *, paged: bool = True) -> list[HistoricInstance]:
    query = _instance_query(f)
    if paged:
        query = listing.ordered(query, f.sort, _instance_sort(session), ProcessInstance.id,
                                default=[("startTime", "asc")])
        query = listing.paged(query, f.first_result, f.max_results)
    rows = session.execute(query).all()
    if not rows:
        return []
    row_ids = [r[0].id for r in rows]
    starts: dict[str, str] = {}
    reasons: dict[str, str] = {}
    internal: set[str] = set()
    for event in session.scalars(select(HistoryEvent).where(
            HistoryEvent.instance_id.in_(row_ids),
            or_(and_(HistoryEvent.kind == "activity_started", HistoryEvent.element_type == "startEvent"),
                HistoryEvent.kind == "instance_ended")).order_by(HistoryEvent.id)):
        if event.kind == "activity_started":
            starts.setdefault(event.instance_id, event.element_id)
        else:
            if (event.data or {}).get("reason"):
                reasons[event.instance_id] = str(event.data["reason"])
            if (event.data or {}).get("internal"):
                internal.add(event.instance_id)
    out = []
    for inst, name, version in rows:
        out.append(HistoricInstance(
            id=inst.id, business_key=inst.business_key, definition_id=inst.definition_id,
            definition_key=inst.definition_key, definition_name=name, definition_version=version,
            start_time=inst.start_time, end_time=inst.end_time, start_user_id=inst.start_user_id,
            start_activity_id=starts.get(inst.id), delete_reason=reasons.get(inst.id) or (
                "ACTIVITY_DELETED" if inst.state == InstanceState.CANCELLED else None),
            tenant_id=inst.tenant_id,
            state="INTERNALLY_TERMINATED" if inst.id in internal else _STATE.get(inst.state, str(inst.state)),
            super_instance_id=inst.super_process_instance_id,
            root_instance_id=inst.root_process_instance_id or inst.id))
    return out


def historic_instances(ctx: OpsContext, f: HistoryFilter) -> list[HistoricInstance]:
    with ctx.transaction() as session:
        return _instances(session, f)


def count_historic_instances(ctx: OpsContext, f: HistoryFilter) -> int:
    with ctx.transaction() as session:
        return listing.count(session, _instance_query(f), ProcessInstance.id)


def historic_instance(ctx: OpsContext, instance_id: str) -> HistoricInstance:
    with ctx.transaction() as session:
        found = _instances(session, HistoryFilter(ids=[instance_id]), paged=False)
    if not found:
        raise NotFound(f"Historic process instance with id {instance_id} does not exist")
    return found[0]


# -- activity instances and tasks --------------------------------------------------------------------------

def _activity_query(f: HistoryFilter, *, ids: list[str] | None = None) -> tuple[hs.ActivityRecords, Select[Any]]:
    rec = hs.activity_records()
    start, end = rec.start, rec.end
    query = rec.query.where(*_event_conditions(start, f))
    if ids is not None:
        query = query.where(start.id.in_(_uuid_event_ids("activity", ids)))
    if f.activity_id is not None:
        query = query.where(start.element_id == f.activity_id)
    if f.activity_type is not None:
        query = query.where(start.element_type == f.activity_type)
    if f.finished:
        query = query.where(end.id.is_not(None))
    if f.unfinished:
        query = query.where(end.id.is_(None))
    if f.canceled:
        query = query.where(end.kind == "activity_cancelled")
    if f.started_before is not None:
        query = query.where(start.time <= f.started_before)
    if f.started_after is not None:
        query = query.where(start.time >= f.started_after)
    if f.finished_before is not None:
        query = query.where(end.time <= f.finished_before)
    if f.finished_after is not None:
        query = query.where(end.time >= f.finished_after)
    return rec, query


def _activity(start: HistoryEvent, end: HistoryEvent | None) -> HistoricActivity:
    return HistoricActivity(
        id=event_uuid("activity", start.id), activity_id=start.element_id or "", activity_name=start.element_name,
        activity_type=start.element_type, lane=start.lane, instance_id=start.instance_id or "",
        definition_id=start.definition_id, definition_key=start.definition_key, task_id=start.task_id,
        assignee=_ended_assignee_of(end), start_time=start.time,
        end_time=end.time if end is not None else None,
        canceled=end is not None and end.kind == "activity_cancelled", tenant_id=start.tenant_id)


def _activity_sort(session: Any, rec: hs.ActivityRecords) -> dict[str, Any]:
    s, e = rec.start, rec.end
    return {"activityInstanceId": s.id, "instanceId": s.instance_id, "executionId": s.instance_id,
            "activityId": s.element_id, "activityName": s.element_name, "activityType": s.element_type,
            "startTime": s.time, "endTime": e.time, "duration": hs.millis_between(session, s.time, e.time),
            "definitionId": s.definition_id, "occurrence": s.time, "tenantId": s.tenant_id}


def _activities(session: Any, f: HistoryFilter, *, paged: bool = True) -> list[HistoricActivity]:
    rec, query = _activity_query(f, ids=f.ids)
    if paged:
        query = listing.ordered(query, f.sort, _activity_sort(session, rec), rec.start.id,
                                default=[("startTime", "asc")])
        query = listing.paged(query, f.first_result, f.max_results)
    found = [_activity(start, end) for start, end in session.execute(query).all()]
    return _with_called_instances(session, found)


def _with_called_instances(session: Any, found: list[HistoricActivity]) -> list[HistoricActivity]:
    """calledProcessInstanceId of call activities: the instance whose super task is the activity's task."""
    calls = [a for a in found if a.activity_type == "callActivity" and a.task_id]
    if not calls:
        return found
    called = dict(session.execute(select(ProcessInstance.super_task_id, ProcessInstance.id).where(
        ProcessInstance.super_process_instance_id.in_({a.instance_id for a in calls}),
        ProcessInstance.super_task_id.in_({a.task_id for a in calls}))).all())
    return [replace(a, called_instance_id=called.get(a.task_id)) if a.task_id in called else a for a in found]


def historic_activities(ctx: OpsContext, f: HistoryFilter) -> list[HistoricActivity]:
    with ctx.transaction() as session:
        return _activities(session, f)


def count_historic_activities(ctx: OpsContext, f: HistoryFilter) -> int:
    with ctx.transaction() as session:
        rec, query = _activity_query(f, ids=f.ids)
        return listing.count(session, query, rec.start.id)


def historic_activity(ctx: OpsContext, activity_instance_id: str) -> HistoricActivity:
    if event_id_of("activity", activity_instance_id) is not None:
        with ctx.transaction() as session:
            found = _activities(session, HistoryFilter(ids=[activity_instance_id]), paged=False)
            if found:
                return found[0]
    raise NotFound(f"Historic activity instance with id {activity_instance_id} does not exist")


def _task_query(f: HistoryFilter) -> tuple[hs.ActivityRecords, Any, Select[Any]]:
    rec, query = _activity_query(HistoryFilter(**{**f.__dict__, "ids": None}))
    start, end = rec.start, rec.end
    live = aliased(UserTask, name="live_task")
    # Only a running task has a user_task row; its assignee is the current one (claims live there).
    query = (query.add_columns(live).outerjoin(live, and_(live.id == start.task_id, end.id.is_(None)))
             .where(start.element_type.in_(sorted(USER_TASK_TYPES))))
    if f.ids or f.task_id:
        wanted = set(f.ids or []) | ({f.task_id} if f.task_id else set())
        query = query.where(start.task_id.in_(sorted(wanted)))
    if f.assignee is not None:
        query = query.where(_task_assignee(rec, live) == f.assignee)
    return rec, live, query


def _task_assignee(rec: hs.ActivityRecords, live: Any) -> Any:
    return case((live.id.is_not(None), live.assignee), else_=_ended_assignee(rec.end))


def _ended_assignee(end: Any) -> Any:
    """The assignee a finished user task had when it ended (Camunda's HistoricTaskInstance.assignee), which
    its end event records ("" for none); events written before it was recorded name whoever completed it."""
    recorded = end.data["assignee"].as_string()
    return case((recorded == "", None), else_=func.coalesce(recorded, end.user_id))


def _ended_assignee_of(end: HistoryEvent | None) -> str | None:
    """The same in Python, for a loaded end event."""
    if end is None:
        return None
    if isinstance(end.data, dict) and "assignee" in end.data:
        return end.data["assignee"] or None
    return end.user_id


def _task_sort(session: Any, rec: hs.ActivityRecords, live: Any) -> dict[str, Any]:
    s, e = rec.start, rec.end
    reason = case((e.kind == "activity_cancelled", "deleted"), (e.id.is_not(None), "completed"), else_=None)
    return {"taskId": s.task_id, "activityInstanceId": s.id, "processDefinitionId": s.definition_id,
            "processInstanceId": s.instance_id, "executionId": s.instance_id,
            "duration": hs.millis_between(session, s.time, e.time), "endTime": e.time, "startTime": s.time,
            "taskName": func.coalesce(live.name, e.element_name, s.element_name), "taskDescription": live.documentation,
            "assignee": _task_assignee(rec, live), "owner": live.owner, "dueDate": live.due,
            "followUpDate": live.follow_up, "deleteReason": reason, "taskDefinitionKey": s.element_id,
            "priority": func.coalesce(live.priority, 50), "tenantId": s.tenant_id}


def _tasks(session: Any, f: HistoryFilter, *, paged: bool = True) -> list[HistoricTask]:
    rec, live, query = _task_query(f)
    if paged:
        query = listing.ordered(query, f.sort, _task_sort(session, rec, live), rec.start.id,
                                default=[("startTime", "asc")])
        query = listing.paged(query, f.first_result, f.max_results)
    out = []
    for start, end, t in session.execute(query).all():
        a = _activity(start, end)
        state = "Deleted" if a.canceled else ("Completed" if a.end_time is not None else "Created")
        out.append(HistoricTask(
            activity=a, name=(t.name if t is not None else (end.element_name if end is not None else None)
                              or a.activity_name),
            assignee=t.assignee if t is not None else a.assignee,
            owner=t.owner if t is not None else None, due=t.due if t is not None else None,
            follow_up=t.follow_up if t is not None else None, priority=t.priority if t is not None else 50,
            description=t.documentation if t is not None else None,
            delete_reason=("deleted" if a.canceled else ("completed" if a.end_time is not None else None)),
            state=state))
    return out


def historic_tasks(ctx: OpsContext, f: HistoryFilter) -> list[HistoricTask]:
    with ctx.transaction() as session:
        return _tasks(session, f)


def count_historic_tasks(ctx: OpsContext, f: HistoryFilter) -> int:
    with ctx.transaction() as session:
        rec, _, query = _task_query(f)
        return listing.count(session, query, rec.start.id)


# -- variables ------------------------------------------------------------------------------------------------

def _variable_query(session: Any, f: HistoryFilter) -> tuple[hs.VariableRecords, Select[Any]]:
    where = _event_conditions(HistoryEvent, f)
    if f.variable_name is not None:
        where.append(hs.variable_name() == f.variable_name)
    if f.variable_name_like is not None:
        where.append(hs.like(session, hs.variable_name(), f.variable_name_like))
    rec = hs.variable_records(where)
    query = rec.query
    if f.ids:
        query = query.where(rec.first.id.in_(_uuid_event_ids("variable", f.ids)))
    return rec, query


def _variable_sort(rec: hs.VariableRecords) -> dict[str, Any]:
    return {"instanceId": rec.instance_id, "variableName": rec.name, "tenantId": rec.first.tenant_id,
            "createTime": rec.first.time}


def _variables(session: Any, f: HistoryFilter, *, paged: bool = True) -> list[HistoricVariable]:
    rec, query = _variable_query(session, f)
    if paged:
        query = listing.ordered(query, f.sort, _variable_sort(rec), rec.first.id, default=[("createTime", "asc")])
        query = listing.paged(query, f.first_result, f.max_results)
    out = []
    for first, value, last_kind in session.execute(query).all():
        data = value.data or {}
        out.append(HistoricVariable(
            id=event_uuid("variable", first.id), name=str((first.data or {}).get("name", "")),
            value=restore_value(data.get("value"), data.get(VALUE_TYPE_KEY)), instance_id=first.instance_id,
            definition_id=first.definition_id, definition_key=first.definition_key, tenant_id=first.tenant_id,
            created=first.time, state="DELETED" if last_kind == "variable_removed" else "CREATED"))
    return out


def like_match(text: str, pattern: str) -> bool:
    """Camunda's LIKE (`%`, `_`, case-sensitive) in Python, for values that live in JSON (instances).

    Not one regex with `.*` per `%`: that backtracks exponentially (`%a%a%a%a%b` on a long text). Between
    two `%` the earliest match of each fixed-length segment is the right one, so the text is read once
    per segment, without backtracking.
    """
    parts = pattern.split("%")
    if len(parts) == 1:
        return _segment(pattern).fullmatch(text) is not None
    first, middle, last = parts[0], parts[1:-1], parts[-1]
    head = _segment(first).match(text)
    if head is None:
        return False
    pos = head.end()
    for part in middle:
        found = _segment(part).search(text, pos)
        if found is None:
            return False
        pos = found.end()
    start = len(text) - len(last)             # one character per pattern character: '_' is one too
    return start >= pos and _segment(last).fullmatch(text, start) is not None


def _segment(part: str) -> re.Pattern[str]:
    """A fixed-length pattern: the literal characters, and '.' for '_' (any one character)."""
    return re.compile("".join("." if c == "_" else re.escape(c) for c in part), re.DOTALL)


def historic_variables(ctx: OpsContext, f: HistoryFilter) -> list[HistoricVariable]:
    with ctx.transaction() as session:
        return _variables(session, f)


def count_historic_variables(ctx: OpsContext, f: HistoryFilter) -> int:
    with ctx.transaction() as session:
        rec, query = _variable_query(session, f)
        if f.ids:
            return listing.count(session, query, rec.first.id)
        return listing.count(session, rec.groups, rec.name)


def historic_variable(ctx: OpsContext, variable_id: str) -> HistoricVariable:
    event_id = event_id_of("variable", variable_id)
    if event_id is not None:
        with ctx.transaction() as session:
            event = session.get(HistoryEvent, event_id)
            if event is not None and event.kind == "variable_set":
                found = _variables(session, HistoryFilter(instance_id=event.instance_id,
                                                          variable_name=str((event.data or {}).get("name", "")),
                                                          ids=[variable_id]), paged=False)
                if found:
                    return found[0]
    raise NotFound(f"Historic variable instance with Id '{variable_id}' does not exist.")


# -- decisions -------------------------------------------------------------------------------------------

def _decisions(ctx: OpsContext, session: Any, f: HistoryFilter, *, with_inputs: bool = False,
               paged: bool = True) -> list[HistoricDecision]:
    base = HistoryFilter(**{**f.__dict__, "definition_id": None, "definition_key": None})
    query = select(HistoryEvent).where(HistoryEvent.kind == "decision_evaluated",
                                       *_event_conditions(HistoryEvent, base))
    if f.ids:
        query = query.where(HistoryEvent.id.in_(_uuid_event_ids("decision", f.ids)))
    if f.definition_id is not None:
        query = query.where(HistoryEvent.definition_id == f.definition_id, HistoryEvent.instance_id.is_not(None))
    if f.definition_key is not None:
        query = query.where(HistoryEvent.definition_key == f.definition_key, HistoryEvent.instance_id.is_not(None))
    if f.activity_id is not None:
        query = query.where(HistoryEvent.element_id == f.activity_id, HistoryEvent.instance_id.is_not(None))
    if f.started_before is not None:
        query = query.where(HistoryEvent.time <= f.started_before)
    if f.started_after is not None:
        query = query.where(HistoryEvent.time >= f.started_after)
    resolver = DefinitionResolver(session)
    out = []
    for e in session.scalars(query.order_by(HistoryEvent.id)):
        data = e.data or {}
        standalone = e.instance_id is None
        key = str(data.get("decision") or data.get("decision_key") or e.element_id or "")
        if f.decision_key is not None and key != f.decision_key:
            continue
        row = resolver.of_event(e, key)
        if f.decision_definition_id is not None and (row is None or row.id != f.decision_definition_id):
            continue
        out.append(HistoricDecision(
            id=event_uuid("decision", e.id), decision_key=key,
            decision_name=row.name if row is not None else (e.element_name if standalone else None),
            decision_definition_id=row.id if row is not None else None, evaluation_time=e.time,
            instance_id=e.instance_id, definition_id=None if standalone else e.definition_id,
            definition_key=None if standalone else e.definition_key,
            activity_id=None if standalone else e.element_id, user_id=e.user_id, tenant_id=e.tenant_id,
            inputs=clause_inputs(ctx, session, e, row) if with_inputs else [], result=data.get("result"),
            matched_rules=list(data.get("matched_rules") or []), activity_instance_id=e.task_id))
    out = _page(out, f, _DECISION_SORT, "evaluationTime") if paged else out
    return _with_activity_instances(session, out)


def _with_activity_instances(session: Any, decisions: list[HistoricDecision]) -> list[HistoricDecision]:
    """Replace the engine task id kept in `activity_instance_id` by the id of its activity record."""
    task_ids = sorted({d.activity_instance_id for d in decisions if d.activity_instance_id})
    starts: dict[str, int] = {}
    if task_ids:
        starts = dict(session.execute(
            select(HistoryEvent.task_id, func.min(HistoryEvent.id))
            .where(HistoryEvent.kind == "activity_started", HistoryEvent.task_id.in_(task_ids))
            .group_by(HistoryEvent.task_id)).all())
    return [replace(d, activity_instance_id=event_uuid("activity", starts[d.activity_instance_id])
                    if d.activity_instance_id in starts else None) for d in decisions]


def _page(items: list[Any], f: HistoryFilter, keys: dict[str, Callable[[Any], Any]], default: str) -> list[Any]:
    for sort_by, order in reversed(f.sort or [(default, "asc")]):
        key = keys.get(sort_by)
        if key is None:
            raise BadRequest(f"Cannot set query parameter 'sortBy' to value '{sort_by}'")
        if order not in ("asc", "desc"):
            raise BadRequest(f"Cannot set query parameter 'sortOrder' to value '{order}'")
        # None sorts first ascending, like Camunda's SQL on most databases.
        items = sorted(items, key=lambda x: (key(x) is not None, key(x) if key(x) is not None else 0),
                       reverse=order == "desc")
    start = max(f.first_result, 0)
    return items[start:] if f.max_results is None else items[start:start + max(f.max_results, 0)]


_DECISION_SORT: dict[str, Callable[[HistoricDecision], Any]] = {
    "evaluationTime": lambda d: d.evaluation_time, "tenantId": lambda d: d.tenant_id,
}


def historic_decisions(ctx: OpsContext, f: HistoryFilter, *, with_inputs: bool = False) -> list[HistoricDecision]:
    with ctx.transaction() as session:
        return _decisions(ctx, session, f, with_inputs=with_inputs)


def count_historic_decisions(ctx: OpsContext, f: HistoryFilter) -> int:
    with ctx.transaction() as session:
        return len(_decisions(ctx, session, f, paged=False))


def historic_decision(ctx: OpsContext, decision_instance_id: str, *, with_inputs: bool = False) -> HistoricDecision:
    if event_id_of("decision", decision_instance_id) is not None:
        with ctx.transaction() as session:
            found = _decisions(ctx, session, HistoryFilter(ids=[decision_instance_id]), with_inputs=with_inputs,
                               paged=False)
            if found:
                return found[0]
    raise NotFound(f"Historic decision instance with id '{decision_instance_id}' does not exist")


__all__ = ["HistoryFilter", "Visibility", "visible_instance_ids", "HistoricInstance", "HistoricActivity",
           "HistoricTask", "HistoricVariable", "HistoricDecision", "historic_instances", "count_historic_instances",
           "historic_instance",
           "historic_activities", "count_historic_activities", "historic_activity", "historic_tasks",
           "count_historic_tasks", "historic_variables", "count_historic_variables", "historic_variable",
           "historic_decisions", "count_historic_decisions", "historic_decision", "event_uuid", "event_id_of",
           "like_match"]
