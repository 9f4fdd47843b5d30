"""Starting a process: the processes this user may start, the start form and the business key."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.forms import html_to_values, validate_submission
from service.ops import NotFound, OpsError, TaskQuery, query_tasks, start_instance
from service.ops.access import can_start, can_work_task, task_kwargs
from service.ops.participation import ProcessShape, latest_shapes, process_shape
from service.web.blueprint import bp, forbid, ops, principal
from service.web.form_lookup import EmbeddedForm, FormMissing, empty_values, start_form
from service.web.i18n import current_lang
from service.web.reveal import (
    HIDDEN_INPUT,
    REVEALED,
    hidden_keys,
    newly_shown,
    posted_hidden,
)
from service.web.views.task_page import field_labels, revealed_message

MAX_BUSINESS_KEY = 255


def startable(p: Any) -> list[ProcessShape]:
    shapes = latest_shapes(ops(), sorted(p.tenants) + [None])
    return [s for s in shapes if can_start(p, tenant_id=s.definition.tenant_id, start_lanes=s.start_lanes)]


@bp.route("/mulai")
def start_list() -> Any:
    shapes = sorted(startable(principal()), key=lambda s: ((s.definition.tenant_id or ""),
                                                           (s.definition.name or s.definition.key)))
    return render_template("start_list.html", shapes=shapes)


def _shape_or_403(definition_id: str) -> ProcessShape:
    try:
        shape = process_shape(ops(), definition_id)
    except NotFound:
        forbid()
    p = principal()
    if not can_start(p, tenant_id=shape.definition.tenant_id, start_lanes=shape.start_lanes):
        forbid()
    # Only the latest version is started from the page: an old id must not start an old version.
    latest = [s for s in latest_shapes(ops(), [shape.definition.tenant_id])
              if s.definition.key == shape.definition.key]
    if not latest:
        forbid()          # suspended: nothing to start
    # The check above was on the version asked for; the version actually started may have moved its
    # start lane, so the right to start is checked again on it.
    if not can_start(p, tenant_id=latest[0].definition.tenant_id, start_lanes=latest[0].start_lanes):
        forbid()
    return latest[0]


@bp.route("/mulai/<definition_id>", methods=["GET", "POST"])
def start_page(definition_id: str) -> Any:
    shape = _shape_or_403(definition_id)
    tenant = shape.definition.tenant_id
    try:
        form = start_form(ops(), shape.start_form_ref, tenant, shape.start_form_fields)
    except FormMissing as exc:
        return render_template("error.html", code=500, message=_("Formulir %(ref)s belum dideploy untuk instansi "
                                                                 "ini.", ref=str(exc))), 500
    except EmbeddedForm as exc:
        return render_template("error.html", code=501, message=_(
            "Proses ini dimulai dengan formulir tertanam Camunda Tasklist (%(key)s), yang tidak dijalankan "
            "halaman Alur. Mulai proses ini lewat /engine-rest.", key=str(exc))), 501
    values: dict[str, Any] = empty_values(form)
    errors: dict[str, list[str]] = {}
    business_key = ""
    if request.method == "POST":
        business_key = (request.form.get("business_key") or "").strip()
        values = html_to_values(form, request.form) if form is not None else {}
        clean, errors = (validate_submission(form, values, lang=current_lang()) if form is not None else ({}, {}))
        errors = dict(errors)
        if len(business_key) > MAX_BUSINESS_KEY:
            errors["business_key"] = [_("Maksimal %(n)s karakter.", n=MAX_BUSINESS_KEY)]
        revealed = newly_shown(form, values, None, posted_hidden(request.form.getlist(HIDDEN_INPUT)))
        if revealed:
            for key in revealed:
                errors.pop(key, None)
            errors[REVEALED] = [revealed_message(form, revealed)]
        if not errors:
            p = principal()
            try:
                inst = start_instance(ops(), definition_id=shape.definition.id, variables=clean,
                                      business_key=business_key or None, user=p.user_id)
            except OpsError as exc:
                errors["_form"] = [exc.pesan if current_lang() == "id" else exc.message]
            else:
                flash(_("Proses dimulai: %(name)s", name=shape.definition.name or shape.definition.key), "success")
                mine = [t for t in query_tasks(ops(), TaskQuery(instance_id=inst.id))
                        if can_work_task(p, **task_kwargs(t))]
                if mine:
                    return redirect(url_for("web.task_page", task_id=mine[0].id))
                return redirect(url_for("web.instance_page", instance_id=inst.id))
    hidden = hidden_keys(form, values)
    return render_template("start.html", shape=shape, form=form, values=values, errors=errors,
                           hidden_keys=hidden, business_key=business_key,
                           labels={**field_labels(form), "business_key": _("Kunci bisnis")}), (422 if errors else 200)
