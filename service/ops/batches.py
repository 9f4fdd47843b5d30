"""Batches (Camunda's `/batch`): one operation over many instances (migration, modification, deletion),
worked by the scheduler (`alur serve`'s thread or `alur worker`) a chunk at a time under a lease, so any
number of schedulers share the work. Each instance is changed in its own transaction: one that fails is
kept in `failures` with the reason (Camunda's failed batch jobs) and the batch stays listed until it is
deleted; one that succeeds is never touched again. A batch without failures ends (history only)."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Sequence

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from service.store import Batch

from . import operation_log, query
from .context import OpsContext, updated_rows
from .engine_errors import translate
from .errors import BadRequest, Conflict, NotFound, OpsError

log = logging.getLogger(__name__)

MIGRATION = "instance-migration"
MODIFICATION = "instance-modification"
DELETION = "instance-deletion"
TYPES = (MIGRATION, MODIFICATION, DELETION)
_LOG_TYPE = {MIGRATION: operation_log.MIGRATE, MODIFICATION: operation_log.MODIFY,
             DELETION: operation_log.DELETE_BATCH}
LEASE = timedelta(minutes=5)
CHUNK = 100               # instances claimed per lease
MAX_FAILURES_KEPT = 1000  # failure reasons kept per batch (the count is always exact)


@dataclass(frozen=True)
class BatchView:
    id: str
    type: str
    total: int
    completed: int
    failed: int
    remaining: int
    suspended: bool
    tenant_id: str | None
    user_id: str | None
    start_time: datetime
    execution_start_time: datetime | None
    end_time: datetime | None
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def remaining_jobs(self) -> int:
        """Camunda counts failed jobs as remaining (they wait for a retry or the batch's deletion)."""
        return self.remaining + self.failed


def _view(row: Batch) -> BatchView:
    return BatchView(id=row.id, type=row.type, total=row.total, completed=row.completed, failed=row.failed,
                     remaining=len(row.remaining or []), suspended=row.suspended, tenant_id=row.tenant_id,
                     user_id=row.user_id, start_time=row.start_time, execution_start_time=row.execution_start_time,
                     end_time=row.end_time, failures=list(row.failures or []))


def create_batch(ctx: OpsContext, session: Session, batch_type: str, instance_ids: Sequence[str],
                 payload: dict[str, Any], *, user: str | None, tenant_id: str | None) -> BatchView:
    if batch_type not in TYPES:
        raise BadRequest(f"unknown batch type '{batch_type}'")
    now = ctx.clock.now()
    row = Batch(type=batch_type, total=len(instance_ids), completed=0, failed=0, suspended=False,
                tenant_id=tenant_id, user_id=user, start_time=now, payload=payload,
                remaining=list(instance_ids), failures=[])
    session.add(row)
    session.flush()
    operation_log.record(session, now, _LOG_TYPE[batch_type], operation_log.Subject("Batch", batch_id=row.id,
                                                                                    tenant_id=tenant_id),
                         user=user, annotation=payload.get("annotation") or payload.get("deleteReason"),
                         properties={"nrOfInstances": (None, len(instance_ids)), "async": (None, True)})
    return _view(row)


# -- the runner -----------------------------------------------------------------------------------


Handler = Callable[[OpsContext, Session, str, "str | None", str, "str | None"], None]


def _handler(batch_type: str, payload: dict[str, Any]) -> Handler:
    """The change one instance of a batch undergoes: (ctx, session, instance id, user, batch id, operation id)."""
    annotation = payload.get("annotation")
    if batch_type == MIGRATION:
        from .migration import MigrationPlan, migrate_in
        plan = MigrationPlan.from_json(payload["plan"])

        def migrate(ctx: OpsContext, session: Session, instance_id: str, user: str | None, batch_id: str,
                    operation_id: str | None) -> None:
            migrate_in(ctx, session, instance_id, plan, user=user, annotation=annotation,
                       operation_id=operation_id, batch_id=batch_id)
        return migrate
    if batch_type == MODIFICATION:
        from .modification import ModificationInstruction, modify_in
        instructions = [ModificationInstruction(**i) for i in payload["instructions"]]

        def modify(ctx: OpsContext, session: Session, instance_id: str, user: str | None, batch_id: str,
                   operation_id: str | None) -> None:
            modify_in(ctx, session, instance_id, instructions, annotation=annotation, user=user,
                      operation_id=operation_id, batch_id=batch_id)
        return modify
    from .instances import cancel_in
    reason = payload.get("deleteReason")
    fail_if_missing = bool(payload.get("failIfNotExists", True))

    def cancel(ctx: OpsContext, session: Session, instance_id: str, user: str | None, batch_id: str,
               operation_id: str | None) -> None:
        try:
            cancel_in(ctx, session, instance_id, reason=reason, user=user, operation_id=operation_id)
        except NotFound:
            if fail_if_missing:
                raise
    return cancel


def _claim(ctx: OpsContext, owner: str, now: datetime) -> Batch | None:
    free = and_(Batch.end_time.is_(None), Batch.suspended.is_(False), Batch.completed + Batch.failed < Batch.total,
                or_(Batch.lease_until.is_(None), Batch.lease_until < now))
    with ctx.transaction() as session:
        candidate = session.scalars(select(Batch.id).where(free).order_by(Batch.start_time, Batch.id).limit(1)).first()
        if candidate is None:
            return None
        result = session.execute(update(Batch).where(Batch.id == candidate, free)
                                 .values(lease_owner=owner, lease_until=now + LEASE, version=Batch.version + 1,
                                         execution_start_time=func.coalesce(Batch.execution_start_time, now))
                                 .execution_options(synchronize_session=False))
        if updated_rows(result) != 1:
            return None
        row = session.get(Batch, candidate)
        if row is None:
            return None
        session.expunge(row)
        return row


def work_batches(ctx: OpsContext, *, owner: str, max_seconds: float = 2.0) -> int:
    """Work batch chunks for up to `max_seconds`; returns how many instances were processed."""
    started = time.monotonic()
    processed = 0
    while time.monotonic() - started < max_seconds:
        batch = _claim(ctx, owner, ctx.clock.now())
        if batch is None:
            break
        processed += _work_chunk(ctx, batch, owner, started + max_seconds)
    return processed


def _work_chunk(ctx: OpsContext, batch: Batch, owner: str, deadline: float) -> int:
    handler = _handler(batch.type, dict(batch.payload or {}))
    operation_id = None
    done: list[str] = []
    failures: list[dict[str, Any]] = []
    for instance_id in list(batch.remaining or [])[:CHUNK]:
        try:
            _change(ctx, handler, instance_id, batch, operation_id)
        except Exception as exc:    # noqa: BLE001 - one failing instance is reported, the batch goes on
            mapped = exc if isinstance(exc, OpsError) else translate(exc)
            if mapped is None:
                log.exception("batch %s: instance %s failed", batch.id, instance_id)
            failures.append({"processInstanceId": instance_id,
                             "message": mapped.message if mapped else f"{type(exc).__name__}: {exc}"})
        done.append(instance_id)
        if time.monotonic() > deadline:
            break
    _record_progress(ctx, batch.id, owner, done, failures)
    return len(done)


def _change(ctx: OpsContext, handler: Handler, instance_id: str, batch: Batch, operation_id: str | None) -> None:
    """One instance in its own transaction; a user who saved the same instance first (Conflict) gets
    one retry on the fresh state before the instance counts as failed."""
    for attempt in (1, 2):
        try:
            with ctx.transaction() as session:
                handler(ctx, session, instance_id, batch.user_id, batch.id, operation_id)
            return
        except Conflict:
            if attempt == 2:
                raise


def _record_progress(ctx: OpsContext, batch_id: str, owner: str, done: list[str],
                     failures: list[dict[str, Any]]) -> None:
    with ctx.transaction() as session:
        row = session.get(Batch, batch_id)
        if row is None or row.lease_owner != owner or row.end_time is not None:
            return      # deleted meanwhile
        finished = set(done)
        row.remaining = [i for i in (row.remaining or []) if i not in finished]
        row.failed += len(failures)
        row.completed += len(done) - len(failures)
        row.failures = (list(row.failures or []) + failures)[:MAX_FAILURES_KEPT]
        row.lease_owner = None
        row.lease_until = None
        if not row.remaining and row.failed == 0:
            row.end_time = ctx.clock.now()


def run_to_end(ctx: OpsContext, batch_id: str, *, owner: str = "inline", max_rounds: int = 100_000) -> BatchView:
    """Work the batches until `batch_id` has nothing left (tests, the benchmark, `alur` one-shot runs)."""
    for _ in range(max_rounds):
        view = get_batch(ctx, batch_id)
        if view.remaining == 0 or view.suspended or view.end_time is not None:
            return view
        work_batches(ctx, owner=owner, max_seconds=60.0)
    return get_batch(ctx, batch_id)


# -- reading and managing ---------------------------------------------------------------------------


@dataclass
class BatchQuery:
    batch_id: str | None = None
    type: str | None = None
    suspended: bool | None = None
    tenant_ids: list[str] | None = None
    include_without_tenant: bool = True
    with_ended: bool = False          # history: ended batches too
    completed: bool | None = None     # history: only ended (True) or only running (False)
    first_result: int = 0
    max_results: int | None = None


def _filtered(q: BatchQuery) -> Any:
    conds: list[Any] = []
    if not q.with_ended:
        conds.append(Batch.end_time.is_(None))
    if q.completed is not None:
        conds.append(Batch.end_time.is_not(None) if q.completed else Batch.end_time.is_(None))
    if q.batch_id is not None:
        conds.append(Batch.id == q.batch_id)
    if q.type is not None:
        conds.append(Batch.type == q.type)
    if q.suspended is not None:
        conds.append(Batch.suspended.is_(q.suspended))
    if q.tenant_ids is not None:
        tenant = query.tenant_condition(Batch.tenant_id, q.tenant_ids, include_without_tenant=q.include_without_tenant)
        conds.append(tenant if tenant is not None else Batch.id.is_(None))
    return select(Batch).where(*conds)


def query_batches(ctx: OpsContext, q: BatchQuery) -> list[BatchView]:
    statement = query.paged(_filtered(q).order_by(Batch.start_time, Batch.id), q.first_result, q.max_results)
    with ctx.transaction() as session:
        return [_view(r) for r in session.scalars(statement)]


def count_batches(ctx: OpsContext, q: BatchQuery) -> int:
    with ctx.transaction() as session:
        return query.count(session, _filtered(q), Batch.id)


def get_batch(ctx: OpsContext, batch_id: str, *, with_ended: bool = True) -> BatchView:
    with ctx.transaction() as session:
        row = session.get(Batch, batch_id)
        if row is None or (row.end_time is not None and not with_ended):
            raise NotFound(f"Batch with id '{batch_id}' does not exist",
                           pesan=f"Batch {batch_id} tidak ditemukan")
        return _view(row)


def suspend_batch(ctx: OpsContext, batch_id: str, suspended: bool, *, user: str | None = None) -> None:
    with ctx.transaction() as session:
        row = session.get(Batch, batch_id)
        if row is None or row.end_time is not None:
            raise NotFound(f"Batch for id '{batch_id}' cannot be found")
        if row.suspended != suspended:
            row.suspended = suspended
            operation_log.record(session, ctx.clock.now(), "SuspendBatch" if suspended else "ActivateBatch",
                                 operation_log.Subject("Batch", batch_id=row.id, tenant_id=row.tenant_id), user=user,
                                 properties={"suspensionState": (None, "suspended" if suspended else "active")})


def delete_batch(ctx: OpsContext, batch_id: str, *, user: str | None = None) -> None:
    """The batch stops and leaves the runtime lists (its history stays); instances already done stay done."""
    with ctx.transaction() as session:
        row = session.get(Batch, batch_id)
        if row is None or row.end_time is not None:
            raise NotFound(f"Batch for id '{batch_id}' cannot be found")
        row.end_time = ctx.clock.now()
        row.lease_owner = None
        row.lease_until = None
        operation_log.record(session, row.end_time, operation_log.DELETE,
                             operation_log.Subject("Batch", batch_id=row.id, tenant_id=row.tenant_id), user=user,
                             properties={"remaining": (len(row.remaining or []), 0)})


__all__ = ["BatchView", "BatchQuery", "create_batch", "work_batches", "run_to_end", "query_batches", "count_batches",
           "get_batch", "suspend_batch", "delete_batch", "MIGRATION", "MODIFICATION", "DELETION", "TYPES"]
