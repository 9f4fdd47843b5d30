"""Camunda's own engine tests, driven over /engine-rest on their own models (tests/fixtures/compat/camunda-engine):
each test names the Java test it mirrors and checks what that test asserts."""
from __future__ import annotations

from typing import Any

import pytest

from tests.compat.corpus import CORPUS
from tests.support import deploy_rest, typed


def _deploy(client: Any, name: str) -> None:
    response = deploy_rest(client, (name, (CORPUS / "camunda-engine" / name).read_bytes()))
    assert response.status_code == 200, response.get_json()


def _start(client: Any, key: str, **variables: Any) -> str:
    body = {"variables": {k: typed(v, "Integer") for k, v in variables.items()}}
    response = client.post(f"/engine-rest/process-definition/key/{key}/start", json=body)
    assert response.status_code == 200, response.get_json()
    return str(response.get_json()["id"])


def _task_names(client: Any, instance_id: str) -> list[str]:
    return sorted(t["name"] for t in client.get(f"/engine-rest/task?processInstanceId={instance_id}").get_json())


@pytest.mark.parametrize("value, expected", [(3, ["Input is more than one"]), (1, ["Input is one"])])
def test_exclusive_gateway_flows_without_id(client: Any, value: int, expected: list[str]) -> None:
    """ExclusiveGatewayTest.testNoIdOnSequenceFlow: two flows without an id leave one gateway; the unconditional
    one is taken when the condition is false (it used to end the instance)."""
    _deploy(client, "ExclusiveGatewayTest.testNoIdOnSequenceFlow.bpmn20.xml")
    assert _task_names(client, _start(client, "noIdOnSequenceFlow", input=value)) == expected


@pytest.mark.parametrize("value, expected", [(3, ["Input is more than one"]),
                                             (1, ["Input is more than one", "Input is one"])])
def test_inclusive_gateway_flows_without_id(client: Any, value: int, expected: list[str]) -> None:
    """InclusiveGatewayTest.testNoIdOnSequenceFlow: the unconditional flow without id is always taken, the
    conditional one as well when it holds."""
    _deploy(client, "InclusiveGatewayTest.testNoIdOnSequenceFlow.bpmn20.xml")
    assert _task_names(client, _start(client, "inclusiveNoIdOnSequenceFlow", input=value)) == expected


@pytest.mark.parametrize("model, key", [("ExclusiveGatewayTest.testWhitespaceInExpression.bpmn20.xml",
                                         "whiteSpaceInExpression"),
                                        ("InclusiveGatewayTest.testWhitespaceInExpression.bpmn20.xml",
                                         "inclusiveWhiteSpaceInExpression")])
def test_condition_body_with_surrounding_whitespace(client: Any, model: str, key: str) -> None:
    """ExclusiveGatewayTest / InclusiveGatewayTest.testWhitespaceInExpression: `${input == 1}` on its own line
    is the condition, trimmed (it was a 500: the text around it made it a string)."""
    _deploy(client, model)
    assert _task_names(client, _start(client, key, input=1)) == ["Task 1"]


def test_conditional_event_waits_while_its_variable_is_unresolved(client: Any) -> None:
    """IntermediateConditionalEventTest.testVariableValue, started without the variable (as
    EventSubProcessStartConditionalEventTest.testVariableCondition does): `${variable == 1}` cannot resolve
    `variable`, which Camunda reads as false, so the start succeeds and the event waits; setting the
    variable to 1 fires it and the instance ends."""
    _deploy(client, "IntermediateConditionalEventTest.testVariableValue.bpmn20.xml")
    instance_id = _start(client, "conditionalEventProcess")
    tree = client.get(f"/engine-rest/process-instance/{instance_id}/activity-instances").get_json()
    assert [a["activityId"] for a in tree["childActivityInstances"]] == ["conditionalEvent"]
    response = client.put(f"/engine-rest/process-instance/{instance_id}/variables/variable", json=typed(1, "Integer"))
    assert response.status_code == 204
    assert client.get(f"/engine-rest/process-instance/{instance_id}").status_code == 404
    finished = client.get(f"/engine-rest/history/process-instance/{instance_id}").get_json()
    assert finished["state"] == "COMPLETED"


def test_conditional_event_still_fails_on_a_broken_condition(client: Any) -> None:
    """Only an unresolved name is false: a condition that is not boolean stays an incident (Camunda throws)."""
    model = (CORPUS / "camunda-engine" / "IntermediateConditionalEventTest.testVariableValue.bpmn20.xml").read_bytes()
    model = model.replace(b"${variable == 1}", b"${variable}")
    assert deploy_rest(client, ("broken.bpmn20.xml", model)).status_code == 200
    response = client.post("/engine-rest/process-definition/key/conditionalEventProcess/start",
                           json={"variables": {"variable": typed("yes", "String")}})
    assert response.status_code == 500
    assert "true or false" in response.get_json()["message"]


