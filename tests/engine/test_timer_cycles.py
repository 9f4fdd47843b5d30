"""Cycle timers: missed occurrences fire once, R/<period>/<end> stops at its end, Quartz day-of-week."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from croniter import croniter

from engine_support import T0, Harness, wrap
from service.engine import parse_bpmn
from service.engine import timers

UTC = timezone.utc


def _cycle_model(text: str) -> dict:
    body = f'''
<bpmn:startEvent id="S"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="U"/>
<bpmn:userTask id="U"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
<bpmn:sequenceFlow id="f2" sourceRef="U" targetRef="E"/>
<bpmn:endEvent id="E"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
<bpmn:boundaryEvent id="B" attachedToRef="U" cancelActivity="false"><bpmn:outgoing>f3</bpmn:outgoing>
  <bpmn:timerEventDefinition><bpmn:timeCycle>{text}</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f3" sourceRef="B" targetRef="R"/>
<bpmn:userTask id="R"><bpmn:incoming>f3</bpmn:incoming></bpmn:userTask>'''
    return {m.key: m for m in parse_bpmn("c.bpmn", wrap(body))}


def _reminders(inst) -> int:
    return sum(1 for t in inst.user_tasks() if t.element_id == "R")


def test_a_cycle_started_far_in_the_past_fires_once_for_its_missed_occurrences() -> None:
    h = Harness(_cycle_model("R/2025-01-01T00:00:00Z/PT1M"))
    inst = h.start("p")
    inst.fire_due_timers()
    assert _reminders(inst) == 1
    assert inst.next_timer_due() == T0 + timedelta(minutes=1)
    h.clock.advance(timedelta(days=3, seconds=30))
    assert inst.fire_due_timers() == 1
    assert _reminders(inst) == 2
    assert inst.next_timer_due() == T0 + timedelta(days=3, minutes=1)


def test_a_cycle_with_an_end_stops_after_it() -> None:
    end = (T0 + timedelta(hours=2, minutes=30)).isoformat().replace("+00:00", "Z")
    h = Harness(_cycle_model(f"R/PT1H/{end}"))
    inst = h.start("p")
    for _ in range(5):
        h.clock.advance(timedelta(hours=1))
        inst.fire_due_timers()
        inst = h.reload(inst)
    assert _reminders(inst) == 2
    assert inst.next_timer_due() is None


def test_next_after_skips_arithmetically_for_month_periods() -> None:
    cycle = timers.parse_cycle("R/2000-01-31T00:00:00Z/P1M")
    now = datetime(2026, 3, 15, tzinfo=UTC)
    following = cycle.next_after(cycle.start, now)
    assert now < following <= now + timedelta(days=31)


@pytest.mark.parametrize("quartz,days", [
    ("0 0 9 ? * 2#2", ["Mon 12", "Mon 09", "Mon 09"]),        # second Monday
    ("0 0 9 ? * 2/2", ["Fri 02", "Mon 05", "Wed 07"]),        # Monday, then every two days
    ("0 0 9 ? * 6L", ["Fri 30", "Fri 27", "Fri 27"]),         # last Friday of the month
    ("0 0 9 ? * 2-6", ["Thu 01", "Fri 02", "Mon 05"]),
    ("0 0 9 ? * 1,7", ["Sat 03", "Sun 04", "Sat 10"]),
])
def test_quartz_day_of_week_forms(quartz: str, days: list[str]) -> None:
    it = croniter(timers.quartz_to_croniter(quartz), datetime(2026, 1, 1, tzinfo=UTC))
    assert [it.get_next(datetime).strftime("%a %d") for _ in range(3)] == days


def test_quartz_day_zero_is_refused() -> None:
    with pytest.raises(timers.TimerSyntaxError, match="out of range"):
        timers.quartz_to_croniter("0 0 9 ? * 0")
