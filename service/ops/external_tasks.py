"""External tasks (Camunda's worker protocol): fetch and lock, complete, failure with retries and
incidents, BPMN errors, lock extension and unlocking.

The `external_task` table is the projection the engine save writes; locks, retries and error texts
live only there. Locking is a conditional UPDATE, so two workers fetching at once never get the same
task. Work that changes the process (complete, bpmnError) goes through the engine and the instance's
optimistic lock, like every other operation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, false, or_, select, update
from sqlalchemy.orm import Session

from service.store import ExternalTask, InstanceState, ProcessDefinition, ProcessInstance

from . import persistence, query, sql_like, variable_filters
from .context import OpsContext, updated_rows
from .engine_errors import engine_errors
from .errors import BadRequest, LockNotHeld, NotFound, Suspended
from .incidents import open_incident, resolve_task_incidents
from .work_scope import WorkScope

MAX_LOCK_MS = 10 * 365 * 24 * 3600 * 1000     # beyond this a timedelta overflows long before it matters


@dataclass(frozen=True)
class TopicRequest:
    """One entry of fetchAndLock's `topics`."""

    topic_name: str
    lock_duration: int                            # milliseconds, > 0
    variables: list[str] | None = None            # None: all process variables
    business_key: str | None = None
    definition_ids: list[str] | None = None
    definition_keys: list[str] | None = None
    version_tag: str | None = None
    tenant_ids: list[str] | None = None
    without_tenant: bool = False
    process_variables: dict[str, Any] | None = None   # only tasks whose instance has these values
    include_extension_properties: bool = False


def _topic_condition(topic: TopicRequest) -> Any:
    conds = [ExternalTask.topic == topic.topic_name]
    if topic.business_key is not None:
        conds.append(ExternalTask.business_key == topic.business_key)
    if topic.definition_ids:
        conds.append(ExternalTask.definition_id.in_(topic.definition_ids))
    if topic.definition_keys:
        conds.append(ExternalTask.definition_key.in_(topic.definition_keys))
    if topic.version_tag is not None:
        conds.append(ProcessDefinition.version_tag == topic.version_tag)
    if topic.tenant_ids:
        conds.append(ExternalTask.tenant_id.in_(topic.tenant_ids))
    elif topic.without_tenant:
        conds.append(ExternalTask.tenant_id.is_(None))
    return and_(*conds)


def _check_topics(worker_id: str, max_tasks: int, topics: list[TopicRequest]) -> None:
    if not worker_id:
        raise BadRequest("workerId is required to fetch and lock external tasks")
    if max_tasks < 0:
        raise BadRequest("maxTasks must not be negative")
    for topic in topics:
        if not topic.topic_name:
            raise BadRequest("every topic needs a topicName")
        if topic.lock_duration <= 0:
            raise BadRequest(f"lockDuration of topic '{topic.topic_name}' must be greater than 0, "
                             f"not {topic.lock_duration}")
        if topic.lock_duration > MAX_LOCK_MS:
            raise BadRequest(f"lockDuration of topic '{topic.topic_name}' is too large")


