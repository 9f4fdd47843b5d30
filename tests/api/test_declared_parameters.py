"""No silent parameters (issue 13 item 5): every URL parameter every list route declares either filters
(on a fixture where it changes the answer) or is answered 400 naming it, and the OpenAPI document lists
exactly the declared parameters. The walk reads the routes' declarations (`routes.DOCS`, `params`), so a
parameter added later is walked too, and one without a value here fails the test."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from marshmallow import fields
from sqlalchemy import update

from support import deploy_rest, fixture_bytes, typed
from test_query_filters import MODEL

from service.api import openapi
from service.api.common import CamundaDate
from service.api.params import declared_parameters
from service.api.routes import DOCS, PARAMS

R = "/engine-rest"
FUTURE = "2099-01-01T00:00:00.000+0000"
PAST = "2000-01-01T00:00:00.000+0000"
NOTHING = "zz-nothing"

# Values for parameters whose generic value (below) would not change this fixture's answer: negations
# (which must exclude something that exists) and names whose meaning needs a particular value.
SPECIAL: dict[str, str] = {
    "processDefinitionKeyNotIn": "layanan,saring,jadwal,tingkat_risiko",
    "taskDefinitionKeyNotIn": "Tinjau",
    "nameNotEqual": "Tinjau hasil",
    "nameNotLike": "%",
    "maxPriority": "-1",
    "minPriority": "999999",
    "variables": "nilai_eq_987654",
    "processVariables": "nilai_eq_987654",
    "taskVariables": "nilai_eq_987654",
    "delegationState": "PENDING",
    "latestVersion": "true",
    "assigneeNotIn": "nobody",
    "priorityLowerThanOrEquals": "-1",
    "sortBy": "id",                 # alone: 400 (sortOrder missing), as Camunda answers
    "sortOrder": "desc",            # alone: 400
    "firstResult": "1",
    "maxResults": "1",
}

# Parameters whose value must name something of the fixture (a key of `world`).
FROM_WORLD = {"processInstanceIdNotIn": "A"}

# Flags that narrow only together with another filter, and what that filter is.
WITH: dict[tuple[str, str], dict[str, str]] = {
    ("rest_task.list_", "includeAssignedTasks"): {"candidateGroup": "PPK"},
    ("rest_task.list_", "assigneeNotIn"): {},
    ("rest_task.list_", "variableNamesIgnoreCase"): {"processVariables": "NAMA_eq_Budi"},
    ("rest_task.list_", "variableValuesIgnoreCase"): {"processVariables": "nama_eq_BUDI"},
    ("rest_process_instance.list_", "variableNamesIgnoreCase"): {"variables": "NAMA_eq_Budi"},
    ("rest_process_instance.list_", "variableValuesIgnoreCase"): {"variables": "nama_eq_BUDI"},
    ("rest_external_task.list_", "variableNamesIgnoreCase"): {"processVariables": "NAMA_eq_Budi"},
    ("rest_external_task.list_", "variableValuesIgnoreCase"): {"processVariables": "nama_eq_BUDI"},
    ("rest_decision_definition.list_", "includeDecisionDefinitionsWithoutTenantId"): {"tenantIdIn": "pagaralam"},
    ("rest_process_definition.list_", "includeProcessDefinitionsWithoutTenantId"): {"tenantIdIn": "pagaralam"},
    ("rest_deployment.list_", "includeDeploymentsWithoutTenantId"): {"tenantIdIn": "pagaralam"},
    ("rest_job.query", "includeJobsWithoutTenantId"): {"tenantIdIn": "pagaralam"},
}

# Declared, working as Camunda documents, and unable to change any answer here (kept short, with reasons).
CANNOT_NARROW = {
    ("rest_job.query", "timers"): "every job Alur has is a timer",
}


def _value(endpoint: str, name: str, field: fields.Field) -> str:
    if name in SPECIAL:
        return SPECIAL[name]
    if isinstance(field, fields.Boolean):
        return "true"
    if isinstance(field, CamundaDate):
        return FUTURE if ("after" in name.lower() or "HigherThan" in name) else PAST
    if isinstance(field, fields.Integer):
        return "987654"
    return NOTHING


def _field(endpoint: str, name: str) -> fields.Field:
    doc = DOCS[endpoint]
    assert doc.query is not None
    for key, f in doc.query().fields.items():
        if (f.data_key or key) == name:
            return f
    return fields.String()      # paging and sorting


@pytest.fixture
def world(client: Any, ctx: Any, clock: Any) -> dict[str, Any]:
    """Two tenants' worth of everything the lists show: instances at an external task, at a user task
    (claimed and not), with an incident, suspended; a timer job; history of tasks, variables, decisions."""
    from service.store import InstanceState, ProcessDefinition, ProcessInstance

    assert deploy_rest(client, "layanan.bpmn", "risiko.dmn", tenant="pagaralam").status_code == 200
    assert deploy_rest(client, ("saring.bpmn", MODEL), "jadwal.bpmn", "risiko.dmn").status_code == 200
    clock.advance(timedelta(minutes=1))
    # Second versions (latestVersion), and a timer job in a tenant (withoutTenantId of jobs).
    assert deploy_rest(client, ("saring.bpmn", MODEL.replace(b"Penyaringan Berkas", b"Penyaringan")),
                       ("risiko.dmn", fixture_bytes("risiko.dmn").replace(
                           b'<decision id="tingkat_risiko" name="Tingkat risiko">',
                           b'<decision id="tingkat_risiko" name="Risiko" xmlns:camunda="http://camunda.org/schema/1.0/dmn"'
                           b' camunda:versionTag="r2">'))
                       ).status_code == 200
    assert deploy_rest(client, "jadwal.bpmn", tenant="pagaralam").status_code == 200
    out: dict[str, Any] = {}
    for key, nilai in (("A", 5), ("B", 50), ("C", 7), ("D", 8), ("E", 9)):
        r = client.post(f"{R}/process-definition/key/layanan/tenant-id/pagaralam/start",
                        json={"businessKey": key, "variables": {"nilai": typed(nilai, "Long"), "nama": typed("Budi")}})
        out[key] = r.json["id"]
        clock.advance(timedelta(minutes=1))
    tasks = client.post(f"{R}/external-task/fetchAndLock", json={
        "workerId": "w", "maxTasks": 10, "topics": [{"topicName": "periksa", "lockDuration": 10**9}]}).json
    for t in tasks:
        if t["processInstanceId"] == out["B"]:
            assert client.post(f"{R}/external-task/{t['id']}/complete", json={"workerId": "w"}).status_code == 204
        elif t["processInstanceId"] == out["C"]:
            assert client.post(f"{R}/external-task/{t['id']}/unlock").status_code == 204
        elif t["processInstanceId"] == out["E"]:
            pass        # stays locked
        else:
            assert client.post(f"{R}/external-task/{t['id']}/failure", json={
                "workerId": "w", "errorMessage": "gagal", "retries": 0, "retryTimeout": 0}).status_code == 204
    for key in ("S1", "S2", "S3"):
        r = client.post(f"{R}/process-definition/key/saring/start", json={"businessKey": key})
        out[key] = r.json["id"]
    [tinjau] = client.get(f"{R}/task", query_string={"processInstanceId": out["S1"],
                                                     "taskDefinitionKey": "Tinjau"}).json
    assert client.post(f"{R}/task/{tinjau['id']}/claim", json={"userId": "siti"}).status_code == 204
    [arsip] = client.get(f"{R}/task", query_string={"processInstanceId": out["S1"],
                                                    "taskDefinitionKey": "Arsipkan"}).json
    assert client.post(f"{R}/task/{arsip['id']}/complete").status_code == 204
    for url in ("jadwal", "jadwal", "jadwal/tenant-id/pagaralam"):
        r = client.post(f"{R}/process-definition/key/{url}/start", json={})
        assert r.status_code == 200, r.json
        out.setdefault("jobs", []).append(r.json["id"])
        clock.advance(timedelta(minutes=5))
    assert client.delete(f"{R}/process-instance/{out['S3']}").status_code == 204      # a finished instance
    assert deploy_rest(client, "jadwal_gagal.bpmn").status_code == 200                # a job out of retries
    failing = client.post(f"{R}/process-definition/key/jadwal_gagal/start", json={}).json
    [job] = client.get(f"{R}/job", query_string={"processInstanceId": failing["id"]}).json
    assert client.post(f"{R}/job/{job['id']}/execute").status_code == 500
    for url, nilai in (("tingkat_risiko/tenant-id/pagaralam", 5), ("tingkat_risiko", 300_000_000)):
        r = client.post(f"{R}/decision-definition/key/{url}/evaluate",
                        json={"variables": {"nilai": typed(nilai, "Long")}})
        assert r.status_code == 200, r.json
    # Two batches (left unworked: no scheduler runs here), each deleting a throwaway instance.
    for key, start in (("T1", "saring"), ("T2", "layanan/tenant-id/pagaralam")):
        doomed = client.post(f"{R}/process-definition/key/{start}/start", json={
            "businessKey": key, "variables": {"nilai": typed(1, "Long")}}).json["id"]
        r = client.post(f"{R}/process-instance/delete", json={"processInstanceIds": [doomed], "deleteReason": key})
        assert r.status_code == 200, r.json
        clock.advance(timedelta(minutes=1))
    # The states exist in the store: set them there (the suspension endpoints have their own tests).
    with ctx.transaction() as session:
        session.execute(update(ProcessInstance).where(ProcessInstance.id.in_([out["S2"], out["C"], out["jobs"][0]]))
                        .values(state=InstanceState.SUSPENDED))
        session.execute(update(ProcessDefinition).where(ProcessDefinition.key == "jadwal",
                                                        ProcessDefinition.tenant_id.is_(None))
                        .values(suspended=True))
    return out


def _list_endpoints() -> list[str]:
    return sorted(e for e, d in DOCS.items() if d.query is not None and d.many)


def test_every_declared_list_parameter_filters_or_is_refused(client: Any, world: dict[str, Any]) -> None:
    from flask import url_for

    silent: list[str] = []
    walked = 0
    with client.application.test_request_context():
        paths = {e: url_for(f"engine_rest.{e}") for e in _list_endpoints()}
    for endpoint, path in paths.items():
        baseline = client.get(path)
        assert baseline.status_code == 200, (path, baseline.json)
        assert len(baseline.json) >= 2, f"{path}: the fixture must list something to narrow"
        for name in sorted(declared_parameters(endpoint)):
            walked += 1
            extra = WITH.get((endpoint, name), {})
            before = client.get(path, query_string=extra).json if extra else baseline.json
            value = world[FROM_WORLD[name]] if name in FROM_WORLD else _value(endpoint, name, _field(endpoint, name))
            r = client.get(path, query_string={**extra, name: value})
            if r.status_code == 400:
                assert r.json["type"] == "InvalidRequestException"
                continue
            assert r.status_code == 200, (path, name, r.json)
            if r.json == before and (endpoint, name) not in CANNOT_NARROW:
                silent.append(f"{path}?{name}")
    assert walked > 250
    assert silent == [], f"{len(silent)} parameters neither changed the answer nor were refused: {silent}"


def test_undeclared_parameters_of_every_route_are_refused(client: Any, world: dict[str, Any]) -> None:
    from flask import url_for

    with client.application.test_request_context():
        for rule in client.application.url_map.iter_rules():
            if not rule.endpoint.startswith("engine_rest.") or "GET" not in (rule.methods or ()):
                continue
            args = {a: "x" for a in rule.arguments}
            path = url_for(rule.endpoint, **args)
            r = client.get(path, query_string={"notAParameter": "1"})
            if r.status_code == 404 and args:
                continue     # an id that does not exist may be looked up first; the list routes have none
            assert r.status_code == 400 and "'notAParameter'" in r.json["message"], (path, r.status_code)


def test_route_parameters_are_declared_and_documented(client: Any) -> None:
    """The OpenAPI document lists every parameter a route declares (schema, paging, sorting, params=)."""
    app = client.application
    spec = openapi.build_spec(app)
    documented: dict[tuple[str, str], set[str]] = {}
    for path, item in spec["paths"].items():
        for verb, op in item.items():
            names = {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"}
            documented[(path, verb)] = names
    assert any(PARAMS.values()), "route parameters are declared with Resource.route(params=...)"
    checked = 0
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint.removeprefix("engine_rest.")
        if not rule.endpoint.startswith("engine_rest.") or "GET" not in (rule.methods or ()):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix(R))
        if (path, "get") not in documented:
            continue      # shadowed by an earlier rule of the same path
        declared = declared_parameters(endpoint)
        if rule.endpoint.endswith("rest_openapi.document"):
            continue
        assert documented[(path, "get")] >= declared, (path, declared - documented[(path, "get")])
        checked += 1
    assert checked > 40
