"""The task list (`/`) with claim and unclaim."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.ops import claim, unclaim
from service.ops.access import can_work_task, task_kwargs
from service.ops.participation import latest_shapes
from service.web.blueprint import bp, forbid, ops, principal, safe_next
from service.web.i18n import current_lang
from service.web.pagination import asked_window, page_of
from service.web.tasklist import DUE_FILTERS, TaskFilters, task_page
from service.web.views.task_page import task_or_403


@bp.route("/")
def tasks() -> Any:
    p = principal()
    due = request.args.get("due") or None
    filters = TaskFilters(sop=request.args.get("sop") or None, tenant=request.args.get("tenant") or None,
                          due=due if due in DUE_FILTERS else None)
    first, size = asked_window(request.args)
    found = task_page(ops(), p, filters, first=first, size=size, lang=current_lang())
    sops: dict[str, str] = {}
    for shape in latest_shapes(ops(), list[str | None](sorted(p.tenants))):
        sops.setdefault(shape.definition.key, shape.definition.name or shape.definition.key)
    first = min(first, max(found.total - 1, 0) // size * size)
    page = page_of(found.rows, found.total, first, size)
    return render_template("tasks.html", rows=page.items, page=page, late=found.late, filters=filters,
                           sops=sorted(sops.items(), key=lambda kv: kv[1]), tenants=sorted(p.tenants),
                           due_filters=DUE_FILTERS)


@bp.route("/tugas/<task_id>/klaim", methods=["POST"])
def claim_task(task_id: str) -> Any:
    task = task_or_403(task_id)
    if not can_work_task(principal(), **task_kwargs(task)):
        forbid()
    claim(ops(), task_id, principal().user_id)
    flash(_("Tugas diklaim: %(name)s", name=task.name or task.element_id), "success")
    return redirect(safe_next(request.form.get("next"), url_for("web.tasks")))


@bp.route("/tugas/<task_id>/lepas", methods=["POST"])
def unclaim_task(task_id: str) -> Any:
    task = task_or_403(task_id)
    if task.assignee != principal().user_id:
        forbid()
    unclaim(ops(), task_id)
    flash(_("Tugas dilepas: %(name)s", name=task.name or task.element_id), "success")
    return redirect(safe_next(request.form.get("next"), url_for("web.tasks")))