def fetch_and_lock(ctx: OpsContext, worker_id: str, topics: list[TopicRequest], *, max_tasks: int = 1,
                   use_priority: bool = False, tenant_filter: Any = None,
                   scope: WorkScope | None = None) -> list[ExternalTaskView]:
    """Lock up to `max_tasks` unlocked tasks with retries left on active instances of the given topics.

    `tenant_filter`: optional callable(tenant_id) -> bool restricting what this caller may lock;
    `scope`: only tasks of instances the caller may work on.
    """
    _check_topics(worker_id, max_tasks, topics)
    if not topics or max_tasks == 0:
        return []
    by_name: dict[str, list[TopicRequest]] = {}
    for topic in topics:
        by_name.setdefault(topic.topic_name, []).append(topic)
    with ctx.transaction() as session, engine_errors():
        now = ctx.clock.now()
        query = (base_query().where(ProcessInstance.state == InstanceState.ACTIVE, not_locked(now),
                               or_(ExternalTask.retries.is_(None), ExternalTask.retries > 0),
                               or_(*[_topic_condition(t) for t in topics])))
        if scope is not None:
            query = query.where(scope.condition())
        order = [ExternalTask.priority.desc()] if use_priority else []
        query = query.order_by(*order, ExternalTask.created, ExternalTask.id).limit(max(max_tasks * 5, 50))
        locked: list[ExternalTaskView] = []
        variables_cache: dict[str, dict[str, Any]] = {}
        for task, state, version_tag in session.execute(query).all():
            if len(locked) >= max_tasks:
                break
            if tenant_filter is not None and not tenant_filter(task.tenant_id):
                continue
            matched = _matching_topic(by_name.get(task.topic, []), task, version_tag)
            if matched is None:
                continue
            if matched.process_variables:
                values = _instance_variables(ctx, session, task.instance_id, variables_cache)
                if any(name not in values or values[name] != v for name, v in matched.process_variables.items()):
                    continue
            expiration = now + timedelta(milliseconds=matched.lock_duration)
            # The WHERE repeats "not locked", so a concurrent fetch that locked it first wins.
            result = session.execute(update(ExternalTask).where(ExternalTask.id == task.id, not_locked(now))
                                     .values(worker_id=worker_id, lock_expiration=expiration)
                                     .execution_options(synchronize_session=False))
            if updated_rows(result) != 1:
                continue
            session.refresh(task)
            values = _instance_variables(ctx, session, task.instance_id, variables_cache)
            wanted = values if matched.variables is None else {n: values[n] for n in matched.variables if n in values}
            locked.append(view(task, state, version_tag, dict(wanted),
                                with_properties=matched.include_extension_properties))
        return locked


def _matching_topic(candidates: list[TopicRequest], task: ExternalTask, version_tag: str | None) -> TopicRequest | None:
    for topic in candidates:
        if topic.business_key is not None and task.business_key != topic.business_key:
            continue
        if topic.definition_ids and task.definition_id not in topic.definition_ids:
            continue
        if topic.definition_keys and task.definition_key not in topic.definition_keys:
            continue
        if topic.version_tag is not None and version_tag != topic.version_tag:
            continue
        if topic.tenant_ids and task.tenant_id not in topic.tenant_ids:
            continue
        if not topic.tenant_ids and topic.without_tenant and task.tenant_id is not None:
            continue
        return topic
    return None


