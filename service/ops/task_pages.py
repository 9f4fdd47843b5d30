"""Pages and counts of task lists, shaped so the database walks an index in the list's order and stops at
the page's end (issue 10).

A user's list (access.can_see_task / can_work_task) is a union of branches: each of their candidate
groups, the user as a candidate user, and the tasks assigned to them. One OR over all of them makes the
database gather every visible task and sort it; here each branch is its own index range (task_candidate's
copies of the task's tenant, assignee, due date and creation, or user_task's assignee index), read in the
list's order and cut at first+max rows. The few rows of all branches are then merged, deduplicated, ordered
and paged, and only those rows' tasks are read. Tasks without a due date are a second range of each branch
(`due IS NULL`), so no per-row expression decides their place and the order is the same on SQLite and
PostgreSQL. A count counts the union of the branches' task ids, read from the index alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, case, func, or_, select, union, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from service.store import TaskCandidate, UserTask

from .access import Principal
from .access_sql import in_tenant

if TYPE_CHECKING:
    from .tasks import TaskQuery


@dataclass(frozen=True)
class Order:
    """A list order on the due date: where tasks without one go, and what breaks ties (then the id)."""
    nulls_last: bool
    by_created: bool


WORKLIST = Order(nulls_last=True, by_created=True)   # the task list: overdue first, no due date last
DUE_ASC = Order(nulls_last=False, by_created=False)  # Camunda's sortBy=dueDate asc: NULL is the lowest


@dataclass(frozen=True)
class _Branch:
    """One index range of the list: the columns it reads, its conditions, and whether the task's other
    filters need its user_task row."""
    task_id: Any
    due: Any
    created: Any
    tenant: Any
    conds: tuple[ColumnElement[bool], ...]
    candidate: bool


# Aliased: a filter's own EXISTS on task_candidate (candidateGroup=...) must not correlate to it. One alias
# for every branch (each is its own subquery) and every request: building an alias costs milliseconds.
_OFFERED = aliased(TaskCandidate, name="offered")


def _branches(p: Principal | None, workable: bool) -> list[_Branch]:
    if p is None:    # no access rule: the task table itself
        return [_Branch(UserTask.id, UserTask.due, UserTask.created, UserTask.tenant_id, (), False)]
    branches = []
    for kind, value in [("group", g) for g in sorted(p.groups)] + [("user", p.user_id)]:
        c = _OFFERED
        conds = [c.kind == kind, c.value == value, in_tenant(c.tenant_id, p)]
        if workable:
            conds.append(or_(c.assignee.is_(None), c.assignee == p.user_id))
        branches.append(_Branch(c.task_id, c.due, c.created, c.tenant_id, tuple(conds), True))
    # Assigned to them: workable too (unclaimed or claimed by them).
    branches.append(_Branch(UserTask.id, UserTask.due, UserTask.created, UserTask.tenant_id,
                            (UserTask.assignee == p.user_id, in_tenant(UserTask.tenant_id, p)), False))
    return branches


def _where(b: _Branch, q: TaskQuery, columns: list[Any]) -> Select[Any]:
    from .tasks import due_tenant_conditions, task_conditions
    statement = select(*columns).where(*b.conds, *due_tenant_conditions(q, b.due, b.tenant))
    others = task_conditions(q)
    if others:
        if b.candidate:
            statement = statement.join(UserTask, UserTask.id == b.task_id)
        statement = statement.where(*others)
    return statement


def _principal(q: TaskQuery) -> tuple[Principal | None, bool] | None:
    """The principal whose list `q` is and whether it is the workable list; None when `q` has two."""
    if q.visible_to is not None and q.workable_by is not None:
        return None
    return (q.workable_by, True) if q.workable_by is not None else (q.visible_to, False)


def supported(q: TaskQuery) -> bool:
    """Whether `page` can answer `q`: one principal at most and a bounded page."""
    return _principal(q) is not None and q.max_results is not None


def page_statement(q: TaskQuery, order: Order) -> Select[Any]:
    """The user_task rows of `q`'s page in `order` (`supported(q)` must hold)."""
    who = _principal(q)
    assert who is not None and q.max_results is not None
    first, size = max(q.first_result, 0), max(q.max_results, 0)
    parts = []
    for b in _branches(*who):
        columns = [b.task_id.label("task_id"), b.due.label("due")]
        columns += [b.created.label("created")] if order.by_created else []
        for no_due in (True, False):
            keys = ([] if no_due else [b.due]) + ([b.created] if order.by_created else []) + [b.task_id]
            # A task is at most once in a branch (task_candidate is unique on kind, value, task), so the
            # first `first + size` rows of each branch hold every task of the page.
            part = (_where(b, q, columns).where(b.due.is_(None) if no_due else b.due.is_not(None))
                    .order_by(*keys).limit(first + size))
            # A subquery each: SQLite allows no ORDER BY/LIMIT on a member of a compound SELECT.
            parts.append(select(*part.subquery().c))
    merged = (parts[0] if len(parts) == 1 else union(*parts)).subquery()
    last = 1 if order.nulls_last else 0
    nulls = case((merged.c.due.is_(None), last), else_=1 - last).label("nulls")
    keys = [nulls, merged.c.due] + ([merged.c.created] if order.by_created else []) + [merged.c.task_id]
    shown = select(merged.c.task_id, *keys[:-1]).order_by(*keys).offset(first).limit(size).subquery()
    return (select(UserTask).join(shown, shown.c.task_id == UserTask.id)
            .order_by(shown.c.nulls, shown.c.due, *([shown.c.created] if order.by_created else []), UserTask.id))


def count_statement(q: TaskQuery, overdue_at: datetime | None = None) -> Select[Any]:
    """COUNT(*) of `q`'s tasks: the union of the branches' ids (`count_supported(q)` must hold). With
    `overdue_at`, a second column counts those due before it: one read of the index for both figures."""
    who = _principal(q)
    assert who is not None
    parts = [_where(b, q, [b.task_id.label("task_id"), b.due.label("due")]) for b in _branches(*who)]
    inner = (parts[0] if len(parts) == 1 else union(*parts)).subquery()
    if overdue_at is None:
        return select(func.count()).select_from(inner)
    late = func.coalesce(func.sum(case((inner.c.due < overdue_at, 1), else_=0)), 0)
    return select(func.count(), late).select_from(inner)


def count_supported(q: TaskQuery) -> bool:
    return _principal(q) is not None


def refresh_copies(session: Session, task_ids: list[str]) -> None:
    """Copy the tasks' tenant, assignee, due date and creation onto their candidate rows: after any change
    of a task's assignee (claim, assignment, identity link) or of its candidates."""
    if not task_ids:
        return
    copied = {column: select(getattr(UserTask, column)).where(UserTask.id == TaskCandidate.task_id)
              .scalar_subquery() for column in ("tenant_id", "assignee", "due", "created")}
    session.execute(update(TaskCandidate).where(TaskCandidate.task_id.in_(task_ids)).values(**copied)
                    .execution_options(synchronize_session=False))


__all__ = ["Order", "WORKLIST", "DUE_ASC", "supported", "count_supported", "page_statement", "count_statement",
           "refresh_copies"]
