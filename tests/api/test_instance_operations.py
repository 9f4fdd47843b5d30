"""Operator actions through /engine-rest (issue 14): cancel with a reason, suspend and activate (instance,
definition, key), modification (sync and as a batch), the asynchronous delete, and the user operation log
each of them writes. SQLite and PostgreSQL (the `app` fixture's backends)."""
from __future__ import annotations

from typing import Any

from service.ops import batches

from support import deploy_rest, typed

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://alur.test">\n')

THREE_STEPS = HEAD + """
  <bpmn:process id="tiga" isExecutable="true">
    <bpmn:startEvent id="mulai"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="A"/>
    <bpmn:userTask id="A" name="Langkah A"/>
    <bpmn:sequenceFlow id="f2" sourceRef="A" targetRef="B"/>
    <bpmn:userTask id="B" name="Langkah B"/>
    <bpmn:sequenceFlow id="f3" sourceRef="B" targetRef="C"/>
    <bpmn:userTask id="C" name="Langkah C"/>
    <bpmn:sequenceFlow id="f4" sourceRef="C" targetRef="akhir"/>
    <bpmn:endEvent id="akhir"/>
  </bpmn:process>
</bpmn:definitions>
"""


def deploy_three(client: Any) -> str:
    response = deploy_rest(client, ("tiga.bpmn", THREE_STEPS.encode()))
    assert response.status_code == 200, response.get_json()
    return str(next(iter(response.get_json()["deployedProcessDefinitions"])))


def start(client: Any, key: str = "tiga", **variables: Any) -> str:
    response = client.post(f"/engine-rest/process-definition/key/{key}/start",
                           json={"variables": {k: typed(v) for k, v in variables.items()}})
    assert response.status_code == 200, response.get_json()
    return str(response.get_json()["id"])


def tasks_of(client: Any, instance_id: str) -> list[dict[str, Any]]:
    return list(client.get(f"/engine-rest/task?processInstanceId={instance_id}").get_json())


def steps(client: Any, instance_id: str) -> list[str]:
    return sorted(t["taskDefinitionKey"] for t in tasks_of(client, instance_id))


def operations(client: Any, **filters: str) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return list(client.get(f"/engine-rest/history/user-operation?{query}").get_json())


def test_cancel_with_a_reason_is_logged(client: Any) -> None:
    deploy_three(client)
    pid = start(client)
    response = client.delete(f"/engine-rest/process-instance/{pid}?deleteReason=salah%20input")
    assert response.status_code == 204
    assert client.get(f"/engine-rest/process-instance/{pid}").status_code == 404
    entry, = operations(client, processInstanceId=pid)
    assert (entry["operationType"], entry["entityType"], entry["property"], entry["newValue"]) == \
        ("Delete", "ProcessInstance", "deleteReason", "salah input")
    assert entry["annotation"] == "salah input" and entry["category"] == "Operator"
    history = client.get(f"/engine-rest/history/process-instance/{pid}").get_json()
    assert history["state"] in ("EXTERNALLY_TERMINATED", "INTERNALLY_TERMINATED")
    # failIfNotExists=false: an unknown instance is no error; skipSubprocesses cannot be honoured (called
    # instances are always cancelled with their caller)
    assert client.delete("/engine-rest/process-instance/nope?failIfNotExists=false").status_code == 204
    assert client.delete("/engine-rest/process-instance/nope").status_code == 404
    assert client.delete(f"/engine-rest/process-instance/{pid}?failIfNotExists=false").status_code == 204
    other = start(client)
    refused = client.delete(f"/engine-rest/process-instance/{other}?skipSubprocesses=true")
    assert refused.status_code == 400 and "skipSubprocesses" in refused.get_json()["message"]


