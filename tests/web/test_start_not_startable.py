"""A process with camunda:isStartableInTasklist="false" is not offered on the start page and cannot be
started from it (Camunda's Tasklist hides it: BpmnParseTest.testParseProcessDefinitionStartable); REST
still starts it."""
from __future__ import annotations

from typing import Any

from service.ops.deployments import deploy
from tests.web.support import lane_model, login, text


def test_start_page_hides_processes_not_startable_in_tasklist(small_app: Any) -> None:
    ctx = small_app.extensions["alur"].ops
    hidden = lane_model("PPK", key="tersembunyi").replace(
        b'isExecutable="true"', b'isExecutable="true" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
                                b'camunda:isStartableInTasklist="false"')
    view = deploy(ctx, [("a.bpmn", lane_model("PPK", key="terlihat")), ("b.bpmn", hidden)], tenant="t")
    hidden_id = next(p.id for p in view.processes if p.key == "tersembunyi")
    client = small_app.test_client()
    login(client, "ppk")
    page = text(client.get("/mulai"))
    assert "Proses terlihat" in page
    assert "Proses tersembunyi" not in page
    assert client.get(f"/mulai/{hidden_id}").status_code == 403
