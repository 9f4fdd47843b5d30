"""Diagram layout for a generated SOP model: one pool, lanes as horizontal bands in the table's lane
order, flow nodes on a column grid in SOP order, orthogonal edges.

Why a grid: shapes never overlap by construction, and the column boundaries and the top band of each
lane (the "channel") hold no shapes, so vertical edge segments run on column boundaries and back edges
(loops) run in a channel above the shapes without crossing any of them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from service.sop.flow import FlowGraph, Node

POOL_X, POOL_Y = 160, 80
POOL_LABEL_W = 30          # the pool's name band
LANE_LABEL_W = 30          # each lane's name band
MARGIN_X = 20
COL_W = 220
ROW_H = 100
LANE_TOP = 46              # room for the back-edge channel above the shapes
LANE_BOTTOM = 40           # room for event/gateway labels below the shapes
CHANNEL = 18               # first channel line: far enough below the lane border not to read as the border
CHANNEL_STEP = 10          # each further loop edge in the same lane's channel gets its own, lower track
LOOP_GAP = 12              # a cross-lane loop's vertical runs this far left of the column boundary...
LOOP_STEP = 8              # ...and each further one into the same column a step further left
LANE_NAME_CHAR = 7         # bpmn-js writes a lane name vertically in a 30 px band: two 12 px lines
SIZES = {"task": (140, 80), "gateway": (50, 50), "event": (36, 36)}
NODE_LABEL = (90, 27)
LABEL_CHAR = 6             # bpmn-js's 11 px label font averages about 6 px a character
LABEL_WRAP = 120           # and wraps an edge label at about this width
LABEL_LINE_H = 14


@dataclass(frozen=True)
class Bounds:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, other: "Bounds") -> bool:
        return (self.x < other.right and other.x < self.right and self.y < other.bottom
                and other.y < self.bottom)


@dataclass
class Layout:
    pool: Bounds
    lanes: dict[str, Bounds]
    shapes: dict[str, Bounds]
    node_labels: dict[str, Bounds]
    edges: dict[str, list[tuple[float, float]]]
    edge_labels: dict[str, Bounds] = field(default_factory=dict)


def shape_kind(node: Node) -> str:
    if node.tag.endswith("Gateway"):
        return "gateway"
    if node.tag.endswith("Event"):
        return "event"
    return "task"


def lane_name_height(name: str) -> int:
    """The lane height its name needs to fit in the two text lines of bpmn-js's lane label band."""
    return int(len(name) * LANE_NAME_CHAR / 2) + 40


def layout(graph: FlowGraph, lanes: list[str]) -> Layout:
    # first pass counts the channel tracks each lane needs, the second sizes the lanes to hold them
    tracks: dict[str | None, int] = {}
    _layout(graph, lanes, tracks)
    return _layout(graph, lanes, dict(tracks))


