"""Step benchmark of the service (prints figures; not a test).

(a) median cost of completing one user task through the service (Flask test client, SQLite file database,
    the whole request: load, engine step, save, projections, history, commit) divided by the raw
    SpiffWorkflow cost of deserialize + complete + serialize of the same model in the same run;
(b) completion cost around loop iteration 500 divided by that around iteration 5, for a loop
    (user task -> exclusive gateway -> back);
(c) instance start cost through the service, and raw SpiffWorkflow's start + serialize for comparison.

Run: .venv/bin/python bench/step_bench.py [--iterations 500] [--samples 200]
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

    def step(self) -> None:
        """deserialize + complete the user task + serialize (the state stays at iteration 1)."""
        wf = self.serializer.deserialize_json(self.state)
        task = wf.get_tasks(state=self.ready, manual=True)[0]
        task.data["selesai"] = False
        task.run()
        wf.do_engine_steps()
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args(argv)
    import logging
    logging.disable(logging.INFO)

    raw = RawSpiff()
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(Path(tmp))
        for _ in range(10):                      # warm-up: caches, SQLite pages, first imports
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
        for _ in range(max(args.samples // 2, 20)):
            starts.append(timed(svc.start))
            raw_starts.append(timed(raw.start))

        # (b): one instance driven to `iterations`, then completions alternate between it and a young
        # instance (iterations 3..9 vs iterations-3..iterations+3).
        n = args.iterations
        old_id = svc.start()
        for _ in range(n - 4):
            svc.complete(svc.task_of(old_id))
        young_id = svc.start()
        for _ in range(2):
            svc.complete(svc.task_of(young_id))
        early_times, late_times = [], []
        for _ in range(7):
            task = svc.task_of(young_id)
            early_times.append(timed(lambda task=task: svc.complete(task)))
            task = svc.task_of(old_id)
            late_times.append(timed(lambda task=task: svc.complete(task)))
        early = statistics.median(early_times)
        late = statistics.median(late_times)
    raw_step, raw_start = statistics.median(raw_steps), statistics.median(raw_starts)
    service_step = statistics.median(fresh)
    print("Alur step benchmark (SQLite file database, Flask test client, median ms)")
    print(f"  raw SpiffWorkflow deserialize+complete+serialize : {raw_step:7.3f} ms")
    print(f"  service: complete one user task (whole request)  : {service_step:7.3f} ms")
    print(f"  (a) service / raw                                 : {service_step / raw_step:7.2f}   (target <= 2.0)")
    print(f"      the same in CPU time: {fresh_cpu:.3f} / {raw_cpu:.3f} ms  = {fresh_cpu / raw_cpu:7.2f}")
    print(f"  loop completion around iteration 5               : {early:7.3f} ms")
    print(f"  loop completion around iteration {n:<4}            : {late:7.3f} ms")
    print(f"  (b) iteration {n} / iteration 5                  : {late / early:7.2f}   (target <= 1.5)")
    print(f"  (c) service: start an instance (whole request)    : {statistics.median(starts):7.3f} ms")
    print(f"      raw SpiffWorkflow start + serialize           : {raw_start:7.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
