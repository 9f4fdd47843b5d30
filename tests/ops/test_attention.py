"""Stuck work shows itself (issue 14, item 4): instances with an open incident or a step past its SOP time
are found in SQL for a process owner of their tenant, incidents first; SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.ops import deploy, start_instance
from service.ops.access import Principal
from service.ops.attention import counts_by_definition, flags, needing_attention
from service.store import Incident, ProcessInstance

MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://alur.test">
  <bpmn:process id="cek_waktu" isExecutable="true">
    <bpmn:startEvent id="mulai"/>
    <bpmn:sequenceFlow id="f1" sourceRef="mulai" targetRef="periksa"/>
    <bpmn:userTask id="periksa" name="Periksa" camunda:candidateGroups="PPK">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="mutu.waktu" value="P1D"/></camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="periksa" targetRef="akhir"/>
    <bpmn:endEvent id="akhir"/>
  </bpmn:process>
</bpmn:definitions>
"""

OWNER = Principal.of("po", ["process-owner"], ["pagaralam"])
OTHER_OWNER = Principal.of("po2", ["process-owner"], ["lahat"])
STAFF = Principal.of("ppk", ["PPK"], ["pagaralam"])


def test_incidents_first_then_late_steps(ctx: Any, clock: Any) -> None:
    deploy(ctx, [("cek_waktu.bpmn", MODEL)], tenant="pagaralam")
    early = start_instance(ctx, key="cek_waktu", tenant="pagaralam")
    clock.advance(timedelta(hours=1))
    later = start_instance(ctx, key="cek_waktu", tenant="pagaralam")
    fine = start_instance(ctx, key="cek_waktu", tenant="pagaralam")
    assert needing_attention(ctx, OWNER) == []
    clock.advance(timedelta(days=5))
    fresh = start_instance(ctx, key="cek_waktu", tenant="pagaralam")
    with ctx.transaction() as session:
        session.add(Incident(instance_id=later.id, definition_id=later.definition_id, tenant_id="pagaralam",
                             incident_type="failedJob", message="rusak", created=clock.now()))
    with ctx.transaction() as session:
        session.get(ProcessInstance, later.id).incident = True
    found = [v.id for v in needing_attention(ctx, OWNER)]
    assert found == [later.id, early.id, fine.id]          # the incident first, then the oldest late ones
    assert fresh.id not in found
    assert needing_attention(ctx, OTHER_OWNER) == [] and needing_attention(ctx, STAFF) == []
    marks = flags(ctx, [later.id, fresh.id])
    assert (marks[later.id].incident, marks[later.id].late, marks[fresh.id].late) == (True, True, False)
    counts = counts_by_definition(ctx, OWNER)[early.definition_id]
    assert (counts["incident"], counts["late"]) == (1, 3)
