"""The task page: the step's SOP context, its form (server-rendered, server-validated) and documents."""
from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.forms import html_to_values, validate_submission
from service.ops import (
    NotFound,
    OpsError,
    TaskQuery,
    complete_task,
    get_task,
    get_variables,
    query_tasks,
)
from service.ops.access import can_see_task, can_work_task, require_can_complete, task_kwargs
from service.ops.documents import Upload, list_documents, step_documents, upload_problem
from service.ops.participation import process_shape
from service.web.blueprint import bp, forbid, ops, principal
from service.web.due import due_info
from service.web.form_lookup import EmbeddedForm, FormMissing, empty_values, task_form
from service.web.error_status import page_status
from service.web.form_text import fill_form_texts
from service.web.i18n import current_lang
from service.web.kelengkapan import kelengkapan_section
from service.web.reveal import (
    HIDDEN_INPUT,
    REVEALED,
    hidden_keys,
    newly_shown,
    posted_hidden,
)
from service.web.settings import document_policy
from service.web.step_context import step_context
from service.web.tasklist import step_label


def field_labels(form: Any) -> dict[str, str]:
    """Error summaries name fields the way the form labels them."""
    return {f.key: (f.label or f.key) for f in form.value_fields()} if form is not None else {}


def task_or_403(task_id: str) -> Any:
    """The task when this user may see it; a missing id and a foreign one are the same 403."""
    try:
        task = get_task(ops(), task_id)
    except NotFound:
        forbid()
    if not can_see_task(principal(), **task_kwargs(task)):
        forbid()
    return task


def _render(task: Any, form: Any, values: dict[str, Any], errors: dict[str, list[str]], context: dict[str, Any],
            *, ticked: set[str] | None = None, status: int = 200) -> Any:
    ctx = ops()
    lang = current_lang()
    form = fill_form_texts(form, context)
    step = step_context(task.properties, task.documentation, lang=lang)
    shape = process_shape(ctx, task.definition_id)
    hidden = hidden_keys(form, values, context)
    field = kelengkapan_field(form)
    section = kelengkapan_section(form, field, step.kelengkapan, values, ticked or set())
    skip = repeated_intro(form, task.name) | ({section.skip_id} if section.skip_id else set())
    return render_template(
        "task.html", task=task, form=form, values=values, errors=errors, hidden_keys=hidden, step=step,
        step_name=step_label(task.name, step.no) or task.element_id, sop_name=shape.definition.name or
        task.definition_key, due=due_info(task.due, ctx.clock.now(), ctx.work_calendar(), lang),
        can_work=can_work_task(principal(), **task_kwargs(task)), documents=list_documents(ctx, task.instance_id),
        ticked=ticked or set(), policy=document_policy(current_app.config), labels=field_labels(form),
        own_checklist=field is None, kelengkapan=section, skip_ids=skip,
        form_has_files=form is not None and any(f.type == "filepicker" for f in form.value_fields())), status


def _embedded_form_page(form_key: str) -> Any:
    return render_template("error.html", code=501, message=_(
        "Tugas ini memakai formulir tertanam Camunda Tasklist (%(key)s), yang tidak dijalankan halaman Alur. "
        "Selesaikan tugas ini lewat /engine-rest.", key=form_key)), 501


@bp.route("/tugas/<task_id>", methods=["GET"])
def task_page(task_id: str) -> Any:
    task = task_or_403(task_id)
    try:
        form = task_form(ops(), task)
    except FormMissing as exc:
        return render_template("error.html", code=500, message=_("Formulir %(ref)s belum dideploy untuk instansi "
                                                                 "ini.", ref=str(exc))), 500
    except EmbeddedForm as exc:
        return _embedded_form_page(str(exc))
    variables = get_variables(ops(), task.instance_id)
    values = empty_values(form)
    if form is not None:
        values.update({f.variable: variables[f.variable] for f in form.value_fields()
                       if variables.get(f.variable) is not None})
    return _render(task, form, values, {}, variables)


