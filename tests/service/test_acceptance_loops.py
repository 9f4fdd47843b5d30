"""Models that would loop forever: refused at deploy (gateway-only cycles) or stopped at run time
(automatic steps without a wait state), with nothing written."""
from __future__ import annotations

from typing import Any

import pytest

from service.engine import ModelError, parse_bpmn
from service.engine.budget import Budget

from support import deploy_rest, typed

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://alur.test">\n')

GATEWAY_CYCLE = HEAD + """  <bpmn:process id="putar" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g1"/>
    <bpmn:exclusiveGateway id="g1"/>
    <bpmn:sequenceFlow id="f2" sourceRef="g1" targetRef="lempar"/>
    <bpmn:intermediateThrowEvent id="lempar"/>
    <bpmn:sequenceFlow id="f3" sourceRef="lempar" targetRef="g2"/>
    <bpmn:parallelGateway id="g2"/>
    <bpmn:sequenceFlow id="f4" sourceRef="g2" targetRef="g1"/>
  </bpmn:process>
</bpmn:definitions>
"""

# A loop back through a user task (the SOP's "return for revision") is fine.
REVISION_LOOP = HEAD + """  <bpmn:process id="revisi" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g1"/>
    <bpmn:exclusiveGateway id="g1"/>
    <bpmn:sequenceFlow id="f2" sourceRef="g1" targetRef="perbaiki"/>
    <bpmn:userTask id="perbaiki" camunda:candidateGroups="PPK"/>
    <bpmn:sequenceFlow id="f3" sourceRef="perbaiki" targetRef="g2"/>
    <bpmn:exclusiveGateway id="g2" default="f4"/>
    <bpmn:sequenceFlow id="f4" sourceRef="g2" targetRef="g1"/>
    <bpmn:sequenceFlow id="f5" sourceRef="g2" targetRef="e">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${ok}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>
"""

SCRIPT_LOOP = HEAD + """  <bpmn:process id="hitung" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="isi"/>
    <bpmn:userTask id="isi" camunda:candidateGroups="PPK"/>
    <bpmn:sequenceFlow id="f1" sourceRef="isi" targetRef="g"/>
    <bpmn:exclusiveGateway id="g" default="f2"/>
    <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="tambah"/>
    <bpmn:scriptTask id="tambah" name="Tambah" scriptFormat="feel" camunda:resultVariable="n">
      <bpmn:script>n + 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="tambah" targetRef="g"/>
    <bpmn:sequenceFlow id="f4" sourceRef="g" targetRef="e">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">n &gt;= batas</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_gateway_only_cycle_is_refused_at_parse() -> None:
    with pytest.raises(ModelError) as info:
        parse_bpmn("putar.bpmn", GATEWAY_CYCLE.encode())
    err = info.value
    assert err.file == "putar.bpmn" and err.element_id in ("g1", "lempar", "g2") and err.line
    assert "loop of gateways/events only" in str(err)
    assert all(f"{a} -> {b}" in str(err) for a, b in (("g1", "lempar"), ("lempar", "g2"), ("g2", "g1")))


def test_gateway_only_cycle_inside_a_subprocess_is_refused() -> None:
    inner = GATEWAY_CYCLE.split('<bpmn:process id="putar" isExecutable="true">')[1].split("</bpmn:process>")[0]
    inner = inner.replace('id="s"', 'id="s_in"').replace('sourceRef="s"', 'sourceRef="s_in"')
    xml = HEAD + f"""  <bpmn:process id="luar" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="o1" sourceRef="s" targetRef="sub"/>
    <bpmn:subProcess id="sub">{inner}</bpmn:subProcess>
    <bpmn:sequenceFlow id="o2" sourceRef="sub" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>
