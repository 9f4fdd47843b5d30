"""The hostile models of issue 11 against a live `alur serve` (waitress, its own process, scheduler on),
on SQLite and PostgreSQL, while a watchdog asks `GET /engine-rest/version` every 0.2 s: every answer must
come within 1 s, hostile models must end in a 4xx or Camunda's engine exception, and an ordinary deployment
made meanwhile must succeed (no "database is locked").

The server is configured with a tiny minimum timer cycle so the fast cycles deploy and the run-time budget
is what stops them (the default minimum refuses them at deploy, see test_engine_budget_rest.py)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from hostile_models import boundary_cycle, caller, nested_multi_instance, wrap

ENGINE_EXCEPTIONS = ("ProcessEngineException", "OptimisticLockingException")
ALUR = str(Path(sys.executable).with_name("alur"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live(db_url: str, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "ALUR_INSTANCE_PATH": str(tmp_path), "ALUR_REST_AUTH": "off",
           "ALUR_WEB": "off", "ALUR_SCHEDULER_INTERVAL": "1", "ALUR_TIMER_MIN_CYCLE_SECONDS": "0.00001",
           "SECRET_KEY": "live-hostile"}
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([ALUR, "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "8"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/engine-rest"
    try:
        for _ in range(300):
            try:
                if requests.get(f"{url}/version", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError((tmp_path / "serve.log").read_text())
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class Watchdog(threading.Thread):
    """Asks the version endpoint every 0.2 s; remembers the slowest answer (a failure counts as 99 s)."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.slowest, self.stop = url, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                ok = requests.get(f"{self.url}/version", timeout=5).ok
            except requests.RequestException:
                ok = False
            self.slowest = max(self.slowest, time.monotonic() - began if ok else 99.0)
            time.sleep(0.2)


def _deploy(url: str, *files: tuple[str, bytes]) -> requests.Response:
    return requests.post(f"{url}/deployment/create", data={"deployment-name": "jahat"},
                         files={name: (name, content) for name, content in files}, timeout=60)


def _plain(key: str) -> bytes:
    return wrap('<bpmn:startEvent id="S"/><bpmn:sequenceFlow id="f" sourceRef="S" targetRef="E"/>'
                '<bpmn:endEvent id="E"/>', key)


def test_hostile_models_never_stall_a_live_server(live: str) -> None:
    dog = Watchdog(live)
    dog.start()
    timings: dict[str, float] = {}
    try:
        def timed(name: str, call: Any) -> requests.Response:
            began = time.monotonic()
            response = call()
            timings[name] = time.monotonic() - began
            # Camunda's engine exceptions keep their 500 (the scheduler may win a race for the same timer).
            assert response.status_code < 500 or response.json()["type"] in ENGINE_EXCEPTIONS, \
                (name, response.status_code, response.text)
            return response

        # A non-interrupting boundary cycle every 10 microseconds: each action fires it once.
        assert timed("deploy boundary", lambda: _deploy(live, ("b.bpmn", boundary_cycle()))).ok
        r = timed("start boundary", lambda: requests.post(
            f"{live}/process-definition/key/h_boundary/start", json={}, timeout=60))
        boundary_pid = r.json()["id"]

        # A cycle started in the year 2000, every millisecond, executed through /job/{id}/execute.
        assert timed("deploy old cycle", lambda: _deploy(live, ("c.bpmn", boundary_cycle(
            "h_cycle", "R/2000-01-01T00:00:00Z/PT0.001S")))).ok
        pid = requests.post(f"{live}/process-definition/key/h_cycle/start", json={}, timeout=60).json()["id"]
        for i in range(3):
            [job] = requests.get(f"{live}/job", params={"processInstanceId": pid}, timeout=10).json()
            job_url = f"{live}/job/{job['id']}/execute"
            timed(f"execute job {i}", lambda: requests.post(job_url, timeout=60))  # noqa: B023 - called at once

        # Call cycles deploy (as in Camunda); started, each is stopped by the call depth and rolled back.
        assert timed("deploy call cycle", lambda: _deploy(live, ("a.bpmn", caller("h_a", "h_b")),
                                                          ("b.bpmn", caller("h_b", "h_a")))).ok
        r = timed("start call cycle", lambda: requests.post(
            f"{live}/process-definition/key/h_a/start", json={}, timeout=60))
        assert r.status_code == 500 and "nested 11 deep" in r.json()["message"], r.text

        # A multi-instance subprocess x1000 holding a user task x1000, started several times at once,
        # while an ordinary deployment goes in.
        assert _deploy(live, ("mi.bpmn", nested_multi_instance())).ok
        results: list[requests.Response] = []
        starts = [threading.Thread(target=lambda: results.append(requests.post(
            f"{live}/process-definition/key/h_mi/start", json={}, timeout=120))) for _ in range(4)]
        began = time.monotonic()
        for t in starts:
            t.start()
        assert timed("deploy during load", lambda: _deploy(live, ("ok.bpmn", _plain("h_ok")))).ok
        for t in starts:
            t.join(120)
        timings["4 nested MI starts"] = time.monotonic() - began
        assert [r.status_code for r in results] == [500] * 4
        assert all("ALUR_ENGINE_MAX_MULTI_INSTANCE" in r.json()["message"] for r in results)

        # The scheduler keeps firing the boundary cycle (once per poll): the instance stays small.
        time.sleep(3)
        tasks = requests.get(f"{live}/task", params={"processInstanceId": boundary_pid}, timeout=10).json()
        assert len(tasks) == 1
    finally:
        dog.stop.set()
        dog.join(10)
    print("timings (s):", {k: round(v, 2) for k, v in timings.items()}, "slowest /version:", round(dog.slowest, 3))
    assert dog.slowest < 1.0, f"GET /version took {dog.slowest:.2f} s"
    assert all(v < 20 for v in timings.values()), timings
