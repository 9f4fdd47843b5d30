"""`evaluate_decision`: runs a decision (and the decisions it requires) with DMN/Camunda semantics."""
from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from service.expr import ExpressionError, LimitExceeded, Limits, feel
from service.expr.feel.values import BuiltinFunction, Range

from .boxed import (
    Chain,
    KnowledgeModel,
    ServiceKnowledge,
    TableBox,
    allowed,
    knowledge_scope,
    make_function,
)
from .errors import DecisionError
from .hit_policies import aggregate_rows, apply_hit_policy
from .model import DecisionModel, DecisionResult, MatchedRule
from .tables import SINGLE_HIT, BoxedDecision, DecisionService, DecisionTable, LiteralDecision, TableRule
from .typed_plain import typed_plain

_DEFAULT_LIMITS = Limits()


class _Overlay(Mapping[str, Any]):
    """The decision's variables plus one more name (the input variable), without copying the scope."""
    __slots__ = ("_base", "_name", "_value")

    def __init__(self, base: Mapping[str, Any], name: str, value: Any) -> None:
        self._base = base
        self._name = name
        self._value = value

    def __getitem__(self, key: str) -> Any:
        if key == self._name:
            return self._value
        return self._base[key]

    def __contains__(self, key: object) -> bool:
        return key == self._name or key in self._base

    def get(self, key: str, default: Any = None) -> Any:
        if key == self._name:
            return self._value
        return self._base.get(key, default)

    def __iter__(self) -> Iterator[str]:
        yield self._name
        for key in self._base:
            if key != self._name:
                yield key

    def __len__(self) -> int:
        return len(self._base) + (0 if self._name in self._base else 1)


class _Run:
    """State shared by one top-level evaluation: limits, the overall deadline, BKM functions, call depth.

    It is also the environment of boxed expressions (`boxed.BoxEnv`).
    """
    __slots__ = ("limits", "deadline", "depth", "functions")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.depth = 0
        self.functions: dict[int, BuiltinFunction] = {}
        # Each cell is bounded by the Limits; the whole decision (all cells, all required decisions)
        # gets the same wall-clock budget so that many slow cells cannot add up.
        self.deadline = time.monotonic() + limits.max_seconds

    def check_time(self, key: str) -> None:
        if time.monotonic() > self.deadline:
            raise DecisionError(f"decision '{key}': evaluation took longer than {self.limits.max_seconds} s",
                                decision_key=key)

    def function_of(self, bkm: KnowledgeModel | ServiceKnowledge) -> BuiltinFunction:
        # One function per BKM and evaluation, made on first use: recursive BKMs resolve to themselves.
        cache_key = id(bkm)     # ids may repeat across imported files; the objects do not
        fn = self.functions.get(cache_key)
        if fn is None:
            if isinstance(bkm, ServiceKnowledge):
                fn = self.service_function(bkm.model)
            else:
                fn = make_function(bkm.function, {}, self, bkm.knowledge)
            self.functions[cache_key] = fn
        return fn

    def service_function(self, model: DecisionModel) -> BuiltinFunction:
        """A decision service as a FEEL function of its parameters (input data, then input decisions)."""
        names = tuple(p.name for p in model.logic.parameters) if isinstance(model.logic, DecisionService) else ()

        def impl(ctx: Any, *args: Any) -> Any:
            self.depth += 1
            try:
                if self.depth > self.limits.max_depth:
                    raise LimitExceeded(f"{model.name}: calls nested deeper than {self.limits.max_depth}",
                                        model.name or model.key, None)
                result = _evaluate_service(model, dict(zip(names, args, strict=False)), self)
            except DecisionError as exc:
                if isinstance(exc.__cause__, LimitExceeded):
                    raise exc.__cause__ from None    # a bound hit inside stops the whole evaluation
                ctx.diag(f"{model.name}: {exc.message}")
                return None
            finally:
                self.depth -= 1
            for message in result.diagnostics:
                ctx.diag(message)
            return result.value

        return BuiltinFunction(model.name or model.key, impl, (names,))

    def table_value(self, box: TableBox, scope: Mapping[str, Any], diagnostics: list[str]) -> Any:
        self.check_time(box.model.key)
        result = _evaluate_table(box.model, box.table, scope, self)
        diagnostics.extend(result.diagnostics)
        return result.value