"""
    with pytest.raises(ModelError, match="loop of gateways/events only"):
        parse_bpmn("luar.bpmn", xml.encode())


def test_loops_through_a_task_still_parse() -> None:
    assert [m.key for m in parse_bpmn("revisi.bpmn", REVISION_LOOP.encode())] == ["revisi"]
    assert [m.key for m in parse_bpmn("hitung.bpmn", SCRIPT_LOOP.encode())] == ["hitung"]


def test_gateway_cycle_through_rest_is_a_400_and_stores_nothing(client: Any) -> None:
    r = deploy_rest(client, ("putar.bpmn", GATEWAY_CYCLE.encode()))
    assert r.status_code == 400 and r.json["type"] == "ParseException"
    assert "putar.bpmn" in r.json["message"] and "never ends" in r.json["message"]
    assert client.get("/engine-rest/deployment/count").json["count"] == 0


def test_automatic_steps_without_a_wait_state_are_bounded(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client.application.extensions["alur"].ops, "budget", Budget(max_steps=40))
    assert deploy_rest(client, ("hitung.bpmn", SCRIPT_LOOP.encode())).status_code == 200
    start = client.post("/engine-rest/process-definition/key/hitung/start", json={})
    instance_id = start.json["id"]
    task_id = client.get("/engine-rest/task", query_string={"processInstanceId": instance_id}).json[0]["id"]

    # A bounded loop under the limit runs to its end.
    r = client.post(f"/engine-rest/task/{task_id}/complete",
                    json={"variables": {"n": typed(0, "Integer"), "batas": typed(30, "Integer")}})
    assert r.status_code == 204, r.json
    assert client.get(f"/engine-rest/history/process-instance/{instance_id}").json["state"] == "COMPLETED"

    # One that does not stop is cut off as an incident on the looping step; the instance stays at its task.
    instance_id = client.post("/engine-rest/process-definition/key/hitung/start", json={}).json["id"]
    task_id = client.get("/engine-rest/task", query_string={"processInstanceId": instance_id}).json[0]["id"]
    r = client.post(f"/engine-rest/task/{task_id}/complete",
                    json={"variables": {"n": typed(0, "Integer"), "batas": typed(10**9, "Integer")}})
    assert r.status_code == 500 and r.json["type"] == "ProcessEngineException"
    assert "'tambah'" in r.json["message"] and "40 automatic steps" in r.json["message"]
    tasks = client.get("/engine-rest/task", query_string={"processInstanceId": instance_id}).json
    assert [t["id"] for t in tasks] == [task_id]
    assert client.get(f"/engine-rest/process-instance/{instance_id}/variables").json == {}


def test_documents_with_too_many_elements_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.engine import model_checks

    monkeypatch.setattr(model_checks, "MAX_ELEMENTS", 10)
    with pytest.raises(ModelError, match="more than 10 BPMN elements"):
        parse_bpmn("revisi.bpmn", REVISION_LOOP.encode())
    monkeypatch.setattr(model_checks, "MAX_ELEMENTS", 3000)
    assert parse_bpmn("revisi.bpmn", REVISION_LOOP.encode())


MULTI = HEAD + """  <bpmn:process id="banyak" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="periksa"/>
    <bpmn:userTask id="periksa" camunda:candidateGroups="PPK">
      <bpmn:multiInstanceLoopCharacteristics isSequential="false" camunda:collection="${daftar}"
                                             camunda:elementVariable="item"/>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="periksa" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_multi_instance_fan_out_is_bounded(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client.application.extensions["alur"].ops, "budget", Budget(max_multi_instance=5))
    assert deploy_rest(client, ("banyak.bpmn", MULTI.encode())).status_code == 200
    r = client.post("/engine-rest/process-definition/key/banyak/start",
                    json={"variables": {"daftar": typed("[1, 2, 3, 4, 5]", "Json")}})
    assert r.status_code == 200, r.json
    assert len(client.get("/engine-rest/task", query_string={"processInstanceId": r.json["id"]}).json) == 5
    r = client.post("/engine-rest/process-definition/key/banyak/start",
                    json={"variables": {"daftar": typed("[1, 2, 3, 4, 5, 6]", "Json")}})
    assert r.status_code == 500 and "'periksa'" in r.json["message"] and "at most 5" in r.json["message"]
    assert client.get("/engine-rest/process-instance/count").json["count"] == 1
