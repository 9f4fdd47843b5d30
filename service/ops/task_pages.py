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

from sqlalchemy import Select, and_, bindparam, case, func, literal, or_, select, union, union_all, update
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
_BUILT: dict[tuple[Any, ...], Any] = {}
_BUILT_MAX = 512


def _reuse(q: TaskQuery, shape: tuple[Any, ...], build: Callable[[], Any]) -> Any:
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


# The candidate rows a count probes to find a task already counted under another key of the user.
_SEEN = aliased(TaskCandidate, name="seen")


def _keyed(p: Principal, workable: bool, n: int) -> _Branch:
    """The branch of the user's n-th (kind, value) key, the key as parameters `kind<n>`, `value<n>`."""
    c = _OFFERED
    conds = [c.kind == bindparam(f"kind{n}"), c.value == bindparam(f"value{n}"), _tenant(c.tenant_id, p)]
    if workable:
        conds.append(or_(c.assignee.is_(None), c.assignee == bindparam("user")))
    return _Branch(c.task_id, c.due, c.created, c.tenant_id, tuple(conds), True)


def _tally(n: int, rows: Select[Any]) -> Select[Any]:
    """One row (n, COUNT(*), how many are due before `now`) of `rows` (task_id, due): one read for both."""
    inner = rows.subquery()
    late = func.coalesce(func.sum(case((inner.c.due < bindparam("now", type_=UTCDateTime()), 1), else_=0)), 0)
    return select(literal(n).label("n"), func.count().label("total"), late.label("late")).select_from(inner)


def _tallies(session: Session, statement: Any, params: dict[str, Any]) -> list[tuple[int, int]]:
    found = sorted(session.execute(statement, params).all())
    return [(int(total or 0), int(late or 0)) for _, total, late in found]


def _in_keys(task_id: Any, keys: range) -> ColumnElement[bool]:
    """The task has a candidate row under one of the keys numbered `keys`."""
    return select(_SEEN.id).where(_SEEN.task_id == task_id, or_(*[
        and_(_SEEN.kind == bindparam(f"kind{n}"), _SEEN.value == bindparam(f"value{n}")) for n in keys])).exists()


def count(session: Session, q: TaskQuery, overdue_at: datetime | None = None) -> tuple[int, int]:
    """The number of `q`'s tasks, and of those due before `overdue_at` (0 without it).

    A union of 100k task ids costs a hash or sort of them all (over a second on SQLite); instead each key of
    the user (group or candidate user) is counted from the index alone, then the keys are taken largest
    first and a task of a smaller key is subtracted when it has a row under a key before it (probes of the
    smaller keys' rows only), and tasks assigned to the user are added when they have no row under any key.
    Exact because every filter is a condition on the task (its copied columns are the same on all its
    candidate rows): a task that passes them in one branch is in another branch exactly when it has a
    candidate row with that branch's key.
    """
    who = _principal(q)
    assert who is not None
    p, workable = who
    params: dict[str, Any] = {"now": overdue_at}
    if p is None:
        (table,), _ = _branches(None, workable)
        total, late = _tallies(session, _reuse(q, ("tally",), lambda: _tally(0, _where(
            table, q, [table.task_id.label("task_id"), table.due.label("due")]))), params)[0]
        return total, late
    keys = [("group", g) for g in sorted(p.groups)] + [("user", p.user_id)]
    params.update(user=p.user_id, **({"tenants": sorted(p.tenants)} if p.tenants else {}))
    shape = (workable, len(keys), bool(p.tenants))

    def rows(b: _Branch) -> Select[Any]:
        return _where(b, q, [b.task_id.label("task_id"), b.due.label("due")])

    def sizes() -> Any:
        return union_all(*[_tally(n, rows(_keyed(p, workable, n))) for n in range(len(keys))])

    def numbered(order: list[int]) -> dict[str, Any]:
        return {**{f"kind{i}": keys[n][0] for i, n in enumerate(order)},
                **{f"value{i}": keys[n][1] for i, n in enumerate(order)}}

    per_key = _tallies(session, _reuse(q, ("key sizes", *shape), sizes), {**params, **numbered(list(range(len(keys))))})
    largest_first = sorted(range(len(keys)), key=lambda n: -per_key[n][0])
    total = sum(t for t, _ in per_key)
    late = sum(k for _, k in per_key)

    def overlaps() -> Any:
        parts = []
        for n in range(1, len(keys)):       # a key's tasks already counted under an earlier (larger) key
            b = _keyed(p, workable, n)
            parts.append(_tally(n, rows(b).where(_in_keys(b.task_id, range(n)))))
        assigned = _branches(p, workable)[0][-1]   # their assigned tasks under none of their keys
        parts.append(_tally(len(keys), rows(assigned).where(~_in_keys(assigned.task_id, range(len(keys))))))
        return union_all(*parts)

    found = _tallies(session, _reuse(q, ("key overlaps", *shape), overlaps), {**params, **numbered(largest_first)})
    for t, k in found[:-1]:
        total, late = total - t, late - k
    return total + found[-1][0], late + found[-1][1]


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


__all__ = ["Order", "WORKLIST", "DUE_ASC", "supported", "count_supported", "page_statement", "count",
           "refresh_copies"]
