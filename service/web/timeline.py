"""The history timeline of an instance: one row per activity (who, when, time taken against Waktu), and
the decisions taken with the rules that matched."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from service.ops.calendar import deadline, working_days_between
from service.ops.participation import ProcessShape
from service.ops.views import HistoryView
from service.web.due import waktu_text
from service.web.tasklist import step_label

SHOWN_TYPES = {"userTask", "manualTask", "task", "businessRuleTask", "serviceTask", "scriptTask", "sendTask",
               "receiveTask", "callActivity", "subProcess"}


@dataclass(frozen=True)
class TimelineRow:
    element_id: str
    no: str
    name: str
    lane: str | None
    user: str | None
    started: datetime | None
    ended: datetime | None
    cancelled: bool
    taken: str                 # "2 hari kerja", "35 menit"
    waktu: str                 # the step's Waktu as text
    late: bool


@dataclass(frozen=True)
class DecisionRow:
    time: datetime
    element_name: str | None
    decision_key: str
    result: Any
    rules: list[dict[str, Any]] = field(default_factory=list)


def _taken(start: datetime, end: datetime, calendar: Any, lang: str) -> str:
    days = working_days_between(calendar, start, end)
    if days >= 1:
        return f"{days} hari kerja" if lang == "id" else f"{days} working day{'s' if days != 1 else ''}"
    minutes = max(int((end - start).total_seconds() // 60), 0)
    if minutes >= 60:
        return f"{minutes // 60} jam {minutes % 60} menit" if lang == "id" else f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes} menit" if lang == "id" else f"{minutes} min"


def _late(start: datetime, end: datetime, waktu: str | None, calendar_days: bool, calendar: Any) -> bool:
    if not waktu:
        return False
    limit = deadline(calendar, start, waktu, calendar_days=calendar_days)
    return limit is not None and end > limit


def timeline(events: Iterable[HistoryView], shape: ProcessShape, calendar: Any, now: datetime,
             lang: str = "id") -> list[TimelineRow]:
    rows: list[TimelineRow] = []
    open_: dict[str, HistoryView] = {}
    order: list[str] = []

    def add(start: HistoryView | None, end: HistoryView | None) -> None:
        ref = end or start
        assert ref is not None
        element = shape.element(ref.element_id)
        props = element.properties if element else {}
        waktu = props.get("mutu.waktu") or None
        calendar_days = (props.get("mutu.hari") or "").lower() == "kalender"
        began = start.time if start else None
        finished = end.time if end else None
        taken = _taken(began, finished or now, calendar, lang) if began else ""
        no = str(props.get("sop.no") or "")
        rows.append(TimelineRow(
            element_id=ref.element_id or "", no=no,
            # the number has its own column: "2. Menyampaikan ..." -> "Menyampaikan ..."
            name=step_label(ref.element_name or (element.name if element else None), no) or ref.element_id or "",
            lane=ref.lane or (element.lane if element else None), user=(end.user_id if end else None) or
            (start.user_id if start else None), started=began, ended=finished,
            cancelled=bool(end and end.kind == "activity_cancelled"), taken=taken,
            waktu=waktu_text(waktu, calendar_days=calendar_days, lang=lang),
            late=began is not None and _late(began, finished or now, waktu, calendar_days, calendar)))

    for e in events:
        if e.element_type not in SHOWN_TYPES:
            continue
        key = e.task_id or e.element_id or ""
        if e.kind == "activity_started":
            open_[key] = e
            order.append(key)
        elif e.kind in ("activity_ended", "activity_cancelled"):
            add(open_.pop(key, None), e)
    for key in order:
        if key in open_:
            add(open_.pop(key), None)
    rows.sort(key=lambda r: (r.started or r.ended or now))
    return rows


def decisions(events: Iterable[HistoryView]) -> list[DecisionRow]:
    out = []
    for e in events:
        if e.kind != "decision_evaluated":
            continue
        data = e.data or {}
        out.append(DecisionRow(time=e.time, element_name=e.element_name, result=data.get("result"),
                               decision_key=str(data.get("decision_key") or data.get("decision") or e.element_id),
                               rules=[r for r in data.get("matched_rules") or [] if isinstance(r, dict)]))
    return out


def completed_ids(events: Iterable[HistoryView]) -> list[str]:
    return sorted({e.element_id for e in events if e.kind == "activity_ended" and e.element_id})


__all__ = ["TimelineRow", "DecisionRow", "timeline", "decisions", "completed_ids"]
