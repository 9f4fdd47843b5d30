"""Script resources resolved when reached: a bare path names the deployment's resource, a classpath one
deploys with a warning naming the element and running it is an incident naming the resource."""
from __future__ import annotations

from typing import Any

from support import deploy_rest

R = "/engine-rest"


def _model(reference: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="hitung" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="calc" />
    <bpmn:scriptTask id="calc" scriptFormat="javascript" camunda:resource="{reference}"
      camunda:resultVariable="total"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="e" />
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
""".encode()


def test_a_bare_path_runs_the_deployment_resource(client: Any) -> None:
    response = deploy_rest(client, ("hitung.bpmn", _model("calc.js")), ("calc.js", b"price * 3"))
    assert response.status_code == 200 and response.json["warnings"] == []
    pi = client.post(f"{R}/process-definition/key/hitung/start", json={"variables": {
        "price": {"value": 4, "type": "Integer"}}}).json
    [done] = client.get(f"{R}/history/variable-instance", query_string={
        "processInstanceId": pi["id"], "variableName": "total"}).json
    assert done["value"] == 12


def test_a_classpath_script_deploys_with_a_warning_and_fails_when_reached(client: Any) -> None:
    response = deploy_rest(client, ("hitung.bpmn", _model("classpath://org/x/calc.js")), ("calc.js", b"1"))
    assert response.status_code == 200
    [warning] = response.json["warnings"]
    assert "hitung.bpmn: calc: script resource 'classpath://org/x/calc.js' is not a resource" in warning
    started = client.post(f"{R}/process-definition/key/hitung/start", json={})
    assert started.status_code == 500
    assert "calc" in started.json["message"] and "classpath://org/x/calc.js" in started.json["message"]
