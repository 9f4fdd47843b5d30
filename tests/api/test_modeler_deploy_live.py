"""Camunda Modeler's Camunda 7 deploy protocol, replayed request by request against a live server, as
client/src/plugins/camunda-plugin/shared/CamundaAPI.js and RestAPI.js (camunda/camunda-modeler) send it:
`accept: application/json` and Basic authorization on every request; the connection check
`GET /deployment?maxResults=0`; `GET /version`; `POST /deployment/create` as multipart with
`deployment-name`, `deployment-source: Camunda Modeler`, `enable-duplicate-filtering: true`, an optional
`tenant-id`, the diagram as a `text/xml` part named after its file and each attachment (DMN, form) as an
untyped part; then `POST /process-definition/{id}/start` with `{businessKey, variables}`."""
from __future__ import annotations

import base64
from typing import Any

import requests

from support import ADMIN, fixture_bytes

HEADERS = {"accept": "application/json",
           "authorization": "Basic " + base64.b64encode(f"{ADMIN[0]}:{ADMIN[1]}".encode()).decode()}


def _deploy(server: str, name: str, *, tenant: str | None = None, diagram: str = "layanan.bpmn",
            content: bytes | None = None, attachments: tuple[str, ...] = ("risiko.dmn", "form-siapkan.form")) -> Any:
    fields: list[tuple[str, Any]] = [("deployment-name", (None, name)),
                                     ("deployment-source", (None, "Camunda Modeler")),
                                     ("enable-duplicate-filtering", (None, "true"))]
    if tenant:
        fields.append(("tenant-id", (None, tenant)))
    fields.append((diagram, (diagram, content if content is not None else fixture_bytes(diagram), "text/xml")))
    # A Blob without a type: the browser sends it as application/octet-stream.
    fields.extend((a, (a, fixture_bytes(a), "application/octet-stream")) for a in attachments)
    return requests.post(f"{server}/deployment/create", files=fields, headers=HEADERS, timeout=10)


def test_modeler_deploys_and_starts_as_it_does_against_camunda(server: str) -> None:
    # Connection check and version probe (the Modeler warns on a version mismatch with the model).
    r = requests.get(f"{server}/deployment", params={"maxResults": "0"}, headers=HEADERS, timeout=10)
    assert r.status_code == 200 and r.json() == []
    r = requests.get(f"{server}/version", headers=HEADERS, timeout=10)
    assert r.status_code == 200 and r.json()["version"].startswith("7.")
    unauthenticated = requests.get(f"{server}/deployment", params={"maxResults": "0"},
                                   headers={"accept": "application/json"}, timeout=10)
    assert unauthenticated.status_code == 401

    r = _deploy(server, "layanan")
    assert r.status_code == 200, r.text
    body = r.json()
    [definition] = list(body["deployedProcessDefinitions"].values())     # deployedProcessDefinition
    assert definition["key"] == "layanan" and definition["version"] == 1
    assert {d["key"] for d in body["deployedDecisionDefinitions"].values()} == {"tingkat_risiko"}
    resources = requests.get(f"{server}/deployment/{body['id']}/resources", headers=HEADERS, timeout=10).json()
    assert sorted(x["name"] for x in resources) == ["form-siapkan.form", "layanan.bpmn", "risiko.dmn"]

    # The same files again: duplicate filtering keeps the version; the answer still names a deployment.
    again = _deploy(server, "layanan")
    assert again.status_code == 200, again.text
    keys = requests.get(f"{server}/process-definition", params={"key": "layanan"}, headers=HEADERS, timeout=10).json()
    assert [d["version"] for d in keys] == [1]

    # A tenant deployment, then "Start instance" with the returned definition id.
    r = _deploy(server, "layanan", tenant="pagaralam", attachments=("risiko.dmn",))
    assert r.status_code == 200, r.text
    [tenant_definition] = list(r.json()["deployedProcessDefinitions"].values())
    assert tenant_definition["tenantId"] == "pagaralam"
    start = requests.post(f"{server}/process-definition/{definition['id']}/start", headers={
        **HEADERS, "content-type": "application/json"}, json={"businessKey": "MOD-1", "variables": {
            "nilai": {"value": 5, "type": "Long"}}}, timeout=10)
    assert start.status_code == 200, start.text
    assert start.json()["businessKey"] == "MOD-1" and start.json()["definitionId"] == definition["id"]
    # JSON.stringify drops an undefined businessKey and variables: the body may be empty.
    start = requests.post(f"{server}/process-definition/{definition['id']}/start", headers={
        **HEADERS, "content-type": "application/json"}, data="{}", timeout=10)
    assert start.status_code == 200, start.text

    # A diagram the server cannot take: 400 with a message the Modeler shows as the problem.
    broken = _deploy(server, "rusak", diagram="rusak.bpmn", attachments=())
    assert broken.status_code == 400 and broken.json()["message"]
