"""Process-owner pages: deployed definitions with their versions, the BPMN modeler and the DMN editor.
An edit is deployed as a new version of the same key in the same tenant; running instances keep theirs."""
from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Response, jsonify, render_template, request
from flask_babel import gettext as _

from service.ops import NotFound, OpsError, deploy, get_definition, list_definitions, list_instances
from service.ops.access import can_manage_models
from service.ops.attention import counts_by_definition
from service.ops.definitions import parse_resource
from service.ops.deployments import BPMN_SUFFIXES, DMN_SUFFIXES
from service.ops.views import DefinitionView
from service.web.blueprint import bp, forbid, ops, principal
from service.web.dmn_rules import rule_notes
from service.web.error_status import page_status
from service.web.i18n import current_lang

MAX_MODEL_BYTES = 5 * 1024 * 1024
KINDS = {"proses": "process", "keputusan": "decision"}


def _definition_or_403(kind: str, definition_id: str) -> DefinitionView:
    if kind not in KINDS:
        forbid()
    if not principal().is_process_owner:
        forbid()
    try:
        definition = get_definition(ops(), KINDS[kind], definition_id=definition_id)
    except NotFound:
        forbid()
    if not can_manage_models(principal(), definition.tenant_id):
        forbid()
    return definition


@bp.route("/model")
def definitions() -> Any:
    p = principal()
    if not p.is_process_owner:
        forbid()
    groups: dict[str, list[tuple[tuple[str, str], list[DefinitionView]]]] = {}
    running: Counter[str] = Counter()
    for kind in ("process", "decision"):
        by_key: dict[tuple[str, str], list[DefinitionView]] = {}
        for d in list_definitions(ops(), kind):
            if can_manage_models(p, d.tenant_id):
                by_key.setdefault((d.tenant_id or "", d.key), []).append(d)
        groups[kind] = sorted(((k, sorted(v, key=lambda d: -d.version)) for k, v in by_key.items()))
    for tenant in sorted(p.tenants):
        for inst in list_instances(ops(), tenant=tenant, active_only=True):
            running[inst.definition_id] += 1
    return render_template("definitions.html", processes=groups["process"], decisions=groups["decision"],
                           running=running, stuck=counts_by_definition(ops(), p))


@bp.route("/model/<kind>/<definition_id>/xml")
def definition_xml(kind: str, definition_id: str) -> Any:
    from service.ops import resource_content
    definition = _definition_or_403(kind, definition_id)
    xml = resource_content(ops(), definition.deployment_id, definition.resource_name)
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "no-store"})


@bp.route("/model/<kind>/<definition_id>/ubah")
def editor(kind: str, definition_id: str) -> Any:
    definition = _definition_or_403(kind, definition_id)
    latest = get_definition(ops(), KINDS[kind], key=definition.key, tenant=definition.tenant_id)
    if kind == "proses":
        return render_template("modeler.html", definition=definition, latest=latest, kind=kind)
    from service.ops import resource_content
    xml = resource_content(ops(), definition.deployment_id, definition.resource_name)
    return render_template("dmn_editor.html", definition=definition, latest=latest, kind=kind,
                           notes=rule_notes(xml, definition.key))


@bp.route("/model/<kind>/<definition_id>/deploy", methods=["POST"])
def deploy_edit(kind: str, definition_id: str) -> Any:
    """Takes the edited XML (multipart part `resource`) and answers JSON for the editor's status line."""
    definition = _definition_or_403(kind, definition_id)
    upload = request.files.get("resource")
    content = upload.read(MAX_MODEL_BYTES + 1) if upload else (request.form.get("xml") or "").encode("utf-8")
    lang = current_lang()
    if not content.strip():
        return jsonify({"ok": False, "message": _("Model kosong: tidak ada yang dideploy.")}), 400
    if len(content) > MAX_MODEL_BYTES:
        return jsonify({"ok": False, "message": _("Model terlalu besar (maksimal 5 MB).")}), 400
    name = definition.resource_name
    suffixes = BPMN_SUFFIXES if kind == "proses" else DMN_SUFFIXES
    if not name.lower().endswith(suffixes):
        name = f"{definition.key}{suffixes[0]}"
    try:
        keys = [m.key for m in parse_resource(name, content)]
    except Exception:   # noqa: BLE001 - deploy() below reports the parse error with element ids
        keys = None
    if keys is not None and definition.key not in keys:
        return jsonify({"ok": False, "message": _("Berkas tidak lagi mendefinisikan %(key)s: id proses atau "
                                                  "keputusan tidak boleh diubah.", key=definition.key)}), 400
    try:
        view = deploy(ops(), [(name, content)], name=f"web-{definition.key}", source="alur web",
                      tenant=definition.tenant_id)
    except OpsError as exc:
        message = exc.pesan if lang == "id" else exc.message
        return jsonify({"ok": False, "message": message,
                        "errors": [m.strip() for m in exc.message.split("; ") if m.strip()]}), page_status(exc)
    made = view.processes if kind == "proses" else view.decisions
    same = [d for d in made if d.key == definition.key]
    new = same[0]
    return jsonify({"ok": True, "definitionId": new.id, "version": new.version,
                    "message": _("Versi %(v)s dari %(key)s dideploy. Proses yang sedang berjalan tetap memakai "
                                 "versinya; proses baru memakai versi ini.", v=new.version, key=new.key)
                    + "".join(" " + _("Peringatan: %(w)s (keputusan ini menghasilkan null).", w=w)
                              for w in view.warnings), "warnings": view.warnings})
