"""BPMN 2.0 XML in the Camunda 7 dialect for an SOP table: a collaboration with one pool, a lane per
Pelaksana, a task per step with the Mutu Baku as camunda:properties, gateways, and diagram interchange.

The output is deterministic (ids derive from step numbers, order follows the table), so re-importing an
unchanged table produces a byte-identical file.
"""
from __future__ import annotations

from lxml import etree

from service.sop.flow import FlowGraph, Node, build_graph, unreachable
from service.sop.layout import Bounds, Layout, layout
from service.sop.model import SopFormatError, SopTable, Step, element_suffix

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MODELER = "http://camunda.org/schema/modeler/1.0"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "camunda": CAMUNDA, "xsi": XSI,
         "modeler": MODELER}
EXPORTER = "Alur sop import"
EXPORTER_VERSION = "0.1.0"
HISTORY_TTL = "180"        # Camunda 7.20+ refuses deployments without historyTimeToLive


def _b(tag: str) -> str:
    return f"{{{BPMN}}}{tag}"


def _c(tag: str) -> str:
    return f"{{{CAMUNDA}}}{tag}"


def lane_ids(table: SopTable) -> dict[str, str]:
    ids: dict[str, str] = {}
    for lane in table.lanes:
        base = "Lane_" + element_suffix(lane)
        lid, n = base, 2
        while lid in ids.values():
            lid, n = f"{base}_{n}", n + 1
        ids[lane] = lid
    return ids


def step_properties(step: Step) -> list[tuple[str, str]]:
    props = []
    if step.no is not None:
        props.append(("sop.no", step.no))
    if step.kelengkapan:
        props.append(("mutu.kelengkapan", "; ".join(step.kelengkapan)))
    if step.waktu:
        props.append(("mutu.waktu", step.waktu))
        props.append(("mutu.hari", step.hari))
    if step.output:
        props.append(("mutu.output", step.output))
    return props


