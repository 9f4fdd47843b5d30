"""The execution/task facade handlers see: Camunda's method names, snake_case aliases, plain values only."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from service.engine import EngineError
from service.engine.delegation import DelegateExecution, DelegateTask, InstanceIdentity
from service.engine.delegation.facade import LOCALS_KEY
from service.engine.specs import LOCALS_KEY as SPECS_LOCALS_KEY
from service.engine.values import set_max_value_bytes
import service.engine.values as values_module


def _task(data: dict[str, Any] | None = None, **internal: Any) -> Any:
    identity = InstanceIdentity(instance_id="pi-1", definition_id="def-1", definition_key="invoice",
                                business_key="BK-7", tenant_id="t1")
    engine = SimpleNamespace(identity=identity)
    spec = SimpleNamespace(bpmn_id="approve", bpmn_name="Approve Invoice", name="approve",
                           documentation="Approve it.")
    return SimpleNamespace(id="task-uuid", data=dict(data or {}), internal_data=dict(internal), task_spec=spec,
                           workflow=SimpleNamespace(script_engine=engine))


def test_locals_key_is_the_specs_key() -> None:
    assert LOCALS_KEY == SPECS_LOCALS_KEY


def test_execution_reads_and_writes_variables_with_camunda_names() -> None:
    task = _task({"amount": Decimal("30.00"), "items": [1, 2], "__alur_v": {"amount": 1}})
    ex = DelegateExecution(task, event_name="start")
    assert ex.getVariable("amount") == Decimal("30.00")
    assert ex.getVariable("__alur_v") is None            # engine bookkeeping is not a variable
    assert ex.getVariables() == {"amount": Decimal("30.00"), "items": [1, 2]}
    assert ex.hasVariable("items") and not ex.hasVariable("nope")
    ex.getVariable("items").append(3)                     # a copy: the instance is unchanged
    assert task.data["items"] == [1, 2]
    ex.setVariable("approved", True)
    assert task.data["approved"] is True
    ex.removeVariable("approved")
    assert "approved" not in task.data
    assert ex.getBusinessKey() == ex.getProcessBusinessKey() == ex.business_key == "BK-7"
    assert ex.getProcessInstanceId() == "pi-1" and ex.getProcessDefinitionId() == "def-1"
    assert ex.getTenantId() == "t1"
    assert ex.getCurrentActivityId() == "approve" and ex.getCurrentActivityName() == "Approve Invoice"
    assert ex.getActivityInstanceId() == "approve:task-uuid"
    assert ex.getEventName() == "start"


def test_snake_case_aliases_are_the_same_operations() -> None:
    task = _task({"x": 1})
    ex = DelegateExecution(task)
    ex.set_variable("y", "dua")
    assert ex.get_variable("y") == "dua" and ex.has_variable("y")
    assert ex.current_activity_id == "approve" and ex.process_instance_id == "pi-1"


def test_local_variables_are_listed_so_they_leave_with_the_task() -> None:
    task = _task({"x": 1})
    ex = DelegateExecution(task)
    ex.setVariableLocal("tmp", 5)
    assert task.internal_data[LOCALS_KEY] == ["tmp"]
    assert ex.getVariableLocal("tmp") == 5 and ex.getVariableLocal("x") is None
    assert ex.getVariablesLocal() == {"tmp": 5}
    ex.removeVariableLocal("tmp")
    assert "tmp" not in task.data and task.internal_data[LOCALS_KEY] == []


@pytest.mark.parametrize("value", [object(), float("nan"), {1: "a"}, datetime(2026, 1, 1), {"s"}])
def test_only_plain_values_enter(value: Any) -> None:
    ex = DelegateExecution(_task())
    with pytest.raises(EngineError):
        ex.setVariable("bad", value)


@pytest.mark.parametrize("name", ["", "data_objects", "__alur_v", 7])
def test_reserved_or_invalid_names_are_refused(name: Any) -> None:
    with pytest.raises(EngineError):
        DelegateExecution(_task()).setVariable(name, 1)


def test_the_variable_size_limit_applies() -> None:
    before = values_module.MAX_VALUE_BYTES
    set_max_value_bytes(100)
    try:
        with pytest.raises(EngineError, match="ALUR_MAX_VARIABLE_BYTES"):
            DelegateExecution(_task()).setVariable("big", "x" * 200)
    finally:
        set_max_value_bytes(before)


def _record() -> dict[str, Any]:
    return {"created": "2026-01-05T08:00:00+00:00", "assignee": None, "candidate_groups": ["staff"],
            "candidate_users": [], "due": None, "follow_up": None, "priority": 50}


def test_task_attributes_and_changes_are_noted() -> None:
    task = _task({"approver": "demo"})
    record = _record()
    dt = DelegateTask(task, record, event_name="create")
    assert dt.getId() == "task-uuid" and dt.getName() == "Approve Invoice"
    assert dt.getTaskDefinitionKey() == "approve" and dt.getDescription() == "Approve it."
    assert dt.getEventName() == "create" and dt.getAssignee() is None and dt.getPriority() == 50
    dt.setAssignee(dt.getVariable("approver"))
    dt.addCandidateGroup("accounting")
    dt.addCandidateUser("ani")
    dt.setPriority(80)
    due = datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc)
    dt.setDueDate(due)
    dt.setFollowUpDate("2026-01-10T08:00:00Z")
    assert record["assignee"] == "demo" and record["candidate_groups"] == ["staff", "accounting"]
    assert dt.getCandidates() == [{"type": "candidate", "groupId": "staff"},
                                  {"type": "candidate", "groupId": "accounting"},
                                  {"type": "candidate", "userId": "ani"}]
    assert dt.getDueDate() == due and dt.getFollowUpDate() == datetime(2026, 1, 10, 8, tzinfo=timezone.utc)
    assert dt.changed == {"assignee", "candidate_groups", "candidate_users", "priority", "due", "follow_up"}
    assert dt.getExecution().getProcessInstanceId() == "pi-1"
    dt.setVariable("approver", dt.getAssignee())
    assert task.data["approver"] == "demo"


def test_setting_the_same_assignee_is_no_change() -> None:
    record = _record() | {"assignee": "demo"}
    dt = DelegateTask(_task(), record)
    dt.setAssignee("demo")
    assert dt.changed == set()


@pytest.mark.parametrize("call", [
    lambda t: t.setPriority("high"), lambda t: t.setPriority(2**31), lambda t: t.setDueDate("next week"),
    lambda t: t.setDueDate(datetime(2026, 1, 1)), lambda t: t.setAssignee(""), lambda t: t.addCandidateGroup(3),
])
def test_task_setters_refuse_bad_values(call: Any) -> None:
    with pytest.raises(EngineError):
        call(DelegateTask(_task(), _record()))
