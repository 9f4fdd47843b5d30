"""Process instances: the list of those I may see, and the instance page (diagram, timeline, variables,
documents, decisions)."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Response, render_template, request

from service.ops import (
    NotFound,
    TaskQuery,
    get_instance,
    history,
    query_tasks,
    resource_content,
)
from service.ops.access import Principal, can_see_instance
from service.ops.attention import flags, needing_attention
from service.ops.documents import list_documents
from service.ops.instances import (InstanceQuery, called_instances, count_instances, instance_definition_ids,
                                   query_instances)
from service.ops.participation import ProcessShape, instance_participants, process_shape
from service.ops.views import InstanceView
from service.web.blueprint import bp, forbid, ops, principal
from service.web.i18n import current_lang
from service.web.pagination import asked_window, page_of
from service.web.tasklist import ShapeCache
from service.web.timeline import completed_ids, decisions, timeline
from service.web.views.operations import operator_panel


def may_see(p: Principal, inst: InstanceView, shape: ProcessShape) -> bool:
    if can_see_instance(p, tenant_id=inst.tenant_id, lanes=shape.lanes, started_by=inst.start_user_id):
        return True
    return can_see_instance(p, tenant_id=inst.tenant_id, lanes=(), started_by=inst.start_user_id,
                            participants=instance_participants(ops(), inst.id))


def instance_or_403(instance_id: str, **kw: Any) -> tuple[InstanceView, ProcessShape]:
    try:
        inst = get_instance(ops(), instance_id, **kw)
    except NotFound:
        forbid()
    shape = process_shape(ops(), inst.definition_id)
    if not may_see(principal(), inst, shape):
        forbid()
    return inst, shape


@bp.route("/proses")
def instances() -> Any:
    p = principal()
    show_all = request.args.get("semua") == "1"
    sop = request.args.get("sop") or None
    shapes = ShapeCache(ops())
    # Shared (tenant-less) instances are visible to members of any tenant, so they are listed too.
    query = InstanceQuery(visible_to=p, active=not show_all, newest_first=True)
    sops: dict[str, str] = {}
    for definition_id in instance_definition_ids(ops(), query):
        definition = shapes.get(definition_id).definition
        sops.setdefault(definition.key, definition.name or definition.key)
    query.definition_key = sop
    total = count_instances(ops(), query)
    first, size = asked_window(request.args)
    first = min(first, max(total - 1, 0) // size * size)
    found = query_instances(ops(), replace(query, first_result=first, max_results=size))
    page = page_of([(inst, shapes.get(inst.definition_id)) for inst in found], total, first, size)
    # Where each shown process stands: its open steps (only for the page shown, one query).
    active = [inst.id for inst, _shape in page.items if inst.state == "ACTIVE"]
    current: dict[str, list[str]] = {instance_id: [] for instance_id in active}
    for t in query_tasks(ops(), TaskQuery(instance_ids=active)) if active else ():
        current[t.instance_id].append(t.name or t.element_id)
    # Stuck work first (issue 14): a process owner sees instances with incidents or late steps on top.
    attention = [(inst, shapes.get(inst.definition_id)) for inst in needing_attention(ops(), p, definition_key=sop)]
    marks = flags(ops(), [inst.id for inst, _shape in page.items] + [inst.id for inst, _shape in attention])
    return render_template("instances.html", rows=page.items, page=page, show_all=show_all, current=current,
                           sop=sop, sops=sorted(sops.items(), key=lambda kv: kv[1]), attention=attention,
                           marks=marks)


@bp.route("/proses/<instance_id>")
def instance_page(instance_id: str) -> Any:
    ctx = ops()
    inst, shape = instance_or_403(instance_id, with_variables=True, with_active=True)
    events = history(ctx, instance_id)
    lang = current_lang()
    rows = timeline(events, shape, ctx.work_calendar(), ctx.clock.now(), lang)
    open_tasks = query_tasks(ctx, TaskQuery(instance_id=instance_id))
    active = [a.element_id for a in inst.active_elements or []]
    return render_template("instance.html", inst=inst, shape=shape, rows=rows, decisions=decisions(events),
                           completed=[e for e in completed_ids(events) if e not in active], active=active,
                           documents=list_documents(ctx, instance_id), open_tasks=open_tasks,
                           variables=sorted((inst.variables or {}).items()), called=called_instances(ctx, instance_id),
                           panel=operator_panel(inst))


@bp.route("/proses/<instance_id>/diagram.bpmn")
def instance_diagram(instance_id: str) -> Any:
    inst, shape = instance_or_403(instance_id)
    xml = resource_content(ops(), shape.definition.deployment_id, shape.definition.resource_name)
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "private, max-age=300"})