def _instance_variables(ctx: OpsContext, session: Session, instance_id: str,
                        cache: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if instance_id not in cache:
        cache[instance_id] = dict(persistence.load(ctx, session, instance_id).inst.variables())
    return cache[instance_id]


def _require(session: Session, task_id: str) -> ExternalTask:
    task = session.get(ExternalTask, task_id)
    if task is None:
        raise NotFound(f"External task with id {task_id} does not exist",
                       pesan=f"Tugas eksternal {task_id} tidak ditemukan")
    return task


def get_external_task(ctx: OpsContext, task_id: str) -> ExternalTaskView:
    with ctx.transaction() as session:
        row = session.execute(base_query().where(ExternalTask.id == task_id)).first()
        if row is None:
            _require(session, task_id)      # raises NotFound naming the task
            raise NotFound(f"External task {task_id} has no process instance")
        task, state, version_tag = row
        return view(task, state, version_tag)


def _check_worker(task: ExternalTask, worker_id: str | None, action: str) -> None:
    if not worker_id:
        raise BadRequest(f"workerId is required to {action} an external task")
    if task.worker_id != worker_id:
        raise LockNotHeld(f"External Task {task.id} cannot be {action}d by worker '{worker_id}'. "
                         f"It is locked by worker '{task.worker_id}'.")


def _check_active(session: Session, task: ExternalTask) -> ProcessInstance:
    row = persistence.get_row(session, task.instance_id)
    if row.state == InstanceState.SUSPENDED:
        raise Suspended(f"ExternalTask with id '{task.id}' is suspended")
    return row


def complete(ctx: OpsContext, task_id: str, worker_id: str | None, variables: dict[str, Any] | None = None,
             local_variables: dict[str, Any] | None = None) -> None:
    """Complete a locked task; its variables (and local ones, which have no scope of their own here)
    are written to the process."""
    with ctx.transaction() as session, engine_errors():
        task = _require(session, task_id)
        _check_worker(task, worker_id, "complete")
        row = _check_active(session, task)
        loaded = persistence.load(ctx, session, row.id, row=row)
        merged = {**(local_variables or {}), **(variables or {})}
        from service.engine.error_event_definitions import matching_error_code
        code = matching_error_code(loaded.inst, task_id, merged, on_failure=False)
        if code is not None:       # a camunda:errorEventDefinition holds: its error instead of completing
            _throw_bpmn_error(loaded, task_id, code, None, merged)
        else:
            loaded.inst.complete_external_task(task_id, merged)
        persistence.save(ctx, session, loaded)
        resolve_task_incidents(session, row.id, task_id)


def handle_bpmn_error(ctx: OpsContext, task_id: str, worker_id: str | None, error_code: str,
                      error_message: str | None = None, variables: dict[str, Any] | None = None) -> None:
    if not error_code:
        raise BadRequest("errorCode is required to report a BPMN error")
    with ctx.transaction() as session, engine_errors():
        task = _require(session, task_id)
        _check_worker(task, worker_id, "complete")
        row = _check_active(session, task)
        loaded = persistence.load(ctx, session, row.id, row=row)
        _throw_bpmn_error(loaded, task_id, error_code, error_message, dict(variables or {}))
        persistence.save(ctx, session, loaded)
        resolve_task_incidents(session, row.id, task_id)


def _throw_bpmn_error(loaded: Any, task_id: str, code: str, message: str | None, variables: dict[str, Any]) -> None:
    from service.engine.uncaught_errors import end_uncaught_error, error_is_caught
    if error_is_caught(loaded.inst, task_id, code):
        loaded.inst.throw_bpmn_error(task_id, code, message, variables)
    else:
        # Camunda 7 (enableExceptionsAfterUnhandledBpmnError off): the throwing path simply ends.
        end_uncaught_error(loaded.inst, task_id, code, message, variables)


def handle_failure(ctx: OpsContext, task_id: str, worker_id: str | None, *, error_message: str | None,
                   error_details: str | None = None, retries: int, retry_timeout: int = 0) -> None:
    """Record a worker's failure: the task is retried after `retry_timeout` ms while retries are left;
    with 0 retries an incident is raised and the task is not fetched again until retries are set."""
    if retries is None or retries < 0:
        raise BadRequest("retries must be a number >= 0")
    if retry_timeout is None or retry_timeout < 0 or retry_timeout > MAX_LOCK_MS:
        raise BadRequest("retryTimeout must be a number of milliseconds >= 0")
    with ctx.transaction() as session, engine_errors():
        task = _require(session, task_id)
        _check_worker(task, worker_id, "complete")
        row = _check_active(session, task)
        if _failure_throws_error(ctx, session, row, task_id, error_message):
            return
        now = ctx.clock.now()
        task.error_message = error_message[:4000] if error_message else error_message
        task.error_details = error_details
        task.retries = retries
        task.lock_expiration = now + timedelta(milliseconds=retry_timeout)
        if retries == 0:
            open_incident(session, row, task, now, error_message)


def _failure_throws_error(ctx: OpsContext, session: Session, row: ProcessInstance, task_id: str,
                          error_message: str | None) -> bool:
    """A reported failure also evaluates the task's camunda:errorEventDefinitions (an expression that fails
    counts as false); the first that holds throws its BPMN error, with the failure's message, instead of
    counting a retry."""
    from service.engine.error_event_definitions import has_error_event_definitions, matching_error_code

    loaded = persistence.load(ctx, session, row.id, row=row)
    if not has_error_event_definitions(loaded.inst, task_id):
        return False
    code = matching_error_code(loaded.inst, task_id, {}, on_failure=True)
    if code is None:
        return False
    _throw_bpmn_error(loaded, task_id, code, error_message, {})
    persistence.save(ctx, session, loaded)
    resolve_task_incidents(session, row.id, task_id)
    return True


def set_retries(ctx: OpsContext, task_id: str, retries: int) -> None:
    """Camunda resolves a failedExternalTask incident when retries are set above 0 again."""
    if retries is None or retries < 0:
        raise BadRequest("The number of retries cannot be negative")
    with ctx.transaction() as session:
        task = _require(session, task_id)
        row = persistence.get_row(session, task.instance_id)
        task.retries = retries
        if retries > 0:
            resolve_task_incidents(session, row.id, task_id)
        else:
            open_incident(session, row, task, ctx.clock.now(), task.error_message)


def set_retries_many(ctx: OpsContext, retries: int, *, task_ids: list[str] | None = None,
                     instance_ids: list[str] | None = None) -> int:
    """Camunda's PUT /external-task/retries: every named task (and every task of the named instances)."""
    if retries is None or retries < 0:
        raise BadRequest("The number of retries cannot be negative")
    if not task_ids and not instance_ids:
        raise BadRequest("externalTaskIds or processInstanceIds must be given")
    with ctx.transaction() as session:
        ids = set(task_ids or [])
        if instance_ids:
            ids.update(session.scalars(select(ExternalTask.id).where(ExternalTask.instance_id.in_(instance_ids))))
        found = {t.id: t for t in session.scalars(select(ExternalTask).where(ExternalTask.id.in_(sorted(ids))))}
        missing = sorted(ids - set(found))
        if missing:
            raise NotFound(f"External task with id {missing[0]} does not exist")
        now = ctx.clock.now()
        for task in found.values():
            task.retries = retries
            row = persistence.get_row(session, task.instance_id)
            if retries > 0:
                resolve_task_incidents(session, row.id, task.id)
            else:
                open_incident(session, row, task, now, task.error_message)
        return len(found)


def set_priority(ctx: OpsContext, task_id: str, priority: int) -> None:
    with ctx.transaction() as session:
        _require(session, task_id).priority = priority


def extend_lock(ctx: OpsContext, task_id: str, worker_id: str | None, new_duration: int) -> None:
    if new_duration is None or new_duration <= 0 or new_duration > MAX_LOCK_MS:
        raise BadRequest(f"newDuration must be greater than 0, not {new_duration}")
    with ctx.transaction() as session:
        task = _require(session, task_id)
        now = ctx.clock.now()
        if task.worker_id is None or task.lock_expiration is None or task.lock_expiration <= now:
            raise LockNotHeld("Cannot extend a lock that expired")
        if task.worker_id != worker_id:
            raise LockNotHeld(f"The lock of the External Task {task_id} cannot be extended by worker '{worker_id}'")
        task.lock_expiration = now + timedelta(milliseconds=new_duration)


def unlock(ctx: OpsContext, task_id: str) -> None:
    with ctx.transaction() as session:
        task = _require(session, task_id)
        task.worker_id = None
        task.lock_expiration = None


def error_details(ctx: OpsContext, task_id: str) -> str | None:
    with ctx.transaction() as session:
        return _require(session, task_id).error_details


@dataclass(frozen=True)
class ExternalTaskView:
    id: str
    topic: str
    worker_id: str | None
    lock_expiration: datetime | None
    retries: int | None
    error_message: str | None
    priority: int
    element_id: str
    name: str | None
    instance_id: str
    definition_id: str
    definition_key: str
    version_tag: str | None
    business_key: str | None
    tenant_id: str | None
    suspended: bool
    created: datetime
    properties: dict[str, Any] = field(default_factory=dict)
    error_details: str | None = None
    variables: dict[str, Any] | None = None


def not_locked(now: datetime) -> Any:
    return or_(ExternalTask.lock_expiration.is_(None), ExternalTask.lock_expiration <= now)


def view(task: ExternalTask, instance_state: Any, version_tag: str | None,
          variables: dict[str, Any] | None = None, *, with_properties: bool = True) -> ExternalTaskView:
    state = instance_state.value if isinstance(instance_state, InstanceState) else str(instance_state)
    return ExternalTaskView(
        id=task.id, topic=task.topic, worker_id=task.worker_id, lock_expiration=task.lock_expiration,
        retries=task.retries, error_message=task.error_message, priority=task.priority, element_id=task.element_id,
        name=task.name, instance_id=task.instance_id, definition_id=task.definition_id,
        definition_key=task.definition_key, version_tag=version_tag, business_key=task.business_key,
        tenant_id=task.tenant_id, suspended=state == InstanceState.SUSPENDED.value, created=task.created,
        properties=dict(task.properties or {}) if with_properties else {}, error_details=task.error_details,
        variables=variables)


def base_query() -> Select[Any]:
    return (select(ExternalTask, ProcessInstance.state, ProcessDefinition.version_tag)
            .join(ProcessInstance, ProcessInstance.id == ExternalTask.instance_id)
            .join(ProcessDefinition, ProcessDefinition.id == ExternalTask.definition_id, isouter=True))


@dataclass
class ExternalTaskQuery:
    task_id: str | None = None
    task_ids: list[str] | None = None
    topic: str | None = None
    worker_id: str | None = None
    locked: bool = False
    not_locked: bool = False
    with_retries_left: bool = False
    no_retries_left: bool = False
    activity_id: str | None = None
    activity_ids: list[str] | None = None
    instance_id: str | None = None
    instance_ids: list[str] | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    tenant_ids: list[str] | None = None
    include_without_tenant: bool = False     # with tenant_ids: tenant-less tasks as well
    without_tenant: bool = False             # only tenant-less tasks
    active: bool = False
    suspended: bool = False
    priority_min: int | None = None
    priority_max: int | None = None
    lock_expiration_before: datetime | None = None
    lock_expiration_after: datetime | None = None
    execution_id: str | None = None          # an external task's execution id is its own id here
    definition_keys: list[str] | None = None
    definition_name: str | None = None
    definition_name_like: str | None = None
    process_variables: list[variable_filters.VariableFilter] = field(default_factory=list)
    variable_names_ignore_case: bool = False
    variable_values_ignore_case: bool = False
    sort: list[tuple[str, str]] = field(default_factory=list)
    first_result: int = 0
    max_results: int | None = None
    scope: WorkScope | None = None           # only instances the caller may work on (None: all)


SORT_COLUMNS = {
    "id": ExternalTask.id, "lockExpirationTime": ExternalTask.lock_expiration,
    "processInstanceId": ExternalTask.instance_id, "processDefinitionId": ExternalTask.definition_id,
    "processDefinitionKey": ExternalTask.definition_key, "tenantId": ExternalTask.tenant_id,
    "taskPriority": ExternalTask.priority, "createTime": ExternalTask.created,
}


def _filtered(q: ExternalTaskQuery, now: datetime) -> Select[Any]:
    conds: list[Any] = []
    if q.task_id is not None:
        conds.append(ExternalTask.id == q.task_id)
    if q.task_ids:
        conds.append(ExternalTask.id.in_(q.task_ids))
    if q.topic is not None:
        conds.append(ExternalTask.topic == q.topic)
    if q.worker_id is not None:
        conds.append(ExternalTask.worker_id == q.worker_id)
    if q.locked:
        conds.append(and_(ExternalTask.lock_expiration.is_not(None), ExternalTask.lock_expiration > now))
    if q.not_locked:
        conds.append(not_locked(now))
    if q.with_retries_left:
        conds.append(or_(ExternalTask.retries.is_(None), ExternalTask.retries > 0))
    if q.no_retries_left:
        conds.append(and_(ExternalTask.retries.is_not(None), ExternalTask.retries <= 0))
    if q.activity_id is not None:
        conds.append(ExternalTask.element_id == q.activity_id)
    if q.activity_ids:
        conds.append(ExternalTask.element_id.in_(q.activity_ids))
    if q.instance_id is not None:
        conds.append(ExternalTask.instance_id == q.instance_id)
    if q.instance_ids:
        conds.append(ExternalTask.instance_id.in_(q.instance_ids))
    if q.definition_id is not None:
        conds.append(ExternalTask.definition_id == q.definition_id)
    if q.definition_key is not None:
        conds.append(ExternalTask.definition_key == q.definition_key)
    if q.without_tenant:
        conds.append(ExternalTask.tenant_id.is_(None))
    if q.tenant_ids is not None:
        conds.append(_tenant_condition(q.tenant_ids, q.include_without_tenant))
    if q.active:
        conds.append(ProcessInstance.state == InstanceState.ACTIVE)
    if q.suspended:
        conds.append(ProcessInstance.state == InstanceState.SUSPENDED)
    if q.priority_min is not None:
        conds.append(ExternalTask.priority >= q.priority_min)
    if q.priority_max is not None:
        conds.append(ExternalTask.priority <= q.priority_max)
    if q.lock_expiration_before is not None:
        conds.append(ExternalTask.lock_expiration < q.lock_expiration_before)
    if q.lock_expiration_after is not None:
        conds.append(ExternalTask.lock_expiration > q.lock_expiration_after)
    if q.execution_id is not None:
        conds.append(ExternalTask.id == q.execution_id)
    if q.definition_keys is not None:
        conds.append(ExternalTask.definition_key.in_(q.definition_keys))
    named: Any = None
    if q.definition_name is not None:
        named = ProcessDefinition.name == q.definition_name
    if q.definition_name_like is not None:
        named = sql_like.like(ProcessDefinition.name, q.definition_name_like, parameter="processDefinitionNameLike")
    if named is not None:
        conds.append(ExternalTask.definition_id.in_(select(ProcessDefinition.id).where(named)))
    conds.extend(variable_filters.conditions(variable_filters.VariableFilters(
        process=q.process_variables, names_ignore_case=q.variable_names_ignore_case,
        values_ignore_case=q.variable_values_ignore_case), ExternalTask.instance_id))
    if q.scope is not None:
        conds.append(q.scope.condition())
    query = base_query()
    return query.where(*conds) if conds else query


def _tenant_condition(tenant_ids: list[str], include_without_tenant: bool) -> Any:
    cond = ExternalTask.tenant_id.in_(tenant_ids) if tenant_ids else false()
    return or_(cond, ExternalTask.tenant_id.is_(None)) if include_without_tenant else cond


def query_external_tasks(ctx: OpsContext, q: ExternalTaskQuery) -> list[ExternalTaskView]:
    statement = query.ordered(_filtered(q, ctx.clock.now()), q.sort, SORT_COLUMNS, ExternalTask.id,
                              default=[("createTime", "asc")])
    with ctx.transaction() as session:
        rows = session.execute(query.paged(statement, q.first_result, q.max_results)).all()
        return [view(t, s, v) for t, s, v in rows]


def count_external_tasks(ctx: OpsContext, q: ExternalTaskQuery) -> int:
    with ctx.transaction() as session:
        return query.count(session, _filtered(q, ctx.clock.now()), ExternalTask.id)


def topics(ctx: OpsContext, *, with_locked: bool = True, with_unlocked: bool = True,
           with_retries_left: bool = True, without_retries_left: bool = True,
           tenant_ids: list[str] | None = None, include_without_tenant: bool = False) -> list[str]:
    """Topic names of existing external tasks (GET /external-task/topic-names); `tenant_ids` (None: all)
    and `include_without_tenant` narrow them to what the caller may see."""
    now = ctx.clock.now()
    conds: list[Any] = []
    if tenant_ids is not None:
        conds.append(_tenant_condition(tenant_ids, include_without_tenant))
    if not with_locked:
        conds.append(not_locked(now))
    if not with_unlocked:
        conds.append(and_(ExternalTask.lock_expiration.is_not(None), ExternalTask.lock_expiration > now))
    if not with_retries_left:
        conds.append(and_(ExternalTask.retries.is_not(None), ExternalTask.retries <= 0))
    if not without_retries_left:
        conds.append(or_(ExternalTask.retries.is_(None), ExternalTask.retries > 0))
    with ctx.transaction() as session:
        return list(session.scalars(select(ExternalTask.topic).where(*conds).distinct().order_by(ExternalTask.topic)))


__all__ = ["TopicRequest", "ExternalTaskView", "ExternalTaskQuery", "fetch_and_lock", "query_external_tasks",
           "count_external_tasks", "get_external_task", "complete", "handle_bpmn_error", "handle_failure",
           "set_retries", "set_retries_many", "set_priority", "extend_lock", "unlock", "error_details", "topics",
           "SORT_COLUMNS", "view", "base_query", "not_locked"]
