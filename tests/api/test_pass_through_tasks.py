"""Plain `bpmn:task` and `bpmn:manualTask` are pass-through activities, as in Camunda 7.

Mirrors Camunda's ActivityInstanceCountMetricsTest.testBpmnActivityInstances (start event, manual task, end
event: the instance ends at once with three activity instances) and RuntimeServiceTest's manual-task
activity tree: no task is created, nothing waits, the activities are in the history."""
from __future__ import annotations

from typing import Any

from support import deploy_rest

R = "/engine-rest"

PASS_THROUGH = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  targetNamespace="Examples">
  <process id="testProcess" isExecutable="true">
    <startEvent id="theStart" />
    <sequenceFlow id="f1" sourceRef="theStart" targetRef="theManualTask" />
    <manualTask id="theManualTask" name="Manual Task" />
    <sequenceFlow id="f2" sourceRef="theManualTask" targetRef="theEnd" />
    <endEvent id="theEnd" />
  </process>
  <process id="withWait" isExecutable="true">
    <startEvent id="s" />
    <sequenceFlow id="g1" sourceRef="s" targetRef="plain" />
    <task id="plain" name="Plain task">
      <extensionElements><camunda:inputOutput>
        <camunda:outputParameter name="seen">${'plain'}</camunda:outputParameter>
      </camunda:inputOutput></extensionElements>
    </task>
    <sequenceFlow id="g2" sourceRef="plain" targetRef="manual" />
    <manualTask id="manual" />
    <sequenceFlow id="g3" sourceRef="manual" targetRef="review" />
    <userTask id="review" />
    <sequenceFlow id="g4" sourceRef="review" targetRef="e" />
    <endEvent id="e" />
  </process>
</definitions>
"""


def _activities(client: Any, pid: str) -> list[tuple[str, bool]]:
    rows = client.get(f"{R}/history/activity-instance", query_string={
        "processInstanceId": pid, "sortBy": "startTime", "sortOrder": "asc"}).json
    return [(row["activityId"], row["endTime"] is not None) for row in rows]


def test_manual_task_passes_through_and_the_instance_ends(client: Any) -> None:
    assert deploy_rest(client, ("pass_through.bpmn", PASS_THROUGH)).status_code == 200
    pi = client.post(f"{R}/process-definition/key/testProcess/start", json={}).json
    assert pi["ended"] is True
    assert client.get(f"{R}/process-instance/{pi['id']}").status_code == 404
    assert client.get(f"{R}/task/count").json == {"count": 0}
    assert sorted(_activities(client, pi["id"])) == [("theEnd", True), ("theManualTask", True), ("theStart", True)]
    [historic] = client.get(f"{R}/history/process-instance", query_string={"processInstanceId": pi["id"]}).json
    assert historic["state"] == "COMPLETED"


def test_plain_and_manual_tasks_run_their_mappings_and_stop_only_at_the_user_task(client: Any) -> None:
    assert deploy_rest(client, ("pass_through.bpmn", PASS_THROUGH)).status_code == 200
    pi = client.post(f"{R}/process-definition/key/withWait/start", json={}).json
    assert pi["ended"] is False
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": pi["id"]}).json
    assert task["taskDefinitionKey"] == "review"
    variables = client.get(f"{R}/process-instance/{pi['id']}/variables").json
    assert variables["seen"]["value"] == "plain"       # the plain task's output mapping ran
    assert _activities(client, pi["id"]) == [("s", True), ("plain", True), ("manual", True), ("review", False)]
    assert [a["activityId"] for a in client.get(f"{R}/process-instance/{pi['id']}/activity-instances").json[
        "childActivityInstances"]] == ["review"]
