"""Elements of a called process are reported with the called process's key, even when their ids
repeat the caller's (the caller's call activity `Step_2` vs the child's user task `Step_2`)."""
from __future__ import annotations

from service.engine import parse_bpmn
from tests.engine.engine_support import Harness, wrap

PARENT = wrap("""
<bpmn:laneSet id="ls"><bpmn:lane id="L_induk" name="Induk"><bpmn:flowNodeRef>Step_2</bpmn:flowNodeRef>
<bpmn:flowNodeRef>Step_3</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
<bpmn:startEvent id="StartEvent"/>
<bpmn:sequenceFlow id="f1" sourceRef="StartEvent" targetRef="Step_2"/>
<bpmn:callActivity id="Step_2" name="Panggil anak" calledElement="anak"/>
<bpmn:sequenceFlow id="f2" sourceRef="Step_2" targetRef="Step_3"/>
<bpmn:userTask id="Step_3" name="Tugas induk"/>
<bpmn:sequenceFlow id="f3" sourceRef="Step_3" targetRef="End_1"/>
<bpmn:endEvent id="End_1"/>
""", key="induk")

CHILD = wrap("""
<bpmn:laneSet id="ls2"><bpmn:lane id="L_ppk" name="PPK"><bpmn:flowNodeRef>Step_2</bpmn:flowNodeRef>
<bpmn:flowNodeRef>Step_4</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
<bpmn:startEvent id="StartEvent"/>
<bpmn:sequenceFlow id="g1" sourceRef="StartEvent" targetRef="Step_2"/>
<bpmn:userTask id="Step_2" name="Tugas anak" camunda:formRef="anak-2">
  <bpmn:extensionElements><camunda:properties><camunda:property name="sop.no" value="2"/></camunda:properties>
  </bpmn:extensionElements>
</bpmn:userTask>
<bpmn:sequenceFlow id="g2" sourceRef="Step_2" targetRef="Step_4"/>
<bpmn:serviceTask id="Step_4" name="Kirim" camunda:type="external" camunda:topic="kirim"/>
<bpmn:sequenceFlow id="g3" sourceRef="Step_4" targetRef="End_1"/>
<bpmn:endEvent id="End_1"/>
""", key="anak")


def harness() -> Harness:
    models = {m.key: m for content, name in ((PARENT, "induk.bpmn"), (CHILD, "anak.bpmn"))
              for m in parse_bpmn(name, content)}
    return Harness(models)


def test_called_user_task_carries_the_called_key_and_its_own_element():
    h = harness()
    inst = h.start("induk")
    [task] = inst.user_tasks()
    assert (task.element_id, task.process_key) == ("Step_2", "anak")
    assert task.name == "Tugas anak" and task.lane == "PPK" and task.form_ref == "anak-2"
    assert task.properties == {"sop.no": "2"} and task.candidate_groups == ["PPK"]
    active = {(a.element_id, a.process_key): a.element_type for a in inst.active_elements()}
    assert active[("Step_2", "induk")] == "callActivity"
    assert active[("Step_2", "anak")] == "userTask"


def test_history_gives_the_called_elements_type_and_key():
    h = harness()
    inst = h.start("induk")
    started = [(e.element_id, e.element_type, e.process_key) for e in h.history if e.kind == "activity_started"]
    assert ("Step_2", "callActivity", "induk") in started
    assert ("Step_2", "userTask", "anak") in started
    assert ("StartEvent", "startEvent", "anak") in started
    instance_events = [e for e in h.history if e.kind == "instance_started"]
    assert instance_events and instance_events[0].process_key is None
    inst.complete_user_task(inst.user_tasks()[0].id, {}, user="u")
    inst = h.reload(inst)
    [external] = inst.external_tasks()
    assert (external.element_id, external.process_key) == ("Step_4", "anak")
    inst.complete_external_task(external.id, {})
    inst = h.reload(inst)
    [task] = inst.user_tasks()
    assert (task.element_id, task.process_key, task.name) == ("Step_3", "induk", "Tugas induk")
    ended = [(e.element_id, e.element_type, e.process_key) for e in h.history if e.kind == "activity_ended"]
    assert ("Step_2", "userTask", "anak") in ended and ("Step_2", "callActivity", "induk") in ended
    assert ("End_1", "endEvent", "anak") in ended
