"""User task names and descriptions are expressions, evaluated when the task is created, and history keeps
them and the task's assignee (not whoever completed it), as Camunda 7 does."""
from __future__ import annotations

from typing import Any

from service.ops.tasks import complete_task
from tests.compat.corpus import CORPUS
from tests.support import deploy_rest

R = "/engine-rest"


def _deploy_mi(client: Any) -> str:
    name = "MultiInstanceTest.testParallelUserTasks.bpmn20.xml"
    assert deploy_rest(client, (name, (CORPUS / "camunda-engine" / name).read_bytes())).status_code == 200
    return str(client.post(f"{R}/process-definition/key/miParallelUserTasks/start", json={}).get_json()["id"])


def test_task_names_are_evaluated(client: Any) -> None:
    """MultiInstanceTest.testParallelUserTasks: `My Task ${loopCounter}` names the three tasks My Task 0..2
    (and `kermit_${loopCounter}` assigns them); history keeps the evaluated names after completion."""
    instance_id = _deploy_mi(client)
    tasks = client.get(f"{R}/task", query_string={"sortBy": "name", "sortOrder": "asc"}).get_json()
    assert [(t["name"], t["assignee"]) for t in tasks] == [("My Task 0", "kermit_0"), ("My Task 1", "kermit_1"),
                                                          ("My Task 2", "kermit_2")]
    for task in tasks:
        assert client.post(f"{R}/task/{task['id']}/complete", json={}).status_code == 204
    history = client.get(f"{R}/history/task", query_string={"processInstanceId": instance_id,
                                                            "sortBy": "taskName", "sortOrder": "asc"}).get_json()
    assert [(h["name"], h["assignee"]) for h in history] == [("My Task 0", "kermit_0"), ("My Task 1", "kermit_1"),
                                                            ("My Task 2", "kermit_2")]


TASK_MODEL = b'''<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="Examples">
  <process id="HistoricTaskInstanceTest" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="flow1" sourceRef="start" targetRef="task" />
    <userTask id="task" name="Clean up ${room}">
      <documentation>Schedule a meeting in ${room}.</documentation>
    </userTask>
    <sequenceFlow id="flow2" sourceRef="task" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>'''


def _one_task(client: Any) -> tuple[str, dict[str, Any]]:
    assert deploy_rest(client, ("history.bpmn20.xml", TASK_MODEL)).status_code == 200
    started = client.post(f"{R}/process-definition/key/HistoricTaskInstanceTest/start",
                          json={"variables": {"room": {"value": "B-12", "type": "String"}}}).get_json()
    [task] = client.get(f"{R}/task", query_string={"processInstanceId": started["id"]}).get_json()
    return str(started["id"]), task


def test_history_keeps_the_assignee_not_the_completer(client: Any, ctx: Any) -> None:
    """HistoricTaskInstanceTest.testHistoricTaskInstance: the historic task reports the assignee (kermit) and
    the evaluated name and description, while running and after another user completed it."""
    instance_id, task = _one_task(client)
    assert (task["name"], task["description"]) == ("Clean up B-12", "Schedule a meeting in B-12.")
    assert client.post(f"{R}/task/{task['id']}/claim", json={"userId": "kermit"}).status_code == 204
    [running] = client.get(f"{R}/history/task", query_string={"processInstanceId": instance_id}).get_json()
    assert (running["assignee"], running["name"]) == ("kermit", "Clean up B-12")
    complete_task(ctx, task["id"], {}, user="fozzie")
    [done] = client.get(f"{R}/history/task", query_string={"processInstanceId": instance_id}).get_json()
    assert (done["assignee"], done["name"], done["deleteReason"]) == ("kermit", "Clean up B-12", "completed")
    assert client.get(f"{R}/history/task/count", query_string={"taskAssignee": "kermit"}).get_json()["count"] == 1
    assert client.get(f"{R}/history/task/count", query_string={"taskAssignee": "fozzie"}).get_json()["count"] == 0


def test_history_of_an_unassigned_task_has_no_assignee(client: Any, ctx: Any) -> None:
    """HistoricTaskInstanceTest.testHistoricTaskInstanceAssignment: a task nobody was assigned has no
    assignee in history, even once someone completed it."""
    instance_id, task = _one_task(client)
    complete_task(ctx, task["id"], {}, user="fozzie")
    [done] = client.get(f"{R}/history/task", query_string={"processInstanceId": instance_id}).get_json()
    assert done["assignee"] is None
