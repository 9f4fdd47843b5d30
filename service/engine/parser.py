"""Parse Camunda 7 BPMN into SpiffWorkflow specs with Alur's task specs, and describe it as ProcessModels."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Mapping, NoReturn

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator, full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    BoundaryEventParser,
    EndEventParser,
    EventBasedGatewayParser,
    EventDefinitionParser,
    IntermediateCatchEventParser,
    IntermediateThrowEventParser,
    ReceiveTaskParser,
    StartEventParser,
)
from SpiffWorkflow.bpmn.parser.task_parsers import (
    ConditionalGatewayParser,
    GatewayParser,
    ScriptTaskParser,
    SubWorkflowParser,
)
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import first
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs import defaults as d
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.camunda.parser.CamundaParser import NSMAP, CamundaParser

from . import compensation, event_subprocesses
from . import specs as s
from . import workflow as w
from .camunda_rules import check_camunda_rules
from .errors import ModelError
from .executable import is_executable, without_processes
from .model import ElementInfo, ProcessModel
from .model_checks import BPMN, CAMUNDA, ModelChecker
from .normalize import normalize, read_activiti_as_camunda
from .process_attributes import history_time_to_live, startable_in_tasklist
from .schema import check_schema
from .scripting.resources import condition_text, inline_resources

_CAM = "{%s}" % CAMUNDA


def _children(node: Any, path: str) -> list:
    return node.xpath(path, namespaces=NSMAP)


def _parameter(node: Any) -> dict:
    """A camunda:inputParameter/outputParameter (or nested value) as a JSON-able description."""
    inner = [c for c in node if isinstance(c.tag, str)]
    if not inner:
        return {"name": node.get("name"), "kind": "text", "value": node.text}
    child = inner[0]
    name = node.get("name")
    tag = child.tag.replace(_CAM, "")
    if tag == "script":
        fmt = (child.get("scriptFormat") or "").strip()
        if fmt.lower() == "feel":
            return {"name": name, "kind": "feel", "value": child.text}
        return {"name": name, "kind": "script", "format": fmt, "value": child.text or "",
                "resource": child.get("resource")}
    if tag == "list":
        return {"name": name, "kind": "list", "items": [_parameter(v) for v in child if isinstance(v.tag, str)]}
    if tag == "map":
        return {"name": name, "kind": "map",
                "entries": [[e.get("key"), _parameter(e)] for e in child if isinstance(e.tag, str)]}
    return {"name": name, "kind": "text", "value": child.text}


def camunda_extensions(node: Any) -> dict:
    """Everything Camunda-specific on one element, read from its own extensionElements only."""
    result: dict[str, Any] = {}
    attrs = {k[len(_CAM):]: v for k, v in node.attrib.items() if k.startswith(_CAM)}
    attrs.update(_error_variables(node))
    if attrs:
        result["camunda"] = attrs
    props = {}
    for p in _children(node, "./bpmn:extensionElements/camunda:properties/camunda:property"):
        props[p.get("name")] = p.get("value")
    result["properties"] = props
    io = "./bpmn:extensionElements/camunda:inputOutput"
    inputs = [_parameter(p) for p in _children(node, f"{io}/camunda:inputParameter")]
    outputs = [_parameter(p) for p in _children(node, f"{io}/camunda:outputParameter")]
    if inputs:
        result["inputs"] = inputs
    if outputs:
        result["outputs"] = outputs
    for direction in ("in", "out"):
        maps = [dict(m.attrib) for m in _children(node, f"./bpmn:extensionElements/camunda:{direction}")]
        if maps:
            result[direction] = maps
    connector = _children(node, "./bpmn:extensionElements/camunda:connector")
    if connector:
        result["connector"] = _connector(connector[0])
    fields = _children(node, "./bpmn:extensionElements/camunda:formData/camunda:formField")
    if fields:
        result["form_fields"] = [_form_field(f) for f in fields]
    injected = [_injected_field(f) for f in _children(node, "./bpmn:extensionElements/camunda:field")]
    if injected:
        result["fields"] = injected
    for tag, key in (("executionListener", "listeners"), ("taskListener", "task_listeners")):
        found = [_listener(n) for n in _children(node, f"./bpmn:extensionElements/camunda:{tag}")]
        if found:
            result[key] = found
    error_events = _children(node, "./bpmn:extensionElements/camunda:errorEventDefinition")
    if error_events:
        result["error_events"] = [_error_event(node, e) for e in error_events]
    result.update(_arrival_listeners(node))
    return result


def _connector(node: Any) -> dict:
    """camunda:connector: the id of the handler that runs it and its own input/output parameters."""
    ids = _children(node, "./camunda:connectorId")
    io = "./camunda:inputOutput"
    return {"id": (ids[0].text or "").strip() if ids else "",
            "inputs": [_parameter(p) for p in _children(node, f"{io}/camunda:inputParameter")],
            "outputs": [_parameter(p) for p in _children(node, f"{io}/camunda:outputParameter")]}


def _arrival_listeners(node: Any) -> dict:
    """Listeners that run as a token arrives here but are written elsewhere: the `take` listeners of the
    sequence flows into this element, and (on a start event of a process) the process's listeners."""
    result: dict[str, Any] = {}
    parent = node.getparent()
    element_id = node.get("id")
    if parent is None or element_id is None:
        return result
    takes = []
    for flow in _children(parent, "./bpmn:sequenceFlow"):
        if flow.get("targetRef") == element_id:
            listeners = [_listener(n) for n in _children(flow, "./bpmn:extensionElements/camunda:executionListener")]
            if listeners:
                takes.append({"flow": flow.get("id"), "name": flow.get("name"), "source": flow.get("sourceRef"),
                              "listeners": listeners})
    if takes:
        result["take"] = takes
    if node.tag == f"{{{BPMN}}}startEvent" and parent.tag == f"{{{BPMN}}}process":
        process = [_listener(n) for n in _children(parent, "./bpmn:extensionElements/camunda:executionListener")]
        if process:
            result["process_listeners"] = process
    return result


