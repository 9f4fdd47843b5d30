"""camunda-external-task-client-python3 (another client we did not write) against a live server: its
engine client starts an instance and correlates a message, its external task client fetches, fails,
completes and reports BPMN errors exactly as it does against Camunda 7."""
from __future__ import annotations

from typing import Any

import requests
from camunda.client.engine_client import EngineClient
from camunda.client.external_task_client import ExternalTaskClient

from support import ADMIN, deploy

AUTH = {"auth_basic": {"username": ADMIN[0], "password": ADMIN[1]}}


def _deploy(url: str) -> None:
    class Client:
        """The deploy helper posts through a requests session shaped like Flask's test client."""

        def post(self, path: str, data: dict[str, Any], content_type: str, headers: dict | None = None) -> Any:
            files = {k: (v[1], v[0]) for k, v in data.items() if isinstance(v, tuple)}
            form = {k: v for k, v in data.items() if not isinstance(v, tuple)}
            base = url.rsplit("/engine-rest", 1)[0]
            return requests.post(base + path, data=form, files=files, auth=ADMIN, timeout=30)

    r = deploy(Client(), "layanan.bpmn", name="python-client")
    assert r.status_code == 200, r.text


def test_worker_client_round_trip(server: str) -> None:
    _deploy(server)
    engine = EngineClient(server, config=AUTH)
    started = engine.start_process("layanan", {"nilai": 5, "nama": "Paket B"}, business_key="PY-1")
    assert started["businessKey"] == "PY-1" and started["definitionId"].startswith("layanan:")
    listed = engine.get_process_instance(process_key="layanan", variables=["nilai_eq_5"])
    assert [i["id"] for i in listed] == [started["id"]]

    worker = ExternalTaskClient("py-worker", server, config={**AUTH, "asyncResponseTimeout": 1000,
                                                               "maxTasks": 5, "lockDuration": 10_000})
    [task] = worker.fetch_and_lock("periksa")
    assert task["variables"]["nama"]["value"] == "Paket B" and task["workerId"] == "py-worker"
    assert task["extensionProperties"] == {"sla": "1h"}
    assert worker.failure(task["id"], "sementara", "detail", retries=2, retry_timeout=0)
    [again] = worker.fetch_and_lock("periksa")
    assert again["id"] == task["id"] and again["retries"] == 2
    assert worker.complete(again["id"], {"hasil": "lengkap", "skor": 9.5})
    assert worker.fetch_and_lock("periksa") == []       # long polling ran out (1 s) without work

    # The user task, then the message the instance waits for.
    with requests.Session() as s:
        s.auth = ADMIN
        [user_task] = s.get(f"{server}/task", params={"processInstanceId": started["id"]}).json()
        assert s.post(f"{server}/task/{user_task['id']}/complete", json={}).status_code == 204
    result = engine.correlate_message("persetujuan_diterima", business_key="PY-1")
    assert result[0]["resultType"] == "Execution"

    # A BPMN error from the worker is caught by the boundary event.
    second = engine.start_process("layanan", {}, business_key="PY-2")
    [task2] = worker.fetch_and_lock("periksa")
    assert worker.bpmn_failure(task2["id"], "DATA_SALAH", "NPWP kosong", {"alasan": "npwp"})
    with requests.Session() as s:
        s.auth = ADMIN
        tasks = s.get(f"{server}/task", params={"processInstanceId": second["id"]}).json()
        assert [t["taskDefinitionKey"] for t in tasks] == ["Perbaiki"]
        history = s.get(f"{server}/history/process-instance/{started['id']}").json()
        assert history["state"] == "COMPLETED"