def test_suspended_instance_refuses_work_until_activated(client: Any) -> None:
    deploy_three(client)
    pid = start(client)
    assert client.put(f"/engine-rest/process-instance/{pid}/suspended", json={"suspended": True}).status_code == 204
    assert client.get(f"/engine-rest/process-instance/{pid}").get_json()["suspended"] is True
    task = tasks_of(client, pid)[0]
    refused = client.post(f"/engine-rest/task/{task['id']}/complete", json={})
    assert refused.status_code == 400
    assert refused.get_json()["type"] == "SuspendedEntityInteractionException"
    moved = client.post(f"/engine-rest/process-instance/{pid}/modification",
                        json={"instructions": [{"type": "startBeforeActivity", "activityId": "C"}]})
    assert moved.status_code == 400 and moved.get_json()["type"] == "SuspendedEntityInteractionException"
    assert client.put(f"/engine-rest/process-instance/{pid}/suspended", json={"suspended": False}).status_code == 204
    assert client.post(f"/engine-rest/task/{task['id']}/complete", json={}).status_code == 204
    # (the frozen clock gives both entries one timestamp: their order is not defined)
    assert sorted(e["operationType"] for e in operations(client, processInstanceId=pid, sortBy="timestamp",
                                                         sortOrder="asc")) == ["Activate", "Suspend"]


def test_suspend_by_definition_key_with_instances(client: Any) -> None:
    deploy_three(client)
    first, second = start(client), start(client)
    response = client.put("/engine-rest/process-definition/key/tiga/suspended",
                          json={"suspended": True, "includeProcessInstances": True})
    assert response.status_code == 204
    for pid in (first, second):
        assert client.get(f"/engine-rest/process-instance/{pid}").get_json()["suspended"] is True
    assert client.get("/engine-rest/process-definition/key/tiga").get_json()["suspended"] is True
    assert client.post("/engine-rest/process-definition/key/tiga/start", json={}).status_code == 400
    # activate the instances by key (the definition stays suspended)
    response = client.put("/engine-rest/process-instance/suspended",
                          json={"suspended": False, "processDefinitionKey": "tiga"})
    assert response.status_code == 204
    assert client.get(f"/engine-rest/process-instance/{first}").get_json()["suspended"] is False
    both = client.put("/engine-rest/process-instance/suspended",
                      json={"suspended": False, "processDefinitionKey": "tiga", "processInstanceIds": [first]})
    assert both.status_code == 400
    kinds = {(e["entityType"], e["operationType"]) for e in operations(client)}
    assert {("ProcessDefinition", "Suspend"), ("ProcessInstance", "Suspend"),
            ("ProcessInstance", "Activate")} <= kinds


def test_modification_moves_the_token_and_is_all_or_nothing(client: Any) -> None:
    deploy_three(client)
    pid = start(client, nilai=1)
    before = tasks_of(client, pid)
    bad = client.post(f"/engine-rest/process-instance/{pid}/modification", json={"instructions": [
        {"type": "cancel", "activityId": "A"}, {"type": "startBeforeActivity", "activityId": "Z"}]})
    assert bad.status_code == 400 and "'Z'" in bad.get_json()["message"]
    assert tasks_of(client, pid) == before
    moved = client.post(f"/engine-rest/process-instance/{pid}/modification", json={
        "instructions": [{"type": "cancel", "activityId": "A", "cancelCurrentActiveActivityInstances": True},
                         {"type": "startBeforeActivity", "activityId": "C",
                          "variables": {"catatan": {"value": "dipindah", "type": "String"}}}],
        "annotation": "langkah B sudah dikerjakan di luar sistem"})
    assert moved.status_code == 204, moved.get_json()
    assert steps(client, pid) == ["C"]
    variables = client.get(f"/engine-rest/process-instance/{pid}/variables").get_json()
    assert variables["catatan"]["value"] == "dipindah" and variables["nilai"]["value"] == 1
    entry, = operations(client, processInstanceId=pid, operationType="ModifyProcessInstance")
    assert entry["annotation"] == "langkah B sudah dikerjakan di luar sistem"
    activities = client.get(f"/engine-rest/history/activity-instance?processInstanceId={pid}").get_json()
    assert {a["activityId"] for a in activities if a.get("canceled")} == {"A"}
    # cancelling the last token cancels the instance, as Camunda does
    token = client.get(f"/engine-rest/process-instance/{pid}/activity-instances").get_json()
    assert [c["activityId"] for c in token["childActivityInstances"]] == ["C"]
    ended = client.post(f"/engine-rest/process-instance/{pid}/modification", json={"instructions": [
        {"type": "cancel", "activityInstanceId": token["childActivityInstances"][0]["id"]}]})
    assert ended.status_code == 204
    assert client.get(f"/engine-rest/process-instance/{pid}").status_code == 404


