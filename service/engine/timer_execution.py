"""Running a timer before it is due (Camunda's `POST /job/{id}/execute`).

The earliest pending timer of an instance is made due now, so `Instance.fire_due_timers` fires it with
the engine's own clock: its history carries the real time, and a cycle's next firing counts from now.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from .runtime import Instance


def bring_forward_earliest_timer(instance: Instance, now: datetime) -> bool:
    """Make the instance's earliest timer(s) due at `now`; False when no timer is pending."""
    pending = [(due, task) for task in instance._timer_tasks() if (due := instance._timer_due(task)) is not None]
    if not pending:
        return False
    earliest = min(due for due, _ in pending)
    if earliest <= now:
        return True
    for due, task in pending:
        if due == earliest:
            _make_due(task, now)
    return True


def bring_forward_timer(instance: Instance, timer_task_id: str, now: datetime) -> bool:
    """Make one timer (`Instance.timers()[i].task_id`: one timer job) due at `now`; False when it is not
    pending any more. Timers due earlier fire with it, as they would at the next timer run anyway."""
    for task in instance._timer_tasks():
        if str(task.id) == timer_task_id and (due := instance._timer_due(task)) is not None:
            if due > now:
                _make_due(task, now)
            return True
    return False


def _make_due(task: Any, now: datetime) -> None:
    data = task.internal_data
    value = data.get("event_value")
    # Cycle timers keep {"cycles", "next", "text"}; date and duration timers keep the due time as text.
    data["event_value"] = {**value, "next": now.isoformat()} if isinstance(value, dict) else now.isoformat()


__all__ = ["bring_forward_earliest_timer", "bring_forward_timer"]
