"""camunda:connector over /engine-rest: the handler registered under its connectorId runs it; an unregistered
one deploys with a warning and reaching it is an incident naming it (docs/DELEGATES.md)."""
from __future__ import annotations

from typing import Any

from support import deploy_rest

R = "/engine-rest"
MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="libur" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="fetch" />
    <bpmn:serviceTask id="fetch" name="Ambil hari libur" camunda:async="true">
      <bpmn:extensionElements>
        <camunda:connector>
          <camunda:connectorId>holiday-connector</camunda:connectorId>
          <camunda:inputOutput>
            <camunda:inputParameter name="url">https://example.test/${year}</camunda:inputParameter>
            <camunda:inputParameter name="method">GET</camunda:inputParameter>
            <camunda:outputParameter name="holidays">${response.count}</camunda:outputParameter>
            <camunda:outputParameter name="status">${statusCode}</camunda:outputParameter>
          </camunda:inputOutput>
        </camunda:connector>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="fetch" targetRef="e" />
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


class _Holidays:
    """A test connector: answers from its inputs, as an HTTP connector would from the network."""

    seen: list[dict] = []

    def execute(self, inputs: dict) -> dict:
        _Holidays.seen.append(inputs)
        return {"response": {"count": 16}, "statusCode": 200}


def _values(client: Any, instance_id: str) -> dict:
    return {v["name"]: v["value"] for v in client.get(f"{R}/history/variable-instance",
                                                        query_string={"processInstanceId": instance_id}).json}


def test_an_unregistered_connector_deploys_with_a_warning_and_is_an_incident(client: Any, ctx: Any) -> None:
    response = deploy_rest(client, ("libur.bpmn", MODEL))
    assert response.status_code == 200
    [warning] = response.json["warnings"]
    assert "libur.bpmn: fetch: handler 'holiday-connector' is not registered" in warning
    pi = client.post(f"{R}/process-definition/key/libur/start", json={"variables": {
        "year": {"value": 2026, "type": "Integer"}}}).json
    [incident] = client.get(f"{R}/incident", query_string={"processInstanceId": pi["id"]}).json
    assert incident["activityId"] == "fetch"
    assert "camunda:connector 'holiday-connector' is not registered" in incident["incidentMessage"]
    # Registered later, a retry runs it and the output mapping reads its response.
    _Holidays.seen.clear()
    ctx.delegates.register("holiday-connector", _Holidays)
    [job] = client.get(f"{R}/job", query_string={"processInstanceId": pi["id"]}).json
    assert client.put(f"{R}/job/{job['id']}/retries", json={"retries": 1}).status_code == 204
    assert client.get(f"{R}/incident", query_string={"processInstanceId": pi["id"]}).json == []
    assert _Holidays.seen == [{"url": "https://example.test/2026", "method": "GET"}]
    values = _values(client, pi["id"])
    assert values["holidays"] == 16 and values["status"] == 200
    assert "response" not in values and "statusCode" not in values and "url" not in values


def test_a_registered_connector_raises_no_warning_and_runs(client: Any, ctx: Any) -> None:
    ctx.delegates.register("holiday-connector", lambda inputs: {"response": {"count": len(inputs)},
                                                                "statusCode": 204})
    assert deploy_rest(client, ("libur.bpmn", MODEL)).json["warnings"] == []
    pi = client.post(f"{R}/process-definition/key/libur/start", json={"variables": {
        "year": {"value": 2027, "type": "Integer"}}}).json
    values = _values(client, pi["id"])
    assert values["holidays"] == 2 and values["status"] == 204


def test_a_connector_returning_no_mapping_is_an_incident_naming_it(client: Any, ctx: Any) -> None:
    ctx.delegates.register("holiday-connector", lambda inputs: ["not", "a", "mapping"])
    deploy_rest(client, ("libur.bpmn", MODEL))
    pi = client.post(f"{R}/process-definition/key/libur/start", json={"variables": {
        "year": {"value": 2026, "type": "Integer"}}}).json
    [incident] = client.get(f"{R}/incident", query_string={"processInstanceId": pi["id"]}).json
    assert "connector 'holiday-connector' returned list" in incident["incidentMessage"]


def test_a_connector_without_connector_id_is_refused(client: Any) -> None:
    model = MODEL.replace(b"<camunda:connectorId>holiday-connector</camunda:connectorId>", b"")
    response = deploy_rest(client, ("libur.bpmn", model))
    assert response.status_code == 400 and "camunda:connectorId" in response.json["message"]
