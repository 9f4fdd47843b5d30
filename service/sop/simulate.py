"""`alur simulate`: drive every path of an SOP model through the real engine, in memory.

For each path enumerated from the BPMN graph (service.sop.paths) a fresh instance is started on
`service.engine.Engine` with a FrozenClock and resolvers over the checkout's `bpmn/`, `dmn/` and `forms/`
(no server, no database). Each user task is completed with generated form data (service.sop.datagen)
chosen so that the next gateways take the path's planned outcomes; call activities start the called model
as a child instance in memory (service.engine.calls.CallFamily), driven along its first path. A path
passes when the instance completes and visited exactly the planned flow nodes. The report lists the paths
(steps with sop.no and lane, planned working days from mutu.waktu) and the coverage of flow nodes and
sequence flows.
"""
from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any, Callable, TextIO

from service.sop.datagen import form_choices, form_data
from service.sop.paths import MAX_PATHS, Path as PlannedPath, ProcessGraph, enumerate_paths
from service.sop.report import (ModelReport, PathResult, ProgressBar, format_report, planned_working_days,
                                summary_line)
from service.sop.repository import Repository
from service.sop.solver import OutcomeSolver, SolverCaches

SIM_START = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.timezone.utc)     # Monday 08:00 WIB
MAX_STEPS = 2000
STEP_TIME = dt.timedelta(minutes=1)     # per completed task: short, so that no unplanned timer comes due


# --------------------------------------------------------------------------- the driver
class _Run:
    """One path through the engine: the model's instance and the instances its call activities start,
    run in memory by the engine's CallFamily (the same call protocol the service runs on stored instances)."""

    def __init__(self, sim: "Simulator", tenant: str | None, key: str, path: PlannedPath):
        self.sim, self.tenant, self.key, self.path = sim, tenant, key, path
        self.repo = sim.repo
        self.plans: dict[str, dict[str, list[tuple[str, ...]]]] = {key: path.decisions}
        self.visits: Counter[tuple[str, str]] = Counter()
        self.visited: dict[str, list[str]] = {}
        self.solver = OutcomeSolver(self.repo, tenant, self.plans, self.visits, sim.caches)
        self.fired: set[tuple[str, str, int]] = set()
        self.bodies: set[tuple[str, str]] = set()      # (process, element) of multi-instance activities

    def _record(self, family: Any) -> None:
        """The history of every instance of the run, each with the process it belongs to."""
        for inst in family.instances.values():
            proc = inst.model.key
            graph = self.repo.graph(proc, self.tenant)
            for ev in inst.drain_history():
                eid = getattr(ev, "element_id", None)
                if not eid or getattr(ev, "kind", "") != "activity_started":
                    continue
                node = graph.nodes.get(eid)
                if node is None:
                    continue
                # A multi-instance activity is one visit of the path (its body); its instances are not.
                if getattr(ev, "element_type", None) == "multiInstanceBody":
                    self.bodies.add((proc, eid))
                elif (proc, eid) in self.bodies:
                    continue
                self.visited.setdefault(proc, []).append(eid)
                if graph.is_split(eid):
                    self.visits[(proc, eid)] += 1
                if node.tag == "callActivity" and node.attrs.get("calledElement"):
                    self._plan_child(node.attrs["calledElement"])

    def _plan_child(self, child: str) -> None:
        if child not in self.plans:
            paths = enumerate_paths(self.repo.graph(child, self.tenant), max_paths=1)
            self.plans[child] = paths[0].decisions if paths else {}

    def run(self) -> None:
        from service.engine import Engine, FrozenClock
        from service.engine.calls import CallFamily
        clock = FrozenClock(SIM_START)
        engine = Engine(clock=clock, processes=self.repo_process, decisions=self.repo_decision,
                        calendar=self.sim.calendar)
        family = CallFamily(engine)
        model = self.repo.process(self.key, self.tenant)
        graph = self.repo.graph(self.key, self.tenant)
        start_form = self.repo.form(model.start_form_ref, self.tenant) if model.start_form_ref else None
        variables = form_data(start_form)
        variables.update(self.solver.prepare(self.key, graph.start, variables, form_choices(start_form)))
        root = family.start(model, variables=variables, business_key=f"simulasi-{self.key}",
                            tenant=self.tenant, user="simulasi")
        self._record(family)
        for _ in range(MAX_STEPS):
            if family.instances[root].completed:
                break
            for instance_id, inst in family.live():
                for ext in inst.external_tasks():
                    inst.complete_external_task(ext.id, {})
                    family.settle(instance_id)
            tasks = [(i, inst, t) for i, inst in family.live() for t in inst.user_tasks()]
            if not tasks:
                dues = [(d, i) for i, inst in family.live() if (d := inst.next_timer_due()) is not None]
                if not dues:
                    break
                due, instance_id = min(dues)
                clock.set(max(due, clock.now()))
                family.instances[instance_id].fire_due_timers()
                family.settle(instance_id)
                self._record(family)
                continue
            instance_id, inst, task = tasks[0]
            proc = inst.model.key
            if self._fire_planned_boundary(family, instance_id, clock, proc, task):
                continue
            ref = task.form_ref or task.form_key
            form = self.repo.form(ref, self.tenant) if ref else None
            data = form_data(form, task.form_fields)
            current = {**inst.variables(), **data}
            data.update(self.solver.prepare(proc, task.element_id, current, form_choices(form)))
            clock.set(clock.now() + STEP_TIME)
            inst.complete_user_task(task.id, data, user="simulasi")
            family.settle(instance_id)
            self._record(family)
        if not family.instances[root].completed:
            waiting = ", ".join(t.element_id for _, inst in family.live() for t in inst.user_tasks()) or "nothing"
            failed = [m for messages in family.incidents.values() for m in messages]
            raise AssertionError(f"the instance did not reach an end event (waiting: {waiting})"
                                 + (f"; {'; '.join(failed)}" if failed else ""))
        planned = _comparable(graph, Counter(self.path.nodes))
        actual = _comparable(graph, Counter(self.visited.get(self.key, [])))
        if planned != actual:
            missing = sorted((planned - actual).elements())
            extra = sorted((actual - planned).elements())
            raise AssertionError(f"the engine left the planned path (not visited: {missing or '-'}, "
                                 f"unplanned: {extra or '-'})")

    def _fire_planned_boundary(self, family: Any, instance_id: str, clock: Any, proc: str, task: Any) -> bool:
        """If the path plans a timer on this task (a reminder) for this visit, move the clock to its due
        time and fire it, once; True when it fired."""
        graph = self.repo.graph(proc, self.tenant)
        node = graph.nodes.get(task.element_id)
        if node is None or node.tag.endswith("Gateway") or not graph.is_split(node.id):
            return False
        visit = self.visits[(proc, node.id)] - 1
        outcomes = self.plans.get(proc, {}).get(node.id, [])
        key = (proc, node.id, visit)
        if visit < 0 or visit >= len(outcomes) or key in self.fired:
            return False
        if not any(graph.flows[f].virtual for f in outcomes[visit]):
            return False
        self.fired.add(key)
        inst = family.instances[instance_id]
        due = inst.next_timer_due()
        if due is None:
            raise AssertionError(f"{node.id}: the planned timer event is not waiting")
        clock.set(max(due, clock.now()))
        inst.fire_due_timers()
        family.settle(instance_id)
        self._record(family)
        return True

    def repo_process(self, key: str, tenant: str | None) -> Any:
        return self.repo.process(key, tenant if tenant is not None else self.tenant)

    def repo_decision(self, key: str, tenant: str | None, binding: str = "latest",
                      version: int | None = None) -> Any:
        return self.repo.decision(key, tenant if tenant is not None else self.tenant, binding, version)

