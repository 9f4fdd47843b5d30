"""The rows of the task list: my tasks and my groups' open tasks, in my tenants, overdue first."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timedelta

from service.ops import OpsContext, TaskQuery, count_tasks
from service.ops.access import Principal, can_work_task, task_kwargs
from service.ops.calendar import due_today_until
from service.ops.tasks import count_tasks_and_overdue, query_tasks_in_due_order
from service.ops.participation import ProcessShape, process_shape
from service.ops.views import TaskView
from service.web.due import DueInfo, due_info

DUE_FILTERS = ("overdue", "today", "week", "none")


@dataclass(frozen=True)
class TaskRow:
    task: TaskView
    sop_name: str
    step_no: str
    step_name: str
    due: DueInfo
    mine: bool
    can_work: bool


@dataclass(frozen=True)
class TaskFilters:
    sop: str | None = None          # process definition key
    tenant: str | None = None
    due: str | None = None          # one of DUE_FILTERS


def step_label(task_name: str | None, no: str | None) -> str:
    """"2. Menyampaikan ..." -> "Menyampaikan ..." when the number is shown in its own column."""
    name = task_name or ""
    if no:
        name = re.sub(rf"^\s*{re.escape(no)}[.)]\s*", "", name)
    return name


class ShapeCache:
    """Process shapes by definition id for one request (many tasks share a definition)."""

    def __init__(self, ctx: OpsContext) -> None:
        self.ctx = ctx
        self._items: dict[str, ProcessShape] = {}

    def get(self, definition_id: str) -> ProcessShape:
        if definition_id not in self._items:
            self._items[definition_id] = process_shape(self.ctx, definition_id)
        return self._items[definition_id]


def _query(ctx: OpsContext, p: Principal, filters: TaskFilters) -> TaskQuery | None:
    """My tasks and my groups' open tasks (`access.can_work_task`), narrowed by the filters, as one query."""
    if filters.tenant and filters.tenant not in p.tenants:
        return None
    q = TaskQuery(definition_key=filters.sop or None, workable_by=p,
                  tenant_ids=[filters.tenant] if filters.tenant else None)
    now = ctx.clock.now()
    if filters.due == "none":
        q.without_due = True
    elif filters.due == "overdue":
        q.overdue_at = now
    elif filters.due == "today":
        q.due_before = due_today_until(ctx.work_calendar(), now)
    elif filters.due == "week":
        q.due_until = now + timedelta(days=7)
    return q


@dataclass(frozen=True)
class TaskPage:
    rows: list[TaskRow]
    total: int          # rows of the whole list, every page
    late: int           # overdue rows of the whole list


def task_page(ctx: OpsContext, p: Principal, filters: TaskFilters, *, first: int, size: int,
              lang: str = "id") -> TaskPage:
    """One page of the task list, overdue first, then by due date; sorted, paged and counted in the
    database, and due dates worded only for the rows shown. `first` is clamped to the last page."""
    q = _query(ctx, p, filters)
    if q is None:
        return TaskPage([], 0, 0)
    now = ctx.clock.now()
    if filters.due == "overdue":
        total = late = count_tasks(ctx, q)
    else:
        total, late = count_tasks_and_overdue(ctx, q, now)
    if not total:
        return TaskPage([], 0, 0)
    first = min(first, (total - 1) // size * size)
    tasks = query_tasks_in_due_order(ctx, replace(q, first_result=first, max_results=size))
    calendar = ctx.work_calendar()
    shapes = ShapeCache(ctx)
    rows = []
    for t in tasks:
        shape = shapes.get(t.definition_id)
        no = str(t.properties.get("sop.no") or "")
        rows.append(TaskRow(task=t, sop_name=shape.definition.name or t.definition_key, step_no=no,
                            step_name=step_label(t.name, no) or t.element_id,
                            due=due_info(t.due, now, calendar, lang), mine=t.assignee == p.user_id,
                            can_work=can_work_task(p, **task_kwargs(t))))
    return TaskPage(rows, total, late)


__all__ = ["TaskRow", "TaskFilters", "TaskPage", "task_page", "step_label", "ShapeCache", "DUE_FILTERS"]
