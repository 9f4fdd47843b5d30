"""/job for timers (query, get, retries, execute) and POST /signal."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from support import deploy, typed

R = "/engine-rest"


def _start(client: Any) -> dict[str, Any]:
    deploy(client, "jadwal.bpmn")
    return client.post(f"{R}/process-definition/key/jadwal/start", json={}).json


def _activities(client: Any, pid: str) -> list[str]:
    return [a["activityId"] for a in client.get(f"{R}/history/activity-instance", query_string={
        "processInstanceId": pid, "sortBy": "startTime", "sortOrder": "asc"}).json]


def test_timer_jobs_are_listed_and_executed(client: Any, clock: Any) -> None:
    pi = _start(client)
    [job] = client.get(f"{R}/job", query_string={"processInstanceId": pi["id"], "timers": "true"}).json
    assert job["processInstanceId"] == pi["id"] and job["retries"] == 3 and job["exceptionMessage"] is None
    assert job["dueDate"] == (clock.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    assert job["processDefinitionKey"] == "jadwal" and job["suspended"] is False and job["id"] != pi["id"]
    for key in ("jobDefinitionId", "executionId", "failedActivityId", "priority", "tenantId", "createTime"):
        assert key in job
    assert client.get(f"{R}/job/{job['id']}").json == job
    assert client.get(f"{R}/job/count", query_string={"messages": "true"}).json == {"count": 0}
    assert client.get(f"{R}/job/count", query_string={"withException": "true"}).json == {"count": 0}
    assert client.get(f"{R}/job/count", query_string={"executable": "true"}).json == {"count": 0}
    assert client.post(f"{R}/job/count", json={"processDefinitionKey": "jadwal"}).json == {"count": 1}
    assert client.get(f"{R}/job/00000000-0000-4000-8000-000000000000").status_code == 404
    assert client.get(f"{R}/job/nope").status_code == 404

    # Executing fires the timer before it is due: the interrupting boundary ends the instance.
    assert client.post(f"{R}/job/{job['id']}/execute").status_code == 204
    assert client.get(f"{R}/process-instance/{pi['id']}").status_code == 404
    assert _activities(client, pi["id"])[-2:] == ["Tenggat", "Terlambat"]
    [tenggat] = client.get(f"{R}/history/activity-instance", query_string={"activityId": "Tenggat"}).json
    assert tenggat["startTime"] == clock.now().strftime("%Y-%m-%dT%H:%M:%S.000+0000")    # fired now, not at due
    assert client.get(f"{R}/job", query_string={"processInstanceId": pi["id"]}).json == []
    assert client.post(f"{R}/job/{job['id']}/execute").status_code == 404


def test_retries_resolve_a_failed_timer(client: Any, app: Any, clock: Any) -> None:
    pi = _start(client)
    [job] = client.get(f"{R}/job").json
    assert client.put(f"{R}/job/{job['id']}/retries", json={"retries": -1}).status_code == 400
    assert client.put(f"{R}/job/{job['id']}/retries", json={}).status_code == 400
    # Retries 0: the job fails (an incident) and the scheduler leaves it alone even when due.
    assert client.put(f"{R}/job/{job['id']}/retries", json={"retries": 0}).status_code == 204
    failed = client.get(f"{R}/job/{job['id']}").json
    assert failed["retries"] == 0 and failed["exceptionMessage"]
    [incident] = client.get(f"{R}/incident", query_string={"processInstanceId": pi["id"]}).json
    assert incident["incidentType"] == "failedJob"
    assert client.get(f"{R}/job/count", query_string={"withException": "true"}).json == {"count": 1}
    from service.ops import fire_due_timers
    ctx = app.extensions["alur"].ops
    clock.advance(timedelta(hours=2))
    assert fire_due_timers(ctx).instances_fired == 0
    assert client.get(f"{R}/process-instance/{pi['id']}").status_code == 200
    # Retries again: the incident is resolved and the scheduler fires the timer.
    assert client.put(f"{R}/job/{job['id']}/retries", json={"retries": 3}).status_code == 204
    assert client.get(f"{R}/incident", query_string={"processInstanceId": pi["id"]}).json == []
    assert client.get(f"{R}/job/{job['id']}").json["retries"] == 3
    assert client.get(f"{R}/job/count", query_string={"executable": "true"}).json == {"count": 1}
    assert fire_due_timers(ctx).instances_fired == 1
    assert "Terlambat" in _activities(client, pi["id"])


def test_signal_reaches_waiting_instances_and_starts_processes(client: Any) -> None:
    pi = _start(client)
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": pi["id"]}).json
    assert client.post(f"{R}/task/{task['id']}/complete", json={}).status_code == 204
    # Nothing waits for an unknown signal: still 204, nothing changes.
    assert client.post(f"{R}/signal", json={"name": "tidak_ada"}).status_code == 204
    assert client.post(f"{R}/signal", json={}).status_code == 400
    assert client.post(f"{R}/signal", json={"name": "x", "tenantId": "a", "withoutTenantId": True}).status_code == 400
    before = client.get(f"{R}/process-instance/count").json["count"]
    assert client.post(f"{R}/signal", json={"name": "anggaran_siap",
                                            "variables": {"pagu": typed(5_000_000, "Long")}}).status_code == 204
    assert client.get(f"{R}/process-instance/{pi['id']}").status_code == 404     # ended
    assert _activities(client, pi["id"])[-2:] == ["TungguAnggaran", "Selesai"]
    [pagu] = client.get(f"{R}/history/variable-instance", query_string={
        "processInstanceId": pi["id"], "variableName": "pagu"}).json
    assert pagu["value"] == 5_000_000
    assert client.get(f"{R}/process-instance/count").json["count"] == before - 1    # no instance started
    # A signal start event starts a new instance with the variables.
    assert client.post(f"{R}/signal", json={"name": "periode_dibuka",
                                            "variables": {"tahun": typed(2026)}}).status_code == 204
    [started] = client.get(f"{R}/process-instance", query_string={"processDefinitionKey": "jadwal"}).json
    assert started["id"] != pi["id"]
    assert client.get(f"{R}/process-instance/{started['id']}/variables/tahun").json["value"] == 2026
    assert _activities(client, started["id"])[0] == "MulaiSinyal"


def test_a_failing_execution_is_an_incident(client: Any) -> None:
    deploy(client, "jadwal_gagal.bpmn")
    pi = client.post(f"{R}/process-definition/key/jadwal_gagal/start", json={}).json
    [job] = client.get(f"{R}/job", query_string={"processInstanceId": pi["id"]}).json
    r = client.post(f"{R}/job/{job['id']}/execute")
    assert r.status_code == 500 and "Pilih" in r.json["message"]
    failed = client.get(f"{R}/job/{job['id']}").json
    assert failed["retries"] == 0 and "Pilih" in failed["exceptionMessage"]
    assert client.get(f"{R}/process-instance/{pi['id']}").status_code == 200      # still waiting at the timer
    assert client.get(f"{R}/incident/count", query_string={"incidentType": "failedJob"}).json == {"count": 1}
    # Fixing the data and setting retries lets it run again.
    assert client.put(f"{R}/process-instance/{pi['id']}/variables/jalur", json=typed("a")).status_code == 204
    assert client.put(f"{R}/job/{job['id']}/retries", json={"retries": 1}).status_code == 204
    assert client.post(f"{R}/job/{job['id']}/execute").status_code == 204
    assert client.get(f"{R}/process-instance/{pi['id']}").status_code == 404
    assert client.get(f"{R}/incident/count").json == {"count": 0}


def test_signal_boundary_interrupts_a_task(client: Any) -> None:
    first, second = _start(client), client.post(f"{R}/process-definition/key/jadwal/start", json={}).json
    # executionId narrows the signal to one instance.
    assert client.post(f"{R}/signal", json={"name": "paket_dibatalkan", "executionId": first["id"]}
                       ).status_code == 204
    assert client.get(f"{R}/process-instance/{first['id']}").status_code == 404
    assert _activities(client, first["id"])[-2:] == ["Batal", "Dibatalkan"]
    assert client.get(f"{R}/process-instance/{second['id']}").status_code == 200
    assert client.get(f"{R}/job/count", query_string={"processInstanceId": first["id"]}).json == {"count": 0}
    assert client.post(f"{R}/signal", json={"name": "paket_dibatalkan", "executionId": "nope"}).status_code == 404


def test_job_ids_are_random_not_derived_from_the_instance(client: Any) -> None:
    import uuid

    deploy(client, "jadwal.bpmn")
    ids = [client.post(f"{R}/process-definition/key/jadwal/start", json={}).json["id"] for _ in range(3)]
    jobs = {j["processInstanceId"]: j["id"] for j in client.get(f"{R}/job").json}
    assert set(jobs) == set(ids)
    # The old scheme (instance id XOR a fixed mask) gave the same difference for every instance.
    masks = {uuid.UUID(i).int ^ uuid.UUID(jobs[i]).int for i in ids}
    assert len(masks) == 3
    old = str(uuid.UUID(int=uuid.UUID(ids[0]).int ^ 0x6A0B3C1E_5D2F_0A7C_0E4D_9B8A7C6D5E4F))
    for guess in (ids[0], old):
        assert client.get(f"{R}/job/{guess}").status_code == 404
        assert client.post(f"{R}/job/{guess}/execute").status_code == 404
    assert uuid.UUID(jobs[ids[0]]).version == 4
    assert client.get(f"{R}/job/{jobs[ids[0]]}").json["processInstanceId"] == ids[0]
    assert client.get(f"{R}/job/count", query_string={"jobIds": ",".join(jobs.values())}).json == {"count": 3}
