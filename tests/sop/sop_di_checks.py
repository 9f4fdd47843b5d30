"""Structural checks of a generated diagram, shared by the importer and shipped-model tests."""
from __future__ import annotations

import itertools

from lxml import etree

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "di": "http://www.omg.org/spec/DD/20100524/DI"}
FLOW_NODES = ("startEvent", "endEvent", "userTask", "manualTask", "businessRuleTask", "callActivity",
              "exclusiveGateway", "inclusiveGateway", "parallelGateway", "boundaryEvent", "serviceTask")


def bounds(b: etree._Element) -> tuple[float, float, float, float]:
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def assert_clean_diagram(root: etree._Element) -> None:
    """DI for every flow element, lane and the pool; no overlapping shapes; labels clear of shapes; shapes
    inside their lane; orthogonal edges that cross no shape but their own ends."""
    proc = root.find("bpmn:process", NS)
    nodes = [e for e in proc if isinstance(e.tag, str) and etree.QName(e).localname in FLOW_NODES]
    flows = proc.findall("bpmn:sequenceFlow", NS)
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    assert {n.get("id") for n in nodes} | {ln.get("id") for ln in proc.iterfind(".//bpmn:lane", NS)} \
        | {root.find(".//bpmn:participant", NS).get("id")} == set(shapes)
    assert {f.get("id") for f in flows} == set(edges)
    node_boxes = {n.get("id"): bounds(shapes[n.get("id")].find("dc:Bounds", NS)) for n in nodes}
    attached = {n.get("id"): n.get("attachedToRef") for n in nodes if n.get("attachedToRef")}
    for (a, ba), (b, bb) in itertools.combinations(node_boxes.items(), 2):
        if attached.get(a) == b or attached.get(b) == a:
            continue                          # a boundary event sits on its task's border by design
        assert not overlap(ba, bb), f"{a} overlaps {b}"
    labels = [bounds(lb) for s in shapes.values() for lb in s.findall("bpmndi:BPMNLabel/dc:Bounds", NS)]
    labels += [bounds(lb) for e in edges.values() for lb in e.findall("bpmndi:BPMNLabel/dc:Bounds", NS)]
    for lb in labels:
        for nid, box in node_boxes.items():
            assert not overlap(lb, box), f"a label overlaps {nid}"
    lane_of = {r.text: ln.get("id") for ln in proc.iterfind(".//bpmn:lane", NS)
               for r in ln.findall("bpmn:flowNodeRef", NS)}
    for nid, (x, y, w, h) in node_boxes.items():
        lx, ly, lw, lh = bounds(shapes[lane_of[nid]].find("dc:Bounds", NS))
        assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, f"{nid} is outside its lane"
    for fid, edge in edges.items():
        pts = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", NS)]
        assert len(pts) >= 2
        for (ax, ay), (bx, by) in zip(pts, pts[1:], strict=False):
            assert ax == bx or ay == by, f"{fid} is not orthogonal"
        # no segment runs through a shape other than its own ends
        flow = next(f for f in flows if f.get("id") == fid)
        ends = {flow.get("sourceRef"), flow.get("targetRef")}
        for (ax, ay), (bx, by) in zip(pts, pts[1:], strict=False):
            seg = (min(ax, bx), min(ay, by), abs(bx - ax) or 0.5, abs(by - ay) or 0.5)
            for nid, box in node_boxes.items():
                if nid not in ends:
                    assert not overlap(seg, box), f"{fid} crosses {nid}"


def assert_readable_diagram(root: etree._Element, lanes: list[str] | None = None,
                            step_ids: list[str] | None = None) -> None:
    """What a reader sees: labels clear of each other, everything inside the pool, lanes in the table's
    order and tall enough for their names, steps left to right in SOP order."""
    from service.sop.layout import lane_name_height

    assert_clean_diagram(root)
    proc = root.find("bpmn:process", NS)
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
    participant = root.find(".//bpmn:participant", NS).get("id")
    px, py, pw, ph = bounds(shapes[participant].find("dc:Bounds", NS))

    def inside(x: float, y: float, w: float = 0, h: float = 0) -> bool:
        return px <= x and x + w <= px + pw and py <= y and y + h <= py + ph

    labels = [bounds(lb) for lb in plane.iterfind(".//bpmndi:BPMNLabel/dc:Bounds", NS)]
    for a, b in itertools.combinations(labels, 2):
        assert not overlap(a, b), f"labels overlap: {a} {b}"
    for lb in labels:
        assert inside(*lb), f"label {lb} is outside the pool"
    for p in plane.iterfind(".//di:waypoint", NS):
        assert inside(float(p.get("x")), float(p.get("y"))), f"waypoint {p.get('x')},{p.get('y')} outside the pool"
    lane_els = list(proc.iterfind(".//bpmn:lane", NS))
    if lanes is not None:
        assert [ln.get("name") for ln in lane_els] == lanes
    ys = [bounds(shapes[ln.get("id")].find("dc:Bounds", NS)) for ln in lane_els]
    assert [b[1] for b in ys] == sorted(b[1] for b in ys), "lanes are not drawn in table order"
    for ln, b in zip(lane_els, ys, strict=True):
        assert b[3] >= lane_name_height(ln.get("name") or ""), f"lane {ln.get('name')} is too short for its name"
    if step_ids:
        xs = [bounds(shapes[i].find("dc:Bounds", NS))[0] for i in step_ids]
        assert xs == sorted(xs) and len(set(xs)) == len(xs), "steps are not left to right in SOP order"
