"""External tasks through /engine-rest: fetch and lock, complete, failure -> incident -> retries,
BPMN errors caught by a boundary event, lock extension, unlock, lock expiry, long polling."""
from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest

from support import deploy, typed

R = "/engine-rest"


@pytest.fixture
def started(client: Any) -> dict[str, Any]:
    assert deploy(client, "layanan.bpmn").status_code == 200
    r = client.post(f"{R}/process-definition/key/layanan/start",
                    json={"businessKey": "PKT-1", "variables": {"nilai": typed(5, "Long"), "nama": typed("A")}})
    assert r.status_code == 200, r.json
    return r.json


def fetch(client: Any, worker: str = "w1", **extra: Any) -> Any:
    body = {"workerId": worker, "maxTasks": 5,
            "topics": [{"topicName": "periksa", "lockDuration": 60_000, **extra.pop("topic", {})}], **extra}
    return client.post(f"{R}/external-task/fetchAndLock", json=body)


def test_fetch_lock_and_complete(client: Any, started: dict) -> None:
    r = fetch(client, topic={"variables": ["nilai"], "includeExtensionProperties": True})
    assert r.status_code == 200, r.json
    [task] = r.json
    assert task["topicName"] == "periksa" and task["workerId"] == "w1" and task["activityId"] == "Periksa"
    assert task["processInstanceId"] == started["id"] and task["businessKey"] == "PKT-1"
    assert task["variables"] == {"nilai": {"type": "Integer", "value": 5, "valueInfo": {}}}
    assert task["priority"] == 5 and task["extensionProperties"] == {"sla": "1h"}
    assert task["processDefinitionVersionTag"] == "v1" and task["retries"] is None
    assert task["lockExpirationTime"].endswith("+0000")
    for key in ("activityInstanceId", "errorMessage", "errorDetails", "executionId", "processDefinitionId",
                "processDefinitionKey", "tenantId", "createTime"):
        assert key in task
    # Locked: nobody else gets it.
    assert fetch(client, "w2").json == []
    got = client.get(f"{R}/external-task/{task['id']}").json
    assert got["workerId"] == "w1" and got["suspended"] is False and "variables" not in got
    assert client.get(f"{R}/external-task/count", query_string={"locked": "true"}).json == {"count": 1}
    assert client.get(f"{R}/external-task", query_string={"topicName": "periksa"}).json[0]["id"] == task["id"]
    # Only the lock owner completes.
    r = client.post(f"{R}/external-task/{task['id']}/complete", json={"workerId": "w2"})
    assert r.status_code == 400 and "w1" in r.json["message"]
    r = client.post(f"{R}/external-task/{task['id']}/complete",
                    json={"workerId": "w1", "variables": {"hasil": typed("lengkap")}})
    assert r.status_code == 204 and r.data == b""
    assert client.get(f"{R}/external-task/{task['id']}").status_code == 404
    tasks = client.get(f"{R}/task", query_string={"processInstanceId": started["id"]}).json
    assert [t["taskDefinitionKey"] for t in tasks] == ["Tinjau"]
    assert client.get(f"{R}/process-instance/{started['id']}/variables/hasil").json["value"] == "lengkap"


