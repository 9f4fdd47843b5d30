"""Call activities in memory: a caller and its child instances, driven through the engine's call API.

A call activity waits while its called process runs as a separate instance (Camunda 7). The host starts
the child (`Instance.pending_calls` -> `Engine.start` -> `call_started`), hands uncaught errors and
escalations of the child to the caller (`thrown_events` -> `catch_call_event`), completes the call when
the child ends (`complete_call`) and drops children whose call activity stopped waiting (an interrupting
boundary event, a cancelled caller). The service does this with stored instances (service/ops/calls.py);
`CallFamily` does the same without a database, for `alur simulate` and the engine's tests.
"""
from __future__ import annotations

from typing import Callable
from uuid import uuid4

from .errors import EngineError, IncidentError
from .info import CallRequest
from .model import ProcessModel
from .runtime import Engine, Instance

# The called process of a request, or None when none is deployed under its key.
CallResolver = Callable[[CallRequest, Instance], "ProcessModel | None"]


def no_process_message(request: CallRequest) -> str:
    """Camunda's words for a call to a key that has no (matching) deployed process."""
    what = {"latest": "", "deployment": " in the caller's deployment",
            "version": f" with version {request.version}",
            "versionTag": f" with versionTag '{request.version_tag}'"}.get(request.binding, "")
    tenant = f" in tenant '{request.tenant_id}'" if request.tenant_id else ""
    return (f"Cannot start call activity '{request.element_id}': no processes deployed with key "
            f"'{request.key}'{what}{tenant}")


class CallFamily:
    """Instances by id with their super instance links; `settle` propagates calls after every action."""

    def __init__(self, engine: Engine, resolve: CallResolver | None = None) -> None:
        self.engine = engine
        self.resolve = resolve or self._latest
        self.instances: dict[str, Instance] = {}
        self.super: dict[str, tuple[str, str]] = {}      # child id -> (caller id, call-activity task id)
        self.cancelled: set[str] = set()
        self.incidents: dict[str, list[str]] = {}         # instance id -> messages of calls that failed

    def _latest(self, request: CallRequest, caller: Instance) -> ProcessModel | None:
        if self.engine.processes is None:
            return None
        try:
            return self.engine.processes(request.key, request.tenant_id or caller.tenant)
        except LookupError:
            return None

    def start(self, model: ProcessModel, **kwargs: object) -> str:
        instance_id = str(uuid4())
        self.instances[instance_id] = self.engine.start(model, **kwargs)  # type: ignore[arg-type]
        self.settle(instance_id)
        return instance_id

    def live(self) -> list[tuple[str, Instance]]:
        return [(i, inst) for i, inst in self.instances.items() if i not in self.cancelled and not inst.completed]

    def depth(self, instance_id: str) -> int:
        depth = 0
        while instance_id in self.super:
            instance_id = self.super[instance_id][0]
            depth += 1
        return depth

    def settle(self, instance_id: str) -> None:
        """After an action on `instance_id`: start children, complete callers, deliver thrown events,
        drop orphaned children, until nothing changes (bounded by the engine's step budget)."""
        work = [instance_id]
        for _ in range(self.engine.budget.max_steps):
            if not work:
                return
            current = work.pop()
            if current in self.cancelled:
                continue
            inst = self.instances[current]
            for request in inst.pending_calls():
                work.append(self._start_child(current, inst, request))
            link = self.super.get(current)
            if link is not None:
                caller_id, task_id = link
                caller = self.instances[caller_id]
                for event in inst.thrown_events():
                    if caller.waiting_calls().get(task_id) == current:
                        caller.catch_call_event(task_id, event)
                if inst.completed and caller.waiting_calls().get(task_id) == current:
                    caller.complete_call(task_id, inst.variables())
                work.append(caller_id)
            waiting = set(inst.waiting_calls().values())
            for child, (caller_id, _) in list(self.super.items()):
                if caller_id == current and child not in waiting and not self.instances[child].completed:
                    self._cancel(child)
        raise EngineError("call activities kept starting and ending children without reaching a wait state")

    def _start_child(self, caller_id: str, caller: Instance, request: CallRequest) -> str:
        budget = self.engine.budget
        if self.depth(caller_id) + 1 > budget.max_call_depth:
            raise IncidentError(f"{request.element_id}: called processes are nested {self.depth(caller_id) + 1} "
                                f"deep; at most {budget.max_call_depth} are allowed: does a process call itself? "
                                f"({budget.setting('max_call_depth')})", element_id=request.element_id,
                                element_name=request.name)
        model = self.resolve(request, caller)
        if model is None:
            message = no_process_message(request)
            caller.call_failed(request.task_id, message)
            self.incidents.setdefault(caller_id, []).append(message)
            return caller_id
        child = self.engine.start(model, variables=request.variables, business_key=request.business_key,
                                  tenant=request.tenant_id or caller.tenant)
        child_id = str(uuid4())
        self.instances[child_id] = child
        self.super[child_id] = (caller_id, request.task_id)
        caller.call_started(request.task_id, child_id)
        return child_id

    def _cancel(self, instance_id: str) -> None:
        self.cancelled.add(instance_id)
        for child, (caller_id, _) in list(self.super.items()):
            if caller_id == instance_id and child not in self.cancelled:
                self._cancel(child)

    def cancel(self, instance_id: str) -> None:
        """Cancel an instance and its child tree."""
        self._cancel(instance_id)


__all__ = ["CallFamily", "CallResolver", "no_process_message"]
