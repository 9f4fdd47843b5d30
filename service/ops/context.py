"""What every operation needs: the database, the clock, engine settings and the parsed-model cache."""
from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, cast

from sqlalchemy import CursorResult, Result
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from service.engine.budget import DEFAULT_BUDGET, Budget
from service.engine.clock import Clock, SystemClock
from service.store import Database

from .errors import Conflict
from .input_limits import DEFAULT_LIMITS, InputLimits
from .login_throttle import LoginThrottle

STALE_MESSAGE = "the task was completed by someone else: the process instance changed since it was read"
STALE_PESAN = "Tugas ini sudah diselesaikan atau diubah oleh orang lain. Muat ulang halaman."


class ModelCache:
    """Parsed models by definition id. Definitions never change once written, so entries never go stale."""

    def __init__(self, capacity: int = 512) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, definition_id: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if definition_id in self._items:
                self._items.move_to_end(definition_id)
                return self._items[definition_id]
        value = build()   # outside the lock: parsing is slow and idempotent
        self.put(definition_id, value)
        return value

    def put(self, definition_id: str, value: Any) -> None:
        with self._lock:
            self._items[definition_id] = value
            self._items.move_to_end(definition_id)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class OpsContext:
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    timer_lease_seconds: float = 60.0
    models: ModelCache = field(default_factory=ModelCache)
    calendar: Any = None      # WorkCalendar for mutu.waktu due dates; loaded on first use when None
    holidays_file: Path | None = None   # that calendar's file (Config.holidays_file); None: the bundled one
    # Failed logins, shared by the web login and REST Basic auth (in-process: see login_throttle).
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    budget: Budget = DEFAULT_BUDGET     # the engine's work budget (Config engine_* / timer_min_cycle_seconds)
    limits: InputLimits = DEFAULT_LIMITS          # sizes of models, forms, instance state (Config max_*)
    # delegate and listener handlers by name (engine/delegation/registry.py); None: none registered
    delegates: Any = None
    # where File variables are stored (documents.DocumentPolicy from Config); None: File variables are refused
    documents: Any = None
    _calendar_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def work_calendar(self) -> Any:
        if self.calendar is None:
            with self._calendar_lock:
                if self.calendar is None:
                    from service.engine.workdays import WorkCalendar
                    self.calendar = WorkCalendar.default(self.holidays_file)
        return self.calendar

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One operation = one transaction; a lost optimistic-lock race becomes a Conflict."""
        try:
            with self.db.unit_of_work() as session:
                yield session
        except StaleDataError as exc:
            raise Conflict(STALE_MESSAGE, pesan=STALE_PESAN) from exc
        except IntegrityError as exc:
            # Two writers created the same row (e.g. the same definition version) at once.
            raise Conflict(f"a concurrent change conflicted with this one: {exc.orig}") from exc


def updated_rows(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (the optimistic checks read it); `Session.execute` types its
    result as a plain Result, but for those statements it is a CursorResult."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


__all__ = ["OpsContext", "ModelCache", "STALE_MESSAGE", "STALE_PESAN", "updated_rows"]

