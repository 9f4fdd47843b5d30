"""Boxed expressions besides decision tables (DMN 1.3 chapter 10.2 and 10.3): contexts, invocations,
lists, relations, function definitions, and business knowledge models (BKMs) as FEEL functions.

Each box evaluates to a FEEL value. Boxes are compiled by the parser; evaluation gets an environment
(`BoxEnv`, implemented by the evaluator) that evaluates nested decision tables and owns the limits.
"""
from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from service.expr import LimitExceeded, Limits, feel
from service.expr.feel.values import BuiltinFunction, FeelFunction

from .cells import ExpressionCell
from .errors import DecisionError


class BoxEnv(Protocol):
    """What a box needs from the running evaluation."""
    limits: Limits
    depth: int
    deadline: float                  # time.monotonic() by which the whole evaluation must end

    def table_value(self, box: TableBox, scope: Mapping[str, Any], diagnostics: list[str]) -> Any: ...

    def function_of(self, bkm: KnowledgeModel | ServiceKnowledge) -> BuiltinFunction: ...


class Box(Protocol):
    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any: ...


class Chain(Mapping[str, Any]):
    """Local names (context entries, parameters) in front of the enclosing scope, without copying it."""
    __slots__ = ("_local", "_parent")

    def __init__(self, local: Mapping[str, Any], parent: Mapping[str, Any]) -> None:
        self._local = local
        self._parent = parent

    def __getitem__(self, key: str) -> Any:
        if key in self._local:
            return self._local[key]
        return self._parent[key]

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._local:
            return self._local[key]
        return self._parent.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._local or key in self._parent

    def __iter__(self) -> Iterator[str]:
        yield from self._local
        for key in self._parent:
            if key not in self._local:
                yield key

    def __len__(self) -> int:
        return len(self._local) + sum(1 for k in self._parent if k not in self._local)


class ItemType(str):
    """The FEEL type of an itemDefinition, plus its allowedValues (unary tests) when it has some."""
    allowed: Any = None            # feel.CompiledUnaryTests
    allowed_text: str = ""
    collection: bool = False       # allowedValues then apply to each item (DMN 1.3, 7.3.2)


def allowed(value: Any, type_ref: Any, diagnostics: list[str], what: str) -> Any:
    """Apply an item definition's allowedValues: a value outside them is null (DMN 1.3, 7.3.2)."""
    tests = getattr(type_ref, "allowed", None)
    if tests is None or value is None:
        return value
    items = value if getattr(type_ref, "collection", False) and type(value) is list else [value]
    for item in items:
        if item is not None and not tests.matches(item, {}):
            diagnostics.append(f"{what}: value {item!r} is not one of the allowed values "
                               f"{type_ref.allowed_text}; using null")
            return None
    return value


def conform(value: Any, type_ref: str | None, diagnostics: list[str], what: str) -> Any:
    """Coerce a value to its declared typeRef (DMN 1.3, 10.3.2.9.4): null when it does not conform."""
    if value is None or not type_ref:
        return value
    problems: list[str] = []
    checked = feel.type_check(value, type_ref, problems)
    if checked is None:
        diagnostics.append(f"{what}: value does not conform to {type_ref}"
                           + (f" ({'; '.join(problems)})" if problems else "") + "; using null")
    return allowed(checked, type_ref, diagnostics, what)


@dataclass(frozen=True)
class LiteralBox:
    cell: ExpressionCell
    type_ref: str | None = None

    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any:
        value = self.cell.evaluate(scope, env.limits, diagnostics)
        return conform(value, self.type_ref, diagnostics, "literal expression")


@dataclass(frozen=True)
class TypedBox:
    """A boxed expression with a typeRef of its own (e.g. `<context typeRef="tMetric">`)."""
    box: Box
    type_ref: str

    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any:
        return conform(self.box.evaluate(scope, env, diagnostics), self.type_ref, diagnostics, "boxed expression")


@dataclass(frozen=True)
class ContextEntry:
    name: str | None            # None: the final result entry of the context
    box: Box
    type_ref: str | None


@dataclass(frozen=True)
class ContextBox:
    """Entries are evaluated in order, each seeing the ones before it (DMN 1.3, 10.2.1.4)."""
    entries: tuple[ContextEntry, ...]

    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any:
        local: dict[str, Any] = {}
        inner = Chain(local, scope)
        for entry in self.entries:
            value = conform(entry.box.evaluate(inner, env, diagnostics), entry.type_ref, diagnostics,
                            f"context entry {entry.name or '(result)'}")
            if entry.name is None:
                return value
            local[entry.name] = value
        return dict(local)


@dataclass(frozen=True)
class ListBox:
    items: tuple[Box, ...]

    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any:
        return [item.evaluate(scope, env, diagnostics) for item in self.items]


