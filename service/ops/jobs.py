"""Camunda's `/job` resource for timers: one job per pending timer of an active or suspended instance (the
timer_job projection, ops/timer_projection.py) and one per scheduled timer start event (timer_start_job,
ops/start_jobs.py). A failed instance timer is the job its instance's open `failedJob` incident names
(retries 0); setting retries resolves it, executing fires that timer now.

A job id is a random UUID (timer_job.id, timer_start_job.id): it cannot be derived from an instance or task id.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Select, and_, case, exists, false, func, literal, null, or_, select, union_all, update
from sqlalchemy.orm import Session, aliased

from service.store import Incident, InstanceState, ProcessDefinition, ProcessInstance, TimerJob, TimerStartJob

from . import persistence, query, start_jobs
from .context import OpsContext
from .engine_errors import engine_errors
from .errors import BadRequest, NotFound, OperationFailed, OpsError, is_request_error
from .work_scope import WorkScope

FAILED_JOB = "failedJob"
DEFAULT_RETRIES = 3          # Camunda's default for a job that has not failed
# A job whose retries were set to 0 is held until retries are set again (Camunda never runs it).
_HELD_UNTIL = datetime(9999, 1, 1, tzinfo=timezone.utc)
_HOLD_OWNER = "retry"        # the lease owner the scheduler uses for a failed timer waiting to be retried


@dataclass(frozen=True)
class JobView:
    id: str
    instance_id: str | None          # None: a timer start event's job
    definition_id: str
    definition_key: str
    due: datetime | None
    retries: int
    exception_message: str | None
    failed_activity_id: str | None
    suspended: bool
    tenant_id: str | None
    created: datetime | None
    element_id: str | None = None


@dataclass
class JobQuery:
    job_id: str | None = None
    job_ids: list[str] | None = None
    instance_id: str | None = None
    instance_ids: list[str] | None = None
    definition_id: str | None = None
    definition_key: str | None = None
    activity_ids: list[str] | None = None
    with_exception: bool = False
    no_retries_left: bool = False
    with_retries_left: bool = False
    executable: bool = False
    timers: bool = False
    messages: bool = False
    due_before: datetime | None = None
    due_after: datetime | None = None
    active: bool = False
    suspended: bool = False
    tenant_ids: list[str] | None = None
    without_tenant_id: bool = False
    include_without_tenant: bool = False     # with tenant_ids: tenant-less jobs as well
    execution_id: str | None = None          # a job's execution is its instance here
    exception_message: str | None = None
    priority_min: int | None = None          # every job here has priority 0
    priority_max: int | None = None
    sort: list[tuple[str, str]] = field(default_factory=list)
    first_result: int = 0
    max_results: int | None = None
    scope: WorkScope | None = None           # only instances the caller may work on (None: all)


def _instance_jobs(q: JobQuery) -> Select[Any]:
    """One job per pending timer of an active or suspended instance (the timer_job projection); a job is
    failed when the instance's open failedJob incident names it (legacy incidents without a job id: the
    instance's earliest timer)."""
    pi, tj = ProcessInstance, TimerJob
    failure = aliased(Incident, name="job_failure")
    names_job = or_(failure.task_id == tj.id, and_(failure.task_id.is_(None), tj.due == pi.next_timer_due))
    statement = (select(tj.id.label("id"), pi.id.label("instance_id"), pi.definition_id.label("definition_id"),
                        pi.definition_key.label("definition_key"), pi.tenant_id.label("tenant_id"),
                        tj.element_id.label("element_id"), tj.due.label("due"),
                        (pi.state == InstanceState.SUSPENDED).label("suspended"),
                        case((failure.id.is_not(None), 0), else_=DEFAULT_RETRIES).label("retries"),
                        failure.message.label("exception_message"), tj.created.label("created"))
                 .join(pi, pi.id == tj.instance_id)
                 .outerjoin(failure, and_(failure.instance_id == pi.id, failure.incident_type == FAILED_JOB,
                                          failure.resolved.is_(False), names_job))
                 .where(pi.state.in_([InstanceState.ACTIVE, InstanceState.SUSPENDED])))
    return _of_instances(statement, q)


