"""Multi-instance (Camunda semantics), embedded subprocesses and call activities with in/out mappings."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine_support import Harness, load_models


@pytest.fixture()
def h() -> Harness:
    return Harness(load_models("subprocesses.bpmn", "child.bpmn"))


ITEMS = [{"owner": "ana"}, {"owner": "budi"}, {"owner": "citra"}]


def test_parallel_mi_over_collection_with_completion_condition(h: Harness) -> None:
    inst = h.start("mi", {"items": ITEMS})
    assert sorted(t.assignee for t in inst.user_tasks()) == ["ana", "budi", "citra"]   # ${item.owner}
    first = [t for t in inst.user_tasks() if t.assignee == "budi"][0]
    inst.complete_user_task(first.id, {"verdict": "ok"}, user="budi")
    inst = h.reload(inst)
    assert sorted(t.assignee for t in inst.user_tasks()) == ["ana", "citra"]
    inst = h.complete(inst, "Task_Review", {"verdict": "late"})
    # ${nrOfCompletedInstances >= 2}: the third instance is cancelled, the process moves on
    assert h.ready(inst) == ["Task_Seq"]
    v = inst.variables()
    assert v["verdict"] == "late" and "item" not in v and "loopCounter" not in v
    assert v["items"] == ITEMS
    starts = [e.element_type for e in h.history if e.element_id == "Task_Review" and e.kind == "activity_started"]
    assert sorted(starts) == ["multiInstanceBody", "userTask", "userTask", "userTask"]
    cancelled = [e.element_id for e in h.kinds("activity_cancelled")]
    assert cancelled == ["Task_Review"]


def test_sequential_mi_with_cardinality(h: Harness) -> None:
    inst = h.start("mi", {"items": []})        # an empty collection completes at once
    for i in range(3):
        assert len(inst.user_tasks()) == 1
        task = inst._wf.get_task_from_id(__import__("uuid").UUID(inst.user_tasks()[0].id))
        assert task.data["loopCounter"] == i
        inst = h.complete(inst, "Task_Seq", {f"n{i}": i})
    assert inst.completed
    assert {k: v for k, v in inst.variables().items() if k.startswith("n")} == {"n0": 0, "n1": 1, "n2": 2}


def test_mi_collection_must_be_a_list(h: Harness) -> None:
    from service.engine import IncidentError
    with pytest.raises(IncidentError, match="Task_Review"):
        h.engine.start(h.models["mi"], variables={"items": 5})


def _family(h: Harness) -> Any:
    from service.engine.calls import CallFamily
    return CallFamily(h.engine)


def _complete(family: Any, instance_id: str, element_id: str, variables: dict | None = None) -> None:
    inst = family.instances[instance_id]
    [task] = [t for t in inst.user_tasks() if t.element_id == element_id]
    inst.complete_user_task(task.id, variables or {}, user="tester")
    family.settle(instance_id)


def test_embedded_subprocess_and_call_activity_mappings(h: Harness) -> None:
    m = h.models["parent"]
    assert m.elements["Sub_Embedded"].properties == {"el": "subprocess"}
    assert m.elements["Task_Inner"].properties == {"el": "inner"}      # no leaking of nested properties
    family = _family(h)
    root = family.start(h.models["parent"], variables={"amount": 10, "secret": "s"})
    inst = family.instances[root]
    assert h.ready(inst) == ["Task_Inner"]
    assert [a.parent_element_id for a in inst.active_elements() if a.element_id == "Task_Inner"] == ["Sub_Embedded"]
    _complete(family, root, "Task_Inner", {"inner": 1})
    assert h.ready(inst) == []                                        # the caller waits in the call activity
    [(task_id, child_id)] = inst.waiting_calls().items()
    child = family.instances[child_id]
    assert family.super[child_id] == (root, task_id)
    assert child.model.key == "child" and h.ready(child) == ["Task_Child"]
    assert child.variables() == {"value": 10, "double": 20}             # only camunda:in crosses
    assert [a.element_id for a in inst.active_elements()] == ["Call_Child"]
    # the waiting caller survives the store format with its request
    again = h.reload(inst)
    assert again.waiting_calls() == {task_id: child_id} and again.pending_calls() == []
    _complete(family, child_id, "Task_Child", {"extra": 5})
    assert child.completed
    assert h.ready(inst) == ["Task_After"]
    assert inst.variables() == {"amount": 10, "secret": "s", "inner": 1, "childResult": Decimal("35")}
    _complete(family, root, "Task_After")
    assert inst.completed


def test_missing_called_process_fails_the_call_until_retried(h: Harness) -> None:
    child_model = h.models.pop("child")
    family = _family(h)
    root = family.start(h.models["parent"], variables={"amount": 1})
    _complete(family, root, "Task_Inner")
    inst = family.instances[root]
    [failed] = inst.failed_calls()
    assert failed.failure == "Cannot start call activity 'Call_Child': no processes deployed with key 'child'"
    assert inst.pending_calls() == [] and inst.waiting_calls() == {}
    h.models["child"] = child_model                     # deployed now: a retry starts the child
    assert inst.retry_calls() == 1
    family.settle(root)
    assert len(inst.waiting_calls()) == 1 and inst.failed_calls() == []


def test_set_variables_stays_out_of_called_processes(h: Harness) -> None:
    family = _family(h)
    root = family.start(h.models["parent"], variables={"amount": 10})
    inst = family.instances[root]
    inst.set_variables({"flag": 1})                      # embedded subprocess: shared scope
    _complete(family, root, "Task_Inner")
    inst.set_variables({"flag": 2})                      # call activity running: the child is isolated
    [child_id] = inst.waiting_calls().values()
    assert "flag" not in family.instances[child_id].variables() and inst.variables()["flag"] == 2


def test_variables_include_the_embedded_subprocess_scope(h: Harness) -> None:
    inst = h.start("parent", {"amount": 10})
    task = inst._wf.get_task_from_id(__import__("uuid").UUID(inst.user_tasks()[0].id))
    task.data["draft"] = "x"                          # as a form save would
    assert inst.variables()["draft"] == "x"
    inst = h.complete(inst, "Task_Inner")
    assert "value" not in inst.variables()            # the called process's variables stay there




ESCALATING_CHILD = '''
<bpmn:startEvent id="cs"/><bpmn:sequenceFlow id="c1" sourceRef="cs" targetRef="naik"/>
<bpmn:intermediateThrowEvent id="naik">
  <bpmn:escalationEventDefinition escalationRef="Esc"/></bpmn:intermediateThrowEvent>
<bpmn:sequenceFlow id="c2" sourceRef="naik" targetRef="kerja"/>
<bpmn:userTask id="kerja"/><bpmn:sequenceFlow id="c3" sourceRef="kerja" targetRef="ce"/>
<bpmn:endEvent id="ce"/>'''

ESCALATION_CALLER = '''
<bpmn:startEvent id="ps"/><bpmn:sequenceFlow id="p1" sourceRef="ps" targetRef="call"/>
<bpmn:callActivity id="call" calledElement="esc_child"/>
<bpmn:boundaryEvent id="lihat" attachedToRef="call" cancelActivity="false">
  <bpmn:escalationEventDefinition escalationRef="Esc"/></bpmn:boundaryEvent>
<bpmn:sequenceFlow id="p3" sourceRef="lihat" targetRef="catat"/>
<bpmn:userTask id="catat"/><bpmn:sequenceFlow id="p4" sourceRef="catat" targetRef="pe2"/><bpmn:endEvent id="pe2"/>
<bpmn:sequenceFlow id="p2" sourceRef="call" targetRef="pe"/><bpmn:endEvent id="pe"/>'''


def test_an_escalation_of_the_child_reaches_a_non_interrupting_boundary_of_the_call() -> None:
    from engine_support import wrap

    from service.engine import parse_bpmn

    esc = '<bpmn:escalation id="Esc" name="Naik" escalationCode="NAIK"/>\n'
    [child] = parse_bpmn("c.bpmn", wrap(ESCALATING_CHILD, key="esc_child", extra=esc))
    [caller] = parse_bpmn("p.bpmn", wrap(ESCALATION_CALLER, key="esc_caller", extra=esc))
    h = Harness({"esc_child": child, "esc_caller": caller})
    family = _family(h)
    root = family.start(caller, variables={})
    inst = family.instances[root]
    assert h.ready(inst) == ["catat"]                       # the escalation was caught on the call activity
    [child_id] = inst.waiting_calls().values()              # non-interrupting: the call still waits
    assert h.ready(family.instances[child_id]) == ["kerja"]
    _complete(family, child_id, "kerja")
    _complete(family, root, "catat")
    assert inst.completed
