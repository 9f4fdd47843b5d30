"""POST /deployment/create: Camunda Modeler's multipart, versioning, duplicate filtering, errors."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from service.store import Deployment, DeploymentResource, ProcessDefinition
from support import deploy_rest, fixture_bytes


def _count(app: Any, model: Any) -> int:
    with app.extensions["alur"].db.unit_of_work() as s:
        return int(s.scalar(select(func.count()).select_from(model)))


def test_deploy_response_shape(client: Any, app: Any) -> None:
    r = deploy_rest(client, "pengadaan.bpmn", "risiko.dmn", "form-siapkan.form", name="paket", tenant="pagaralam")
    assert r.status_code == 200, r.json
    body = r.json
    assert body["name"] == "paket" and body["source"] == "pytest" and body["tenantId"] == "pagaralam"
    assert body["deploymentTime"] == "2026-01-05T08:00:00.000+0000"
    assert body["links"][0]["rel"] == "self" and body["links"][0]["href"].endswith(f"/deployment/{body['id']}")
    assert body["deployedCaseDefinitions"] is None
    (proc_id, proc), = body["deployedProcessDefinitions"].items()
    assert proc_id.startswith("pengadaan:1:") and proc["key"] == "pengadaan" and proc["version"] == 1
    assert proc["resource"] == "pengadaan.bpmn" and proc["deploymentId"] == body["id"]
    assert proc["tenantId"] == "pagaralam" and proc["name"] == "Pengadaan sederhana"
    (dec_id, dec), = body["deployedDecisionDefinitions"].items()
    assert dec["key"] == "tingkat_risiko" and dec_id.startswith("tingkat_risiko:1:")
    # Resources are kept byte-exact.
    data = client.get(f"/engine-rest/deployment/{body['id']}/resources/pengadaan.bpmn/data")
    assert data.status_code == 200 and data.data == fixture_bytes("pengadaan.bpmn")
    got = client.get(f"/engine-rest/deployment/{body['id']}").json
    assert got["id"] == body["id"] and got["tenantId"] == "pagaralam"


def test_versions_increase_per_key_and_tenant(client: Any) -> None:
    first = deploy_rest(client, "pengadaan.bpmn", tenant="pagaralam").json
    second = deploy_rest(client, "pengadaan.bpmn", tenant="pagaralam").json
    other = deploy_rest(client, "pengadaan.bpmn", tenant="mojokerto").json
    versions = [next(iter(d["deployedProcessDefinitions"].values()))["version"] for d in (first, second, other)]
    assert versions == [1, 2, 1]
    latest = client.get("/engine-rest/process-definition/key/pengadaan/tenant-id/pagaralam").json
    assert latest["version"] == 2


def test_duplicate_filtering_and_changed_only(client: Any, app: Any) -> None:
    first = deploy_rest(client, "pengadaan.bpmn", "risiko.dmn", name="paket").json
    again = deploy_rest(client, "pengadaan.bpmn", "risiko.dmn", name="paket", **{"enable-duplicate-filtering": "true"})
    assert again.status_code == 200
    assert again.json["id"] == first["id"]                 # nothing new: the earlier deployment
    assert again.json["deployedProcessDefinitions"] is None
    assert _count(app, Deployment) == 1
    changed = fixture_bytes("pengadaan.bpmn").replace(b"Pengadaan sederhana", b"Pengadaan v2")
    partial = deploy_rest(client, ("pengadaan.bpmn", changed), "risiko.dmn", name="paket",
                          **{"deploy-changed-only": "true"}).json
    assert partial["id"] != first["id"]
    assert [d["version"] for d in partial["deployedProcessDefinitions"].values()] == [2]
    assert partial["deployedDecisionDefinitions"] is None     # unchanged decision not redeployed
    # Without changed-only, one change redeploys everything.
    changed3 = changed.replace(b"Pengadaan v2", b"Pengadaan v3")
    full = deploy_rest(client, ("pengadaan.bpmn", changed3), "risiko.dmn", name="paket",
                       **{"enable-duplicate-filtering": "true"}).json
    assert [d["version"] for d in full["deployedDecisionDefinitions"].values()] == [2]


def test_broken_model_rejects_whole_deployment(client: Any, app: Any) -> None:
    r = deploy_rest(client, "pengadaan.bpmn", "rusak.bpmn")
    assert r.status_code == 400
    assert r.json["type"] == "ParseException"
    message = r.json["message"]
    assert "rusak.bpmn" in message and "F2" in message and "line 7" in message
    assert _count(app, Deployment) == 0 and _count(app, ProcessDefinition) == 0
    assert _count(app, DeploymentResource) == 0


def test_bad_form_and_bad_dmn(client: Any, app: Any) -> None:
    r = deploy_rest(client, ("rusak.form", b'{"components": []}'))
    assert r.status_code == 400 and "rusak.form" in r.json["message"] and '"id"' in r.json["message"]
    r = deploy_rest(client, ("x.form", b'{"id": "x",\n "components": [}'))
    assert r.status_code == 400 and "x.form (line 2)" in r.json["message"]
    r = deploy_rest(client, ("keputusan.dmn", b"<definitions><oops"))
    assert r.status_code == 400 and "keputusan.dmn" in r.json["message"]
    assert _count(app, Deployment) == 0


def test_deploy_request_errors(client: Any) -> None:
    r = client.post("/engine-rest/deployment/create", json={"a": 1})
    assert r.status_code == 415 and "multipart/form-data" in r.json["message"]
    r = client.post("/engine-rest/deployment/create", data={"deployment-name": "x"},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "No deployment resources" in r.json["message"]
    r = deploy_rest(client, "pengadaan.bpmn", **{"enable-duplicate-filtering": "kadang"})
    assert r.status_code == 400 and "enable-duplicate-filtering" in r.json["message"]


def test_invalid_tenant_id(client: Any, app: Any) -> None:
    r = deploy_rest(client, "pengadaan.bpmn", tenant="pagar alam/../x")
    assert r.status_code == 400 and "tenant id" in r.json["message"]
    assert _count(app, Deployment) == 0
