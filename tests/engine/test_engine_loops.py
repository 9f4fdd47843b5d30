"""Loops stay correct and flat: pruning, parallel/inclusive joins in loops, long loops."""
from __future__ import annotations

import json
import time

import pytest

from engine_support import Harness, load_models


@pytest.fixture()
def h() -> Harness:
    return Harness(load_models("loops.bpmn"))


def test_parallel_join_in_a_loop_with_alternating_order(h: Harness) -> None:
    inst = h.start("parallel_loop", {"done": False})
    for i in range(30):
        assert h.ready(inst) == ["P_A", "P_B"], f"iteration {i}"
        order = ["P_A", "P_B"] if i % 2 else ["P_B", "P_A"]
        inst = h.complete(inst, order[0], {order[0]: i})
        assert h.ready(inst) == [order[1]], f"the join fired early in iteration {i}"
        inst = h.complete(inst, order[1], {order[1]: i})
        assert h.ready(inst) == ["P_Check"]
        inst = h.complete(inst, "P_Check", {"done": i == 29})
    assert inst.completed
    assert inst.variables()["P_A"] == 29 and inst.variables()["P_B"] == 29
    # state after the check of iteration 5 vs iteration 28: same shape, same size (within the variables)
    assert len(h.states[3 * 29]) < len(h.states[3 * 6]) * 1.2


@pytest.mark.parametrize("pattern", ["even", "alternate_order"])
def test_inclusive_join_in_a_loop(h: Harness, pattern: str) -> None:
    inst = h.start("inclusive_loop", {"done": False, "both": True})
    for i in range(20):
        both = i % 2 == 0
        inst.set_variables({"both": both})
        inst = h.reload(inst)
        if i == 0:
            assert h.ready(inst) == ["I_A", "I_B"]
        expected = ["I_A", "I_B"] if both else ["I_A"]
        assert h.ready(inst) == expected, f"iteration {i}"
        order = expected if pattern == "even" or i % 4 else list(reversed(expected))
        for n, element in enumerate(order):
            inst = h.complete(inst, element)
            if n < len(order) - 1:
                assert "I_Check" not in h.ready(inst), f"the inclusive join fired early in iteration {i}"
        assert h.ready(inst) == ["I_Check"]
        nxt_both = (i + 1) % 2 == 0
        inst = h.complete(inst, "I_Check", {"done": i == 19, "both": nxt_both})
    assert inst.completed


def test_thousand_iterations_stay_fast_and_flat(h: Harness) -> None:
    inst = h.start("simple_loop", {"done": False})
    sizes, times = [], []
    for i in range(1000):
        started = time.perf_counter()
        task = inst.user_tasks()[0]
        inst.complete_user_task(task.id, {"done": i == 999, "i": i}, user="u")
        inst.drain_history()
        state = inst.dumps()
        inst = h.engine.load(inst.model, state)
        times.append(time.perf_counter() - started)
        sizes.append(len(state))
    assert inst.completed
    assert len(json.loads(sizes and state)["tasks"]) < 12
    assert max(sizes[10:999]) - min(sizes[10:999]) < 200              # flat, not growing per iteration
    early = sorted(times[10:110])[50]
    late = sorted(times[890:990])[50]
    assert late < early * 2 + 0.001, (early, late)


def test_prune_keeps_everything_the_engine_consults(h: Harness) -> None:
    from service.engine.prune import prune
    from service.engine.spiff import child_ids, parent_id
    inst = h.start("parallel_loop", {"done": False})
    for _ in range(5):
        inst = h.complete(inst, "P_A")
        wf = inst._wf
        before = len(wf.tasks)
        removed = prune(wf)
        assert removed >= 0 and len(wf.tasks) == before - removed
        for task in wf.tasks.values():               # parent/child links are symmetric and resolvable
            if task.parent is not None:
                assert task.id in child_ids(task.parent)
            for child in child_ids(task):
                assert parent_id(wf.tasks[child]) == task.id
        inst = h.complete(inst, "P_B")
        inst = h.complete(inst, "P_Check", {"done": False})
    assert h.ready(inst) == ["P_A", "P_B"]


def test_unpruned_state_is_pruned_on_dump(h: Harness) -> None:
    inst = h.start("simple_loop", {"done": False})
    for _ in range(50):
        inst.complete_user_task(inst.user_tasks()[0].id, {"done": False}, user=None)
    assert len(inst._wf.tasks) > 100
    state = inst.dumps()
    assert len(json.loads(state)["tasks"]) < 12
    again = h.engine.load(inst.model, state)
    again.complete_user_task(again.user_tasks()[0].id, {"done": True}, user=None)
    assert again.completed


def test_prune_aborts_when_a_live_task_is_unreachable(h: Harness) -> None:
    from service.engine.prune import prune
    inst = h.start("simple_loop", {"done": False})
    for _ in range(3):
        inst.complete_user_task(inst.user_tasks()[0].id, {"done": False}, user=None)
    wf = inst._wf
    live = [t for t in wf.tasks.values() if t.task_spec.name == "Task_Work" and t.state == 16][0]
    wf.tasks[live._parent]._children.remove(live.id)           # corrupt: the live task hangs loose
    before = dict(wf.tasks)
    assert prune(wf) == 0
    assert wf.tasks == before
