"""Process-level Camunda attributes kept on the definition: camunda:historyTimeToLive and
camunda:isStartableInTasklist, read as Camunda 7 reads them (HistoryTimeToLiveParser, ParseUtil,
BpmnParse.isStartable)."""
from __future__ import annotations

import re
from typing import Any

from .errors import ModelError

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
_ISO_DAYS = re.compile(r"P(\d+)D")
_JAVA_INT = re.compile(r"[+-]?\d+")
_INT_MAX = 2**31 - 1


def history_time_to_live(process: Any, filename: str) -> int | None:
    """Days to keep the history, or None (no attribute, or an empty one). `P5D` is 5; anything that is
    not a non-negative Java int refuses the deployment, as in Camunda: "Cannot parse historyTimeToLive"."""
    text = process.get("{%s}historyTimeToLive" % CAMUNDA)
    if not text:
        return None
    iso = _ISO_DAYS.fullmatch(text)
    number = iso.group(1) if iso else text
    if not _JAVA_INT.fullmatch(number) or not -(2**31) <= int(number) <= _INT_MAX:
        raise ModelError(f"Cannot parse historyTimeToLive: {text!r} is neither a number of days nor P<n>D",
                         file=filename, element_id=process.get("id"), line=process.sourceline)
    if int(number) < 0:
        raise ModelError("Cannot parse historyTimeToLive: negative value is not allowed", file=filename,
                         element_id=process.get("id"), line=process.sourceline)
    return int(number)


def startable_in_tasklist(process: Any) -> bool:
    """camunda:isStartableInTasklist, true unless it says "false" (any case), as BpmnParse.isStartable."""
    return (process.get("{%s}isStartableInTasklist" % CAMUNDA) or "true").lower() == "true"


__all__ = ["history_time_to_live", "startable_in_tasklist"]
