"""Camunda `File` variables: stored as documents of the instance, shown with their valueInfo, downloaded
from .../variables/{name}/data (runtime and history)."""
from __future__ import annotations

import base64
from typing import Any

from support import deploy_rest

R = "/engine-rest"
PDF = b"%PDF-1.4\n% faktur uji\n%%EOF\n"
MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="berkas" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="u" />
    <bpmn:userTask id="u"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="u" targetRef="e" />
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def _file(content: bytes = PDF, filename: str = "invoice.pdf", **info: Any) -> dict[str, Any]:
    return {"type": "File", "value": base64.b64encode(content).decode(),
            "valueInfo": {"filename": filename, "mimeType": "application/pdf", **info}}


def _start(client: Any, variables: dict[str, Any]) -> Any:
    deploy_rest(client, ("berkas.bpmn", MODEL))
    return client.post(f"{R}/process-definition/key/berkas/start", json={"variables": variables})


def test_a_file_variable_is_stored_shown_and_downloaded(client: Any) -> None:
    response = _start(client, {"invoiceDocument": _file(encoding="UTF-8"), "amount": {"value": 30}})
    assert response.status_code == 200, response.json
    instance_id = response.json["id"]
    shown = client.get(f"{R}/process-instance/{instance_id}/variables/invoiceDocument").json
    assert shown == {"type": "File", "value": None,
                     "valueInfo": {"filename": "invoice.pdf", "mimeType": "application/pdf", "encoding": "UTF-8"}}
    data = client.get(f"{R}/process-instance/{instance_id}/variables/invoiceDocument/data")
    assert data.status_code == 200 and data.data == PDF and data.mimetype == "application/pdf"
    assert 'filename=invoice.pdf' in data.headers["Content-Disposition"]
    not_binary = client.get(f"{R}/process-instance/{instance_id}/variables/amount/data")
    assert not_binary.status_code == 400
    [historic] = client.get(f"{R}/history/variable-instance",
                            query_string={"processInstanceId": instance_id, "variableName": "invoiceDocument"}).json
    assert historic["type"] == "File" and historic["valueInfo"]["filename"] == "invoice.pdf"
    again = client.get(f"{R}/history/variable-instance/{historic['id']}/data")
    assert again.status_code == 200 and again.data == PDF


def test_a_file_completing_a_task_is_stored_with_it(client: Any) -> None:
    instance_id = _start(client, {}).json["id"]
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": instance_id}).json
    receipt = b"%PDF-1.7\nkuitansi\n"
    assert client.post(f"{R}/task/{task['id']}/complete",
                       json={"variables": {"receipt": _file(receipt, "kuitansi.pdf")}}).status_code == 204
    [historic] = client.get(f"{R}/history/variable-instance",
                            query_string={"processInstanceId": instance_id, "variableName": "receipt"}).json
    assert client.get(f"{R}/history/variable-instance/{historic['id']}/data").data == receipt


def test_bad_file_values_are_refused_naming_the_variable(client: Any) -> None:
    assert "valueInfo.filename" in _start(client, {"doc": {"type": "File", "value": "AAAA"}}).json["message"]
    assert "not base64" in _start(client, {"doc": {"type": "File", "value": "***",
                                                   "valueInfo": {"filename": "a.pdf"}}}).json["message"]
    refused = _start(client, {"doc": _file(mimeType="text/html\r\nX-Evil: 1")})
    assert refused.status_code == 400 and "valueInfo.mimeType" in refused.json["message"]
    # The document rules apply: an executable file is not a document.
    exe = _start(client, {"doc": _file(b"MZ\x90\x00", "tool.exe")})
    assert exe.status_code == 400
    assert client.get(f"{R}/history/process-instance").json == []
