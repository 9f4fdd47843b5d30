"""The instance page links a caller to the instances its call activities started, and back."""
from __future__ import annotations

import re

from service.ops import deploy
from service.ops.instances import start_instance

from .support import login, text

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://alur.test">\n')


def _model(key: str, body: str, nodes: list[str]) -> bytes:
    refs = "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>" for n in nodes)
    return (HEAD + f'<bpmn:process id="{key}" name="Uji {key}" isExecutable="true">'
            f'<bpmn:laneSet id="ls"><bpmn:lane id="l_ppk" name="PPK">{refs}</bpmn:lane></bpmn:laneSet>'
            f'{body}</bpmn:process></bpmn:definitions>').encode()


CHILD = _model("uji_anak", '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="t"/>'
               '<bpmn:userTask id="t" name="Tugas anak"/><bpmn:sequenceFlow id="b" sourceRef="t" targetRef="e"/>'
               '<bpmn:endEvent id="e"/>', ["s", "t", "e"])
PARENT = _model("uji_induk", '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="c"/>'
                '<bpmn:callActivity id="c" name="Panggil" calledElement="uji_anak"><bpmn:extensionElements>'
                '<camunda:in businessKey="PKT-1"/></bpmn:extensionElements></bpmn:callActivity>'
                '<bpmn:sequenceFlow id="b" sourceRef="c" targetRef="e"/><bpmn:endEvent id="e"/>', ["s", "c", "e"])


def test_instance_page_links_caller_and_called_instances(make_client, app):
    ctx = app.extensions["alur"].ops
    deploy(ctx, [("uji_anak.bpmn", CHILD), ("uji_induk.bpmn", PARENT)], name="uji", tenant="pagaralam")
    caller = start_instance(ctx, key="uji_induk", tenant="pagaralam", user="ppk.pagaralam")
    ppk = make_client()
    login(ppk, "ppk.pagaralam")
    page = text(ppk.get(f"/proses/{caller.id}"))
    assert "Proses yang dipanggil" in page
    [child_url] = re.findall(r'href="(/proses/[0-9a-f-]+)" data-called-instance>uji_anak — PKT-1', page)
    child_page = text(ppk.get(child_url))
    assert "Tugas anak" in child_page
    assert re.search(rf'href="/proses/{caller.id}" data-super-instance>', child_page)
    assert "data-called-instance" not in child_page
