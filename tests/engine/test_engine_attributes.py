"""Camunda attributes, properties on every element kind, mappings, scripts, external tasks, messages."""
from __future__ import annotations

from decimal import Decimal

import pytest

from engine_support import Harness, load_models
from service.engine import EngineError

ITEMS = [{"price": 10, "qty": 2}, {"price": 5, "qty": 1}]


@pytest.fixture()
def h() -> Harness:
    return Harness(load_models("attributes.bpmn"))


def start(h: Harness):
    return h.start("attributes", {"items": ITEMS, "name": "Ana", "prio": 80})


def test_properties_on_every_element_kind(h: Harness) -> None:
    m = h.models["attributes"]
    expected = {"Start_Ev": "start", "Script_Total": "script", "Task_Form": "user", "Boundary_Msg": "boundary",
                "Gw_Split": "gateway", "Ext_Check": "service", "Catch_Msg": "catch", "End_Ev": "end"}
    assert {k: v.properties["el"] for k, v in m.elements.items() if "el" in v.properties} == expected
    assert m.elements["Start_Ev"].type == "startEvent" and m.start_form_key == "embedded:app:start.html"
    assert m.elements["Receive_Sign"].type == "receiveTask"


def test_script_task_feel_into_result_variable(h: Harness) -> None:
    inst = start(h)
    assert inst.variables()["total"] == Decimal("25")


def test_user_task_attributes(h: Harness) -> None:
    inst = start(h)
    t = h.task(inst, "Task_Form")
    assert t.candidate_users == ["ana", "budi"] and t.candidate_groups == [] and t.assignee is None
    assert t.due.isoformat() == "2026-02-01T10:00:00+00:00"        # dueDate wins over mutu.waktu
    assert t.follow_up.isoformat() == "2026-01-20T00:00:00+00:00"
    assert t.priority == 80                                          # ${prio}
    assert (t.form_ref, t.form_ref_binding, t.form_ref_version) == ("form-spp", "version", 3)
    assert t.properties == {"el": "user", "mutu.waktu": "P5D"}


def test_input_output_mapping(h: Harness) -> None:
    inst = start(h)
    task = [t for t in inst._wf.get_tasks() if t.task_spec.name == "Task_Form"][0]
    assert task.data["greeting"] == "Halo Ana"
    assert task.data["limit"] == Decimal("50")
    assert task.data["codes"] == ["A", "Ana"] and task.data["info"] == {"k": "v"}
    assert "greeting" not in inst.variables()                        # inputs are local to the task
    inst = h.complete(inst, "Task_Form", {"limit": 70})
    v = inst.variables()
    assert v["approvedLimit"] == 70 and "limit" not in v and "greeting" not in v


def test_external_task_complete_and_messages_to_end(h: Harness) -> None:
    inst = h.complete(start(h), "Task_Form")
    [ext] = inst.external_tasks()
    assert (ext.topic, ext.priority, ext.properties) == ("sikap-check", 5, {"el": "service"})
    assert inst.waiting_messages() == ["dokumen_masuk"]
    assert inst.correlate_message("ditandatangani", {}) is False     # the receive task is not reached yet
    assert inst.correlate_message("dokumen_masuk", {"nomor": "D-7"}) is True
    inst = h.reload(inst)
    assert inst.waiting_messages() == ["ditandatangani"]             # receive task survives serialization
    inst.complete_external_task(ext.id, {"sikap": "ok"})
    inst = h.reload(inst)
    assert not inst.completed and inst.external_tasks() == []
    assert inst.correlate_message("ditandatangani", {"signer": "kepala"})
    inst = h.reload(inst)
    assert inst.completed
    v = inst.variables()
    assert (v["nomor"], v["sikap"], v["signer"]) == ("D-7", "ok", "kepala")


def test_bpmn_error_from_external_task_goes_to_boundary(h: Harness) -> None:
    inst = h.complete(start(h), "Task_Form")
    [ext] = inst.external_tasks()
    with pytest.raises(EngineError, match="no error boundary"):
        inst.throw_bpmn_error(ext.id, "OTHER", "x", {})
    inst.throw_bpmn_error(ext.id, "REJECTED", "Penyedia masuk daftar hitam", {"reason": "blacklist"})
    inst = h.reload(inst)
    assert inst.external_tasks() == []
    fix = h.task(inst, "Task_Fix")
    task = inst._wf.get_task_from_id(__import__("uuid").UUID(fix.id))
    assert task.data["errCode"] == "REJECTED" and task.data["errMsg"] == "Penyedia masuk daftar hitam"
    assert task.data["reason"] == "blacklist"
    cancelled = [e.element_id for e in h.kinds("activity_cancelled")]
    assert "Ext_Check" in cancelled


def test_interrupting_message_boundary_cancels_task(h: Harness) -> None:
    inst = start(h)
    assert "batal" in inst.waiting_messages()
    assert inst.correlate_message("batal", {"why": "dibatalkan"})
    inst = h.reload(inst)
    assert inst.completed and inst.variables()["why"] == "dibatalkan"
    assert "Task_Form" in [e.element_id for e in h.kinds("activity_cancelled")]


def test_external_task_errors(h: Harness) -> None:
    inst = h.complete(start(h), "Task_Form")
    [ext] = inst.external_tasks()
    inst.complete_external_task(ext.id, {})
    with pytest.raises(EngineError, match="not active"):
        inst.complete_external_task(ext.id, {})
