"""Compensation (BPMN 2.0, as Camunda 7 runs it) rewritten into flows SpiffWorkflow runs.

SpiffWorkflow 3.2 has no compensation. Before it parses the document, each scope (process, subprocess,
transaction) is rewritten:

- an activity `A` with a compensation boundary event associated to a handler `H` (`isForCompensation`) sets a
  hidden variable (`marker`) when it completes (a cancelled or never reached activity is not compensated);
- a compensation throw event `T` (intermediate or end; every compensable activity of its scope, or
  `activityRef`; a subprocess without a handler of its own stands for the compensable activities inside it)
  keeps its id and is followed by one exclusive choice per compensable activity, latest in the document
  first: the handler runs when its activity completed (its element moves to `T`'s scope); then the flow goes
  on after `T` (an end event `T` ends there). The throw waits for its handlers (`waitForCompletion`), and a
  compensated activity is not compensated again;
- the compensation boundary events and associations go (they are no flow).

Differences from Camunda 7: handlers run one after another in reverse document order (Camunda: reverse order
of completion, which differs only for activities completed in parallel branches); a multi-instance activity
is compensated once, not once per instance. Refused with a message naming the element:
`waitForCompletion="false"` (Camunda refuses it too), a handler two throw events can reach. A compensation
event subprocess is its subprocess's handler, run in the scope of the throw event that compensates the
subprocess (Camunda runs it inside the completed subprocess's variable snapshot).
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

from lxml import etree

from .errors import ModelError

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
_B = "{%s}" % BPMN
_C = "{%s}" % CAMUNDA
MARKER_PREFIX = "alur__compensable_"      # values.RESERVED_PREFIXES: hidden, and no one else may set it
# camunda: attributes the rewrite adds (specs.CamundaIoMixin reads them; a model may not use them)
COMPLETED_ATTR = "alurCompensable"
COMPENSATED_ATTR = "alurCompensated"
CHOICE_SUFFIX = "__alur_compensate"
MERGE_SUFFIX = "__alur_compensated"
FLOW_SUFFIX = "__alur_cflow"
END_SUFFIX = "__alur_cend"
_SCOPES = ("process", "subProcess", "transaction")


def _local(node: Any) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _has_compensation(root: Any) -> bool:
    return next(root.iter(f"{_B}compensateEventDefinition"), None) is not None


def rewrite(root: Any, filename: str) -> Any:
    """The document with compensation turned into plain flows (`root` itself when it has none; else a copy)."""
    if not _has_compensation(root):
        return root
    from copy import deepcopy
    copy = deepcopy(root)
    _Document(copy, filename).rewrite()
    return copy


class _Document:
    def __init__(self, root: Any, filename: str) -> None:
        self.filename = filename
        self.scopes = [n for n in root.iter() if _local(n) in _SCOPES]
        self.handler_of: dict[str, Any] = {}     # activity id -> its handler element
        self.reached: dict[str, str] = {}        # handler id -> the throw event that runs it
        self.boundaries = [b for b in root.iter(f"{_B}boundaryEvent")
                           if b.find(f"{_B}compensateEventDefinition") is not None]
        self.associations = list(root.iter(f"{_B}association"))
        by_id = {n.get("id"): n for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
        targets = {a.get("sourceRef"): a.get("targetRef") for a in self.associations}
        for boundary in self.boundaries:
            handler = by_id.get(targets.get(boundary.get("id")))
            if handler is None or handler.get("isForCompensation") != "true":
                raise self.error(boundary, "a compensation boundary event needs an association to an activity "
                                           "with isForCompensation=\"true\"")
            self.handler_of[boundary.get("attachedToRef")] = handler
        self.elements = by_id
        self.refs_scope: dict[str, Any] = {}     # handler id -> the scope its throws' activityRefs name
        for handler in [n for n in root.iter(f"{_B}subProcess") if n.get("triggeredByEvent") == "true"]:
            self._event_subprocess_handler(handler)

    def _event_subprocess_handler(self, handler: Any) -> None:
        """A compensation event subprocess is its subprocess's compensation handler (Camunda 7): it becomes a
        plain subprocess run when that subprocess is compensated, its throw events compensating the
        subprocess's activities."""
        start = next((c for c in handler if _local(c) == "startEvent"), None)
        definition = start.find(f"{_B}compensateEventDefinition") if start is not None else None
        if start is None or definition is None:
            return
        owner = handler.getparent()
        if _local(owner) == "process":
            raise self.error(handler, "a compensation event subprocess must be inside a subprocess (Camunda 7 "
                                      "refuses one at process level)")
        if owner.get("id") in self.handler_of:
            raise self.error(handler, f"'{owner.get('id')}' has a compensation boundary event and a compensation "
                                      "event subprocess; it may have only one compensation handler")
        start.remove(definition)
        del handler.attrib["triggeredByEvent"]
        self.handler_of[owner.get("id")] = handler
        self.refs_scope[handler.get("id")] = owner

    def error(self, node: Any, message: str) -> ModelError:
        return ModelError(message, file=self.filename, element_id=node.get("id"), line=node.sourceline)

    def compensable(self, scope: Any) -> list[str]:
        """The activities a compensation of `scope` compensates, in document order: those with a handler,
        and for a subprocess without one, the activities inside it (Camunda's default compensation)."""
        found: list[str] = []
        for child in scope:
            child_id = child.get("id") if isinstance(child.tag, str) else None
            if child_id in self.handler_of:
                found.append(child_id)
            elif _local(child) in ("subProcess", "transaction") and child.get("triggeredByEvent") != "true" \
                    and not any(child is h for h in self.handler_of.values()):
                found.extend(self.compensable(child))
        return found

    def rewrite(self) -> None:
        for scope in self.scopes:
            for throw in [c for c in scope if _local(c) in ("intermediateThrowEvent", "endEvent")
                          and c.find(f"{_B}compensateEventDefinition") is not None]:
                self._throw(scope, throw, self.refs_scope.get(scope.get("id"), scope))
        for activity_id, handler in self.handler_of.items():
            if handler.get("id") in self.reached:
                self.elements[activity_id].set(f"{_C}{COMPLETED_ATTR}", marker(activity_id))
            elif handler.getparent() is not None:
                handler.getparent().remove(handler)      # no compensation reaches it: it can never run
        for node in [*self.boundaries, *self.associations]:
            if node.getparent() is not None and (node in self.boundaries or node.get("sourceRef") in
                                                 {b.get("id") for b in self.boundaries}):
                node.getparent().remove(node)

    def _throw(self, scope: Any, throw: Any, refs: Any) -> None:
        """`throw` in `scope` compensates activities of `refs` (its scope, or for a throw inside a compensation
        event subprocess, the subprocess that one compensates)."""
        definition = throw.find(f"{_B}compensateEventDefinition")
        if definition.get("waitForCompletion", "true") == "false":
            raise self.error(throw, "waitForCompletion=\"false\" is not supported on a compensation event "
                                    "(Camunda 7 refuses it too)")
        ref = definition.get("activityRef")
        if ref is None:
            targets = [a for a in self.compensable(refs) if self.handler_of[a] is not scope]
        else:
            node = next((c for c in refs if isinstance(c.tag, str) and c.get("id") == ref), None)
            if node is None:
                raise self.error(throw, f"activityRef '{ref}' names no activity of this scope")
            targets = [ref] if ref in self.handler_of else self.compensable(node)
            if not targets:
                raise self.error(throw, f"activityRef '{ref}': the activity has no compensation handler")
        for activity in targets:
            handler_id = self.handler_of[activity].get("id")
            if handler_id in self.reached:
                raise self.error(throw, f"the compensation handler '{handler_id}' is reached by two compensation "
                                        f"throw events ({self.reached[handler_id]} and {throw.get('id')}); "
                                        "this is not supported")
            self.reached[handler_id] = throw.get("id")
        _Chain(scope, self.handler_of).build(throw, definition, targets)


