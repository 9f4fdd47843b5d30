"""Deploy-time checks of a BPMN document: every expression compiles, nothing runs as Python/Java.

Runs on the lxml tree before SpiffWorkflow sees it, so each error names the file, the element id,
the source line and the offending text.
"""
from __future__ import annotations

import re
from typing import Any

from service.expr import ExpressionError

from . import timers
from .errors import ModelError
from .delegation.expressions import check_expression
from .delegation.bean_calls import needs_beans
from .delegation.invoke import bean_name
from .expressions import compile_text, is_juel
from .model_refs import check_references
from .scripting import ScriptError, check_script, is_supported, language_of
from .scripting.resources import EXPRESSION_LANGUAGES
from .specs import CALLER_BUSINESS_KEY
from .values import RESERVED_NAMES as RESERVED_VARIABLES

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}

# camunda attributes Camunda reads as text unless they hold ${...}
TEXT_OR_JUEL = ("assignee", "candidateGroups", "candidateUsers", "dueDate", "followUpDate", "priority",
                "formKey", "formRef", "decisionRef", "decisionRefVersion", "calledElementVersion",
                "formRefVersion")
JAVA_ATTRS = ("class", "delegateExpression", "expression")
CONNECTOR_TASKS = ("serviceTask", "sendTask")
RESERVED_IDS = ("Start", "End", "Root", "StartEventSplit", "StartEventJoin")
RESERVED_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin", " [child]",
                     # the elements event_subprocesses.py adds
                     "__alur_scope", "__alur_start", "__alur_end", "__alur_flow", "__alur_route",
                     # and compensation.py
                     "__alur_compensate", "__alur_compensated", "__alur_cend")
JAVA_MESSAGE = "Java delegates are not supported; use camunda:type=external"
UNCLOSED_JUEL = re.compile(r"(?<!\\)[$#]\{")


def _c(name: str) -> str:
    return "{%s}%s" % (CAMUNDA, name)


def _local(tag: Any) -> str:
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else str(tag)


