"""Timers on the engine clock: boundary (interrupting / not), catch, date, duration, cycle, cron, start."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine_support import T0, Harness, load_models
from service.engine import EngineError
from service.engine import timers


@pytest.fixture()
def h() -> Harness:
    return Harness(load_models("timers.bpmn"))


def test_interrupting_and_non_interrupting_boundary(h: Harness) -> None:
    inst = h.start("timer_boundary")
    assert inst.next_timer_due() == T0 + timedelta(minutes=20)
    assert inst.fire_due_timers() == 0
    h.clock.advance(timedelta(minutes=20))
    assert inst.fire_due_timers() == 1
    inst = h.reload(inst)
    assert h.ready(inst) == ["Task_A", "Task_Remind"]            # reminder; Task_A still open
    h.clock.advance(timedelta(minutes=20))
    inst.fire_due_timers()
    inst = h.reload(inst)
    assert h.ready(inst) == ["Task_A", "Task_Remind", "Task_Remind"]
    assert inst.next_timer_due() == T0 + timedelta(hours=1)       # R2 is exhausted; only PT1H is left
    h.clock.advance(timedelta(minutes=20))
    assert inst.fire_due_timers() == 1
    inst = h.reload(inst)
    assert h.ready(inst) == ["Task_Escalate", "Task_Remind", "Task_Remind"]   # Task_A interrupted
    assert inst.next_timer_due() is None
    assert "Task_A" in [e.element_id for e in h.kinds("activity_cancelled")]
    fired = [e.element_id for e in h.kinds("activity_ended") if e.element_id and e.element_id.startswith("Timer")]
    assert fired.count("Timer_Remind") == 2 and fired.count("Timer_Escalate") == 1
    for _ in range(2):
        inst = h.complete(inst, "Task_Remind")
    inst = h.complete(inst, "Task_Escalate")
    assert inst.completed


def test_completing_the_task_removes_its_timers(h: Harness) -> None:
    inst = h.start("timer_boundary")
    inst = h.complete(inst, "Task_A")
    assert inst.completed and inst.next_timer_due() is None
    h.clock.advance(timedelta(days=1))
    assert inst.fire_due_timers() == 0


def test_duration_from_juel_and_literal_date(h: Harness) -> None:
    inst = h.start("timer_catch", {"wait": "PT2H"})
    assert inst.user_tasks() == [] and inst.next_timer_due() == T0 + timedelta(hours=2)
    h.clock.advance(timedelta(hours=1, minutes=59))
    assert inst.fire_due_timers() == 0
    h.clock.advance(timedelta(minutes=1))
    assert inst.fire_due_timers() == 1
    inst = h.reload(inst)
    assert h.ready(inst) == ["Task_1"]
    inst = h.complete(inst, "Task_1")
    assert inst.next_timer_due() == datetime(2026, 1, 10, 9, tzinfo=timezone.utc)
    h.clock.set(datetime(2026, 1, 10, 9, tzinfo=timezone.utc))
    assert inst.fire_due_timers() == 1
    inst = h.reload(inst)
    assert h.ready(inst) == ["Task_2"]


def test_bad_juel_timer_value_is_an_incident(h: Harness) -> None:
    from service.engine import IncidentError
    with pytest.raises(IncidentError, match="Wait_Duration"):
        h.start("timer_catch", {"wait": "soon"})


def test_quartz_cron_cycle_on_working_days(h: Harness) -> None:
    h.clock.set(datetime(2026, 1, 9, 10, tzinfo=timezone.utc))        # Friday 10:00
    inst = h.start("timer_cron")
    assert inst.next_timer_due() == datetime(2026, 1, 12, 9, tzinfo=timezone.utc)   # Monday 09:00
    h.clock.set(datetime(2026, 1, 12, 9, tzinfo=timezone.utc))
    assert inst.fire_due_timers() == 1
    inst = h.reload(inst)
    assert h.ready(inst) == ["Task_C", "Task_Daily"]
    assert inst.next_timer_due() == datetime(2026, 1, 13, 9, tzinfo=timezone.utc)


def test_timer_start_none_start_and_message_start(h: Harness) -> None:
    m = h.models["timer_start"]
    assert m.timer_start == [("Start_Timer", "R/2026-01-01T00:00:00Z/P1D")]
    assert m.message_start == [("Start_Msg", "mulai")]
    inst = h.start("timer_start")
    assert h.ready(inst) == ["Task_FromNone"] and inst.next_timer_due() is None
    inst = h.start("timer_start", start_event_id="Start_Timer")
    assert h.ready(inst) == ["Task_FromTimer"]
    inst = h.start("timer_start", {"x": 1}, message="mulai")
    assert h.ready(inst) == ["Task_FromMsg"] and inst.variables() == {"x": 1}
    with pytest.raises(EngineError, match="no start event for message"):
        h.engine.start(m, variables={}, message="unknown")
    with pytest.raises(EngineError, match="not a start event"):
        h.engine.start(m, variables={}, start_event_id="Task_FromNone")


@pytest.mark.parametrize("text,kind", [
    ("PT1H", "duration"), ("P5D", "duration"), ("P1Y2M", "duration"), ("2026-01-05T08:00:00", "date"),
    ("2026-01-05T08:00:00+07:00", "date"), ("2026-01-05", "date"), ("R3/PT1H", "cycle"),
    ("R/2026-01-01T00:00:00Z/P1D", "cycle"), ("0 0 9 * * ?", "cycle"), ("0 30 8 ? * 2-6", "cycle"),
    ("0 0/15 * * * ? *", "cycle"),
])
def test_timer_texts_accepted(text: str, kind: str) -> None:
    timers.validate(kind, text)


@pytest.mark.parametrize("text,kind", [
    ("1H", "duration"), ("PT", "duration"), ("tomorrow", "date"), ("R3", "cycle"), ("Rx/PT1H", "cycle"),
    ("0 0 9 * *", "cycle"), ("__import__('os')", "date"), ("PT-1H", "duration"),
])
def test_timer_texts_refused(text: str, kind: str) -> None:
    with pytest.raises(timers.TimerSyntaxError):
        timers.validate(kind, text)


def test_quartz_day_numbers_are_shifted() -> None:
    # Quartz 2-6 is Monday-Friday; croniter counts Sunday as 0.
    expr = timers.quartz_to_croniter("0 30 8 ? * 2-6")
    nxt = timers.cron_next(expr, datetime(2026, 1, 10, 12, tzinfo=timezone.utc))   # Saturday
    assert nxt == datetime(2026, 1, 12, 8, 30, tzinfo=timezone.utc)


def test_variables_set_while_a_timer_waits_reach_the_timer_path(h: Harness) -> None:
    inst = h.start("timer_boundary", {"x": 0})
    inst.set_variables({"x": 1})
    inst = h.reload(inst)
    h.clock.advance(timedelta(minutes=20))
    inst.fire_due_timers()                     # refreshing re-inherits the waiting events' data
    inst = h.reload(inst)
    h.clock.advance(timedelta(minutes=40))
    inst.fire_due_timers()
    inst = h.reload(inst)
    esc = h.task(inst, "Task_Escalate")
    task = inst._wf.get_task_from_id(__import__("uuid").UUID(esc.id))
    assert task.data["x"] == 1


def test_missed_cycle_occurrences_fire_once(h: Harness) -> None:
    inst = h.start("timer_boundary")
    h.clock.advance(timedelta(minutes=50))              # both R2/PT20M occurrences are overdue, PT1H is not
    assert inst.fire_due_timers() == 1
    inst = h.reload(inst)
    assert h.ready(inst) == ["Task_A", "Task_Remind"]
    assert inst.next_timer_due() == T0 + timedelta(minutes=60)
