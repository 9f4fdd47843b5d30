"""Paths through a BPMN process, enumerated from its graph (no engine): every outcome of every exclusive
or inclusive split, every loop (back edge) both taken once and not taken, parallel branches all at once.

A path is a token game run to completion: the flows taken, the flow nodes visited and, per split
gateway, the outcome chosen at each visit. The simulator then makes the real engine follow it.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
FLOW_NODE_TAGS = {
    "startEvent", "endEvent", "userTask", "manualTask", "businessRuleTask", "callActivity", "task",
    "serviceTask", "scriptTask", "sendTask", "receiveTask", "exclusiveGateway", "inclusiveGateway",
    "parallelGateway", "intermediateCatchEvent", "intermediateThrowEvent", "subProcess", "eventBasedGateway",
    "boundaryEvent",
}
DECISION_GATEWAYS = ("exclusiveGateway", "inclusiveGateway")
MAX_PATHS = 500


class PathError(ValueError):
    pass


@dataclass
class PNode:
    id: str
    tag: str
    name: str | None
    lane: str | None
    properties: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)       # camunda:* and calledElement, default
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)


@dataclass
class PFlow:
    id: str
    source: str
    target: str
    name: str | None
    condition: str | None
    virtual: bool = False          # task -> its boundary event: not a sequence flow, a possible event


@dataclass
class ProcessGraph:
    key: str
    name: str | None
    nodes: dict[str, PNode]
    flows: dict[str, PFlow]
    start: str

    def is_split(self, node_id: str) -> bool:
        """A decision point of a path: an exclusive/inclusive split, or a task with boundary events
        (the event happens or not)."""
        node = self.nodes[node_id]
        if node.tag in DECISION_GATEWAYS:
            return len(node.outgoing) > 1
        return any(self.flows[f].virtual for f in node.outgoing)

    @property
    def sequence_flows(self) -> dict[str, PFlow]:
        return {fid: f for fid, f in self.flows.items() if not f.virtual}


@dataclass
class Path:
    flows: list[str]
    nodes: list[str]
    decisions: dict[str, list[tuple[str, ...]]]      # gateway id -> outcome (flow ids) per visit, in order
    back_edges: list[str] = field(default_factory=list)


def read_process(xml: bytes, key: str | None = None) -> ProcessGraph:
    """The flow graph of one executable process (the first, or the one with id `key`)."""
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        raise PathError(f"invalid XML: {exc}") from exc
    procs = [p for p in root.iter(f"{{{BPMN}}}process") if key is None or p.get("id") == key]
    if not procs:
        raise PathError(f"no process {key!r} in the model" if key else "no process in the model")
    proc = procs[0]
    lanes: dict[str, str] = {}
    for lane in proc.iter(f"{{{BPMN}}}lane"):
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    nodes: dict[str, PNode] = {}
    flows: dict[str, PFlow] = {}
    for el in proc:
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname
        if tag in FLOW_NODE_TAGS:
            props = {p.get("name"): p.get("value", "") for p in el.iter(f"{{{CAMUNDA}}}property")}
            attrs = {etree.QName(k).localname: v for k, v in el.attrib.items() if k != "id"}
            nodes[el.get("id")] = PNode(el.get("id"), tag, el.get("name"), lanes.get(el.get("id")), props, attrs)
        elif tag == "sequenceFlow":
            cond = el.find(f"{{{BPMN}}}conditionExpression")
            flows[el.get("id")] = PFlow(el.get("id"), el.get("sourceRef"), el.get("targetRef"), el.get("name"),
                                        (cond.text or "").strip() or None if cond is not None else None)
    for node in list(nodes.values()):
        attached = node.attrs.get("attachedToRef")
        if node.tag == "boundaryEvent" and attached in nodes:
            fid = f"~{attached}~{node.id}"
            flows[fid] = PFlow(fid, attached, node.id, None, None, virtual=True)
    for f in flows.values():
        if f.source not in nodes or f.target not in nodes:
            raise PathError(f"sequence flow {f.id} connects unknown elements {f.source} -> {f.target}")
        nodes[f.source].outgoing.append(f.id)
        nodes[f.target].incoming.append(f.id)
    starts = [n.id for n in nodes.values() if n.tag == "startEvent" and not n.incoming]
    if not starts:
        raise PathError("the process has no start event")
    return ProcessGraph(proc.get("id"), proc.get("name"), nodes, flows, starts[0])


def back_edges(g: ProcessGraph) -> set[str]:
    """Flows closing a cycle in a depth-first search from the start, in document order."""
    result: set[str] = set()
    state: dict[str, int] = {}          # 1 on the stack, 2 done

    def visit(nid: str) -> None:
        state[nid] = 1
        for fid in g.nodes[nid].outgoing:
            t = g.flows[fid].target
            if state.get(t) == 1:
                result.add(fid)
            elif t not in state:
                visit(t)
        state[nid] = 2

    visit(g.start)
    return result


def reaches(g: ProcessGraph, src: str, dst: str, avoid: str) -> bool:
    seen, todo = {src}, [src]
    while todo:
        nid = todo.pop()
        if nid == dst:
            return True
        if nid == avoid:
            continue
        for fid in g.nodes[nid].outgoing:
            t = g.flows[fid].target
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return False


@dataclass
class _State:
    tokens: tuple[str, ...]                 # flow ids carrying a token (start token: "")
    arrived: dict[str, tuple[str, ...]]     # join id -> incoming flows with a waiting token
    flows: tuple[str, ...]
    nodes: tuple[str, ...]
    decisions: dict[str, tuple[tuple[str, ...], ...]]
    used_back: frozenset[str]


def enumerate_paths(g: ProcessGraph, *, max_paths: int = MAX_PATHS) -> list[Path]:
    """Every path from the start to the ends, deduplicated by the set of flows taken (loop order aside).
    Boundary events (reminders) do not multiply the paths: the paths are enumerated without them, then
    one more path per boundary event fires it (on the first path that reaches its task)."""
    paths = _enumerate(g, max_paths=max_paths, fire=None)
    seen = {frozenset(p.flows) for p in paths}
    for fid, flow in g.flows.items():
        if flow.virtual and len(paths) < max_paths:
            extra = _enumerate(g, max_paths=20, fire=fid)      # sorted: the simplest first
            if extra and frozenset(extra[0].flows) not in seen:
                seen.add(frozenset(extra[0].flows))
                paths.append(extra[0])
    return paths


def _enumerate(g: ProcessGraph, *, max_paths: int, fire: str | None) -> list[Path]:
    backs = back_edges(g)
    done: list[Path] = []
    seen_sets: set[frozenset[str]] = set()
    stack = [_State(("",), {}, (), (), {}, frozenset())]
    steps = 0
    while stack:
        st = stack.pop()
        steps += 1
        if steps > 200_000:
            raise PathError("too many paths to enumerate (more than 200000 partial paths)")
        if not st.tokens:
            key = frozenset(st.flows) | frozenset(f"#{d}" for d in st.used_back)
            if fire is not None and fire not in st.flows:
                continue
            if key not in seen_sets:
                seen_sets.add(key)
                done.append(Path(list(st.flows), list(st.nodes), {k: list(v) for k, v in st.decisions.items()},
                                 sorted(st.used_back)))
                if len(done) >= max_paths:
                    break
            continue
        token, rest = st.tokens[0], st.tokens[1:]
        nid = g.start if token == "" else g.flows[token].target
        node = g.nodes[nid]
        arrived_after = st.arrived
        if node.tag in ("parallelGateway", "inclusiveGateway") and len(node.incoming) > 1:
            arrived = st.arrived.get(nid, ()) + (token,)
            arrived_after = dict(st.arrived)
            if node.tag == "parallelGateway":
                ready = set(arrived) >= set(node.incoming)
            else:   # an inclusive join fires when no other token can still reach it
                ready = not any(reaches(g, g.flows[t].target if t else g.start, nid, nid) for t in rest)
            if not ready:
                arrived_after[nid] = arrived
                stack.append(_State(rest, arrived_after, st.flows, st.nodes, st.decisions, st.used_back))
                continue
            arrived_after.pop(nid, None)
        nodes = st.nodes + (nid,)
        if node.tag == "endEvent" or not node.outgoing:
            stack.append(_State(rest, arrived_after, st.flows, nodes, st.decisions, st.used_back))
            continue
        for outcome in _outcomes(g, node):
            if any(g.flows[f].virtual and (f != fire or f in st.flows) for f in outcome):
                continue             # boundary events: only the one being fired, and only once
            new_back = [f for f in outcome if f in backs]
            if any(f in st.used_back for f in new_back):
                continue             # each loop is taken at most once per path
            decisions = st.decisions
            if g.is_split(nid):
                decisions = dict(st.decisions)
                decisions[nid] = st.decisions.get(nid, ()) + (outcome,)
            stack.append(_State(rest + outcome, arrived_after, st.flows + outcome, nodes, decisions,
                                st.used_back | frozenset(new_back)))
    done.sort(key=lambda p: (len(p.back_edges), len(p.flows), p.flows))
    return done


def _outcomes(g: ProcessGraph, node: PNode) -> list[tuple[str, ...]]:
    """The possible sets of outgoing flows taken when a token leaves `node`, in reverse order (the stack
    then explores the first outcome first)."""
    outs = node.outgoing
    virtual = [f for f in outs if g.flows[f].virtual]
    if virtual:
        normal = tuple(f for f in outs if f not in virtual)
        result = [normal]
        for v in virtual:
            interrupting = g.nodes[g.flows[v].target].attrs.get("cancelActivity", "true") != "false"
            result.append((v,) if interrupting else normal + (v,))
        return list(reversed(result))
    if node.tag == "exclusiveGateway" and len(outs) > 1:
        result = [(f,) for f in outs]
    elif node.tag == "inclusiveGateway" and len(outs) > 1:
        default = node.attrs.get("default")
        conditional = [f for f in outs if f != default]
        result = [c for r in range(1, len(conditional) + 1) for c in itertools.combinations(conditional, r)]
        if default in outs:
            result.append((default,))
    else:
        result = [tuple(outs)]       # tasks, events, parallel splits: every outgoing flow
    return list(reversed(result))
