"""Form data that makes split gateways take planned outcomes: directly (a condition on a form field) or
through decision tables (a condition on a business rule task's result, whose inputs are searched).

Nothing here evaluates text as Python: conditions go through `service.expr.juel` (or FEEL), unary tests
through `service.expr.feel`, decisions through `service.engine.dmn.evaluate_decision`.
"""
from __future__ import annotations

import copy
import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from service.sop.datagen import (DataGenError, condition_variables, form_choices, gateway_outcome,
                                 literal_candidates, rule_assignments)
from service.sop.paths import PNode, ProcessGraph
from service.sop.repository import Repository

MAX_VALUE_COMBINATIONS = 2000
PASS_THROUGH = ("exclusiveGateway", "inclusiveGateway", "parallelGateway", "businessRuleTask",
                "intermediateThrowEvent", "scriptTask", "task")


@dataclass
class SolverCaches:
    """Memo tables shared by every path of a simulation run (same models, same inputs)."""
    now: Any = None
    matches: dict[tuple[str, str, str], bool] = field(default_factory=dict)
    decisions: dict[tuple[Any, ...], tuple[bool, Any]] = field(default_factory=dict)
    decision_reads: dict[tuple[str | None, str], list[str]] = field(default_factory=dict)

    def unary_matches(self, entry: str, value: Any, _scope: Mapping[str, Any]) -> bool:
        """A decision table input entry against a candidate value (entries seldom read other variables)."""
        key = (entry, type(value).__name__, repr(value))
        found = self.matches.get(key)
        if found is None:
            from service.expr import feel
            found = self.matches[key] = bool(feel.compile_unary_tests(entry).matches(feel.to_feel(value), {}))
        return found

    def evaluate_condition(self, text: str, variables: Mapping[str, Any]) -> Any:
        from service.expr import feel, juel
        if juel.is_juel(text):
            return juel.compile(text).evaluate(variables, now=self.now)
        return feel.from_feel(feel.evaluate(text, variables))


