"""Delegates over /engine-rest: a missing handler deploys with a warning, reaching it is an incident naming
it, and once registered a retry continues the instance (docs/DELEGATES.md)."""
from __future__ import annotations

from typing import Any

from support import deploy_rest

R = "/engine-rest"
MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="arsip" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check" />
    <bpmn:userTask id="check" name="Periksa"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="archive" />
    <bpmn:serviceTask id="archive" name="Arsipkan" camunda:async="true" camunda:class="org.example.Archive">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="archive" targetRef="notify" />
    <bpmn:serviceTask id="notify" name="Kabari" camunda:delegateExpression="${notifier}">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f4" sourceRef="notify" targetRef="e" />
    <bpmn:endEvent id="e"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def _archive(execution: Any) -> None:
    execution.setVariable("archived", execution.getProcessInstanceId())


def _start_and_check(client: Any) -> tuple[str, str]:
    pi = client.post(f"{R}/process-definition/key/arsip/start", json={"businessKey": "B-1"}).json
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": pi["id"]}).json
    return pi["id"], task["id"]


def test_missing_handlers_are_deploy_warnings(client: Any) -> None:
    response = deploy_rest(client, ("arsip.bpmn", MODEL))
    assert response.status_code == 200
    warnings = response.json["warnings"]
    assert len(warnings) == 2
    assert "arsip.bpmn: archive: handler 'org.example.Archive' is not registered" in warnings[0]
    assert "arsip.bpmn: notify: handler 'notifier' is not registered" in warnings[1]


def test_registered_handlers_raise_no_warning(client: Any, ctx: Any) -> None:
    ctx.delegates.register("org.example.Archive", _archive)
    ctx.delegates.register("notifier", lambda execution: None)
    assert deploy_rest(client, ("arsip.bpmn", MODEL)).json["warnings"] == []


def test_a_failed_async_delegate_is_an_incident_and_a_job_retry_continues(client: Any, ctx: Any) -> None:
    deploy_rest(client, ("arsip.bpmn", MODEL))
    instance_id, task_id = _start_and_check(client)
    assert client.post(f"{R}/task/{task_id}/complete", json={}).status_code == 204
    [incident] = client.get(f"{R}/incident", query_string={"processInstanceId": instance_id}).json
    assert incident["incidentType"] == "failedJob" and incident["activityId"] == "archive"
    assert "handler 'org.example.Archive'" in incident["incidentMessage"]
    [job] = client.get(f"{R}/job", query_string={"processInstanceId": instance_id}).json
    assert job["retries"] == 0 and "org.example.Archive" in job["exceptionMessage"]
    # Still not registered: the retry fails again, the incident is open again.
    assert client.put(f"{R}/job/{job['id']}/retries", json={"retries": 1}).status_code == 204
    assert len(client.get(f"{R}/incident", query_string={"processInstanceId": instance_id}).json) == 1
    ctx.delegates.register("org.example.Archive", _archive)
    ctx.delegates.register("notifier", lambda execution: execution.setVariable("notified", True))
    assert client.put(f"{R}/job/{job['id']}/retries", json={"retries": 1}).status_code == 204
    assert client.get(f"{R}/incident", query_string={"processInstanceId": instance_id}).json == []
    [done] = client.get(f"{R}/history/process-instance", query_string={"processInstanceId": instance_id}).json
    assert done["state"] == "COMPLETED"
    values = {v["name"]: v["value"] for v in client.get(f"{R}/history/variable-instance",
                                                          query_string={"processInstanceId": instance_id}).json}
    assert values["archived"] == instance_id and values["notified"] is True


def test_a_failing_synchronous_delegate_fails_the_call_naming_the_handler(client: Any, ctx: Any) -> None:
    deploy_rest(client, ("arsip.bpmn", MODEL))
    ctx.delegates.register("org.example.Archive", _archive)
    instance_id, task_id = _start_and_check(client)
    response = client.post(f"{R}/task/{task_id}/complete", json={})
    assert response.status_code == 500
    assert "notify" in response.json["message"] and "handler 'notifier'" in response.json["message"]
    # Nothing moved (Camunda rolls the transaction back); registering and completing again continues.
    ctx.delegates.register("notifier", lambda execution: None)
    assert client.post(f"{R}/task/{task_id}/complete", json={}).status_code == 204
    [done] = client.get(f"{R}/history/process-instance", query_string={"processInstanceId": instance_id}).json
    assert done["state"] == "COMPLETED"
