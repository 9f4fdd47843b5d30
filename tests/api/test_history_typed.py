"""History of decisions evaluated by business rule tasks (definition and inputs) and typed variable
history (dates stay Date)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from support import deploy, typed

R = "/engine-rest"


def test_decision_in_a_process_names_its_definition_and_inputs(client: Any, clock: Any) -> None:
    deploy(client, "risiko.dmn", name="v1")
    clock.advance(timedelta(minutes=1))
    pi = client.post(f"{R}/process-definition/key/penilaian/start",
                     json={"variables": {"nilai": typed(250_000_000, "Long")}})
    assert pi.status_code == 404           # the process is not deployed yet
    deploy(client, "penilaian.bpmn", name="proses")
    clock.advance(timedelta(minutes=1))
    pi = client.post(f"{R}/process-definition/key/penilaian/start",
                     json={"variables": {"nilai": typed(250_000_000, "Long")}}).json
    [v1] = client.get(f"{R}/decision-definition", query_string={"key": "tingkat_risiko"}).json
    # A later version does not change which definition the earlier evaluation used.
    clock.advance(timedelta(minutes=1))
    deploy(client, "risiko.dmn", name="v2")
    # Later changes of the variables do not change the inputs the decision saw.
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": pi["id"]}).json
    assert client.post(f"{R}/task/{task['id']}/complete",
                       json={"variables": {"nilai": typed(5, "Long")}}).status_code == 204
    [d] = client.get(f"{R}/history/decision-instance", query_string={
        "processInstanceId": pi["id"], "includeInputs": "true", "includeOutputs": "true"}).json
    assert d["decisionDefinitionId"] == v1["id"] and d["decisionDefinitionKey"] == "tingkat_risiko"
    assert d["decisionDefinitionName"] == "Tingkat risiko" and d["activityId"] == "Nilai"
    assert d["processDefinitionKey"] == "penilaian" and d["processInstanceId"] == pi["id"]
    [nilai] = client.get(f"{R}/history/activity-instance", query_string={"activityId": "Nilai"}).json
    assert d["activityInstanceId"] == nilai["id"] and nilai["activityType"] == "businessRuleTask"
    [inp] = d["inputs"]
    assert inp["clauseId"] == "In_1" and inp["clauseName"] == "Nilai paket"
    assert inp["value"] == 250_000_000 and inp["type"] == "Integer" and inp["decisionInstanceId"] == d["id"]
    assert {o["variableName"]: o["value"] for o in d["outputs"]} == {"risiko": "tinggi", "skor": 3}
    # Filtering by the resolved definition id, and lookup by id with inputs.
    assert client.get(f"{R}/history/decision-instance/count",
                      query_string={"decisionDefinitionId": v1["id"]}).json == {"count": 1}
    got = client.get(f"{R}/history/decision-instance/{d['id']}", query_string={"includeInputs": "true"}).json
    assert got["inputs"] == d["inputs"] and got["outputs"] is None
    assert client.get(f"{R}/history/decision-instance", query_string={"processInstanceId": pi["id"]}
                      ).json[0]["inputs"] is None


def test_variable_history_keeps_types(client: Any) -> None:
    deploy(client, "penilaian.bpmn", "risiko.dmn")
    variables = {"nilai": typed(10, "Long"), "tenggat": typed("2026-03-01T09:30:00.000+0000", "Date"),
                 "setuju": typed(True, "Boolean"), "bobot": typed(1.5, "Double"), "kosong": typed(None, "Null"),
                 "rincian": typed('{"a": [1, 2]}', "Json"), "catatan": typed("2026-03-01", "String"),
                 "besar": typed(2**40, "Long"), "genap": typed(2.0, "Double")}
    pi = client.post(f"{R}/process-definition/key/penilaian/start", json={"variables": variables}).json
    runtime = client.get(f"{R}/process-instance/{pi['id']}/variables").json
    history = {v["name"]: v for v in client.get(f"{R}/history/variable-instance",
                                                query_string={"processInstanceId": pi["id"]}).json}
    for name in variables:
        assert history[name]["type"] == runtime[name]["type"], name
        assert history[name]["value"] == runtime[name]["value"], name
    assert history["tenggat"]["type"] == "Date" and history["tenggat"]["value"] == "2026-03-01T09:30:00.000+0000"
    assert history["catatan"]["type"] == "String" and history["besar"]["type"] == "Long"
    assert client.get(f"{R}/history/variable-instance/{history['tenggat']['id']}").json["type"] == "Date"


def test_recorded_value_types_round_trip() -> None:
    from datetime import date, datetime, timezone

    from service.ops.history_values import annotate_event_data, restore_value
    from service.ops.values import json_safe

    when = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
    for value, kind in ((when, "Date"), (date(2026, 3, 1), "LocalDate")):
        data = json_safe(annotate_event_data("variable_set", {"name": "x", "value": value}))
        assert data["valueType"] == kind and restore_value(data["value"], data["valueType"]) == value
    # Text stays text, also when it looks like a date; only datetime.isoformat()'s own form is a Date
    # in rows written before types were recorded.
    assert annotate_event_data("variable_set", {"name": "s", "value": "2026-03-01"}) == {"name": "s",
                                                                                       "value": "2026-03-01"}
    assert restore_value("2026-03-01") == "2026-03-01"
    assert restore_value("2026-03-01T09:30:00.000+0000") == "2026-03-01T09:30:00.000+0000"
    assert restore_value("2026-03-01T09:30:00+00:00") == when
    assert restore_value("bukan tanggal", "Date") == "bukan tanggal"
    assert annotate_event_data("variable_removed", {"name": "x"}) == {"name": "x"}
