"""Multi-instance (Camunda semantics), embedded subprocesses and call activities with in/out mappings."""
from __future__ import annotations

from decimal import Decimal

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


def test_embedded_subprocess_and_call_activity_mappings(h: Harness) -> None:
    m = h.models["parent"]
    assert m.called_keys == ["child"]
    assert m.elements["Sub_Embedded"].properties == {"el": "subprocess"}
    assert m.elements["Task_Inner"].properties == {"el": "inner"}      # no leaking of nested properties
    inst = h.start("parent", {"amount": 10, "secret": "s"})
    assert list(inst.called_models) == ["child"]
    assert h.ready(inst) == ["Task_Inner"]
    assert [a.parent_element_id for a in inst.active_elements() if a.element_id == "Task_Inner"] == ["Sub_Embedded"]
    inst = h.complete(inst, "Task_Inner", {"inner": 1})
    assert h.ready(inst) == ["Task_Child"]
    child_task = inst._wf.get_task_from_id(__import__("uuid").UUID(inst.user_tasks()[0].id))
    assert child_task.data == {"value": 10, "double": 20}             # only camunda:in crosses
    inst = h.complete(inst, "Task_Child", {"extra": 5})
    assert h.ready(inst) == ["Task_After"]
    assert inst.variables() == {"amount": 10, "secret": "s", "inner": 1, "childResult": Decimal("35")}
    inst = h.complete(inst, "Task_After")
    assert inst.completed


def test_load_needs_the_called_models(h: Harness) -> None:
    inst = h.start("parent", {"amount": 1})
    state = inst.dumps()
    from service.engine import EngineError
    with pytest.raises(EngineError, match="child"):
        h.engine.load(h.models["parent"], state, {})
    assert h.engine.load(h.models["parent"], state, inst.called_models).user_tasks()


def test_missing_called_process_is_a_clear_error(h: Harness) -> None:
    from service.engine import EngineError
    del h.models["child"]
    with pytest.raises(EngineError, match="called process 'child' is not deployed"):
        h.engine.start(h.models["parent"], variables={})


def test_set_variables_stays_out_of_called_processes(h: Harness) -> None:
    inst = h.start("parent", {"amount": 10})
    inst.set_variables({"flag": 1})                      # embedded subprocess: shared scope
    inst = h.reload(inst)
    inner = inst._wf.get_task_from_id(__import__("uuid").UUID(inst.user_tasks()[0].id))
    assert inner.data["flag"] == 1
    inst = h.complete(inst, "Task_Inner")
    inst.set_variables({"flag": 2})                      # call activity running: the child is isolated
    inst = h.reload(inst)
    child = inst._wf.get_task_from_id(__import__("uuid").UUID(inst.user_tasks()[0].id))
    assert "flag" not in child.data and inst.variables()["flag"] == 2


def test_variables_include_the_embedded_subprocess_scope(h: Harness) -> None:
    inst = h.start("parent", {"amount": 10})
    task = inst._wf.get_task_from_id(__import__("uuid").UUID(inst.user_tasks()[0].id))
    task.data["draft"] = "x"                          # as a form save would
    assert inst.variables()["draft"] == "x"
    inst = h.complete(inst, "Task_Inner")
    assert "value" not in inst.variables()            # the called process's variables stay there


def test_history_of_a_called_process_uses_the_called_models_element_types() -> None:
    """The child's user task `Step_2` must not be reported as the parent's call activity `Step_2`."""
    from test_called_process_ownership import harness

    hc = harness()
    inst = hc.start("induk")
    inst = hc.complete(inst, "Step_2")
    [ext] = inst.external_tasks()
    inst.complete_external_task(ext.id, {})
    inst = hc.complete(inst, "Step_3")
    assert inst.completed
    hc.history.extend(inst.drain_history())
    started = {(e.element_id, e.process_key, e.element_type, e.element_name, e.lane)
               for e in hc.history if e.kind == "activity_started" and e.element_id == "Step_2"}
    assert started == {("Step_2", "induk", "callActivity", "Panggil anak", "Induk"),
                       ("Step_2", "anak", "userTask", "Tugas anak", "PPK")}
    ended = {(e.process_key, e.element_type) for e in hc.history
             if e.kind == "activity_ended" and e.element_id in ("Step_2", "Step_4", "End_1")}
    assert {("anak", "userTask"), ("induk", "callActivity"), ("anak", "endEvent"), ("induk", "endEvent")} <= ended