def _layout(graph: FlowGraph, lanes: list[str], tracks: dict[str | None, int]) -> Layout:
    # rows: nodes sharing a column in the same lane (parallel sub-steps) are stacked
    rows: dict[str, int] = {}
    per_cell: dict[tuple[str | None, int], int] = {}
    for node in graph.nodes.values():
        if node.attached_to is None and node.row is None:
            cell = (node.lane, node.order)
            rows[node.id] = per_cell.get(cell, 0)
            per_cell[cell] = rows[node.id] + 1
    for node in graph.nodes.values():      # fixed rows (a reminder branch below its task) take the next free
        if node.row is not None:
            cell = (node.lane, node.order)
            rows[node.id] = max(node.row, per_cell.get(cell, 0))
            per_cell[cell] = rows[node.id] + 1
    lane_rows = {lane: max([n for (ln, _), n in per_cell.items() if ln == lane] or [1]) for lane in lanes}
    columns = max(n.order for n in graph.nodes.values()) + 1
    x0 = POOL_X + POOL_LABEL_W + LANE_LABEL_W + MARGIN_X
    width = POOL_LABEL_W + LANE_LABEL_W + 2 * MARGIN_X + columns * COL_W

    lane_top = {lane: max(LANE_TOP, CHANNEL + CHANNEL_STEP * tracks.get(lane, 0) + 20) for lane in lanes}
    lane_bounds: dict[str, Bounds] = {}
    y = POOL_Y
    for lane in lanes:
        h = max(lane_top[lane] + lane_rows[lane] * ROW_H + LANE_BOTTOM, lane_name_height(lane))
        lane_bounds[lane] = Bounds(POOL_X + POOL_LABEL_W, y, width - POOL_LABEL_W, h)
        y += h
    pool = Bounds(POOL_X, POOL_Y, width, y - POOL_Y)

    shapes: dict[str, Bounds] = {}
    labels: dict[str, Bounds] = {}
    for node in graph.nodes.values():
        if node.attached_to is not None:
            continue                      # placed on its task below
        w, h = SIZES[shape_kind(node)]
        lane_box = lane_bounds[node.lane] if node.lane in lane_bounds else lane_bounds[lanes[0]]
        cx = x0 + node.order * COL_W + COL_W / 2
        lane_name = node.lane if node.lane in lane_bounds else lanes[0]
        cy = lane_box.y + lane_top[lane_name] + rows[node.id] * ROW_H + ROW_H / 2
        shapes[node.id] = b = Bounds(cx - w / 2, cy - h / 2, w, h)
        if shape_kind(node) != "task" and node.name:
            lw, lh = NODE_LABEL
            labels[node.id] = Bounds(cx - lw / 2, b.bottom + 5, lw, lh)

    for node in graph.nodes.values():
        if node.attached_to is not None:  # a boundary event sits on the middle of its task's bottom edge
            task = shapes[node.attached_to]
            w, h = SIZES["event"]
            shapes[node.id] = Bounds(task.cx - w / 2, task.bottom - h / 2, w, h)

    def boundary_before(col: int) -> float:
        return x0 + col * COL_W

    used = tracks
    used.clear()

    def channel(node_id: str) -> float:
        """The next free line of the lane's channel, so that parallel loop edges stay apart."""
        lane = graph.nodes[node_id].lane
        assert lane is not None     # build_graph gives every node a lane (a lane-less end takes its source's)
        k = used.get(lane, 0)
        used[lane] = k + 1
        return lane_bounds[lane].y + CHANNEL + CHANNEL_STEP * k

    def clear(y: float, xa: float, xb: float, skip: tuple[str, ...]) -> bool:
        lo, hi = min(xa, xb), max(xa, xb)
        return not any(b.x < hi and lo < b.right and b.y <= y <= b.bottom
                       for nid, b in shapes.items() if nid not in skip)

    loop_verticals: dict[int, int] = {}
    edges: dict[str, list[tuple[float, float]]] = {}
    for fid, flow in graph.flows.items():
        s, t = shapes[flow.source], shapes[flow.target]
        cs, ct = graph.nodes[flow.source].order, graph.nodes[flow.target].order
        skip = (flow.source, flow.target)
        if ct == cs and s.cx == t.cx and t.y > s.bottom:
            pts = [(s.cx, s.bottom), (t.cx, t.y)]      # straight down (a reminder branch)
        elif ct > cs:
            if s.cy == t.cy and clear(s.cy, s.right, t.x, skip):
                pts = [(s.right, s.cy), (t.x, t.cy)]
            elif clear(t.cy, boundary_before(cs + 1), t.x, skip):
                bx = boundary_before(cs + 1)
                pts = [(s.right, s.cy), (bx, s.cy), (bx, t.cy), (t.x, t.cy)]
            elif clear(s.cy, s.right, boundary_before(ct), skip):
                bx = boundary_before(ct)
                pts = [(s.right, s.cy), (bx, s.cy), (bx, t.cy), (t.x, t.cy)]
            else:
                cy, bx = channel(flow.source), boundary_before(ct)
                pts = [(s.cx, s.y), (s.cx, cy), (bx, cy), (bx, t.cy), (t.x, t.cy)]
        else:
            # a loop: up into the source lane's channel, back along it, down into the target's top
            if graph.nodes[flow.source].lane == graph.nodes[flow.target].lane:
                cy = channel(flow.source)
                pts = [(s.cx, s.y), (s.cx, cy), (t.cx, cy), (t.cx, t.y)]
            else:
                cy_s, cy_t = channel(flow.source), channel(flow.target)
                # beside, not on top of, forward edges at that boundary and other loops into that column
                k = loop_verticals.get(ct, 0)
                loop_verticals[ct] = k + 1
                bx = boundary_before(ct) - LOOP_GAP - LOOP_STEP * k
                pts = [(s.cx, s.y), (s.cx, cy_s), (bx, cy_s), (bx, cy_t), (t.cx, cy_t), (t.cx, t.y)]
        edges[fid] = _dedupe(pts)

    result = Layout(pool, lane_bounds, shapes, labels, edges)
    taken = list(shapes.values()) + list(labels.values())
    lines = [seg for pts in edges.values() for seg in _segment_boxes(pts)]
    for fid, flow in graph.flows.items():
        if flow.name:
            box = _edge_label(flow.name, edges[fid], taken, lines, pool)
            result.edge_labels[fid] = box
            taken.append(box)
    return result