def _uploads(step: Any) -> tuple[list[Upload], set[str]]:
    uploads: list[Upload] = []
    with_file: set[str] = set()
    for i, item in enumerate(step.kelengkapan, start=1):
        for f in request.files.getlist(f"doc_k{i}"):
            if f and f.filename:
                uploads.append(Upload("kelengkapan", item, f.filename, f.read()))
                with_file.add(str(i))
    for f in request.files.getlist("doc_output"):
        if f and f.filename:
            uploads.append(Upload("output", step.output or _("Output"), f.filename, f.read()))
    return uploads, with_file


def upload_message(policy: Any, upload: Upload) -> str | None:
    """The problem with an upload in the page's language."""
    problem = upload_problem(policy, upload)
    if problem is None:
        return None
    code, p = problem
    if code == "type":
        return _("%(name)s: jenis berkas tidak diizinkan (boleh: %(allowed)s)", **p)
    if code == "empty":
        return _("%(name)s: berkas kosong", **p)
    if code == "size":
        return _("%(name)s: berkas terlalu besar (maksimal %(max_mb)s MB)", **p)
    return _("%(name)s: isi berkas tidak sesuai dengan jenisnya (.%(ext)s)", **p)


def repeated_intro(form: Any, step_name: str | None) -> set[str]:
    """The SOP importer opens each step form with a text repeating the step's name, Uraian and Output; the
    SOP context card beside the form already shows them, so the page leaves that text out."""
    if form is None or not form.fields or not step_name:
        return set()
    first = form.fields[0]
    if first.type == "text" and (first.text or "").lstrip().startswith(f"**{step_name.strip()}**"):
        return {first.id}
    return set()


def revealed_message(form: Any, keys: list[str]) -> str:
    labels = field_labels(form)
    return _("Pilihan Anda memunculkan isian tambahan: %(fields)s. Periksa isian itu, lalu kirim lagi.",
             fields=", ".join(labels.get(k, k) for k in keys))


def kelengkapan_field(form: Any) -> Any:
    """The form's own Kelengkapan checklist (the SOP importer writes `kelengkapan_<no>`), if it has one."""
    for f in form.value_fields() if form is not None else []:
        if f.type == "checklist" and f.key.startswith("kelengkapan"):
            return f
    return None


def _kelengkapan_missing(step: Any, form: Any, values: dict[str, Any], ticked: set[str]) -> tuple[str, list[str]]:
    """Every Kelengkapan item must be at hand before a step is completed (ticked, or its file uploaded)."""
    uploaded = {step.kelengkapan[int(i) - 1] for i in ticked if i.isdigit() and 0 < int(i) <= len(step.kelengkapan)}
    field = kelengkapan_field(form)
    if field is not None:
        chosen = set(values.get(field.key) or [])
        return field.key, [o.label for o in field.options if o.value not in chosen and o.label not in uploaded]
    return "kelengkapan", [item for item in step.kelengkapan if item not in uploaded]


