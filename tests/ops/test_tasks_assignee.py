"""Completing a task someone else claimed: allowed by ops.complete_task (Camunda's TaskService.complete
checks no assignee), refused for the web pages by access.can_complete / require_can_complete."""
from __future__ import annotations

from typing import Any

import pytest
from support import fixture_bytes

from service import ops
from service.ops.access import Principal, can_complete, require_can_complete
from service.ops.errors import Conflict, Forbidden, TaskAlreadyClaimed

BUDI = Principal.of("budi", ["PPK"], ["pagaralam"])
ANI = Principal.of("ani", ["PPK"], ["pagaralam"])
LUAR = Principal.of("luar", ["PPK"], ["mojokerto"])


@pytest.fixture
def task(ctx: Any) -> Any:
    ops.deploy(ctx, [("pengadaan.bpmn", fixture_bytes("pengadaan.bpmn"))], name="t", tenant="pagaralam")
    inst = ops.start_instance(ctx, key="pengadaan", tenant="pagaralam", variables={})
    [found] = ops.query_tasks(ctx, ops.TaskQuery(instance_id=inst.id))
    return found


def test_complete_task_does_not_check_the_assignee(ctx: Any, task: Any) -> None:
    ops.claim(ctx, task.id, "ani")
    ops.complete_task(ctx, task.id, {"nomor_dokumen": "DPP-1"}, user="budi")
    with pytest.raises(ops.errors.NotFound):
        ops.get_task(ctx, task.id)
    ended = [e for e in ops.history(ctx, task.instance_id) if e.kind == "activity_ended" and e.task_id == task.id]
    assert [e.user_id for e in ended] == ["budi"]


def test_web_guard_refuses_a_task_claimed_by_someone_else(ctx: Any, task: Any) -> None:
    ops.claim(ctx, task.id, "ani")
    with pytest.raises(Conflict) as info:
        ops.complete_task(ctx, task.id, {"nomor_dokumen": "X"}, user="budi",
                          guard=lambda t: require_can_complete(BUDI, t))
    assert isinstance(info.value, TaskAlreadyClaimed) and "ani" in info.value.pesan
    still = ops.get_task(ctx, task.id)                       # nothing was written
    assert still.assignee == "ani"
    with pytest.raises(Forbidden):
        ops.complete_task(ctx, task.id, {}, user="luar", guard=lambda t: require_can_complete(LUAR, t))
    ops.complete_task(ctx, task.id, {"nomor_dokumen": "DPP-2"}, user="ani",
                      guard=lambda t: require_can_complete(ANI, t))
    with pytest.raises(ops.errors.NotFound):
        ops.get_task(ctx, task.id)


def test_web_guard_lets_an_unclaimed_task_be_completed(ctx: Any, task: Any) -> None:
    seen: list[Any] = []

    def guard(view: Any) -> None:
        seen.append(view)
        require_can_complete(BUDI, view)
    ops.complete_task(ctx, task.id, {"nomor_dokumen": "DPP-3"}, user="budi", guard=guard)
    assert [v.id for v in seen] == [task.id] and seen[0].assignee is None


def test_can_complete_rules(task: Any) -> None:
    assert can_complete(BUDI, task) and can_complete(ANI, task)
    assert not can_complete(LUAR, task)                      # another tenant
    claimed = _with(task, assignee="ani")
    assert can_complete(ANI, claimed) and not can_complete(BUDI, claimed)
    other_group = _with(task, candidate_groups=["Pokja Pemilihan"])
    assert not can_complete(BUDI, other_group)
    require_can_complete(BUDI, task)
    with pytest.raises(Conflict):
        require_can_complete(BUDI, claimed)
    with pytest.raises(Forbidden):
        require_can_complete(BUDI, other_group)


def _with(task: Any, **changes: Any) -> Any:
    from dataclasses import replace
    return replace(task, **changes)
