"""No SpiffWorkflow exception leaves the engine: its failures become the engine's IncidentError (a task of the
model failed, naming the element) or EngineError (a request the model cannot honour)."""
from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import SpiffWorkflowException, WorkflowException

from engine_support import Harness, wrap
from service.engine import EngineError, IncidentError, parse_bpmn
from service.engine import spiff

USER_TASK = wrap('''
<bpmn:startEvent id="s" />
<bpmn:userTask id="Isi" name="Isi nilai" />
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="Isi" />
<bpmn:sequenceFlow id="f2" sourceRef="Isi" targetRef="e" />
''')

# Neither condition holds and there is no default flow: SpiffWorkflow itself raises.
NO_WAY_OUT = wrap('''
<bpmn:startEvent id="s" />
<bpmn:userTask id="Isi" name="Isi nilai" />
<bpmn:exclusiveGateway id="gw" name="Nilai besar?" />
<bpmn:endEvent id="e1" />
<bpmn:endEvent id="e2" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="Isi" />
<bpmn:sequenceFlow id="f2" sourceRef="Isi" targetRef="gw" />
<bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="e1">
  <bpmn:conditionExpression>nilai &gt; 10</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="e2">
  <bpmn:conditionExpression>nilai &lt; 5</bpmn:conditionExpression></bpmn:sequenceFlow>
''')


def _harness(content: bytes) -> Harness:
    return Harness({m.key: m for m in parse_bpmn("m.bpmn", content)})


def test_a_failing_task_is_an_incident_naming_the_element() -> None:
    h = _harness(USER_TASK)
    inst = h.start("p")
    [task] = [t for t in inst._wf.get_tasks() if getattr(t.task_spec, "bpmn_id", None) == "Isi"]
    err = spiff.incident(WorkflowTaskException("cannot go on", task=task))
    assert isinstance(err, IncidentError) and not isinstance(err, SpiffWorkflowException)
    assert (err.element_id, err.element_name, err.message) == ("Isi", "Isi nilai", "cannot go on")
    assert err.problem == "cannot go on"


def test_an_incident_from_alur_names_the_element_once() -> None:
    err = IncidentError("gw: division by zero", element_id="gw")
    assert str(err) == "gw: division by zero" and err.problem == "division by zero"
    assert IncidentError("", element_id="gw").problem == "IncidentError"


def test_translated_errors_turn_any_spiffworkflow_error_into_an_incident() -> None:
    with pytest.raises(IncidentError) as err:
        with spiff.translated_errors():
            raise WorkflowException("the workflow broke")
    assert err.value.message == "the workflow broke" and err.value.element_id is None
    with pytest.raises(KeyError):          # anything else is a bug and passes untouched
        with spiff.translated_errors():
            raise KeyError("x")


def test_a_gateway_without_a_way_out_is_refused_as_an_engine_error() -> None:
    h = _harness(NO_WAY_OUT)
    inst = h.start("p")
    before = inst.dumps()
    with pytest.raises(EngineError) as err:
        inst.complete_user_task(h.task(inst, "Isi").id, {"nilai": 7}, user="ana")
    assert "gw" in err.value.message and not isinstance(err.value, SpiffWorkflowException)
    again = h.engine.load(inst.model, before)
    again.complete_user_task(h.task(again, "Isi").id, {"nilai": 12}, user="ana")
    assert again.completed