class ModelChecker:
    def __init__(self, filename: str, *, tenant: str | None = None, min_cycle_seconds: float | None = None) -> None:
        self.min_cycle_seconds = min_cycle_seconds
        self.filename = filename
        self.tenant = tenant

    def error(self, node: Any, message: str) -> ModelError:
        owner = node
        while owner is not None and owner.get("id") is None:
            owner = owner.getparent()
        element_id = owner.get("id") if owner is not None else None
        return ModelError(message, file=self.filename, element_id=element_id, line=node.sourceline)

    def expression(self, node: Any, text: str | None, what: str) -> None:
        if text is None or not text.strip():
            raise self.error(node, f"{what} is empty")
        try:
            compile_text(text)
        except ExpressionError as exc:
            raise self.error(node, f"{what} {text.strip()!r} is not a valid expression: {exc.message}") from None

    def text_or_juel(self, node: Any, text: str | None, what: str) -> None:
        if needs_beans(text):
            return      # method calls on beans: resolved when evaluated (delegation/bean_calls.py)
        if text is not None and is_juel(text):
            self.expression(node, text, what)
        elif text is not None and UNCLOSED_JUEL.search(text):
            # Camunda parses every such attribute as EL: an opened ${ that never closes fails its deploy
            # (BpmnParseTest.testExpressionParsingErrors), where plain text would be taken literally.
            raise self.error(node, f"{what} {text.strip()!r} is not a valid expression: '${{' is never closed")

    # -- walk -------------------------------------------------------------------------------
    def check(self, root: Any) -> None:
        elements = 0
        for node in root.iter():
            if not isinstance(node.tag, str):
                continue
            tag = _local(node.tag)
            ns = node.tag[1:].split("}", 1)[0] if node.tag.startswith("{") else ""
            if ns == BPMN:
                if node.get("id") is not None:
                    elements += 1
                    if elements > MAX_ELEMENTS:
                        raise self.error(node, f"the model has more than {MAX_ELEMENTS} BPMN elements; "
                                               "split it into processes joined by call activities")
                self._bpmn_node(node, tag)
                if tag in FLOW_CONTAINERS:
                    self._endless_loops(node)
                    self._closed_loops(node)
            elif ns == CAMUNDA:
                self._camunda_node(node, tag)
        check_references(root, self.error)

    def _closed_loops(self, container: Any) -> None:
        """A loop that no sequence flow (and no boundary event) leaves can never end. SpiffWorkflow predicts
        the tasks ahead of a token by recursion and exhausts the stack on such a loop, even one through a
        waiting task (an endless poller), so every such loop is refused; a gateway with a way out is fine."""
        nodes = {child.get("id"): child for child in container
                 if isinstance(child.tag, str) and child.get("id") and _local(child.tag) not in NOT_FLOW_NODES}
        edges: dict[str, list[str]] = {node_id: [] for node_id in nodes}
        for flow in container.iterfind(f"{{{BPMN}}}sequenceFlow"):
            source, target = flow.get("sourceRef"), flow.get("targetRef")
            if source in nodes and target in nodes:
                edges[source].append(target)
        exits = {n for n, out in edges.items() if not out}
        exits.update(b.get("attachedToRef") for b in container.iterfind(f"{{{BPMN}}}boundaryEvent"))
        reverse: dict[str, list[str]] = {n: [] for n in nodes}
        for source, targets in edges.items():
            for target in targets:
                reverse[target].append(source)
        ends = [n for n in exits if n in nodes]
        seen = set(ends)
        while ends:
            for source in reverse[ends.pop()]:
                if source not in seen:
                    seen.add(source)
                    ends.append(source)
        trapped = {n: [t for t in out if t not in seen] for n, out in edges.items() if n not in seen}
        cycle = _find_cycle(trapped)
        if cycle:
            path = " -> ".join(cycle + [cycle[0]])
            raise self.error(nodes[cycle[0]], f"the sequence flows {path} form a loop that no sequence flow "
                                              "leaves, which never ends; add a way out of the loop")

    def _endless_loops(self, container: Any) -> None:
        """A cycle of sequence flows through gateways and throw events only changes no variable, so once a
        token takes it, it never leaves (or a parallel gateway multiplies tokens forever): refuse it."""
        passive = {child.get("id"): child for child in container
                   if isinstance(child.tag, str) and _local(child.tag) in PASSIVE_NODES and child.get("id")}
        if not passive:
            return
        edges: dict[str, list[str]] = {node_id: [] for node_id in passive}
        for flow in container.iterfind(f"{{{BPMN}}}sequenceFlow"):
            source, target = flow.get("sourceRef"), flow.get("targetRef")
            if source in passive and target in passive:
                edges[source].append(target)
        cycle = _find_cycle(edges)
        if cycle:
            path = " -> ".join(cycle + [cycle[0]])
            raise self.error(passive[cycle[0]], f"the sequence flows {path} form a loop of gateways/events only, "
                                                "which never ends; put a task or a waiting event in the loop")

    def _bpmn_node(self, node: Any, tag: str) -> None:
        element_id = node.get("id")
        if element_id and (element_id in RESERVED_IDS or element_id.endswith(RESERVED_SUFFIXES)):
            raise self.error(node, f"the id '{element_id}' is reserved by the engine; rename the element")
        for attr in TEXT_OR_JUEL:
            self.text_or_juel(node, node.get(_c(attr)), f"camunda:{attr}")
        for key in node.attrib:
            if key.startswith(_c("alur")):
                raise self.error(node, f"camunda:{key.split('}')[1]} is reserved by the engine")
        for attr in ("resultVariable", "elementVariable"):
            if node.get(_c(attr)) is not None:
                self._variable_name(node, node.get(_c(attr)), f"camunda:{attr}")
        if tag == "conditionExpression" or tag == "condition":
            language = (node.get("language") or "").strip()
            if language.lower() in EXPRESSION_LANGUAGES:
                self.expression(node, node.text, "condition")
            else:
                self.script(node, language, node.text, node.get(_c("resource")), "condition")
        elif tag in ("timeDate", "timeDuration", "timeCycle"):
            self._timer(node, tag)
        elif tag == "multiInstanceLoopCharacteristics":
            self._multi_instance(node)
        elif tag == "scriptTask":
            self._script_task(node)
        elif tag in ("serviceTask", "sendTask"):
            self._service_task(node, tag)
        elif tag == "businessRuleTask":
            if any(node.get(_c(a)) for a in JAVA_ATTRS):
                self._delegate(node, node, f"a {tag}")
                return
            if not node.get(_c("decisionRef")):
                raise self.error(node, "a business rule task needs camunda:decisionRef")
            self._decision_tenant(node)
        elif tag == "callActivity":
            called = node.get("calledElement")
            if not called:
                raise self.error(node, "a call activity needs calledElement")
            if is_juel(called):
                self.text_or_juel(node, called, "calledElement")
            binding = node.get(_c("calledElementBinding"))
            if binding not in (None, "latest", "version", "deployment", "versionTag"):
                raise self.error(node, f"camunda:calledElementBinding {binding!r} is not supported")
            self._call_binding(node, binding)
            if any(node.get(_c(a)) for a in ("variableMappingClass", "variableMappingDelegateExpression")):
                raise self.error(node, JAVA_MESSAGE)
        elif tag == "userTask":
            # the name and the description (documentation) are expressions too (TaskDecorator)
            self.text_or_juel(node, node.get("name"), "name")
            documentation = node.find(f"{{{BPMN}}}documentation")
            if documentation is not None:
                self.text_or_juel(documentation, documentation.text, "documentation")
            due = node.get(_c("dueDate"))
            if due and not is_juel(due):
                self._date(node, due, "camunda:dueDate")
            follow = node.get(_c("followUpDate"))
            if follow and not is_juel(follow):
                self._date(node, follow, "camunda:followUpDate")
            self._priority(node, "priority")

    def _priority(self, node: Any, attribute: str) -> None:
        priority = node.get(_c(attribute))
        if not priority or is_juel(priority):
            return
        if not priority.strip().lstrip("-").isdigit():
            raise self.error(node, f"camunda:{attribute} {priority!r} is not a number")
        if not PRIORITY_MIN <= int(priority) <= PRIORITY_MAX:
            raise self.error(node, f"camunda:{attribute} {priority.strip()} is out of range "
                                   f"({PRIORITY_MIN} to {PRIORITY_MAX})")

    def _variable_name(self, node: Any, name: str | None, what: str) -> None:
        if name is not None and (name.strip() in RESERVED_VARIABLES or name.strip().startswith("__alur")):
            raise self.error(node, f"{what} '{name}': the variable name is reserved by the engine; choose another")

    def _decision_tenant(self, node: Any) -> None:
        """A model may only read its own tenant's decisions (or shared ones, the resolver's fallback):
        a tenant id chosen by the model or by a variable would read another tenant's tables."""
        value = node.get(_c("decisionRefTenantId"))
        if value is None:
            return
        if not value.strip() or is_juel(value):
            raise self.error(node, f"camunda:decisionRefTenantId {value!r}: only a literal naming the model's "
                                   "own tenant is allowed (leave it out to use the instance's tenant)")
        if self.tenant is not None and value.strip() != self.tenant:
            raise self.error(node, f"camunda:decisionRefTenantId {value!r}: a model of tenant '{self.tenant}' "
                                   "cannot evaluate another tenant's decisions")

    def _call_binding(self, node: Any, binding: str | None) -> None:
        """The called version is resolved when the call activity is reached (service/ops/calls.py): version
        and tag may be expressions, the tenant too (whatever it evaluates to, only the caller's tenant resolves)."""
        tenant = node.get(_c("calledElementTenantId"))
        if tenant is not None and is_juel(tenant):
            # Evaluated when the call is reached; a value naming another tenant than the caller's finds nothing.
            self.text_or_juel(node, tenant, "camunda:calledElementTenantId")
        for attr in ("calledElementVersion", "calledElementVersionTag"):
            value = node.get(_c(attr))
            if value is not None and is_juel(value):
                self.text_or_juel(node, value, f"camunda:{attr}")
                return
        if binding == "version":
            version = (node.get(_c("calledElementVersion")) or "").strip()
            if not version.isdigit() or int(version) < 1:
                raise self.error(node, "camunda:calledElementBinding=\"version\" needs camunda:calledElementVersion "
                                       f"with a version number (got {version or 'nothing'!r})")
        if binding == "versionTag" and not (node.get(_c("calledElementVersionTag")) or "").strip():
            raise self.error(node, "camunda:calledElementBinding=\"versionTag\" needs "
                                   "camunda:calledElementVersionTag")

    def _connector(self, node: Any) -> None:
        """A connector runs the handler registered under its connectorId (delegation/connectors.py); one not
        registered yet deploys with a warning and is an incident when reached. As in Camunda, the connector
        takes the place of a camunda:class / expression / type on the same task."""
        owner = node.getparent().getparent() if node.getparent() is not None else None
        owner_tag = _local(owner.tag) if owner is not None and isinstance(owner.tag, str) else ""
        if _local(node.getparent().tag) != "extensionElements" or owner_tag not in CONNECTOR_TASKS:
            raise self.error(node, "camunda:connector belongs in the extensionElements of a service or send "
                                   "task")
        ids = [c for c in node if isinstance(c.tag, str) and _local(c.tag) == "connectorId"]
        if len(ids) != 1 or not (ids[0].text or "").strip():
            raise self.error(node, "camunda:connector needs one camunda:connectorId naming its handler")

    def _camunda_node(self, node: Any, tag: str) -> None:
        if tag in ("executionListener", "taskListener"):
            self._listener(node, tag)
            return
        if tag == "field":
            self._field(node)
            return
        if tag in ("script", "string", "expression") and _local(node.getparent().tag) in LISTENER_TAGS + ("field",):
            return      # checked with their listener or field
        if tag == "connector":
            self._connector(node)
        if tag in ("inputParameter", "outputParameter"):
            if not node.get("name"):
                raise self.error(node, f"camunda:{tag} needs a name")
            self._variable_name(node, node.get("name"), f"camunda:{tag}")
            if len(node) == 0:
                self.text_or_juel(node, node.text, f"camunda:{tag} '{node.get('name')}'")
        if tag == "script":
            fmt = (node.get("scriptFormat") or "").strip()
            if not fmt:
                raise self.error(node, "camunda:script needs a scriptFormat")
            self.script(node, fmt, node.text, node.get("resource"), "camunda:script")
        if tag in ("value", "entry") and len(node) == 0:
            self.text_or_juel(node, node.text, f"camunda:{tag}")
        if tag == "errorEventDefinition":
            self._error_event_definition(node)
        if tag in ("in", "out"):
            if node.get("sourceExpression") is not None:
                self.expression(node, node.get("sourceExpression"), f"camunda:{tag} sourceExpression")
                if not node.get("target"):
                    raise self.error(node, f"camunda:{tag} with sourceExpression needs a target")
            elif node.get("variables") not in (None, "all"):
                raise self.error(node, f"camunda:{tag} variables={node.get('variables')!r}: "
                                       "only 'all' is supported")
            elif node.get("source") is None and node.get("variables") is None and node.get("businessKey") is None:
                raise self.error(node, f"camunda:{tag} needs source, sourceExpression, variables=\"all\" "
                                       "or businessKey")
            key = (node.get("businessKey") or "").strip()
            if tag == "in" and key and not CALLER_BUSINESS_KEY.fullmatch(key):   # the caller's key: no expression
                self.text_or_juel(node, key, "camunda:in businessKey")

    def _error_event_definition(self, node: Any) -> None:
        """camunda:errorEventDefinition, only on an external task: a bpmn:error reference and an expression
        thrown as that error when true on complete (service/engine/error_event_definitions.py)."""
        owner = node.getparent().getparent() if node.getparent() is not None else None
        if owner is None or owner.get(_c("type")) != "external":
            raise self.error(node, "camunda:errorEventDefinition is only supported on an external task "
                                   "(camunda:type=\"external\")")
        ref = node.get("errorRef")
        if not ref or not node.getroottree().getroot().xpath("./bpmn:error[@id=$i]", namespaces=NS, i=ref):
            raise self.error(node, f"camunda:errorEventDefinition errorRef {ref!r} does not name a bpmn:error "
                                   "of this document")
        if node.get("expression") is not None:
            self.expression(node, node.get("expression"), "camunda:errorEventDefinition expression")

    # -- pieces -----------------------------------------------------------------------------
    def _date(self, node: Any, text: str, what: str) -> None:
        try:
            timers.parse_date(text)
        except timers.TimerSyntaxError as exc:
            raise self.error(node, f"{what}: {exc}") from None

    def _timer(self, node: Any, tag: str) -> None:
        text = node.text
        if text is None or not text.strip():
            raise self.error(node, f"{tag} is empty")
        if is_juel(text):
            self.expression(node, text, tag)
            return
        kind = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}[tag]
        try:
            timers.validate(kind, text, min_cycle_seconds=self.min_cycle_seconds)
        except timers.TimerSyntaxError as exc:
            raise self.error(node, f"{tag}: {exc}") from None

    def _multi_instance(self, node: Any) -> None:
        collection = node.get(_c("collection"))
        cardinality = node.find(f"{{{BPMN}}}loopCardinality")
        condition = node.find(f"{{{BPMN}}}completionCondition")
        if collection:
            self.expression(node, collection, "camunda:collection")
        if cardinality is not None:
            self.expression(cardinality, cardinality.text, "loopCardinality")
        if not collection and cardinality is None:
            raise self.error(node, "a multi-instance activity needs camunda:collection or loopCardinality")
        if condition is not None and (condition.text or "").strip():
            self.expression(condition, condition.text, "completionCondition")
        if node.find(f"{{{BPMN}}}loopDataInputRef") is not None and not collection:
            raise self.error(node, "loopDataInputRef is not supported; use camunda:collection")

    def _script_task(self, node: Any) -> None:
        fmt = (node.get("scriptFormat") or "").strip()
        if not fmt:
            raise self.error(node, "a script task needs a scriptFormat (javascript, feel or juel)")
        script = node.find(f"{{{BPMN}}}script")
        if script is None:
            raise self.error(node, "a script task needs a script or camunda:resource")
        self.script(script, fmt, script.text, node.get(_c("resource")), "script")

    def script(self, node: Any, fmt: str, text: str | None, resource: str | None, what: str) -> None:
        """A script of any format: FEEL and JUEL compile here, JavaScript in the sandbox (without running);
        other languages deploy, as in Camunda, and are an incident when reached. A `deployment://` script
        missing from the deployment deploys too (the incident names it)."""
        if not is_supported(fmt):
            return
        if resource and not (text or "").strip():
            return
        if language_of(fmt) != "javascript":
            self.expression(node, text, what)
            return
        try:
            check_script(fmt, text)
        except ScriptError as exc:
            source = f" (resource {resource.strip()})" if resource else ""
            raise self.error(node, f"{what}{source}: the {fmt} script does not compile: {exc.message}") from None

    def _service_task(self, node: Any, tag: str) -> None:
        if any(node.get(_c(a)) for a in JAVA_ATTRS):
            self._delegate(node, node, f"a {tag}")
            return
        if node.xpath("./bpmn:extensionElements/camunda:connector", namespaces={"bpmn": BPMN, "camunda": CAMUNDA}):
            return      # checked with the connector
        kind = node.get(_c("type"))
        if kind != "external":
            raise self.error(node, f"a {tag} must be an external task: set camunda:type=\"external\" and camunda:topic")
        if not node.get(_c("topic")):
            raise self.error(node, "an external task needs camunda:topic")
        self._priority(node, "taskPriority")


    # -- delegates and listeners (engine/delegation) ---------------------------------------------------
    def _delegate(self, node: Any, source: Any, what: str, *, namespaced: bool = True) -> None:
        """One of camunda:class / delegateExpression / expression (or a camunda:script child of a listener).
        A class or bean needs no registration to deploy: a missing one is a deploy warning (ops)."""
        name = _c if namespaced else (lambda attribute: attribute)
        given = [a for a in JAVA_ATTRS if source.get(name(a))]
        scripts = [c for c in source if isinstance(c.tag, str) and _local(c.tag) == "script"]
        if len(given) + len(scripts) != 1:
            raise self.error(node, f"{what} needs exactly one of camunda:class, camunda:delegateExpression, "
                                   "camunda:expression" + (" or camunda:script" if not namespaced else "")
                                   + f" (found {', '.join(given + ['script'] * len(scripts)) or 'none'})")
        if scripts:
            self._listener_script(scripts[0])
            return
        kind = given[0]
        text = source.get(name(kind)).strip()
        if kind == "class" and not all(part.isidentifier() for part in text.replace("$", "_").split(".")):
            raise self.error(node, f"camunda:class {text!r} is not a class name")
        if kind == "delegateExpression" and bean_name(text) is None:
            raise self.error(node, f"camunda:delegateExpression {text!r}: only a bean name (${{beanName}}) is "
                                   "supported")
        if kind == "expression":
            try:
                check_expression(text)
            except ExpressionError as exc:
                raise self.error(node, f"camunda:expression {text!r} is not a valid expression: {exc.message}") \
                    from None

    def _listener(self, node: Any, tag: str) -> None:
        owner = node.getparent().getparent() if node.getparent() is not None else None
        owner_tag = _local(owner.tag) if owner is not None else ""
        event = (node.get("event") or "").strip()
        if tag == "taskListener":
            if owner_tag != "userTask":
                raise self.error(node, f"camunda:taskListener on a {owner_tag or 'document'}: task listeners belong "
                                       "to user tasks")
            if event not in TASK_LISTENER_EVENTS:
                raise self.error(node, f"camunda:taskListener event {event!r} is not supported (supported: "
                                       f"{', '.join(TASK_LISTENER_EVENTS)})")
        else:
            events = ("take",) if owner_tag == "sequenceFlow" else ("start", "end")
            if owner_tag not in LISTENING_ELEMENTS:
                raise self.error(node, f"camunda:executionListener on a {owner_tag or 'document'} is not supported "
                                       "(execution listeners run on flow nodes, sequence flows and processes)")
            if event not in events:
                raise self.error(node, f"camunda:executionListener event {event!r} is not supported on a "
                                       f"{owner_tag} ({', '.join(events)})")
        self._delegate(node, node, f"camunda:{tag} ({event})", namespaced=False)

    def _listener_script(self, script: Any) -> None:
        fmt = (script.get("scriptFormat") or "").strip()
        if not fmt:
            raise self.error(script, "camunda:script needs a scriptFormat")
        if fmt.lower() == "juel":
            try:
                check_expression(script.text or "")
            except ExpressionError as exc:
                raise self.error(script, f"JUEL script is not a valid expression: {exc.message}") from None
            return
        # JavaScript compiles in the sandbox; any other language deploys and is an incident when reached.
        self.script(script, fmt, script.text, script.get("resource"), "listener camunda:script")

    def _field(self, node: Any) -> None:
        if not (node.get("name") or "").strip():
            raise self.error(node, "camunda:field needs a name")
        children = [c for c in node if isinstance(c.tag, str)]
        expression = node.get("expression")
        if expression is None:
            expression = next((c.text for c in children if _local(c.tag) == "expression"), None)
        if expression is not None:
            self.expression(node, expression, f"camunda:field '{node.get('name')}' expression")


