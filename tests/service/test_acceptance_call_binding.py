"""camunda:calledElementBinding / calledElementVersion / calledElementVersionTag / calledElementTenantId
through /engine-rest, resolved when the call activity is reached; a called process missing then is an
incident on the call activity (Camunda deploys such a caller)."""
from __future__ import annotations

from typing import Any

import pytest

from support import deploy_rest

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://alur.test">\n')


def child(label: str, tag: str | None = None) -> bytes:
    version_tag = f' camunda:versionTag="{tag}"' if tag else ""
    return (HEAD + f"""  <bpmn:process id="anak" isExecutable="true"{version_tag}>
    <bpmn:startEvent id="a_mulai"/>
    <bpmn:sequenceFlow id="a1" sourceRef="a_mulai" targetRef="a_tugas"/>
    <bpmn:userTask id="a_tugas" name="{label}" camunda:candidateGroups="PPK"/>
    <bpmn:sequenceFlow id="a2" sourceRef="a_tugas" targetRef="a_akhir"/>
    <bpmn:endEvent id="a_akhir"/>
  </bpmn:process>
</bpmn:definitions>
""").encode()


def parent(key: str, attrs: str, called: str = "anak") -> bytes:
    return (HEAD + f"""  <bpmn:process id="{key}" isExecutable="true">
    <bpmn:startEvent id="mulai"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="panggil"/>
    <bpmn:callActivity id="panggil" name="Panggil anak" calledElement="{called}" {attrs}/>
    <bpmn:sequenceFlow id="f2" sourceRef="panggil" targetRef="akhir"/>
    <bpmn:endEvent id="akhir"/>
  </bpmn:process>
</bpmn:definitions>
""").encode()


def _ok(r: Any) -> dict:
    assert r.status_code == 200, r.json
    return r.json


def _called_task(client: Any, key: str, tenant: str | None = None) -> dict:
    path = f"/engine-rest/process-definition/key/{key}" + (f"/tenant-id/{tenant}" if tenant else "") + "/start"
    instance = _ok(client.post(path, json={}))
    [sub] = client.get("/engine-rest/process-instance", query_string={"superProcessInstance": instance["id"]}).json
    tasks = client.get("/engine-rest/task", query_string={"processInstanceId": sub["id"]}).json
    assert len(tasks) == 1, tasks
    return {"instance": instance["id"], "child": sub["id"], **tasks[0]}


def _incidents(client: Any, instance_id: str) -> list[dict]:
    return client.get("/engine-rest/incident", query_string={"processInstanceId": instance_id}).json


@pytest.fixture
def three_versions(client: Any) -> None:
    _ok(deploy_rest(client, ("anak.bpmn", child("versi 1", "rilis-1")), name="anak"))
    _ok(deploy_rest(client, ("anak.bpmn", child("versi 2", "rilis-2")), name="anak"))
    _ok(deploy_rest(client, ("anak.bpmn", child("versi 3")), name="anak"))


@pytest.mark.parametrize("attrs, expected", [
    ("", "versi 3"),
    ('camunda:calledElementBinding="latest"', "versi 3"),
    ('camunda:calledElementBinding="version" camunda:calledElementVersion="1"', "versi 1"),
    ('camunda:calledElementBinding="versionTag" camunda:calledElementVersionTag="rilis-2"', "versi 2"),
])
def test_binding_selects_the_called_version(client: Any, three_versions: None, attrs: str, expected: str) -> None:
    _ok(deploy_rest(client, ("induk.bpmn", parent("induk", attrs)), name="induk"))
    task = _called_task(client, "induk")
    assert task["name"] == expected
    # The bound version survives a reload: completing the called task ends the caller.
    r = client.post(f"/engine-rest/task/{task['id']}/complete", json={})
    assert r.status_code == 204, r.json
    assert client.get(f"/engine-rest/history/process-instance/{task['instance']}").json["state"] == "COMPLETED"


def test_deployment_binding_keeps_the_callee_deployed_with_the_caller(client: Any) -> None:
    _ok(deploy_rest(client, ("anak.bpmn", child("bersama induk")),
                    ("induk.bpmn", parent("induk", 'camunda:calledElementBinding="deployment"')), name="paket"))
    _ok(deploy_rest(client, ("anak.bpmn", child("lebih baru")), name="anak"))
    assert _called_task(client, "induk")["name"] == "bersama induk"
    # A caller bound to "latest" sees the newer one.
    _ok(deploy_rest(client, ("induk2.bpmn", parent("induk2", "")), name="induk2"))
    assert _called_task(client, "induk2")["name"] == "lebih baru"


