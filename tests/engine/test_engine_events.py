"""Event-based gateway, call activity with variables="all", business key, mutu.hari=kalender."""
from __future__ import annotations

from datetime import timedelta

from engine_support import T0, Harness, wrap
from service.engine import parse_bpmn

RACE = '''
<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:eventBasedGateway id="g"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
  <bpmn:outgoing>f3</bpmn:outgoing></bpmn:eventBasedGateway>
<bpmn:intermediateCatchEvent id="got_reply"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
  <bpmn:messageEventDefinition messageRef="m_reply" /></bpmn:intermediateCatchEvent>
<bpmn:intermediateCatchEvent id="timeout"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
  <bpmn:timerEventDefinition><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
<bpmn:userTask id="Task_Reply"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
<bpmn:userTask id="Task_Timeout" camunda:candidateGroups="${group}"><bpmn:extensionElements><camunda:properties>
  <camunda:property name="mutu.waktu" value="P3D" /><camunda:property name="mutu.hari" value="kalender" />
  </camunda:properties></bpmn:extensionElements><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing>
    </bpmn:userTask>
<bpmn:endEvent id="e"><bpmn:incoming>f6</bpmn:incoming><bpmn:incoming>f7</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g" />
<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="got_reply" />
<bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="timeout" />
<bpmn:sequenceFlow id="f4" sourceRef="got_reply" targetRef="Task_Reply" />
<bpmn:sequenceFlow id="f5" sourceRef="timeout" targetRef="Task_Timeout" />
<bpmn:sequenceFlow id="f6" sourceRef="Task_Reply" targetRef="e" />
<bpmn:sequenceFlow id="f7" sourceRef="Task_Timeout" targetRef="e" />'''

MESSAGES = '<bpmn:message id="m_reply" name="balasan" />\n'


class KalenderCheck:
    def __init__(self) -> None:
        self.calls: list = []

    def add(self, start, waktu, *, calendar_days):
        self.calls.append((waktu, calendar_days))
        return start + timedelta(days=3)


def race() -> Harness:
    [model] = parse_bpmn("race.bpmn", wrap(RACE, key="race", extra=MESSAGES))
    return Harness({"race": model}, calendar=KalenderCheck())


def test_event_based_gateway_message_wins() -> None:
    h = race()
    inst = h.start("race", {"group": "ukpbj"})
    assert inst.waiting_messages() == ["balasan"] and inst.next_timer_due() == T0 + timedelta(days=3)
    assert inst.correlate_message("balasan", {"answer": "ya"})
    inst = h.reload(inst)
    assert h.ready(inst) == ["Task_Reply"] and inst.next_timer_due() is None
    assert inst.variables()["answer"] == "ya"


def test_event_based_gateway_timer_wins() -> None:
    h = race()
    inst = h.start("race", {"group": "ukpbj"})
    h.clock.advance(timedelta(days=3))
    assert inst.fire_due_timers() == 1
    inst = h.reload(inst)
    assert h.ready(inst) == ["Task_Timeout"] and inst.waiting_messages() == []
    task = h.task(inst, "Task_Timeout")
    assert task.candidate_groups == ["ukpbj"]
    assert task.due == T0 + timedelta(days=6)
    assert h.engine.calendar.calls == [("P3D", True)]           # mutu.hari=kalender: calendar days


CHILD = '''
<bpmn:startEvent id="cs"><bpmn:outgoing>c1</bpmn:outgoing></bpmn:startEvent>
<bpmn:userTask id="Task_InChild"><bpmn:incoming>c1</bpmn:incoming><bpmn:outgoing>c2</bpmn:outgoing></bpmn:userTask>
<bpmn:endEvent id="ce"><bpmn:incoming>c2</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="c1" sourceRef="cs" targetRef="Task_InChild" />
<bpmn:sequenceFlow id="c2" sourceRef="Task_InChild" targetRef="ce" />'''

PARENT = '''
<bpmn:startEvent id="ps"><bpmn:outgoing>p1</bpmn:outgoing></bpmn:startEvent>
<bpmn:callActivity id="call" calledElement="all_child"><bpmn:extensionElements>
  <camunda:in variables="all" /><camunda:in businessKey="#{execution.processBusinessKey}" />
  <camunda:out variables="all" /></bpmn:extensionElements>
  <bpmn:incoming>p1</bpmn:incoming><bpmn:outgoing>p2</bpmn:outgoing></bpmn:callActivity>
<bpmn:endEvent id="pe"><bpmn:incoming>p2</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="p1" sourceRef="ps" targetRef="call" />
<bpmn:sequenceFlow id="p2" sourceRef="call" targetRef="pe" />'''


def test_call_activity_with_all_variables() -> None:
    from service.engine.calls import CallFamily

    [child] = parse_bpmn("child.bpmn", wrap(CHILD, key="all_child"))
    [parent] = parse_bpmn("parent.bpmn", wrap(PARENT, key="all_parent"))
    h = Harness({"all_child": child, "all_parent": parent})
    family = CallFamily(h.engine)
    root = family.start(parent, variables={"a": 1, "b": [1, 2]}, business_key="BK")
    inst = family.instances[root]
    assert h.ready(inst) == [] and [a.element_id for a in inst.active_elements()] == ["call"]
    [child_id] = inst.waiting_calls().values()
    sub = family.instances[child_id]
    assert sub.business_key == "BK" and sub.variables() == {"a": 1, "b": [1, 2]}
    [task] = sub.user_tasks()
    sub.complete_user_task(task.id, {"c": 3, "a": 10}, user=None)
    family.settle(child_id)
    assert inst.completed and inst.variables() == {"a": 10, "b": [1, 2], "c": 3}