@dataclass(frozen=True)
class RelationBox:
    """A relation is a list of contexts, one per row (DMN 1.3, 10.2.1.7)."""
    columns: tuple[str, ...]
    rows: tuple[tuple[Box, ...], ...]

    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any:
        return [{name: cell.evaluate(scope, env, diagnostics) for name, cell in zip(self.columns, row, strict=False)}
                for row in self.rows]


def _items(value: Any) -> list[Any] | None:
    """The list a filter or iterator walks: a single value is a one-item list, null stays null."""
    if value is None:
        return None
    return value if type(value) is list else [value]


def _check_deadline(env: BoxEnv, what: str) -> None:
    if time.monotonic() > env.deadline:
        raise LimitExceeded(f"{what}: evaluation took longer than {env.limits.max_seconds} s", what, None)


@dataclass(frozen=True)
class ConditionalBox:
    """DMN 1.4 boxed conditional: `then` when the condition is true, `else` when it is false or null; a
    condition that is not a boolean makes it null (TCK 1150)."""
    condition: Box
    then: Box
    otherwise: Box

    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any:
        condition = self.condition.evaluate(scope, env, diagnostics)
        if condition is not None and type(condition) is not bool:
            diagnostics.append("conditional: the condition is not a boolean; the result is null")
            return None
        chosen = self.then if condition is True else self.otherwise
        return chosen.evaluate(scope, env, diagnostics)


@dataclass(frozen=True)
class FilterBox:
    """DMN 1.4 boxed filter: the items of `in` for which `match` is true (`item` and, for contexts, their
    entries are in scope, as in a FEEL filter)."""
    source: Box
    match: Box

    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any:
        items = _items(self.source.evaluate(scope, env, diagnostics))
        if items is None:
            return None
        kept = []
        for item in items:
            _check_deadline(env, "filter")
            local = {"item": item, **item} if type(item) is dict else {"item": item}
            matched = self.match.evaluate(Chain(local, scope), env, diagnostics)
            if matched is True:
                kept.append(item)
            elif matched is not None and matched is not False:
                diagnostics.append("filter: the match is not a boolean; the result is null")
                return None
        return kept


@dataclass(frozen=True)
class IteratorBox:
    """DMN 1.4 boxed `for` (list of results), `some` and `every` (booleans) over the items of `in`."""
    kind: str                      # for | some | every
    variable: str
    source: Box
    body: Box

    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any:
        items = _items(self.source.evaluate(scope, env, diagnostics))
        if items is None:
            return None
        results = []
        for item in items:
            _check_deadline(env, self.kind)
            value = self.body.evaluate(Chain({self.variable: item}, scope), env, diagnostics)
            if self.kind != "for" and value is not None and type(value) is not bool:
                diagnostics.append(f"{self.kind}: satisfies is not a boolean; the result is null")
                return None
            if self.kind == "some" and value is True:
                return True
            if self.kind == "every" and value is not True:
                return False
            results.append(value)
        return results if self.kind == "for" else self.kind == "every"


@dataclass(frozen=True)
class InvocationBox:
    """Calls the function named by `function` with named parameter bindings (DMN 1.3, 10.2.1.9)."""
    function: Box
    bindings: tuple[tuple[str, Box | None], ...]

    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any:
        fn = self.function.evaluate(scope, env, diagnostics)
        if type(fn) is not FeelFunction and type(fn) is not BuiltinFunction:
            diagnostics.append("invocation: the invoked expression is not a function")
            return None
        named = {name: (box.evaluate(scope, env, diagnostics) if box is not None else None)
                 for name, box in self.bindings}
        # The call itself is FEEL: a one-name expression applied to named arguments keeps FEEL's
        # parameter checks (unknown names give null) without reaching into the evaluator.
        args = {f"__arg{n}": value for n, value in enumerate(named.values())}
        call = "__fn(" + ", ".join(f"{_feel_name(name)}: __arg{n}" for n, name in enumerate(named)) + ")"
        try:
            compiled = feel.compile_expression(call, names=list(named))
        except feel.ExpressionSyntaxError:
            diagnostics.append(f"invocation: parameter names {list(named)} cannot be passed by name")
            return None
        return compiled.evaluate(Chain({"__fn": fn, **args}, {}), limits=env.limits, diagnostics=diagnostics)


def _feel_name(name: str) -> str:
    return name.strip()


@dataclass(frozen=True)
class JavaCallBox:
    """The body of a boxed Java function (kind="Java"): the allow-listed method applied to the parameters."""
    function: BuiltinFunction
    params: tuple[str, ...]

    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any:
        args = {f"__arg{i}": scope.get(p) for i, p in enumerate(self.params)}
        call = feel.compile_expression("__fn(" + ", ".join(args) + ")")
        return call.evaluate(Chain({"__fn": self.function, **args}, {}), limits=env.limits, diagnostics=diagnostics)


