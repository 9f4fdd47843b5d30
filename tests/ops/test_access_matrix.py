"""The access rules as SQL select exactly what the Python rules (service.ops.access) accept: every task and
instance list and count, for users of different tenants, groups and assignments, on SQLite and PostgreSQL;
the web task list keeps its order (overdue first, then due date) when sorted and paged in the database; and
NULL sorts the same on both databases."""
from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from service import ops
from service.ops import access
from service.ops.access import Principal
from service.ops.instances import InstanceQuery, count_instances, query_instances
from service.ops.participation import instance_participants, process_shape
from service.ops.task_pages import refresh_copies
from service.ops.tasks import TaskQuery, count_tasks, query_tasks, query_tasks_in_due_order
from service.store import HistoryEvent, TaskCandidate, UserTask
from service.web.tasklist import TaskFilters, task_page

MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="matriks" isExecutable="true">
    <bpmn:laneSet><bpmn:lane id="L1" name="PPK"><bpmn:flowNodeRef>S</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>T</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="L2" name="Pokja"><bpmn:flowNodeRef>E</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="S"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="T" name="Kerja"><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="E"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="T" /><bpmn:sequenceFlow id="F2" sourceRef="T" targetRef="E" />
  </bpmn:process></bpmn:definitions>"""
# Same key without lanes: lane members of the first model see nothing of it by lane.
PLAIN = MODEL.replace(b'name="PPK"', b'name="Hukum"').replace(b'name="Pokja"', b'name="Keuangan"')

TENANTS = ["a", "b", None]
ASSIGNEES = [None, "ani", "budi"]
GROUP_SETS = [(), ("PPK",), ("Pokja", "Hukum")]
USER_SETS = [(), ("ani",), ("citra",)]

PRINCIPALS = [
    Principal.of("ani", ["PPK"], ["a"]),
    Principal.of("budi", ["Pokja"], ["a", "b"]),
    Principal.of("citra", [], ["b"]),
    Principal.of("dedi", ["Hukum", "PPK"], []),
    Principal.of("eka", ["process-owner"], ["a"]),
    Principal.of("fajar", [], []),
]


@pytest.fixture
def world(ctx: Any, clock: Any) -> dict[str, Any]:
    """Instances of a laned and a lane-less model in tenants a, b and shared, each with one task whose
    assignee, candidates and due date run through every combination."""
    for tenant in TENANTS:
        ops.deploy(ctx, [("matriks.bpmn", MODEL)], tenant=tenant)
    ops.deploy(ctx, [("polos.bpmn", PLAIN.replace(b'id="matriks"', b'id="polos"'))], tenant="a")
    now = clock.now()
    dues = [None, now - timedelta(days=3), now + timedelta(hours=2), now + timedelta(days=20)]
    combos = list(itertools.product(ASSIGNEES, GROUP_SETS, USER_SETS))
    starters = [None, "ani", "citra"]
    instances = []
    for i, (assignee, groups, users) in enumerate(combos):
        tenant = TENANTS[i % 3]
        key = "polos" if tenant == "a" and i % 2 else "matriks"
        inst = ops.start_instance(ctx, key=key, tenant=tenant, user=starters[i % 3])
        instances.append(inst.id)
        clock.advance(timedelta(seconds=1))
        with ctx.transaction() as session:
            task_id = session.scalar(select(UserTask.id).where(UserTask.instance_id == inst.id))
            session.execute(update(UserTask).where(UserTask.id == task_id).values(
                assignee=assignee, due=dues[i % len(dues)]))
            lanes = set(session.scalars(select(TaskCandidate.value).where(TaskCandidate.task_id == task_id)))
            for g in set(groups) - lanes:
                session.add(TaskCandidate(task_id=task_id, kind="group", value=g))
            for u in users:
                session.add(TaskCandidate(task_id=task_id, kind="user", value=u))
            session.flush()
            refresh_copies(session, [task_id])      # the list's copies of the changed task's columns
            if i % 5 == 0:      # took part earlier (a history event of theirs)
                session.add(HistoryEvent(kind="activity_ended", time=now, instance_id=inst.id,
                                         definition_id=inst.definition_id, tenant_id=tenant, user_id="budi"))
    return {"instances": instances, "now": now}


def _python_tasks(ctx: Any, p: Principal, rule: Any) -> list[Any]:
    return [t for t in query_tasks(ctx, TaskQuery()) if rule(p, **access.task_kwargs(t))]


@pytest.mark.parametrize("p", PRINCIPALS, ids=lambda p: p.user_id)
def test_task_lists_and_counts_match_the_rules(ctx: Any, world: dict[str, Any], p: Principal) -> None:
    for rule, field in ((access.can_see_task, "visible_to"), (access.can_work_task, "workable_by")):
        expected = {t.id for t in _python_tasks(ctx, p, rule)}
        q = TaskQuery(**{field: p})
        assert {t.id for t in query_tasks(ctx, q)} == expected
        assert count_tasks(ctx, q) == len(expected)
        # Camunda's paging runs in the database: pages of 4 cover the list once, in order.
        pages = [query_tasks(ctx, TaskQuery(**{field: p}, first_result=n, max_results=4))
                 for n in range(0, len(expected) + 4, 4)]
        assert [t.id for page in pages for t in page] == [t.id for t in query_tasks(ctx, q)]
    assert any(count_tasks(ctx, TaskQuery(visible_to=p)) for p in PRINCIPALS)


@pytest.mark.parametrize("p", PRINCIPALS, ids=lambda p: p.user_id)
def test_instance_lists_and_counts_match_the_rules(ctx: Any, world: dict[str, Any], p: Principal) -> None:
    expected = set()
    for inst in query_instances(ctx, InstanceQuery()):
        lanes = process_shape(ctx, inst.definition_id).lanes
        if access.can_see_instance(p, tenant_id=inst.tenant_id, lanes=lanes, started_by=inst.start_user_id,
                                   participants=instance_participants(ctx, inst.id)):
            expected.add(inst.id)
    q = InstanceQuery(visible_to=p)
    assert {i.id for i in query_instances(ctx, q)} == expected
    assert count_instances(ctx, q) == len(expected)
    first_two = query_instances(ctx, InstanceQuery(visible_to=p, first_result=1, max_results=2))
    assert [i.id for i in first_two] == [i.id for i in query_instances(ctx, q)][1:3]


@pytest.mark.parametrize("p", PRINCIPALS[:4], ids=lambda p: p.user_id)
def test_web_task_list_keeps_its_order_paged_in_sql(ctx: Any, world: dict[str, Any], p: Principal) -> None:
    now = world["now"]
    workable = _python_tasks(ctx, p, access.can_work_task)
    far = now.replace(year=9999)
    # The order the page had when it sorted in Python: overdue first, then due date, then oldest.
    expected = sorted(workable, key=lambda t: (not (t.due is not None and t.due < now), t.due or far,
                                               t.created, t.id))
    shown = []
    for first in range(0, max(len(expected), 1), 5):
        page = task_page(ctx, p, TaskFilters(), first=first, size=5)
        assert page.total == len(expected)
        assert page.late == sum(1 for t in expected if t.due is not None and t.due < now)
        shown.extend(r.task.id for r in page.rows)
    assert shown == [t.id for t in expected]
    none_due = task_page(ctx, p, TaskFilters(due="none"), first=0, size=100)
    assert {r.task.id for r in none_due.rows} == {t.id for t in expected if t.due is None}
    overdue = task_page(ctx, p, TaskFilters(due="overdue"), first=0, size=100)
    assert {r.task.id for r in overdue.rows} == {t.id for t in expected if t.due is not None and t.due < now}


def test_null_sorts_lowest_on_every_database(ctx: Any, world: dict[str, Any]) -> None:
    """Camunda's sorting: a task without a due date comes first ascending and last descending."""
    up = query_tasks(ctx, TaskQuery(sort=[("dueDate", "asc")]))
    down = query_tasks(ctx, TaskQuery(sort=[("dueDate", "desc")]))
    assert up[0].due is None and up[-1].due is not None
    assert down[0].due is not None and down[-1].due is None
    dues = [t.due for t in up if t.due is not None]
    assert dues == sorted(dues)
    nulls = [t.id for t in up if t.due is None]
    assert nulls == sorted(nulls)           # ties in id order
    # The task list's own order puts them last instead: no deadline is the least urgent.
    in_due_order = query_tasks_in_due_order(ctx, TaskQuery())
    assert [t.due for t in in_due_order[-len(nulls):]] == [None] * len(nulls)