def test_failure_incident_and_retries(client: Any, started: dict, clock: Any) -> None:
    [task] = fetch(client).json
    r = client.post(f"{R}/external-task/{task['id']}/failure",
                    json={"workerId": "w1", "errorMessage": "layanan mati", "errorDetails": "trace...",
                          "retries": 1, "retryTimeout": 30_000})
    assert r.status_code == 204
    assert fetch(client).json == []                       # waits for its retry timeout
    clock.advance(timedelta(seconds=31))
    [again] = fetch(client).json
    assert again["retries"] == 1 and again["errorMessage"] == "layanan mati" and again["errorDetails"] == "trace..."
    assert client.get(f"{R}/external-task/{task['id']}/errorDetails").data == b"trace..."
    assert client.get(f"{R}/incident").json == []
    r = client.post(f"{R}/external-task/{task['id']}/failure",
                    json={"workerId": "w1", "errorMessage": "masih mati", "retries": 0, "retryTimeout": 0})
    assert r.status_code == 204
    [incident] = client.get(f"{R}/incident").json
    assert incident["incidentType"] == "failedExternalTask" and incident["configuration"] == task["id"]
    assert incident["processInstanceId"] == started["id"] and incident["activityId"] == "Periksa"
    assert incident["incidentMessage"] == "masih mati" and incident["incidentTimestamp"].endswith("+0000")
    assert client.get(f"{R}/incident/{incident['id']}").json["id"] == incident["id"]
    assert client.get(f"{R}/incident/count", query_string={"processInstanceId": started["id"]}).json == {"count": 1}
    assert client.get(f"{R}/process-instance", query_string={"withIncident": "true"}).json[0]["id"] == started["id"]
    clock.advance(timedelta(minutes=5))
    assert fetch(client).json == []                       # no retries left: never fetched
    # Setting retries resolves the incident and makes the task fetchable again.
    r = client.put(f"{R}/external-task/{task['id']}/retries", json={"retries": 2})
    assert r.status_code == 204
    assert client.get(f"{R}/incident").json == []
    assert client.get(f"{R}/process-instance/count", query_string={"withIncident": "true"}).json == {"count": 0}
    [third] = fetch(client).json
    assert third["retries"] == 2
    assert client.put(f"{R}/external-task/{task['id']}/retries", json={"retries": -1}).status_code == 400


def test_bpmn_error_caught_by_boundary(client: Any, started: dict) -> None:
    [task] = fetch(client).json
    r = client.post(f"{R}/external-task/{task['id']}/bpmnError",
                    json={"workerId": "w1", "errorCode": "DATA_SALAH", "errorMessage": "NPWP kosong",
                          "variables": {"alasan": typed("npwp")}})
    assert r.status_code == 204, r.json
    tasks = client.get(f"{R}/task", query_string={"processInstanceId": started["id"]}).json
    assert [t["taskDefinitionKey"] for t in tasks] == ["Perbaiki"]
    values = client.get(f"{R}/process-instance/{started['id']}/variables").json
    assert values["alasan"]["value"] == "npwp"


def test_extend_unlock_and_expiry(client: Any, started: dict, clock: Any) -> None:
    [task] = fetch(client).json
    tid = task["id"]
    assert client.post(f"{R}/external-task/{tid}/extendLock",
                       json={"workerId": "w2", "newDuration": 1000}).status_code == 400
    assert client.post(f"{R}/external-task/{tid}/extendLock",
                       json={"workerId": "w1", "newDuration": 120_000}).status_code == 204
    clock.advance(timedelta(seconds=90))
    assert fetch(client, "w2").json == []                 # extended: still locked
    clock.advance(timedelta(seconds=31))
    [stolen] = fetch(client, "w2").json                   # the lock expired
    assert stolen["workerId"] == "w2"
    assert client.post(f"{R}/external-task/{tid}/extendLock",
                       json={"workerId": "w1", "newDuration": 1000}).status_code == 400
    assert client.post(f"{R}/external-task/{tid}/unlock").status_code == 204
    assert client.get(f"{R}/external-task/{tid}").json["workerId"] is None
    assert fetch(client, "w3").json[0]["workerId"] == "w3"


def test_fetch_validation(client: Any, started: dict) -> None:
    url = f"{R}/external-task/fetchAndLock"
    assert client.post(url, json={"topics": []}).status_code == 400                       # no workerId
    r = client.post(url, json={"workerId": "w", "topics": [{"topicName": "periksa"}]})
    assert r.status_code == 400 and "lockDuration" in r.json["message"]
    r = client.post(url, json={"workerId": "w", "topics": [{"topicName": "periksa", "lockDuration": -5}]})
    assert r.status_code == 400
    r = client.post(url, json={"workerId": "w", "asyncResponseTimeout": 1_800_001, "topics": []})
    assert r.status_code == 400 and "asyncResponseTimeout" in r.json["message"]
    assert client.post(url, data="{", content_type="application/json").status_code == 400
    assert client.post(url, json={"workerId": "w", "maxTasks": 0, "topics": [
        {"topicName": "periksa", "lockDuration": 10}]}).json == []
    # Topic filters: another business key or definition key matches nothing.
    assert fetch(client, topic={"businessKey": "lain"}).json == []
    assert fetch(client, topic={"processDefinitionKeyIn": ["lain"]}).json == []
    assert fetch(client, topic={"processVariables": {"nilai": 6}}).json == []
    assert len(fetch(client, topic={"processVariables": {"nilai": 5, "nama": "A"}}).json) == 1