def plain(value: Any) -> Any:
    """The plain form of a FEEL value for JUEL cells and messages; a value without one stays as it is
    (FEEL reads it unchanged)."""
    try:
        return feel.from_feel(value, numbers="json")
    except ValueError:     # feel.values.ConversionError: e.g. a date beyond the years of Python's date
        return value


def evaluate_decision(model: DecisionModel, variables: Mapping[str, Any], *,
                      limits: Limits | None = None) -> DecisionResult:
    """Evaluate `model` after the decisions it requires; raises DecisionError (never a Python error).

    `model` may be a decision service (`kind == "decisionService"`): its parameters are read from
    `variables` by name and `evaluations` holds the results of the decisions it evaluated."""
    run = _Run(limits or _DEFAULT_LIMITS)
    if isinstance(model.logic, DecisionService):
        return _evaluate_service(model, variables, run)
    if not model.required_models:
        return _evaluate_one(model, variables, run)
    scope: dict[str, Any] = dict(variables)   # a copy: required results are added to it
    evaluations = _evaluate_targets((model,), scope, run, frozenset())
    result = evaluations.pop()
    result.evaluations = evaluations
    return result


def _evaluate_targets(targets: tuple[DecisionModel, ...], scope: dict[str, Any], run: _Run,
                      provided: frozenset[str]) -> list[DecisionResult]:
    """Evaluate each target after the decisions it requires (each once, dependencies first), binding every
    result in `scope`; decisions in `provided` are inputs already bound there (a service's input decisions).
    A decision requiring one that cannot be evaluated (it does not compile) answers null."""
    evaluations: list[DecisionResult] = []
    done: set[str] = set(provided)
    failed: set[str] = set()
    values: dict[str, Any] = {}
    for target in targets:
        for current in [*requirement_order(target, provided), target]:
            if current.key in done:
                continue
            done.add(current.key)
            for key, import_name in current.import_names:
                # a decision of an imported model is read as `import name.decision name` (DMN 1.3, 6.3.3)
                names = {r.key: r.name or r.key for r in current.required_models}
                holder = scope.get(import_name)
                scope[import_name] = {**(holder if type(holder) is dict else {}), names[key]: values.get(key)}
            broken = next((r.key for r in current.required_models if r.key in failed), None)
            if broken is not None:
                result = _null_result(current, f"decision {current.key!r} cannot be evaluated: required decision "
                                               f"{broken!r} cannot be evaluated")
            else:
                result = _evaluate_one(current, scope, run)
            if current.compile_error is not None or broken is not None:
                failed.add(current.key)
            evaluations.append(result)
            values[current.key] = result.value
            bind_required_result(scope, current, result)
    return evaluations


def _null_result(model: DecisionModel, diagnostic: str) -> DecisionResult:
    return DecisionResult(key=model.key, result_list=[], matched_rules=[], evaluations=[], name=model.name,
                          diagnostics=[diagnostic])


