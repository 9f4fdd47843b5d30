"""Step benchmark of the service (prints figures; not a test).

(a) median cost of completing one user task through the service (Flask test client, SQLite file database,
    the whole request: load, engine step, save, projections, history, commit) divided by the raw
    SpiffWorkflow cost of deserialize + complete + serialize of the same model in the same run;
(b) completion cost around loop iteration 500 divided by that around iteration 5, for a loop
    (user task -> exclusive gateway -> back);
(c) instance start cost through the service, and raw SpiffWorkflow's start + serialize for comparison.

The ratios use CPU time (time.process_time): the machine is shared, and other processes' disk and CPU use
inflate wall-clock time of whichever side they hit; wall-clock medians are printed too. Service and raw
measurements alternate, so both run with the same caches and load. `--phases` adds where the service's
time goes (CPU ms per phase of one completion).

Run: .venv/bin/python bench/step_bench.py [--iterations 500] [--samples 300] [--phases]
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The condition `selesai` is valid FEEL and valid Python, so raw SpiffWorkflow runs the same model.
LOOP_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="Defs_bench" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="bench_loop" name="Bench loop" isExecutable="true">
    <bpmn:startEvent id="Mulai_1"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Kerjakan" name="Kerjakan" camunda:candidateGroups="staf">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:incoming>FBack</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gw" default="FBack">
      <bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>FDone</bpmn:outgoing><bpmn:outgoing>FBack</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="FDone" sourceRef="Gw" targetRef="Selesai_1">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">selesai</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="FBack" sourceRef="Gw" targetRef="Kerjakan" />
    <bpmn:endEvent id="Selesai_1"><bpmn:incoming>FDone</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Mulai_1" targetRef="Kerjakan" />
    <bpmn:sequenceFlow id="F2" sourceRef="Kerjakan" targetRef="Gw" />
  </bpmn:process>
</bpmn:definitions>
"""


CPU: list[tuple[float, float]] = []     # (wall ms, cpu ms) of every timed call, in order


def timed(fn: Callable[[], Any]) -> float:
    """Wall-clock ms of one call; its CPU time is kept in CPU (disk waits of other processes on a shared
    machine inflate wall time only)."""
    cpu = time.process_time()
    start = time.perf_counter()
    fn()
    wall = (time.perf_counter() - start) * 1000.0
    CPU.append((wall, (time.process_time() - cpu) * 1000.0))
    return wall


def cpu_of(start: int, stop: int, step: int = 1) -> float:
    return statistics.median(c for _, c in CPU[start:stop:step])


class RawSpiff:
    """Raw SpiffWorkflow on the same model: the baseline the service is compared with."""

    def __init__(self) -> None:
        from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
        from SpiffWorkflow.camunda.parser import CamundaParser
        from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
        from SpiffWorkflow.util.task import TaskState

        parser = CamundaParser()
        parser.add_bpmn_str(LOOP_BPMN)
        self.spec = parser.get_spec("bench_loop")
        self.workflow_class = BpmnWorkflow
        self.ready = TaskState.READY
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
        self.state = self.start()

    def start(self) -> str:
        wf = self.workflow_class(self.spec)
        wf.do_engine_steps()
        return self.serializer.serialize_json(wf)

    def step(self, marks: list[float] | None = None) -> None:
        """deserialize + complete the user task + serialize (the state stays at iteration 1)."""
        wf = self.serializer.deserialize_json(self.state)
        if marks is not None:
            marks.append(time.process_time())
        task = wf.get_tasks(state=self.ready, manual=True)[0]
        task.data["selesai"] = False
        task.run()
        wf.do_engine_steps()
        if marks is not None:
            marks.append(time.process_time())
        self.serializer.serialize_json(wf)


class Service:
    def __init__(self, workdir: Path) -> None:
        from service.app import create_app

        self.app = create_app({"database_url": f"sqlite:///{workdir / 'bench.db'}", "instance_path": workdir,
                               "scheduler": False, "web": False, "ALUR_REST_AUTH": "off"})
        self.app.extensions["alur"].db.create_all()
        self.client = self.app.test_client()
        r = self.client.post("/engine-rest/deployment/create", content_type="multipart/form-data",
                             data={"deployment-name": "bench", "bench.bpmn": (io.BytesIO(LOOP_BPMN), "bench.bpmn")})
        assert r.status_code == 200, r.json

    def start(self) -> str:
        r = self.client.post("/engine-rest/process-definition/key/bench_loop/start", json={})
        assert r.status_code == 200, r.json
        return r.json["id"]

    def task_of(self, instance_id: str) -> str:
        r = self.client.get("/engine-rest/task", query_string={"processInstanceId": instance_id})
        return r.json[0]["id"]

    def complete(self, task_id: str) -> None:
        r = self.client.post(f"/engine-rest/task/{task_id}/complete",
                             json={"variables": {"selesai": {"value": False, "type": "Boolean"}}})
        assert r.status_code == 204, r.json