def test_long_polling_waits_without_blocking(app: Any, client: Any) -> None:
    assert deploy(client, "layanan.bpmn").status_code == 200
    app.config["ALUR_FETCH_POLL_SECONDS"] = 0.05
    result: dict[str, Any] = {}

    def worker() -> None:
        with app.test_client() as c:
            started = time.monotonic()
            result["response"] = fetch(c, asyncResponseTimeout=5000)
            result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=worker)
    thread.start()
    time.sleep(0.3)
    # Another request is served while the worker waits, and creates the task it waits for.
    assert client.get(f"{R}/version").status_code == 200
    assert client.post(f"{R}/process-definition/key/layanan/start", json={}).status_code == 200
    thread.join(10)
    assert len(result["response"].json) == 1
    assert 0.25 < result["seconds"] < 4


def test_long_polling_times_out_empty(client: Any, started: dict) -> None:
    fetch(client)                                          # the only task is now locked
    begin = time.monotonic()
    assert fetch(client, "w2", asyncResponseTimeout=400).json == []
    assert 0.35 < time.monotonic() - begin < 3


def test_long_polling_is_bounded_by_slots(app: Any, client: Any, started: dict) -> None:
    fetch(client)                                          # nothing left to fetch
    app.config["ALUR_LONG_POLL_SLOTS"] = 1
    app.config["ALUR_FETCH_POLL_SECONDS"] = 0.05
    waiting = threading.Thread(target=lambda: fetch(app.test_client(), "w2", asyncResponseTimeout=1500))
    waiting.start()
    time.sleep(0.2)
    begin = time.monotonic()
    assert fetch(client, "w3", asyncResponseTimeout=1500).json == []     # no free slot: answers at once
    assert time.monotonic() - begin < 1.0
    waiting.join(5)


def test_batch_retries_and_incident_delete(client: Any, started: dict) -> None:
    [task] = fetch(client).json
    client.post(f"{R}/external-task/{task['id']}/failure", json={"workerId": "w1", "errorMessage": "x", "retries": 0})
    [incident] = client.get(f"{R}/incident").json
    r = client.delete(f"{R}/incident/{incident['id']}")
    assert r.status_code == 400 and "retries" in r.json["message"]
    assert client.put(f"{R}/external-task/retries", json={"retries": 3}).status_code == 400
    assert client.put(f"{R}/external-task/retries", json={"retries": 3, "externalTaskIds": ["nope"]}
                      ).status_code == 404
    r = client.put(f"{R}/external-task/retries", json={"retries": 3, "processInstanceIds": [started["id"]]})
    assert r.status_code == 204
    assert client.get(f"{R}/incident/count").json == {"count": 0}
    assert client.get(f"{R}/external-task/{task['id']}").json["retries"] == 3
    # Camunda's named-engine paths reach the same resources.
    assert client.get(f"{R}/engine/default/external-task/{task['id']}").json["id"] == task["id"]


def test_concurrent_fetches_never_share_a_task(app: Any, client: Any) -> None:
    assert deploy(client, "layanan.bpmn").status_code == 200
    for _ in range(3):
        client.post(f"{R}/process-definition/key/layanan/start", json={})
    got: list[str] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        with app.test_client() as c:
            for task in fetch(c, name, maxTasks=1).json:
                with lock:
                    got.append(task["id"])

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(got) == 3 and len(set(got)) == 3


