"""History resources: process-instance, activity-instance, task, variable-instance, decision-instance
(GET and POST queries, count, by id)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from support import deploy, typed

R = "/engine-rest"


def test_history_of_a_finished_instance(client: Any, clock: Any) -> None:
    deploy(client, "layanan.bpmn", "risiko.dmn")
    pi = client.post(f"{R}/process-definition/key/layanan/start",
                     json={"businessKey": "H-1", "variables": {"nilai": typed(5, "Long")}}).json
    clock.advance(timedelta(minutes=1))
    [ext] = client.post(f"{R}/external-task/fetchAndLock", json={
        "workerId": "w", "maxTasks": 1, "topics": [{"topicName": "periksa", "lockDuration": 1000}]}).json
    client.post(f"{R}/external-task/{ext['id']}/complete", json={"workerId": "w",
                                                                  "variables": {"nilai": typed(6, "Long")}})
    [task] = client.get(f"{R}/task").json
    client.post(f"{R}/task/{task['id']}/claim", json={"userId": "budi"})
    clock.advance(timedelta(minutes=2))
    assert client.post(f"{R}/task/{task['id']}/complete", headers={"X-Alur-User": "budi"}, json={}
                       ).status_code == 204
    client.post(f"{R}/message", json={"messageName": "persetujuan_diterima"})

    # Process instances.
    [hpi] = client.get(f"{R}/history/process-instance", query_string={"finished": "true"}).json
    assert hpi["id"] == pi["id"] and hpi["state"] == "COMPLETED" and hpi["businessKey"] == "H-1"
    assert hpi["processDefinitionVersion"] == 1 and hpi["processDefinitionName"] == "Layanan pengadaan"
    assert hpi["startActivityId"] == "Mulai" and hpi["durationInMillis"] == 180_000
    for key in ("superProcessInstanceId", "removalTime", "deleteReason", "tenantId", "startUserId"):
        assert key in hpi
    assert client.post(f"{R}/history/process-instance", json={"unfinished": True}).json == []
    assert client.post(f"{R}/history/process-instance/count", json={"processDefinitionKey": "layanan"}
                       ).json == {"count": 1}
    assert client.get(f"{R}/history/process-instance/{pi['id']}").json == hpi
    assert client.get(f"{R}/history/process-instance/nope").status_code == 404

    # Activity instances, in order, with durations.
    acts = client.get(f"{R}/history/activity-instance", query_string={
        "processInstanceId": pi["id"], "sortBy": "startTime", "sortOrder": "asc"}).json
    ids = [a["activityId"] for a in acts]
    assert ids[0] == "Mulai" and ids[-1] == "Selesai" and {"Periksa", "Tinjau", "Tunggu"} <= set(ids)
    tinjau = next(a for a in acts if a["activityId"] == "Tinjau")
    assert tinjau["activityType"] == "userTask" and tinjau["taskId"] == task["id"]
    assert tinjau["assignee"] == "budi" and tinjau["durationInMillis"] == 120_000 and tinjau["canceled"] is False
    assert client.get(f"{R}/history/activity-instance/{tinjau['id']}").json == tinjau
    assert client.get(f"{R}/history/activity-instance/count", query_string={"activityType": "userTask"}
                      ).json == {"count": 1}
    assert client.post(f"{R}/history/activity-instance", json={"activityId": "Periksa"}).json[0]["endTime"]

    # Tasks.
    [ht] = client.get(f"{R}/history/task", query_string={"taskAssignee": "budi"}).json
    assert ht["id"] == task["id"] and ht["taskDefinitionKey"] == "Tinjau" and ht["deleteReason"] == "completed"
    assert ht["duration"] == 120_000 and ht["taskState"] == "Completed" and ht["assignee"] == "budi"
    assert client.post(f"{R}/history/task/count", json={"finished": True}).json == {"count": 1}
    assert client.get(f"{R}/history/task/{task['id']}").json["id"] == task["id"]

    # Variables: the latest value, one record per variable.
    [var] = client.get(f"{R}/history/variable-instance", query_string={"variableName": "nilai"}).json
    assert var["value"] == 6 and var["type"] == "Integer" and var["state"] == "CREATED"
    assert var["processInstanceId"] == pi["id"]
    assert client.get(f"{R}/history/variable-instance/{var['id']}").json == var
    assert client.post(f"{R}/history/variable-instance/count", json={"variableNameLike": "nil%"}).json == {"count": 1}
    assert client.get(f"{R}/history/variable-instance/00000000-0000-0000-0000-000000000000").status_code == 404


def test_history_of_decisions(client: Any) -> None:
    deploy(client, "risiko.dmn")
    r = client.post(f"{R}/decision-definition/key/tingkat_risiko/evaluate",
                    json={"variables": {"nilai": typed(300_000_000, "Long")}})
    assert r.status_code == 200 and r.json[0]["risiko"]["value"] == "tinggi"
    [d] = client.get(f"{R}/history/decision-instance", query_string={
        "decisionDefinitionKey": "tingkat_risiko", "includeInputs": "true", "includeOutputs": "true"}).json
    assert d["decisionDefinitionKey"] == "tingkat_risiko" and d["decisionDefinitionId"].startswith("tingkat_risiko:1:")
    assert d["inputs"][0]["value"] == 300_000_000
    outputs = {o["variableName"]: o for o in d["outputs"]}
    assert outputs["risiko"]["value"] == "tinggi" and outputs["risiko"]["ruleId"] == "Rule_tinggi"
    assert client.get(f"{R}/history/decision-instance").json[0]["inputs"] is None
    assert client.get(f"{R}/history/decision-instance/count").json == {"count": 1}
    got = client.get(f"{R}/history/decision-instance/{d['id']}", query_string={"includeOutputs": "true"}).json
    assert got["id"] == d["id"] and got["outputs"] == d["outputs"]
    assert client.get(f"{R}/history/decision-instance/{d['id'][:-1]}x").status_code == 404
