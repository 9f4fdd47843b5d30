"""Camunda Forms (form-js JSON, schemaVersion 16) for the user tasks and the start event of an SOP table.

Each user task's form shows the step's context (Uraian Kegiatan, Output, Keterangan), the Kelengkapan as a
checklist that must be fully ticked (the server checks every item against `mutu.kelengkapan` too), the
step's own fields, and, when the step has an output, the output document's number and a file picker.
"""
from __future__ import annotations

import json
from typing import Any

from service.sop.model import FormFieldSpec, SopTable, Step, element_suffix

SCHEMA_VERSION = 16
EXPORTER = {"name": "Alur", "version": "0.1.0"}


def kelengkapan_key(step: Step) -> str:
    return f"kelengkapan_{element_suffix(step.ref)}"


def output_number_key(step: Step) -> str:
    return f"nomor_output_{element_suffix(step.ref)}"


def output_file_key(step: Step) -> str:
    return f"berkas_output_{element_suffix(step.ref)}"


def build_forms(table: SopTable) -> dict[str, dict[str, Any]]:
    """form id -> form-js schema, for the start event (if it has fields) and every user task."""
    forms: dict[str, dict[str, Any]] = {}
    if table.start.fields:
        fid = table.form_id(None)
        comps = [_text(f"start_{element_suffix(table.key)}", f"**{table.name}**\n\n"
                       "Isi data berikut untuk memulai proses.")]
        comps += [field_component(f) for f in table.start.fields]
        forms[fid] = _form(fid, comps)
    for step in table.all_steps():
        if step.kind == "user" and not step.heading:
            fid = table.form_id(step)
            forms[fid] = _form(fid, step_components(step))
    return forms


def form_json(form: dict[str, Any]) -> str:
    return json.dumps(form, indent=2, ensure_ascii=False) + "\n"


def step_components(step: Step) -> list[dict[str, Any]]:
    lines = [f"**{step.label}**"]
    if step.text:
        lines.append(step.text)
    if step.output:
        lines.append(f"Output: {step.output}")
    if step.keterangan:
        lines.append(f"Keterangan: {step.keterangan}")
    comps = [_text(f"uraian_{element_suffix(step.ref)}", "\n\n".join(lines))]
    if step.show:
        # form-js text templating: the values are filled in from the process variables when shown
        comps.append(_text(f"data_{element_suffix(step.ref)}",
                           "\n\n".join(f"**{label}:** {{{{{path}}}}}" for label, path in step.show)))
    if step.kelengkapan:
        comps.append({
            "id": f"Field_{kelengkapan_key(step)}", "key": kelengkapan_key(step), "type": "checklist",
            "label": "Kelengkapan / persyaratan (centang semua)",
            "description": "Semua kelengkapan wajib tersedia sebelum langkah ini diselesaikan.",
            "values": [{"label": item, "value": item} for item in step.kelengkapan],
            "validate": {"required": True}})
    if step.advice:
        comps += advice_components(step)
    comps += [field_component(f) for f in step.fields]
    if step.advice:
        comps.append(advice_note(step))
    if step.output and step.output_document:
        number = {"id": f"Field_{output_number_key(step)}", "key": output_number_key(step), "type": "textfield",
                  "label": f"Nomor dokumen output: {step.output}", "validate": {"required": True, "maxLength": 200}}
        upload = {"id": f"Field_{output_file_key(step)}", "key": output_file_key(step), "type": "filepicker",
                  "label": f"Unggah dokumen output: {step.output}", "multiple": False}
        if step.output_show_if:
            # form-js neither shows nor validates a hidden field, so "required" holds only on that branch
            number["conditional"] = upload["conditional"] = {"hide": _negate(step.output_show_if)}
        comps += [number, upload]
    return comps


def advice_components(step: Step) -> list[dict[str, Any]]:
    """The table's advice, read-only: the form keeps the person's choice and the advice side by side."""
    advice = step.advice
    assert advice is not None, f"{step.ref}: advice components for a step without advice"
    choice = next(f for f in step.fields if f.key == advice.field)
    values = [{"label": label, "value": value} for value, label in choice.values]
    values += [{"label": v.label, "value": v.value} for v in advice.values]
    suffix = element_suffix(step.ref)
    comps: list[dict[str, Any]] = [
        _text(f"saran_{suffix}", f"**Saran tabel keputusan {advice.decision}**\n\nTabel memberi saran; "
              f"keputusan ada pada Anda ({choice.label}). Pilihan Anda dicatat di samping saran ini."),
        {"id": f"Field_{advice.variable}", "key": advice.variable, "type": choice.type,
         "label": "Saran tabel keputusan", "values": values, "readonly": True}]
    if advice.reason:
        comps.append({"id": f"Field_{advice.reason_variable}", "key": advice.reason_variable,
                      "type": "textarea", "label": "Alasan saran (aturan tabel)", "readonly": True})
    return comps


def advice_note(step: Step) -> dict[str, Any]:
    """Why the person departs from the advice: required exactly when the choice differs from it."""
    advice = step.advice
    assert advice is not None, f"{step.ref}: advice note for a step without advice"
    same = [f'{advice.field} = {advice.variable}']
    same += [f'({advice.variable} = "{v.value}" and {advice.field} = "{v.choose}")' for v in advice.values]
    return {"id": f"Field_{advice.note_variable}", "key": advice.note_variable, "type": "textarea",
            "label": "Alasan memilih berbeda dari saran tabel",
            "validate": {"required": True, "maxLength": 4000},
            "conditional": {"hide": "=" + " or ".join(same)}}


def _negate(show_if: str) -> str:
    cond = show_if[1:] if show_if.startswith("=") else show_if
    return f"=not({cond.strip()})"


def field_component(f: FormFieldSpec) -> dict[str, Any]:
    comp: dict[str, Any] = {"id": f"Field_{f.key}", "key": f.key, "type": f.type, "label": f.label}
    if f.type == "datetime":
        comp.pop("label")
        comp.update({"subtype": "date", "dateLabel": f.label})
    if f.type == "filepicker":
        comp["multiple"] = False
    if f.description:
        comp["description"] = f.description
    if f.values:
        comp["values"] = [{"label": label, "value": value} for value, label in f.values]
    if f.default is not None:
        comp["defaultValue"] = f.default
    validate: dict[str, Any] = {}
    if f.required:
        validate["required"] = True
    for name, value in (("min", f.min), ("max", f.max)):
        if value is not None:
            validate[name] = int(value) if float(value).is_integer() else value
    for name, limit in (("minLength", f.min_length), ("maxLength", f.max_length), ("pattern", f.pattern)):
        if limit is not None:
            validate[name] = limit
    if validate:
        comp["validate"] = validate
    if f.show_if:
        comp["conditional"] = {"hide": _negate(f.show_if)}
    return comp


def _text(cid: str, text: str) -> dict[str, Any]:
    return {"id": f"Text_{cid}", "type": "text", "text": text}


def _form(fid: str, components: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": fid, "type": "default", "schemaVersion": SCHEMA_VERSION, "components": components,
            "exporter": dict(EXPORTER), "executionPlatform": "Camunda Platform",
            "executionPlatformVersion": "7.21.0"}
