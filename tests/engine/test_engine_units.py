"""Small units: clocks, errors, the script engine's doors, the serializer's value types."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from service.engine import FrozenClock, IncidentError, ModelError, SystemClock
from service.engine.errors import EngineError
from service.engine.script_engine import AlurScriptEngine, ScriptRefused

T = datetime(2026, 1, 5, 8, tzinfo=timezone.utc)


def fake_task(data: dict):
    """Just enough of a SpiffWorkflow task for the script engine and its exceptions."""
    spec = SimpleNamespace(bpmn_id="Gw_1", name="Gw_1", bpmn_name="Gateway")
    workflow = SimpleNamespace(spec=SimpleNamespace(file="m.bpmn"))
    workflow.top_workflow = workflow
    return SimpleNamespace(data=data, task_spec=spec, workflow=workflow, id="t1")


def test_clocks() -> None:
    clock = FrozenClock(T)
    assert clock.now() == T
    clock.advance(timedelta(hours=2))
    assert clock.now() == T + timedelta(hours=2)
    clock.set(datetime(2026, 2, 1, 15, tzinfo=timezone(timedelta(hours=7))))
    assert clock.now() == datetime(2026, 2, 1, 8, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 2, 1))
    now = SystemClock().now()
    assert now.tzinfo is not None and abs((now - datetime.now(timezone.utc)).total_seconds()) < 5


def test_model_error_format() -> None:
    err = ModelError("bad thing", file="a.bpmn", element_id="Task_1", line=12)
    assert str(err) == "a.bpmn: Task_1 (line 12): bad thing"
    assert (err.file, err.element_id, err.line, err.message) == ("a.bpmn", "Task_1", 12, "bad thing")
    assert str(ModelError("x", file="a.bpmn")) == "a.bpmn: x"
    assert EngineError("task 'x' not found", task_id="x").task_id == "x"


def test_conditions_are_strict_booleans() -> None:
    engine = AlurScriptEngine(clock=FrozenClock(T))
    assert engine.evaluate(fake_task({"a": 5}), "a > 3") is True
    assert engine.evaluate(fake_task({"a": 5}), "${a > 3}") is True
    assert engine.evaluate(fake_task({}), "missing > 3") is False            # FEEL null -> false
    with pytest.raises(IncidentError, match="Gw_1: a condition must be true or false"):
        engine.evaluate(fake_task({"a": 5}), "a + 1")
    with pytest.raises(IncidentError, match="Gw_1"):
        engine.evaluate(fake_task({}), "${missing > 3}")                     # JUEL: unknown property


def test_python_never_runs() -> None:
    engine = AlurScriptEngine(clock=FrozenClock(T))
    with pytest.raises(IncidentError, match="Python scripts are not allowed"):
        engine.execute(fake_task({}), "x = 1")
    with pytest.raises(ScriptRefused):
        engine.environment.execute("x = 1", {})
    assert engine.environment.evaluate("a * 2", {"a": 21}) == 42
    assert engine.evaluate_literal_or_juel(fake_task({"u": "ana"}), "${u}") == "ana"
    assert engine.evaluate_literal_or_juel(fake_task({}), " PT1H ") == "PT1H"


def test_juel_datetime_uses_the_engine_clock() -> None:
    engine = AlurScriptEngine(clock=FrozenClock(T))
    assert engine.evaluate_value(fake_task({}), "${dateTime().plusDays(2).toDate()}") == T + timedelta(days=2)


def test_incident_error_carries_the_element() -> None:
    engine = AlurScriptEngine(clock=FrozenClock(T))
    with pytest.raises(IncidentError) as err:
        engine.evaluate_value(fake_task({}), "${nope}")
    assert err.value.element_id == "Gw_1" and str(err.value).startswith("Gw_1: ")
