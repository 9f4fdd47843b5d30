"""Spec objects restored once per model and shared by its instances (the load-time spec cache).

Sharing is only safe while nothing changes a spec at run time; these tests run instances of one model
interleaved (and in threads) and compare each with the same steps run alone.
"""
from __future__ import annotations

import json
import threading
from typing import Any, Callable

from engine_support import Harness, load_models

from service.engine import serializer as ser

ITEMS = [{"owner": "ana"}, {"owner": "budi"}, {"owner": "citra"}]
Step = Callable[[Harness, Any], Any]


def _run_interleaved(h: Harness, key: str, starts: list[dict], steps: list[list[Step]]) -> list[Any]:
    """Start one instance per start dict, then apply step i of every instance before step i + 1 of any."""
    instances = [h.start(key, dict(v)) for v in starts]
    for round_steps in zip(*steps, strict=False):
        instances = [step(h, inst) for step, inst in zip(round_steps, instances, strict=False)]
    return instances


def _run_alone(models: dict, key: str, start: dict, steps: list[Step]) -> Any:
    h = Harness(models)
    inst = h.start(key, dict(start))
    for step in steps:
        inst = step(h, inst)
    return inst


def _complete(element: str, variables: dict | None = None) -> Step:
    return lambda h, inst: h.complete(inst, element, variables)


def _parallel_loop_steps(offset: int, rounds: int, last_done: bool) -> list[Step]:
    steps: list[Step] = []
    for i in range(rounds):
        first, second = ("P_A", "P_B") if (i + offset) % 2 else ("P_B", "P_A")
        steps += [_complete(first, {first: offset + i}), _complete(second, {second: offset + i}),
                  _complete("P_Check", {"done": last_done and i == rounds - 1})]
    return steps


def test_instances_of_one_model_share_specs_and_stay_independent() -> None:
    models = load_models("loops.bpmn")
    h = Harness(models)
    plans = [_parallel_loop_steps(0, 6, True), _parallel_loop_steps(100, 6, False)]
    a, b = _run_interleaved(h, "parallel_loop", [{"done": False}, {"done": False}], plans)
    assert a._wf.spec is b._wf.spec                                  # loaded from the cache, not restored
    assert ser.shareable(a._wf.spec, a._wf.subprocess_specs)
    alone_a = _run_alone(models, "parallel_loop", {"done": False}, plans[0])
    alone_b = _run_alone(models, "parallel_loop", {"done": False}, plans[1])
    assert a.completed and alone_a.completed
    assert not b.completed and h.ready(b) == ["P_A", "P_B"]
    assert a.variables() == alone_a.variables() and a.variables()["P_A"] == 5
    assert b.variables() == alone_b.variables() and b.variables()["P_B"] == 105


def test_subprocess_and_call_activity_specs_are_shared_between_interleaved_instances() -> None:
    models = load_models("subprocesses.bpmn", "child.bpmn")
    h = Harness(models)
    plans = [[_complete("Task_Inner", {"inner": 1})], [_complete("Task_Inner", {"inner": 2})]]
    starts = [{"amount": 10, "secret": "s"}, {"amount": 3, "secret": "t"}]
    a, b = _run_interleaved(h, "parent", starts, plans)
    assert a._wf.spec is b._wf.spec
    assert a._wf.subprocess_specs is not b._wf.subprocess_specs        # each workflow has its own dict
    # Both wait in the call activity, each with its own request (the called process is a separate instance).
    [req_a], [req_b] = a.pending_calls(), b.pending_calls()
    assert req_a.variables == {"value": 10, "double": 20} and req_b.variables == {"value": 3, "double": 6}
    assert b.variables() == _run_alone(models, "parent", starts[1], plans[1]).variables()


def test_models_with_multi_instance_tasks_get_fresh_specs_per_instance() -> None:
    models = load_models("subprocesses.bpmn", "child.bpmn")
    h = Harness(models)
    a = h.start("mi", {"items": ITEMS})
    b = h.start("mi", {"items": ITEMS[:2]})
    assert a._wf.spec is not b._wf.spec
    assert not ser.shareable(a._wf.spec, a._wf.subprocess_specs)
    # Interleaved: B finishes its parallel MI (2 of 2) between A's first and second completion.
    a = h.complete(a, "Task_Review", {"verdict": "a1"})
    b = h.complete(b, "Task_Review", {"verdict": "b1"})
    b = h.complete(b, "Task_Review", {"verdict": "b2"})
    assert h.ready(b) == ["Task_Seq"] and len(a.user_tasks()) == 2
    a = h.complete(a, "Task_Review", {"verdict": "a2"})               # completion condition: 2 of 3
    assert h.ready(a) == ["Task_Seq"]
    assert a.variables()["verdict"] == "a2" and b.variables()["verdict"] == "b2"


def test_threads_driving_instances_of_one_shared_model() -> None:
    models = load_models("loops.bpmn")
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def drive(n: int) -> None:
        try:
            h = Harness(models)
            inst = h.start("simple_loop", {"done": False})
            for i in range(40):
                inst = h.complete(inst, "Task_Work", {"done": i == 39, "n": n * 1000 + i})
            results[n] = inst
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=drive, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert all(results[n].completed for n in range(3))
    assert [results[n].variables()["n"] for n in range(3)] == [39, 1039, 2039]


def test_state_without_specs_is_spiffworkflows_dict_minus_the_specs() -> None:
    h = Harness(load_models("subprocesses.bpmn", "child.bpmn"))
    inst = h.complete(h.start("parent", {"amount": 10, "secret": "s"}), "Task_Inner", {"inner": 1})
    wf = inst._wf
    spiff = ser.serializer()
    spiff.registry._encoder_mode = True
    try:
        full = json.loads(json.dumps(spiff.to_dict(wf), cls=spiff._encoder_cls))
    finally:
        spiff.registry._encoder_mode = False
    state = json.loads(ser.dumps(wf, prune_first=False))
    assert "spec" not in state and "subprocess_specs" not in state
    for key in ("spec", "subprocess_specs"):
        full.pop(key)
    for key in (spiff.VERSION_KEY, "alur_format", "alur_meta"):
        state.pop(key)
    assert state == full
