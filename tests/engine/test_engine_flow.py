"""User tasks, gateways (JUEL and FEEL), lanes, history and variables on the approval loop model."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine_support import T0, Harness, load_models
from service.engine import EngineError


@pytest.fixture()
def h() -> Harness:
    return Harness(load_models("approval_loop.bpmn"))


def test_model_description() -> None:
    m = load_models("approval_loop.bpmn")["approval_loop"]
    assert m.executable and m.name == "Approval loop" and m.version_tag == "v1"
    assert m.lanes == ["Pokja Pemilihan", "PPK"]          # DI order: Pokja lane is drawn on top
    assert m.start_lanes == ["PPK"]
    assert m.start_form_ref == "start-form"
    assert m.elements["Task_Prepare"].properties == {"sop.no": "1", "mutu.waktu": "P2D"}
    assert m.elements["Task_Prepare"].documentation == "Menyiapkan dokumen pengadaan"
    assert m.elements["Gw_Decide"].properties == {"kind": "decision"}
    assert m.elements["Gw_Decide"].lane == "Pokja Pemilihan"
    assert m.elements["Task_Big"].attributes == {"assignee": "${boss}"}
    assert '"Task_Prepare"' in m.spec_json


def test_lane_group_candidates_due_and_form(h: Harness) -> None:
    inst = h.start("approval_loop", {"amount": 5, "boss": "kepala"}, business_key="BK-1", user="ana")
    t = h.task(inst, "Task_Prepare")
    assert t.candidate_groups == ["PPK"] and t.assignee is None and t.lane == "PPK"
    assert t.created == T0 and t.due is None and t.priority == 50
    h.clock.advance(timedelta(hours=1))
    inst = h.complete(inst, "Task_Prepare", {"doc": "D-1"}, user="ana")
    r = h.task(inst, "Task_Review")
    assert r.candidate_groups == ["pokja", "verifikator"]      # explicit groups win over the lane
    assert r.created == T0 + timedelta(hours=1)
    assert r.due == T0 + timedelta(days=3, hours=1)            # JUEL dateTime().plusDays(3)
    assert r.priority == 70
    assert r.form_fields[0]["id"] == "approved" and r.form_fields[0]["validation"] == [
        {"name": "required", "config": None}]
    assert inst.business_key == "BK-1"


def test_default_flow_loops_then_feel_condition_routes(h: Harness) -> None:
    inst = h.start("approval_loop", {"amount": 5, "boss": "kepala"})
    for _ in range(3):
        inst = h.complete(inst, "Task_Prepare")
        inst = h.complete(inst, "Task_Review", {"approved": False})   # JUEL false -> default flow back
        assert h.ready(inst) == ["Task_Prepare"]
    inst = h.complete(inst, "Task_Prepare")
    inst = h.complete(inst, "Task_Review", {"approved": True})
    assert inst.completed                                            # FEEL amount <= 200000000
    assert [e.kind for e in h.history][-1] == "instance_ended"


def test_big_amount_goes_to_assignee(h: Harness) -> None:
    inst = h.start("approval_loop", {"amount": 300_000_000, "boss": "kepala"})
    inst = h.complete(inst, "Task_Prepare")
    inst = h.complete(inst, "Task_Review", {"approved": True})
    big = h.task(inst, "Task_Big")
    assert big.assignee == "kepala" and big.candidate_groups == []
    inst = h.complete(inst, "Task_Big")
    assert inst.completed and inst.user_tasks() == []


def test_missing_variable_in_juel_condition_is_an_incident_not_a_crash(h: Harness) -> None:
    from service.engine import IncidentError
    inst = h.start("approval_loop", {"boss": "kepala"})
    inst = h.complete(inst, "Task_Prepare")
    with pytest.raises((IncidentError, EngineError)) as err:
        inst.complete_user_task(h.task(inst, "Task_Review").id, {"approved": True}, user="x")
    assert "Gw_Amount" in str(err.value) or "Flow" in str(err.value)


def test_history_records_activities_users_and_variables(h: Harness) -> None:
    inst = h.start("approval_loop", {"amount": 5, "boss": "kepala"}, user="ana", business_key="B")
    inst = h.complete(inst, "Task_Prepare", {"doc": "D"}, user="ana")
    kinds = [(e.kind, e.element_id) for e in h.history]
    assert kinds[0] == ("instance_started", None)
    assert ("activity_started", "Task_Prepare") in kinds
    ended = [e for e in h.history if e.kind == "activity_ended" and e.element_id == "Task_Prepare"][0]
    assert ended.user == "ana" and ended.lane == "PPK" and ended.element_type == "userTask"
    assert ended.element_name == "Siapkan dokumen" and ended.time == T0
    sets = {e.data["name"]: e.data["value"] for e in h.kinds("variable_set")}
    assert sets == {"amount": 5, "boss": "kepala", "doc": "D"}


def test_variables_set_remove_and_active_elements(h: Harness) -> None:
    inst = h.start("approval_loop", {"amount": 5, "boss": "kepala"})
    assert inst.variables() == {"amount": 5, "boss": "kepala"}
    inst.set_variables({"amount": 7, "note": "x"})
    inst = h.reload(inst)
    assert inst.variables() == {"amount": 7, "boss": "kepala", "note": "x"}
    inst.remove_variable("note")
    inst = h.reload(inst)
    assert "note" not in inst.variables()
    assert [e.data["name"] for e in h.kinds("variable_removed")] == ["note"]
    active = inst.active_elements()
    assert [(a.element_id, a.state, a.element_type) for a in active] == [("Task_Prepare", "READY", "userTask")]
    inst = h.complete(inst, "Task_Prepare")
    inst = h.complete(inst, "Task_Review", {"approved": True})
    assert inst.variables()["amount"] == 7
    with pytest.raises(EngineError):
        inst.set_variables({"x": 1})


def test_unknown_and_not_ready_tasks_are_clear_errors(h: Harness) -> None:
    inst = h.start("approval_loop", {"amount": 5, "boss": "kepala"})
    with pytest.raises(EngineError, match="not found"):
        inst.complete_user_task("nope", {}, user=None)
    with pytest.raises(EngineError, match="not found"):
        inst.complete_user_task("00000000-0000-0000-0000-000000000000", {}, user=None)
    with pytest.raises(EngineError, match="not an external task"):
        inst.complete_external_task(h.task(inst, "Task_Prepare").id, {})


def test_load_rejects_foreign_state(h: Harness) -> None:
    m = h.models["approval_loop"]
    with pytest.raises(EngineError):
        h.engine.load(m, '{"tasks": {}}')
    with pytest.raises(EngineError):
        h.engine.load(m, "not json")


def test_typed_values_survive_the_store(h: Harness) -> None:
    from datetime import date, datetime, time, timezone
    from decimal import Decimal
    from service.expr import feel
    values = {"d": date(2026, 3, 1), "dt": datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc),
              "dec": Decimal("12.50"), "t": time(9, 15), "nested": {"l": [1, "a", None, True, 2.5]},
              "dur": feel.evaluate("duration(\"P2DT3H\")", {}), "ym": feel.evaluate("duration(\"P1Y2M\")", {})}
    inst = h.start("approval_loop", {"amount": 5, "boss": "kepala", **values})
    got = inst.variables()
    for key, value in values.items():
        assert got[key] == value and type(got[key]) is type(value), key


def test_mutu_waktu_due_date_on_the_working_day_calendar() -> None:
    from service.engine.workdays import WorkCalendar
    calendar = WorkCalendar.default()
    h = Harness(load_models("approval_loop.bpmn"), calendar=calendar)
    inst = h.start("approval_loop", {"amount": 5, "boss": "kepala"})
    t = h.task(inst, "Task_Prepare")                       # mutu.waktu = P2D, working days
    assert t.due == calendar.add(T0, "P2D", calendar_days=False)
    assert t.due.weekday() < 5 and t.due > T0 + timedelta(days=1)


def test_mutu_waktu_calendar_days_and_no_calendar() -> None:
    calls = []

    class Calendar:
        def add(self, start, waktu, *, calendar_days):
            calls.append((start, waktu, calendar_days))
            return start + timedelta(days=10)
    body = load_models("approval_loop.bpmn")
    h = Harness(body, calendar=Calendar())
    inst = h.start("approval_loop", {"amount": 5, "boss": "kepala"})
    assert h.task(inst, "Task_Prepare").due == T0 + timedelta(days=10)
    assert calls == [(T0, "P2D", False)]
    h = Harness(body)                                       # calendar=None: no mutu.waktu due dates
    assert h.task(h.start("approval_loop", {"amount": 5, "boss": "kepala"}), "Task_Prepare").due is None


@pytest.mark.parametrize("bad", [{"x": {1, 2}}, {"x": object()}, {"": 1},
                                 {"x": {"a": [datetime(2026, 1, 1)]}}, {"__alur_v": {}}, {"x": {1: "a"}}])
def test_non_plain_variables_are_refused(h: Harness, bad: dict) -> None:
    with pytest.raises(EngineError):
        h.engine.start(h.models["approval_loop"], variables={"amount": 1, "boss": "b", **bad})
    inst = h.start("approval_loop", {"amount": 1, "boss": "b"})
    with pytest.raises(EngineError):
        inst.complete_user_task(h.task(inst, "Task_Prepare").id, bad, user=None)
    with pytest.raises(EngineError):
        inst.set_variables(bad)
    assert h.ready(inst) == ["Task_Prepare"]                     # nothing half-written
