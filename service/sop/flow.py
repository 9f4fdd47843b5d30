"""The flow graph of an SOP table: flow nodes and sequence flows in SOP order, shared by the BPMN writer
and the layout so both agree on ids and order."""
from __future__ import annotations

from dataclasses import dataclass, field

from service.sop.model import SopTable, Step, element_suffix

# SpiffWorkflow names its own internal task specs "Start" and "End": a BPMN element with either id would
# silently replace them, so the start event is "StartEvent" (and ends are "End_<id>").
START_ID = "StartEvent"
# A manual step is done outside Alur but waits until someone records it as done (it has candidate groups and
# reminders): a userTask without a form, because Camunda 7 runs a bpmn:manualTask as a pass-through activity.
TASK_TAGS = {"user": "userTask", "rule": "businessRuleTask", "call": "callActivity", "manual": "userTask"}


@dataclass
class Node:
    id: str
    tag: str                       # BPMN element local name
    name: str | None
    lane: str | None
    step: Step | None = None
    order: int = 0                 # column in SOP order (parallel sub-steps share one)
    default_flow: str | None = None
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)
    sop_no: str | None = None
    attached_to: str | None = None     # boundary events: the task they sit on
    row: int | None = None             # layout: a fixed row within the lane (reminder branch: 1)
    advice_for: Step | None = None     # the advice business rule task of this step


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None


@dataclass
class FlowGraph:
    nodes: dict[str, Node]         # insertion order = SOP order
    flows: dict[str, Flow]

    def add_flow(self, source: str, target: str, name: str | None = None,
                 condition: str | None = None) -> Flow:
        base = f"Flow_{source}_{target}"
        fid, n = base, 2
        while fid in self.flows:
            fid, n = f"{base}_{n}", n + 1
        flow = Flow(fid, source, target, name, condition)
        self.flows[fid] = flow
        self.nodes[source].outgoing.append(fid)
        self.nodes[target].incoming.append(fid)
        return flow


