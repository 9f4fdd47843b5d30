"""BPMN models that try to stall the engine (issue 11): shared by the engine unit tests and the live-server
test. Each builder returns the bytes of one deployable-looking definitions document."""
from __future__ import annotations

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
          'id="Defs" targetNamespace="http://bpmn.io/schema/bpmn">\n')


def wrap(body: str, key: str) -> bytes:
    return (HEADER + f'<bpmn:process id="{key}" isExecutable="true">\n{body}\n</bpmn:process>\n'
            '</bpmn:definitions>\n').encode()


def boundary_cycle(key: str = "h_boundary", cycle: str = "R/PT0.00001S") -> bytes:
    """A user task with a non-interrupting boundary timer repeating every `cycle`."""
    return wrap(f'''<bpmn:startEvent id="S"/>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="U"/>
<bpmn:userTask id="U"/>
<bpmn:sequenceFlow id="f2" sourceRef="U" targetRef="E"/>
<bpmn:endEvent id="E"/>
<bpmn:boundaryEvent id="B" attachedToRef="U" cancelActivity="false">
  <bpmn:timerEventDefinition><bpmn:timeCycle>{cycle}</bpmn:timeCycle></bpmn:timerEventDefinition>
</bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f3" sourceRef="B" targetRef="E2"/>
<bpmn:endEvent id="E2"/>''', key)


def intermediate_cycle(key: str = "h_cycle", cycle: str = "R/2000-01-01T00:00:00Z/PT0.001S") -> bytes:
    """A user task with a non-interrupting boundary cycle that started long ago (catch-up)."""
    return boundary_cycle(key, cycle)


def timer_event(tag: str, text: str, key: str = "h_timer") -> bytes:
    """An intermediate timer catch event with one timer text (timeDate, timeDuration, timeCycle)."""
    return wrap(f'''<bpmn:startEvent id="S"/>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="T"/>
<bpmn:intermediateCatchEvent id="T">
  <bpmn:timerEventDefinition><bpmn:{tag}>{text}</bpmn:{tag}></bpmn:timerEventDefinition>
</bpmn:intermediateCatchEvent>
<bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="E"/>
<bpmn:endEvent id="E"/>''', key)


def caller(key: str, called: str) -> bytes:
    """A process that calls `called` through a call activity."""
    return wrap(f'''<bpmn:startEvent id="S"/>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="C"/>
<bpmn:callActivity id="C" calledElement="{called}"/>
<bpmn:sequenceFlow id="f2" sourceRef="C" targetRef="E"/>
<bpmn:endEvent id="E"/>''', key)


def dynamic_caller(key: str) -> bytes:
    """A process that calls the process named by its variable `next` (a cycle the deploy check cannot see)."""
    return wrap('''<bpmn:startEvent id="S"/>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="C"/>
<bpmn:callActivity id="C" calledElement="${next}">
  <bpmn:extensionElements><camunda:in variables="all"/></bpmn:extensionElements>
</bpmn:callActivity>
<bpmn:sequenceFlow id="f2" sourceRef="C" targetRef="E"/>
<bpmn:endEvent id="E"/>''', key)


def nested_multi_instance(key: str = "h_mi", outer: int = 1000, inner: int = 1000) -> bytes:
    """A multi-instance subprocess (x outer) holding a multi-instance user task (x inner)."""
    return wrap(f'''<bpmn:startEvent id="S"/>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="Sub"/>
<bpmn:subProcess id="Sub">
  <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>{outer}</bpmn:loopCardinality>
  </bpmn:multiInstanceLoopCharacteristics>
  <bpmn:startEvent id="SS"/>
  <bpmn:sequenceFlow id="g1" sourceRef="SS" targetRef="U"/>
  <bpmn:userTask id="U">
    <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>{inner}</bpmn:loopCardinality>
    </bpmn:multiInstanceLoopCharacteristics>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="g2" sourceRef="U" targetRef="SE"/>
  <bpmn:endEvent id="SE"/>
</bpmn:subProcess>
<bpmn:sequenceFlow id="f2" sourceRef="Sub" targetRef="E"/>
<bpmn:endEvent id="E"/>''', key)


def script_self_loop(key: str = "h_selfloop") -> bytes:
    """A script task whose outgoing flow returns to itself."""
    return wrap('''<bpmn:startEvent id="S"/>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="T"/>
<bpmn:scriptTask id="T" scriptFormat="feel" camunda:resultVariable="n"><bpmn:script>1</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="T"/>''', key)


def parallel_loop(key: str = "h_parallel") -> bytes:
    """A parallel gateway splitting into a branch that comes back to it through a script task."""
    return wrap('''<bpmn:startEvent id="S"/>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="G"/>
<bpmn:parallelGateway id="G"/>
<bpmn:sequenceFlow id="f2" sourceRef="G" targetRef="T"/>
<bpmn:sequenceFlow id="f3" sourceRef="G" targetRef="T2"/>
<bpmn:scriptTask id="T" scriptFormat="feel" camunda:resultVariable="n"><bpmn:script>1</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f4" sourceRef="T" targetRef="G"/>
<bpmn:scriptTask id="T2" scriptFormat="feel" camunda:resultVariable="m"><bpmn:script>2</bpmn:script></bpmn:scriptTask>
<bpmn:sequenceFlow id="f5" sourceRef="T2" targetRef="G"/>''', key)


def user_task_priority(priority: str, key: str = "h_priority") -> bytes:
    return wrap(f'''<bpmn:startEvent id="S"/>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="U"/>
<bpmn:userTask id="U" camunda:priority="{priority}"/>
<bpmn:sequenceFlow id="f2" sourceRef="U" targetRef="E"/>
<bpmn:endEvent id="E"/>''', key)


def external_task_priority(priority: str, key: str = "h_xpriority") -> bytes:
    return wrap(f'''<bpmn:startEvent id="S"/>
<bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="X"/>
<bpmn:serviceTask id="X" camunda:type="external" camunda:topic="t" camunda:taskPriority="{priority}"/>
<bpmn:sequenceFlow id="f2" sourceRef="X" targetRef="E"/>
<bpmn:endEvent id="E"/>''', key)
