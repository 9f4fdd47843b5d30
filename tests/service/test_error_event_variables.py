"""camunda:errorCodeVariable / errorMessageVariable where Camunda Modeler writes them: on the boundary
event's bpmn:errorEventDefinition (the old place, the boundary element itself, still works)."""
from __future__ import annotations

from typing import Any

import pytest
from support import deploy_rest

from service.engine import parse_bpmn

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://alur.test">\n'
        '<bpmn:error id="Error_Tolak" name="Ditolak" errorCode="DITOLAK"/>\n')


def model(on_boundary: str, on_definition: str) -> bytes:
    return (HEAD + f"""<bpmn:process id="cek" isExecutable="true">
  <bpmn:startEvent id="mulai"/>
  <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="Cek"/>
  <bpmn:serviceTask id="Cek" name="Cek SIKaP" camunda:type="external" camunda:topic="sikap"/>
  <bpmn:boundaryEvent id="Gagal" attachedToRef="Cek"{on_boundary}>
    <bpmn:errorEventDefinition id="EED" errorRef="Error_Tolak"{on_definition}/>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="Cek" targetRef="selesai"/>
  <bpmn:endEvent id="selesai"/>
  <bpmn:sequenceFlow id="f3" sourceRef="Gagal" targetRef="Perbaiki"/>
  <bpmn:userTask id="Perbaiki" name="Perbaiki" camunda:candidateGroups="PPK"/>
  <bpmn:sequenceFlow id="f4" sourceRef="Perbaiki" targetRef="akhir"/>
  <bpmn:endEvent id="akhir"/>
</bpmn:process></bpmn:definitions>
""").encode()


ON_DEFINITION = model("", ' camunda:errorCodeVariable="kode" camunda:errorMessageVariable="pesan"')
ON_BOUNDARY = model(' camunda:errorCodeVariable="kode" camunda:errorMessageVariable="pesan"', "")
BOTH = model(' camunda:errorCodeVariable="lama" camunda:errorMessageVariable="pesan_lama"',
             ' camunda:errorCodeVariable="kode" camunda:errorMessageVariable="pesan"')


def _ok(r: Any) -> Any:
    assert r.status_code in (200, 204), r.json
    return r.json


def test_parser_reads_the_event_definition_attributes():
    [process] = parse_bpmn("cek.bpmn", ON_DEFINITION)
    attrs = process.elements["Gagal"].attributes
    assert attrs["errorCodeVariable"] == "kode" and attrs["errorMessageVariable"] == "pesan"
    [process] = parse_bpmn("cek.bpmn", BOTH)
    assert process.elements["Gagal"].attributes["errorCodeVariable"] == "kode"


@pytest.mark.parametrize("content", [ON_DEFINITION, ON_BOUNDARY], ids=["definition", "boundary"])
def test_bpmn_error_sets_the_code_and_message_variables(client: Any, content: bytes) -> None:
    _ok(deploy_rest(client, ("cek.bpmn", content)))
    instance = _ok(client.post("/engine-rest/process-definition/key/cek/start", json={}))
    locked = _ok(client.post("/engine-rest/external-task/fetchAndLock", json={
        "workerId": "w", "maxTasks": 1, "topics": [{"topicName": "sikap", "lockDuration": 10000}]}))
    assert len(locked) == 1
    _ok(client.post(f"/engine-rest/external-task/{locked[0]['id']}/bpmnError", json={
        "workerId": "w", "errorCode": "DITOLAK", "errorMessage": "Penyedia masuk daftar hitam",
        "variables": {"alasan": {"value": "blacklist", "type": "String"}}}))
    [task] = _ok(client.get("/engine-rest/task", query_string={"processInstanceId": instance["id"]}))
    assert task["taskDefinitionKey"] == "Perbaiki"
    variables = _ok(client.get(f"/engine-rest/process-instance/{instance['id']}/variables"))
    assert variables["kode"]["value"] == "DITOLAK"
    assert variables["pesan"]["value"] == "Penyedia masuk daftar hitam"
    assert variables["alasan"]["value"] == "blacklist"