def _evaluate_service(model: DecisionModel, arguments: Mapping[str, Any], run: _Run) -> DecisionResult:
    """A decision service: its output decisions evaluated with only its parameters in scope (DMN 1.3, 10.4);
    the input decisions are the given values, never evaluated."""
    if model.compile_error is not None:
        return _null_result(model, f"decision service {model.key!r} cannot be evaluated: {model.compile_error}")
    service: DecisionService = model.logic
    diagnostics: list[str] = []
    scope: dict[str, Any] = {}
    for parameter in service.parameters:
        value = arguments.get(parameter.name)
        try:
            value = feel.to_feel(value)
        except ValueError as exc:
            diagnostics.append(f"parameter {parameter.name}: {exc}; using null")
            value = None
        if parameter.type_ref and value is not None:
            value = _type_check(value, parameter.type_ref, diagnostics, f"parameter {parameter.name}")
            if value is None:   # a non-conforming argument makes the whole invocation null
                return _null_result(model, f"decision service {model.key!r}: parameter {parameter.name} does "
                                           f"not conform to {parameter.type_ref}; " + "; ".join(diagnostics))
        scope[parameter.name] = value
        if parameter.decision_key:
            scope[parameter.decision_key] = value
    provided = frozenset(p.decision_key for p in service.parameters if p.decision_key)
    evaluations = _evaluate_targets(service.outputs, scope, run, provided)
    by_key = {result.key: result for result in evaluations}
    values = {(out.name or out.key): by_key[out.key].value for out in service.outputs}
    result_value: Any = next(iter(values.values())) if len(values) == 1 else values
    if service.output_type:
        result_value = _type_check(result_value, service.output_type, diagnostics, f"decision service {model.key}")
    for result in evaluations:
        diagnostics.extend(result.diagnostics)
    if len(values) == 1:
        values = {name: result_value for name in values}     # after the service's output type
    row = {name: typed_plain(v, None, diagnostics) for name, v in values.items()}
    return DecisionResult(key=model.key, result_list=[row], matched_rules=[], evaluations=evaluations,
                          diagnostics=diagnostics, name=model.name, value=result_value)


def requirement_order(model: DecisionModel, provided: frozenset[str] = frozenset()) -> list[DecisionModel]:
    """All decisions `model` requires, transitively, each once, dependencies first; a decision in
    `provided` is neither listed nor looked into."""
    order: list[DecisionModel] = []
    seen: set[str] = set(provided)

    def visit(current: DecisionModel) -> None:
        for dep in current.required_models:
            if dep.key not in seen:
                seen.add(dep.key)
                visit(dep)
                order.append(dep)

    visit(model)
    return order


def bind_required_result(scope: dict[str, Any], model: DecisionModel, result: DecisionResult) -> None:
    """Make a required decision's result visible to the decisions that require it.

    Camunda 7 binds the output names (a single result's entries, or a list per output for several
    results or a COLLECT / RULE ORDER table); the DMN spec binds the decision's name. We do both, and
    also bind the decision id when it differs from the name.
    """
    rows = result.result_list
    multi = model.kind == "decisionTable" and (model.hit_policy not in SINGLE_HIT and not model.aggregation)
    if rows:
        if model.aggregation or (len(rows) == 1 and model.hit_policy not in ("COLLECT", "RULE ORDER")):
            scope.update(rows[0])
        else:
            names: list[str] = []
            for row in rows:
                names.extend(n for n in row if n not in names)
            for name in names:
                scope[name] = [row.get(name) for row in rows]
    if result.value is not None or not rows:
        value: Any = result.value          # exact FEEL value (numbers stay decimals)
    elif multi:
        value = [_spec_value(row) for row in rows]
    else:
        value = _spec_value(rows[0])
    if model.name:
        scope[model.name] = value
    scope[model.key] = value


def _spec_value(row: dict[str, Any]) -> Any:
    return next(iter(row.values())) if len(row) == 1 else dict(row)


def _evaluate_one(model: DecisionModel, scope: Mapping[str, Any], run: _Run) -> DecisionResult:
    run.check_time(model.key)
    if model.compile_error is not None:
        return _null_result(model, f"decision {model.key!r} cannot be evaluated: {model.compile_error}")
    logic = model.logic
    if model.knowledge:
        # Required business knowledge models are visible to the decision as functions (DMN 1.3, 6.3.4).
        scope = Chain(knowledge_scope(model.knowledge, run), scope)
    if isinstance(logic, LiteralDecision):
        return _evaluate_literal(model, logic, scope, run)
    if isinstance(logic, DecisionTable):
        return _evaluate_table(model, logic, scope, run)
    if isinstance(logic, BoxedDecision):
        return _evaluate_boxed(model, logic, scope, run)
    raise DecisionError(f"decision '{model.key}' has no compiled logic (parse it with parse_dmn)",
                        decision_key=model.key)


def _wrap(model: DecisionModel, where: str, exc: ExpressionError, rule_ids: list[str] | None = None) -> DecisionError:
    kind = "limit exceeded" if isinstance(exc, LimitExceeded) else "expression failed"
    error = DecisionError(f"decision '{model.key}', {where}: {kind}: {exc}", decision_key=model.key,
                          rule_ids=rule_ids or [])
    error.__cause__ = exc
    return error


