"""Loading an instance into the engine and saving it back with its projections, inside a transaction.

load row -> engine.load(model, state) -> act -> save(): dumps() -> row update (optimistic lock)
-> user-task / external-task / message projections -> history events. The caller's transaction commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, overload
from uuid import uuid4

from sqlalchemy import ColumnElement, and_, bindparam, delete, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from service.engine.clock import Clock
from service.store import (DecisionDefinition, ExternalTask, HistoryEvent, InstanceState, MessageSubscription,
                           ProcessDefinition, ProcessInstance, TaskCandidate, UserTask, table_of)

from . import definitions, timer_projection, variable_projection
from .context import STALE_MESSAGE, STALE_PESAN, OpsContext
from .errors import Conflict, NotFound
from .history_values import annotate_event_data
from .input_limits import check_business_key, check_instance_size
from .values import json_safe
from .views import ActiveElementView, InstanceView

if TYPE_CHECKING:   # the engine is imported when an instance is first loaded: the store and API import without it
    from service.engine import Engine, Instance, ProcessModel
    from service.engine.dmn import DecisionModel
    from service.engine.info import ExternalTaskInfo, HistoryEvent as EngineHistoryEvent, UserTaskInfo


class Binder:
    """Resolves decision definitions for the engine within one transaction (called processes are
    resolved by ops/calls.py when a call activity is reached)."""

    def __init__(self, ctx: OpsContext, session: Session, deployment_id: str | None = None) -> None:
        self.ctx = ctx
        self.session = session
        self.deployment_id = deployment_id

    def decision(self, key: str, tenant: str | None, binding: str = "latest",
                 version: int | None = None) -> DecisionModel:
        row: DecisionDefinition | None = None
        if binding == "version" and version is not None:
            row = definitions.by_version(self.session, DecisionDefinition, key, tenant, version)
        elif binding == "deployment" and self.deployment_id is not None:
            row = self.session.scalars(select(DecisionDefinition).where(
                DecisionDefinition.key == key, DecisionDefinition.deployment_id == self.deployment_id)).first()
        if row is None and binding != "version":
            row = definitions.latest(self.session, DecisionDefinition, key, tenant)
        if row is None:
            from service.engine import ModelError
            raise ModelError(f"no deployed decision with key '{key}'" + (f" in tenant '{tenant}'" if tenant else ""),
                             element_id=key)
        return self.model(row)

    @overload
    def model(self, row: ProcessDefinition) -> ProcessModel: ...

    @overload
    def model(self, row: DecisionDefinition) -> DecisionModel: ...

    def model(self, row: ProcessDefinition | DecisionDefinition) -> ProcessModel | DecisionModel:
        model: ProcessModel | DecisionModel = definitions.model_of(self.ctx, self.session, row)
        return model

    def engine(self, clock: Clock | None = None) -> Engine:
        from service.engine import Engine
        return Engine(clock=clock or self.ctx.clock, decisions=self.decision,
                      calendar=self.ctx.work_calendar(), budget=self.ctx.budget, delegates=self.ctx.delegates)


class InstanceRow(Protocol):
    """What load/save read and write of a process instance row: the columns of process_instance. Both the
    ORM object (ProcessInstance) and the Core-read InstanceRecord have them."""

    id: str
    definition_id: str
    definition_key: str
    called_definition_ids: dict[str, str]
    business_key: str | None
    tenant_id: str | None
    super_process_instance_id: str | None
    super_task_id: str | None
    root_process_instance_id: str | None
    state: InstanceState
    start_time: datetime
    end_time: datetime | None
    start_user_id: str | None
    engine_state: str
    version: int
    next_timer_due: datetime | None
    timer_lease_owner: str | None
    timer_lease_until: datetime | None
    incident: bool
    projected: dict[str, list[str]]
    job_id: str


_INSTANCE = table_of(ProcessInstance)


class InstanceRecord:
    """A process_instance row read with a Core SELECT (the hot path of a task completion): the columns
    as attributes, without the ORM's identity map and instance state, which cost more than the query.
    `save` writes it back with the same versioned UPDATE as a loaded ORM row."""

    __slots__ = tuple(_INSTANCE.c.keys())
    # The columns, as in InstanceRow (a test keeps both lists equal to the table's).
    id: str
    definition_id: str
    definition_key: str
    called_definition_ids: dict[str, str]
    business_key: str | None
    tenant_id: str | None
    super_process_instance_id: str | None
    super_task_id: str | None
    root_process_instance_id: str | None
    state: InstanceState
    start_time: datetime
    end_time: datetime | None
    start_user_id: str | None
    engine_state: str
    version: int
    next_timer_due: datetime | None
    timer_lease_owner: str | None
    timer_lease_until: datetime | None
    incident: bool
    projected: dict[str, list[str]]
    job_id: str

    def __init__(self, values: Any) -> None:
        for key in self.__slots__:
            setattr(self, key, values[key])


# Every column of process_instance, in table order, for Core SELECTs that build an InstanceRecord.
INSTANCE_COLUMNS = tuple(_INSTANCE.c)


@dataclass
class Loaded:
    row: InstanceRow
    model: ProcessModel
    inst: Instance
    binder: Binder
    user: str | None = None
    extra_history: list[dict[str, Any]] = field(default_factory=list)   # history_values() rows
    # Set on a child started inside its caller's save (ops/calls.py): the caller, still in memory,
    # takes the child's completion and thrown events itself.
    inline_child: bool = False
    thrown: list[Any] = field(default_factory=list)        # ThrownEvent taken before the state was dumped
    failed_calls: list[Any] = field(default_factory=list)  # CallRequest whose child could not start


def get_row(session: Session, instance_id: str) -> ProcessInstance:
    row = session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"Process instance with id {instance_id} does not exist",
                       pesan=f"Proses dengan id {instance_id} tidak ditemukan")
    return row


def load(ctx: OpsContext, session: Session, instance_id: str, *, clock: Clock | None = None,
         row: InstanceRow | None = None) -> Loaded:
    row = row or get_row(session, instance_id)
    deployment_id, model = definitions.process_by_id(ctx, session, row.definition_id)
    binder = Binder(ctx, session, deployment_id)
    inst = binder.engine(clock).load(model, row.engine_state, instance_id=row.id, definition_id=row.definition_id)
    return Loaded(row, model, inst, binder)


def create(ctx: OpsContext, session: Session, definition: ProcessDefinition, *, variables: dict[str, Any],
           business_key: str | None, user: str | None, start_event_id: str | None = None,
           message: str | None = None, clock: Clock | None = None, caller: InstanceRow | None = None,
           caller_task_id: str | None = None, instance_id: str | None = None) -> Loaded:
    """A new instance of `definition`; with `caller`, a called process's instance linked to the caller's
    call-activity task (Camunda's super process instance)."""
    check_business_key(business_key)
    binder = Binder(ctx, session, definition.deployment_id)
    model = binder.model(definition)
    engine = binder.engine(clock)
    # The id is chosen before the engine starts: handlers running in the start ask for it.
    instance_id = instance_id or str(uuid4())
    inst = engine.start(model, variables=variables, business_key=business_key, tenant=definition.tenant_id,
                        user=user, start_event_id=start_event_id, message=message, instance_id=instance_id,
                        definition_id=definition.id)
    now = (clock or ctx.clock).now()
    root = (caller.root_process_instance_id or caller.id) if caller is not None else instance_id
    row = ProcessInstance(id=instance_id, definition_id=definition.id, definition_key=definition.key,
                          business_key=business_key, tenant_id=definition.tenant_id, state=InstanceState.ACTIVE,
                          start_time=now, start_user_id=user, engine_state="", called_definition_ids={},
                          super_process_instance_id=caller.id if caller is not None else None,
                          super_task_id=caller_task_id, root_process_instance_id=root)
    session.add(row)
    return Loaded(row, model, inst, binder, user=user)


def save(ctx: OpsContext, session: Session, loaded: Loaded, *, now: datetime | None = None) -> None:
    """Write the engine state and every projection; raise Conflict when another writer was first."""
    from . import calls    # called processes: children started, callers continued (ops/calls.py)

    row, inst = loaded.row, loaded.inst
    now = now or ctx.clock.now()
    calls.before_save(ctx, session, loaded)
    values: dict[str, Any] = {"engine_state": inst.dumps()}
    check_instance_size(ctx.limits, row.id, len(values["engine_state"]))
    if inst.completed and row.state != InstanceState.CANCELLED:
        values.update(state=InstanceState.COMPLETED, end_time=row.end_time or now, next_timer_due=None)
    else:
        values["next_timer_due"] = inst.next_timer_due()
    if row.business_key is None and inst.business_key:
        check_business_key(inst.business_key)
        values["business_key"] = inst.business_key
    before = {k: set(v) for k, v in (row.projected or {}).items()}
    done = inst.completed
    tasks = {} if done else {t.id: t for t in inst.user_tasks()}
    external = {} if done else {t.id: t for t in inst.external_tasks()}
    messages = set() if done else set(inst.waiting_messages())
    timers = [] if done else inst.timers()
    events = inst.drain_history()
    # Variables: only the names this action's history reports as set or removed (ops/variable_projection).
    known = (row.projected or {}).get("variables")
    current = inst.variables() if known is None and not done else None
    variable_names = variable_projection.names_after(known, events, ended=done, current=current)
    values["projected"] = {"tasks": sorted(tasks), "external": sorted(external), "messages": sorted(messages),
                           "timers": timer_projection.keys(timers), "variables": variable_names}
    # The versioned UPDATE first: a lost race fails before anything else is written.
    _write_row(session, row, values)
    # Projections are written with Core statements, diffed against the ids of the last save.
    _project_user_tasks(session, row, before.get("tasks", set()), tasks)
    _project_external_tasks(session, row, before.get("external", set()), external, ctx.clock.now())
    _project_subscriptions(session, row, before.get("messages", set()), messages)
    timer_projection.project(session, row.id, before.get("timers", set()), timers, now)
    variable_projection.project(session, row.id, events, ended=done, names_before=known, current=current)
    _append_history(session, loaded, events)
    if not done:
        from .delegate_jobs import record_failures
        record_failures(session, row, inst, now)
    calls.after_save(ctx, session, loaded)


# Statements built once: constructing and cache-keying a statement costs as much as executing it on SQLite.
_PLAIN_COLUMNS = frozenset(_INSTANCE.c.keys()) - {"version"}
_VERSION_MATCH: ColumnElement[bool] = and_(_INSTANCE.c.id == bindparam("row_id"),
                                           _INSTANCE.c.version == bindparam("row_version"))
_UPDATE_INSTANCE = _INSTANCE.update().where(_VERSION_MATCH)      # SET: the column keys of the parameters
_USER_TASK = table_of(UserTask)
# One id per parameter set (executemany): an expanding IN is rendered anew on every execution.
_DELETE_USER_TASK = _USER_TASK.delete().where(_USER_TASK.c.id == bindparam("task_id"))
_INSERT_USER_TASK = _USER_TASK.insert()
# SET: every column, the id included (the parameter names are the column keys).
_UPDATE_USER_TASK = _USER_TASK.update().where(_USER_TASK.c.id == bindparam("old_id"))
_CANDIDATE = table_of(TaskCandidate)
# inline(): PostgreSQL is not asked to RETURN the new id of a single row (nothing reads it).
_INSERT_CANDIDATE = _CANDIDATE.insert().inline()
_DELETE_CANDIDATES = _CANDIDATE.delete().where(_CANDIDATE.c.task_id == bindparam("task_id"))
_INSERT_HISTORY = table_of(HistoryEvent).insert()
_INSERT_EXTERNAL_TASK = table_of(ExternalTask).insert()
_INSERT_SUBSCRIPTION = table_of(MessageSubscription).insert()


def _write_row(session: Session, row: InstanceRow, values: dict[str, Any]) -> None:
    """Store `values` in the instance row under the optimistic lock; Conflict when another writer was first.

    A loaded row is written with one Core UPDATE ... WHERE version = :read_version (the ORM flush of one
    row costs several times more) and the row object is then told the new values as committed, so the
    commit has nothing left to flush. A new row, or one with pending changes the UPDATE cannot carry,
    goes through the ORM flush (which applies the same version check). An InstanceRecord has no pending
    changes and takes the Core UPDATE.
    """
    if not isinstance(row, ProcessInstance):     # an InstanceRecord: nothing pending
        _update_versioned(session, row, {}, values)
        return
    state = inspect(row)
    pending = set(state.committed_state)
    if not state.persistent or not pending <= _PLAIN_COLUMNS:
        for key, value in values.items():
            setattr(row, key, value)
        try:
            session.flush()
        except StaleDataError as exc:
            raise Conflict(STALE_MESSAGE, pesan=STALE_PESAN) from exc
        return
    committed = _update_versioned(session, row, {key: getattr(row, key) for key in pending}, values)
    for key, value in committed.items():
        set_committed_value(row, key, value)


def _update_versioned(session: Session, row: InstanceRow, pending: dict[str, Any],
                      values: dict[str, Any]) -> dict[str, Any]:
    """One UPDATE ... WHERE version = :read_version of `pending` plus the `values` that differ from the
    row; returns what was written (with the new version). An InstanceRecord is updated in place."""
    version = row.version
    # Only columns whose value changes: SQLite rewrites an index entry for every indexed column in SET.
    changed = {key: value for key, value in values.items() if key in pending or getattr(row, key) != value}
    written = {**pending, **changed, "version": version + 1}
    result = session.connection().execute(_UPDATE_INSTANCE, {**written, "row_id": row.id, "row_version": version})
    if result.rowcount != 1:
        raise Conflict(STALE_MESSAGE, pesan=STALE_PESAN)
    if isinstance(row, InstanceRecord):
        for key, value in written.items():
            setattr(row, key, value)
    return written


def _project_user_tasks(session: Session, row: InstanceRow, existing: set[str],
                        live: dict[str, UserTaskInfo]) -> None:
    """Diff the user-task projection against the last save. A task that ended and one that began (a step:
    the common case) share one row, updated in place; only a surplus of either is deleted or inserted."""
    conn = session.connection()
    gone = sorted(existing - set(live))
    new = [info for task_id, info in live.items() if task_id not in existing]
    reused = list(zip(gone, new, strict=False))     # the shorter list's length
    if reused:
        # Candidate rows reference the id the UPDATE changes, so a reused row's go first (the engine's
        # candidates and those added through identity links alike; no ON UPDATE CASCADE in the schema).
        conn.execute(_DELETE_CANDIDATES, [{"task_id": old} for old, _ in reused])
        conn.execute(_UPDATE_USER_TASK, [{"old_id": old, **_task_values(row, info)} for old, info in reused])
    dropped = gone[len(reused):]
    if dropped:
        # task_candidate rows go with ON DELETE CASCADE (SQLite: PRAGMA foreign_keys=ON).
        conn.execute(_DELETE_USER_TASK, [{"task_id": task_id} for task_id in dropped])
    added = new[len(reused):]
    if added:
        conn.execute(_INSERT_USER_TASK, [_task_values(row, info) for info in added])
    # Tasks already projected keep their row: claims and assignments live in the projection.
    # With the copies of the task's columns the lists read from the candidate index (task_pages.py).
    candidates = [{"task_id": info.id, "kind": kind, "value": value, "tenant_id": row.tenant_id,
                   "assignee": info.assignee, "due": info.due, "created": info.created}
                  for info in new
                  for kind, values in (("group", info.candidate_groups), ("user", info.candidate_users))
                  for value in dict.fromkeys(values or [])]     # once each: the index is unique
    if candidates:
        conn.execute(_INSERT_CANDIDATE, candidates)


def _task_values(row: InstanceRow, info: UserTaskInfo) -> dict[str, Any]:
    """Every column of a user_task row for `info`: an updated row keeps nothing of the task it was."""
    return dict(
        id=info.id, instance_id=row.id, **owning_definition(row, info), business_key=row.business_key,
        element_id=info.element_id, name=info.name, lane=info.lane,
        assignee=info.assignee, owner=None, created=info.created, due=info.due, follow_up=info.follow_up,
        priority=info.priority if info.priority is not None else 50, form_key=info.form_key,
        form_ref=info.form_ref, form_ref_binding=info.form_ref_binding, form_ref_version=info.form_ref_version,
        tenant_id=row.tenant_id, properties=json_safe(dict(info.properties or {})),
        form_fields=json_safe(list(info.form_fields or [])), documentation=info.documentation)


def _project_external_tasks(session: Session, row: InstanceRow, existing: set[str],
                            live: dict[str, ExternalTaskInfo], now: datetime) -> None:
    gone = list(existing - set(live))
    if gone:
        session.execute(delete(ExternalTask).where(ExternalTask.id.in_(gone)))
    new = [info for task_id, info in live.items() if task_id not in existing]
    if new:
        session.execute(_INSERT_EXTERNAL_TASK, [dict(
            id=info.id, instance_id=row.id, **owning_definition(row, info), business_key=row.business_key,
            element_id=info.element_id, name=info.name, topic=info.topic,
            worker_id=None, lock_expiration=None, retries=None, error_message=None, error_details=None,
            priority=info.priority or 0, tenant_id=row.tenant_id, properties=json_safe(dict(info.properties or {})),
            created=getattr(info, "created", None) or now) for info in new])


def _project_subscriptions(session: Session, row: InstanceRow, existing: set[str], wanted: set[str]) -> None:
    stale = list(existing - wanted)
    if stale:
        session.execute(delete(MessageSubscription).where(MessageSubscription.instance_id == row.id,
                                                          MessageSubscription.message_name.in_(stale)))
    added = sorted(wanted - existing)
    if added:
        session.execute(_INSERT_SUBSCRIPTION, [{"instance_id": row.id, "message_name": n} for n in added])


def _append_history(session: Session, loaded: Loaded, drained: list[EngineHistoryEvent]) -> None:
    row = loaded.row
    events = [history_values(row, e) for e in drained]
    events.extend(loaded.extra_history)
    loaded.extra_history = []
    if events:
        # One executemany of a statement built once (building a multi-row VALUES per step costs more than
        # it saves); psycopg sends its rows in one pipeline round trip.
        session.connection().execute(_INSERT_HISTORY, events)


def owning_definition(row: InstanceRow, item: UserTaskInfo | ExternalTaskInfo | EngineHistoryEvent) -> dict[str, Any]:
    """definition_id/definition_key of a task or event: its instance's (a called process is an instance
    of its own)."""
    return {"definition_id": row.definition_id, "definition_key": row.definition_key}


def history_values(row: InstanceRow, event: EngineHistoryEvent) -> dict[str, Any]:
    return dict(kind=event.kind, time=event.time, instance_id=row.id, **owning_definition(row, event),
                tenant_id=row.tenant_id, element_id=event.element_id,
                element_name=event.element_name, element_type=event.element_type, lane=event.lane,
                task_id=event.task_id, user_id=event.user,
                data=json_safe(annotate_event_data(event.kind, dict(event.data or {}))))


def instance_view(row: InstanceRow, *, inst: Instance | None = None, with_variables: bool = False,
                  with_active: bool = False) -> InstanceView:
    variables = None
    active = None
    if inst is not None and with_variables:
        variables = dict(inst.variables())
    if inst is not None and with_active:
        active = [ActiveElementView(element_id=a.element_id, name=a.name, element_type=a.element_type, lane=a.lane)
                  for a in inst.active_elements()]
    state = row.state.value if isinstance(row.state, InstanceState) else str(row.state)
    return InstanceView(id=row.id, definition_id=row.definition_id, definition_key=row.definition_key,
                        business_key=row.business_key, tenant_id=row.tenant_id, state=state,
                        start_time=row.start_time, end_time=row.end_time, start_user_id=row.start_user_id,
                        incident=row.incident, next_timer_due=row.next_timer_due, variables=variables,
                        active_elements=active, super_instance_id=row.super_process_instance_id)


__all__ = ["Binder", "InstanceRecord", "InstanceRow", "INSTANCE_COLUMNS", "Loaded", "load", "create", "save", "get_row",
           "history_values", "instance_view", "owning_definition"]
