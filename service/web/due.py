"""Due dates said the way an office says them: "3 hari kerja lagi", "terlambat 2 hari kerja"."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.ops.calendar import working_days_between


@dataclass(frozen=True)
class DueInfo:
    state: str          # overdue | today | soon | later | none
    days: int           # working days late (overdue) or left (otherwise)
    text: str           # in the requested language


_TEXTS = {
    "id": {"none": "tanpa tenggat", "overdue": "terlambat {n} hari kerja", "overdue0": "lewat tenggat hari ini",
           "today": "tenggat hari ini", "left": "{n} hari kerja lagi"},
    "en": {"none": "no due date", "overdue": "{n} working days overdue", "overdue0": "overdue today",
           "today": "due today", "left": "{n} working days left"},
}


def due_info(due: datetime | None, now: datetime, calendar: Any, lang: str = "id") -> DueInfo:
    texts = _TEXTS.get(lang, _TEXTS["id"])
    if due is None:
        return DueInfo("none", 0, texts["none"])
    if due < now:
        n = working_days_between(calendar, due, now)
        return DueInfo("overdue", n, texts["overdue"].format(n=n) if n else texts["overdue0"])
    n = working_days_between(calendar, now, due)
    if n <= 0:
        return DueInfo("today", 0, texts["today"])
    return DueInfo("soon" if n <= 1 else "later", n, texts["left"].format(n=n))


_DURATION = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")


def waktu_text(iso: str | None, *, calendar_days: bool = False, lang: str = "id") -> str:
    """`P5D` -> "5 hari kerja"; `PT30M` -> "30 menit"; unknown text is shown as written."""
    if not iso:
        return ""
    match = _DURATION.match(iso.strip().upper())
    if not match or not any(match.groups()):
        return iso
    weeks, days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    days += weeks * 5 if not calendar_days else weeks * 7
    parts = []
    if lang == "en":
        if days:
            parts.append(f"{days} {'calendar' if calendar_days else 'working'} day{'s' if days != 1 else ''}")
        if hours:
            parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
        if minutes:
            parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    else:
        if days:
            parts.append(f"{days} hari {'kalender' if calendar_days else 'kerja'}")
        if hours:
            parts.append(f"{hours} jam")
        if minutes:
            parts.append(f"{minutes} menit")
    return " ".join(parts)


__all__ = ["DueInfo", "due_info", "waktu_text"]