def _evaluate_literal(model: DecisionModel, logic: LiteralDecision, scope: Mapping[str, Any],
                      run: _Run) -> DecisionResult:
    diagnostics: list[str] = []
    try:
        value = logic.expression.evaluate(scope, run.limits, diagnostics)
    except ExpressionError as exc:
        raise _wrap(model, "literal expression", exc) from exc
    if logic.type_ref:
        value = _type_check(value, logic.type_ref, diagnostics, f"variable {logic.variable_name}")
    value = _storable(value, diagnostics, f"variable {logic.variable_name}")
    row = {logic.variable_name: typed_plain(value, logic.type_ref, diagnostics)}
    return DecisionResult(key=model.key, result_list=[row], matched_rules=[],
                          evaluations=[], diagnostics=diagnostics, name=model.name, value=value)


def _evaluate_boxed(model: DecisionModel, logic: BoxedDecision, scope: Mapping[str, Any],
                    run: _Run) -> DecisionResult:
    diagnostics: list[str] = []
    try:
        value = logic.box.evaluate(scope, run, diagnostics)
    except ExpressionError as exc:
        raise _wrap(model, logic.tag, exc) from exc
    except RecursionError:
        raise DecisionError(f"decision '{model.key}': {logic.tag} nested too deeply", decision_key=model.key) from None
    if logic.type_ref:
        value = _type_check(value, logic.type_ref, diagnostics, f"variable {logic.variable_name}")
    value = _storable(value, diagnostics, f"variable {logic.variable_name}")
    row = {logic.variable_name: typed_plain(value, logic.type_ref, diagnostics)}
    return DecisionResult(key=model.key, result_list=[row], matched_rules=[],
                          evaluations=[], diagnostics=diagnostics, name=model.name, value=value)


def _type_check(value: Any, type_ref: str, diagnostics: list[str], what: str) -> Any:
    if value is None:
        return None
    problems: list[str] = []
    checked = feel.type_check(value, type_ref, problems)
    if checked is None:
        detail = "; ".join(problems) or f"not a {type_ref}"
        diagnostics.append(f"{what}: value {_short(value)}: {detail}; using null")
    return allowed(checked, type_ref, diagnostics, what)


def _storable(value: Any, diagnostics: list[str], what: str) -> Any:
    # A range has no plain (storable) form: a result holding one could not become a process variable.
    if isinstance(value, Range) or (isinstance(value, list) and any(isinstance(v, Range) for v in value)):
        diagnostics.append(f"{what}: a range cannot be a decision result; using null")
        return None
    return value


def _short(value: Any) -> str:
    text = repr(plain(value))
    return text if len(text) <= 60 else text[:60] + "..."