def _injected_field(node: Any) -> dict:
    """camunda:field: a text (stringValue / camunda:string) or an expression (expression / camunda:expression)."""
    field: dict[str, Any] = {"name": node.get("name")}
    expression = node.get("expression")
    if expression is None:
        found = _children(node, "./camunda:expression")
        expression = found[0].text if found else None
    if expression is not None:
        field["expression"] = expression
        return field
    text = node.get("stringValue")
    if text is None:
        found = _children(node, "./camunda:string")
        text = found[0].text if found else None
    field["string"] = text
    return field


def _listener(node: Any) -> dict:
    """A camunda:executionListener / taskListener: its event and what runs (class, delegateExpression,
    expression or a camunda:script child), with its injected fields."""
    listener: dict[str, Any] = {"event": node.get("event") or ""}
    for kind in ("class", "delegateExpression", "expression"):
        if node.get(kind):
            listener[kind] = node.get(kind)
    scripts = _children(node, "./camunda:script")
    if scripts:
        listener["script"] = {"format": scripts[0].get("scriptFormat"), "text": scripts[0].text or "",
                              "resource": scripts[0].get("resource")}
    fields = [_injected_field(f) for f in _children(node, "./camunda:field")]
    if fields:
        listener["fields"] = fields
    return listener


def _error_event(node: Any, definition: Any) -> dict:
    """A camunda:errorEventDefinition of an external task: its expression and the errorCode of the
    bpmn:error its errorRef names (the reference is checked at deploy)."""
    ref = definition.get("errorRef")
    errors = node.getroottree().getroot().xpath("./bpmn:error[@id=$i]", namespaces=NSMAP, i=ref or "")
    return {"code": errors[0].get("errorCode") if errors else None, "expression": definition.get("expression")}


_ERROR_VARIABLES = ("errorCodeVariable", "errorMessageVariable")


def _error_variables(node: Any) -> dict[str, str]:
    """camunda:errorCodeVariable / errorMessageVariable of an error catch event.

    Camunda Modeler writes them on the event's `bpmn:errorEventDefinition`, which is where Camunda 7
    reads them; older Alur models had them on the event element itself, which still works (the
    definition wins when both are given).
    """
    found: dict[str, str] = {}
    for definition in _children(node, "./bpmn:errorEventDefinition"):
        for name in _ERROR_VARIABLES:
            value = definition.get(_CAM + name)
            if value:
                found[name] = value
    return found


