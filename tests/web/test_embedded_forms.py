"""A task whose form is a Camunda Tasklist embedded form (the invoice example's `embedded:app:forms/...`):
the page says it cannot run it and points to /engine-rest, in Indonesian and English."""
from __future__ import annotations

from typing import Any

from service.ops import TaskQuery, deploy, query_tasks, start_instance

from .support import login, post, text

MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="x">
  <bpmn:process id="tertanam" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="approve" />
    <bpmn:userTask id="approve" camunda:candidateGroups="PPK"
        camunda:formKey="embedded:app:forms/approve-invoice.html">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="e" />
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def test_an_embedded_form_is_named_not_rendered(make_client: Any, ctx: Any) -> None:
    deploy(ctx, [("tertanam.bpmn", MODEL)], name="tertanam", tenant="pagaralam")
    start_instance(ctx, key="tertanam", tenant="pagaralam")
    [task] = query_tasks(ctx, TaskQuery(definition_key="tertanam"))
    client = make_client()
    login(client, "ppk.pagaralam")
    page = client.get(f"/tugas/{task.id}")
    assert page.status_code == 501
    assert "formulir tertanam Camunda Tasklist (embedded:app:forms/approve-invoice.html)" in text(page)
    post(client, "/bahasa", {"lang": "en", "next": "/"})
    page = client.get(f"/tugas/{task.id}")
    assert "Camunda Tasklist embedded form" in text(page) and "/engine-rest" in text(page)


def test_an_embedded_start_form_is_named_not_rendered(make_client: Any, ctx: Any) -> None:
    model = MODEL.replace(b'<bpmn:startEvent id="s">',
                          b'<bpmn:startEvent id="s" camunda:formKey="embedded:app:forms/start-form.html">')
    model = model.replace(b'<bpmn:process id="tertanam" isExecutable="true">',
                          b'<bpmn:process id="tertanam" name="Tertanam" isExecutable="true"><bpmn:laneSet id="ls">'
                          b'<bpmn:lane id="L" name="PPK"><bpmn:flowNodeRef>s</bpmn:flowNodeRef>'
                          b'<bpmn:flowNodeRef>approve</bpmn:flowNodeRef><bpmn:flowNodeRef>e</bpmn:flowNodeRef>'
                          b'</bpmn:lane></bpmn:laneSet>')
    [definition] = deploy(ctx, [("tertanam.bpmn", model)], name="tertanam", tenant="pagaralam").processes
    client = make_client()
    login(client, "ppk.pagaralam")
    page = client.get(f"/mulai/{definition.id}")
    assert page.status_code == 501 and "embedded:app:forms/start-form.html" in text(page)