def _evaluate_table(model: DecisionModel, table: DecisionTable, scope: Mapping[str, Any],
                    run: _Run) -> DecisionResult:
    diagnostics: list[str] = []
    limits = run.limits
    values: list[Any] = []
    test_scopes: list[Mapping[str, Any]] = []
    evaluated_inputs: list[dict[str, Any]] = []
    for table_input in table.inputs:
        try:
            value = table_input.expression.evaluate(scope, limits, diagnostics)
        except ExpressionError as exc:
            raise _wrap(model, f"input {table_input.label or table_input.id!r}", exc) from exc
        if table_input.type_ref:
            value = _type_check(value, table_input.type_ref, diagnostics, f"input {table_input.id}")
        values.append(value)
        plain_value = plain(value)
        test_scopes.append(_Overlay(scope, table_input.variable, plain_value))
        evaluated_inputs.append({"id": table_input.id, "label": table_input.label,
                                 "value": None if isinstance(plain_value, Range)
                                 else typed_plain(value, table_input.type_ref, diagnostics)})
    first_only = table.hit_policy == "FIRST"
    matched: list[TableRule] = []
    rule: TableRule | None = None
    try:
        for rule in table.rules:
            before = len(diagnostics)
            for test, value, test_scope in zip(rule.tests, values, test_scopes, strict=False):
                if test is not None and not test.matches(value, test_scope, limits, diagnostics):
                    break
            else:
                matched.append(rule)
                if first_only:
                    break
            if len(diagnostics) != before:
                diagnostics[before:] = [f"rule {rule.id}: {d}" for d in diagnostics[before:]]
            run.check_time(model.key)
    except ExpressionError as exc:
        raise _wrap(model, f"rule {rule.id if rule else '?'}", exc, [rule.id] if rule else []) from exc

    def outputs_of(current: TableRule) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for output, cell in zip(table.outputs, current.outputs, strict=False):
            if cell is None:
                row[output.name] = None
                continue
            try:
                value = cell.evaluate(scope, limits, diagnostics)
            except ExpressionError as exc:
                raise _wrap(model, f"rule {current.id}, output {output.name!r}", exc, [current.id]) from exc
            if output.type_ref:
                value = _type_check(value, output.type_ref, diagnostics, f"rule {current.id}, output {output.name}")
            row[output.name] = _storable(value, diagnostics, f"rule {current.id}, output {output.name}")
        return row

    chosen, rows, aggregate = apply_hit_policy(model, table, matched, outputs_of, diagnostics)
    if not matched and any(o.default is not None for o in table.outputs):
        rows = [_default_row(model, table, scope, run, diagnostics)]
        if table.aggregation:
            aggregate = aggregate_rows(model, table, rows, [])
    types = {output.name: output.type_ref for output in table.outputs}

    def typed_row(row: dict[str, Any]) -> dict[str, Any]:
        return {name: typed_plain(value, types.get(name), diagnostics) for name, value in row.items()}
    collect_result = None
    if table.aggregation:
        # a COUNT is a count whatever the output's type; SUM/MIN/MAX keep the output's type
        aggregate_type = None if table.aggregation == "COUNT" else table.outputs[0].type_ref
        collect_result = typed_plain(aggregate, aggregate_type, diagnostics)
        result_list = [] if aggregate is None else [{table.outputs[0].name: collect_result}]
    typed_rows = [typed_row(row) for row in rows]
    if not table.aggregation:
        result_list = typed_rows
    matched_rules = [MatchedRule(rule_id=r.id, index=r.index, annotation=r.annotation, decision_key=model.key,
                                 outputs=row)
                     for r, row in zip(chosen, typed_rows, strict=False)]
    return DecisionResult(key=model.key, result_list=result_list, matched_rules=matched_rules, evaluations=[],
                          diagnostics=diagnostics, name=model.name, inputs=evaluated_inputs,
                          collect_result=collect_result,
                          value=table_value(table, rows, aggregate))


def _default_row(model: DecisionModel, table: DecisionTable, scope: Mapping[str, Any], run: _Run,
                 diagnostics: list[str]) -> dict[str, Any]:
    """No rule matched: each output takes its defaultOutputEntry, or null (DMN 1.3, 8.3.2)."""
    row: dict[str, Any] = {}
    for output in table.outputs:
        value = None
        if output.default is not None:
            try:
                value = output.default.evaluate(scope, run.limits, diagnostics)
            except ExpressionError as exc:
                raise _wrap(model, f"default output {output.name!r}", exc) from exc
            if output.type_ref:
                value = _type_check(value, output.type_ref, diagnostics, f"default output {output.name}")
        row[output.name] = _storable(value, diagnostics, f"default output {output.name}")
    return row


def table_value(table: DecisionTable, rows: list[dict[str, Any]], aggregate: Any) -> Any:
    """The value of a decision table by DMN semantics (DMN 1.3, 8.3.4): one output gives its value, several
    a context; a multiple-hit table gives a list; an aggregation gives the aggregate; no match gives null."""
    if table.aggregation:
        return aggregate

    def row_value(row: dict[str, Any]) -> Any:
        return next(iter(row.values())) if len(table.outputs) == 1 else dict(row)
    if table.hit_policy in SINGLE_HIT:
        return row_value(rows[0]) if rows else None
    return [row_value(row) for row in rows]


__all__ = ["evaluate_decision", "bind_required_result", "requirement_order"]