def build_graph(table: SopTable) -> FlowGraph:
    g = FlowGraph(nodes={}, flows={})
    order = 0

    def add(node: Node) -> Node:
        g.nodes[node.id] = node
        return node

    add(Node(START_ID, "startEvent", table.start.name, table.start.lane, order=order, sop_no=table.start.no))
    refs: dict[str, str] = {}          # step ref -> the step's own node
    entries: dict[str, str] = {}       # step ref -> the node flows into the step go to (its advice task first)
    exits: dict[str, str] = {}         # step ref -> the node its outgoing flows leave from
    joins = {st.gateway.join: st for st in table.steps if st.gateway and st.gateway.join}
    for step in table.steps:
        if step.ref in joins:           # the join gateway sits in the column before the step it joins into
            split = joins[step.ref]
            assert split.gateway is not None    # `joins` holds only steps with a gateway
            order += 1
            add(Node("Join_" + element_suffix(split.ref), f"{split.gateway.type}Gateway", None, step.lane,
                     order=order))
        if step.heading:
            # only a heading over its parallel sub-steps: the split gateway stands for the row
            order += 1
            gid = "Gateway_" + element_suffix(step.ref)
            add(Node(gid, "parallelGateway", step.label, step.lane, step, order, sop_no=step.no))
            refs[step.ref] = gid
        else:
            if step.advice:
                order += 1
                add(Node(step.advice_id, "businessRuleTask", f"Saran: {step.name}"[:60], step.lane, order=order,
                         advice_for=step))
            order += 1
            add(Node(step.element_id, TASK_TAGS[step.kind], step.label, step.lane, step, order, sop_no=step.no))
            refs[step.ref] = step.element_id
            if step.reminder:
                suffix = element_suffix(step.ref)
                add(Node(f"Reminder_{suffix}", "boundaryEvent", None, step.lane, order=order,
                         attached_to=step.element_id))
                add(Node(f"Task_pengingat_{suffix}", "serviceTask", f"{step.reminder.name}: {step.label}"[:60],
                         step.lane, step, order, row=1))
                add(Node(f"End_pengingat_{suffix}", "endEvent", "Pengingat terkirim", step.lane, order=order + 1,
                         row=1))
        exits[step.ref] = refs[step.ref]
        entries[step.ref] = step.advice_id if step.advice else refs[step.ref]
        if step.gateway:
            order += 1
            tag = f"{step.gateway.type}Gateway"
            gid = "Gateway_" + element_suffix(step.ref)
            add(Node(gid, tag, step.gateway.name, step.lane, order=order))
            exits[step.ref] = gid
        elif step.parallel:
            if not step.heading:
                order += 1
                gid = "Gateway_" + element_suffix(step.ref)
                add(Node(gid, "parallelGateway", None, step.lane, order=order))
            order += 1
            for sub in step.parallel:
                add(Node(sub.element_id, TASK_TAGS[sub.kind], sub.label, sub.lane, sub, order, sop_no=sub.no))
            order += 1
            jid = "Join_" + element_suffix(step.ref)
            add(Node(jid, "parallelGateway", None, step.lane, order=order))
            exits[step.ref] = jid
    end_nodes = {}
    for end in table.ends:
        end_nodes[end.id] = end.element_id
    default_end = table.ends[0].id

    def target(ref: str) -> str:
        if ref == "end":
            return end_nodes[default_end]
        return end_nodes[ref] if ref in end_nodes else entries[ref]

    # ends go after the last step, in the order given
    for end in table.ends:
        order += 1
        add(Node(end.element_id, "endEvent", end.name, end.lane, order=order, sop_no=end.no))

    g.add_flow(START_ID, entries[table.steps[0].ref])
    for step in table.steps:
        if step.advice:
            g.add_flow(step.advice_id, step.element_id)
    for i, step in enumerate(table.steps):
        following = table.steps[i + 1].ref if i + 1 < len(table.steps) else "end"
        if step.gateway:
            g.add_flow(step.element_id, exits[step.ref])
            gw = g.nodes[exits[step.ref]]
            for b in step.gateway.branches:
                flow = g.add_flow(gw.id, target(b.to), b.label, b.when)
                if b.default:
                    gw.default_flow = flow.id
            continue
        if step.parallel:
            split_id, join_id = "Gateway_" + element_suffix(step.ref), exits[step.ref]
            if not step.heading:
                g.add_flow(step.element_id, split_id)
            for sub in step.parallel:
                g.add_flow(split_id, sub.element_id)
                g.add_flow(sub.element_id, join_id)
        g.add_flow(exits[step.ref], target(step.next or following))

    for step in table.steps:
        if step.reminder and not step.heading:
            suffix = element_suffix(step.ref)
            g.add_flow(f"Reminder_{suffix}", f"Task_pengingat_{suffix}")
            g.add_flow(f"Task_pengingat_{suffix}", f"End_pengingat_{suffix}")

    for target_ref, split in joins.items():
        _insert_join(g, "Gateway_" + element_suffix(split.ref), "Join_" + element_suffix(split.ref),
                     entries[target_ref])

    # an end without a lane sits in the lane of the first node flowing into it
    for end in table.ends:
        node = g.nodes[end.element_id]
        if node.lane is None:
            node.lane = g.nodes[g.flows[node.incoming[0]].source].lane if node.incoming else table.lanes[-1]
    return g


def _insert_join(g: FlowGraph, split: str, join: str, target: str) -> None:
    """Route every flow into `target` that comes from the split's branches through the join gateway."""
    region, todo = {split}, [split]
    while todo:
        for fid in g.nodes[todo.pop()].outgoing:
            t = g.flows[fid].target
            if t != target and t not in region:
                region.add(t)
                todo.append(t)
    flows: dict[str, Flow] = {}
    for fid, f in g.flows.items():
        if f.target == target and f.source in region:
            g.nodes[target].incoming.remove(fid)
            source = g.nodes[f.source]
            new_id = f"Flow_{f.source}_{join}"
            n = 2
            while new_id in flows or new_id in g.flows:
                new_id, n = f"Flow_{f.source}_{join}_{n}", n + 1
            source.outgoing[source.outgoing.index(fid)] = new_id
            if source.default_flow == fid:
                source.default_flow = new_id
            flows[new_id] = Flow(new_id, f.source, join, f.name, f.condition)
            g.nodes[join].incoming.append(new_id)
        else:
            flows[fid] = f
    g.flows = flows
    g.add_flow(join, target)


def unreachable(g: FlowGraph) -> list[str]:
    """Nodes not reachable from the start (an end nobody flows to, a step skipped by every branch)."""
    boundaries: dict[str, list[str]] = {}
    for node in g.nodes.values():
        if node.attached_to:
            boundaries.setdefault(node.attached_to, []).append(node.id)
    seen, todo = {START_ID}, [START_ID]
    while todo:
        nid = todo.pop()
        for t in [g.flows[fid].target for fid in g.nodes[nid].outgoing] + boundaries.get(nid, []):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return [n for n in g.nodes if n not in seen]
