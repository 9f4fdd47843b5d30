"""Diagram layout for a generated SOP model: one pool, lanes as horizontal bands in the table's lane
order, flow nodes on a column grid in SOP order, orthogonal edges.

Why a grid: shapes never overlap by construction, and the column boundaries and the top band of each
lane (the "channel") hold no shapes, so vertical edge segments run on column boundaries and back edges
(loops) run in a channel above the shapes without crossing any of them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from service.sop.flow import FlowGraph, Node

POOL_X, POOL_Y = 160, 80
POOL_LABEL_W = 30          # the pool's name band
LANE_LABEL_W = 30          # each lane's name band
MARGIN_X = 20
COL_W = 180
ROW_H = 100
LANE_TOP = 40              # room for the back-edge channel above the shapes
LANE_BOTTOM = 40           # room for event/gateway labels below the shapes
CHANNEL = 12               # first channel line below a lane's top border
CHANNEL_STEP = 12          # each further loop edge in the same lane's channel gets its own, lower track
LANE_NAME_CHAR = 7         # bpmn-js writes a lane name vertically in a 30 px band: two 12 px lines
SIZES = {"task": (100, 80), "gateway": (50, 50), "event": (36, 36)}
NODE_LABEL = (90, 27)
EDGE_LABEL = (80, 27)


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
        lane = lane_bounds[node.lane] if node.lane in lane_bounds else lane_bounds[lanes[0]]
        cx = x0 + node.order * COL_W + COL_W / 2
        lane_name = node.lane if node.lane in lane_bounds else lanes[0]
        cy = lane.y + lane_top[lane_name] + rows[node.id] * ROW_H + ROW_H / 2
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
        k = used.get(lane, 0)
        used[lane] = k + 1
        return lane_bounds[lane].y + CHANNEL + CHANNEL_STEP * k

    def clear(y: float, xa: float, xb: float, skip: tuple[str, ...]) -> bool:
        lo, hi = min(xa, xb), max(xa, xb)
        return not any(b.x < hi and lo < b.right and b.y <= y <= b.bottom
                       for nid, b in shapes.items() if nid not in skip)

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
                bx = boundary_before(ct) - 12     # beside, not on top of, forward edges at that boundary
                pts = [(s.cx, s.y), (s.cx, cy_s), (bx, cy_s), (bx, cy_t), (t.cx, cy_t), (t.cx, t.y)]
        edges[fid] = _dedupe(pts)

    result = Layout(pool, lane_bounds, shapes, labels, edges)
    taken = list(shapes.values()) + list(labels.values())
    for fid, flow in graph.flows.items():
        if flow.name:
            box = _edge_label(edges[fid], taken, pool)
            result.edge_labels[fid] = box
            taken.append(box)
    return result


def _dedupe(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for p in points:
        if not out or out[-1] != p:
            out.append(p)
    return out


def _edge_label(points: list[tuple[float, float]], taken: list[Bounds], pool: Bounds) -> Bounds:
    """The first candidate box along the edge that stays inside the pool and overlaps no shape or label."""
    w, h = EDGE_LABEL
    candidates = []
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        if ay == by:
            mx = (ax + bx) / 2
            candidates.append((abs(bx - ax), Bounds(mx - w / 2, ay - h - 2, w, h)))
            candidates.append((abs(bx - ax) - 1, Bounds(mx - w / 2, ay + 2, w, h)))
        else:
            my = (ay + by) / 2
            candidates.append((abs(by - ay) - 2, Bounds(ax + 4, my - h / 2, w, h)))
            candidates.append((abs(by - ay) - 3, Bounds(ax - w - 4, my - h / 2, w, h)))
    ordered = [b for _, b in sorted(candidates, key=lambda c: -c[0])]
    inside = [b for b in ordered if pool.x <= b.x and b.right <= pool.right and pool.y <= b.y
              and b.bottom <= pool.bottom]
    for box in inside + ordered:
        if not any(box.overlaps(t) for t in taken):
            return box
    return ordered[0]