def _fetch_one(client: Any, topic: str = "externalTaskTopic") -> str:
    locked = client.post("/engine-rest/external-task/fetchAndLock", json={
        "workerId": "w", "maxTasks": 1, "topics": [{"topicName": topic, "lockDuration": 10_000}]}).get_json()
    assert len(locked) == 1, locked
    return str(locked[0]["id"])


def test_error_event_definition_thrown_on_complete(client: Any) -> None:
    """ExternalTaskServiceTest.shouldEvaluateNestedErrorEventDefinitionsOnComplete: `${true}` holds, so
    completing throws the error, the boundary event catches it and the flow reaches the user task."""
    _deploy(client, "ExternalTaskServiceTest.externalTaskWithNestedErrorEventDefinition.bpmn20.xml")
    instance_id = _start(client, "oneExternalTaskWithNestedErrorEventDefinition")
    task_id = _fetch_one(client)
    assert client.post(f"/engine-rest/external-task/{task_id}/complete", json={"workerId": "w"}).status_code == 204
    assert _task_names(client, instance_id) == ["userTask"]


@pytest.mark.parametrize("foo, expected", [("bar", ["userTask"]), ("baz", [])])
def test_error_event_definition_reads_the_completed_variables(client: Any, foo: str, expected: list[str]) -> None:
    """ExternalTaskServiceTest.shouldEvaluateNestedErrorEventDefinitionsOnCompleteWithVariables: `${foo=='bar'}`
    sees the variables the worker completes with; when it is false the task completes normally."""
    _deploy(client, "ExternalTaskServiceTest.externalTaskWithNestedErrorEventDefinitionVariableExpression.bpmn20.xml")
    instance_id = _start(client, "oneExternalTaskWithNestedErrorEventDefinition")
    task_id = _fetch_one(client)
    response = client.post(f"/engine-rest/external-task/{task_id}/complete",
                           json={"workerId": "w", "variables": {"foo": typed(foo, "String")}})
    assert response.status_code == 204
    assert _task_names(client, instance_id) == expected
    if not expected:
        assert client.get(f"/engine-rest/process-instance/{instance_id}").status_code == 404


def test_error_event_definition_thrown_on_failure(client: Any) -> None:
    """ExternalTaskServiceTest.shouldEvaluateNestedErrorEventDefinitionsOnFailure: a reported failure
    evaluates the definitions too; the error is thrown instead of a retry or an incident."""
    _deploy(client, "ExternalTaskServiceTest.externalTaskWithNestedErrorEventDefinition.bpmn20.xml")
    instance_id = _start(client, "oneExternalTaskWithNestedErrorEventDefinition")
    task_id = _fetch_one(client)
    response = client.post(f"/engine-rest/external-task/{task_id}/failure",
                           json={"workerId": "w", "errorMessage": "kaput", "retries": 0, "retryTimeout": 3000})
    assert response.status_code == 204
    assert _task_names(client, instance_id) == ["userTask"]
    assert client.get("/engine-rest/incident/count").get_json() == {"count": 0}


def test_failure_without_a_matching_definition_keeps_counting_retries(client: Any) -> None:
    """ExternalTaskServiceTest.shouldEvaluateNestedErrorEventDefinitionsOnFailWithVariables' other side: an
    expression that cannot be evaluated on failure is false, so the failure is recorded as usual."""
    _deploy(client, "ExternalTaskServiceTest.externalTaskWithNestedErrorEventDefinitionVariableExpression.bpmn20.xml")
    instance_id = _start(client, "oneExternalTaskWithNestedErrorEventDefinition")
    task_id = _fetch_one(client)
    response = client.post(f"/engine-rest/external-task/{task_id}/failure",
                           json={"workerId": "w", "errorMessage": "kaput", "retries": 0, "retryTimeout": 0})
    assert response.status_code == 204
    assert _task_names(client, instance_id) == []
    assert client.get("/engine-rest/incident/count").get_json() == {"count": 1}


ACTIVITI_MODEL = b'''<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:activiti="http://activiti.org/bpmn"
    targetNamespace="x">
  <process id="activitiProcess" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <userTask id="task" name="Task" activiti:assignee="${owner}" activiti:candidateGroups="management" />
    <sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>'''


def test_deprecated_activiti_namespace_is_read_as_camunda(client: Any) -> None:
    """BpmnParseTest.testParseDefinitionWithDeprecatedActivitiNamespace: Camunda reads activiti:* extension
    attributes as camunda:* (its model uses activiti:class; here a user task's assignee and groups)."""
    assert deploy_rest(client, ("activiti.bpmn20.xml", ACTIVITI_MODEL)).status_code == 200
    response = client.post("/engine-rest/process-definition/key/activitiProcess/start",
                           json={"variables": {"owner": typed("kermit", "String")}})
    [task] = client.get(f"/engine-rest/task?processInstanceId={response.get_json()['id']}").get_json()
    assert task["assignee"] == "kermit"
    links = client.get(f"/engine-rest/task/{task['id']}/identity-links").get_json()
    assert {"type": "candidate", "groupId": "management"} in [{k: link[k] for k in ("type", "groupId")}
                                                             for link in links]