CONDITIONAL = '''
<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:intermediateCatchEvent id="wait_ok"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
  <bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">${ok == true}</bpmn:condition>
  </bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>
<bpmn:userTask id="Task_After"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
<bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait_ok" />
<bpmn:sequenceFlow id="f2" sourceRef="wait_ok" targetRef="Task_After" />
<bpmn:sequenceFlow id="f3" sourceRef="Task_After" targetRef="e" />'''


def test_conditional_event_waits_for_variables() -> None:
    [model] = parse_bpmn("cond.bpmn", wrap(CONDITIONAL, key="cond"))
    h = Harness({"cond": model})
    inst = h.start("cond", {"ok": False})
    assert h.ready(inst) == [] and [a.element_id for a in inst.active_elements()] == ["wait_ok"]
    inst.set_variables({"ok": True})
    inst = h.reload(inst)
    assert h.ready(inst) == ["Task_After"]


ERRORS = '''
<bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
<bpmn:subProcess id="sub"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
  <bpmn:startEvent id="ss"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:userTask id="Task_Check"><bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing></bpmn:userTask>
  <bpmn:exclusiveGateway id="gw" default="g3"><bpmn:incoming>g2</bpmn:incoming><bpmn:outgoing>g3</bpmn:outgoing>
    <bpmn:outgoing>g4</bpmn:outgoing></bpmn:exclusiveGateway>
  <bpmn:endEvent id="se"><bpmn:incoming>g3</bpmn:incoming></bpmn:endEvent>
  <bpmn:endEvent id="err_end"><bpmn:incoming>g4</bpmn:incoming><bpmn:errorEventDefinition errorRef="E_bad" />
    </bpmn:endEvent>
  <bpmn:sequenceFlow id="g1" sourceRef="ss" targetRef="Task_Check" />
  <bpmn:sequenceFlow id="g2" sourceRef="Task_Check" targetRef="gw" />
  <bpmn:sequenceFlow id="g3" sourceRef="gw" targetRef="se" />
  <bpmn:sequenceFlow id="g4" sourceRef="gw" targetRef="err_end">
    <bpmn:conditionExpression>${bad}</bpmn:conditionExpression></bpmn:sequenceFlow>
</bpmn:subProcess>
<bpmn:boundaryEvent id="on_error" attachedToRef="sub"><bpmn:outgoing>f3</bpmn:outgoing>
  <bpmn:errorEventDefinition errorRef="E_bad" /></bpmn:boundaryEvent>
<bpmn:parallelGateway id="split"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
  <bpmn:outgoing>f5</bpmn:outgoing></bpmn:parallelGateway>
<bpmn:userTask id="Task_Slow"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
<bpmn:userTask id="Task_Fast"><bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing></bpmn:userTask>
<bpmn:endEvent id="done"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
<bpmn:endEvent id="stop_all"><bpmn:incoming>f7</bpmn:incoming><bpmn:terminateEventDefinition /></bpmn:endEvent>
<bpmn:userTask id="Task_Handle"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f8</bpmn:outgoing></bpmn:userTask>
<bpmn:endEvent id="handled"><bpmn:incoming>f8</bpmn:incoming></bpmn:endEvent>
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub" />
<bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="split" />
<bpmn:sequenceFlow id="f3" sourceRef="on_error" targetRef="Task_Handle" />
<bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="Task_Slow" />
<bpmn:sequenceFlow id="f5" sourceRef="split" targetRef="Task_Fast" />
<bpmn:sequenceFlow id="f6" sourceRef="Task_Slow" targetRef="done" />
<bpmn:sequenceFlow id="f7" sourceRef="Task_Fast" targetRef="stop_all" />
<bpmn:sequenceFlow id="f8" sourceRef="Task_Handle" targetRef="handled" />'''


def errors_harness() -> Harness:
    [model] = parse_bpmn("err.bpmn", wrap(ERRORS, key="err", extra='<bpmn:error id="E_bad" errorCode="BAD" />\n'))
    return Harness({"err": model})


def test_error_end_event_in_subprocess_reaches_boundary() -> None:
    h = errors_harness()
    inst = h.start("err", {"bad": False})
    inst = h.complete(inst, "Task_Check", {"bad": True})
    assert h.ready(inst) == ["Task_Handle"]
    inst = h.complete(inst, "Task_Handle")
    assert inst.completed


def test_terminate_end_event_cancels_the_other_branch() -> None:
    h = errors_harness()
    inst = h.start("err", {"bad": False})
    inst = h.complete(inst, "Task_Check")
    assert h.ready(inst) == ["Task_Fast", "Task_Slow"]
    inst = h.complete(inst, "Task_Fast")
    assert inst.completed and inst.user_tasks() == []
    assert "Task_Slow" in [e.element_id for e in h.kinds("activity_cancelled")]
    assert h.kinds("instance_ended")
