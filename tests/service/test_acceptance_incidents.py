"""Run-time model failures through /engine-rest: a 500 ProcessEngineException whose message names the
element and the problem, and nothing half-written (the instance stays at its task)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from service.api.errors import ops_error_status
from service.engine.errors import IncidentError
from service.ops.engine_errors import translate
from service.ops.errors import OperationFailed
from service.store import HistoryEvent, ProcessInstance

from support import deploy_rest, typed

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://alur.test">\n')

GATEWAY = HEAD + """
  <bpmn:process id="cek_nilai" isExecutable="true">
    <bpmn:startEvent id="mulai"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="isi"/>
    <bpmn:userTask id="isi" name="Isi nilai" camunda:candidateGroups="PPK"/>
    <bpmn:sequenceFlow id="f2" sourceRef="isi" targetRef="cek"/>
    <bpmn:exclusiveGateway id="cek" name="Nilai besar?"/>
    <bpmn:sequenceFlow id="besar" sourceRef="cek" targetRef="akhir_besar">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${nilai &gt; 5}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="kecil" sourceRef="cek" targetRef="akhir_kecil">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${nilai &lt;= 5}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="akhir_besar"/>
    <bpmn:endEvent id="akhir_kecil"/>
  </bpmn:process>
</bpmn:definitions>
"""

DECIDE = HEAD + """
  <bpmn:process id="nilai_keputusan" isExecutable="true">
    <bpmn:startEvent id="mulai"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="isi"/>
    <bpmn:userTask id="isi" name="Isi skor" camunda:candidateGroups="PPK"/>
    <bpmn:sequenceFlow id="f2" sourceRef="isi" targetRef="nilai"/>
    <bpmn:businessRuleTask id="nilai" name="Menilai skor" camunda:decisionRef="skor_unik"
                           camunda:resultVariable="hasil" camunda:mapDecisionResult="singleEntry"/>
    <bpmn:sequenceFlow id="f3" sourceRef="nilai" targetRef="akhir"/>
    <bpmn:endEvent id="akhir"/>
  </bpmn:process>
