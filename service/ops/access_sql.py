"""The access rules of `access.py` as SQL conditions, so lists are narrowed, sorted, paged and counted in
the database. Each condition here must select exactly the rows its rule in `access.py` accepts
(tests/ops/test_access_matrix.py compares them on SQLite and PostgreSQL)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, exists, false, or_, select, union
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from service.store import HistoryEvent, ProcessInstance, TaskCandidate, UserTask

from .access import Principal


def in_tenant(column: Any, p: Principal) -> ColumnElement[bool]:
    """`access.in_tenant`: tenant-less rows, and rows of the principal's tenants."""
    if not p.tenants:
        return column.is_(None)
    return or_(column.is_(None), column.in_(sorted(p.tenants)))


def task_visible(p: Principal) -> ColumnElement[bool]:
    """`access.can_see_task` on `UserTask`: in a tenant of theirs, and assigned to them, or offered to them
    as a candidate user or through a candidate group."""
    # One IN over a UNION rather than OR'ed EXISTS: the planner can then drive from the candidate and
    # assignee indexes (a user offered 5% of the tasks reads those) instead of filtering every task row.
    mine = and_(TaskCandidate.kind == "user", TaskCandidate.value == p.user_id)
    if p.groups:
        mine = or_(mine, and_(TaskCandidate.kind == "group", TaskCandidate.value.in_(sorted(p.groups))))
    held = aliased(UserTask, name="held_task")
    offered = UserTask.id.in_(union(select(TaskCandidate.task_id).where(mine),
                                    select(held.id).where(held.assignee == p.user_id)))
    return and_(in_tenant(UserTask.tenant_id, p), offered)


def task_workable(p: Principal) -> ColumnElement[bool]:
    """`access.can_work_task`: visible, and unclaimed or claimed by them."""
    return and_(task_visible(p), or_(UserTask.assignee.is_(None), UserTask.assignee == p.user_id))


def instance_visible(p: Principal, lane_definition_ids: Sequence[str]) -> ColumnElement[bool]:
    """`access.can_see_instance` on `ProcessInstance`: in a tenant of theirs, and they own the tenant's
    processes, started it, took part in it (a history event of theirs or a task they hold), or hold a lane of
    its definition (`lane_definition_ids`: participation.lane_definition_ids)."""
    tenant = in_tenant(ProcessInstance.tenant_id, p)
    if p.is_process_owner:
        return tenant
    pi = ProcessInstance
    by_lane = pi.definition_id.in_(sorted(lane_definition_ids)) if lane_definition_ids else false()
    return and_(tenant, or_(
        pi.start_user_id == p.user_id, by_lane,
        exists().where(HistoryEvent.user_id == p.user_id, HistoryEvent.instance_id == pi.id),
        exists().where(UserTask.assignee == p.user_id, UserTask.instance_id == pi.id)))


__all__ = ["in_tenant", "task_visible", "task_workable", "instance_visible"]