def _of_instances(statement: Select[Any], q: JobQuery) -> Select[Any]:
    """The instance and work-scope filters of `q` on a job statement that joins process_instance."""
    pi = ProcessInstance
    if q.instance_id is not None:
        statement = statement.where(pi.id == q.instance_id)
    if q.instance_ids:
        statement = statement.where(pi.id.in_(q.instance_ids))
    if q.scope is not None:
        statement = statement.where(q.scope.condition())
    return statement


def _start_jobs(q: JobQuery) -> Select[Any]:
    """One job per scheduled timer start event (Camunda lists them with the instances' timers)."""
    sj, pd = TimerStartJob, ProcessDefinition
    statement = (select(sj.id.label("id"), null().label("instance_id"), sj.definition_id.label("definition_id"),
                        sj.definition_key.label("definition_key"), sj.tenant_id.label("tenant_id"),
                        sj.element_id.label("element_id"), sj.next_due.label("due"), pd.suspended.label("suspended"),
                        sj.retries.label("retries"), sj.last_error.label("exception_message"),
                        null().label("created"))
                 .join(pd, pd.id == sj.definition_id).where(sj.next_due.is_not(None)))
    if q.instance_id is not None or q.instance_ids:
        statement = statement.where(false())
    if q.scope is not None:
        lanes = q.scope.definition_ids
        statement = statement.where(sj.definition_id.in_(lanes) if lanes else false())
    return statement


def _failed_tasks(q: JobQuery) -> Select[Any]:
    """One job per engine task that failed outside a timer (an async delegate whose handler failed, a call
    activity whose called process was missing): its open failedJob incident names the task, and retrying the
    job runs the task again."""
    pi, tj = ProcessInstance, TimerJob
    failure = aliased(Incident, name="task_failure")
    statement = (select(failure.task_id.label("id"), pi.id.label("instance_id"),
                        pi.definition_id.label("definition_id"), pi.definition_key.label("definition_key"),
                        pi.tenant_id.label("tenant_id"),
                        failure.element_id.label("element_id"), null().label("due"),
                        (pi.state == InstanceState.SUSPENDED).label("suspended"), literal(0).label("retries"),
                        failure.message.label("exception_message"), failure.created.label("created"))
                 .join(pi, pi.id == failure.instance_id)
                 .where(failure.incident_type == FAILED_JOB, failure.resolved.is_(False),
                        failure.task_id.is_not(None), ~exists().where(tj.id == failure.task_id),
                        pi.state.in_([InstanceState.ACTIVE, InstanceState.SUSPENDED])))
    return _of_instances(statement, q)


def _query(q: JobQuery, now: datetime) -> tuple[Select[Any], Any]:
    jobs = union_all(_instance_jobs(q), _start_jobs(q), _failed_tasks(q)).subquery("jobs")
    c = jobs.c
    query = select(jobs)
    ids = [i for i in [q.job_id, *(q.job_ids or [])] if i is not None]
    if ids:
        query = query.where(c.id.in_([str(j) for j in ids]))
    if q.definition_id is not None:
        query = query.where(c.definition_id == q.definition_id)
    if q.definition_key is not None:
        query = query.where(c.definition_key == q.definition_key)
    if q.activity_ids:
        query = query.where(c.element_id.in_(q.activity_ids))
    if q.execution_id is not None:
        query = query.where(c.instance_id == q.execution_id)
    if q.exception_message is not None:
        query = query.where(c.exception_message == q.exception_message)
    if (q.priority_min is not None and q.priority_min > 0) or (q.priority_max is not None and q.priority_max < 0):
        query = query.where(false())       # every job here has priority 0
    if q.with_exception:
        query = query.where(c.exception_message.is_not(None))
    if q.no_retries_left:
        query = query.where(c.retries == 0)
    if q.with_retries_left:
        query = query.where(c.retries > 0)
    if q.executable:
        query = query.where(c.retries > 0, c.due <= now)
    if q.messages:
        query = query.where(false())          # every job here is a timer
    if q.due_before is not None:
        query = query.where(c.due < q.due_before)
    if q.due_after is not None:
        query = query.where(c.due > q.due_after)
    if q.active:
        query = query.where(c.suspended.is_(False))
    if q.suspended:
        query = query.where(c.suspended.is_(True))
    if q.without_tenant_id:
        query = query.where(c.tenant_id.is_(None))
    if q.tenant_ids is not None:
        cond = c.tenant_id.in_(q.tenant_ids)
        query = query.where(or_(cond, c.tenant_id.is_(None)) if q.include_without_tenant else cond)
    return query, jobs