@bp.route("/tugas/<task_id>", methods=["POST"])
def complete_task_page(task_id: str) -> Any:
    ctx = ops()
    p = principal()
    task = task_or_403(task_id)
    if not can_work_task(p, **task_kwargs(task)):
        forbid()
    lang = current_lang()
    try:
        form = task_form(ctx, task)
    except FormMissing as exc:
        return render_template("error.html", code=500, message=_("Formulir %(ref)s belum dideploy untuk instansi "
                                                                 "ini.", ref=str(exc))), 500
    except EmbeddedForm as exc:
        return _embedded_form_page(str(exc))
    variables = get_variables(ctx, task.instance_id)
    step = step_context(task.properties, task.documentation, lang=lang)
    policy = document_policy(current_app.config)

    values: dict[str, Any] = html_to_values(form, request.form) if form is not None else {}
    for f in (form.value_fields() if form is not None else []):
        if f.readonly:
            # A readonly field shows the process variable; a posted value for it is never taken.
            values.pop(f.variable, None)
            if variables.get(f.variable) is not None:
                values[f.variable] = variables[f.variable]
    field_files: dict[str, list[Any]] = {}
    for f in (form.value_fields() if form is not None else []):
        if f.type == "filepicker":
            field_files[f.variable] = [x for x in request.files.getlist(f.variable) if x and x.filename]
            values[f.variable] = [x.filename for x in field_files[f.variable]]
    clean, errors = (validate_submission(form, values, context=variables, lang=lang) if form is not None
                     else ({}, {}))
    errors = dict(errors)

    uploads, with_file = _uploads(step)
    labels = {f.variable: (f.label or f.variable) for f in (form.value_fields() if form is not None else [])}
    field_uploads: dict[str, list[Upload]] = {
        key: [Upload("output" if key.startswith("berkas_output") else "lampiran", labels[key], x.filename, x.read())
              for x in files] for key, files in field_files.items()}
    ticked = set(request.form.getlist("kelengkapan")) | with_file
    key, missing = _kelengkapan_missing(step, form, values, ticked)
    if missing:
        errors[key] = [_("Kelengkapan belum lengkap: %(items)s", items="; ".join(missing))]
    problems = [msg for msg in (upload_message(policy, u) for u in uploads) if msg]
    for key, items in field_uploads.items():
        bad = [msg for msg in (upload_message(policy, u) for u in items) if msg]
        if bad:
            errors.setdefault(key, []).extend(bad)
    if problems:
        errors["dokumen"] = problems
    revealed = newly_shown(form, values, variables, posted_hidden(request.form.getlist(HIDDEN_INPUT)))
    if revealed:
        # The user never saw these fields: ask for them instead of reporting them as errors.
        for key in revealed:
            errors.pop(key, None)
        errors[REVEALED] = [revealed_message(form, revealed)]
    if errors:
        if uploads or any(field_uploads.values()):
            errors.setdefault("dokumen", []).append(_("Berkas belum disimpan: pilih ulang berkas sebelum mengirim."))
        return _render(task, form, values, errors, variables, ticked=ticked, status=422)

    owners = [None] * len(uploads) + [key for key, items in field_uploads.items() for _u in items]
    all_uploads = uploads + [u for items in field_uploads.values() for u in items]
    try:
        # The files and their rows stay only if the step is completed (any failure removes them).
        with step_documents(ctx, policy, instance_id=task.instance_id, tenant_id=task.tenant_id,
                            uploads=all_uploads, user=p.user_id, task_id=task.id, element_id=task.element_id,
                            step_name=task.name) as stored:
            # A filepicker's variable holds references to the stored documents, never the bytes.
            for key in field_uploads:
                clean[key] = [{"dokumen": doc.id, "nama": doc.filename}
                              for doc, owner in zip(stored, owners, strict=True) if owner == key]
            complete_task(ctx, task.id, clean, user=p.user_id, guard=lambda t: require_can_complete(p, t))
    except OpsError as exc:
        message = exc.pesan if lang == "id" else exc.message
        if page_status(exc) in (400, 500):
            errors["_form"] = [message]
            if all_uploads:
                errors.setdefault("dokumen", []).append(
                    _("Berkas belum disimpan: pilih ulang berkas sebelum mengirim."))
            return _render(task, form, values, errors, variables, ticked=ticked, status=422)
        flash(message, "error")
        return redirect(url_for("web.tasks"))
    flash(_("Langkah selesai: %(name)s", name=task.name or task.element_id), "success")
    nxt = [t for t in query_tasks(ctx, TaskQuery(instance_id=task.instance_id))
           if can_work_task(p, **task_kwargs(t))]
    if nxt:
        return redirect(url_for("web.task_page", task_id=nxt[0].id))
    return redirect(url_for("web.tasks"))