def test_java_client_shape_with_nulls(client: Any, started: dict) -> None:
    """Camunda's Java client sends every topic field, null where unset."""
    body = {"workerId": "java", "maxTasks": 2, "usePriority": True, "asyncResponseTimeout": None,
            "sorting": [{"sortBy": "createTime", "sortOrder": "asc"}],
            "topics": [{"topicName": "periksa", "lockDuration": 20000, "variables": None, "localVariables": False,
                        "businessKey": None, "processDefinitionId": None, "processDefinitionIdIn": None,
                        "processDefinitionKey": None, "processDefinitionKeyIn": None,
                        "processDefinitionVersionTag": None, "processVariables": None, "withoutTenantId": None,
                        "tenantIdIn": None, "includeExtensionProperties": None, "deserializeValues": None}]}
    r = client.post(f"{R}/external-task/fetchAndLock", json=body)
    assert r.status_code == 200, r.json
    [task] = r.json
    assert task["variables"]["nama"]["value"] == "A" and task["extensionProperties"] == {}
    r = client.post(f"{R}/external-task/{task['id']}/failure",
                    json={"workerId": "java", "errorMessage": None, "errorDetails": None, "retries": None,
                          "retryTimeout": None})
    assert r.status_code == 204
    assert client.get(f"{R}/incident/count").json == {"count": 1}


def test_uncaught_bpmn_error_ends_the_path(client: Any, started: dict) -> None:
    """Camunda 7 without enableExceptionsAfterUnhandledBpmnError: no matching boundary event -> the
    execution that threw the error ends (here the instance's only path, so the instance completes)."""
    [task] = fetch(client).json
    r = client.post(f"{R}/external-task/{task['id']}/bpmnError",
                    json={"workerId": "w1", "errorCode": "TIDAK_DITANGKAP", "errorMessage": "tak terduga",
                          "variables": {"alasan": typed("tidak dikenal")}})
    assert r.status_code == 204, r.json
    assert client.get(f"{R}/process-instance/{started['id']}").status_code == 404
    [hpi] = client.get(f"{R}/history/process-instance", query_string={"processInstanceId": started["id"]}).json
    assert hpi["state"] == "COMPLETED" and hpi["endTime"] is not None
    assert client.get(f"{R}/task", query_string={"processInstanceId": started["id"]}).json == []
    assert client.get(f"{R}/external-task", query_string={"processInstanceId": started["id"]}).json == []
    assert client.get(f"{R}/external-task/{task['id']}").status_code == 404
    periksa = client.get(f"{R}/history/activity-instance", query_string={
        "processInstanceId": started["id"], "activityId": "Periksa"}).json
    assert [a["endTime"] is not None for a in periksa] == [True]
    # The variables are kept, as Camunda sets them before the execution ends.
    [alasan] = client.get(f"{R}/history/variable-instance", query_string={
        "processInstanceId": started["id"], "variableName": "alasan"}).json
    assert alasan["value"] == "tidak dikenal" and alasan["state"] == "CREATED"
    # The boundary event that catches another code never ran.
    assert client.get(f"{R}/history/activity-instance/count", query_string={
        "processInstanceId": started["id"], "activityId": "Salah"}).json == {"count": 0}


@pytest.mark.parametrize("model,key", [("sub_galat.bpmn", "sub_galat"), ("panggil_galat.bpmn", "panggil_galat")])
def test_uncaught_bpmn_error_in_a_subprocess_completes_it(client: Any, model: str, key: str) -> None:
    """Embedded subprocess and call activity alike: the scope ends, the caller continues."""
    assert deploy(client, model).status_code == 200
    pi = client.post(f"{R}/process-definition/key/{key}/start", json={}).json
    [task] = client.post(f"{R}/external-task/fetchAndLock", json={
        "workerId": "w1", "maxTasks": 1, "topics": [{"topicName": "cek", "lockDuration": 1000}]}).json
    r = client.post(f"{R}/external-task/{task['id']}/bpmnError", json={"workerId": "w1", "errorCode": "LAIN"})
    assert r.status_code == 204, r.json
    # The subprocess had nothing else to do: it ends and the process continues after it.
    [user_task] = client.get(f"{R}/task", query_string={"processInstanceId": pi["id"]}).json
    assert user_task["taskDefinitionKey"] == "Lanjut"
    scope = "Sub" if key == "sub_galat" else "Panggil"
    sub = client.get(f"{R}/history/activity-instance", query_string={
        "processInstanceId": pi["id"], "activityId": scope}).json
    assert [a["endTime"] is not None for a in sub] == [True]
    for end in ("SubSelesai", "DSelesai"):
        assert client.get(f"{R}/history/activity-instance/count", query_string={
            "processInstanceId": pi["id"], "activityId": end}).json == {"count": 0}
