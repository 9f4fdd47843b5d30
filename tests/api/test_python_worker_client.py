"""camunda-external-task-client-python3 (another client we did not write) against a live server: its
engine client starts an instance and correlates a message, its external task client fetches, fails,
completes and reports BPMN errors exactly as it does against Camunda 7; the second test covers the rest of
its calls (process definitions by version tag, start by version, jobs' retries, variable data)."""
from __future__ import annotations

from typing import Any

import requests
from camunda.client.engine_client import EngineClient
from camunda.client.external_task_client import ExternalTaskClient

from support import ADMIN, deploy, fixture_bytes

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


def test_worker_client_engine_calls(server: str) -> None:
    """The rest of what the client offers: definitions by version tag (versionTagLike), starting by version,
    instances by tenant, a job's retries, and a variable's binary data (refused as Camunda refuses it for a
    value that is not binary). `EngineClient.get_jobs` is declared a property with parameters, so the client
    cannot call it at all."""
    import pytest
    from camunda.process_definition.process_definition_client import ProcessDefinitionClient

    _deploy(server)
    definitions = ProcessDefinitionClient(server, config=AUTH)
    [latest] = definitions.get_process_definitions("layanan", "v", [])
    assert latest["key"] == "layanan" and latest["versionTag"].startswith("v")
    assert definitions.get_process_definitions("layanan", "tidak-ada", []) == []
    started = definitions.start_process_by_version("layanan", "v", {"nilai": 7}, business_key="PY-V")
    assert started["definitionId"] == latest["id"] and started["businessKey"] == "PY-V"
    engine = EngineClient(server, config=AUTH)
    found = engine.get_process_instance(process_key="layanan", variables=["nilai_eq_7"])
    assert started["id"] in [i["id"] for i in found]
    assert engine.get_process_instance(process_key="layanan", tenant_ids=["pagaralam"]) == []
    with pytest.raises(Exception, match="not a binary value"):
        engine.get_process_instance_variable(started["id"], "nilai")

    with requests.Session() as s:
        s.auth = ADMIN
        files = {"jadwal.bpmn": ("jadwal.bpmn", fixture_bytes("jadwal.bpmn"))}
        assert s.post(f"{server}/deployment/create", files=files, data={"deployment-name": "jobs"}).status_code == 200
        timer = s.post(f"{server}/process-definition/key/jadwal/start", json={}).json()
        [job] = s.get(f"{server}/job", params={"processInstanceId": timer["id"]}).json()
        assert engine.set_job_retry(job["id"], retries=3)
        assert s.get(f"{server}/job/{job['id']}").json()["retries"] == 3