def _comparable(graph: ProcessGraph, visits: Counter[str]) -> Counter[str]:
    """Visit counts with joins counted once: the engine records one activity per arriving token
    (as Camunda does), the plan one per firing."""
    result = Counter(visits)
    for nid in visits:
        node = graph.nodes.get(nid)
        if node is not None and node.tag in ("parallelGateway", "inclusiveGateway") and len(node.incoming) > 1:
            result[nid] = 1
    return result


class Simulator:
    def __init__(self, root: str | Path, *, calendar: Any = None):
        self.repo = Repository(Path(root))
        self.calendar = calendar
        self.caches = SolverCaches(now=SIM_START)

    def simulate(self, tenant: str | None, key: str,
                 progress: Callable[[int, int], None] | None = None) -> ModelReport:
        graph = self.repo.graph(key, tenant)
        report = ModelReport(tenant, key, graph.name, graph)
        try:
            paths = enumerate_paths(graph, max_paths=MAX_PATHS)
        except ValueError as exc:
            report.error = str(exc)
            return report
        if len(paths) >= MAX_PATHS:
            report.note = f"only the first {MAX_PATHS} paths are simulated"
        for i, path in enumerate(paths, 1):
            result = PathResult(i, path, ok=False, working_days=planned_working_days(graph, path))
            try:
                _Run(self, tenant, key, path).run()
                result.ok = True
            except Exception as exc:    # any failure of one path is reported, the others still run
                result.message = f"{type(exc).__name__}: {exc}"
            report.results.append(result)
            if progress:
                progress(i, len(paths))
        return report


def run(root: str | Path, targets: list[tuple[str | None, str]], *, out: TextIO | None = None,
        progress: ProgressBar | None = None, calendar: Any = None) -> int:
    """Simulate the (tenant, key) models, print the report; exit status 0 only if every path reached an
    end event as planned and coverage is 100%."""
    out = out if out is not None else sys.stdout
    sim = Simulator(root, calendar=calendar)
    reports = []
    for tenant, key in targets:
        label = f"{tenant}/{key}" if tenant else key
        try:
            report = sim.simulate(tenant, key, partial(progress, label) if progress else None)
        except Exception as exc:    # an unreadable model is a failed model, not a crash of the whole run
            report = ModelReport(tenant, key, None, ProcessGraph(key, None, {}, {}, ""),
                                 error=f"{type(exc).__name__}: {exc}")
        reports.append(report)
        for line in format_report(report):
            out.write(line + "\n")
    line = summary_line(reports)
    out.write(line + "\n")
    return 0 if reports and all(r.ok for r in reports) else 1