def test_called_element_tenant_id_names_the_own_tenant(client: Any) -> None:
    _ok(deploy_rest(client, ("anak.bpmn", child("milik bersama")), name="anak"))
    _ok(deploy_rest(client, ("anak.bpmn", child("milik daerah")), name="anak", tenant="pagaralam"))
    _ok(deploy_rest(client, ("induk.bpmn", parent("induk", 'camunda:calledElementTenantId="pagaralam"')),
                    name="induk", tenant="pagaralam"))
    _ok(deploy_rest(client, ("induk2.bpmn", parent("induk2", "")), name="induk2", tenant="lahat"))
    assert _called_task(client, "induk", "pagaralam")["name"] == "milik daerah"
    # Without the attribute a tenant falls back to the shared process.
    assert _called_task(client, "induk2", "lahat")["name"] == "milik bersama"


@pytest.mark.parametrize("tenant", ["pagaralam", None])
def test_called_element_tenant_id_of_another_tenant_is_refused_at_deploy(client: Any, tenant: str | None) -> None:
    _ok(deploy_rest(client, ("anak.bpmn", child("milik lahat")), name="anak", tenant="lahat"))
    before = client.get("/engine-rest/deployment/count").json["count"]
    r = deploy_rest(client, ("induk.bpmn", parent("induk", 'camunda:calledElementTenantId="lahat"')),
                    name="induk", tenant=tenant)
    assert r.status_code == 400 and r.json["type"] == "ParseException", r.json
    assert "induk.bpmn: panggil (line 6)" in r.json["message"] and "'lahat'" in r.json["message"]
    assert client.get("/engine-rest/deployment/count").json["count"] == before


def test_decision_ref_tenant_id_of_another_tenant_is_refused_at_deploy(client: Any) -> None:
    xml = (HEAD + """  <bpmn:process id="nilai" isExecutable="true">
    <bpmn:startEvent id="mulai"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="putus"/>
    <bpmn:businessRuleTask id="putus" camunda:decisionRef="risiko" camunda:decisionRefTenantId="lahat"
        camunda:resultVariable="hasil" camunda:mapDecisionResult="singleEntry"/>
    <bpmn:sequenceFlow id="f2" sourceRef="putus" targetRef="akhir"/>
    <bpmn:endEvent id="akhir"/>
  </bpmn:process>
</bpmn:definitions>
""").encode()
    r = deploy_rest(client, ("nilai.bpmn", xml), name="nilai")      # a shared model naming a tenant
    assert r.status_code == 400, r.json
    assert "decisionRefTenantId" in r.json["message"] and "'lahat'" in r.json["message"], r.json


