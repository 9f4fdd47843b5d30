"""Camunda 7's invoice example (tests/fixtures/camunda/invoice, byte for byte from camunda-bpm-platform),
deployed unchanged over /engine-rest with the example plugin (examples/alur-invoice-plugin) and driven as
Camunda's InvoiceTestCase drives it: the approve path, the clarification path through reviewInvoice, the
approver assignment, and the DMN's answers."""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Any, Iterator

import pytest

from support import make_app
from service.engine import FrozenClock

R = "/engine-rest"
HERE = Path(__file__).resolve().parents[1] / "fixtures" / "camunda" / "invoice"
PLUGIN = Path(__file__).resolve().parents[2] / "examples" / "alur-invoice-plugin"
FILES = ("invoice.v2.bpmn", "invoiceBusinessDecisions.dmn", "reviewInvoice.bpmn")
ARCHIVE = "org.camunda.bpm.example.invoice.service.ArchiveInvoiceService"


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.syspath_prepend(str(PLUGIN))          # the plugin named in configuration, not installed
    app = make_app(tmp_path, FrozenClock(), ALUR_REST_AUTH="off", ALUR_DELEGATE_MODULES="alur_invoice_plugin")
    yield app.test_client()
    app.extensions["alur"].db.dispose()


def _deploy(client: Any) -> Any:
    import io
    data: dict[str, Any] = {"deployment-name": "invoice", "deployment-source": "pytest"}
    for name in FILES:
        data[name] = (io.BytesIO((HERE / name).read_bytes()), name)
    response = client.post(f"{R}/deployment/create", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.json
    return response.json


def _invoice_variables(**extra: Any) -> dict[str, Any]:
    return {"creditor": {"value": "Great Pizza for Everyone Inc.", "type": "String"},
            "amount": {"value": 300.0, "type": "Double"},
            "invoiceCategory": {"value": "Travel Expenses", "type": "String"},
            "invoiceNumber": {"value": "GPFE-23232323", "type": "String"},
            "invoiceDocument": {"value": base64.b64encode((HERE / "invoice.pdf").read_bytes()).decode(),
                                "type": "File", "valueInfo": {"filename": "invoice.pdf",
                                                              "mimeType": "application/pdf"}},
            **extra}


def _the_task(client: Any, instance_id: str) -> dict[str, Any]:
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": instance_id}).json
    return task


def _groups(client: Any, task_id: str) -> set[str]:
    return {link["groupId"] for link in client.get(f"{R}/task/{task_id}/identity-links").json
            if link["type"] == "candidate"}


def _assert_ended_at(client: Any, instance_id: str, end_event: str) -> None:
    [done] = client.get(f"{R}/history/process-instance", query_string={"processInstanceId": instance_id}).json
    assert done["state"] == "COMPLETED"
    ends = client.get(f"{R}/history/activity-instance", query_string={
        "processInstanceId": instance_id, "activityType": "endEvent"}).json
    assert [a["activityId"] for a in ends if a["activityId"].startswith("invoice")] == [end_event]


def _complete(client: Any, task_id: str, **variables: Any) -> None:
    body = {"variables": {k: {"value": v} for k, v in variables.items()}}
    response = client.post(f"{R}/task/{task_id}/complete", json=body)
    assert response.status_code == 204, response.json


def test_the_models_deploy_unchanged_and_name_no_missing_handler(client: Any) -> None:
    deployment = _deploy(client)
    assert deployment["warnings"] == []
    keys = sorted(d["key"] for d in deployment["deployedProcessDefinitions"].values())
    assert keys == ["ReviewInvoice", "invoice"]
    assert sorted(d["key"] for d in deployment["deployedDecisionDefinitions"].values()) == [
        "invoice-assign-approver", "invoiceClassification"]
    stored = client.get(f"{R}/deployment/{deployment['id']}/resources").json
    for resource in stored:
        data = client.get(f"{R}/deployment/{deployment['id']}/resources/{resource['id']}/data").data
        assert data == (HERE / resource["name"]).read_bytes()


def test_without_the_plugin_the_archive_handler_is_a_deploy_warning(tmp_path: Path) -> None:
    app = make_app(tmp_path, FrozenClock(), ALUR_REST_AUTH="off")
    warnings = _deploy(app.test_client())["warnings"]
    assert len(warnings) == 1 and f"ServiceTask_1: handler '{ARCHIVE}' is not registered" in warnings[0]


@pytest.mark.parametrize("amount, category, groups", [
    (300.0, "Travel Expenses", ["accounting", "sales"]),      # InvoiceTestCase's invoice
    (100.0, "Misc", ["accounting", "sales"]),                  # < 250 Misc: day-to-day expense
    (250.0, "Misc", ["management"]),                           # [250..1000] Misc: budget
    (1000.0, "Misc", ["management"]),
    (1000.5, "Misc", ["management"]),                          # > 1000 Misc: exceptional
    (10.0, "Software License Costs", ["management"]),          # budget
])
def test_the_decisions_give_camundas_answers(client: Any, amount: float, category: str, groups: list[str]) -> None:
    _deploy(client)
    answer = client.post(f"{R}/decision-definition/key/invoice-assign-approver/evaluate", json={"variables": {
        "amount": {"value": amount, "type": "Double"}, "invoiceCategory": {"value": category}}})
    assert answer.status_code == 200, answer.json
    assert sorted(row["result"]["value"] for row in answer.json) == groups


def test_the_approve_path(client: Any) -> None:
    _deploy(client)
    pi = client.post(f"{R}/process-definition/key/invoice/start", json={"variables": _invoice_variables()}).json
    task = _the_task(client, pi["id"])
    assert task["taskDefinitionKey"] == "approveInvoice" and _groups(client, task["id"]) == {"accounting", "sales"}
    _complete(client, task["id"], approved=True)
    task = _the_task(client, pi["id"])
    assert task["taskDefinitionKey"] == "prepareBankTransfer" and _groups(client, task["id"]) == {"accounting"}
    _complete(client, task["id"])
    _assert_ended_at(client, pi["id"], "invoiceProcessed")
    archived = client.get(f"{R}/history/variable-instance", query_string={
        "processInstanceId": pi["id"], "variableName": "archivedDocument"}).json
    assert [v["value"] for v in archived] == ["invoice.pdf"]
    [document] = client.get(f"{R}/history/variable-instance", query_string={
        "processInstanceId": pi["id"], "variableName": "invoiceDocument"}).json
    pdf = client.get(f"{R}/history/variable-instance/{document['id']}/data").data
    assert pdf == (HERE / "invoice.pdf").read_bytes()


def test_claiming_approve_invoice_records_the_approver(client: Any) -> None:
    _deploy(client)
    pi = client.post(f"{R}/process-definition/key/invoice/start", json={"variables": _invoice_variables()}).json
    task = _the_task(client, pi["id"])
    assert client.get(f"{R}/task/{task['id']}/variables/approver").status_code == 404
    assert client.post(f"{R}/task/{task['id']}/claim", json={"userId": "mary"}).status_code == 204
    assert client.get(f"{R}/task/{task['id']}/variables/approver").json["value"] == "mary"


@pytest.mark.parametrize("clarified", [False, True])
def test_the_clarification_path_through_review_invoice(client: Any, clarified: bool) -> None:
    _deploy(client)
    pi = client.post(f"{R}/process-definition/key/invoice/start", json={"variables": _invoice_variables()}).json
    task = _the_task(client, pi["id"])
    assert client.post(f"{R}/task/{task['id']}/claim", json={"userId": "mary"}).status_code == 204
    _complete(client, task["id"], approved=False)
    tasks = client.get(f"{R}/task").json
    [task] = [t for t in tasks if t["taskDefinitionKey"] == "assignReviewer"]
    assert task["assignee"] == "demo"
    _complete(client, task["id"], reviewer="peter")
    [task] = [t for t in client.get(f"{R}/task").json if t["taskDefinitionKey"] == "reviewInvoice"]
    assert task["assignee"] == "peter"
    _complete(client, task["id"], clarified=clarified)
    if not clarified:
        _assert_ended_at(client, pi["id"], "invoiceNotProcessed")
        return
    # Clarified: back to approveInvoice, assigned by its create listener to the approver who claimed it.
    task = _the_task(client, pi["id"])
    assert task["taskDefinitionKey"] == "approveInvoice" and task["assignee"] == "mary"
    _complete(client, task["id"], approved=True)
    _complete(client, _the_task(client, pi["id"])["id"])
    _assert_ended_at(client, pi["id"], "invoiceProcessed")


def test_a_failing_archive_is_an_incident_and_a_retry_finishes_the_invoice(client: Any) -> None:
    """Camunda's demo data starts invoices with shouldFail=true to show an incident on the archive job."""
    _deploy(client)
    variables = _invoice_variables(shouldFail={"value": True, "type": "Boolean"})
    pi = client.post(f"{R}/process-definition/key/invoice/start", json={"variables": variables}).json
    _complete(client, _the_task(client, pi["id"])["id"], approved=True)
    _complete(client, _the_task(client, pi["id"])["id"])
    [incident] = client.get(f"{R}/incident", query_string={"processInstanceId": pi["id"]}).json
    assert incident["activityId"] == "ServiceTask_1" and f"handler '{ARCHIVE}' failed" in incident["incidentMessage"]
    assert "Could not archive invoice..." in incident["incidentMessage"]
    assert client.put(f"{R}/process-instance/{pi['id']}/variables/shouldFail",
                      json={"value": False, "type": "Boolean"}).status_code == 204
    [job] = client.get(f"{R}/job", query_string={"processInstanceId": pi["id"]}).json
    assert client.put(f"{R}/job/{job['id']}/retries", json={"retries": 1}).status_code == 204
    assert client.get(f"{R}/incident", query_string={"processInstanceId": pi["id"]}).json == []
    _assert_ended_at(client, pi["id"], "invoiceProcessed")
