"""Camunda's `/job` resource for timers, from what the store keeps: every active or suspended instance
with a pending timer (`next_timer_due`) or a failed one (an open `failedJob` incident) has one job,
due at its earliest timer. Setting retries resolves the failure; executing fires the timer now.

A job id is a random UUID stored on the instance row (`job_id`): it cannot be derived from the instance
id, and `/job/{id}` finds its instance by that unique column.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select, update
from sqlalchemy.orm import Session, aliased

from service.store import Incident, InstanceState, ProcessInstance

from . import persistence, query
from .context import OpsContext
from .engine_errors import engine_errors
from .errors import BadRequest, NotFound, OpsError, is_request_error
from .work_scope import WorkScope

FAILED_JOB = "failedJob"
DEFAULT_RETRIES = 3          # Camunda's default for a job that has not failed
# A job whose retries were set to 0 is held until retries are set again (Camunda never runs it).
_HELD_UNTIL = datetime(9999, 1, 1, tzinfo=timezone.utc)
_HOLD_OWNER = "retry"        # the lease owner the scheduler uses for a failed timer waiting to be retried


@dataclass(frozen=True)
class JobView:
    id: str
    instance_id: str
    definition_id: str
    definition_key: str
    due: datetime | None
    retries: int
    exception_message: str | None
    failed_activity_id: str | None
    suspended: bool
    tenant_id: str | None
    created: datetime | None


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


def _query(q: JobQuery, now: datetime) -> tuple[Select[Any], Any]:
    pi = ProcessInstance
    failure = aliased(Incident, name="job_failure")
    query = (select(pi, failure.message, failure.element_id, failure.created)
             .outerjoin(failure, and_(failure.instance_id == pi.id, failure.incident_type == FAILED_JOB,
                                      failure.resolved.is_(False)))
             .where(pi.state.in_([InstanceState.ACTIVE, InstanceState.SUSPENDED]),
                    or_(pi.next_timer_due.is_not(None), failure.id.is_not(None))))
    ids = [i for i in [q.job_id, *(q.job_ids or [])] if i is not None]
    if ids:
        query = query.where(pi.job_id.in_([str(j) for j in ids]))
    if q.instance_id is not None:
        query = query.where(pi.id == q.instance_id)
    if q.instance_ids:
        query = query.where(pi.id.in_(q.instance_ids))
    if q.definition_id is not None:
        query = query.where(pi.definition_id == q.definition_id)
    if q.definition_key is not None:
        query = query.where(pi.definition_key == q.definition_key)
    if q.activity_ids:
        # Which element a pending timer belongs to is kept in the engine state only; a failure names it.
        query = query.where(failure.element_id.in_(q.activity_ids))
    if q.execution_id is not None:
        query = query.where(pi.id == q.execution_id)
    if q.exception_message is not None:
        query = query.where(failure.message == q.exception_message)
    if (q.priority_min is not None and q.priority_min > 0) or (q.priority_max is not None and q.priority_max < 0):
        query = query.where(literal(False))
    if q.with_exception or q.no_retries_left:
        query = query.where(failure.id.is_not(None))
    if q.with_retries_left:
        query = query.where(failure.id.is_(None))
    if q.executable:
        query = query.where(failure.id.is_(None), pi.next_timer_due <= now)
    if q.messages:
        query = query.where(literal(False))          # every job here is a timer
    if q.due_before is not None:
        query = query.where(pi.next_timer_due < q.due_before)
    if q.due_after is not None:
        query = query.where(pi.next_timer_due > q.due_after)
    if q.active:
        query = query.where(pi.state == InstanceState.ACTIVE)
    if q.suspended:
        query = query.where(pi.state == InstanceState.SUSPENDED)
    if q.without_tenant_id:
        query = query.where(pi.tenant_id.is_(None))
    if q.tenant_ids is not None:
        cond = pi.tenant_id.in_(q.tenant_ids)
        query = query.where(or_(cond, pi.tenant_id.is_(None)) if q.include_without_tenant else cond)
    if q.scope is not None:
        query = query.where(q.scope.condition())
    return query, failure


def _sort_columns(failure: Any) -> dict[str, Any]:
    pi = ProcessInstance
    return {"jobId": pi.job_id, "executionId": pi.id, "processInstanceId": pi.id,
            "processDefinitionId": pi.definition_id, "processDefinitionKey": pi.definition_key,
            "jobRetries": case((failure.id.is_not(None), 0), else_=DEFAULT_RETRIES), "jobPriority": literal(0),
            "jobDueDate": pi.next_timer_due, "tenantId": pi.tenant_id}


def _view(row: ProcessInstance, message: str | None, element_id: str | None, failed_at: datetime | None) -> JobView:
    failed = failed_at is not None
    return JobView(id=row.job_id, instance_id=row.id, definition_id=row.definition_id,
                   definition_key=row.definition_key, due=row.next_timer_due, retries=0 if failed else DEFAULT_RETRIES,
                   exception_message=message if failed else None, failed_activity_id=element_id if failed else None,
                   suspended=row.state == InstanceState.SUSPENDED, tenant_id=row.tenant_id, created=None)


def query_jobs(ctx: OpsContext, q: JobQuery) -> list[JobView]:
    statement, failure = _query(q, ctx.clock.now())
    statement = query.ordered(statement, q.sort, _sort_columns(failure), ProcessInstance.id,
                              default=[("jobDueDate", "asc")])
    with ctx.transaction() as session:
        return [_view(*row) for row in session.execute(query.paged(statement, q.first_result, q.max_results)).all()]


def count_jobs(ctx: OpsContext, q: JobQuery) -> int:
    statement, _ = _query(q, ctx.clock.now())
    with ctx.transaction() as session:
        return query.count(session, statement, ProcessInstance.id)


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
                    hold_until: datetime) -> None:
    """One open failedJob incident per instance (the scheduler's convention), and the timer held."""
    open_one = session.scalars(select(Incident).where(Incident.instance_id == row.id,
                                                      Incident.incident_type == FAILED_JOB,
                                                      Incident.resolved.is_(False))).first()
    if open_one is None:
        session.add(Incident(instance_id=row.id, definition_id=row.definition_id, tenant_id=row.tenant_id,
                             incident_type=FAILED_JOB, message=message, created=now))
    else:
        open_one.message = message
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
        row = persistence.get_row(session, view.instance_id)
        if retries > 0:
            _resolve_failures(session, row.id)
        elif view.retries > 0:
            _record_failure(session, row, ctx.clock.now(), "Retries set to 0", _HELD_UNTIL)


def execute_job(ctx: OpsContext, job: str) -> None:
    """Fire the instance's earliest timer now. A failure is recorded like a scheduler's (an open
    failedJob incident, retried later) and reported; the instance stays where it was."""
    from service.engine.timer_execution import bring_forward_earliest_timer

    view = get_job(ctx, job)
    if view.suspended:
        raise BadRequest(f"Cannot execute job {job}: the process instance is suspended")
    if view.due is None:
        raise BadRequest(f"Cannot execute job {job}: the instance has no pending timer")
    now = ctx.clock.now()
    try:
        with ctx.transaction() as session, engine_errors():
            row = persistence.get_row(session, view.instance_id)
            loaded = persistence.load(ctx, session, row.id, row=row)
            bring_forward_earliest_timer(loaded.inst, now)
            loaded.inst.fire_due_timers()
            persistence.save(ctx, session, loaded, now=now)
            _resolve_failures(session, row.id)
    except OpsError as exc:
        if is_request_error(exc):
            raise
        from .timers import RETRY_AFTER
        with ctx.transaction() as session:
            row = persistence.get_row(session, view.instance_id)
            _record_failure(session, row, now, exc.message, now + RETRY_AFTER)
        raise


__all__ = ["JobView", "JobQuery", "query_jobs", "count_jobs", "get_job", "set_job_retries", "execute_job",
           "FAILED_JOB", "DEFAULT_RETRIES"]