</bpmn:definitions>
"""

# UNIQUE with overlapping rules: a score of 5 matches both, which Camunda reports as a failure.
UNIQUE_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d"
             namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="skor_unik" name="Skor">
    <decisionTable id="t" hitPolicy="UNIQUE">
      <input id="i"><inputExpression id="ie" typeRef="integer"><text>skor</text></inputExpression></input>
      <output id="o" name="kelas" typeRef="string"/>
      <rule id="rendah"><inputEntry id="a"><text>&lt;= 5</text></inputEntry>
        <outputEntry id="b"><text>"rendah"</text></outputEntry></rule>
      <rule id="tinggi"><inputEntry id="c"><text>&gt;= 5</text></inputEntry>
        <outputEntry id="d"><text>"tinggi"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def _snapshot(ctx: Any, instance_id: str) -> tuple[Any, ...]:
    with ctx.transaction() as session:
        row = session.get(ProcessInstance, instance_id)
        events = session.scalar(select(func.count()).select_from(HistoryEvent)
                                .where(HistoryEvent.instance_id == instance_id))
        return row.engine_state, row.version, row.state, events


def _only_task(client: Any, instance_id: str) -> dict[str, Any]:
    tasks = client.get("/engine-rest/task", query_string={"processInstanceId": instance_id}).json
    assert len(tasks) == 1, tasks
    return tasks[0]


def test_failing_gateway_is_a_500_naming_the_element_and_writes_nothing(client: Any, ctx: Any) -> None:
    assert deploy_rest(client, ("cek.bpmn", GATEWAY.encode())).status_code == 200
    started = client.post("/engine-rest/process-definition/key/cek_nilai/start", json={})
    assert started.status_code == 200, started.json
    instance_id = started.json["id"]
    task = _only_task(client, instance_id)
    before = _snapshot(ctx, instance_id)

    r = client.post(f"/engine-rest/task/{task['id']}/complete", json={"variables": {}})
    assert r.status_code == 500
    assert r.json["type"] == "ProcessEngineException"
    message = r.json["message"]
    assert "'cek'" in message and "Nilai besar?" in message and "nilai" in message, message
    assert "Traceback" not in message and "WorkflowTaskException" not in message

    assert _snapshot(ctx, instance_id) == before
    assert _only_task(client, instance_id)["id"] == task["id"]
    # The instance is intact: completing with the variable the condition needs goes on.
    r = client.post(f"/engine-rest/task/{task['id']}/complete", json={"variables": {"nilai": typed(9, "Integer")}})
    assert r.status_code == 204, r.json
    assert client.get(f"/engine-rest/history/process-instance/{instance_id}").json["state"] == "COMPLETED"


def test_failing_decision_during_completion_is_a_500_naming_the_task(client: Any, ctx: Any) -> None:
    r = deploy_rest(client, ("nilai.bpmn", DECIDE.encode()), ("skor.dmn", UNIQUE_DMN.encode()))
    assert r.status_code == 200, r.json
    instance_id = client.post("/engine-rest/process-definition/key/nilai_keputusan/start", json={}).json["id"]
    task = _only_task(client, instance_id)
    before = _snapshot(ctx, instance_id)

    r = client.post(f"/engine-rest/task/{task['id']}/complete", json={"variables": {"skor": typed(5, "Integer")}})
    assert r.status_code == 500 and r.json["type"] == "ProcessEngineException"
    assert "'nilai'" in r.json["message"] and "Menilai skor" in r.json["message"], r.json
    assert r.json["message"].count("skor_unik") == 1 and "2 rules matched" in r.json["message"]
    assert _snapshot(ctx, instance_id) == before
    assert "skor" not in client.get(f"/engine-rest/process-instance/{instance_id}/variables").json

    r = client.post(f"/engine-rest/task/{task['id']}/complete", json={"variables": {"skor": typed(2, "Integer")}})
    assert r.status_code == 204, r.json
    hist = client.get("/engine-rest/history/variable-instance", query_string={"processInstanceId": instance_id}).json
    assert {v["name"]: v["value"] for v in hist}.get("hasil") == "rendah"


def test_failure_at_start_creates_no_instance(client: Any, ctx: Any) -> None:
    no_task = GATEWAY.replace('<bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="isi"/>',
                              '<bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="cek"/>')
    no_task = no_task.replace('<bpmn:userTask id="isi" name="Isi nilai" camunda:candidateGroups="PPK"/>', "")
    no_task = no_task.replace('<bpmn:sequenceFlow id="f2" sourceRef="isi" targetRef="cek"/>', "")
    assert deploy_rest(client, ("cek.bpmn", no_task.encode())).status_code == 200
    r = client.post("/engine-rest/process-definition/key/cek_nilai/start", json={"businessKey": "X-1"})
    assert r.status_code == 500 and r.json["type"] == "ProcessEngineException"
    assert "'cek'" in r.json["message"]
    assert client.get("/engine-rest/process-instance/count").json["count"] == 0
    assert client.get("/engine-rest/history/process-instance/count").json["count"] == 0


def test_translate_names_element_without_duplicating_it() -> None:
    exc = IncidentError("Gateway_1: division by zero", element_id="Gateway_1", element_name="DPP lengkap?")
    mapped = translate(exc)
    assert isinstance(mapped, OperationFailed)
    assert ops_error_status(mapped) == (500, "ProcessEngineException")
    assert mapped.message == "Element 'Gateway_1' (DPP lengkap?) failed: division by zero"
    assert "Gateway_1" in mapped.pesan and mapped.pesan.startswith("Langkah")


SCRIPT = HEAD + """
  <bpmn:process id="skrip" isExecutable="true">
    <bpmn:startEvent id="mulai"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="isi"/>
    <bpmn:userTask id="isi" name="Isi" camunda:candidateGroups="PPK"/>
    <bpmn:sequenceFlow id="f2" sourceRef="isi" targetRef="hitung"/>
    <bpmn:scriptTask id="hitung" name="Hitung rentang" scriptFormat="feel" camunda:resultVariable="r">
      <bpmn:script>[1..n]</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="hitung" targetRef="akhir"/>
    <bpmn:endEvent id="akhir"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_script_result_that_a_process_cannot_hold_is_an_incident(client: Any, ctx: Any) -> None:
    # A FEEL range is a value, but not one a process variable can hold (nor serialize): the script task
    # fails naming itself and the variable, instead of a TypeError when the state is saved.
    assert deploy_rest(client, ("skrip.bpmn", SCRIPT.encode())).status_code == 200
    instance_id = client.post("/engine-rest/process-definition/key/skrip/start", json={}).json["id"]
    task = _only_task(client, instance_id)
    before = _snapshot(ctx, instance_id)
    r = client.post(f"/engine-rest/task/{task['id']}/complete", json={"variables": {"n": typed(10, "Integer")}})
    assert r.status_code == 500 and r.json["type"] == "ProcessEngineException", r.json
    assert "'hitung'" in r.json["message"] and "'r'" in r.json["message"] and "Range" in r.json["message"]
    assert _snapshot(ctx, instance_id) == before


def test_translate_bounds_a_huge_problem_text() -> None:
    exc = IncidentError("g: a condition must be true or false, got str '" + "a" * 100_000 + "'", element_id="g")
    mapped = translate(exc)
    assert mapped is not None and len(mapped.message) < 2200
    assert mapped.message.startswith("Element 'g' failed: a condition must be true or false")
