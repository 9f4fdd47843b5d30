"""Process instances, user tasks, messages and decisions through /engine-rest: queries (GET and POST),
counts, variables, forms, identity links."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from support import deploy, typed

R = "/engine-rest"


@pytest.fixture
def two(client: Any, clock: Any) -> list[dict[str, Any]]:
    assert deploy(client, "layanan.bpmn", tenant="pagaralam").status_code == 200
    out = []
    for key, nilai in (("A", 5), ("B", 50)):
        r = client.post(f"{R}/process-definition/key/layanan/tenant-id/pagaralam/start",
                        json={"businessKey": key, "variables": {"nilai": typed(nilai, "Long")}})
        assert r.status_code == 200
        out.append(r.json)
        clock.advance(timedelta(minutes=1))
    return out


def _to_user_task(client: Any, instance_id: str) -> dict[str, Any]:
    tasks = client.post(f"{R}/external-task/fetchAndLock", json={
        "workerId": "w", "maxTasks": 10, "topics": [{"topicName": "periksa", "lockDuration": 1000}]}).json
    for t in tasks:
        if t["processInstanceId"] == instance_id:
            assert client.post(f"{R}/external-task/{t['id']}/complete", json={"workerId": "w"}).status_code == 204
        else:
            assert client.post(f"{R}/external-task/{t['id']}/unlock").status_code == 204
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": instance_id}).json
    return task


def test_instance_queries(client: Any, two: list) -> None:
    a, b = two
    assert [i["businessKey"] for i in client.get(f"{R}/process-instance").json] == ["A", "B"]
    assert client.get(f"{R}/process-instance/count").json == {"count": 2}
    r = client.post(f"{R}/process-instance", json={"businessKey": "B"})
    assert [i["id"] for i in r.json] == [b["id"]]
    r = client.post(f"{R}/process-instance", json={"variables": [{"name": "nilai", "operator": "gt", "value": 10}]})
    assert [i["id"] for i in r.json] == [b["id"]]
    r = client.get(f"{R}/process-instance", query_string={"variables": "nilai_lteq_5"})
    assert [i["id"] for i in r.json] == [a["id"]]
    assert client.post(f"{R}/process-instance/count", json={"tenantIdIn": ["lahat"]}).json == {"count": 0}
    r = client.post(f"{R}/process-instance", json={"sorting": [{"sortBy": "businessKey", "sortOrder": "desc"}]},
                    query_string={"maxResults": 1})
    assert [i["businessKey"] for i in r.json] == ["B"]
    r = client.get(f"{R}/process-instance", query_string={"activityIdIn": "Periksa", "firstResult": 1})
    assert [i["id"] for i in r.json] == [b["id"]]
    assert client.post(f"{R}/process-instance", json={"variables": [{"name": "x", "operator": "zz", "value": 1}]}
                       ).status_code == 400
    assert client.post(f"{R}/process-instance", json={"businessKey": 5}).status_code == 400
    assert client.post(f"{R}/process-instance", json=[]).status_code == 400
    # Single variables.
    url = f"{R}/process-instance/{a['id']}/variables/catatan"
    assert client.put(url, json={"value": "2026-01-05T08:00:00.000+0000", "type": "Date"}).status_code == 204
    assert client.get(url).json == {"type": "Date", "value": "2026-01-05T08:00:00.000+0000", "valueInfo": {}}
    assert client.put(url, json={"value": "besok", "type": "Date"}).status_code == 400
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert client.delete(f"{R}/process-instance/{a['id']}").status_code == 204
    assert client.get(f"{R}/process-instance/count").json == {"count": 1}


def test_task_queries_forms_variables_links(client: Any, two: list) -> None:
    a, b = two
    task = _to_user_task(client, a["id"])
    _to_user_task(client, b["id"])
    assert task["taskDefinitionKey"] == "Tinjau" and task["tenantId"] == "pagaralam"
    r = client.post(f"{R}/task", json={"candidateGroup": "PPK", "processInstanceBusinessKey": "A"})
    assert [t["id"] for t in r.json] == [task["id"]]
    assert client.post(f"{R}/task/count", json={"candidateGroup": "PPK"}).json == {"count": 2}
    assert client.get(f"{R}/task/count", query_string={"taskDefinitionKeyIn": "Tinjau,Lain"}).json == {"count": 2}
    r = client.post(f"{R}/task", json={"sorting": [{"sortBy": "processInstanceId", "sortOrder": "asc"}]},
                    query_string={"firstResult": 1, "maxResults": 5})
    assert len(r.json) == 1
    assert client.post(f"{R}/task", json={"sorting": [{"sortBy": "x"}]}).status_code == 400
    assert client.post(f"{R}/task", json={"dueBefore": "kapan"}).status_code == 400
    tid = task["id"]
    assert client.get(f"{R}/task/{tid}/form").json == {"key": None, "contextPath": None, "camundaFormRef": None}
    assert client.get(f"{R}/task/{tid}/form-variables").json["nilai"]["value"] == 5
    assert client.get(f"{R}/task/{tid}/variables/nilai").json["type"] == "Integer"
    assert client.get(f"{R}/task/{tid}/variables/tidak").status_code == 404
    assert client.put(f"{R}/task/{tid}/variables/catatan", json={"value": "ok"}).status_code == 204
    r = client.post(f"{R}/task/{tid}/variables", json={"modifications": {"skor": typed(3.5, "Double")},
                                                        "deletions": ["catatan"]})
    assert r.status_code == 204
    values = client.get(f"{R}/task/{tid}/variables").json
    assert values["skor"] == {"type": "Double", "value": 3.5, "valueInfo": {}} and "catatan" not in values
    assert client.get(f"{R}/task/{tid}/localVariables").json == {}
    assert client.get(f"{R}/task/{tid}/identity-links").json == [{"userId": None, "groupId": "PPK",
                                                                  "type": "candidate"}]
    assert client.post(f"{R}/task/{tid}/identity-links", json={"userId": "budi", "type": "candidate"}
                       ).status_code == 204
    assert client.post(f"{R}/task/{tid}/claim", json={"userId": "budi"}).status_code == 204
    links = client.get(f"{R}/task/{tid}/identity-links").json
    assert {"userId": "budi", "groupId": None, "type": "assignee"} in links
    assert {"userId": "budi", "groupId": None, "type": "candidate"} in links
    assert client.post(f"{R}/task/{tid}/identity-links/delete", json={"userId": "budi", "type": "candidate"}
                       ).status_code == 204
    assert client.post(f"{R}/task/{tid}/identity-links", json={"type": "candidate"}).status_code == 400
    assert client.post(f"{R}/task/{tid}/identity-links", json={"userId": "x", "type": "aneh"}).status_code == 400
    r = client.post(f"{R}/task/{tid}/submit-form", json={"variables": {"setuju": typed(True)},
                                                         "withVariablesInReturn": True})
    assert r.status_code == 200 and r.json["setuju"] == {"type": "Boolean", "value": True, "valueInfo": {}}
    assert client.get(f"{R}/task/{tid}").status_code == 404
    # The instance now waits for the message.
    r = client.post(f"{R}/message", json={"messageName": "persetujuan_diterima", "businessKey": "A",
                                          "resultEnabled": True})
    assert r.status_code == 200 and r.json[0]["resultType"] == "Execution"
    assert client.get(f"{R}/process-instance/{a['id']}").status_code == 404       # ended
    hist = client.get(f"{R}/history/process-instance/{a['id']}").json
    assert hist["state"] == "COMPLETED" and hist["endTime"] is not None


def test_variable_data_is_for_binary_values_only(client: Any, two: list) -> None:
    a = two[0]
    r = client.get(f"{R}/process-instance/{a['id']}/variables/nilai/data")
    assert r.status_code == 400 and "not a binary value" in r.json["message"]
    assert client.get(f"{R}/process-instance/{a['id']}/variables/tidak/data").status_code == 404
