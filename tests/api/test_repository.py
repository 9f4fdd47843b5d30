"""Deployments and definitions through /engine-rest: queries, counts, resources, XML, start forms,
deleting with cascade, and the probes Camunda Modeler sends."""
from __future__ import annotations

import io
from typing import Any

from support import deploy, fixture_bytes, typed

R = "/engine-rest"


def test_modeler_probes_and_deploy(client: Any) -> None:
    assert client.get(f"{R}/version").json["version"].startswith("7.")
    assert client.get(f"{R}/engine").json == [{"name": "default"}]
    r = client.get(f"{R}/deployment", query_string={"maxResults": 0})
    assert r.status_code == 200 and r.json == []
    # Camunda Modeler's multipart shape: the fields plus one part named after the file.
    r = client.post(f"{R}/deployment/create", content_type="multipart/form-data", data={
        "deployment-name": "layanan", "deployment-source": "Camunda Modeler", "deploy-changed-only": "true",
        "tenant-id": "pagaralam", "layanan.bpmn": (io.BytesIO(fixture_bytes("layanan.bpmn")), "layanan.bpmn")})
    assert r.status_code == 200, r.json
    dep = r.json
    assert dep["tenantId"] == "pagaralam" and dep["deploymentTime"].endswith("+0000")
    [definition] = dep["deployedProcessDefinitions"].values()
    assert definition["key"] == "layanan" and definition["versionTag"] == "v1"
    assert client.get(f"{R}/deployment", query_string={"maxResults": 0}).json == []
    listed = client.get(f"{R}/deployment").json
    assert [d["id"] for d in listed] == [dep["id"]] and listed[0]["source"] == "Camunda Modeler"
    assert set(listed[0]) >= {"id", "name", "source", "deploymentTime", "tenantId", "links"}
    assert client.get(f"{R}/deployment/count").json == {"count": 1}
    assert client.get(f"{R}/deployment", query_string={"tenantIdIn": "lahat"}).json == []
    assert client.get(f"{R}/deployment", query_string={"nameLike": "lay%"}).json[0]["id"] == dep["id"]
    assert client.get(f"{R}/deployment", query_string={"sortBy": "name"}).status_code == 400
    assert client.get(f"{R}/deployment", query_string={"sortBy": "bogus", "sortOrder": "asc"}).status_code == 400
    assert client.get(f"{R}/deployment", query_string={"firstResult": "-1"}).status_code == 400
    assert client.get(f"{R}/deployment", query_string={"after": "kemarin"}).status_code == 400
    [res] = client.get(f"{R}/deployment/{dep['id']}/resources").json
    assert res["name"] == "layanan.bpmn" and res["deploymentId"] == dep["id"] and len(res["id"]) == 36
    assert client.get(f"{R}/deployment/{dep['id']}/resources/{res['id']}").json == res
    data = client.get(f"{R}/deployment/{dep['id']}/resources/{res['id']}/data")
    assert data.status_code == 200 and data.data == fixture_bytes("layanan.bpmn")
    assert client.get(f"{R}/deployment/{dep['id']}/resources/nope").status_code == 404
    assert client.get(f"{R}/deployment/nope/resources").status_code == 404


def test_delete_deployment_cascade(client: Any) -> None:
    dep = deploy(client, "layanan.bpmn", "risiko.dmn").json
    started = client.post(f"{R}/process-definition/key/layanan/start", json={}).json
    r = client.delete(f"{R}/deployment/{dep['id']}")
    assert r.status_code == 400 and "cascade" in r.json["message"]
    assert client.delete(f"{R}/deployment/{dep['id']}", query_string={"cascade": "true"}).status_code == 204
    assert client.get(f"{R}/deployment/{dep['id']}").status_code == 404
    assert client.get(f"{R}/process-instance/{started['id']}").status_code == 404
    assert client.get(f"{R}/process-definition/count").json == {"count": 0}
    assert client.get(f"{R}/decision-definition/count").json == {"count": 0}
    assert client.get(f"{R}/external-task/count").json == {"count": 0}
    assert client.delete(f"{R}/deployment/{dep['id']}").status_code == 404


