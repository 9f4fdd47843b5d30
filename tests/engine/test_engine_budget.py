"""The engine's work budget (service/engine/budget.py) and the engine-side bad inputs of issue 11: each
hostile model is refused at deploy naming its element, or stopped at run time as an incident naming the
element and the limit, quickly."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from engine_support import Harness
from hostile_models import (boundary_cycle, caller, external_task_priority, nested_multi_instance, parallel_loop,
                            script_self_loop, timer_event, user_task_priority, wrap)
from service.engine import IncidentError, ModelError, parse_bpmn
from service.engine.budget import Budget


def _models(*docs: bytes, min_cycle_seconds: float | None = None) -> dict:
    return {m.key: m for i, xml in enumerate(docs)
            for m in parse_bpmn(f"m{i}.bpmn", xml, min_cycle_seconds=min_cycle_seconds)}


@pytest.mark.parametrize(("tag", "text", "problem"), [
    ("timeDuration", "P99999999Y", "at most 1000 years"),
    ("timeCycle", "0 0 0 30 2 ?", "never occurs"),
    ("timeCycle", "R/P99999999Y", "at most 1000 years"),
    ("timeDate", "9999-12-31T23:59:59.999999-14:00", "not an ISO 8601 date"),
])
def test_timer_texts_out_of_range_are_refused_at_deploy_naming_the_element(tag: str, text: str, problem: str) -> None:
    with pytest.raises(ModelError, match=rf"T \(line \d+\): {tag}: .*{problem}"):
        _models(timer_event(tag, text))


@pytest.mark.parametrize("cycle", ["R/PT0.00001S", "R/2000-01-01T00:00:00Z/PT0.001S", "R5/PT59S", "* * * * * ?"])
def test_cycles_faster_than_the_minimum_are_refused_at_deploy(cycle: str) -> None:
    with pytest.raises(ModelError, match=r"B .*repeats more often than every 60 seconds.*"
                                         r"ALUR_TIMER_MIN_CYCLE_SECONDS"):
        _models(boundary_cycle(cycle=cycle), min_cycle_seconds=60)
    assert _models(boundary_cycle(cycle="R/PT1M"), min_cycle_seconds=60)
    assert _models(boundary_cycle(cycle="0 0 9 ? * MON-FRI"), min_cycle_seconds=60)


def test_a_cycle_expression_faster_than_the_minimum_is_an_incident() -> None:
    models = _models(boundary_cycle(cycle="${siklus}"), min_cycle_seconds=60)
    h = Harness(models)
    with pytest.raises(IncidentError, match=r"B: .*repeats more often than every 60 seconds"):
        h.start("h_boundary", {"siklus": "R/PT1S"})
    assert h.start("h_boundary", {"siklus": "R/PT5M"}).user_tasks()


def test_a_due_cycle_fires_once_per_action_however_short_its_period() -> None:
    # Deployed without the minimum (a model stored before it existed): the engine still does one firing
    # per action, where SpiffWorkflow would re-fire it after every completed task, forever.
    h = Harness(_models(boundary_cycle(cycle="R/PT0.001S")))
    began = time.monotonic()
    inst = h.start("h_boundary")
    for _ in range(5):
        h.clock.advance(timedelta(seconds=1))
        assert inst.fire_due_timers() == 1
        inst = h.reload(inst)
    assert time.monotonic() - began < 5
    assert len(inst.user_tasks()) == 1 and not inst.completed


def test_missed_firings_of_an_old_cycle_fire_once() -> None:
    h = Harness(_models(boundary_cycle(cycle="R/2000-01-01T00:00:00Z/PT1M")))
    inst = h.start("h_boundary")
    assert inst.fire_due_timers() <= 1
    assert inst.next_timer_due() is not None and inst.next_timer_due() > h.clock.now()


def test_a_call_cycle_is_stopped_by_the_call_depth_limit() -> None:
    h = Harness(_models(caller("h_a", "h_b"), caller("h_b", "h_a")))
    began = time.monotonic()
    from service.engine.calls import CallFamily

    # Called processes are instances of their own, linked to their caller: the depth counts super instances.
    with pytest.raises(IncidentError, match=r"C: called processes are nested 11 deep; at most 10 .*"
                                            r"ALUR_ENGINE_MAX_CALL_DEPTH=10"):
        CallFamily(h.engine).start(h.models["h_a"], variables={})
    assert time.monotonic() - began < 5
    h.engine.budget = Budget(max_call_depth=3)
    family = CallFamily(h.engine)
    with pytest.raises(IncidentError, match="nested 4 deep; at most 3"):
        family.start(h.models["h_a"], variables={})
    assert len(family.instances) == 4     # the root and three nested children


def test_nested_multi_instance_is_stopped_by_the_children_per_action() -> None:
    h = Harness(_models(nested_multi_instance()))
    began = time.monotonic()
    with pytest.raises(IncidentError, match=r"U: this action would create 2000 multi-instance children; at most "
                                            r"1000 .*ALUR_ENGINE_MAX_MULTI_INSTANCE=1000"):
        h.start("h_mi")
    assert time.monotonic() - began < 10


def test_live_tokens_per_instance_are_bounded() -> None:
    h = Harness(_models(nested_multi_instance(outer=5, inner=20)))
    assert len(h.start("h_mi").user_tasks()) == 100
    h.engine.budget = Budget(max_tokens=60)
    with pytest.raises(IncidentError, match=r"U: the instance would hold \d+ active tokens; at most 60 .*"
                                            r"ALUR_ENGINE_MAX_TOKENS=60"):
        h.engine.start(h.models["h_mi"], variables={})


@pytest.mark.parametrize(("model", "element", "path"), [
    (script_self_loop(), "T", "T -> T"), (parallel_loop(), "G", "G -> T -> G")])
def test_loops_without_a_way_out_are_refused_at_deploy(model: bytes, element: str, path: str) -> None:
    with pytest.raises(ModelError, match=rf"{element} \(line \d+\): the sequence flows {path} form a loop that no "
                                         "sequence flow leaves"):
        _models(model)


def test_a_waiting_loop_without_a_way_out_is_refused_too() -> None:
    # An endless poller (wait, work, wait again) cannot run on SpiffWorkflow, which predicts the tasks ahead
    # of a token by recursion; with a gateway that can leave the loop it runs, one turn per action.
    poller = wrap('''<bpmn:startEvent id="S"/>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="W"/>
<bpmn:intermediateCatchEvent id="W"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f3</bpmn:incoming>
  <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
</bpmn:intermediateCatchEvent>
<bpmn:sequenceFlow id="f2" sourceRef="W" targetRef="T"/>
<bpmn:scriptTask id="T" scriptFormat="feel" camunda:resultVariable="n"><bpmn:script>1</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f3" sourceRef="T" targetRef="W"/>''', "poller")
    with pytest.raises(ModelError, match=r"the sequence flows .*W.* form a loop that no sequence flow leaves"):
        _models(poller)
    with_exit = poller.replace(b'<bpmn:sequenceFlow id="f3" sourceRef="T" targetRef="W"/>',
                               b'<bpmn:sequenceFlow id="f3" sourceRef="T" targetRef="G"/>'
                               b'<bpmn:exclusiveGateway id="G" default="f4"/>'
                               b'<bpmn:sequenceFlow id="f4" sourceRef="G" targetRef="W"/>'
                               b'<bpmn:sequenceFlow id="f5" sourceRef="G" targetRef="E">'
                               b'<bpmn:conditionExpression>${n &gt; 5}</bpmn:conditionExpression></bpmn:sequenceFlow>'
                               b'<bpmn:endEvent id="E"/>')
    h = Harness(_models(with_exit))
    inst = h.start("poller")
    h.clock.advance(timedelta(hours=1, seconds=1))
    assert inst.fire_due_timers() == 1 and not inst.completed


@pytest.mark.parametrize("builder", [user_task_priority, external_task_priority])
def test_priorities_beyond_a_java_int_are_refused_at_deploy(builder: object) -> None:
    with pytest.raises(ModelError, match=r"out of range \(-2147483648 to 2147483647\)"):
        _models(builder("1" + "0" * 30))  # type: ignore[operator]
    assert _models(builder("2147483647"))  # type: ignore[operator]


def test_a_priority_expression_beyond_a_java_int_is_an_incident() -> None:
    h = Harness(_models(user_task_priority("${p}")))
    with pytest.raises(IncidentError, match=r"U: priority 10{30} is out of range"):
        h.start("h_priority", {"p": 10**30})
    assert h.start("h_priority", {"p": 7}).user_tasks()[0].priority == 7


def test_tokens_piling_up_across_actions_are_an_incident_naming_the_element() -> None:
    # Each firing of the non-interrupting cycle adds a user task: the instance grows one action at a time.
    xml = boundary_cycle(cycle="R/PT1M").replace(b'<bpmn:endEvent id="E2"/>', b'<bpmn:userTask id="U2"/>')
    xml = xml.replace(b'targetRef="E2"', b'targetRef="U2"')
    h = Harness(_models(xml))
    h.engine.budget = Budget(max_tokens=8)
    inst = h.start("h_boundary")
    with pytest.raises(IncidentError, match=r"U2: the instance holds 9 active tokens \(\d+ here\); at most 8 .*"
                                            r"ALUR_ENGINE_MAX_TOKENS=8"):
        for _ in range(20):
            h.clock.advance(timedelta(minutes=1, seconds=1))
            inst.fire_due_timers()
            inst = h.reload(inst)


def test_a_stack_overflow_in_the_steps_is_an_incident_naming_the_last_step() -> None:
    from types import SimpleNamespace

    from service.engine import spiff
    workflow = SimpleNamespace(_alur_last_step=SimpleNamespace(bpmn_id="Langkah", bpmn_name="Langkah 1"))

    def deep() -> None:
        deep()
    with pytest.raises(IncidentError, match="Langkah: the automatic steps nest too deeply") as caught:
        with spiff.stack_guard(workflow):
            deep()
    assert caught.value.element_id == "Langkah"
