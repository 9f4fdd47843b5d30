"""The REST API applies the pages' tenant, lane and claim rules (review issues 5 and 6)."""
from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from support import ADMIN, OTHER, PPK, deploy

R = "/engine-rest"
TAMU = ("tamu", "rahasia-tamu-1")          # same tenant as OTHER (lahat), in no lane of the model
O2 = ("ppk.lahat2", "rahasia-lahat-2")     # same tenant and group as OTHER
PO = ("po.lahat", "rahasia-po-lahat")      # process owner of lahat

MESSAGE_START = b'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:message id="M" name="undangan" />
  <bpmn:process id="undang" isExecutable="true">
    <bpmn:laneSet><bpmn:lane id="L" name="Pokja"><bpmn:flowNodeRef>S</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>T</bpmn:flowNodeRef><bpmn:flowNodeRef>E</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="S"><bpmn:outgoing>F1</bpmn:outgoing><bpmn:messageEventDefinition messageRef="M" />
    </bpmn:startEvent>
    <bpmn:userTask id="T" name="Kerja"><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="E"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="T" /><bpmn:sequenceFlow id="F2" sourceRef="T" targetRef="E" />
  </bpmn:process></bpmn:definitions>'''


def basic(user: tuple[str, str]) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()}


@pytest.fixture
def c(auth_app: Any) -> Any:
    from service.ops.users import create_user

    ctx = auth_app.extensions["alur"].ops
    create_user(ctx, TAMU[0], TAMU[1], groups=["Tamu"], tenants=["lahat"])
    create_user(ctx, O2[0], O2[1], groups=["PPK"], tenants=["lahat"])
    create_user(ctx, PO[0], PO[1], groups=["process-owner"], tenants=["lahat"])
    client = auth_app.test_client()
    assert deploy(client, "layanan.bpmn", tenant="lahat", headers=basic(ADMIN)).status_code == 200
    return client


def start(c: Any, key: str = "layanan", who: tuple[str, str] = OTHER, **body: Any) -> str:
    r = c.post(f"{R}/process-definition/key/{key}/tenant-id/lahat/start", json=body, headers=basic(who))
    assert r.status_code == 200, r.json
    return r.json["id"]


def to_user_task(c: Any, iid: str) -> str:
    """Complete the external task of `iid` so its user task 'Tinjau hasil' is waiting; its id."""
    locked = c.post(f"{R}/external-task/fetchAndLock", json={"workerId": "w", "maxTasks": 50, "topics": [
        {"topicName": "periksa", "lockDuration": 100000}]}, headers=basic(ADMIN)).json
    for t in locked:
        if t["processInstanceId"] == iid:
            assert c.post(f"{R}/external-task/{t['id']}/complete", json={"workerId": "w"},
                          headers=basic(ADMIN)).status_code == 204
    tasks = c.get(f"{R}/task", query_string={"processInstanceId": iid}, headers=basic(ADMIN)).json
    return tasks[0]["id"]


def to_message_wait(c: Any, iid: str) -> None:
    tid = to_user_task(c, iid)
    r = c.post(f"{R}/task/{tid}/complete", json={"variables": {"setuju": {"value": True}}}, headers=basic(ADMIN))
    assert r.status_code in (200, 204), r.json


# 1. POST /message
def test_message_cannot_reach_other_tenants_or_invisible_instances(c: Any) -> None:
    iid = start(c, businessKey="L1", variables={"rahasia": {"value": "gaji"}})
    to_message_wait(c, iid)
    body = {"messageName": "persetujuan_diterima", "businessKey": "L1", "resultEnabled": True,
            "variablesInResultEnabled": True, "processVariables": {"disuntik": {"value": "x"}}}
    for who in (PPK, TAMU):     # another tenant; the same tenant but in no lane and never took part
        r = c.post(f"{R}/message", json=body, headers=basic(who))
        assert r.status_code == 400 and r.json["type"] == "MismatchingMessageCorrelationException", r.json
        assert "gaji" not in r.get_data(as_text=True)
    variables = c.get(f"{R}/process-instance/{iid}/variables", headers=basic(ADMIN)).json
    assert "disuntik" not in variables
    r = c.post(f"{R}/message", json=body, headers=basic(O2))    # a PPK of lahat sees it: a lane member
    assert r.status_code == 200, r.json
    assert r.json[0]["variables"]["rahasia"]["value"] == "gaji"


def test_message_start_needs_a_start_lane(c: Any) -> None:
    r = c.post(f"{R}/deployment/create", data={"deployment-name": "u", "tenant-id": "lahat",
                                               "undang.bpmn": (io.BytesIO(MESSAGE_START), "undang.bpmn")},
               content_type="multipart/form-data", headers=basic(ADMIN))
    assert r.status_code == 200, r.json
    r = c.post(f"{R}/message", json={"messageName": "undangan", "resultEnabled": True}, headers=basic(OTHER))
    assert r.status_code == 400 and r.json["type"] == "MismatchingMessageCorrelationException"
    assert c.get(f"{R}/process-instance", query_string={"processDefinitionKey": "undang"},
                 headers=basic(ADMIN)).json == []
    r = c.post(f"{R}/message", json={"messageName": "undangan", "resultEnabled": True}, headers=basic(ADMIN))
    assert r.status_code == 200 and r.json[0]["resultType"] == "ProcessDefinition"


# 2. History follows instance visibility, not only the tenant
def test_history_hides_instances_the_user_may_not_see(c: Any) -> None:
    iid = start(c, businessKey="L1", variables={"rahasia": {"value": "gaji"}})
    to_user_task(c, iid)
    lists = ("process-instance", "activity-instance", "task", "variable-instance")
    for path in lists:
        assert c.get(f"{R}/history/{path}", headers=basic(TAMU)).json == [], path
        assert c.get(f"{R}/history/{path}/count", headers=basic(TAMU)).json == {"count": 0}, path
        assert c.post(f"{R}/history/{path}", json={}, headers=basic(TAMU)).json == [], path
        for who in (O2, PO):    # a lane member and the tenant's process owner see it
            assert c.get(f"{R}/history/{path}", headers=basic(who)).json, (path, who)
    assert c.get(f"{R}/history/process-instance/{iid}", headers=basic(TAMU)).status_code == 403
    assert c.get(f"{R}/history/process-instance/{iid}", headers=basic(O2)).status_code == 200
    var = c.get(f"{R}/history/variable-instance", headers=basic(O2)).json[0]["id"]
    assert c.get(f"{R}/history/variable-instance/{var}", headers=basic(TAMU)).status_code == 403
    act = c.get(f"{R}/history/activity-instance", headers=basic(O2)).json[0]["id"]
    assert c.get(f"{R}/history/activity-instance/{act}", headers=basic(TAMU)).status_code == 403
    # Taking part (here: holding a task) makes the instance visible, as on the pages.
    tid = c.get(f"{R}/task", query_string={"processInstanceId": iid}, headers=basic(ADMIN)).json[0]["id"]
    assert c.post(f"{R}/task/{tid}/assignee", json={"userId": TAMU[0]}, headers=basic(ADMIN)).status_code == 204
    assert [i["id"] for i in c.get(f"{R}/history/process-instance", headers=basic(TAMU)).json] == [iid]
    assert c.get(f"{R}/history/process-instance/{iid}", headers=basic(TAMU)).status_code == 200


# 3. Unclaim and set-assignee follow the claim rule
def test_unclaim_and_assignee_follow_the_claim_rule(c: Any) -> None:
    tid = to_user_task(c, start(c))
    assert c.post(f"{R}/task/{tid}/claim", json={"userId": OTHER[0]}, headers=basic(OTHER)).status_code == 204
    # Someone else of the same group can neither take the task over nor release it.
    assert c.post(f"{R}/task/{tid}/assignee", json={"userId": O2[0]}, headers=basic(O2)).status_code == 403
    assert c.post(f"{R}/task/{tid}/unclaim", headers=basic(O2)).status_code == 403
    assert c.post(f"{R}/task/{tid}/complete", json={}, headers=basic(O2)).status_code == 403
    assert c.get(f"{R}/task/{tid}", headers=basic(ADMIN)).json["assignee"] == OTHER[0]
    # The holder may not hand it to someone else, but may release it.
    assert c.post(f"{R}/task/{tid}/assignee", json={"userId": O2[0]}, headers=basic(OTHER)).status_code == 403
    assert c.post(f"{R}/task/{tid}/unclaim", headers=basic(OTHER)).status_code == 204
    # An unclaimed task may be taken with set-assignee by someone who could claim it, for themselves only.
    assert c.post(f"{R}/task/{tid}/assignee", json={"userId": TAMU[0]}, headers=basic(O2)).status_code == 403
    assert c.post(f"{R}/task/{tid}/assignee", json={"userId": O2[0]}, headers=basic(TAMU)).status_code == 403
    assert c.post(f"{R}/task/{tid}/assignee", json={"userId": O2[0]}, headers=basic(O2)).status_code == 204
    # A process owner of the tenant reassigns, but only to someone who may see the task.
    assert c.post(f"{R}/task/{tid}/assignee", json={"userId": PPK[0]}, headers=basic(PO)).status_code == 403
    assert c.post(f"{R}/task/{tid}/assignee", json={"userId": TAMU[0]}, headers=basic(PO)).status_code == 403
    assert c.post(f"{R}/task/{tid}/assignee", json={"userId": OTHER[0]}, headers=basic(PO)).status_code == 204
    assert c.post(f"{R}/task/{tid}/unclaim", headers=basic(PO)).status_code == 204
    assert c.get(f"{R}/task/{tid}", headers=basic(ADMIN)).json["assignee"] is None


# 4. Writes to an instance need a process owner
def test_only_process_owners_change_instances(c: Any) -> None:
    iid = start(c)
    url = f"{R}/process-instance/{iid}"
    assert c.get(url, headers=basic(O2)).status_code == 200      # a lane member sees it
    assert c.post(f"{url}/variables", json={"modifications": {"n": {"value": 1}}},
                  headers=basic(O2)).status_code == 403
    assert c.put(f"{url}/variables/n", json={"value": 1}, headers=basic(OTHER)).status_code == 403
    assert c.delete(f"{url}/variables/rahasia", headers=basic(OTHER)).status_code == 403
    assert c.delete(url, headers=basic(O2)).status_code == 403
    assert c.get(url, headers=basic(ADMIN)).json["ended"] is False
    assert c.put(f"{url}/variables/n", json={"value": 1}, headers=basic(PO)).status_code == 204
    assert c.delete(url, headers=basic(PO)).status_code == 204


# 5. External task lists are narrowed to the caller's tenants
def test_external_task_lists_are_narrowed(c: Any) -> None:
    start(c)
    for path, empty in (("external-task", []), ("external-task/count", {"count": 0}),
                        ("external-task/topic-names", [])):
        assert c.get(f"{R}/{path}", headers=basic(PPK)).json == empty, path
        assert c.get(f"{R}/{path}", headers=basic(OTHER)).json not in (empty, None), path
    assert c.post(f"{R}/external-task", json={}, headers=basic(PPK)).json == []
    assert c.post(f"{R}/external-task/count", json={}, headers=basic(PPK)).json == {"count": 0}
    assert c.get(f"{R}/external-task", query_string={"tenantIdIn": "lahat"}, headers=basic(PPK)).json == []
    assert len(c.get(f"{R}/external-task", query_string={"tenantIdIn": "lahat"}, headers=basic(OTHER)).json) == 1


# 6. Resolving an incident checks its tenant as reading it does
def test_incident_delete_checks_the_tenant(c: Any, auth_app: Any) -> None:
    iid = start(c)
    locked = c.post(f"{R}/external-task/fetchAndLock", json={"workerId": "w", "maxTasks": 5, "topics": [
        {"topicName": "periksa", "lockDuration": 100000}]}, headers=basic(OTHER)).json
    assert c.post(f"{R}/external-task/{locked[0]['id']}/failure", json={
        "workerId": "w", "errorMessage": "rusak", "retries": 0, "retryTimeout": 0},
        headers=basic(OTHER)).status_code == 204
    incident = c.get(f"{R}/incident", query_string={"processInstanceId": iid}, headers=basic(ADMIN)).json[0]["id"]
    assert c.get(f"{R}/incident/{incident}", headers=basic(PPK)).status_code == 403
    assert c.delete(f"{R}/incident/{incident}", headers=basic(PPK)).status_code == 403
    assert c.delete(f"{R}/incident/{incident}", headers=basic(OTHER)).status_code == 400     # ours resolve by retries


# 7. Decision XML by id is judged as a decision, not a process definition
def test_decision_xml_by_id_for_its_tenant(c: Any) -> None:
    assert deploy(c, "risiko.dmn", tenant="lahat", headers=basic(ADMIN)).status_code == 200
    d = c.get(f"{R}/decision-definition", headers=basic(OTHER)).json[0]["id"]
    r = c.get(f"{R}/decision-definition/{d}/xml", headers=basic(OTHER))
    assert r.status_code == 200 and "definitions" in r.json["dmnXml"]
    assert c.get(f"{R}/decision-definition/{d}/xml", headers=basic(PPK)).status_code == 403


# 8. REST starts record the authenticated user
def test_rest_start_records_the_user(c: Any) -> None:
    iid = start(c)
    assert c.get(f"{R}/history/process-instance/{iid}", headers=basic(ADMIN)).json["startUserId"] == OTHER[0]
    r = c.post(f"{R}/process-definition/key/layanan/tenant-id/lahat/submit-form", json={}, headers=basic(OTHER))
    assert c.get(f"{R}/history/process-instance/{r.json['id']}", headers=basic(ADMIN)).json["startUserId"] == OTHER[0]


# 10. Every /engine-rest route has an explicit rule
def test_every_route_has_a_rule(auth_app: Any) -> None:
    from service.api.access import route_rule
    from service.api.routes import ROUTE_RULES

    rest = [r for r in auth_app.url_map.iter_rules() if r.rule.startswith("/engine-rest")]
    missing = [(r.rule, m) for r in rest for m in sorted((r.methods or set()) - {"HEAD", "OPTIONS"})
               if route_rule(r.rule, m) is None]
    assert missing == []
    known = {(r.rule[len("/engine-rest"):], m) for r in rest for m in r.methods or set()}
    assert sorted(set(ROUTE_RULES) - known) == []       # no stale entries either


def test_no_route_shadows_another(auth_app: Any) -> None:
    """One handler per path and method: a second one would never answer."""
    seen: dict[tuple[str, str], str] = {}
    shadowed = []
    for r in auth_app.url_map.iter_rules():
        for m in (r.methods or set()) - {"HEAD", "OPTIONS"}:
            if (r.rule, m) in seen:
                shadowed.append((r.rule, m, seen[(r.rule, m)], r.endpoint))
            seen[(r.rule, m)] = r.endpoint
    assert shadowed == []


def test_a_route_without_a_rule_is_refused(auth_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from service.api import routes

    monkeypatch.delitem(routes.ROUTE_RULES, ("/task", "GET"))
    c = auth_app.test_client()
    assert c.get(f"{R}/task", headers=basic(PPK)).status_code == 403
    assert c.get(f"{R}/task", headers=basic(ADMIN)).status_code == 200


# 9. One tenant filter for every list: withoutTenantId and tenantIdIn mean the same for everyone
def test_without_tenant_id_means_the_same_for_restricted_users(auth_app: Any) -> None:
    from service import ops as O

    c = auth_app.test_client()
    ctx = auth_app.extensions["alur"].ops
    for tenant in (None, "pagaralam", "lahat"):
        assert deploy(c, "layanan.bpmn", "risiko.dmn", tenant=tenant, headers=basic(ADMIN)).status_code == 200
        O.start_instance(ctx, key="layanan", tenant=tenant, variables={"x": 1}, user=PPK[0])
    paths = ("process-definition", "decision-definition", "deployment", "process-instance", "task",
             "history/process-instance", "history/activity-instance", "history/variable-instance",
             "external-task", "job", "incident")
    for path in paths:
        for qs in ({"withoutTenantId": "true"}, {"tenantIdIn": "pagaralam"}, {}):
            admin = c.get(f"{R}/{path}", query_string=qs, headers=basic(ADMIN)).json
            ppk = c.get(f"{R}/{path}", query_string=qs, headers=basic(PPK)).json
            tenants = sorted({str(x.get("tenantId")) for x in ppk})
            if qs.get("withoutTenantId"):
                assert tenants in ([], ["None"]) and len(ppk) == len(admin), (path, ppk)
            elif qs.get("tenantIdIn"):
                assert tenants in ([], ["pagaralam"]) and len(ppk) == len(admin), (path, ppk)
            else:
                assert "lahat" not in tenants, (path, ppk)
        if path not in ("task", "job", "incident"):     # none of those exists here yet
            assert c.get(f"{R}/{path}", query_string={"withoutTenantId": "true"}, headers=basic(PPK)).json, path
    assert c.get(f"{R}/process-definition", query_string={"tenantIdIn": "lahat"}, headers=basic(PPK)).json == []


def test_apply_tenant_filter(auth_app: Any) -> None:
    from flask import g

    from service.api.access import TenantScope, apply_tenant_filter
    from service.ops.access import Principal

    with auth_app.test_request_context():
        assert apply_tenant_filter(None) == TenantScope(None, True)            # no principal: as asked
        assert apply_tenant_filter(["b", "a"]) == TenantScope(["a", "b"], False)
        g.rest_principal = Principal.of("u", ["PPK"], ["a", "b"])
        assert apply_tenant_filter(None) == TenantScope(["a", "b"], True)
        assert apply_tenant_filter(None, without_tenant=True) == TenantScope([], True)
        assert apply_tenant_filter(["a", "c"]) == TenantScope(["a"], False)
        assert apply_tenant_filter(["c"]).empty
        assert apply_tenant_filter(["c"], include_without_tenant=True) == TenantScope([], True)
        assert TenantScope([], True).three_way() == {"tenant_ids": None, "include_without_tenant": False,
                                                     "without_tenant": True}
        assert TenantScope(["a"], True).split() == (["a"], True)
        assert TenantScope(None, True).explicit() == {"tenant_ids": None, "include_without_tenant": False}
        g.rest_principal = Principal.of("root", ["admin"], [])
        assert apply_tenant_filter(["c"]) == TenantScope(["c"], False)
