"""The SOP context of a step, read from its model properties (`sop.no`, `mutu.*`) and documentation."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from service.web.due import waktu_text


@dataclass(frozen=True)
class StepContext:
    no: str
    uraian: str | None              # Uraian Kegiatan (documentation)
    kelengkapan: tuple[str, ...]
    waktu: str | None               # ISO 8601 as written in the model
    waktu_text: str
    calendar_days: bool
    output: str | None
    keterangan: str | None


def kelengkapan_items(text: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (text or "").split(";") if item.strip())


_KETERANGAN = re.compile(r"(?:^|\n)\s*Keterangan\s*:\s*(.+)\Z", re.S | re.I)


def split_keterangan(documentation: str | None) -> tuple[str | None, str | None]:
    """The SOP importer appends the Keterangan column to the documentation as "Keterangan: ..."."""
    text = (documentation or "").strip()
    match = _KETERANGAN.search(text)
    if not match:
        return text or None, None
    return text[:match.start()].strip() or None, match.group(1).strip() or None


def step_context(properties: Mapping[str, Any], documentation: str | None, *, lang: str = "id") -> StepContext:
    props = {str(k): ("" if v is None else str(v)) for k, v in (properties or {}).items()}
    calendar_days = props.get("mutu.hari", "").strip().lower() == "kalender"
    waktu = props.get("mutu.waktu") or None
    uraian, keterangan = split_keterangan(documentation)
    return StepContext(no=props.get("sop.no", ""), uraian=uraian,
                       kelengkapan=kelengkapan_items(props.get("mutu.kelengkapan")), waktu=waktu,
                       waktu_text=waktu_text(waktu, calendar_days=calendar_days, lang=lang),
                       calendar_days=calendar_days, output=props.get("mutu.output") or None,
                       keterangan=props.get("sop.keterangan") or props.get("keterangan") or keterangan)


__all__ = ["StepContext", "step_context", "kelengkapan_items", "split_keterangan"]
