"""The timer scheduler: a daemon thread inside `alur serve`, or the main loop of `alur worker`.

It calls `fire_due_timers` and then works batch chunks (`batches.work_batches`); every guarantee against
double work lives there (leases + the optimistic lock), so any number of schedulers may run against one
database.
"""
from __future__ import annotations

import logging
import threading

from .batches import work_batches
from .context import OpsContext
from .timers import TimerRun, default_owner, fire_due_timers

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, ctx: OpsContext, *, interval: float = 5.0, owner: str | None = None) -> None:
        self.ctx = ctx
        self.interval = interval
        self.owner = owner or default_owner()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> TimerRun:
        run = fire_due_timers(self.ctx, owner=self.owner)
        run.batch_instances = work_batches(self.ctx, owner=self.owner)
        return run

    def run_forever(self) -> None:
        log.info("scheduler %s polling every %.1fs", self.owner, self.interval)
        while not self._stop.is_set():
            try:
                run = self.run_once()
                if run.total or run.failures:
                    log.info("scheduler: %d timers fired, %d timer starts, %d failures", run.instances_fired,
                             run.timer_starts, run.failures)
                busy = run.total > 0
            except Exception:   # noqa: BLE001 - e.g. the database is briefly unreachable: keep polling
                log.exception("scheduler poll failed")
                busy = False
            # After a full batch there may be more due work: poll again at once.
            self._stop.wait(0 if busy else self.interval)

    def start(self) -> threading.Thread:
        if self._thread is not None and self._thread.is_alive():
            return self._thread
        self._stop.clear()
        self._thread = threading.Thread(target=self.run_forever, name="alur-scheduler", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


__all__ = ["Scheduler"]