def test_a_stored_cross_tenant_call_fails_when_reached(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _ok(deploy_rest(client, ("anak.bpmn", child("milik lahat")), name="anak", tenant="lahat"))
    # A model stored before deployments were checked.
    monkeypatch.setattr("service.ops.call_binding.check_tenants", lambda *_a, **_kw: None)
    _ok(deploy_rest(client, ("induk.bpmn", parent("induk", 'camunda:calledElementTenantId="lahat"')),
                    name="induk", tenant="pagaralam"))
    monkeypatch.undo()
    instance = _ok(client.post("/engine-rest/process-definition/key/induk/tenant-id/pagaralam/start", json={}))
    [incident] = _incidents(client, instance["id"])
    assert incident["activityId"] == "panggil" and "'lahat'" in incident["incidentMessage"], incident
    assert client.get("/engine-rest/task", query_string={"tenantIdIn": "lahat"}).json == []


def test_called_element_tenant_id_expression_is_evaluated_when_reached(client: Any) -> None:
    _ok(deploy_rest(client, ("anak.bpmn", child("milik daerah")), name="anak", tenant="pagaralam"))
    _ok(deploy_rest(client, ("anak.bpmn", child("milik lahat")), name="anak", tenant="lahat"))
    _ok(deploy_rest(client, ("induk.bpmn", parent("induk", 'camunda:calledElementTenantId="${wilayah}"')),
                    name="induk", tenant="pagaralam"))
    start = "/engine-rest/process-definition/key/induk/tenant-id/pagaralam/start"
    own = _ok(client.post(start, json={"variables": {"wilayah": {"value": "pagaralam"}}}))
    [sub] = client.get("/engine-rest/process-instance", query_string={"superProcessInstance": own["id"]}).json
    assert sub["tenantId"] == "pagaralam"
    # Whatever the expression gives, another tenant's process is never found: an incident naming it.
    other = _ok(client.post(start, json={"variables": {"wilayah": {"value": "lahat"}}}))
    [incident] = _incidents(client, other["id"])
    assert incident["activityId"] == "panggil" and "'lahat'" in incident["incidentMessage"], incident
    assert client.get("/engine-rest/task", query_string={"tenantIdIn": "lahat"}).json == []


class _TenantProvider:
    def resolveTenantId(self, execution: Any) -> str:
        return str(execution.getVariable("wilayah"))


def test_called_element_tenant_id_from_a_bean(client: Any, ctx: Any) -> None:
    _ok(deploy_rest(client, ("anak.bpmn", child("milik daerah")), name="anak", tenant="pagaralam"))
    attrs = 'camunda:calledElementTenantId="${ provider.resolveTenantId(execution) }"'
    response = _ok(deploy_rest(client, ("induk.bpmn", parent("induk", attrs)), name="induk", tenant="pagaralam"))
    assert any("panggil: handler 'provider' is not registered" in w for w in response["warnings"]), response
    start = "/engine-rest/process-definition/key/induk/tenant-id/pagaralam/start"
    failed = client.post(start, json={"variables": {"wilayah": {"value": "pagaralam"}}})
    assert failed.status_code == 500 and "bean 'provider'" in failed.json["message"], failed.json
    ctx.delegates.register("provider", _TenantProvider)
    started = _ok(client.post(start, json={"variables": {"wilayah": {"value": "pagaralam"}}}))
    [sub] = client.get("/engine-rest/process-instance", query_string={"superProcessInstance": started["id"]}).json
    assert sub["tenantId"] == "pagaralam"


@pytest.mark.parametrize("attrs, words", [
    ("", ["'tidak_ada'"]),
    ('camunda:calledElementBinding="version" camunda:calledElementVersion="7"', ["'anak'", "version 7"]),
    ('camunda:calledElementBinding="versionTag" camunda:calledElementVersionTag="rilis-9"', ["rilis-9"]),
    ('camunda:calledElementBinding="deployment"', ["'anak'", "deployment"]),
])
def test_missing_called_process_is_an_incident_when_reached(client: Any, three_versions: None, attrs: str,
                                                            words: list[str]) -> None:
    called = "tidak_ada" if not attrs else "anak"
    other = child("x").replace(b'id="anak"', b'id="lain"')
    _ok(deploy_rest(client, ("induk.bpmn", parent("induk", attrs, called)), ("lain.bpmn", other), name="induk"))
    instance = _ok(client.post("/engine-rest/process-definition/key/induk/start", json={}))
    [incident] = _incidents(client, instance["id"])
    assert incident["incidentType"] == "failedJob" and incident["activityId"] == "panggil", incident
    message = incident["incidentMessage"]
    assert message.startswith("Cannot start call activity 'panggil': no processes deployed with key"), message
    for word in words:
        assert word in message, message
    assert client.get("/engine-rest/process-instance",
                      query_string={"superProcessInstance": instance["id"]}).json == []


@pytest.mark.parametrize("attrs, words", [
    ('camunda:calledElementBinding="version"', ["calledElementVersion", "version number"]),
    ('camunda:calledElementBinding="version" camunda:calledElementVersion="dua"', ["'dua'"]),
    ('camunda:calledElementBinding="versionTag"', ["calledElementVersionTag"]),
    ('camunda:calledElementBinding="sometimes"', ["'sometimes'"]),
])
def test_bad_binding_attributes_are_refused(client: Any, attrs: str, words: list[str]) -> None:
    r = deploy_rest(client, ("induk.bpmn", parent("induk", attrs)), ("anak.bpmn", child("x")))
    assert r.status_code == 400 and r.json["type"] == "ParseException", r.json
    assert "induk.bpmn: panggil (line 6)" in r.json["message"]
    for word in words:
        assert word in r.json["message"], r.json["message"]


def test_two_call_activities_binding_one_key_to_two_versions(client: Any, three_versions: None) -> None:
    """Each call starts its own instance: one caller can run version 1 and then the latest of one key."""
    xml = parent("induk", 'camunda:calledElementBinding="version" camunda:calledElementVersion="1"').decode()
    xml = xml.replace('<bpmn:sequenceFlow id="f2" sourceRef="panggil" targetRef="akhir"/>',
                      '<bpmn:sequenceFlow id="f2" sourceRef="panggil" targetRef="lagi"/>'
                      '<bpmn:callActivity id="lagi" calledElement="anak"/>'
                      '<bpmn:sequenceFlow id="f3" sourceRef="lagi" targetRef="akhir"/>')
    _ok(deploy_rest(client, ("induk.bpmn", xml.encode()), name="induk"))
    first = _called_task(client, "induk")
    assert first["name"] == "versi 1"
    assert client.post(f"/engine-rest/task/{first['id']}/complete", json={}).status_code == 204
    subs = client.get("/engine-rest/process-instance", query_string={"superProcessInstance": first["instance"]}).json
    [second] = [s for s in subs if s["id"] != first["child"]]
    [task] = client.get("/engine-rest/task", query_string={"processInstanceId": second["id"]}).json
    assert task["name"] == "versi 3"