def _sort_columns(jobs: Any) -> dict[str, Any]:
    c = jobs.c
    return {"jobId": c.id, "executionId": c.instance_id, "processInstanceId": c.instance_id,
            "processDefinitionId": c.definition_id, "processDefinitionKey": c.definition_key,
            "jobRetries": c.retries, "jobPriority": literal(0), "jobDueDate": c.due, "tenantId": c.tenant_id}


def _view(row: Any) -> JobView:
    failed = row.exception_message is not None
    return JobView(id=row.id, instance_id=row.instance_id, definition_id=row.definition_id,
                   definition_key=row.definition_key, due=row.due, retries=int(row.retries),
                   exception_message=row.exception_message, failed_activity_id=row.element_id if failed else None,
                   suspended=bool(row.suspended), tenant_id=row.tenant_id, created=row.created,
                   element_id=row.element_id)


def query_jobs(ctx: OpsContext, q: JobQuery) -> list[JobView]:
    statement, jobs = _query(q, ctx.clock.now())
    statement = query.ordered(statement, q.sort, _sort_columns(jobs), jobs.c.id, default=[("jobDueDate", "asc")])
    with ctx.transaction() as session:
        return [_view(row) for row in session.execute(query.paged(statement, q.first_result, q.max_results)).all()]


def count_jobs(ctx: OpsContext, q: JobQuery) -> int:
    statement, jobs = _query(q, ctx.clock.now())
    with ctx.transaction() as session:
        return query.count(session, statement, jobs.c.id)


def get_job(ctx: OpsContext, job: str) -> JobView:
    found = query_jobs(ctx, JobQuery(job_id=job))
    if found:
        return found[0]
    raise NotFound(f"Job with id {job} does not exist", pesan=f"Job dengan id {job} tidak ditemukan")


def _resolve_failures(session: Session, instance_id: str) -> None:
    session.execute(update(Incident).where(Incident.instance_id == instance_id, Incident.incident_type == FAILED_JOB,
                                           Incident.resolved.is_(False))
                    .values(resolved=True).execution_options(synchronize_session=False))
    still_open = session.scalar(select(func.count()).select_from(Incident).where(
        Incident.instance_id == instance_id, Incident.resolved.is_(False)))
    values: dict[str, Any] = {"incident": bool(still_open)}
    # Released only when the hold is ours (or the scheduler's retry wait): a live lease belongs to a scheduler.
    session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id,
                                                  ProcessInstance.timer_lease_owner == _HOLD_OWNER)
                    .values(timer_lease_owner=None, timer_lease_until=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id).values(**values)
                    .execution_options(synchronize_session=False))


def _record_failure(session: Session, row: ProcessInstance, now: datetime, message: str,
                    hold_until: datetime, job: JobView | None = None) -> None:
    """One open failedJob incident per instance (the scheduler's convention) naming the failed job (`None`:
    the job the open incident already names), and the instance's timers held."""
    open_one = session.scalars(select(Incident).where(Incident.instance_id == row.id,
                                                      Incident.incident_type == FAILED_JOB,
                                                      Incident.resolved.is_(False))).first()
    if open_one is None:
        session.add(Incident(instance_id=row.id, definition_id=row.definition_id, tenant_id=row.tenant_id,
                             incident_type=FAILED_JOB, message=message, created=now,
                             task_id=job.id if job else None, element_id=job.element_id if job else None))
    else:
        open_one.message = message
        if job is not None:
            open_one.task_id = job.id
            open_one.element_id = job.element_id
    # Core UPDATE: flags the instance without bumping its optimistic-lock version.
    session.execute(update(ProcessInstance).where(ProcessInstance.id == row.id)
                    .values(incident=True, timer_lease_owner=_HOLD_OWNER, timer_lease_until=hold_until)
                    .execution_options(synchronize_session=False))


