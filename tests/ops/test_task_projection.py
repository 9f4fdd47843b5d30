"""The user-task projection updated in place: a row reused for the next task keeps nothing of the one
before (claim, identity links, candidates), and splits and joins (more or fewer tasks) stay exact."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from service import ops
from service.ops import tasks as task_ops
from service.store import HistoryEvent, TaskCandidate, UserTask

PARALLEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_par" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="bercabang" isExecutable="true">
    <bpmn:startEvent id="Mulai" />
    <bpmn:userTask id="Ajukan" name="Ajukan" camunda:candidateGroups="staf,pokja" />
    <bpmn:parallelGateway id="Pisah" />
    <bpmn:userTask id="Periksa" name="Periksa" camunda:candidateUsers="budi" />
    <bpmn:userTask id="Hitung" name="Hitung" camunda:dueDate="2030-01-02T00:00:00Z" camunda:priority="70" />
    <bpmn:parallelGateway id="Gabung" />
    <bpmn:userTask id="Setujui" name="Setujui" camunda:candidateGroups="kepala" />
    <bpmn:endEvent id="Selesai" />
    <bpmn:sequenceFlow id="F1" sourceRef="Mulai" targetRef="Ajukan" />
    <bpmn:sequenceFlow id="F2" sourceRef="Ajukan" targetRef="Pisah" />
    <bpmn:sequenceFlow id="F3" sourceRef="Pisah" targetRef="Periksa" />
    <bpmn:sequenceFlow id="F4" sourceRef="Pisah" targetRef="Hitung" />
    <bpmn:sequenceFlow id="F5" sourceRef="Periksa" targetRef="Gabung" />
    <bpmn:sequenceFlow id="F6" sourceRef="Hitung" targetRef="Gabung" />
    <bpmn:sequenceFlow id="F7" sourceRef="Gabung" targetRef="Setujui" />
    <bpmn:sequenceFlow id="F8" sourceRef="Setujui" targetRef="Selesai" />
  </bpmn:process>
</bpmn:definitions>
"""


def _tasks(ctx: Any, instance_id: str) -> dict[str, Any]:
    return {t.element_id: t for t in ops.query_tasks(ctx, instance_id=instance_id)}


def _candidate_rows(ctx: Any) -> list[tuple[str, str, str]]:
    with ctx.transaction() as session:
        return sorted((c.task_id, c.kind, c.value) for c in session.scalars(select(TaskCandidate)))


def test_projection_follows_a_split_and_a_join(ctx: Any) -> None:
    ops.deploy(ctx, [("bercabang.bpmn", PARALLEL)], name="t")
    instance_id = ops.start_instance(ctx, key="bercabang").id
    ajukan = _tasks(ctx, instance_id)["Ajukan"]
    assert sorted(ajukan.candidate_groups) == ["pokja", "staf"]
    # A claim and an identity link on the task whose row will be reused.
    task_ops.claim(ctx, ajukan.id, "ani")
    task_ops.add_identity_link(ctx, ajukan.id, user_id="citra", group_id=None, link_type="candidate")
    ops.complete_task(ctx, ajukan.id, {}, user="ani")

    split = _tasks(ctx, instance_id)
    assert sorted(split) == ["Hitung", "Periksa"]             # one row reused, one inserted
    periksa, hitung = split["Periksa"], split["Hitung"]
    assert ajukan.id not in {periksa.id, hitung.id}
    assert (periksa.assignee, periksa.candidate_groups, periksa.candidate_users) == (None, [], ["budi"])
    assert (hitung.assignee, hitung.candidate_groups, hitung.candidate_users) == (None, [], [])
    assert (hitung.priority, hitung.due.year, periksa.priority, periksa.due) == (70, 2030, 50, None)
    assert _candidate_rows(ctx) == [(periksa.id, "user", "budi")]   # the old task's rows are gone
    with ctx.transaction() as session:
        assert session.scalar(select(func.count()).select_from(UserTask)) == 2

    ops.complete_task(ctx, periksa.id, {})
    assert sorted(_tasks(ctx, instance_id)) == ["Hitung"]     # a task ended, none began: a DELETE
    assert _candidate_rows(ctx) == []
    ops.complete_task(ctx, hitung.id, {})
    setujui = _tasks(ctx, instance_id)["Setujui"]              # the join: Hitung's row reused
    assert (setujui.candidate_groups, setujui.priority, setujui.due, setujui.name) == (["kepala"], 50, None,
                                                                                         "Setujui")
    assert _candidate_rows(ctx) == [(setujui.id, "group", "kepala")]
    ops.complete_task(ctx, setujui.id, {})
    assert _tasks(ctx, instance_id) == {} and _candidate_rows(ctx) == []
    assert ops.get_instance(ctx, instance_id).state == "COMPLETED"
    with ctx.transaction() as session:
        ended = session.scalars(select(HistoryEvent.element_id).where(
            HistoryEvent.instance_id == instance_id, HistoryEvent.kind == "activity_ended")).all()
    assert {"Ajukan", "Periksa", "Hitung", "Setujui", "Selesai"} <= set(ended)
