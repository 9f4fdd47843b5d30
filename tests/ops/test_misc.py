"""Operations not reached through the first REST surface: forms, definitions lists, variable rules,
correlating to all matches, a suspended definition."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from service import ops
from service.store import ProcessDefinition
from support import fixture_bytes


def test_form_lookup_by_key_and_version(ctx: Any) -> None:
    form = fixture_bytes("form-siapkan.form")
    ops.deploy(ctx, [("form-siapkan.form", form)], tenant="pagaralam")
    ops.deploy(ctx, [("form-siapkan.form", form.replace(b"Nomor dokumen", b"Nomor DPP"))], tenant="pagaralam")
    latest = ops.get_form(ctx, "form-siapkan", tenant="pagaralam")
    assert latest["components"][0]["label"] == "Nomor DPP"
    first = ops.get_form(ctx, "form-siapkan", tenant="pagaralam", version=1)
    assert first["components"][0]["label"] == "Nomor dokumen"
    with pytest.raises(ops.NotFound, match="form-lain"):
        ops.get_form(ctx, "form-lain", tenant="pagaralam")


def test_definition_lists(ctx: Any) -> None:
    bpmn = fixture_bytes("pengadaan.bpmn")
    ops.deploy(ctx, [("pengadaan.bpmn", bpmn)], tenant="pagaralam")
    ops.deploy(ctx, [("pengadaan.bpmn", bpmn)], tenant="pagaralam")
    ops.deploy(ctx, [("pengadaan.bpmn", bpmn)])          # shared (no tenant)
    all_versions = ops.list_definitions(ctx, "process", key="pengadaan")
    assert sorted((d.tenant_id or "", d.version) for d in all_versions) == [("", 1), ("pagaralam", 1),
                                                                            ("pagaralam", 2)]
    latest = ops.list_definitions(ctx, "process", latest_only=True)
    assert sorted((d.tenant_id or "", d.version) for d in latest) == [("", 1), ("pagaralam", 2)]
    # A tenant without its own definition falls back to the shared one (Camunda's shared definitions).
    assert ops.get_definition(ctx, "process", key="pengadaan", tenant="mojokerto").tenant_id is None


def test_variables_only_on_active_instances(ctx: Any) -> None:
    ops.deploy(ctx, [("pengadaan.bpmn", fixture_bytes("pengadaan.bpmn"))])
    inst = ops.start_instance(ctx, key="pengadaan", variables={"a": 1})
    assert ops.set_variables(ctx, inst.id, {"b": [1, 2]}, remove=["a"]) == {"b": [1, 2]}
    ops.cancel_instance(ctx, inst.id, reason="salah input")
    with pytest.raises(ops.Conflict, match="not active"):
        ops.set_variables(ctx, inst.id, {"c": 1})
    assert ops.get_instance(ctx, inst.id).state == "CANCELLED"
    kinds = [h.kind for h in ops.history(ctx, inst.id)]
    assert kinds[-1] == "instance_ended" and "activity_cancelled" in kinds


def test_correlate_all_matches(ctx: Any) -> None:
    ops.deploy(ctx, [("pesan.bpmn", fixture_bytes("pesan.bpmn"))])
    ids = [ops.start_instance(ctx, key="tunggu_dokumen", business_key="SAMA").id for _ in range(3)]
    results = ops.correlate_message(ctx, "dokumen_diterima", business_key="SAMA", all_matches=True,
                                    variables={"nomor": "X"})
    assert sorted(r.instance.id for r in results) == sorted(ids)
    assert all(ops.get_variables(ctx, i)["nomor"] == "X" for i in ids)


def test_suspended_definition_cannot_start(app: Any, ctx: Any) -> None:
    dep = ops.deploy(ctx, [("pengadaan.bpmn", fixture_bytes("pengadaan.bpmn"))])
    with app.extensions["alur"].db.unit_of_work() as s:
        s.execute(update(ProcessDefinition).values(suspended=True))
    with pytest.raises(ops.BadRequest, match="suspended"):
        ops.start_instance(ctx, definition_id=dep.processes[0].id)


def test_start_needs_key_or_id(ctx: Any) -> None:
    with pytest.raises(ops.BadRequest):
        ops.start_instance(ctx)
    with pytest.raises(ops.NotFound):
        ops.start_instance(ctx, definition_id="tidak:1:ada")
