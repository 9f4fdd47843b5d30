"""Start instances, query and work on tasks, read instances: through /engine-rest."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from support import deploy_rest, typed


@pytest.fixture
def deployed(client: Any) -> dict[str, Any]:
    r = deploy_rest(client, "pengadaan.bpmn", "form-siapkan.form", tenant="pagaralam")
    assert r.status_code == 200, r.json
    return r.json


def _start(client: Any, **body: Any) -> Any:
    return client.post("/engine-rest/process-definition/key/pengadaan/tenant-id/pagaralam/start", json=body)


def test_start_by_key_and_tenant(client: Any, deployed: dict) -> None:
    r = _start(client, variables={"nilai": typed(150_000_000, "Long"), "nama": typed("Paket A")},
               businessKey="PKT-1", withVariablesInReturn=True)
    assert r.status_code == 200, r.json
    body = r.json
    assert body["businessKey"] == "PKT-1" and body["tenantId"] == "pagaralam"
    assert body["definitionId"].startswith("pengadaan:1:") and body["ended"] is False and body["suspended"] is False
    assert body["links"][0]["href"].endswith(f"/process-instance/{body['id']}")
    assert body["variables"]["nilai"] == {"type": "Integer", "value": 150_000_000, "valueInfo": {}}
    assert body["variables"]["nama"]["type"] == "String"
    got = client.get(f"/engine-rest/process-instance/{body['id']}")
    assert got.status_code == 200 and got.json["id"] == body["id"] and got.json["businessKey"] == "PKT-1"


def test_start_errors(client: Any, deployed: dict) -> None:
    r = client.post("/engine-rest/process-definition/key/tidak_ada/start", json={})
    assert r.status_code == 404 and "tidak_ada" in r.json["message"]
    r = client.post("/engine-rest/process-definition/key/pengadaan/tenant-id/pagaralam/start", data="{oops",
                    content_type="application/json")
    assert r.status_code == 400 and r.json["type"] == "InvalidRequestException"
    assert "Malformed JSON" in r.json["message"]
    r = _start(client, variables={"n": {"value": "dua", "type": "Integer"}})
    assert r.status_code == 400 and "'dua'" in r.json["message"]
    r = _start(client, variables="x")
    assert r.status_code == 400 and "variables" in r.json["message"]
    r = _start(client, businessKey=12)
    assert r.status_code == 400 and "businessKey" in r.json["message"]
    r = client.post("/engine-rest/process-definition/key/pengadaan/tenant-id/pagaralam/start", json=[1])
    assert r.status_code == 400
    # Without a tenant, a tenant-only definition is not visible.
    r = client.post("/engine-rest/process-definition/key/pengadaan/start", json={})
    assert r.status_code == 404


def test_task_json_and_queries(client: Any, deployed: dict, clock: Any) -> None:
    first = _start(client, businessKey="A").json
    clock.advance(timedelta(minutes=5))
    second = _start(client, businessKey="B").json
    tasks = client.get("/engine-rest/task", query_string={"processInstanceId": first["id"]}).json
    assert len(tasks) == 1
    task = tasks[0]
    assert task["name"] == "Siapkan dokumen" and task["taskDefinitionKey"] == "Siapkan"
    assert task["processInstanceId"] == first["id"] and task["processDefinitionId"] == first["definitionId"]
    assert task["created"] == "2026-01-05T08:00:00.000+0000" and task["tenantId"] == "pagaralam"
    assert task["camundaFormRef"] == {"key": "form-siapkan", "binding": "latest", "version": None}
    assert task["assignee"] is None and task["priority"] == 50
    # mutu.waktu P2D: end of office hours (15:00 WIB) of the 2nd working day after Monday 5 January.
    assert task["due"] == "2026-01-07T08:00:00.000+0000"
    # Lane -> candidate group.
    by_group = client.get("/engine-rest/task", query_string={"candidateGroup": "PPK"}).json
    assert [t["processInstanceId"] for t in by_group] == [first["id"], second["id"]]
    desc = client.get("/engine-rest/task", query_string={"candidateGroup": "PPK", "sortBy": "created",
                                                          "sortOrder": "desc"}).json
    assert [t["processInstanceId"] for t in desc] == [second["id"], first["id"]]
    page = client.get("/engine-rest/task", query_string={"sortBy": "created", "sortOrder": "asc",
                                                          "firstResult": 1, "maxResults": 1}).json
    assert [t["processInstanceId"] for t in page] == [second["id"]]
    assert client.get("/engine-rest/task/count").json == {"count": 2}
    assert client.get("/engine-rest/task", query_string={"candidateGroup": "Pokja Pemilihan"}).json == []
    assert len(client.get("/engine-rest/task", query_string={"tenantIdIn": "pagaralam,mojokerto"}).json) == 2
    assert client.get("/engine-rest/task", query_string={"tenantIdIn": "mojokerto"}).json == []
    assert len(client.get("/engine-rest/task", query_string={"processDefinitionKey": "pengadaan",
                                                             "taskDefinitionKey": "Siapkan"}).json) == 2
    due_q = {"dueBefore": "2026-01-07T08:00:01.000+0000", "dueAfter": "2026-01-07T07:59:59.000+0000"}
    assert len(client.get("/engine-rest/task", query_string=due_q).json) == 2     # same office day
    assert client.get("/engine-rest/task", query_string={"dueBefore": "2026-01-07T07:00:00.000+0000"}).json == []
    assert client.get("/engine-rest/task", query_string={"overdue": "true"}).json == []
    clock.advance(timedelta(days=3))
    assert len(client.get("/engine-rest/task", query_string={"overdue": "true"}).json) == 2
    r = client.get("/engine-rest/task", query_string={"dueBefore": "besok"})
    assert r.status_code == 400 and "dueBefore" in r.json["message"]
    r = client.get("/engine-rest/task", query_string={"sortBy": "created"})
    assert r.status_code == 400 and "sortOrder" in r.json["message"]
    r = client.get("/engine-rest/task", query_string={"maxResults": "-1"})
    assert r.status_code == 400


def test_claim_complete_flow(client: Any, deployed: dict) -> None:
    inst = _start(client).json
    task_id = client.get("/engine-rest/task", query_string={"processInstanceId": inst["id"]}).json[0]["id"]
    assert client.post(f"/engine-rest/task/{task_id}/claim", json={"userId": "budi"}).status_code == 204
    assert client.post(f"/engine-rest/task/{task_id}/claim", json={"userId": "budi"}).status_code == 204
    again = client.post(f"/engine-rest/task/{task_id}/claim", json={"userId": "ani"})
    assert again.status_code == 500 and again.json["type"] == "TaskAlreadyClaimedException"
    assert client.get("/engine-rest/task", query_string={"assignee": "budi"}).json[0]["id"] == task_id
    # Candidate queries hide claimed tasks unless asked (Camunda).
    assert client.get("/engine-rest/task", query_string={"candidateGroup": "PPK"}).json == []
    assert len(client.get("/engine-rest/task", query_string={"candidateGroup": "PPK",
                                                             "includeAssignedTasks": "true"}).json) == 1
    assert client.post(f"/engine-rest/task/{task_id}/unclaim").status_code == 204
    assert client.post(f"/engine-rest/task/{task_id}/claim", json={"userId": "ani"}).status_code == 204
    assert client.post(f"/engine-rest/task/{task_id}/assignee", json={"userId": "citra"}).status_code == 204
    assert client.get(f"/engine-rest/task/{task_id}").json["assignee"] == "citra"
    # Camunda's TaskService.complete does not check the assignee: budi may complete citra's task.
    r = client.post(f"/engine-rest/task/{task_id}/complete", headers={"X-Alur-User": "budi"},
                    json={"variables": {"nomor_dokumen": typed("DPP-01")}, "withVariablesInReturn": True})
    assert r.status_code == 200 and r.json["nomor_dokumen"]["value"] == "DPP-01"
    review = client.get("/engine-rest/task", query_string={"candidateGroup": "verifikator"}).json
    assert [t["name"] for t in review] == ["Periksa dokumen"] and review[0]["priority"] == 70
    r = client.post(f"/engine-rest/task/{review[0]['id']}/complete", json={"variables": {"approved": typed(True)}})
    assert r.status_code == 204 and r.data == b""
    ended = client.get(f"/engine-rest/process-instance/{inst['id']}")
    assert ended.status_code == 404
    assert client.get("/engine-rest/task", query_string={"processInstanceId": inst["id"]}).json == []


def test_loop_back_and_variables(client: Any, deployed: dict) -> None:
    inst = _start(client, variables={"nilai": typed(10)}).json
    for _ in range(3):
        t = client.get("/engine-rest/task", query_string={"processInstanceId": inst["id"]}).json[0]
        assert t["taskDefinitionKey"] == "Siapkan"
        assert client.post(f"/engine-rest/task/{t['id']}/complete", json={}).status_code == 204
        t = client.get("/engine-rest/task", query_string={"processInstanceId": inst["id"]}).json[0]
        assert t["taskDefinitionKey"] == "Periksa"
        r = client.post(f"/engine-rest/task/{t['id']}/complete", json={"variables": {"approved": typed(False)}})
        assert r.status_code == 204
    variables = client.get(f"/engine-rest/process-instance/{inst['id']}/variables").json
    assert variables["approved"]["value"] is False and variables["nilai"]["value"] == 10
    r = client.post(f"/engine-rest/process-instance/{inst['id']}/variables",
                    json={"modifications": {"nilai": typed(20)}, "deletions": ["approved"]})
    assert r.status_code == 204
    variables = client.get(f"/engine-rest/process-instance/{inst['id']}/variables").json
    assert variables["nilai"]["value"] == 20 and "approved" not in variables
    acts = client.get(f"/engine-rest/process-instance/{inst['id']}/activity-instances").json
    assert [c["activityId"] for c in acts["childActivityInstances"]] == ["Siapkan"]


def test_task_errors(client: Any, deployed: dict) -> None:
    r = client.post("/engine-rest/task/nope/complete", json={})
    assert r.status_code == 404 and "nope" in r.json["message"]
    r = client.post("/engine-rest/task/nope/claim", json={})
    assert r.status_code == 400 and "userId" in r.json["message"]
    r = client.get("/engine-rest/process-instance/nope")
    assert r.status_code == 404
    r = client.get("/engine-rest/unknown/path")
    assert r.status_code == 404 and r.json["type"] == "InvalidRequestException"


def test_cancel_instance(client: Any, deployed: dict) -> None:
    inst = _start(client).json
    assert client.delete(f"/engine-rest/process-instance/{inst['id']}").status_code == 204
    assert client.get("/engine-rest/task", query_string={"processInstanceId": inst["id"]}).json == []
    assert client.delete(f"/engine-rest/process-instance/{inst['id']}").status_code == 400


def test_version_endpoint(client: Any) -> None:
    assert client.get("/engine-rest/version").json == {"version": "7.22.0"}


def test_completed_tasks_leave_no_projection_rows(client: Any, app: Any, deployed: dict) -> None:
    from sqlalchemy import func, select

    from service.store import TaskCandidate, UserTask
    inst = _start(client).json
    for variables in ({}, {"approved": typed(True)}):
        task = client.get("/engine-rest/task", query_string={"processInstanceId": inst["id"]}).json[0]
        assert client.post(f"/engine-rest/task/{task['id']}/complete", json={"variables": variables}).status_code == 204
    with app.extensions["alur"].db.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(UserTask)) == 0
        assert s.scalar(select(func.count()).select_from(TaskCandidate)) == 0


def test_candidate_user_includes_group_membership(client: Any, app: Any, deployed: dict) -> None:
    from service.store import AppUser, UserGroup
    with app.extensions["alur"].db.unit_of_work() as s:
        s.add(AppUser(id="budi", display_name="Budi", password_hash="x",
                      groups=[UserGroup(name="PPK")]))
        s.add(AppUser(id="ani", display_name="Ani", password_hash="x", groups=[UserGroup(name="Pokja Pemilihan")]))
    _start(client)
    assert [t["name"] for t in client.get("/engine-rest/task", query_string={"candidateUser": "budi"}).json] == \
        ["Siapkan dokumen"]
    assert client.get("/engine-rest/task", query_string={"candidateUser": "ani"}).json == []