@pytest.mark.parametrize("p", [*PRINCIPALS, None], ids=lambda p: p.user_id if p else "admin")
def test_due_date_pages_read_per_branch_match_the_whole_list(ctx: Any, world: dict[str, Any],
                                                             p: Principal | None) -> None:
    """GET /task?sortBy=dueDate&sortOrder=asc pages (task_pages: one index range per access branch) are
    the slices of the list sorted in one query: NULL first, ties by id."""
    whole = query_tasks(ctx, TaskQuery(visible_to=p, sort=[("dueDate", "asc")]))      # unpaged: one ORDER BY
    pages = [query_tasks(ctx, TaskQuery(visible_to=p, sort=[("dueDate", "asc")], first_result=n, max_results=3))
             for n in range(0, len(whole) + 3, 3)]
    assert [(t.due, t.id) for page in pages for t in page] == [(t.due, t.id) for t in whole]
    assert len(whole) == count_tasks(ctx, TaskQuery(visible_to=p))


def test_claims_and_links_keep_the_lists_right(ctx: Any, world: dict[str, Any]) -> None:
    """The list reads copies of the assignee on the candidate rows: a claim, an assignment and identity
    links change what the lists show as the rules say."""
    budi = PRINCIPALS[1]
    mine = query_tasks(ctx, TaskQuery(workable_by=budi, max_results=100))
    task = next(t for t in mine if t.assignee is None)
    ops.claim(ctx, task.id, "ani")
    ops.tasks.add_identity_link(ctx, mine[-1].id, user_id=None, group_id="Hukum", link_type="candidate")
    other = next(t for t in query_tasks(ctx, TaskQuery()) if t.assignee is None and t.tenant_id == "b")
    ops.assign(ctx, other.id, "budi")
    for rule, field in ((access.can_see_task, "visible_to"), (access.can_work_task, "workable_by")):
        expected = [t.id for t in _python_tasks(ctx, budi, rule)]
        assert task.id not in expected or rule is access.can_see_task
        assert other.id in expected
        got = query_tasks_in_due_order(ctx, TaskQuery(**{field: budi}, max_results=100))
        assert sorted(t.id for t in got) == sorted(expected)
        assert count_tasks(ctx, TaskQuery(**{field: budi})) == len(expected)
