"""Time each hostile model of issue 11 through the engine alone (no server): deploy (parse), start, fire
timers. Usage: .venv/bin/python bench/hostile_engine.py [name ...] (each runs in a child with a 60 s cap)."""
from __future__ import annotations

import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import hostile_models as hm  # noqa: E402


def _engine(models: dict):  # type: ignore[no-untyped-def]
    from service.engine import Engine, SystemClock
    return Engine(clock=SystemClock(), processes=lambda k, t: models[k],
                  decisions=lambda *a: (_ for _ in ()).throw(LookupError("none")))


def _parse(*docs: tuple[str, bytes]) -> dict:
    from service.engine import parse_bpmn
    return {m.key: m for name, xml in docs for m in parse_bpmn(name, xml)}


def _run(models: dict, key: str, fire: bool = False, execute: bool = False) -> str:
    engine = _engine(models)
    inst = engine.start(models[key], variables={"next": "h_b"})
    if execute:
        from service.engine.timer_execution import bring_forward_earliest_timer
        bring_forward_earliest_timer(inst, engine.clock.now())
    if fire or execute:
        time.sleep(0.01)
        inst.fire_due_timers()
    return f"ok, {len(inst.dumps())} bytes of state"


CASES = {
    "boundary_cycle": lambda: _run(_parse(("b.bpmn", hm.boundary_cycle())), "h_boundary", fire=True),
    "execute_old_cycle": lambda: _run(_parse(("c.bpmn", hm.intermediate_cycle())), "h_cycle", execute=True),
    "call_cycle_one_deployment": lambda: _run(_parse(("a.bpmn", hm.caller("h_a", "h_b")),
                                                     ("b.bpmn", hm.caller("h_b", "h_a"))), "h_a"),
    "call_cycle_dynamic": lambda: _run(_parse(("a.bpmn", hm.dynamic_caller("h_b"))), "h_b"),
    "nested_mi": lambda: _run(_parse(("m.bpmn", hm.nested_multi_instance())), "h_mi"),
    "timer_P99999999Y": lambda: _run(_parse(("t.bpmn", hm.timer_event("timeDuration", "P99999999Y"))), "h_timer"),
    "cron_30_february": lambda: _run(_parse(("t.bpmn", hm.timer_event("timeCycle", "0 0 0 30 2 ?"))), "h_timer"),
    "date_9999": lambda: _run(_parse(("t.bpmn", hm.timer_event("timeDate", "9999-12-31T23:59:59.999999-14:00"))),
                              "h_timer"),
    "priority_1e30": lambda: _run(_parse(("p.bpmn", hm.user_task_priority("1" + "0" * 30))), "h_priority"),
    "xpriority_1e30": lambda: _run(_parse(("p.bpmn", hm.external_task_priority("1" + "0" * 30))), "h_xpriority"),
    "script_self_loop": lambda: _run(_parse(("s.bpmn", hm.script_self_loop())), "h_selfloop"),
    "parallel_loop": lambda: _run(_parse(("g.bpmn", hm.parallel_loop())), "h_parallel"),
}


def _child(name: str, queue: "multiprocessing.Queue[str]") -> None:
    try:
        queue.put(CASES[name]())
    except BaseException as exc:  # noqa: BLE001 - reported, this is a probe
        queue.put(f"{type(exc).__module__}.{type(exc).__name__}: {str(exc)[:200]}")


def main(names: list[str]) -> None:
    for name in names or list(CASES):
        queue: "multiprocessing.Queue[str]" = multiprocessing.Queue()
        child = multiprocessing.Process(target=_child, args=(name, queue))
        began = time.monotonic()
        child.start()
        child.join(60)
        if child.is_alive():
            child.kill()
            outcome = "still running after 60 s (killed)"
        else:
            outcome = queue.get() if not queue.empty() else f"child died (exit {child.exitcode})"
        print(f"{name:28s} {time.monotonic() - began:7.2f} s  {outcome}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