def set_job_retries(ctx: OpsContext, job: str, retries: int) -> None:
    """retries > 0: the failed timer may run again (its incident is resolved); 0: it fails and is held."""
    if retries is None or retries < 0:
        raise BadRequest(f"The number of job retries must be a non-negative Integer, but '{retries}' has been "
                         "provided.")
    view = get_job(ctx, job)
    with ctx.transaction() as session:
        if view.instance_id is None:
            start_jobs.set_retries(session, view.id, retries, ctx.clock.now())
            return
        row = persistence.get_row(session, view.instance_id)
        if retries > 0:
            _resolve_failures(session, row.id)
            from .calls import retry_failed_calls   # a call activity whose called process was missing
            # An async delegate that failed runs again now (its handler may be registered since).
            from .delegate_jobs import retry
            with engine_errors():
                retry_failed_calls(ctx, session, row.id)
                retry(ctx, session, row.id)
        elif view.retries > 0:
            _record_failure(session, row, ctx.clock.now(), "Retries set to 0", _HELD_UNTIL, view)


def execute_job(ctx: OpsContext, job: str) -> None:
    """Fire the job's timer now (a timer start event's job: start its instance now). A failure is recorded
    like a scheduler's (an open failedJob incident, retried later) and reported; the instance stays where
    it was."""
    view = get_job(ctx, job)
    if view.suspended:
        raise BadRequest(f"Cannot execute job {job}: it is suspended")
    if view.due is None and view.retries == 0:
        # No timer: the failure is a call activity whose child could not start; executing retries it.
        set_job_retries(ctx, job, 1)
        return
    if view.due is None:
        raise BadRequest(f"Cannot execute job {job}: the instance has no pending timer")
    now = ctx.clock.now()
    if view.instance_id is None:
        _execute_start_job(ctx, view, now)
        return
    from service.engine.timer_execution import bring_forward_timer
    try:
        with ctx.transaction() as session, engine_errors():
            row = persistence.get_row(session, view.instance_id)
            timer_task_id = session.scalar(select(TimerJob.timer_task_id).where(TimerJob.id == view.id))
            loaded = persistence.load(ctx, session, row.id, row=row)
            if timer_task_id is None or not bring_forward_timer(loaded.inst, timer_task_id, now):
                raise NotFound(f"Job with id {job} does not exist", pesan=f"Job dengan id {job} tidak ditemukan")
            loaded.inst.fire_due_timers()
            persistence.save(ctx, session, loaded, now=now)
            _resolve_failures(session, row.id)
    except OpsError as exc:
        if is_request_error(exc):
            raise
        from .timers import RETRY_AFTER
        with ctx.transaction() as session:
            row = persistence.get_row(session, view.instance_id)
            _record_failure(session, row, now, exc.message, now + RETRY_AFTER, view)
        raise


def _execute_start_job(ctx: OpsContext, view: JobView, now: datetime) -> None:
    from .timers import RETRY_AFTER

    try:
        with ctx.transaction() as session, engine_errors():
            start_job = session.get(TimerStartJob, view.id)
            if start_job is None:
                raise NotFound(f"Job with id {view.id} does not exist")
            start_jobs.start_instance(ctx, session, start_job, now)
    except NotFound:
        raise
    except OpsError as exc:
        # Whatever stops the new instance (a request error when a client starts it) is the job's failure here.
        with ctx.transaction() as session:
            start_jobs.record_failure(session, view.id, now, exc.message, now + RETRY_AFTER)
        raise OperationFailed(exc.message, pesan=exc.pesan) from exc


resolve_failures = _resolve_failures
record_failure = _record_failure

__all__ = ["resolve_failures", "record_failure",
           "JobView", "JobQuery", "query_jobs", "count_jobs", "get_job", "set_job_retries", "execute_job",
           "FAILED_JOB", "DEFAULT_RETRIES"]
