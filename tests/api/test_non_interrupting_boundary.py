"""A non-interrupting boundary message event stays subscribed while its activity runs: each message starts
its path again. Mirrors Camunda's MessageNonInterruptingBoundaryEventTest.testSingleNonInterruptingBoundary
MessageEvent (its model, with ids on the sequence flows)."""
from __future__ import annotations

from typing import Any

from support import deploy_rest

R = "/engine-rest"

MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions id="definitions" xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="Examples" xmlns:tns="Examples">
  <message id="messageId" name="messageName" />
  <process id="process" isExecutable="true">
    <startEvent id="theStart" />
    <sequenceFlow id="f1" sourceRef="theStart" targetRef="task" />
    <userTask id="task" />
    <boundaryEvent id="messageBoundary" attachedToRef="task" cancelActivity="false">
      <messageEventDefinition messageRef="messageId" />
    </boundaryEvent>
    <sequenceFlow id="f2" sourceRef="task" targetRef="taskAfterTask" />
    <sequenceFlow id="f3" sourceRef="taskAfterTask" targetRef="theEnd" />
    <userTask id="taskAfterTask" />
    <sequenceFlow id="f4" sourceRef="messageBoundary" targetRef="taskAfterMessage" />
    <userTask id="taskAfterMessage" />
    <sequenceFlow id="f5" sourceRef="taskAfterMessage" targetRef="theEnd" />
    <endEvent id="theEnd" />
  </process>
</definitions>
"""


def _keys(client: Any, pid: str) -> list[str]:
    return sorted(t["taskDefinitionKey"] for t in client.get(f"{R}/task", query_string={"processInstanceId": pid}).json)


def _complete(client: Any, pid: str, key: str) -> None:
    [task] = [t for t in client.get(f"{R}/task", query_string={"processInstanceId": pid}).json
              if t["taskDefinitionKey"] == key]
    assert client.post(f"{R}/task/{task['id']}/complete", json={}).status_code == 204


def _message(client: Any, pid: str) -> int:
    return int(client.post(f"{R}/message", json={"messageName": "messageName", "processInstanceId": pid}).status_code)


def test_single_non_interrupting_boundary_message_event(client: Any) -> None:
    assert deploy_rest(client, ("boundary.bpmn", MODEL)).status_code == 200
    pid = client.post(f"{R}/process-definition/key/process/start", json={}).json["id"]
    assert _keys(client, pid) == ["task"]
    # 1. a message before the task is completed: its path starts, the subscription stays
    assert _message(client, pid) == 204
    assert _keys(client, pid) == ["task", "taskAfterMessage"]
    _complete(client, pid, "taskAfterMessage")
    assert client.get(f"{R}/process-instance/{pid}").status_code == 200
    # a second time
    assert _message(client, pid) == 204
    assert _keys(client, pid) == ["task", "taskAfterMessage"]
    _complete(client, pid, "taskAfterMessage")
    # completing the task removes the subscription
    _complete(client, pid, "task")
    assert _keys(client, pid) == ["taskAfterTask"]
    assert _message(client, pid) == 400
    _complete(client, pid, "taskAfterTask")
    assert client.get(f"{R}/process-instance/{pid}").status_code == 404
