"""Readability of the shipped diagrams beyond structure: task size, loop routing, edge label placement."""
from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from lxml import etree
from sop_di_checks import NS, bounds, overlap

from service.sop.bpmn_writer import to_bpmn
from service.sop.layout import SIZES, edge_label_size
from service.sop.model import load_table

REPO = Path(__file__).resolve().parents[2]
TABLES = sorted((REPO / "sop").glob("*/*.yaml"))


def test_label_size_follows_text() -> None:
    assert edge_label_size("Ya") == (2 * 6 + 6, 14 + 4)
    w, h = edge_label_size("Tidak lengkap / tidak sesuai dengan persyaratan")
    assert w <= 20 * 6 + 6 and h == 3 * 14 + 4          # wrapped at ~120 px, one line per 20 characters
    assert edge_label_size("x" * 30)[0] == 30 * 6 + 6   # a single long word cannot wrap


def _diagram(path: Path) -> tuple[etree._Element, etree._Element]:
    root = etree.fromstring(to_bpmn(load_table(path)))
    return root, root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)


def _points(edge: etree._Element) -> list[tuple[float, float]]:
    return [(float(p.get("x")), float(p.get("y"))) for p in edge.findall("di:waypoint", NS)]


@pytest.mark.skipif(not TABLES, reason="no SOP tables in sop/ yet")
def test_shipped_readability() -> None:
    clear, total = 0, 0
    for path in TABLES:
        root, plane = _diagram(path)
        proc = root.find("bpmn:process", NS)
        shapes = {s.get("bpmnElement"): bounds(s.find("dc:Bounds", NS)) for s in plane.findall("bpmndi:BPMNShape", NS)}
        names = {f.get("id"): f.get("name") for f in proc.findall("bpmn:sequenceFlow", NS)}
        for task in proc.findall("bpmn:userTask", NS):
            assert shapes[task.get("id")][2:] == SIZES["task"], f"{path.name}: task size"
        lane_ys = {b for ln in proc.iterfind(".//bpmn:lane", NS) for b in (shapes[ln.get("id")][1],)}
        edges = {e.get("bpmnElement"): _points(e) for e in plane.findall("bpmndi:BPMNEdge", NS)}
        segments = [(fid, (min(ax, bx), min(ay, by), abs(bx - ax) or .5, abs(by - ay) or .5))
                    for fid, pts in edges.items() for (ax, ay), (bx, by) in pairwise(pts)]
        for fid, pts in edges.items():
            for (_, ay), (_, by) in pairwise(pts):
                if ay == by:            # no horizontal run on, or hugging, a lane border
                    assert all(abs(ay - y) >= 15 for y in lane_ys), f"{path.name}: {fid} runs on a lane border"
        for e in plane.findall("bpmndi:BPMNEdge", NS):
            for lb in e.findall("bpmndi:BPMNLabel/dc:Bounds", NS):
                fid, box = e.get("bpmnElement"), bounds(lb)
                total += 1
                assert box[2:] == edge_label_size(names[fid]), f"{path.name}: {fid} label not sized to its text"
                near = (box[0] - 6, box[1] - 6, box[2] + 12, box[3] + 12)
                assert any(overlap(near, seg) for f, seg in segments if f == fid), \
                    f"{path.name}: {fid} label far from its edge"
                clear += not any(overlap(box, seg) for _, seg in segments)
    # a few crowded gateways leave no clear spot; the rest must be clear of every line
    assert total and clear >= 0.9 * total, f"only {clear}/{total} edge labels are clear of lines"
