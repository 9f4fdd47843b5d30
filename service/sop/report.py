"""What `alur simulate` prints: the path table (steps with sop.no and lane, planned working days), the
coverage per model and the summary line, plus a text progress bar for stderr."""
from __future__ import annotations

import sys
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TextIO

import isodate

from service.sop.paths import Path as PlannedPath, ProcessGraph, reaches

OFFICE_HOURS_PER_DAY = 7.5      # service/engine/data/hari_libur.yaml: 07:30-15:00


@dataclass
class PathResult:
    number: int
    path: PlannedPath
    ok: bool
    message: str = ""
    working_days: float = 0.0


@dataclass
class ModelReport:
    tenant: str | None
    key: str
    name: str | None
    graph: ProcessGraph
    results: list[PathResult] = field(default_factory=list)
    error: str | None = None
    note: str | None = None

    @property
    def covered_nodes(self) -> set[str]:
        return {n for r in self.results if r.ok for n in r.path.nodes}

    @property
    def covered_flows(self) -> set[str]:
        real = self.graph.sequence_flows
        return {f for r in self.results if r.ok for f in r.path.flows if f in real}

    @property
    def ok(self) -> bool:
        return (self.error is None and all(r.ok for r in self.results)
                and len(self.covered_nodes) == len(self.graph.nodes)
                and len(self.covered_flows) == len(self.graph.sequence_flows))


def waktu_days(waktu: str | None) -> float:
    """An ISO 8601 mutu.waktu in working days: days count as days (weeks as 5), hours and minutes as office
    time (7.5 hours a day), months as 21 and years as 250 working days; unreadable or empty: 0."""
    if not waktu:
        return 0.0
    text = waktu.strip().upper()
    date_part, _, time_part = text.partition("T")
    try:
        days = 0.0
        if date_part not in ("P", ""):
            d = isodate.parse_duration(date_part)
            if isinstance(d, isodate.Duration):
                days += float(d.years) * 250 + float(d.months) * 21
                d = d.tdelta
            days += d.days / 7 * 5 if date_part.endswith("W") else d.days
        if time_part:
            t = isodate.parse_duration("PT" + time_part)
            days += t.total_seconds() / 3600 / OFFICE_HOURS_PER_DAY
    except (isodate.ISO8601Error, ValueError, AttributeError):
        return 0.0
    return days


def planned_working_days(graph: ProcessGraph, path: PlannedPath) -> float:
    """Planned working days from the start to the last end along the path: the mutu.waktu of the tasks
    add up along a branch, parallel branches overlap (a join waits for the latest branch)."""
    tokens: deque[tuple[str, float]] = deque([("", 0.0)])
    arrived: dict[str, list[tuple[str, float]]] = {}
    outcome_index: Counter[str] = Counter()
    finish = 0.0
    for _ in range(100_000):
        if not tokens:
            break
        flow, t = tokens.popleft()
        nid = graph.start if flow == "" else graph.flows[flow].target
        node = graph.nodes[nid]
        if node.tag in ("parallelGateway", "inclusiveGateway") and len(node.incoming) > 1:
            waiting = arrived.get(nid, []) + [(flow, t)]
            if node.tag == "parallelGateway":
                ready = {f for f, _ in waiting} >= set(node.incoming)
            else:
                ready = not any(reaches(graph, graph.flows[f].target if f else graph.start, nid, nid)
                                for f, _ in tokens)
            if not ready:
                arrived[nid] = waiting
                continue
            arrived.pop(nid, None)
            t = max(tt for _, tt in waiting)
        if not node.tag.endswith("Gateway"):    # a heading row's waktu on its split gateway spans its branches
            t += waktu_days(node.properties.get("mutu.waktu"))
        if node.tag == "endEvent" or not node.outgoing:
            finish = max(finish, t)
            continue
        if graph.is_split(nid):
            choices = path.decisions.get(nid, [])
            if outcome_index[nid] >= len(choices):
                break
            outcome = choices[outcome_index[nid]]
            outcome_index[nid] += 1
        else:
            outcome = tuple(node.outgoing)
        tokens.extend((f, t) for f in outcome)
    return round(finish, 2)


def step_label(graph: ProcessGraph, nid: str) -> str | None:
    node = graph.nodes[nid]
    if node.tag.endswith("Gateway") or node.tag.endswith("Event"):
        return None
    no = node.properties.get("sop.no")
    lane = f"[{node.lane}]" if node.lane else ""
    return f"{no}{lane}" if no else f"({node.name or nid}){lane}"


def format_report(report: ModelReport) -> list[str]:
    where = f"{report.tenant}/{report.key}" if report.tenant else report.key
    lines = [f"== {where}: {report.name or report.key}"]
    if report.error:
        lines.append(f"   ERROR {report.error}")
        return lines
    g = report.graph
    if report.note:
        lines.append(f"   catatan: {report.note}")
    for r in report.results:
        steps = [s for s in (step_label(g, n) for n in r.path.nodes) if s]
        status = "OK  " if r.ok else "GAGAL"
        lines.append(f"   jalur {r.number:>3}  {status}  {r.working_days:>6.2f} hari kerja  " + " > ".join(steps))
        if not r.ok:
            lines.append(f"              {r.message}")
    nodes, flows = report.covered_nodes, report.covered_flows
    total = len(g.sequence_flows)
    lines.append(f"   cakupan: flow nodes {len(nodes)}/{len(g.nodes)} ({percent(len(nodes), len(g.nodes))}), "
                 f"sequence flows {len(flows)}/{total} ({percent(len(flows), total)})")
    missing = [n for n in g.nodes if n not in nodes]
    if missing:
        lines.append(f"   tidak tercakup: {', '.join(missing)}")
    return lines


def percent(part: int, whole: int) -> str:
    value = 100.0 if whole == 0 else 100.0 * part / whole
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%"


def summary_line(reports: list[ModelReport]) -> str:
    paths = sum(len(r.results) for r in reports)
    nodes = sum(len(r.covered_nodes) for r in reports)
    node_total = sum(len(r.graph.nodes) for r in reports)
    flows = sum(len(r.covered_flows) for r in reports)
    flow_total = sum(len(r.graph.sequence_flows) for r in reports)
    return (f"{len(reports)} models, {paths} paths, flow nodes {percent(nodes, node_total)}, "
            f"sequence flows {percent(flows, flow_total)}")


class ProgressBar:
    """A one-line text bar on stderr."""

    def __init__(self, stream: TextIO | None = None, width: int = 30):
        self.stream = stream if stream is not None else sys.stderr
        self.width = width

    def __call__(self, label: str, done: int, total: int) -> None:
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r[{bar}] {done}/{total} {label}{end}")
        self.stream.flush()


__all__ = ["PathResult", "ModelReport", "waktu_days", "planned_working_days", "step_label", "format_report",
           "summary_line", "ProgressBar", "percent"]
