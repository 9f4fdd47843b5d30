"""Non-executable processes are stored with the deployment but neither validated nor deployed as
definitions, as Camunda 7's BpmnParse.parseProcessDefinitions does (isExecutable="false", or no
isExecutable on a new deployment); the response says so in `warnings`."""
from __future__ import annotations

from typing import Any

from service.engine import parse_bpmn
from tests.compat.corpus import CORPUS
from tests.support import deploy_rest

POOL = '''<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="x">
  <process id="drawing" {attribute}>
    <startEvent id="s"><timerEventDefinition><timeDate /></timerEventDefinition></startEvent>
    <sequenceFlow id="f" sourceRef="s" targetRef="e">
      <conditionExpression xsi:type="tFormalExpression"
          language="http://www.w3.org/1999/xpath">a = b</conditionExpression>
    </sequenceFlow>
    <endEvent id="e" />
  </process>
  <process id="runs" isExecutable="true">
    <startEvent id="s2" /><sequenceFlow id="f2" sourceRef="s2" targetRef="e2" /><endEvent id="e2" />
  </process>
</definitions>'''


def test_non_executable_process_is_skipped_not_validated(client: Any) -> None:
    """An empty timer and an XPath condition in a documentation-only pool no longer refuse the file."""
    response = deploy_rest(client, ("pools.bpmn", POOL.format(attribute='isExecutable="false"').encode()))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [d["key"] for d in body["deployedProcessDefinitions"].values()] == ["runs"]
    assert any("'drawing' is not executable" in w for w in body["warnings"])
    assert client.get("/engine-rest/process-definition/key/drawing").status_code == 404


def test_missing_is_executable_counts_as_false_on_a_new_deployment(client: Any) -> None:
    response = deploy_rest(client, ("pools.bpmn", POOL.format(attribute="").encode()))
    assert response.status_code == 200, response.get_json()
    assert [d["key"] for d in response.get_json()["deployedProcessDefinitions"].values()] == ["runs"]


def test_a_stored_model_without_is_executable_still_loads() -> None:
    """Read again (not a new deployment), a process without isExecutable is executable, as in Camunda; a
    definition deployed before this rule keeps running."""
    model = b'''<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="x">
      <process id="old"><startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e" />
      <endEvent id="e" /></process></definitions>'''
    [stored] = parse_bpmn("old.bpmn", model)
    assert stored.executable and stored.spec_json
    [fresh] = parse_bpmn("old.bpmn", model, new_deployment=True)
    assert not fresh.executable


def test_file_with_only_non_executable_processes_deploys_without_definitions(client: Any) -> None:
    """BPMN MIWG A.2.1 (a documentation model with an XPath condition): deployed, no definition."""
    content = (CORPUS / "bpmn-miwg" / "Reference" / "A.2.1.bpmn").read_bytes()
    response = deploy_rest(client, ("A.2.1.bpmn", content))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert not body["deployedProcessDefinitions"]
    assert body["warnings"]
    resources = client.get(f"/engine-rest/deployment/{body['id']}/resources").get_json()
    assert [r["name"] for r in resources] == ["A.2.1.bpmn"]
