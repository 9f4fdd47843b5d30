"""The access matrix of external tasks and timer jobs (issue 11, item 6): fetching, locking, completing,
failing, extending, unlocking, executing and reading them need rights on their instance (a lane of its
model, its starter, the tenant's process owners or `worker` group, admins), as Camunda's
authorizations on the process instance do; fetch-and-lock and the lists return only those."""
from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from support import ADMIN, OTHER, PPK

R = "/engine-rest"
POKJA = ("pokja.lahat", "rahasia-pokja-1")         # lahat, in the model's lane
WORKER = ("mesin.lahat", "rahasia-mesin-1")        # lahat, the worker group
PO = ("po.lahat", "rahasia-po-lahat")              # lahat, process owner
# OTHER: lahat, group PPK (no lane of the model, never started it); PPK: another tenant.
ALLOWED = (ADMIN, POKJA, WORKER, PO)
REFUSED = (OTHER, PPK)

MODEL = b'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="x">
  <bpmn:process id="cek" isExecutable="true">
    <bpmn:laneSet><bpmn:lane id="L" name="Pokja"><bpmn:flowNodeRef>S</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>T</bpmn:flowNodeRef><bpmn:flowNodeRef>E</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>B</bpmn:flowNodeRef><bpmn:flowNodeRef>E2</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="S"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="T" name="Cek" camunda:type="external" camunda:topic="cek">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:boundaryEvent id="B" attachedToRef="T"><bpmn:outgoing>F3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="E"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="E2"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="T" /><bpmn:sequenceFlow id="F2" sourceRef="T" targetRef="E" />
    <bpmn:sequenceFlow id="F3" sourceRef="B" targetRef="E2" />
  </bpmn:process></bpmn:definitions>'''
FETCH = {"workerId": "w", "maxTasks": 50, "topics": [{"topicName": "cek", "lockDuration": 60000}]}


def basic(user: tuple[str, str]) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()}


@pytest.fixture
def c(auth_app: Any) -> Any:
    from service.ops.users import create_user

    ctx = auth_app.extensions["alur"].ops
    create_user(ctx, POKJA[0], POKJA[1], groups=["Pokja"], tenants=["lahat"])
    create_user(ctx, WORKER[0], WORKER[1], groups=["worker"], tenants=["lahat"])
    create_user(ctx, PO[0], PO[1], groups=["process-owner"], tenants=["lahat"])
    client = auth_app.test_client()
    r = client.post(f"{R}/deployment/create", data={"deployment-name": "cek", "tenant-id": "lahat",
                                                    "cek.bpmn": (io.BytesIO(MODEL), "cek.bpmn")},
                    content_type="multipart/form-data", headers=basic(ADMIN))
    assert r.status_code == 200, r.json
    return client


def start(c: Any) -> tuple[str, str, str]:
    """A fresh instance: (instance id, external task id, job id)."""
    r = c.post(f"{R}/process-definition/key/cek/tenant-id/lahat/start", json={}, headers=basic(POKJA))
    assert r.status_code == 200, r.json
    iid = r.json["id"]
    task = c.get(f"{R}/external-task", query_string={"processInstanceId": iid}, headers=basic(ADMIN)).json[0]
    job = c.get(f"{R}/job", query_string={"processInstanceId": iid}, headers=basic(ADMIN)).json[0]
    return iid, task["id"], job["id"]


def actions(task: str, job: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    w = {"workerId": "w"}
    return [
        ("GET", f"/external-task/{task}", None),
        ("GET", f"/external-task/{task}/errorDetails", None),
        ("POST", f"/external-task/{task}/extendLock", {**w, "newDuration": 1000}),
        ("POST", f"/external-task/{task}/unlock", None),
        ("POST", f"/external-task/{task}/failure", {**w, "errorMessage": "x", "retries": 1, "retryTimeout": 0}),
        ("POST", f"/external-task/{task}/bpmnError", {**w, "errorCode": "E"}),
        ("POST", f"/external-task/{task}/complete", w),
        ("PUT", f"/external-task/{task}/retries", {"retries": 3}),
        ("PUT", f"/external-task/{task}/priority", {"priority": 9}),
        ("PUT", "/external-task/retries", {"externalTaskIds": [task], "retries": 2}),
        ("GET", f"/job/{job}", None),
        ("PUT", f"/job/{job}/retries", {"retries": 1}),
        ("POST", f"/job/{job}/execute", None),
    ]


@pytest.mark.parametrize("who", REFUSED, ids=lambda u: u[0])
def test_refused_users_reach_no_job_and_no_external_task(c: Any, who: tuple[str, str]) -> None:
    iid, task, job = start(c)
    assert c.post(f"{R}/external-task/fetchAndLock", json=FETCH, headers=basic(who)).json == []
    for method, path, body in actions(task, job):
        r = c.open(f"{R}{path}", method=method, json=body, headers=basic(who))
        assert r.status_code == 403, (who[0], method, path, r.status_code, r.json)
        assert r.json["type"] == "AuthorizationException"
    for path, empty in (("external-task", []), ("external-task/count", {"count": 0}), ("job", []),
                        ("job/count", {"count": 0})):
        assert c.get(f"{R}/{path}", headers=basic(who)).json == empty, (who[0], path)
        assert c.post(f"{R}/{path}", json={}, headers=basic(who)).json == empty, (who[0], path)
    # Nothing changed: the task is still unlocked and open, the timer still waits.
    view = c.get(f"{R}/external-task/{task}", headers=basic(ADMIN)).json
    assert view["workerId"] is None and view["priority"] == 0 and view["retries"] is None
    assert c.get(f"{R}/job/{job}", headers=basic(ADMIN)).status_code == 200
    assert c.get(f"{R}/process-instance/{iid}", headers=basic(ADMIN)).status_code == 200


@pytest.mark.parametrize("who", ALLOWED, ids=lambda u: u[0])
def test_allowed_users_work_jobs_and_external_tasks(c: Any, who: tuple[str, str]) -> None:
    iid, task, job = start(c)
    for path in ("external-task", "job"):
        assert [t["processInstanceId"] for t in c.get(f"{R}/{path}", headers=basic(who)).json] == [iid]
        assert c.get(f"{R}/{path}/count", headers=basic(who)).json == {"count": 1}
    assert c.get(f"{R}/external-task/{task}", headers=basic(who)).status_code == 200
    assert c.get(f"{R}/job/{job}", headers=basic(who)).status_code == 200
    fetched = c.post(f"{R}/external-task/fetchAndLock", json=FETCH, headers=basic(who)).json
    assert [t["id"] for t in fetched] == [task]
    w = {"workerId": "w"}
    assert c.post(f"{R}/external-task/{task}/extendLock", json={**w, "newDuration": 5000},
                  headers=basic(who)).status_code == 204
    assert c.post(f"{R}/external-task/{task}/unlock", headers=basic(who)).status_code == 204
    assert c.post(f"{R}/job/{job}/execute", headers=basic(who)).status_code == 204      # the timer fires
    assert c.get(f"{R}/process-instance/{iid}", headers=basic(ADMIN)).status_code == 404  # ended by it
    _, task2, _ = start(c)
    assert [t["id"] for t in c.post(f"{R}/external-task/fetchAndLock", json=FETCH, headers=basic(who)).json] == [task2]
    assert c.post(f"{R}/external-task/{task2}/complete", json=w, headers=basic(who)).status_code == 204


def test_the_starter_works_their_own_instance(c: Any, auth_app: Any) -> None:
    from service.ops.users import update_user

    iid, task, job = start(c)
    update_user(auth_app.extensions["alur"].ops, POKJA[0], groups=["Tamu"])     # no lane any more
    assert [t["id"] for t in c.post(f"{R}/external-task/fetchAndLock", json=FETCH, headers=basic(POKJA)).json] \
        == [task]
    assert c.get(f"{R}/job/{job}", headers=basic(POKJA)).status_code == 200
    assert c.post(f"{R}/external-task/{task}/complete", json={"workerId": "w"},
                  headers=basic(POKJA)).status_code == 204
    assert c.get(f"{R}/process-instance/{iid}", headers=basic(ADMIN)).status_code == 404
