"""Issue 3 benchmark: one user-task step through the Alur adapter vs raw SpiffWorkflow.

Alur step = load + complete + do_engine_steps + history + prune + dumps.
Raw step  = deserialize_json + complete + do_engine_steps + serialize_json (default Spiff config,
            Python conditions, no pruning) on the same loop model.
Run: .venv/bin/python bench/engine_prune_check.py [iterations]
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RAW_BPMN = (ROOT / "tests/engine/fixtures/loops.bpmn").read_text().replace("${done}", "done == True")


def alur(iterations: int) -> list[float]:
    from datetime import datetime, timezone
    from service.engine import Engine, FrozenClock, parse_bpmn
    models = {m.key: m for m in parse_bpmn("loops.bpmn", (ROOT / "tests/engine/fixtures/loops.bpmn").read_bytes())}
    engine = Engine(clock=FrozenClock(datetime(2026, 1, 5, tzinfo=timezone.utc)),
                    processes=lambda k, t: models[k], decisions=lambda *a: None)
    model = models["simple_loop"]
    inst = engine.start(model, variables={"done": False})
    state = inst.dumps()
    times = []
    for i in range(iterations):
        t0 = time.perf_counter()
        inst = engine.load(model, state)
        task = inst.user_tasks()[0]
        inst.complete_user_task(task.id, {"done": False, "i": i}, user="u")
        inst.drain_history()
        state = inst.dumps()
        times.append(time.perf_counter() - t0)
    return times


def raw(iterations: int) -> list[float]:
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState
    parser = BpmnParser()
    parser.add_bpmn_str(RAW_BPMN.encode())
    ser = BpmnWorkflowSerializer()
    wf = BpmnWorkflow(parser.get_spec("simple_loop"))
    wf.get_next_task(state=TaskState.READY).data["done"] = False
    wf.do_engine_steps()
    state = ser.serialize_json(wf)
    times = []
    for i in range(iterations):
        t0 = time.perf_counter()
        wf = ser.deserialize_json(state)
        task = wf.get_next_task(state=TaskState.READY, manual=True)
        task.data.update({"done": False, "i": i})
        task.run()
        wf.do_engine_steps()
        state = ser.serialize_json(wf)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    a, r = alur(n), raw(n)
    for label, xs in (("alur", a), ("raw", r)):
        print(f"{label:5} first10 {statistics.median(xs[:10]) * 1000:.2f} ms   "
              f"last10 {statistics.median(xs[-10:]) * 1000:.2f} ms   median {statistics.median(xs) * 1000:.2f} ms")
    print(f"alur/raw at iteration 1-10: {statistics.median(a[:10]) / statistics.median(r[:10]):.2f}x; "
          f"alur last/first: {statistics.median(a[-10:]) / statistics.median(a[:10]):.2f}")


if __name__ == "__main__":
    main()