def to_bpmn(table: SopTable, graph: FlowGraph | None = None) -> bytes:
    graph = graph or build_graph(table)
    lost = unreachable(graph)
    if lost:
        raise SopFormatError([f"{table.path}: {nid}: no path from the start reaches it" for nid in lost])
    lay = layout(graph, table.lanes)
    defs = etree.Element(_b("definitions"), nsmap=NSMAP)
    defs.set("id", f"Definitions_{element_suffix(table.key)}")
    defs.set("targetNamespace", "http://bpmn.io/schema/bpmn")
    defs.set("exporter", EXPORTER)
    defs.set("exporterVersion", EXPORTER_VERSION)
    defs.set(f"{{{MODELER}}}executionPlatform", "Camunda Platform")
    defs.set(f"{{{MODELER}}}executionPlatformVersion", "7.21.0")

    collab_id = f"Collaboration_{element_suffix(table.key)}"
    participant_id = f"Participant_{element_suffix(table.key)}"
    collab = etree.SubElement(defs, _b("collaboration"), id=collab_id)
    etree.SubElement(collab, _b("participant"), id=participant_id, name=table.name, processRef=table.key)

    proc = etree.SubElement(defs, _b("process"), id=table.key, name=table.name, isExecutable="true")
    proc.set(_c("historyTimeToLive"), HISTORY_TTL)
    doc = _process_documentation(table)
    if doc:
        etree.SubElement(proc, _b("documentation")).text = doc
    lids = lane_ids(table)
    lane_set = etree.SubElement(proc, _b("laneSet"), id=f"LaneSet_{element_suffix(table.key)}")
    for lane in table.lanes:
        el = etree.SubElement(lane_set, _b("lane"), id=lids[lane], name=lane)
        for node in graph.nodes.values():
            if node.lane == lane:
                etree.SubElement(el, _b("flowNodeRef")).text = node.id
    for node in graph.nodes.values():
        _flow_node(proc, table, graph, node)
    for flow in graph.flows.values():
        el = etree.SubElement(proc, _b("sequenceFlow"), id=flow.id, sourceRef=flow.source,
                              targetRef=flow.target)
        if flow.name:
            el.set("name", flow.name)
        if flow.condition:
            cond = etree.SubElement(el, _b("conditionExpression"))
            cond.set(f"{{{XSI}}}type", "bpmn:tFormalExpression")
            cond.text = flow.condition
    _diagram(defs, table, graph, lay, collab_id, participant_id, lids)
    return etree.tostring(defs, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _process_documentation(table: SopTable) -> str:
    parts = []
    if table.number:
        parts.append(f"Nomor SOP: {table.number}")
    if table.effective:
        parts.append(f"Tanggal efektif: {table.effective}")
    if table.authority:
        parts.append(f"Disahkan oleh: {table.authority}")
    return "\n".join(parts)


def _flow_node(proc: etree._Element, table: SopTable, graph: FlowGraph, node: Node) -> None:
    el = etree.SubElement(proc, _b(node.tag), id=node.id)
    if node.name:
        el.set("name", node.name)
    step = node.step
    props: list[tuple[str, str]] = []
    if node.tag == "boundaryEvent":
        _reminder_timer(el, graph, node)
        return
    if node.advice_for is not None:
        _advice_task(el, node)
        return
    if node.tag == "serviceTask" and step is not None and step.reminder:
        el.set(_c("type"), "external")
        el.set(_c("topic"), step.reminder.topic)
        etree.SubElement(el, _b("documentation")).text = (
            f"Pengingat untuk langkah {step.label} (lane {step.lane}); dikirim oleh worker topik "
            f"{step.reminder.topic}.")
        ext = etree.SubElement(el, _b("extensionElements"))
        cprops = etree.SubElement(ext, _c("properties"))
        etree.SubElement(cprops, _c("property"), name="pengingat.langkah", value=step.ref)
        etree.SubElement(cprops, _c("property"), name="pengingat.task", value=step.element_id)
        for fid in node.incoming:
            etree.SubElement(el, _b("incoming")).text = fid
        for fid in node.outgoing:
            etree.SubElement(el, _b("outgoing")).text = fid
        return
    if step is not None:
        text = "\n\n".join(x for x in (step.text, f"Keterangan: {step.keterangan}" if step.keterangan else None)
                           if x)
        if text:
            etree.SubElement(el, _b("documentation")).text = text
        props = step_properties(step)
        if step.heading:
            pass                # the split gateway of a heading row carries its sop.no and Mutu Baku only
        elif step.kind == "user":
            el.set(_c("formRef"), table.form_id(step))
            el.set(_c("formRefBinding"), "latest")
            if step.candidate_groups:
                el.set(_c("candidateGroups"), ",".join(step.candidate_groups))
        elif step.kind == "manual" and step.candidate_groups:
            el.set(_c("candidateGroups"), ",".join(step.candidate_groups))
        elif step.kind == "rule" and step.decision:
            el.set(_c("decisionRef"), step.decision.ref)
            el.set(_c("resultVariable"), step.decision.result)
            el.set(_c("mapDecisionResult"), step.decision.map)
        elif step.kind == "call" and step.call_key:
            el.set("calledElement", step.call_key)
            el.set(_c("calledElementBinding"), "latest")
    elif node.tag == "startEvent":
        if table.start.fields:
            el.set(_c("formRef"), table.form_id(None))
            el.set(_c("formRefBinding"), "latest")
        if node.sop_no:
            props = [("sop.no", node.sop_no)]
    elif node.tag == "endEvent" and node.sop_no:
        props = [("sop.no", node.sop_no)]
    if node.default_flow:
        el.set("default", node.default_flow)
    if props or (step is not None and (step.kind == "call" or step.outputs)):
        ext = etree.Element(_b("extensionElements"))
        el.insert(1 if el.find(_b("documentation")) is not None else 0, ext)
        if props:
            cprops = etree.SubElement(ext, _c("properties"))
            for name, value in props:
                etree.SubElement(cprops, _c("property"), name=name, value=value)
        if step is not None and step.kind == "call":
            if step.call_each and step.call_each.business_key:
                etree.SubElement(ext, _c("in"), businessKey=step.call_each.business_key)
            etree.SubElement(ext, _c("in"), variables="all")
            if not step.call_each:
                # one called instance per item: its results stay its own (the items would overwrite each other)
                etree.SubElement(ext, _c("out"), variables="all")
        if step is not None and step.outputs:
            io = etree.SubElement(ext, _c("inputOutput"))
            for out in step.outputs:
                param = etree.SubElement(io, _c("outputParameter"), name=out.name)
                etree.SubElement(param, _c("script"), scriptFormat="feel").text = out.feel
    for fid in node.incoming:
        etree.SubElement(el, _b("incoming")).text = fid
    for fid in node.outgoing:
        etree.SubElement(el, _b("outgoing")).text = fid
    if step is not None and step.call_each and node.tag == "callActivity":
        mi = etree.SubElement(el, _b("multiInstanceLoopCharacteristics"))
        if step.call_each.sequential:
            mi.set("isSequential", "true")
        mi.set(_c("collection"), "${" + step.call_each.collection + "}")
        mi.set(_c("elementVariable"), step.call_each.element)


def _advice_task(el: etree._Element, node: Node) -> None:
    """The table's advice for a person's decision: the advice and its reason as their own variables, and the
    person's choice preset to the advice (the form shows the advice read-only and asks for the choice)."""
    step = node.advice_for
    # build_graph makes an advice task only for a step with advice, and the caller checks advice_for
    assert step is not None and step.advice is not None, f"{node.id}: advice task without an advised step"
    advice = step.advice
    etree.SubElement(el, _b("documentation")).text = (
        f"Saran tabel keputusan {advice.decision} untuk langkah {step.label}. Tabel hanya memberi saran; "
        f"keputusan ({advice.field}) diambil oleh {step.lane} pada langkah itu dan dicatat di samping saran.")
    el.set(_c("decisionRef"), advice.decision)
    el.set(_c("resultVariable"), advice.variable)
    el.set(_c("mapDecisionResult"), "singleResult")
    ext = etree.SubElement(el, _b("extensionElements"))
    cprops = etree.SubElement(ext, _c("properties"))
    etree.SubElement(cprops, _c("property"), name="saran.langkah", value=step.element_id)
    io = etree.SubElement(ext, _c("inputOutput"))
    # outputs are evaluated against the task's data before any is written, so each reads the result map
    result = f"{advice.variable}.{advice.output}"
    preset = result
    for v in reversed(advice.values):
        preset = f"{result} == '{v.value}' ? '{v.choose}' : {preset}"
    outputs = [(advice.variable, result), (advice.field, preset)]
    if advice.reason:
        outputs.insert(1, (advice.reason_variable, f"{advice.variable}.{advice.reason}"))
    for name, expr in outputs:
        etree.SubElement(io, _c("outputParameter"), name=name).text = "${" + expr + "}"
    for fid in node.incoming:
        etree.SubElement(el, _b("incoming")).text = fid
    for fid in node.outgoing:
        etree.SubElement(el, _b("outgoing")).text = fid


def _reminder_timer(el: etree._Element, graph: FlowGraph, node: Node) -> None:
    """A non-interrupting timer on the task: the reminder branch runs while the task stays open."""
    # build_graph attaches a boundary event only to the task of a step with a reminder
    assert node.attached_to is not None, f"{node.id}: boundary event attached to nothing"
    step = graph.nodes[node.attached_to].step
    assert step is not None and step.reminder is not None, f"{node.id}: boundary event on a task without reminder"
    el.set("cancelActivity", "false")
    el.set("attachedToRef", node.attached_to)
    for fid in node.outgoing:
        etree.SubElement(el, _b("outgoing")).text = fid
    timer = etree.SubElement(el, _b("timerEventDefinition"), id=f"TimerEventDefinition_{node.id}")
    expr = etree.SubElement(timer, _b("timeCycle" if step.reminder.cycle else "timeDuration"))
    expr.set(f"{{{XSI}}}type", "bpmn:tFormalExpression")
    expr.text = step.reminder.timer


def _bounds(parent: etree._Element, b: Bounds) -> None:
    etree.SubElement(parent, f"{{{DC}}}Bounds", x=_n(b.x), y=_n(b.y), width=_n(b.w), height=_n(b.h))


def _n(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def _diagram(defs: etree._Element, table: SopTable, graph: FlowGraph, lay: Layout, collab_id: str,
             participant_id: str, lids: dict[str, str]) -> None:
    diagram = etree.SubElement(defs, f"{{{BPMNDI}}}BPMNDiagram", id=f"BPMNDiagram_{element_suffix(table.key)}")
    plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id=f"BPMNPlane_{element_suffix(table.key)}",
                             bpmnElement=collab_id)
    shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", id=f"{participant_id}_di",
                             bpmnElement=participant_id, isHorizontal="true")
    _bounds(shape, lay.pool)
    for lane in table.lanes:
        shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", id=f"{lids[lane]}_di",
                                 bpmnElement=lids[lane], isHorizontal="true")
        _bounds(shape, lay.lanes[lane])
    for node in graph.nodes.values():
        shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", id=f"{node.id}_di", bpmnElement=node.id)
        if node.tag == "exclusiveGateway":
            shape.set("isMarkerVisible", "true")
        _bounds(shape, lay.shapes[node.id])
        if node.id in lay.node_labels:
            _bounds(etree.SubElement(shape, f"{{{BPMNDI}}}BPMNLabel"), lay.node_labels[node.id])
    for fid in graph.flows:
        edge = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{fid}_di", bpmnElement=fid)
        for x, y in lay.edges[fid]:
            etree.SubElement(edge, f"{{{DI}}}waypoint", x=_n(x), y=_n(y))
        if fid in lay.edge_labels:
            _bounds(etree.SubElement(edge, f"{{{BPMNDI}}}BPMNLabel"), lay.edge_labels[fid])
