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
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import Select, bindparam, case, func, or_, select, union, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from service.store import TaskCandidate, UserTask
from service.store.types import UTCDateTime

from .access import Principal

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


def _tenant(column: Any, p: Principal) -> ColumnElement[bool]:
    """access_sql.in_tenant with the tenants as a parameter (`tenants`), so the statement can be reused."""
    if not p.tenants:
        return column.is_(None)
    return or_(column.is_(None), column.in_(bindparam("tenants", expanding=True)))


def _branches(p: Principal | None, workable: bool) -> tuple[list[_Branch], dict[str, Any]]:
    """The branches of `p`'s list and the values of their parameters (`user`, `tenants`, `group<n>`)."""
    if p is None:    # no access rule: the task table itself
        return [_Branch(UserTask.id, UserTask.due, UserTask.created, UserTask.tenant_id, (), False)], {}
    params: dict[str, Any] = {"user": p.user_id}
    if p.tenants:
        params["tenants"] = sorted(p.tenants)
    user: Any = bindparam("user")
    offered: list[tuple[str, Any]] = []
    for n, group in enumerate(sorted(p.groups)):
        params[f"group{n}"] = group
        offered.append(("group", bindparam(f"group{n}")))
    branches = []
    for kind, value in [*offered, ("user", user)]:
        c = _OFFERED
        conds = [c.kind == kind, c.value == value, _tenant(c.tenant_id, p)]
        if workable:
            conds.append(or_(c.assignee.is_(None), c.assignee == user))
        branches.append(_Branch(c.task_id, c.due, c.created, c.tenant_id, tuple(conds), True))
    # Assigned to them: workable too (unclaimed or claimed by them).
    branches.append(_Branch(UserTask.id, UserTask.due, UserTask.created, UserTask.tenant_id,
                            (UserTask.assignee == user, _tenant(UserTask.tenant_id, p)), False))
    return branches, params


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


# Built statements by the shape of an unfiltered list (who, how many groups, tenants or not, order): building
# one costs about 3 ms of Python, as much as the rest of a request; the values are parameters.
_BUILT: dict[tuple[Any, ...], Select[Any]] = {}
_BUILT_MAX = 512


def _reuse(q: TaskQuery, shape: tuple[Any, ...], build: Callable[[], Select[Any]]) -> Select[Any]:
    from .tasks import due_tenant_conditions, task_conditions
    if task_conditions(q) or due_tenant_conditions(q, UserTask.due, UserTask.tenant_id):
        return build()          # a filtered list: its values are in the statement
    statement = _BUILT.get(shape)
    if statement is None:
        statement = build()
        if len(_BUILT) < _BUILT_MAX:
            _BUILT[shape] = statement
    return statement


def _shape(p: Principal | None, workable: bool) -> tuple[Any, ...]:
    return (None,) if p is None else (workable, len(p.groups), bool(p.tenants))


def page_statement(q: TaskQuery, order: Order) -> tuple[Select[Any], dict[str, Any]]:
    """The user_task rows of `q`'s page in `order`, and the statement's parameters (`supported(q)` must
    hold)."""
    who = _principal(q)
    assert who is not None and q.max_results is not None
    first, size = max(q.first_result, 0), max(q.max_results, 0)
    branches, params = _branches(*who)

    def build() -> Select[Any]:
        parts = []
        for b in branches:
            columns = [b.task_id.label("task_id"), b.due.label("due")]
            columns += [b.created.label("created")] if order.by_created else []
            for no_due in (True, False):
                # `due` leads the null range's order too: PostgreSQL does not take `due IS NULL` as a
                # constant, and would sort that range instead of reading the index in order.
                keys = [b.due] + ([b.created] if order.by_created else []) + [b.task_id]
                # A task is at most once in a branch (task_candidate is unique on kind, value, task), so
                # the first `first + size` rows of each branch hold every task of the page.
                part = (_where(b, q, columns).where(b.due.is_(None) if no_due else b.due.is_not(None))
                        .order_by(*keys).limit(bindparam("reach")))
                # A subquery each: SQLite allows no ORDER BY/LIMIT on a member of a compound SELECT.
                parts.append(select(*part.subquery().c))
        merged = (parts[0] if len(parts) == 1 else union(*parts)).subquery()
        last = 1 if order.nulls_last else 0
        nulls = case((merged.c.due.is_(None), last), else_=1 - last).label("nulls")
        keys = [nulls, merged.c.due] + ([merged.c.created] if order.by_created else []) + [merged.c.task_id]
        shown = (select(merged.c.task_id, *keys[:-1]).order_by(*keys)
                 .offset(bindparam("first")).limit(bindparam("size")).subquery())
        tail = [shown.c.created] if order.by_created else []
        return (select(UserTask).join(shown, shown.c.task_id == UserTask.id)
                .order_by(shown.c.nulls, shown.c.due, *tail, UserTask.id))

    statement = _reuse(q, ("page", order, *_shape(*who)), build)
    return statement, {**params, "reach": first + size, "first": first, "size": size}


def count_statement(q: TaskQuery, overdue_at: datetime | None = None) -> tuple[Select[Any], dict[str, Any]]:
    """COUNT(*) of `q`'s tasks: the union of the branches' ids (`count_supported(q)` must hold), and the
    statement's parameters. With `overdue_at`, a second column counts those due before it: one read of the
    index for both figures."""
    who = _principal(q)
    assert who is not None
    branches, params = _branches(*who)

    def build() -> Select[Any]:
        parts = [_where(b, q, [b.task_id.label("task_id"), b.due.label("due")]) for b in branches]
        inner = (parts[0] if len(parts) == 1 else union(*parts)).subquery()
        if overdue_at is None:
            return select(func.count()).select_from(inner)
        late = func.coalesce(func.sum(case((inner.c.due < bindparam("now", type_=UTCDateTime()), 1), else_=0)), 0)
        return select(func.count(), late).select_from(inner)

    statement = _reuse(q, ("count", overdue_at is None, *_shape(*who)), build)
    return statement, ({**params, "now": overdue_at} if overdue_at is not None else params)


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
