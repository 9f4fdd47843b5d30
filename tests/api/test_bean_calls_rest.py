"""Bean method calls in text-or-expression attributes (camunda:assignee="#{svc.method(x)}"): deploy with a
warning naming an unregistered bean, an incident naming it when reached, and run once it is registered."""
from __future__ import annotations

from typing import Any

import pytest

from support import deploy_rest

R = "/engine-rest"


def _model(assignee: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="tinjau" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review" />
    <bpmn:userTask id="review" camunda:assignee="{assignee}"><bpmn:incoming>f1</bpmn:incoming></bpmn:userTask>
  </bpmn:process>
</bpmn:definitions>
""".encode()


class _Requesters:
    def findRequester(self, announcement: str) -> str:
        return f"pemohon-{announcement}"


def test_an_unregistered_bean_deploys_with_a_warning_and_fails_when_reached(client: Any, ctx: Any) -> None:
    model = _model("#{announcements.findRequester(announcementId)}")
    response = deploy_rest(client, ("tinjau.bpmn", model))
    assert response.status_code == 200
    [warning] = response.json["warnings"]
    assert "tinjau.bpmn: review: handler 'announcements' is not registered" in warning
    started = client.post(f"{R}/process-definition/key/tinjau/start", json={"variables": {
        "announcementId": {"value": "A7", "type": "String"}}})
    assert started.status_code == 500 and "bean 'announcements'" in started.json["message"]
    assert "review" in started.json["message"]
    ctx.delegates.register("announcements", _Requesters)
    pi = client.post(f"{R}/process-definition/key/tinjau/start", json={"variables": {
        "announcementId": {"value": "A7", "type": "String"}}}).json
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": pi["id"]}).json
    assert task["assignee"] == "pemohon-A7"


@pytest.mark.parametrize("assignee", ["${announcements.getClass().forName('x')}", "${x.getClass()}"])
def test_reflection_stays_refused_at_deploy(client: Any, assignee: str) -> None:
    response = deploy_rest(client, ("tinjau.bpmn", _model(assignee)))
    assert response.status_code == 400 and "not allowed" in response.json["message"]
