"""Tasks and history of a called process carry the CALLED definition (Camunda gives the called process
its own definition), although Alur runs it inside the caller's instance and its element ids collide."""
from __future__ import annotations

from typing import Any

from support import deploy_rest

from service import ops

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://alur.test">\n')
PARENT = (HEAD + """<bpmn:process id="induk" isExecutable="true">
  <bpmn:startEvent id="StartEvent"/>
  <bpmn:sequenceFlow id="f1" sourceRef="StartEvent" targetRef="Step_2"/>
  <bpmn:callActivity id="Step_2" name="Panggil anak" calledElement="anak"/>
  <bpmn:sequenceFlow id="f2" sourceRef="Step_2" targetRef="Step_3"/>
  <bpmn:userTask id="Step_3" name="Tugas induk" camunda:candidateGroups="PPK"/>
  <bpmn:sequenceFlow id="f3" sourceRef="Step_3" targetRef="End_1"/>
  <bpmn:endEvent id="End_1"/>
</bpmn:process></bpmn:definitions>
""").encode()
CHILD = (HEAD + """<bpmn:process id="anak" isExecutable="true">
  <bpmn:startEvent id="StartEvent"/>
  <bpmn:sequenceFlow id="g1" sourceRef="StartEvent" targetRef="Step_2"/>
  <bpmn:userTask id="Step_2" name="Tugas anak" camunda:candidateGroups="PPK"/>
  <bpmn:sequenceFlow id="g2" sourceRef="Step_2" targetRef="Step_4"/>
  <bpmn:serviceTask id="Step_4" name="Kirim" camunda:type="external" camunda:topic="kirim"/>
  <bpmn:sequenceFlow id="g3" sourceRef="Step_4" targetRef="End_1"/>
  <bpmn:endEvent id="End_1"/>
</bpmn:process></bpmn:definitions>
""").encode()


def _ok(r: Any) -> Any:
    assert r.status_code in (200, 204), r.json
    return r.json


def _definition_ids(client: Any) -> dict[str, str]:
    return {d["key"]: d["id"] for d in _ok(client.get("/engine-rest/process-definition"))}


def test_called_task_and_history_carry_the_called_definition(client: Any, ctx: Any) -> None:
    _ok(deploy_rest(client, ("anak.bpmn", CHILD), ("induk.bpmn", PARENT)))
    ids = _definition_ids(client)
    instance = _ok(client.post("/engine-rest/process-definition/key/induk/start", json={}))
    [task] = _ok(client.get("/engine-rest/task", query_string={"processInstanceId": instance["id"]}))
    assert task["taskDefinitionKey"] == "Step_2" and task["name"] == "Tugas anak"
    assert task["processDefinitionId"] == ids["anak"]
    assert task["processInstanceId"] == instance["id"]
    by_key = _ok(client.get("/engine-rest/task", query_string={"processDefinitionKey": "anak"}))
    assert [t["id"] for t in by_key] == [task["id"]]
    assert _ok(client.get("/engine-rest/task", query_string={"processDefinitionKey": "induk"})) == []

    activities = _ok(client.get("/engine-rest/history/activity-instance",
                                query_string={"processInstanceId": instance["id"]}))
    seen = {(a["activityId"], a["activityType"], a["processDefinitionId"]) for a in activities}
    assert ("Step_2", "callActivity", ids["induk"]) in seen
    assert ("Step_2", "userTask", ids["anak"]) in seen
    assert ("StartEvent", "startEvent", ids["anak"]) in seen and ("StartEvent", "startEvent", ids["induk"]) in seen
    types = {e.element_type for e in ops.history(ctx, instance["id"]) if e.element_id == "Step_2"}
    assert types == {"callActivity", "userTask"}

    _ok(client.post(f"/engine-rest/task/{task['id']}/complete", json={}))
    [external] = _ok(client.get("/engine-rest/external-task", query_string={"processInstanceId": instance["id"]}))
    assert external["activityId"] == "Step_4" and external["processDefinitionId"] == ids["anak"]
    locked = _ok(client.post("/engine-rest/external-task/fetchAndLock", json={
        "workerId": "w", "maxTasks": 1, "topics": [{"topicName": "kirim", "lockDuration": 1000}]}))
    assert [t["id"] for t in locked] == [external["id"]]
    _ok(client.post(f"/engine-rest/external-task/{external['id']}/complete", json={"workerId": "w"}))
    [back] = _ok(client.get("/engine-rest/task", query_string={"processInstanceId": instance["id"]}))
    assert back["taskDefinitionKey"] == "Step_3" and back["processDefinitionId"] == ids["induk"]
