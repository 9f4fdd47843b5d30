"""Operator pages (process owners of the instance's tenant, `access.can_operate`): on the instance page
cancel with a reason, suspend and resume, "move here" (a step clicked on the diagram: the current steps
are cancelled and the chosen one starts), and retrying an incident with changed variables; the migration
page of a definition (target version, editable plan, validation, selection, batch) and the batch page
with its progress bar."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.ops import NotFound, OpsError, get_definition, list_definitions
from service.ops import batches, incidents, migration, modification, suspension
from service.ops.access import can_operate
from service.ops.incident_retry import retry_incident
from service.ops.instances import InstanceQuery, cancel_instance, get_instance, get_variables
from service.ops.views import DefinitionView, InstanceView
from service.web.blueprint import bp, forbid, ops, principal
from service.web.i18n import current_lang

MAX_REASON = 2000


@dataclass(frozen=True)
class OperatorPanel:
    """What the instance page offers an operator."""

    instance: InstanceView
    incidents: list[incidents.IncidentView]
    variables: list[tuple[str, Any]]


def operator_panel(inst: InstanceView) -> OperatorPanel | None:
    """The operator section of the instance page, or None for whoever may not operate."""
    if inst.ended or not can_operate(principal(), inst.tenant_id):
        return None
    found = incidents.query_incidents(ops(), incidents.IncidentQuery(instance_id=inst.id))
    return OperatorPanel(inst, found, sorted((inst.variables or {}).items()))


def _operable(instance_id: str) -> InstanceView:
    try:
        inst = get_instance(ops(), instance_id)
    except NotFound:
        forbid()
    if not can_operate(principal(), inst.tenant_id):
        forbid()
    return inst


def _reason(required: bool) -> str | None:
    reason = (request.form.get("alasan") or "").strip()[:MAX_REASON] or None
    if required and reason is None:
        raise _Invalid(_("Tuliskan alasannya."))
    return reason


class _Invalid(Exception):
    pass


def _back(instance_id: str) -> Any:
    return redirect(url_for("web.instance_page", instance_id=instance_id))


def _message(exc: OpsError) -> str:
    return exc.pesan if current_lang() == "id" else exc.message


@bp.route("/proses/<instance_id>/batalkan", methods=["POST"])
def cancel_page(instance_id: str) -> Any:
    _operable(instance_id)
    try:
        cancel_instance(ops(), instance_id, reason=_reason(True), user=principal().user_id)
    except _Invalid as exc:
        flash(str(exc), "error")
        return _back(instance_id)
    flash(_("Proses dibatalkan."), "success")
    return _back(instance_id)


@bp.route("/proses/<instance_id>/tangguhkan", methods=["POST"])
def suspend_page(instance_id: str) -> Any:
    _operable(instance_id)
    suspended = request.form.get("tangguhkan") == "1"
    suspension.suspend_instance(ops(), instance_id, suspended, user=principal().user_id)
    flash(_("Proses ditangguhkan.") if suspended else _("Proses dilanjutkan."), "success")
    return _back(instance_id)


@bp.route("/proses/<instance_id>/pindah", methods=["POST"])
def move_page(instance_id: str) -> Any:
    """"Move here": every current step is cancelled and the chosen step starts (Camunda: cancel +
    startBeforeActivity), all or nothing."""
    inst = _operable(instance_id)
    target = (request.form.get("langkah") or "").strip()
    if not target:
        flash(_("Pilih langkah tujuan pada diagram."), "error")
        return _back(instance_id)
    current = get_instance(ops(), inst.id, with_active=True).active_elements or []
    instructions = [modification.ModificationInstruction("cancel", activity_id=element_id,
                                                         cancel_current_active_activity_instances=True)
                    for element_id in dict.fromkeys(a.element_id for a in current)]
    instructions.append(modification.ModificationInstruction("startBeforeActivity", activity_id=target))
    try:
        modification.modify_instance(ops(), instance_id, instructions, annotation=_reason(False),
                                     user=principal().user_id)
    except OpsError as exc:
        flash(_("Langkah tidak dapat dipindahkan: %(m)s", m=_message(exc)), "error")
        return _back(instance_id)
    from service.ops.participation import process_shape
    element = process_shape(ops(), inst.definition_id).element(target)
    flash(_("Proses dipindahkan ke langkah %(s)s.", s=(element.name if element else None) or target), "success")
    return _back(instance_id)


def _typed_like(old: Any, text: str) -> Any:
    """A form value in the type the variable had (the page edits text)."""
    if isinstance(old, bool):
        return text.strip().lower() in ("true", "ya", "1", "benar")
    if isinstance(old, int):
        return int(text.strip())
    if isinstance(old, (float, Decimal)):
        return Decimal(text.strip())
    if old is None and text == "":
        return None
    return text


@bp.route("/proses/<instance_id>/insiden/<incident_id>/ulangi", methods=["POST"])
def retry_page(instance_id: str, incident_id: str) -> Any:
    """Retry with these values: the changed variables are set, then the failed job runs again now (a timer)
    or the external task gets a retry (its worker fetches it again)."""
    _operable(instance_id)
    incident = incidents.get_incident(ops(), incident_id)
    if incident.instance_id != instance_id:
        forbid()
    current = get_variables(ops(), instance_id)
    changed: dict[str, Any] = {}
    try:
        for name, old in current.items():
            field = f"var__{name}"
            if field in request.form and request.form[field] != _as_text(old):
                changed[name] = _typed_like(old, request.form[field])
    except (ValueError, InvalidOperation):
        flash(_("Nilai variabel tidak sesuai jenisnya."), "error")
        return _back(instance_id)
    try:
        retry_incident(ops(), incident_id, changed, user=principal().user_id)
    except OpsError as exc:
        flash(_("Percobaan ulang gagal: %(m)s", m=_message(exc)), "error")
        return _back(instance_id)
    flash(_("Percobaan ulang dijalankan."), "success")
    return _back(instance_id)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- migration -------------------------------------------------------------------------------------


def _definition(definition_id: str) -> DefinitionView:
    try:
        definition = get_definition(ops(), "process", definition_id=definition_id)
    except NotFound:
        forbid()
    if not can_operate(principal(), definition.tenant_id):
        forbid()
    return definition


def _selection(definition_id: str) -> tuple[str, InstanceQuery]:
    chosen = request.form.get("pilihan") or request.args.get("pilihan") or "semua"
    q = InstanceQuery(definition_id=definition_id)
    if chosen == "insiden":
        q.with_incident = True
    elif chosen == "saring":
        text = (request.form.get("kunci") or "").strip()
        q.business_key_like = f"%{text}%" if text else None
    return chosen, q


@bp.route("/model/proses/<definition_id>/migrasi", methods=["GET", "POST"])
def migration_page(definition_id: str) -> Any:
    source = _definition(definition_id)
    versions = [d for d in list_definitions(ops(), "process", key=source.key, tenant=source.tenant_id)
                if d.id != source.id and d.tenant_id == source.tenant_id]
    versions.sort(key=lambda d: -d.version)
    if not versions:
        flash(_("Belum ada versi lain untuk tujuan migrasi."), "error")
        return redirect(url_for("web.definitions"))
    target_id = request.values.get("ke") or versions[0].id
    target = next((d for d in versions if d.id == target_id), versions[0])
    generated = migration.generate_plan(ops(), source.id, target.id)
    source_elements, target_elements = _mappable(source.id), _mappable(target.id)
    mapping = {i.source_activity_ids[0]: i.target_activity_ids[0] for i in generated.instructions}
    if request.method == "POST":
        mapping = {element: request.form.get(f"peta__{element}") or "" for element in source_elements}
        mapping = {k: v for k, v in mapping.items() if v}
    plan = migration.MigrationPlan(source.id, target.id,
                                   [migration.PlanInstruction([k], [v]) for k, v in mapping.items()])
    chosen, selection = _selection(source.id)
    report = None
    if request.method == "POST":
        scope = (sorted(principal().tenants), True)
        try:
            if request.form.get("aksi") == "mulai":
                batch = migration.execute_async(ops(), plan, instance_query=selection, user=principal().user_id,
                                                annotation=_reason(False), tenant_scope=scope)
                return redirect(url_for("web.batch_page", batch_id=batch.id))
            report = migration.validate(ops(), plan, instance_query=selection, tenant_scope=scope)
        except OpsError as exc:
            flash(_message(exc), "error")
    return render_template("migration.html", source=source, target=target, versions=versions,
                           source_elements=source_elements, target_elements=target_elements, mapping=mapping,
                           report=report, chosen=chosen, kunci=request.form.get("kunci") or "")


def _mappable(definition_id: str) -> dict[str, str]:
    """{element id: label} of the elements a plan can map, in the model's order."""
    from service.ops.participation import process_shape

    shape = process_shape(ops(), definition_id)
    return {e.id: (e.name or e.id) for e in shape.elements.values() if e.type in migration.MAPPABLE}


@bp.route("/batch/<batch_id>")
def batch_page(batch_id: str) -> Any:
    view = _batch(batch_id)
    return render_template("batch.html", batch=view)


@bp.route("/batch/<batch_id>/status")
def batch_status(batch_id: str) -> Any:
    """The progress bar's poll (the page's JSON, like REST's /batch/{id}/statistics)."""
    view = _batch(batch_id)
    done = view.completed + view.failed
    return jsonify({"total": view.total, "completed": view.completed, "failed": view.failed,
                    "remaining": view.remaining, "percent": 100 if not view.total else int(100 * done / view.total),
                    "ended": view.end_time is not None or view.remaining == 0, "failures": view.failures[:50]})


def _batch(batch_id: str) -> batches.BatchView:
    p = principal()
    if not p.is_process_owner:
        forbid()
    try:
        view = batches.get_batch(ops(), batch_id)
    except NotFound:
        forbid()
    if not can_operate(p, view.tenant_id):
        forbid()
    return view


__all__ = ["operator_panel", "OperatorPanel"]