def _form_field(node: Any) -> dict:
    field: dict[str, Any] = {
        "id": node.get("id"), "label": node.get("label"), "type": node.get("type"),
        "default_value": node.get("defaultValue"), "properties": {}, "validation": [], "values": [],
    }
    for p in _children(node, "./camunda:properties/camunda:property"):
        field["properties"][p.get("id")] = p.get("value")
    for c in _children(node, "./camunda:validation/camunda:constraint"):
        field["validation"].append({"name": c.get("name"), "config": c.get("config")})
    for v in _children(node, "./camunda:value"):
        field["values"].append({"id": v.get("id"), "name": v.get("name")})
    return field


class AlurParserMixin:
    """Shared by every node parser: Camunda extensions, Camunda multi-instance, clock-driven timers."""

    # Provided by SpiffWorkflow's node parsers, which every class using this mixin extends.
    node: Any
    spec: Any
    task: Any
    filename: str
    raise_validation_exception: Callable[..., NoReturn]
    get_event_description: Callable[[Any], str]
    _copy_task_attrs: Callable[[Any, Any], None]

    def parse_extensions(self, node: Any = None) -> dict:
        return camunda_extensions(self.node if node is None else node)

    def parse_condition(self, sequence_flow: Any) -> str | None:
        expression = first(_children(sequence_flow, ".//bpmn:conditionExpression"))
        return condition_text(expression) if expression is not None else None

    # Data stores carry no execution semantics in Camunda 7 (a diagram's "Financial Accounting System"):
    # associations with a dataStoreReference are left out; data objects keep SpiffWorkflow's handling.
    def parse_incoming_data_references(self) -> list:
        return self._without_data_stores("./bpmn:dataInputAssociation/bpmn:sourceRef",
                                         super().parse_incoming_data_references)  # type: ignore[misc]

    def parse_outgoing_data_references(self) -> list:
        return self._without_data_stores("./bpmn:dataOutputAssociation/bpmn:targetRef",
                                         super().parse_outgoing_data_references)  # type: ignore[misc]

    def _without_data_stores(self, path: str, parse: Callable[[], list]) -> list:
        stores = {r.get("id") for r in self.node.getroottree().iter(f"{{{BPMN}}}dataStoreReference")}
        refs = self.node.xpath(path, namespaces=NSMAP)
        if not any((r.text or "").strip() in stores for r in refs):
            return parse()
        kept = [r for r in refs if (r.text or "").strip() not in stores]
        removed = [(r.getparent(), r.getparent().getparent()) for r in refs if r not in kept]
        # Parse without the data-store associations, then put them back (the tree is the deployed model).
        positions = [(assoc, parent, parent.index(assoc)) for assoc, parent in removed]
        for assoc, parent, _ in positions:
            parent.remove(assoc)
        try:
            return parse()
        finally:
            for assoc, parent, index in positions:
                parent.insert(index, assoc)

    def _add_multiinstance_task(self, loop_characteristics: Any) -> None:
        lc = loop_characteristics
        sequential = lc.get("isSequential") == "true"
        cardinality = first(_children(lc, "./bpmn:loopCardinality"))
        condition = first(_children(lc, "./bpmn:completionCondition"))
        mi = {
            "collection": lc.get(_CAM + "collection"),
            "elementVariable": lc.get(_CAM + "elementVariable"),
            "cardinality": cardinality.text.strip() if cardinality is not None and cardinality.text else None,
            "condition": condition.text.strip() if condition is not None and condition.text else None,
            "sequential": sequential,
        }
        if not mi["collection"] and not mi["cardinality"]:
            self.raise_validation_exception(
                "A multi-instance activity needs camunda:collection or loopCardinality")
        original = self.spec.task_specs.pop(self.task.name)
        cls = s.AlurSequentialMultiInstance if sequential else s.AlurParallelMultiInstance
        self.task = cls(
            self.spec, original.name, task_spec="", lane=original.lane,
            bpmn_name=original.bpmn_name, documentation=original.documentation,
            description="Sequential MultiInstance" if sequential else "Parallel MultiInstance")
        self.task.extensions = {**(original.extensions or {}), "mi": mi}
        self._copy_task_attrs(original, lc)


