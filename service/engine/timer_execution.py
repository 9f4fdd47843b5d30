"""Running a timer before it is due (Camunda's `POST /job/{id}/execute`).

The earliest pending timer of an instance is made due now, so `Instance.fire_due_timers` fires it with
the engine's own clock: its history carries the real time, and a cycle's next firing counts from now.
"""
from __future__ import annotations

from datetime import datetime

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
        if due != earliest:
            continue
        value = task.internal_data.get("event_value")
        # Cycle timers keep {"cycles", "next", "text"}; date and duration timers keep the due time as text.
        value = {**value, "next": now.isoformat()} if isinstance(value, dict) else now.isoformat()
        task.internal_data["event_value"] = value
    return True


__all__ = ["bring_forward_earliest_timer"]
