"""Instance.modify (Camunda's modification instructions, all or none) and Instance.migrated (tokens
mapped onto another version) on the SpiffWorkflow task tree."""
from __future__ import annotations

from datetime import timedelta

import pytest

from service.engine import EngineError, parse_bpmn
from service.engine.modification import Instruction

from engine_support import Harness, wrap

FLOW = '''
<bpmn:startEvent id="S"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:userTask id="A" name="A"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
<bpmn:userTask id="B" name="B"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
<bpmn:userTask id="C" name="C"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
<bpmn:endEvent id="E"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="A"/>
<bpmn:sequenceFlow id="f2" sourceRef="A" targetRef="B"/>
<bpmn:sequenceFlow id="f3" sourceRef="B" targetRef="C"/>
<bpmn:sequenceFlow id="f4" sourceRef="C" targetRef="E"/>
'''

# B waits with a boundary timer (its SOP time); in v2 the step after B is renamed D.
TIMED = '''
<bpmn:startEvent id="S"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:userTask id="A" name="A"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
<bpmn:userTask id="B" name="B"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
<bpmn:boundaryEvent id="Late" attachedToRef="B" cancelActivity="false"><bpmn:outgoing>f5</bpmn:outgoing>
  <bpmn:timerEventDefinition><bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition>
</bpmn:boundaryEvent>
<bpmn:userTask id="{after}" name="after">
  <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
<bpmn:endEvent id="E"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
<bpmn:userTask id="Remind" name="remind">
  <bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
<bpmn:endEvent id="E2"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="A"/>
<bpmn:sequenceFlow id="f2" sourceRef="A" targetRef="B"/>
<bpmn:sequenceFlow id="f3" sourceRef="B" targetRef="{after}"/>
<bpmn:sequenceFlow id="f4" sourceRef="{after}" targetRef="E"/>
<bpmn:sequenceFlow id="f5" sourceRef="Late" targetRef="Remind"/>
<bpmn:sequenceFlow id="f6" sourceRef="Remind" targetRef="E2"/>
'''


def _model(body: str) -> object:
    return parse_bpmn("p.bpmn", wrap(body))[0]


def _steps(inst: object) -> list[str]:
    return sorted(t.element_id for t in inst.user_tasks())     # type: ignore[attr-defined]


def _complete(inst: object, element: str, values: dict | None = None) -> None:
    task = next(t for t in inst.user_tasks() if t.element_id == element)     # type: ignore[attr-defined]
    inst.complete_user_task(task.id, values or {}, user="u")     # type: ignore[attr-defined]


def test_move_here_cancels_the_current_step_and_starts_the_chosen_one() -> None:
    model = _model(FLOW)
    h = Harness({"p": model})
    inst = h.engine.start(model, variables={"x": 1})
    assert inst.modify([Instruction("cancel", activity_id="A"),
                        Instruction("startBeforeActivity", activity_id="C", variables={"y": 2})], user="owner")
    assert _steps(inst) == ["C"]
    assert inst.variables() == {"x": 1, "y": 2}
    kinds = [(e.kind, e.element_id) for e in inst.drain_history()]
    assert ("activity_cancelled", "A") in kinds and ("activity_started", "C") in kinds
    reloaded = h.engine.load(model, inst.dumps())
    _complete(reloaded, "C")
    assert reloaded.completed
    assert "E" in [e.element_id for e in reloaded.drain_history()]     # through C's end event


def test_start_after_and_start_transition() -> None:
    model = _model(FLOW)
    h = Harness({"p": model})
    inst = h.engine.start(model, variables={})
    inst.modify([Instruction("startAfterActivity", activity_id="A")])
    assert _steps(inst) == ["A", "B"]
    inst.modify([Instruction("startTransition", transition_id="f3"),
                 Instruction("cancel", activity_id="A", cancel_current_active_activity_instances=True)])
    assert _steps(inst) == ["B", "C"]


def test_a_failing_instruction_changes_nothing() -> None:
    model = _model(FLOW)
    h = Harness({"p": model})
    inst = h.engine.start(model, variables={})
    before = inst.dumps()
    with pytest.raises(EngineError, match="no activity 'Nope'"):
        inst.modify([Instruction("cancel", activity_id="A"), Instruction("startBeforeActivity", activity_id="Nope")])
    assert _steps(inst) == ["A"]
    assert inst.dumps() == before
    with pytest.raises(EngineError, match="no active instance of activity 'C'"):
        inst.modify([Instruction("cancel", activity_id="C")])
    with pytest.raises(EngineError, match="unknown modification instruction type"):
        inst.modify([Instruction("jump", activity_id="C")])


def test_cancelling_the_last_token_empties_the_instance() -> None:
    model = _model(FLOW)
    inst = Harness({"p": model}).engine.start(model, variables={})
    token = inst.tokens()[0]
    assert inst.modify([Instruction("cancel", activity_instance_id=token.task_id)]) is False


def test_migration_keeps_task_ids_data_and_boundary_timer_due() -> None:
    v1, v2 = _model(TIMED.format(after="C")), _model(TIMED.format(after="D"))
    h = Harness({"p": v1})
    inst = h.engine.start(v1, variables={"x": 1})
    _complete(inst, "A", {"y": 2})
    b_id = inst.user_tasks()[0].id
    due = inst.next_timer_due()
    h.clock.advance(timedelta(minutes=30))
    moved = inst.migrated(v2, {"B": "B"})
    assert [t.id for t in moved.user_tasks()] == [b_id]
    assert moved.next_timer_due() == due
    assert moved.variables() == {"x": 1, "y": 2}
    again = h.engine.load(v2, moved.dumps())
    _complete(again, "B")
    assert _steps(again) == ["D"]      # v2's step after B


def test_migration_refuses_unmapped_and_unknown_activities() -> None:
    v1, v2 = _model(FLOW), _model(TIMED.format(after="D"))
    h = Harness({"p": v1})
    inst = h.engine.start(v1, variables={})
    _complete(inst, "A")
    _complete(inst, "B")
    problems = inst.migration_problems(v2, {})
    assert [p.element_id for p in problems] == ["C"] and "not mapped" in problems[0].message
    with pytest.raises(EngineError, match="no activity 'C'"):
        inst.migrated(v2, {"C": "C"})
    moved = inst.migrated(v2, {"C": "D"})
    assert _steps(moved) == ["D"]
    assert _steps(inst) == ["C"]       # the old instance is untouched


def test_migration_with_update_event_trigger_restarts_the_timer() -> None:
    v1, v2 = _model(TIMED.format(after="C")), _model(TIMED.format(after="C").replace("PT2H", "PT4H"))
    h = Harness({"p": v1})
    inst = h.engine.start(v1, variables={})
    _complete(inst, "A")
    h.clock.advance(timedelta(minutes=30))
    kept = inst.migrated(v2, {"B": "B", "Late": "Late"})
    renewed = inst.migrated(v2, {"B": "B", "Late": "Late"}, update_triggers=frozenset({"Late"}))
    assert kept.next_timer_due() == inst.next_timer_due()
    assert renewed.next_timer_due() == h.clock.now() + timedelta(hours=4)