def test_start_after_and_transition_and_async_modification(client: Any, ctx: Any) -> None:
    deploy_three(client)
    pid = start(client)
    response = client.post(f"/engine-rest/process-instance/{pid}/modification", json={"instructions": [
        {"type": "startAfterActivity", "activityId": "A"}, {"type": "startTransition", "transitionId": "f3"}]})
    assert response.status_code == 204, response.get_json()
    assert steps(client, pid) == ["A", "B", "C"]
    batch = client.post(f"/engine-rest/process-instance/{pid}/modification-async", json={
        "instructions": [{"type": "cancel", "activityId": "A"}, {"type": "cancel", "activityId": "B"}]}).get_json()
    assert batch["type"] == "instance-modification" and batch["totalJobs"] == 1
    assert steps(client, pid) == ["A", "B", "C"]          # nothing yet: the scheduler works batches
    batches.run_to_end(ctx, batch["id"])
    assert steps(client, pid) == ["C"]
    stats = client.get(f"/engine-rest/batch/{batch['id']}/statistics").get_json()
    assert (stats["completedJobs"], stats["failedJobs"], stats["remainingJobs"]) == (1, 0, 0)


def test_delete_many_as_a_batch(client: Any, ctx: Any) -> None:
    deploy_three(client)
    ids = [start(client) for _ in range(3)]
    batch = client.post("/engine-rest/process-instance/delete", json={
        "processInstanceIds": ids[:2] + ["tidak-ada"], "deleteReason": "uji coba", "failIfNotExists": False})
    assert batch.status_code == 200, batch.get_json()
    body = batch.get_json()
    assert body["type"] == "instance-deletion" and body["totalJobs"] == 3
    assert client.get("/engine-rest/batch/count").get_json() == {"count": 1}
    view = batches.run_to_end(ctx, body["id"])
    assert (view.completed, view.failed) == (3, 0) and view.end_time is not None
    assert client.get("/engine-rest/batch").get_json() == []
    history = client.get(f"/engine-rest/history/batch/{body['id']}").get_json()
    assert history["endTime"] is not None
    assert client.get("/engine-rest/process-instance/count").get_json() == {"count": 1}
    reasons = {e["newValue"] for e in operations(client, operationType="Delete") if e["property"] == "deleteReason"}
    assert reasons == {"uji coba"}
    by_query = client.post("/engine-rest/process-instance/delete", json={
        "processInstanceQuery": {"processDefinitionKey": "tiga"}, "deleteReason": "semua"}).get_json()
    assert by_query["totalJobs"] == 1


def test_suspended_instance_is_passed_by_fetch_correlation_and_timers(client: Any) -> None:
    assert deploy_rest(client, "eksternal.bpmn", "pesan.bpmn").status_code == 200
    worker = start(client, key="eksternal")
    waiting = start(client, key="tunggu_dokumen")
    for pid in (worker, waiting):
        assert client.put(f"/engine-rest/process-instance/{pid}/suspended", json={"suspended": True}).status_code \
            == 204
    fetch = {"workerId": "w1", "maxTasks": 5, "topics": [{"topicName": "hitung-hps", "lockDuration": 10_000}]}
    assert client.post("/engine-rest/external-task/fetchAndLock", json=fetch).get_json() == []
    refused = client.post("/engine-rest/message", json={"messageName": "dokumen_diterima",
                                                        "processInstanceId": waiting})
    assert refused.status_code == 400
    assert refused.get_json()["type"] == "MismatchingMessageCorrelationException"
    for pid in (worker, waiting):
        assert client.put(f"/engine-rest/process-instance/{pid}/suspended", json={"suspended": False}).status_code \
            == 204
    assert len(client.post("/engine-rest/external-task/fetchAndLock", json=fetch).get_json()) == 1
    assert client.post("/engine-rest/message", json={"messageName": "dokumen_diterima",
                                                     "processInstanceId": waiting}).status_code in (200, 204)
