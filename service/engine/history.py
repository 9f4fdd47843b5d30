"""History taken from task state changes, before the state is pruned.

Each action snapshots task states and variables, acts, then diffs: every task whose state changed
yields activity_started / activity_ended / activity_cancelled, variables yield variable_set /
variable_removed, and the end of the instance yields instance_ended. Decisions are reported by the
business rule task through the script engine as they happen.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from .clock import Clock
from .info import HistoryEvent

if TYPE_CHECKING:   # the instance owns its recorder
    from .runtime import Instance

_ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
_ACTIVATED = _ACTIVE | TaskState.COMPLETED
_UNKNOWN: Any = object()      # record_user: no assignee given (not a user task completed through ops)


class HistoryRecorder:
    def __init__(self, clock: Clock, instance: Instance) -> None:
        self._clock = clock
        self._instance = instance
        self._events: list[HistoryEvent] = []
        self._states: dict = {}
        self._variables: dict = {}
        self._completed = False
        self._users: dict = {}
        self._assignees: dict = {}

    # -- snapshots ------------------------------------------------------------------------------
    def snapshot(self, wf: Any) -> None:
        self._states = {t.id: (t.state, t) for t in _all_tasks(wf)}
        self._variables = dict(self._instance.variables()) if self._states else {}
        self._completed = bool(wf.completed)
        self._users = {}
        self._assignees = {}

    def record_user(self, user: str | None, task: Any = None, *, assignee: Any = _UNKNOWN) -> None:
        """`user` completes `task`; `assignee`, when known, is the task's assignee at that moment, which
        history reports as Camunda does (HistoricTaskInstance.assignee: not the one who completed it)."""
        if task is not None:
            self._users[task.id] = user
            if assignee is not _UNKNOWN:
                self._assignees[task.id] = assignee

    def add(self, kind: str, *, task: Any = None, user: str | None = None, data: dict | None = None) -> None:
        event = HistoryEvent(kind=kind, time=self._clock.now(), user=user, data=data or {})
        if task is not None:
            spec = task.task_spec
            event.element_id = getattr(spec, "bpmn_id", None)
            resolved = task.internal_data.get("alur_user_task") or {}
            # A user task's name may be an expression, evaluated when the task was created.
            event.element_name = resolved.get("name", getattr(spec, "bpmn_name", None))
            event.element_type = self._type(task)
            event.lane = getattr(spec, "lane", None)
            event.task_id = str(task.id)
            event.process_key = self._instance.process_key_of(task)
        self._events.append(event)

    def engine_event(self, kind: str, task: Any, data: dict) -> None:
        self.add(kind, task=task, data=data)

    def absorb(self, events: list[HistoryEvent]) -> None:
        """Events recorded on a trial copy of the instance that then replaced it (modification)."""
        self._events.extend(events)

    def drain(self) -> list[HistoryEvent]:
        events, self._events = self._events, []
        return events

    # -- diff -----------------------------------------------------------------------------------
    def collect(self, wf: Any, *, user: str | None = None) -> None:
        changes = []
        now_ids = set()
        tasks = _all_tasks(wf)
        for task in tasks:
            now_ids.add(task.id)
            if getattr(task.task_spec, "bpmn_id", None) is None:
                continue
            before = self._states.get(task.id, (None, None))[0]
            changes.extend(self._task_changes(task, before, task.state))
        for task_id, (state, task) in self._states.items():
            if task_id not in now_ids and state & _ACTIVE and getattr(task.task_spec, "bpmn_id", None) is not None \
                    and not isinstance(task.task_spec, BoundaryEvent):
                changes.append((task.last_state_change, 2, "activity_cancelled", task))
        changes.sort(key=lambda c: (c[0], c[1]))
        for _, _, kind, task in changes:
            ended = kind == "activity_ended"
            data = {"assignee": self._assignees[task.id] or ""} if ended and task.id in self._assignees else None
            self.add(kind, task=task, user=self._users.get(task.id) if ended else None, data=data)
        after = self._variable_changes()
        if wf.is_completed() and not self._completed:
            self.add("instance_ended", user=user)
        # What was just diffed is the next action's "before": the same as snapshot(wf), without walking
        # the tasks and computing the variables a second time.
        self._states = {t.id: (t.state, t) for t in tasks}
        self._variables, self._completed, self._users, self._assignees = after, bool(wf.completed), {}, {}

    def _task_changes(self, task: Any, before: int | None, now: int) -> list:
        if before == now:
            return []
        stamp = task.last_state_change
        was_activated = before is not None and bool(before & _ACTIVATED)
        out: list[tuple[float, int, str, Any]] = []
        if isinstance(getattr(task.task_spec, "event_definition", None), CycleTimerEventDefinition):
            return out   # each firing is reported by the timer itself
        if isinstance(task.task_spec, BoundaryEvent):
            # A boundary event is an activity only once it is triggered.
            if now == TaskState.COMPLETED:
                out.append((stamp, 0, "activity_started", task))
                out.append((stamp, 1, "activity_ended", task))
            return out
        if not was_activated and now & _ACTIVATED:
            out.append((stamp, 0, "activity_started", task))
        if now == TaskState.COMPLETED and before != TaskState.COMPLETED:
            out.append((stamp, 1, "activity_ended", task))
        if now == TaskState.CANCELLED and was_activated:
            out.append((stamp, 2, "activity_cancelled", task))
        return out

    def _variable_changes(self) -> dict:
        after = self._instance.variables()
        for name, value in after.items():
            if name not in self._variables or self._variables[name] != value:
                self.add("variable_set", data={"name": name, "value": value})
        for name in self._variables:
            if name not in after:
                self.add("variable_removed", data={"name": name})
        return after

    def _type(self, task: Any) -> str:
        from .specs import CamundaMultiInstanceMixin
        if isinstance(task.task_spec, CamundaMultiInstanceMixin):
            return "multiInstanceBody"
        return self._instance.element_type_of(task)


def _all_tasks(wf: Any) -> list:
    tasks = list(wf.tasks.values())
    for sp in wf.subprocesses.values():
        tasks.extend(sp.tasks.values())
    return tasks


__all__ = ["HistoryRecorder"]