class AlurEventMixin(AlurParserMixin):
    def parse_timer_event(self, event: Any) -> Any:
        name = self.node.get("name", self.node.get("id"))
        description = self.get_event_description(event)
        for tag, cls in (("timeDate", s.AlurTimeDateEventDefinition),
                         ("timeDuration", s.AlurDurationTimerEventDefinition),
                         ("timeCycle", s.AlurCycleTimerEventDefinition)):
            node = first(_children(event, f"./bpmn:{tag}"))
            if node is not None:
                return cls(name, (node.text or "").strip(), description=description)
        raise ValidationException("A timer needs timeDate, timeDuration or timeCycle",
                                  node=self.node, file_name=self.filename)

    def parse_conditional_event(self, event: Any) -> Any:
        condition = first(_children(event, ".//bpmn:condition"))
        if condition is None:
            raise ValidationException("Conditional event definition with missing condition", node=self.node,
                                      file_name=self.filename)
        return ConditionalEventDefinition(condition_text(condition), description=self.get_event_description(event))

    def parse_message_event(self, message_event: Any) -> Any:
        # The base message definition merges the payload into the variables, as Camunda does.
        return EventDefinitionParser.parse_message_event(self, message_event)


class AlurTaskParser(AlurParserMixin, TaskParser):
    pass


class AlurScriptTaskParser(AlurParserMixin, ScriptTaskParser):
    def parse_extensions(self, node: Any = None) -> dict:
        result = super().parse_extensions(node)
        if node is None:      # the script task itself: its language travels with its spec
            result["script"] = {"format": (self.node.get("scriptFormat") or "").strip(),
                                "resource": self.node.get(_CAM + "resource")}
        return result


class AlurBusinessRuleTaskParser(AlurParserMixin, TaskParser):
    def create_task(self) -> Any:
        return s.AlurBusinessRuleTask(self.spec, self.bpmn_id, **self.bpmn_attributes)

    @staticmethod
    def get_decision_ref(node: Any) -> str:
        return node.get(_CAM + "decisionRef") or ""


class AlurGatewayParser(AlurParserMixin, GatewayParser):
    pass


class AlurConditionalGatewayParser(AlurParserMixin, ConditionalGatewayParser):
    pass


class AlurSubWorkflowParser(AlurParserMixin, SubWorkflowParser):
    pass


class AlurCallActivityParser(AlurParserMixin, TaskParser):
    """A call activity is one wait-state task (the called process runs as its own instance); its
    calledElement travels in the spec's extensions."""

    def parse_extensions(self, node: Any = None) -> dict:
        result = super().parse_extensions(node)
        if node is None:
            result["called_element"] = (self.node.get("calledElement") or "").strip()
        return result


class AlurStartEventParser(AlurEventMixin, StartEventParser):
    pass


class AlurEndEventParser(AlurEventMixin, EndEventParser):
    pass


class AlurIntermediateCatchEventParser(AlurEventMixin, IntermediateCatchEventParser):
    pass


class AlurIntermediateThrowEventParser(AlurEventMixin, IntermediateThrowEventParser):
    pass


class AlurBoundaryEventParser(AlurEventMixin, BoundaryEventParser):
    pass


class AlurReceiveTaskParser(AlurEventMixin, ReceiveTaskParser):
    pass


class AlurEventBasedGatewayParser(AlurEventMixin, EventBasedGatewayParser):
    pass


