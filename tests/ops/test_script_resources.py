"""Scripts in deployment resources (`camunda:resource="deployment://..."`) through the operations layer,
including Camunda's ExternalScriptTaskTest.testScriptInDeploymentAfterCacheWasCleaned: the model is parsed
again from the stored deployment, resources included."""
from __future__ import annotations

from typing import Any

import pytest

from service import ops
from service.ops.context import ModelCache
from service.ops.errors import ParseError

MODEL = b'''<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
             targetNamespace="Examples">
  <process id="process" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="flow1" sourceRef="start" targetRef="scriptResource" />
    <scriptTask id="scriptResource" scriptFormat="javascript" camunda:resource="deployment://scripts/greeting.js" />
    <sequenceFlow id="flow2" sourceRef="scriptResource" targetRef="userTask" />
    <userTask id="userTask"/>
    <sequenceFlow id="flow3" sourceRef="userTask" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>
'''
GREETING = b"execution.setVariable('greeting', 'Greetings ' + name + ' speaking');"


def test_a_script_resource_runs_and_survives_a_cleaned_cache(ctx: Any) -> None:
    ops.deploy(ctx, [("process.bpmn", MODEL), ("scripts/greeting.js", GREETING)])
    started = ops.start_instance(ctx, key="process", variables={"name": "Camunda Platform"})
    assert ops.get_variables(ctx, started.id)["greeting"] == "Greetings Camunda Platform speaking"
    ctx.models = ModelCache()          # discardProcessDefinitionCache()
    again = ops.start_instance(ctx, key="process", variables={"name": "Alur"})
    assert ops.get_variables(ctx, again.id)["greeting"] == "Greetings Alur speaking"


def test_a_script_missing_from_the_deployment_deploys_and_fails_when_reached(ctx: Any) -> None:
    ops.deploy(ctx, [("process.bpmn", MODEL)])
    with pytest.raises(ops.OpsError) as err:
        ops.start_instance(ctx, key="process", variables={"name": "x"})
    assert "scriptResource" in err.value.message and "deployment://scripts/greeting.js" in err.value.message


def test_a_resource_that_does_not_compile_is_refused_at_deploy(ctx: Any) -> None:
    with pytest.raises(ParseError) as err:
        ops.deploy(ctx, [("process.bpmn", MODEL), ("scripts/greeting.js", b"execution.setVariable(")])
    assert "process.bpmn: scriptResource" in err.value.message and "does not compile" in err.value.message