class PhaseClock:
    """CPU time per phase of a service completion, by wrapping the functions that implement each phase
    (bench-only instrumentation; it adds a few microseconds per wrapped call)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._undo: list[Callable[[], None]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed_call(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + time.process_time() - start

        setattr(owner, name, timed_call)
        self._undo.append(lambda: setattr(owner, name, original))

    def restore(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()


def phases(svc: Service, raw: RawSpiff, samples: int) -> None:
    import service.ops as ops_package
    from service.engine.runtime import Instance
    from service.ops import persistence
    from sqlalchemy.orm import Session

    clock = PhaseClock()
    clock.wrap(ops_package, "complete_task", "ops")
    clock.wrap(persistence, "load", "load")
    clock.wrap(Instance, "complete_user_task", "engine")
    clock.wrap(Instance, "dumps", "dumps")
    clock.wrap(persistence, "save", "save")
    clock.wrap(Session, "commit", "commit")
    per_sample: list[dict[str, float]] = []
    raw_parts: list[tuple[float, float, float]] = []
    try:
        for _ in range(samples):
            task = svc.task_of(svc.start())
            clock.spent = {}
            start = time.process_time()
            svc.complete(task)
            clock.spent["request"] = time.process_time() - start
            per_sample.append(clock.spent)
            clock.spent = {}          # the next start() must not count towards this sample
            marks = [time.process_time()]
            raw.step(marks)
            marks.append(time.process_time())
            raw_parts.append((marks[1] - marks[0], marks[2] - marks[1], marks[3] - marks[2]))
    finally:
        clock.restore()

    labels = [
        ("HTTP: test client, Flask routing and hooks, JSON, marshmallow", lambda s: s["request"] - s["ops"]),
        ("session + SELECT of the task's instance row",
         lambda s: s["ops"] - s["load"] - s["engine"] - s["save"] - s["commit"]),
        ("load: engine state -> SpiffWorkflow workflow (specs cached)", lambda s: s["load"]),
        ("engine: complete, engine steps, history diff", lambda s: s["engine"]),
        ("dumps: prune + serialize the state", lambda s: s["dumps"]),
        ("save: versioned UPDATE, task projection, history rows", lambda s: s["save"] - s["dumps"]),
        ("commit", lambda s: s["commit"]),
        ("whole request", lambda s: s["request"]),
    ]
    print(f"  where the service's time goes (CPU ms, median per phase over {samples} completions):")
    for label, part in labels:
        print(f"      {label:<66}: {statistics.median(part(s) for s in per_sample) * 1000.0:6.3f}")
    print("  raw SpiffWorkflow, same run:")
    for index, label in enumerate(("deserialize_json (specs included)", "complete + engine steps", "serialize_json")):
        print(f"      {label:<66}: {statistics.median(p[index] for p in raw_parts) * 1000.0:6.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--phases", action="store_true", help="also print the CPU time per phase")
    args = parser.parse_args(argv)
    import logging
    logging.disable(logging.INFO)

    raw = RawSpiff()
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(Path(tmp))
        for _ in range(30):                      # warm-up: caches, SQLite pages, first imports
            svc.complete(svc.task_of(svc.start()))
            raw.step()
        # Measurements alternate between the two sides, so load on the machine affects both alike.
        raw_steps, fresh, starts, raw_starts = [], [], [], []
        first = len(CPU)
        for _ in range(args.samples):
            task = svc.task_of(svc.start())
            fresh.append(timed(lambda task=task: svc.complete(task)))
            raw_steps.append(timed(raw.step))
        last = len(CPU)
        fresh_cpu, raw_cpu = cpu_of(first, last, 2), cpu_of(first + 1, last, 2)
        first = len(CPU)
        for _ in range(max(args.samples // 2, 20)):
            starts.append(timed(svc.start))
            raw_starts.append(timed(raw.start))
        last = len(CPU)
        start_cpu, raw_start_cpu = cpu_of(first, last, 2), cpu_of(first + 1, last, 2)

        # (b): one instance driven to `iterations`, then completions alternate between it and a young
        # instance (iterations 3..13 vs iterations-5..iterations+5).
        n = args.iterations
        old_id = svc.start()
        for _ in range(n - 6):
            svc.complete(svc.task_of(old_id))
        young_id = svc.start()
        for _ in range(2):
            svc.complete(svc.task_of(young_id))
        first = len(CPU)
        for _ in range(11):
            task = svc.task_of(young_id)
            timed(lambda task=task: svc.complete(task))
            task = svc.task_of(old_id)
            timed(lambda task=task: svc.complete(task))
        last = len(CPU)
        early, late = cpu_of(first, last, 2), cpu_of(first + 1, last, 2)
        raw_step, raw_start = statistics.median(raw_steps), statistics.median(raw_starts)
        service_step = statistics.median(fresh)
        print("Alur step benchmark (SQLite file database, Flask test client; median CPU ms, wall ms in brackets)")
        print(f"  raw SpiffWorkflow deserialize+complete+serialize : {raw_cpu:7.3f} ms  [{raw_step:7.3f}]")
        print(f"  service: complete one user task (whole request)  : {fresh_cpu:7.3f} ms  [{service_step:7.3f}]")
        print(f"  (a) service / raw                                 : {fresh_cpu / raw_cpu:7.2f}   (target <= 2.0)"
              f"  [wall: {service_step / raw_step:.2f}]")
        print(f"  loop completion around iteration 5               : {early:7.3f} ms")
        print(f"  loop completion around iteration {n:<4}            : {late:7.3f} ms")
        print(f"  (b) iteration {n} / iteration 5                  : {late / early:7.2f}   (target <= 1.5)")
        print(f"  (c) service: start an instance (whole request)    : {start_cpu:7.3f} ms  "
              f"[{statistics.median(starts):7.3f}]")
        print(f"      raw SpiffWorkflow start + serialize           : {raw_start_cpu:7.3f} ms  [{raw_start:7.3f}]")
        if args.phases:
            phases(svc, raw, args.samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