@dataclass(frozen=True)
class FunctionBox:
    """A boxed function definition: evaluating it gives a FEEL function closed over the scope."""
    name: str
    params: tuple[tuple[str, str | None], ...]
    body: Box
    knowledge: tuple[KnowledgeModel, ...] = ()

    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any:
        return make_function(self, scope, env)


@dataclass(frozen=True)
class TableBox:
    """A decision table used as an expression (in a BKM, a context entry, ...)."""
    table: Any                   # tables.DecisionTable
    model: Any                   # a DecisionModel stand-in for error messages and hit policies

    def evaluate(self, scope: Mapping[str, Any], env: BoxEnv, diagnostics: list[str]) -> Any:
        return env.table_value(self, scope, diagnostics)


@dataclass(frozen=True)
class KnowledgeModel:
    """A business knowledge model: a named function (its encapsulated logic) plus the BKMs it requires."""
    id: str
    name: str
    function: FunctionBox
    knowledge_ids: tuple[str, ...] = ()
    resolved: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)   # id -> BKM or service

    @property
    def knowledge(self) -> tuple[KnowledgeModel | ServiceKnowledge, ...]:
        return tuple(self.resolved[k] for k in self.knowledge_ids if k in self.resolved)


@dataclass(frozen=True)
class ServiceKnowledge:
    """A decision service required as knowledge: a FEEL function named like the service (DMN 1.3, 10.4).
    `services` maps service ids to their DecisionModels once the whole file is parsed."""
    id: str
    name: str
    services: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def model(self) -> Any:
        return self.services.get(self.id)


def knowledge_scope(models: tuple[Any, ...], env: BoxEnv) -> dict[str, Any]:
    """BKMs and decision services as functions by name; an imported one inside its import's context."""
    scope: dict[str, Any] = {}
    for m in models:
        import_name = getattr(m, "import_name", None)
        if import_name is None:
            scope[m.name] = env.function_of(m)
        else:
            holder = scope.get(import_name)
            scope[import_name] = {**(holder if type(holder) is dict else {}), m.name: env.function_of(m.model)}
    return scope


def make_function(box: FunctionBox, scope: Mapping[str, Any], env: BoxEnv,
                  knowledge: tuple[Any, ...] = ()) -> BuiltinFunction:
    """A FEEL-callable function whose body is a boxed expression; parameters shadow outer names."""
    names = tuple(p for p, _ in box.params)

    def impl(ctx: Any, *args: Any) -> Any:
        local: dict[str, Any] = knowledge_scope(knowledge, env) if knowledge else {}
        diagnostics: list[str] = []
        for (name, type_ref), value in zip(box.params, args, strict=False):
            local[name] = conform(value, type_ref, diagnostics, f"{box.name} parameter {name}")
            if local[name] is None and value is not None:
                # an argument that does not conform to its parameter's type makes the call null (DMN 1.5, 10.3.2.9.4)
                ctx.diag(f"{box.name}: argument {name} does not conform to {type_ref}; the invocation is null")
                return None
        if time.monotonic() > env.deadline:
            # each call gets fresh per-expression budgets, so the overall deadline is checked per call
            raise LimitExceeded(f"{box.name}: evaluation took longer than {env.limits.max_seconds} s", box.name, None)
        env.depth += 1
        try:
            if env.depth > env.limits.max_depth:
                raise LimitExceeded(f"{box.name}: calls nested deeper than {env.limits.max_depth}", box.name, None)
            return box.body.evaluate(Chain(local, scope), env, diagnostics)
        except DecisionError as exc:
            if isinstance(exc.__cause__, LimitExceeded):
                raise exc.__cause__ from None    # a bound hit inside stops the whole evaluation
            # An error inside a called BKM (e.g. a UNIQUE table with two matches) makes the call null.
            diagnostics.append(f"{box.name}: {exc.message}")
            return None
        finally:
            env.depth -= 1
            for message in diagnostics:
                ctx.diag(message)

    return BuiltinFunction(box.name, impl, (names,))


__all__ = [
    "Box",
    "BoxEnv",
    "Chain",
    "ContextBox",
    "ContextEntry",
    "FunctionBox",
    "InvocationBox",
    "ItemType",
    "JavaCallBox",
    "KnowledgeModel",
    "ListBox",
    "LiteralBox",
    "RelationBox",
    "ServiceKnowledge",
    "TableBox",
    "TypedBox",
    "allowed",
    "conform",
    "knowledge_scope",
    "make_function",
]