class AlurParser(CamundaParser):
    def _add_data_stores(self, bpmn: Any) -> None:
        """Data stores are documentation in Camunda 7 (no implementation runs): none is registered."""

    OVERRIDE_PARSER_CLASSES = {
        full_tag("userTask"): (AlurTaskParser, s.AlurUserTask),
        full_tag("task"): (AlurTaskParser, s.AlurNoneTask),
        full_tag("manualTask"): (AlurTaskParser, s.AlurManualTask),
        full_tag("serviceTask"): (AlurTaskParser, s.AlurServiceTask),
        full_tag("sendTask"): (AlurTaskParser, s.AlurSendTask),
        full_tag("scriptTask"): (AlurScriptTaskParser, s.AlurScriptTask),
        full_tag("businessRuleTask"): (AlurBusinessRuleTaskParser, s.AlurBusinessRuleTask),
        full_tag("subProcess"): (AlurSubWorkflowParser, s.AlurSubWorkflowTask),
        full_tag("callActivity"): (AlurCallActivityParser, s.AlurCallActivity),
        full_tag("transaction"): (AlurSubWorkflowParser, d.TransactionSubprocess),
        full_tag("exclusiveGateway"): (AlurConditionalGatewayParser, s.AlurExclusiveGateway),
        full_tag("inclusiveGateway"): (AlurConditionalGatewayParser, w.AlurInclusiveGateway),
        full_tag("parallelGateway"): (AlurGatewayParser, w.AlurParallelGateway),
        full_tag("eventBasedGateway"): (AlurEventBasedGatewayParser, s.AlurEventBasedGateway),
        full_tag("startEvent"): (AlurStartEventParser, s.AlurStartEvent),
        full_tag("endEvent"): (AlurEndEventParser, s.AlurEndEvent),
        full_tag("intermediateCatchEvent"): (AlurIntermediateCatchEventParser, s.AlurIntermediateCatchEvent),
        full_tag("intermediateThrowEvent"): (AlurIntermediateThrowEventParser, s.AlurIntermediateThrowEvent),
        full_tag("boundaryEvent"): (AlurBoundaryEventParser, s.AlurBoundaryEvent),
        full_tag("receiveTask"): (AlurReceiveTaskParser, s.AlurReceiveTask),
    }


# -- parse_bpmn ---------------------------------------------------------------------------------

_XML_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True)
_validator: BpmnValidator | None = None


def _xsd_validator() -> BpmnValidator:
    global _validator
    if _validator is None:
        _validator = BpmnValidator()
    return _validator