def _dedupe(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for p in points:
        if not out or out[-1] != p:
            out.append(p)
    return out


def edge_label_size(text: str) -> tuple[float, float]:
    """The box bpmn-js needs for an edge label: about 6 px a character, word-wrapped at ~120 px."""
    per_line = int(LABEL_WRAP / LABEL_CHAR)
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    longest = max((len(line) for line in lines), default=1)
    return longest * LABEL_CHAR + 6, max(1, len(lines)) * LABEL_LINE_H + 4


def _segment_boxes(points: list[tuple[float, float]]) -> list[Bounds]:
    # a line as a 2 px wide box, so that a label touching it counts as lying on it
    return [Bounds(min(ax, bx) - 1, min(ay, by) - 1, abs(bx - ax) + 2, abs(by - ay) + 2)
            for (ax, ay), (bx, by) in pairwise(points)]


def _edge_label(text: str, points: list[tuple[float, float]], taken: list[Bounds], lines: list[Bounds],
                pool: Bounds) -> Bounds:
    """Beside the edge's first segment if a spot there is clear of every shape, label and line; else the
    first clear spot along the edge; else the first spot clear of shapes and labels."""
    w, h = edge_label_size(text)
    segments = list(pairwise(points))
    first = _beside(*segments[0], w, h)
    rest = sorted(segments[1:], key=lambda seg: -(abs(seg[1][0] - seg[0][0]) + abs(seg[1][1] - seg[0][1])))
    ordered = first + [box for seg in rest for box in _beside(*seg, w, h)]
    inside = [b for b in ordered if pool.x <= b.x and b.right <= pool.right and pool.y <= b.y
              and b.bottom <= pool.bottom]
    for box in inside:
        if not any(box.overlaps(t) for t in taken) and not any(box.overlaps(ln) for ln in lines):
            return box
    for box in inside + ordered:
        if not any(box.overlaps(t) for t in taken):
            return box
    return ordered[0]


def _beside(a: tuple[float, float], b: tuple[float, float], w: float, h: float) -> list[Bounds]:
    """Label boxes beside one segment: near its start, its middle and its end, on either side."""
    gap = 4
    (ax, ay), (bx, by) = a, b
    out: list[Bounds] = []
    if ay == by:
        lo, hi = min(ax, bx), max(ax, bx)
        xs = [ax + gap if bx >= ax else ax - gap - w, (lo + hi) / 2 - w / 2,
              bx - gap - w if bx >= ax else bx + gap]
        for x in xs:
            out += [Bounds(x, ay - h - gap, w, h), Bounds(x, ay + gap, w, h)]
    else:
        lo, hi = min(ay, by), max(ay, by)
        ys = [ay + gap if by >= ay else ay - gap - h, (lo + hi) / 2 - h / 2,
              by - gap - h if by >= ay else by + gap]
        for y in ys:
            out += [Bounds(ax + gap, y, w, h), Bounds(ax - gap - w, y, w, h)]
    return out