class OutcomeSolver:
    """Prepares the data of one instance run: `plans` (gateway id -> outcome per visit, per process key)
    and `visits` (split gateway visits so far, per (process key, gateway id)) belong to that run."""

    def __init__(self, repo: Repository, tenant: str | None, plans: dict[str, dict[str, list[tuple[str, ...]]]],
                 visits: Counter[tuple[str, str]], caches: SolverCaches):
        self.repo, self.tenant, self.plans, self.visits, self.caches = repo, tenant, plans, visits, caches
        self._choices: dict[str, dict[str, list[Any]]] = {}
        self._budget = MAX_VALUE_COMBINATIONS

    def prepare(self, proc: str, node_id: str, variables: Mapping[str, Any],
                choices: Mapping[str, list[Any]]) -> dict[str, Any]:
        """Values that make the split gateways reached from `node_id` without another wait state take
        their next planned outcome; a business rule task on the way also gets inputs for the later
        gateway that reads its result (through other tasks and decisions)."""
        graph = self.repo.graph(proc, self.tenant)
        plan = self.plans.get(proc, {})
        choices = {**self._process_choices(proc), **choices}
        updates: dict[str, Any] = {}
        rules: list[PNode] = []
        frontier = list(graph.nodes[node_id].outgoing)
        pending = Counter[str]()
        seen: set[str] = set()
        while frontier:
            node = graph.nodes[graph.flows[frontier.pop(0)].target]
            if node.tag not in PASS_THROUGH or node.id in seen:
                continue
            seen.add(node.id)
            if node.tag == "businessRuleTask":
                rules.append(node)
                ahead = self._lookahead(proc, node, pending)
                if ahead is not None:
                    targets, chain = ahead
                    try:
                        updates.update(self.solve_many(graph, targets, {**variables, **updates}, rules + chain,
                                                       choices))
                    except DataGenError:
                        pass        # the direct preparation of that gateway reports it if it really fails
                frontier += node.outgoing
            elif graph.is_split(node.id):
                index = self.visits[(proc, node.id)] + pending[node.id]
                outcomes = plan.get(node.id, [])
                if index >= len(outcomes):
                    continue
                want = outcomes[index]
                pending[node.id] += 1
                updates.update(self.solve(graph, node, want, {**variables, **updates}, rules, choices))
                frontier += list(want)
            else:
                frontier += node.outgoing
        return updates

    def _process_choices(self, proc: str) -> dict[str, list[Any]]:
        """Fixed value sets of every form of the process: a variable set by a later form must get one of
        that form's values even when an earlier task prepares it."""
        if proc not in self._choices:
            merged: dict[str, list[Any]] = {}
            for node in self.repo.graph(proc, self.tenant).nodes.values():
                ref = node.attrs.get("formRef") or node.attrs.get("formKey")
                try:
                    form = self.repo.form(ref, self.tenant) if ref else None
                except LookupError:
                    form = None
                for key, values in form_choices(form).items():
                    merged.setdefault(key, values)
            self._choices[proc] = merged
        return self._choices[proc]

    def _lookahead(self, proc: str, rule: PNode, pending: Counter[str]
                   ) -> tuple[list[tuple[PNode, tuple[str, ...]]], list[PNode]] | None:
        """Follow the plan from a business rule task to every split gateway visit whose condition reads its
        result, directly or through later decisions, until the result is overwritten or the process ends:
        ([(gateway, planned outcome)], later rule tasks)."""
        graph = self.repo.graph(proc, self.tenant)
        plan = self.plans.get(proc, {})
        result_var = rule.attrs.get("resultVariable")
        watched = {result_var}
        chain: list[PNode] = []
        targets: list[tuple[PNode, tuple[str, ...]]] = []
        extra = Counter(pending)
        node = rule
        for _ in range(len(graph.nodes) * 4):
            if node.tag == "endEvent" or not node.outgoing:
                break
            if node is not rule and node.tag == "businessRuleTask":
                if node.attrs.get("decisionRef") == rule.attrs.get("decisionRef") and \
                        node.attrs.get("resultVariable") == result_var:
                    break           # the same decision again (a loop): later visits are prepared then
                table = self.repo.dmn_table(node.attrs.get("decisionRef", ""), self.tenant)
                reads = {v for i in (table.inputs if table else []) for v in condition_variables(i.expression)}
                if reads & watched:
                    chain.append(node)
                    watched.add(node.attrs.get("resultVariable"))
                elif node.attrs.get("resultVariable") in watched:
                    break
            if graph.is_split(node.id):
                index = self.visits[(proc, node.id)] + extra[node.id]
                outcomes = plan.get(node.id, [])
                if index >= len(outcomes):
                    break
                reads = {v for f in node.outgoing for v in condition_variables(graph.flows[f].condition or "")}
                if reads & watched:
                    targets.append((node, outcomes[index]))
                extra[node.id] += 1
                flow = outcomes[index][0]
            else:
                flow = node.outgoing[0]
            node = graph.nodes[graph.flows[flow].target]
        return (targets, chain) if targets else None

    def solve(self, graph: ProcessGraph, gw: PNode, want: tuple[str, ...], variables: Mapping[str, Any],
              rules: list[PNode], choices: Mapping[str, list[Any]]) -> dict[str, Any]:
        return self.solve_many(graph, [(gw, want)], variables, rules, choices)

    def solve_many(self, graph: ProcessGraph, targets: list[tuple[PNode, tuple[str, ...]]],
                   variables: Mapping[str, Any], rules: list[PNode],
                   choices: Mapping[str, list[Any]]) -> dict[str, Any]:
        """Variable values (changes only) that make every gateway take its wanted outcome, evaluating the
        business rule tasks `rules` in order first. Results of business rule tasks are never invented."""
        names: list[str] = []
        texts = []
        for gw, _ in targets:
            for fid in gw.outgoing:
                c = graph.flows[fid].condition or ""
                texts.append(c)
                for n in condition_variables(c):
                    if n not in names:
                        names.append(n)
        all_results = {n.attrs.get("resultVariable") for n in graph.nodes.values() if n.tag == "businessRuleTask"}
        free = [n for n in names if n not in all_results]
        literals = literal_candidates(" ".join(texts))
        cand_lists = []
        for n in free:
            cands = list(choices.get(n) or [])
            for c in literals + ([variables[n]] if n in variables else []):
                if c not in cands and not choices.get(n):
                    cands.append(c)
            cand_lists.append(cands or [None])

        def goal(scope: dict[str, Any]) -> bool:
            for gw, want in targets:
                conds = [(fid, graph.flows[fid].condition) for fid in gw.outgoing]
                got = gateway_outcome(conds, gw.attrs.get("default"), gw.tag, scope, self.caches.evaluate_condition)
                if set(got) != set(want):
                    return False
            return True

        self._budget = MAX_VALUE_COMBINATIONS
        for combo in itertools.product(*cand_lists):
            base = {**variables, **dict(zip(free, combo, strict=True))}
            found = self._search(rules, 0, base, choices, set(names), goal)
            if found is not None:
                return {k: v for k, v in found.items()
                        if k not in all_results and (k not in variables or variables[k] != v)}
            if self._budget <= 0:
                break
        def names_of(want: tuple[str, ...]) -> list[str]:
            return [graph.flows[f].name or f for f in want]

        if len(targets) == 1:
            gw, want = targets[0]
            raise DataGenError(f"{gw.id}: no form data found that makes the gateway take {names_of(want)}")
        labels = "; ".join(f"{gw.id} -> {names_of(want)}" for gw, want in targets)
        raise DataGenError(f"no form data found for the planned outcomes {labels}")

    def _search(self, rules: list[PNode], level: int, scope: dict[str, Any], choices: Mapping[str, list[Any]],
                reads: set[str], goal: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
        """Depth-first over the rule tasks in order: inputs for rule `level`, its result, then the next;
        assignments giving a result already tried (for what later levels read) are skipped."""
        if level == len(rules):
            self._budget -= 1
            return scope if goal(scope) else None
        rule = rules[level]
        later = set(reads)
        for r in rules[level + 1:]:
            for t in self._tables([r]):
                later |= {v for i in t.inputs for v in condition_variables(i.expression)}
        tables = [t for t in self._tables([rule])]
        required_keys = {k for t in tables for k in t.required}
        settable = [t for t in tables if any(t.input_variable(i) and t.input_variable(i) not in required_keys
                                             for i in range(len(t.inputs)))]
        seen: set[str] = set()
        last = level == len(rules) - 1
        for assignment in self._table_assignments(settable, scope, choices, thorough=last and len(settable) <= 1):
            if self._budget <= 0:
                return None
            self._budget -= 1
            try:
                result = self._decide(rule, assignment)
            except Exception:       # this assignment makes the decision fail (e.g. no rule matched)
                continue
            key = repr((result, sorted((k, repr(v)) for k, v in assignment.items() if k in later)))
            if key in seen:
                continue
            seen.add(key)
            found = self._search(rules, level + 1, {**assignment, rule.attrs["resultVariable"]: result}, choices,
                                 reads, goal)
            if found is not None:
                return found
        return None

    def _tables(self, rules: list[PNode]) -> list[Any]:
        """The decision tables behind the rule tasks, required decisions first."""
        tables: list[Any] = []

        def add(key: str) -> None:
            table = self.repo.dmn_table(key, self.tenant)
            if table is None or any(t.key == key for t in tables):
                return
            for req in table.required:
                add(req)
            tables.append(table)

        for r in rules:
            add(r.attrs.get("decisionRef", ""))
        return tables

    def _table_assignments(self, tables: list[Any], base: dict[str, Any], choices: Mapping[str, list[Any]], *,
                           thorough: bool) -> Iterable[dict[str, Any]]:
        if not tables:
            yield base
            return
        for assignment in rule_assignments(tables[-1], base, choices, self.caches.unary_matches, thorough=thorough):
            if len(tables) == 1:
                yield assignment
            else:
                yield from self._table_assignments(tables[:-1], assignment, choices, thorough=False)

    def _decide(self, rule: PNode, scope: Mapping[str, Any]) -> Any:
        """The rule task's mapped decision result for `scope`, memoized on the variables its tables read
        (the search evaluates the same inputs many times, across paths too)."""
        ref = rule.attrs["decisionRef"]
        mapping = rule.attrs.get("mapDecisionResult") or "resultList"
        reads = self.caches.decision_reads.get((self.tenant, ref))
        if reads is None:
            reads = sorted({v for t in self._tables([rule]) for v in t.reads()})
            self.caches.decision_reads[(self.tenant, ref)] = reads
        key = (self.tenant, ref, mapping, tuple((n, type(scope.get(n)).__name__, repr(scope.get(n))) for n in reads))
        cached = self.caches.decisions.get(key)
        if cached is None:
            from service.engine.dmn import evaluate_decision, map_decision_result
            model = self.repo.decision(ref, self.tenant)
            try:
                cached = (True, map_decision_result(evaluate_decision(model, scope), mapping))
            except Exception as exc:     # remembered too: the same inputs fail the same way
                cached = (False, exc)
            self.caches.decisions[key] = cached
        ok, value = cached
        if not ok:
            raise value
        return copy.deepcopy(value)