LISTENER_TAGS = ("executionListener", "taskListener")
TASK_LISTENER_EVENTS = ("create", "assignment", "complete", "delete")
# Elements whose specs run execution listeners (specs.CamundaIoMixin, listening.ListeningMixin), the flows
# whose `take` listeners run as the token arrives at their target, and the process (its start events, its end).
LISTENING_ELEMENTS = frozenset({"task", "userTask", "manualTask", "serviceTask", "sendTask", "scriptTask",
                                "businessRuleTask", "subProcess", "callActivity", "transaction", "startEvent",
                                "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
                                "receiveTask", "exclusiveGateway", "inclusiveGateway", "parallelGateway",
                                "eventBasedGateway", "sequenceFlow", "process"})


# Each element becomes engine task specs; a document with tens of thousands (a 5 000-branch parallel
# gateway) takes many seconds to start. The SOP models have well under 100.
MAX_ELEMENTS = 3000

# Task priorities are Camunda (Java) ints, stored as 32-bit integers.
PRIORITY_MIN, PRIORITY_MAX = -(2**31), 2**31 - 1

# Flow nodes that neither wait nor change data; a loop made only of them never ends.
PASSIVE_NODES = frozenset({"exclusiveGateway", "inclusiveGateway", "parallelGateway", "complexGateway",
                           "intermediateThrowEvent"})
# Children of a flow container that are not flow nodes (no tokens pass through them).
NOT_FLOW_NODES = frozenset({"sequenceFlow", "boundaryEvent", "laneSet", "dataObject", "dataObjectReference",
                            "dataStoreReference", "textAnnotation", "association", "extensionElements",
                            "documentation", "property", "ioSpecification", "group", "category"})
FLOW_CONTAINERS = frozenset({"process", "subProcess", "transaction", "adHocSubProcess"})


def _find_cycle(edges: dict[str, list[str]]) -> list[str] | None:
    """One cycle of the directed graph `edges` (node -> successors) as a node list, or None. Iterative DFS,
    so a model with thousands of elements cannot exhaust the recursion limit."""
    state: dict[str, int] = {}          # 1 = on the current path, 2 = finished
    for start in edges:
        if state.get(start):
            continue
        path: list[str] = [start]
        iters = [iter(edges[start])]
        state[start] = 1
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
                continue
            if state.get(nxt) == 1:
                return path[path.index(nxt):]
            if not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                iters.append(iter(edges[nxt]))
    return None


__all__ = ["ModelChecker", "NS", "BPMN", "CAMUNDA", "JAVA_MESSAGE"]
