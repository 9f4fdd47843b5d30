"""Camunda's history resources read from the append-only `history_event` table and the instance rows.

Events are paired into activity instances (start ... end/cancel, per engine task), variables are
folded into their latest value, decision evaluations are listed as they were recorded. Ids of derived
records are UUIDs that encode the event row they come from, so `/history/.../{id}` finds them again.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable

from sqlalchemy import or_, select

from service.store import HistoryEvent, InstanceState, ProcessDefinition, ProcessInstance, UserTask

from .context import OpsContext
from .errors import BadRequest, NotFound

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
    inputs: dict[str, Any]
    result: Any
    matched_rules: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class HistoryFilter:
    """The filters the five history resources share; each resource uses the ones that apply."""

    ids: list[str] | None = None
    instance_id: str | None = None
    instance_ids: list[str] | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    business_key: str | None = None
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


def _events(session: Any, kinds: Iterable[str], f: HistoryFilter) -> list[HistoryEvent]:
    query = select(HistoryEvent).where(HistoryEvent.kind.in_(list(kinds)))
    if f.instance_id is not None:
        query = query.where(HistoryEvent.instance_id == f.instance_id)
    if f.instance_ids:
        query = query.where(HistoryEvent.instance_id.in_(f.instance_ids))
    if f.definition_id is not None:
        query = query.where(HistoryEvent.definition_id == f.definition_id)
    if f.definition_key is not None:
        query = query.where(HistoryEvent.definition_key == f.definition_key)
    if f.tenant_ids is not None:
        cond = HistoryEvent.tenant_id.in_(f.tenant_ids)
        query = query.where(or_(cond, HistoryEvent.tenant_id.is_(None)) if f.include_without_tenant else cond)
    return list(session.scalars(query.order_by(HistoryEvent.id)))


# -- process instances ----------------------------------------------------------------------------------

_STATE = {InstanceState.ACTIVE: "ACTIVE", InstanceState.SUSPENDED: "SUSPENDED",
          InstanceState.COMPLETED: "COMPLETED", InstanceState.CANCELLED: "EXTERNALLY_TERMINATED"}


def _instances(session: Any, f: HistoryFilter) -> list[HistoricInstance]:
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
    if f.tenant_ids is not None:
        cond = ProcessInstance.tenant_id.in_(f.tenant_ids)
        query = query.where(or_(cond, ProcessInstance.tenant_id.is_(None)) if f.include_without_tenant else cond)
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
    rows = session.execute(query).all()
    if not rows:
        return []
    row_ids = [r[0].id for r in rows]
    starts: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for event in session.scalars(select(HistoryEvent).where(
            HistoryEvent.instance_id.in_(row_ids),
            HistoryEvent.kind.in_(["activity_started", "instance_ended"])).order_by(HistoryEvent.id)):
        if event.kind == "activity_started" and event.element_type == "startEvent":
            starts.setdefault(event.instance_id, event.element_id)
        elif event.kind == "instance_ended" and (event.data or {}).get("reason"):
            reasons[event.instance_id] = str(event.data["reason"])
    out = []
    for inst, name, version in rows:
        out.append(HistoricInstance(
            id=inst.id, business_key=inst.business_key, definition_id=inst.definition_id,
            definition_key=inst.definition_key, definition_name=name, definition_version=version,
            start_time=inst.start_time, end_time=inst.end_time, start_user_id=inst.start_user_id,
            start_activity_id=starts.get(inst.id), delete_reason=reasons.get(inst.id) or (
                "ACTIVITY_DELETED" if inst.state == InstanceState.CANCELLED else None),
            tenant_id=inst.tenant_id, state=_STATE.get(inst.state, str(inst.state))))
    return out


_INSTANCE_SORT: dict[str, Callable[[HistoricInstance], Any]] = {
    "instanceId": lambda i: i.id, "definitionId": lambda i: i.definition_id,
    "definitionKey": lambda i: i.definition_key, "definitionName": lambda i: i.definition_name,
    "definitionVersion": lambda i: i.definition_version, "businessKey": lambda i: i.business_key,
    "startTime": lambda i: i.start_time, "endTime": lambda i: i.end_time, "duration": lambda i: i.duration_ms,
    "tenantId": lambda i: i.tenant_id,
}


def historic_instances(ctx: OpsContext, f: HistoryFilter) -> list[HistoricInstance]:
    with ctx.transaction() as session:
        return _page(_instances(session, f), f, _INSTANCE_SORT, "startTime")


def count_historic_instances(ctx: OpsContext, f: HistoryFilter) -> int:
    with ctx.transaction() as session:
        return len(_instances(session, f))


def historic_instance(ctx: OpsContext, instance_id: str) -> HistoricInstance:
    with ctx.transaction() as session:
        found = _instances(session, HistoryFilter(ids=[instance_id]))
    if not found:
        raise NotFound(f"Historic process instance with id {instance_id} does not exist")
    return found[0]


# -- activity instances and tasks --------------------------------------------------------------------------

def _activities(session: Any, f: HistoryFilter) -> list[HistoricActivity]:
    events = _events(session, ["activity_started", "activity_ended", "activity_cancelled"], f)
    records: dict[int, dict[str, Any]] = {}
    open_by_task: dict[tuple[str | None, str | None], int] = {}
    for e in events:
        key = (e.instance_id, e.task_id or e.element_id)
        if e.kind == "activity_started" or key not in open_by_task:
            # An end without a recorded start (history from before a restart) still yields one record.
            records[e.id] = {"start": e, "end": None, "canceled": False, "user": None}
            open_by_task[key] = e.id
            if e.kind == "activity_started":
                continue
        rec = records[open_by_task.pop(key)]
        rec["end"] = e
        rec["canceled"] = e.kind == "activity_cancelled"
        rec["user"] = e.user_id
    out = []
    for event_id, rec in records.items():
        start: HistoryEvent = rec["start"]
        end: HistoryEvent | None = rec["end"]
        out.append(HistoricActivity(
            id=event_uuid("activity", event_id), activity_id=start.element_id or "", activity_name=start.element_name,
            activity_type=start.element_type, lane=start.lane, instance_id=start.instance_id or "",
            definition_id=start.definition_id, definition_key=start.definition_key, task_id=start.task_id,
            assignee=rec["user"], start_time=start.time, end_time=end.time if end is not None else None,
            canceled=rec["canceled"], tenant_id=start.tenant_id))
    return [a for a in out if _activity_matches(a, f)]


def _activity_matches(a: HistoricActivity, f: HistoryFilter) -> bool:
    if f.ids and a.id not in f.ids:
        return False
    if f.activity_id is not None and a.activity_id != f.activity_id:
        return False
    if f.activity_type is not None and a.activity_type != f.activity_type:
        return False
    if f.finished and a.end_time is None:
        return False
    if f.unfinished and a.end_time is not None:
        return False
    if f.canceled and not a.canceled:
        return False
    if f.started_before is not None and a.start_time > f.started_before:
        return False
    if f.started_after is not None and a.start_time < f.started_after:
        return False
    if f.finished_before is not None and (a.end_time is None or a.end_time > f.finished_before):
        return False
    if f.finished_after is not None and (a.end_time is None or a.end_time < f.finished_after):
        return False
    return True


_ACTIVITY_SORT: dict[str, Callable[[HistoricActivity], Any]] = {
    "activityInstanceId": lambda a: a.id, "instanceId": lambda a: a.instance_id,
    "executionId": lambda a: a.instance_id, "activityId": lambda a: a.activity_id,
    "activityName": lambda a: a.activity_name, "activityType": lambda a: a.activity_type,
    "startTime": lambda a: a.start_time, "endTime": lambda a: a.end_time, "duration": lambda a: a.duration_ms,
    "definitionId": lambda a: a.definition_id, "occurrence": lambda a: a.start_time,
    "tenantId": lambda a: a.tenant_id,
}


def historic_activities(ctx: OpsContext, f: HistoryFilter) -> list[HistoricActivity]:
    with ctx.transaction() as session:
        return _page(_activities(session, f), f, _ACTIVITY_SORT, "startTime")


def count_historic_activities(ctx: OpsContext, f: HistoryFilter) -> int:
    with ctx.transaction() as session:
        return len(_activities(session, f))


def historic_activity(ctx: OpsContext, activity_instance_id: str) -> HistoricActivity:
    event_id = event_id_of("activity", activity_instance_id)
    if event_id is not None:
        with ctx.transaction() as session:
            event = session.get(HistoryEvent, event_id)
            if event is not None:
                found = _activities(session, HistoryFilter(instance_id=event.instance_id,
                                                           ids=[activity_instance_id]))
                if found:
                    return found[0]
    raise NotFound(f"Historic activity instance with id {activity_instance_id} does not exist")


def _tasks(session: Any, f: HistoryFilter) -> list[HistoricTask]:
    task_filter = HistoryFilter(**{**f.__dict__, "ids": None, "sort": [], "first_result": 0, "max_results": None})
    activities = [a for a in _activities(session, task_filter) if a.activity_type in USER_TASK_TYPES]
    if f.ids or f.task_id:
        wanted = set(f.ids or []) | ({f.task_id} if f.task_id else set())
        activities = [a for a in activities if a.task_id in wanted]
    open_ids = [a.task_id for a in activities if a.end_time is None and a.task_id]
    live = {t.id: t for t in session.scalars(select(UserTask).where(UserTask.id.in_(open_ids)))} if open_ids else {}
    out = []
    for a in activities:
        t = live.get(a.task_id or "")
        assignee = t.assignee if t is not None else a.assignee
        if f.assignee is not None and assignee != f.assignee:
            continue
        state = "Deleted" if a.canceled else ("Completed" if a.end_time is not None else "Created")
        out.append(HistoricTask(
            activity=a, name=(t.name if t is not None else a.activity_name), assignee=assignee,
            owner=t.owner if t is not None else None, due=t.due if t is not None else None,
            follow_up=t.follow_up if t is not None else None, priority=t.priority if t is not None else 50,
            description=t.documentation if t is not None else None,
            delete_reason=("deleted" if a.canceled else ("completed" if a.end_time is not None else None)),
            state=state))
    return out


_TASK_SORT: dict[str, Callable[[HistoricTask], Any]] = {
    "taskId": lambda t: t.activity.task_id, "activityInstanceId": lambda t: t.activity.id,
    "processDefinitionId": lambda t: t.activity.definition_id, "processInstanceId": lambda t: t.activity.instance_id,
    "executionId": lambda t: t.activity.instance_id, "duration": lambda t: t.activity.duration_ms,
    "endTime": lambda t: t.activity.end_time, "startTime": lambda t: t.activity.start_time,
    "taskName": lambda t: t.name, "taskDescription": lambda t: t.description, "assignee": lambda t: t.assignee,
    "owner": lambda t: t.owner, "dueDate": lambda t: t.due, "followUpDate": lambda t: t.follow_up,
    "deleteReason": lambda t: t.delete_reason, "taskDefinitionKey": lambda t: t.activity.activity_id,
    "priority": lambda t: t.priority, "tenantId": lambda t: t.activity.tenant_id,
}


def historic_tasks(ctx: OpsContext, f: HistoryFilter) -> list[HistoricTask]:
    with ctx.transaction() as session:
        return _page(_tasks(session, f), f, _TASK_SORT, "startTime")


def count_historic_tasks(ctx: OpsContext, f: HistoryFilter) -> int:
    with ctx.transaction() as session:
        return len(_tasks(session, f))


# -- variables ------------------------------------------------------------------------------------------------

def _variables(session: Any, f: HistoryFilter) -> list[HistoricVariable]:
    events = _events(session, ["variable_set", "variable_removed"], f)
    current: dict[tuple[str | None, str], dict[str, Any]] = {}
    for e in events:
        name = str((e.data or {}).get("name", ""))
        key = (e.instance_id, name)
        rec = current.get(key)
        if e.kind == "variable_set":
            if rec is None or rec["state"] == "DELETED":
                rec = current[key] = {"first": e, "state": "CREATED", "value": None}
            rec["value"] = (e.data or {}).get("value")
            rec["state"] = "CREATED"
        elif rec is not None:
            rec["state"] = "DELETED"
    out = []
    for (instance_id, name), rec in current.items():
        first: HistoryEvent = rec["first"]
        out.append(HistoricVariable(
            id=event_uuid("variable", first.id), name=name, value=rec["value"], instance_id=instance_id,
            definition_id=first.definition_id, definition_key=first.definition_key, tenant_id=first.tenant_id,
            created=first.time, state=rec["state"]))
    result = []
    for v in out:
        if f.ids and v.id not in f.ids:
            continue
        if f.variable_name is not None and v.name != f.variable_name:
            continue
        if f.variable_name_like is not None and not like_match(v.name, f.variable_name_like):
            continue
        result.append(v)
    return result


def like_match(text: str, pattern: str) -> bool:
    import re
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, flags=re.DOTALL) is not None


_VARIABLE_SORT: dict[str, Callable[[HistoricVariable], Any]] = {
    "instanceId": lambda v: v.instance_id, "variableName": lambda v: v.name, "tenantId": lambda v: v.tenant_id,
    "createTime": lambda v: v.created,
}


def historic_variables(ctx: OpsContext, f: HistoryFilter) -> list[HistoricVariable]:
    with ctx.transaction() as session:
        return _page(_variables(session, f), f, _VARIABLE_SORT, "createTime")


def count_historic_variables(ctx: OpsContext, f: HistoryFilter) -> int:
    with ctx.transaction() as session:
        return len(_variables(session, f))


def historic_variable(ctx: OpsContext, variable_id: str) -> HistoricVariable:
    event_id = event_id_of("variable", variable_id)
    if event_id is not None:
        with ctx.transaction() as session:
            event = session.get(HistoryEvent, event_id)
            if event is not None:
                found = [v for v in _variables(session, HistoryFilter(instance_id=event.instance_id))
                         if v.id == variable_id]
                if found:
                    return found[0]
    raise NotFound(f"Historic variable instance with Id '{variable_id}' does not exist.")


# -- decisions -------------------------------------------------------------------------------------------

def _decisions(session: Any, f: HistoryFilter) -> list[HistoricDecision]:
    base = HistoryFilter(**{**f.__dict__, "definition_id": None, "definition_key": None})
    events = _events(session, ["decision_evaluated"], base)
    out = []
    for e in events:
        data = e.data or {}
        standalone = e.instance_id is None
        key = str(data.get("decision") or data.get("decision_key") or e.element_id or "")
        decision_def = e.definition_id if standalone else None
        rec = HistoricDecision(
            id=event_uuid("decision", e.id), decision_key=key, decision_name=e.element_name if standalone else None,
            decision_definition_id=decision_def, evaluation_time=e.time, instance_id=e.instance_id,
            definition_id=None if standalone else e.definition_id,
            definition_key=None if standalone else e.definition_key,
            activity_id=None if standalone else e.element_id, user_id=e.user_id, tenant_id=e.tenant_id,
            inputs=dict(data.get("inputs") or {}), result=data.get("result"),
            matched_rules=list(data.get("matched_rules") or []))
        if f.ids and rec.id not in f.ids:
            continue
        if f.decision_key is not None and rec.decision_key != f.decision_key:
            continue
        if f.decision_definition_id is not None and rec.decision_definition_id != f.decision_definition_id:
            continue
        if f.definition_id is not None and rec.definition_id != f.definition_id:
            continue
        if f.definition_key is not None and rec.definition_key != f.definition_key:
            continue
        if f.activity_id is not None and rec.activity_id != f.activity_id:
            continue
        if f.started_before is not None and rec.evaluation_time > f.started_before:
            continue
        if f.started_after is not None and rec.evaluation_time < f.started_after:
            continue
        out.append(rec)
    return out


_DECISION_SORT: dict[str, Callable[[HistoricDecision], Any]] = {
    "evaluationTime": lambda d: d.evaluation_time, "tenantId": lambda d: d.tenant_id,
}


def historic_decisions(ctx: OpsContext, f: HistoryFilter) -> list[HistoricDecision]:
    with ctx.transaction() as session:
        return _page(_decisions(session, f), f, _DECISION_SORT, "evaluationTime")


def count_historic_decisions(ctx: OpsContext, f: HistoryFilter) -> int:
    with ctx.transaction() as session:
        return len(_decisions(session, f))


def historic_decision(ctx: OpsContext, decision_instance_id: str) -> HistoricDecision:
    event_id = event_id_of("decision", decision_instance_id)
    if event_id is not None:
        with ctx.transaction() as session:
            event = session.get(HistoryEvent, event_id)
            if event is not None and event.kind == "decision_evaluated":
                found = _decisions(session, HistoryFilter(instance_id=event.instance_id,
                                                          ids=[decision_instance_id]))
                if found:
                    return found[0]
    raise NotFound(f"Historic decision instance with id '{decision_instance_id}' does not exist")


__all__ = ["HistoryFilter", "HistoricInstance", "HistoricActivity", "HistoricTask", "HistoricVariable",
           "HistoricDecision", "historic_instances", "count_historic_instances", "historic_instance",
           "historic_activities", "count_historic_activities", "historic_activity", "historic_tasks",
           "count_historic_tasks", "historic_variables", "count_historic_variables", "historic_variable",
           "historic_decisions", "count_historic_decisions", "historic_decision", "event_uuid", "event_id_of"]