def test_definition_queries_and_xml(client: Any) -> None:
    deploy(client, "layanan.bpmn", "risiko.dmn")
    second = deploy(client, "layanan.bpmn", tenant="pagaralam").json
    everything = client.get(f"{R}/process-definition").json
    assert [(d["key"], d["tenantId"]) for d in everything] == [("layanan", None), ("layanan", "pagaralam")]
    assert client.get(f"{R}/process-definition/count", query_string={"tenantIdIn": "pagaralam"}).json == {"count": 1}
    assert client.get(f"{R}/process-definition", query_string={"withoutTenantId": "true"}).json[0]["tenantId"] is None
    latest = client.get(f"{R}/process-definition", query_string={"latestVersion": "true", "key": "layanan"}).json
    assert len(latest) == 2
    assert client.get(f"{R}/process-definition", query_string={"versionTag": "v2"}).json == []
    assert client.get(f"{R}/process-definition", query_string={"keyLike": "lay%", "sortBy": "tenantId",
                                                                "sortOrder": "desc"}).json[0]["tenantId"] == "pagaralam"
    [pid] = second["deployedProcessDefinitions"]
    xml = client.get(f"{R}/process-definition/{pid}/xml").json
    assert xml["id"] == pid and xml["bpmn20Xml"] == fixture_bytes("layanan.bpmn").decode()
    assert client.get(f"{R}/process-definition/key/layanan/tenant-id/pagaralam/xml").json["id"] == pid
    assert client.get(f"{R}/process-definition/key/layanan/xml").json["id"] != pid
    assert client.get(f"{R}/process-definition/nope/xml").status_code == 404
    dmn = client.get(f"{R}/decision-definition/key/tingkat_risiko/xml").json
    assert "tingkat_risiko" in dmn["dmnXml"] and dmn["id"].startswith("tingkat_risiko:1:")
    assert client.get(f"{R}/decision-definition/{dmn['id']}/xml").json == dmn
    assert client.get(f"{R}/decision-definition", query_string={"key": "tingkat_risiko"}).json[0]["id"] == dmn["id"]


def test_start_form_and_submit(client: Any) -> None:
    deploy(client, "layanan.bpmn")
    assert client.get(f"{R}/process-definition/key/layanan/startForm").json == {
        "key": None, "contextPath": None, "camundaFormRef": None}
    assert client.get(f"{R}/process-definition/key/layanan/form-variables").json == {
        "nilai": {"type": "Integer", "value": 100, "valueInfo": {}}}
    r = client.post(f"{R}/process-definition/key/layanan/submit-form",
                    json={"variables": {"nilai": typed(7, "Long")}, "businessKey": "F-1"})
    assert r.status_code == 200, r.json
    assert r.json["businessKey"] == "F-1"
    assert client.get(f"{R}/process-instance/{r.json['id']}/variables/nilai").json["value"] == 7
    r = client.post(f"{R}/process-definition/key/layanan/submit-form", json={"variables": {"x": 1}})
    assert r.status_code == 400


def test_requests_no_database_can_store_are_400(client: Any) -> None:
    assert client.get(f"{R}/process-definition/key/a%00b").status_code == 400
    assert client.get(f"{R}/task", query_string={"assignee": "a\x00b"}).status_code == 400
    r = client.post(f"{R}/task", json={"assignee": "a\x00b"})
    assert r.status_code == 400 and "NUL" in r.json["message"]
    r = client.post(f"{R}/process-definition/key/x/start", data="[" * 100_000, content_type="application/json")
    assert r.status_code == 400 and "nested" in r.json["message"]
    r = client.post(f"{R}/task", data="[" * 900 + '"a\\u0000"' + "]" * 900, content_type="application/json")
    assert r.status_code == 400
    assert client.get(f"{R}/history/activity-instance/000000a1-0000-8000-8000-ffffffffffff").status_code == 404