class _Chain:
    def __init__(self, scope: Any, handler_of: dict[str, Any]) -> None:
        self.scope = scope
        self.handler_of = handler_of

    def children(self, tag: str) -> list:
        return [c for c in self.scope if _local(c) == tag]

    def build(self, throw: Any, definition: Any, targets: list[str]) -> None:
        """The throw event, then per target (latest first) a choice: its handler when it completed."""
        throw.remove(definition)
        throw_id = throw.get("id")
        outgoing = [f for f in self.children("sequenceFlow") if f.get("sourceRef") == throw_id]
        if _local(throw) == "endEvent":
            throw.tag = f"{_B}intermediateThrowEvent"
            end = etree.SubElement(self.scope, f"{_B}endEvent", id=throw_id + END_SUFFIX)
            outgoing = [etree.SubElement(self.scope, f"{_B}sequenceFlow", id=throw_id + END_SUFFIX + FLOW_SUFFIX,
                                         sourceRef=throw_id, targetRef=end.get("id"))]
        for ref in throw.findall(f"{_B}outgoing"):
            throw.remove(ref)
        previous = throw_id
        for activity in reversed(targets):
            handler = self.handler_of[activity]
            if handler.getparent() is not self.scope:      # a handler inside a compensated subprocess
                handler.getparent().remove(handler)
                self.scope.append(handler)
            choice = etree.SubElement(self.scope, f"{_B}exclusiveGateway", id=f"{activity}{CHOICE_SUFFIX}",
                                      default=f"{activity}{CHOICE_SUFFIX}{FLOW_SUFFIX}skip")
            merge = etree.SubElement(self.scope, f"{_B}exclusiveGateway", id=f"{activity}{MERGE_SUFFIX}")
            self._flow(previous, choice.get("id"), f"{activity}{CHOICE_SUFFIX}{FLOW_SUFFIX}in")
            run = self._flow(choice.get("id"), handler.get("id"), f"{activity}{CHOICE_SUFFIX}{FLOW_SUFFIX}run")
            condition = etree.SubElement(run, f"{_B}conditionExpression")
            condition.text = f"{marker(activity)} = true"      # FEEL: null (never completed) is not true
            self._flow(choice.get("id"), merge.get("id"), f"{activity}{CHOICE_SUFFIX}{FLOW_SUFFIX}skip")
            self._flow(handler.get("id"), merge.get("id"), f"{activity}{MERGE_SUFFIX}{FLOW_SUFFIX}")
            handler.attrib.pop("isForCompensation", None)
            self._unmark_after(handler, activity)
            previous = merge.get("id")
        for flow in outgoing:
            flow.set("sourceRef", previous)

    def _flow(self, source: str, target: str, flow_id: str) -> Any:
        return etree.SubElement(self.scope, f"{_B}sequenceFlow", id=flow_id, sourceRef=source, targetRef=target)

    @staticmethod
    def _unmark_after(handler: Any, activity: str) -> None:
        """A compensated activity is not compensated again (until it completes again)."""
        handler.set(f"{_C}{COMPENSATED_ATTR}", marker(activity))


def marker(activity_id: str) -> str:
    """The hidden variable set when `activity_id` completes: a FEEL name (ids may hold '-' and '.')."""
    name = re.sub(r"\W", "_", activity_id)
    if name != activity_id:
        name += "_" + hashlib.sha256(activity_id.encode()).hexdigest()[:8]
    return MARKER_PREFIX + name


def is_synthetic(element_id: str | None) -> bool:
    return isinstance(element_id, str) and (CHOICE_SUFFIX in element_id or MERGE_SUFFIX in element_id
                                            or element_id.endswith(END_SUFFIX))


__all__ = ["rewrite", "is_synthetic", "marker", "MARKER_PREFIX", "COMPLETED_ATTR", "COMPENSATED_ATTR"]
