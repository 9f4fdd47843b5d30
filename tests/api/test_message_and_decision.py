"""POST /message correlation and decision evaluation through /engine-rest."""
from __future__ import annotations

from typing import Any

from service import ops
from support import deploy_rest, typed


def _start(client: Any, business_key: str, **variables: Any) -> str:
    r = client.post("/engine-rest/process-definition/key/tunggu_dokumen/start",
                    json={"businessKey": business_key, "variables": {k: typed(v) for k, v in variables.items()}})
    assert r.status_code == 200, r.json
    return r.json["id"]


def test_correlate_by_business_key(client: Any, ctx: Any) -> None:
    assert deploy_rest(client, "pesan.bpmn", "permintaan.bpmn").status_code == 200
    a = _start(client, "PKT-A", wilayah="utara")
    b = _start(client, "PKT-B", wilayah="selatan")
    # Two instances wait: ambiguous without a business key.
    r = client.post("/engine-rest/message", json={"messageName": "dokumen_diterima"})
    assert r.status_code == 400 and r.json["type"] == "MismatchingMessageCorrelationException"
    assert "2 executions" in r.json["message"]
    r = client.post("/engine-rest/message", json={"messageName": "dokumen_diterima", "businessKey": "PKT-B",
                                                  "processVariables": {"nomor": typed("SRT-9")},
                                                  "resultEnabled": True, "variablesInResultEnabled": True})
    assert r.status_code == 200, r.json
    assert r.json[0]["resultType"] == "Execution" and r.json[0]["execution"]["processInstanceId"] == b
    assert r.json[0]["variables"]["nomor"]["value"] == "SRT-9"
    assert [t.element_id for t in ops.query_tasks(ctx, instance_id=b)] == ["Periksa"]
    assert ops.query_tasks(ctx, instance_id=a) == []
    # Correlation keys narrow by process variables.
    r = client.post("/engine-rest/message", json={"messageName": "dokumen_diterima",
                                                  "correlationKeys": {"wilayah": typed("utara")}})
    assert r.status_code == 204
    assert [t.element_id for t in ops.query_tasks(ctx, instance_id=a)] == ["Periksa"]
    # Nobody waits any more.
    r = client.post("/engine-rest/message", json={"messageName": "dokumen_diterima", "businessKey": "PKT-A"})
    assert r.status_code == 400 and "No process definition or execution matches" in r.json["message"]


def test_message_start_event(client: Any, ctx: Any) -> None:
    assert deploy_rest(client, "permintaan.bpmn", tenant="pagaralam").status_code == 200
    r = client.post("/engine-rest/message", json={"messageName": "permintaan_baru", "businessKey": "REQ-1",
                                                  "processVariables": {"pemohon": typed("Dinas PU")},
                                                  "resultEnabled": True})
    assert r.status_code == 200, r.json
    result = r.json[0]
    assert result["resultType"] == "ProcessDefinition"
    instance = result["processInstance"]
    assert instance["businessKey"] == "REQ-1" and instance["tenantId"] == "pagaralam"
    assert ops.get_variables(ctx, instance["id"])["pemohon"] == "Dinas PU"
    assert [t.element_id for t in ops.query_tasks(ctx, instance_id=instance["id"])] == ["Catat"]


def test_message_errors(client: Any) -> None:
    assert client.post("/engine-rest/message", json={}).status_code == 400
    r = client.post("/engine-rest/message", json={"messageName": "x", "all": "kadang"})
    assert r.status_code == 400 and "all" in r.json["message"]


def test_evaluate_decision(client: Any, app: Any) -> None:
    dep = deploy_rest(client, "risiko.dmn", tenant="pagaralam").json
    decision_id = next(iter(dep["deployedDecisionDefinitions"]))
    r = client.post("/engine-rest/decision-definition/key/tingkat_risiko/tenant-id/pagaralam/evaluate",
                    json={"variables": {"nilai": typed(250_000_000, "Long")}})
    assert r.status_code == 200, r.json
    assert r.json == [{"risiko": {"type": "String", "value": "tinggi", "valueInfo": {}},
                       "skor": {"type": "Integer", "value": 3, "valueInfo": {}}}]
    r = client.post(f"/engine-rest/decision-definition/{decision_id}/evaluate",
                    json={"variables": {"nilai": typed(1000)}})
    assert r.status_code == 200 and r.json[0]["risiko"]["value"] == "rendah"
    r = client.post("/engine-rest/decision-definition/key/tingkat_risiko/evaluate", json={"variables": {}})
    assert r.status_code == 404          # tenant-only decision, no tenant given
    r = client.post("/engine-rest/decision-definition/key/tidak_ada/tenant-id/pagaralam/evaluate", json={})
    assert r.status_code == 404 and "tidak_ada" in r.json["message"]
    r = client.post(f"/engine-rest/decision-definition/{decision_id}/evaluate", json={"variables": {"nilai": 5}})
    assert r.status_code == 400 and "nilai" in r.json["message"]
    # Recorded in history with the matched rule.
    from sqlalchemy import select
    from service.store import HistoryEvent
    with app.extensions["alur"].db.unit_of_work() as s:
        events = list(s.scalars(select(HistoryEvent).where(HistoryEvent.kind == "decision_evaluated")
                                .order_by(HistoryEvent.id)))
    assert len(events) == 2
    assert events[0].data["matched_rules"][0]["rule_id"] == "Rule_tinggi"
    assert events[0].data["inputs"] == {"nilai": 250_000_000}


def test_history_of_instance(client: Any, ctx: Any) -> None:
    deploy_rest(client, "pengadaan.bpmn")
    inst = client.post("/engine-rest/process-definition/key/pengadaan/start", json={}).json
    task = client.get("/engine-rest/task", query_string={"processInstanceId": inst["id"]}).json[0]
    client.post(f"/engine-rest/task/{task['id']}/claim", json={"userId": "budi"})
    client.post(f"/engine-rest/task/{task['id']}/complete", json={"variables": {"catatan": typed("ok")}},
                headers={"X-Alur-User": "budi"})
    events = ops.history(ctx, inst["id"])
    kinds = [(e.kind, e.element_id) for e in events]
    assert kinds[0] == ("instance_started", None)
    assert ("activity_ended", "Siapkan") in kinds
    ended = next(e for e in events if e.kind == "activity_ended" and e.element_id == "Siapkan")
    assert ended.user_id == "budi" and ended.lane == "PPK"
    assert any(e.kind == "variable_set" and e.data.get("name") == "catatan" for e in events)