def load_xml(name: str, content: bytes) -> Any:
    try:
        root = etree.fromstring(content, etree.XMLParser(**_XML_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise ModelError(f"not well-formed XML: {exc.msg}", file=name, line=exc.lineno) from None
    # An uploaded model is untrusted: a DTD can define entities (entity bombs, file references).
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ModelError("DOCTYPE declarations are not allowed in BPMN files", file=name, line=1)
    return root


def parse_bpmn(name: str, content: bytes, *, validate_xsd: bool = False, tenant: str | None = None,
               min_cycle_seconds: float | None = None, resources: Mapping[str, bytes] | None = None,
               new_deployment: bool = False) -> list[ProcessModel]:
    """Parse and check one BPMN resource; every process in it becomes a ProcessModel.

    Only executable processes are checked and compiled, as in Camunda 7 (BpmnParse.parseProcessDefinitions):
    a non-executable one (isExecutable="false", or no isExecutable in a `new_deployment`) is returned
    with `executable=False` and is never deployed as a definition; a stored model read again treats a
    missing isExecutable as executable, as Camunda does for deployments that are not new.
    `tenant`, when the deploying tenant is known, also refuses a camunda:decisionRefTenantId naming
    another tenant (at run time such a value is always refused). `min_cycle_seconds` (given at deploy,
    not when a stored model is read again) refuses literal timer cycles repeating faster. `resources`: the
    other resources of the same deployment, which `camunda:resource="deployment://..."` scripts name."""
    root = load_xml(name, content)
    if root.tag != f"{{{BPMN}}}definitions":
        raise ModelError("the root element must be bpmn:definitions", file=name, line=root.sourceline)
    if new_deployment:
        check_schema(root, name)
    read_activiti_as_camunda(root)      # this call's own parse: the stored bytes stay unchanged
    processes = root.findall(f"{{{BPMN}}}process")
    skipped = [p for p in processes if not is_executable(p, new_deployment=new_deployment)]
    checked = without_processes(root, skipped)
    checker = ModelChecker(name, tenant=tenant, min_cycle_seconds=min_cycle_seconds)
    unresolved = inline_resources(checked, resources, checker.error)
    checker.check(checked)
    if new_deployment:
        # Only what is deployed now: a definition stored before these rules keeps loading.
        check_camunda_rules(checked, checker.error)
    normalize(checked)       # this call's own parse: the stored bytes stay unchanged
    models = [_process_model(None, root, proc, name, content, executable=False) for proc in skipped]
    if len(skipped) == len(processes):
        return models
    parser = AlurParser(validator=_xsd_validator() if validate_xsd else None)
    try:
        rewritten = event_subprocesses.rewrite(compensation.rewrite(checked, name), name)
        parser.add_bpmn_xml(rewritten, filename=name)
        models += [_process_model(parser, checked, proc, name, content, executable=True)
                   for proc in checked.findall(f"{{{BPMN}}}process")]
    except ValidationException as exc:
        raise _model_error(exc, checked, name) from None
    order = {proc.get("id"): i for i, proc in enumerate(processes)}
    return sorted(_with_unresolved(models, unresolved), key=lambda m: order.get(m.key, 0))


def _with_unresolved(models: list[ProcessModel], unresolved: list[tuple[Any, str]]) -> list[ProcessModel]:
    """Each process's script resources not found (element id, reference): the deploy response names them."""
    if not unresolved:
        return models
    found: dict[str, list[tuple[str, str]]] = {}
    for node, reference in unresolved:
        owner, process = node, None
        while owner is not None and owner.get("id") is None:
            owner = owner.getparent()
        for ancestor in node.iterancestors(f"{{{BPMN}}}process"):
            process = ancestor.get("id")
        if owner is not None and process is not None:
            found.setdefault(process, []).append((owner.get("id"), reference))
    return [replace(m, unresolved_scripts=tuple(found[m.key])) if m.key in found else m for m in models]


def _model_error(exc: ValidationException, root: Any, name: str) -> ModelError:
    element_id = getattr(exc, "id", None) or None
    line = getattr(exc, "line_number", None) or None
    if element_id and not isinstance(line, int):
        found = root.xpath(".//*[@id=$i]", i=element_id)
        line = found[0].sourceline if found else None
    message = str(exc.args[0]) if exc.args else str(exc)
    return ModelError(message, file=name, element_id=element_id, line=line if isinstance(line, int) else None)


def _process_model(parser: AlurParser | None, root: Any, proc: Any, name: str, content: bytes, *,
                   executable: bool) -> ProcessModel:
    from .serializer import spec_json_for

    key = proc.get("id")
    spec_json = ""
    if executable and parser is not None:
        spec = parser.get_spec(key)
        embedded = {}
        for sp_name, sp in parser.get_subprocess_specs(key, require_call_activity_specs=False).items():
            sp_parser = parser.get_process_parser(sp_name)
            if sp is not None and sp_parser is not None and sp_parser.node.tag != f"{{{BPMN}}}process":
                embedded[sp_name] = sp
        event_subprocesses.hide_synthetic([spec, *embedded.values()])
        spec_json = spec_json_for(spec, embedded)
    lanes = _lanes(root, proc)
    lane_of = {ref.text: lane.get("name") for lane in proc.iter(f"{{{BPMN}}}lane")
               for ref in lane.findall(f"{{{BPMN}}}flowNodeRef") if ref.text}
    elements: dict[str, ElementInfo] = {}
    handlers: list[tuple[str, str]] = []
    task_listener_events: dict[str, tuple[str, ...]] = {}
    flow_tags = {"task", "userTask", "manualTask", "serviceTask", "sendTask", "receiveTask", "scriptTask",
                 "businessRuleTask", "subProcess", "callActivity", "transaction", "exclusiveGateway",
                 "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway", "startEvent",
                 "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
                 "sequenceFlow", "adHocSubProcess"}
    for node in proc.iter():
        if not isinstance(node.tag, str) or not node.tag.startswith(f"{{{BPMN}}}"):
            continue
        tag = node.tag.split("}", 1)[1]
        if tag not in flow_tags or not node.get("id"):
            continue
        ext = camunda_extensions(node)
        handlers.extend((node.get("id"), name) for name in _handler_names(ext))
        if ext.get("task_listeners"):
            task_listener_events[node.get("id")] = tuple(dict.fromkeys(t["event"] for t in ext["task_listeners"]))
        doc = node.find(f"{{{BPMN}}}documentation")
        elements[node.get("id")] = ElementInfo(
            id=node.get("id"), type=tag, name=node.get("name"), lane=_lane_for(node, lane_of),
            properties=ext.get("properties", {}), documentation=doc.text if doc is not None else None,
            attributes=ext.get("camunda", {}))
    start_lanes: list[str] = []
    start_form_ref = start_form_key = None
    timer_start: list[tuple[str, str]] = []
    message_start: list[tuple[str, str]] = []
    messages = {m.get("id"): m.get("name") for m in root.iter(f"{{{BPMN}}}message")}
    for start in proc.findall(f"{{{BPMN}}}startEvent"):
        timer = start.find(f"{{{BPMN}}}timerEventDefinition")
        message = start.find(f"{{{BPMN}}}messageEventDefinition")
        if timer is not None:
            text = next((c.text or "").strip() for c in timer if isinstance(c.tag, str))
            timer_start.append((start.get("id"), text))
        elif message is not None:
            message_start.append((start.get("id"), messages.get(message.get("messageRef")) or ""))
        elif len([c for c in start if isinstance(c.tag, str) and c.tag.endswith("EventDefinition")]) == 0:
            lane = lane_of.get(start.get("id"))
            if lane and lane not in start_lanes:
                start_lanes.append(lane)
            start_form_ref = start_form_ref or start.get(_CAM + "formRef") or start.get(_CAM + "formKey")
            start_form_key = start_form_key or start.get(_CAM + "formKey")
    # Only literal keys: a ${...} decisionRef is known at run time only.
    decisions = [b.get(_CAM + "decisionRef") for b in proc.iter(f"{{{BPMN}}}businessRuleTask")
                 if b.get(_CAM + "decisionRef") and "${" not in b.get(_CAM + "decisionRef")
                 and "#{" not in b.get(_CAM + "decisionRef")]
    return ProcessModel(
        key=key, name=proc.get("name"), resource_name=name, xml=content, executable=executable,
        lanes=lanes, start_lanes=start_lanes, start_form_ref=start_form_ref, elements=elements,
        decision_refs=list(dict.fromkeys(decisions)),
        timer_start=timer_start, message_start=message_start, spec_json=spec_json,
        start_form_key=start_form_key, version_tag=proc.get(_CAM + "versionTag"),
        handlers=tuple(dict.fromkeys(handlers)), task_listener_events=task_listener_events,
        history_time_to_live=history_time_to_live(proc, name) if executable else None,
        startable=startable_in_tasklist(proc))


def _handler_names(ext: dict) -> list[str]:
    """The registered names an element needs: its delegate's and its listeners' (class, ${bean})."""
    from .delegation.bean_calls import bean_names, needs_beans
    from .delegation.invoke import handler_name
    task = {} if ext.get("connector") else ext.get("camunda", {})    # a connector replaces the task's delegate
    sources = [task, *ext.get("listeners", []), *ext.get("task_listeners", []),
               *ext.get("process_listeners", []), *(item for t in ext.get("take", []) for item in t["listeners"])]
    names = [name for source in sources if (name := handler_name(source))]
    names += [bean for key, value in ext.get("camunda", {}).items()      # camunda:expression: its own check
              if key != "expression" and isinstance(value, str) and needs_beans(value) for bean in bean_names(value)]
    if ext.get("connector", {}).get("id"):
        names.append(ext["connector"]["id"])
    return names


def _lane_for(node: Any, lane_of: dict) -> str | None:
    current = node
    while current is not None:
        lane = lane_of.get(current.get("id"))
        if lane:
            return lane
        current = current.getparent()
    return None


def _lanes(root: Any, proc: Any) -> list[str]:
    """Lane names top to bottom by their DI shapes, else in document order."""
    ys = {}
    for shape in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape"):
        bounds = shape.find("{http://www.omg.org/spec/DD/20100524/DC}Bounds")
        if bounds is not None and shape.get("bpmnElement"):
            ys[shape.get("bpmnElement")] = float(bounds.get("y", 0))
    lanes = [(lane.get("id"), lane.get("name")) for lane in proc.iter(f"{{{BPMN}}}lane")
             if lane.get("name") and lane.find(f"{{{BPMN}}}childLaneSet") is None]
    order = {lane_id: i for i, (lane_id, _) in enumerate(lanes)}
    if lanes and all(lane_id in ys for lane_id, _ in lanes):
        lanes.sort(key=lambda item: (ys[item[0]], order[item[0]]))
    return list(dict.fromkeys(n for _, n in lanes))


__all__ = ["AlurParser", "parse_bpmn", "camunda_extensions", "load_xml"]
