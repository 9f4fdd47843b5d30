"""The rows of the task list: my tasks and my groups' open tasks, in my tenants, overdue first."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from service.ops import OpsContext, TaskQuery, query_tasks
from service.ops.access import Principal, can_see_task, can_work_task, task_kwargs
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


def visible_tasks(ctx: OpsContext, p: Principal, filters: TaskFilters) -> list[TaskView]:
    if filters.tenant and filters.tenant not in p.tenants:
        return []
    tenants = [filters.tenant] if filters.tenant else sorted(p.tenants)
    base: dict[str, Any] = {"definition_key": filters.sop or None, "tenant_ids": tenants or None,
                            "without_tenant": not filters.tenant}
    if not tenants and filters.tenant is None:
        base["without_tenant"] = True
    found: dict[str, TaskView] = {}
    queries = [TaskQuery(assignee=p.user_id, **base), TaskQuery(candidate_user=p.user_id, **base)]
    if p.groups:
        queries.append(TaskQuery(candidate_groups=sorted(p.groups), **base))
    for q in queries:
        for t in query_tasks(ctx, q):
            found[t.id] = t
    # The SQL filters narrow; the access rules decide.
    return [t for t in found.values() if can_see_task(p, **task_kwargs(t))]


def _due_match(row: TaskRow, wanted: str | None, now: datetime) -> bool:
    if not wanted:
        return True
    due = row.task.due
    if wanted == "none":
        return due is None
    if due is None:
        return False
    if wanted == "overdue":
        return row.due.state == "overdue"
    if wanted == "today":
        return row.due.state in ("overdue", "today")
    if wanted == "week":
        return due <= now + timedelta(days=7)
    return True


def task_rows(ctx: OpsContext, p: Principal, filters: TaskFilters, *, lang: str = "id") -> list[TaskRow]:
    now = ctx.clock.now()
    calendar = ctx.work_calendar()
    shapes = ShapeCache(ctx)
    rows = []
    for t in visible_tasks(ctx, p, filters):
        shape = shapes.get(t.definition_id)
        no = str(t.properties.get("sop.no") or "")
        rows.append(TaskRow(task=t, sop_name=shape.definition.name or t.definition_key, step_no=no,
                            step_name=step_label(t.name, no) or t.element_id,
                            due=due_info(t.due, now, calendar, lang), mine=t.assignee == p.user_id,
                            can_work=can_work_task(p, **task_kwargs(t))))
    rows = [r for r in rows if _due_match(r, filters.due, now)]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    rows.sort(key=lambda r: (r.due.state != "overdue", r.task.due or far, r.task.created, r.task.id))
    return rows


__all__ = ["TaskRow", "TaskFilters", "task_rows", "visible_tasks", "step_label", "ShapeCache", "DUE_FILTERS"]
