"""Generated data for simulation: valid values for form fields, and values that make a gateway take a
planned outcome, directly (a condition on a form field) or through a decision table (a condition on a
business rule task's result: the table's rules are searched for inputs producing the needed output).

Nothing here evaluates text as Python: conditions go through `service.expr.juel`, unary tests through
`service.expr.feel`, decisions through `service.engine.dmn.evaluate_decision`.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping

from hypothesis import Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from lxml import etree

from service.expr import ExpressionError
from service.expr.juel import compile as compile_juel
from service.expr.juel import is_juel

MAX_COMBINATIONS = 4000
JUEL_WORDS = {"true", "false", "null", "empty", "not", "and", "or", "eq", "ne", "lt", "gt", "le", "ge",
              "div", "mod", "instanceof", "execution", "dateTime"}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STRINGS = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'")
_NUMBER = re.compile(r"(?<![\w])-?\d+(?:\.\d+)?(?![\w])")
_DATE = re.compile(r"date\(\s*\"(\d{4}-\d{2}-\d{2})\"\s*\)")


class DataGenError(ValueError):
    pass


# --------------------------------------------------------------------------- form values
# Printable ASCII first (shrinking then yields "0", "A", " " where a class allows); any printable character
# for a pattern that needs others ("é+").
_REGEX_ALPHABETS = (st.characters(codec="ascii", categories=["L", "N", "P", "S", "Zs"]),
                    st.characters(categories=["L", "N", "P", "S", "Zs"]))
# Deterministic (the same pattern gives the same value in every run) and bounded (at most 50 tries).
_REGEX_SEARCH = settings(database=None, max_examples=50, deadline=None, derandomize=True,
                         phases=[Phase.generate, Phase.shrink])


@lru_cache(maxsize=512)
def regex_example(pattern: str) -> str:
    """A short string matching `pattern` (fullmatch): Hypothesis' smallest example of the pattern."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise DataGenError(f"invalid pattern {pattern!r}: {exc}") from exc
    failure: HypothesisException | None = None
    for alphabet in _REGEX_ALPHABETS:
        try:
            text = find(st.from_regex(pattern, fullmatch=True, alphabet=alphabet), lambda _s: True,
                        settings=_REGEX_SEARCH)
        except HypothesisException as exc:
            failure = exc
            continue
        if re.fullmatch(pattern, text):
            return str(text)
    reason = f": {type(failure).__name__}" if failure else ""
    raise DataGenError(f"cannot generate a value for pattern {pattern!r}{reason}")


def field_value(comp: Mapping[str, Any]) -> Any:
    """A valid value for a form-js component (None: nothing to submit)."""
    ctype = comp.get("type")
    v = comp.get("validate") or {}
    values = [x.get("value") for x in comp.get("values") or [] if isinstance(x, Mapping)]
    if ctype in ("text", "spacer", "separator", "group", "image", "html", "button"):
        return None
    if ctype == "checklist" or ctype == "taglist":
        return values
    if ctype in ("radio", "select"):
        return values[0] if values else None
    if ctype == "checkbox":
        return True
    if ctype == "number":
        lo, hi = v.get("min"), v.get("max")
        if lo is not None and hi is not None:
            mid = (Decimal(str(lo)) + Decimal(str(hi))) / 2
            return int(mid) if mid == int(mid) else float(mid)
        if lo is not None:
            return lo
        if hi is not None:
            return min(hi, 1)
        return 1
    if ctype == "datetime":
        sub = comp.get("subtype", "date")
        if sub == "time":
            return "09:00"
        if sub == "datetime":
            return "2026-01-05T09:00:00+07:00"
        return "2026-01-05"
    if ctype == "filepicker":
        return "simulasi.pdf" if v.get("required") else None
    text = regex_example(v["pattern"]) if v.get("pattern") else ("Simulasi" if ctype != "textarea"
                                                                    else "Catatan simulasi")
    min_len, max_len = v.get("minLength"), v.get("maxLength")
    if min_len and len(text) < min_len:
        text = (text * (min_len // max(len(text), 1) + 1))[:max(min_len, len(text))]
        if v.get("pattern") and not re.fullmatch(v["pattern"], text):
            raise DataGenError(f"cannot generate a value for {comp.get('key')!r} of length >= {min_len}")
    if max_len and len(text) > max_len:
        text = text[:max_len]
    return text


def form_data(form: Mapping[str, Any] | None, form_fields: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Values for every keyed component of a form-js schema (nested groups included) and for
    camunda:formData fields."""
    data: dict[str, Any] = {}
    for comp in _components(form.get("components", []) if form else []):
        key = comp.get("key")
        if not key or comp.get("readonly") is True or comp.get("disabled") is True:
            continue                # a read-only field shows a variable; the person submits nothing for it
        value = field_value(comp)
        if value is not None:
            data[key] = value
    for f in form_fields:
        fid = f.get("id")
        if not fid or fid in data:
            continue
        ftype = str(f.get("type") or "string")
        options = f.get("options") or f.get("values") or []
        if ftype == "boolean":
            data[fid] = True
        elif ftype == "long":
            data[fid] = 1
        elif ftype == "date":
            data[fid] = "2026-01-05"
        elif ftype == "enum" and options:
            first = options[0]
            data[fid] = first.get("id") if isinstance(first, Mapping) else first[0]
        else:
            data[fid] = "Simulasi"
    return data


def form_choices(form: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """Variables a form offers a fixed set of values for (radio, select, checkbox)."""
    result: dict[str, list[Any]] = {}
    for comp in _components(form.get("components", []) if form else []):
        key = comp.get("key")
        if not key:
            continue
        if comp.get("type") in ("radio", "select"):
            result[key] = [x.get("value") for x in comp.get("values") or []]
        elif comp.get("type") == "checkbox":
            result[key] = [True, False]
    return result


def _components(comps: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    for c in comps:
        yield c
        if c.get("components"):
            yield from _components(c["components"])


# --------------------------------------------------------------------------- conditions
def condition_variables(text: str) -> list[str]:
    """Top-level variable names read by a condition: a JUEL one (`${...}`) through the JUEL parser
    (`execution.getVariable('x')` reads x); a FEEL expression of a decision table through a scan of its
    names, an over-approximation that is harmless where it is used (which variables may matter)."""
    if is_juel(text):
        try:
            return list(compile_juel(text).variable_names())
        except ExpressionError:
            return []       # outside the JUEL subset: evaluating it reports the error with its position
    body = _STRINGS.sub(" ", text)
    names = []
    for m in _IDENT.finditer(body):
        start = m.start()
        if start > 0 and body[start - 1] == ".":
            continue                      # a property, not a variable
        name = m.group(0)
        if name not in JUEL_WORDS and name not in names:
            names.append(name)
    return names


def literal_candidates(text: str) -> list[Any]:
    """Values suggested by the literals of a condition or a unary test: strings, numbers +-1, dates +-1 day,
    booleans."""
    cands: list[Any] = []
    for m in _DATE.finditer(text):
        d = dt.date.fromisoformat(m.group(1))
        cands += [d, d - dt.timedelta(days=1), d + dt.timedelta(days=1)]
    stripped = _DATE.sub(" ", text)
    for m in _STRINGS.finditer(stripped):
        cands.append(m.group(1) if m.group(1) is not None else m.group(2))
    nums = [Decimal(m.group(0)) for m in _NUMBER.finditer(_STRINGS.sub(" ", stripped))]
    for n in nums:
        cands += [_plain_number(n), _plain_number(n - 1), _plain_number(n + 1)]
    for a, b in itertools.pairwise(nums):
        cands.append(_plain_number((a + b) / 2))
    if re.search(r"\btrue\b|\bfalse\b", stripped):
        cands += [True, False]
    out: list[Any] = []
    for c in cands:
        if c not in out or (isinstance(c, bool) != any(isinstance(o, bool) and o == c for o in out)):
            out.append(c)
    return out


def _plain_number(n: Decimal) -> int | float:
    return int(n) if n == n.to_integral_value() else float(n)


def gateway_outcome(conditions: list[tuple[str, str | None]], default: str | None, kind: str,
                    variables: Mapping[str, Any], evaluate: Callable[[str, Mapping[str, Any]], Any]
                    ) -> tuple[str, ...]:
    """The flows an exclusive (first true, XML order) or inclusive (all true) gateway takes."""
    true = []
    for fid, cond in conditions:
        if cond is None or fid == default:
            continue
        try:
            ok = evaluate(cond, variables) is True
        except Exception:       # a condition that cannot be evaluated (missing variable) is not true
            ok = False
        if ok:
            true.append(fid)
            if kind == "exclusiveGateway":
                break
    if true:
        return tuple(true)
    return (default,) if default else ()


# --------------------------------------------------------------------------- decision tables
@dataclass
class DmnInput:
    expression: str
    type_ref: str | None
    values: str | None


@dataclass
class DmnTable:
    key: str
    inputs: list[DmnInput]
    rules: list[list[str]]                         # input entry texts per rule
    required: list[str] = field(default_factory=list)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    output_texts: list[str] = field(default_factory=list)     # output entries (they may read variables)

    def reads(self) -> set[str]:
        """Names the table's input expressions and output entries may read."""
        return {v for text in [i.expression for i in self.inputs] + self.output_texts
                for v in condition_variables(text)}

    def input_variable(self, i: int) -> str | None:
        text = self.inputs[i].expression.strip()
        return text if _IDENT.fullmatch(text) else None


def read_dmn_tables(xml: bytes) -> dict[str, DmnTable]:
    root = etree.fromstring(xml)
    tables: dict[str, DmnTable] = {}
    for dec in root.iter():
        if not isinstance(dec.tag, str) or etree.QName(dec).localname != "decision":
            continue
        required = [(r.get("href") or "").lstrip("#") for r in dec.iter()
                    if isinstance(r.tag, str) and etree.QName(r).localname == "requiredDecision"]
        table = next((t for t in dec if isinstance(t.tag, str) and etree.QName(t).localname == "decisionTable"),
                     None)
        inputs, rules, outputs = [], [], []
        if table is not None:
            for el in table:
                if not isinstance(el.tag, str):
                    continue
                name = etree.QName(el).localname
                if name == "input":
                    expr = _child(el, "inputExpression")
                    values = _child(el, "inputValues")
                    inputs.append(DmnInput(_text(expr) or "", expr.get("typeRef") if expr is not None else None,
                                           _text(values)))
                elif name == "rule":
                    rules.append([_text(e) or "-" for e in el
                                  if isinstance(e.tag, str) and etree.QName(e).localname == "inputEntry"])
                    outputs += [_text(e) or "" for e in el
                                if isinstance(e.tag, str) and etree.QName(e).localname == "outputEntry"]
        else:
            literal = _child(dec, "literalExpression")
            if literal is not None:
                outputs.append(_text(literal) or "")
        tables[dec.get("id")] = DmnTable(dec.get("id"), inputs, rules, required, output_texts=outputs)
    return tables


def _child(el: Any, name: str) -> Any:
    return next((c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == name), None)


def _text(el: Any) -> str | None:
    if el is None:
        return None
    t = _child(el, "text")
    return (t.text or "").strip() if t is not None else None


def input_candidates(table: DmnTable, i: int, choices: Mapping[str, list[Any]]) -> list[Any]:
    """Candidate values for input i: the form's fixed choices if the input is such a field, else the
    input values and the literals of every rule's entry for that input, plus a neutral value."""
    var = table.input_variable(i)
    if var and var in choices:
        return list(choices[var])
    inp = table.inputs[i]
    cands: list[Any] = []
    for text in ([inp.values] if inp.values else []) + [r[i] for r in table.rules if i < len(r)]:
        for c in literal_candidates(text):
            if c not in cands:
                cands.append(c)
    t = (inp.type_ref or "").lower()
    by_type: dict[str, list[Any]] = {"string": ["lainnya"], "boolean": [True, False], "date": [dt.date(2026, 1, 5)]}
    neutral = by_type.get(t, [0] if t in ("number", "integer", "long", "double") else [])
    return cands + [n for n in neutral if n not in cands]


def rule_assignments(table: DmnTable, base: Mapping[str, Any], choices: Mapping[str, list[Any]],
                     matches: Callable[[str, Any, Mapping[str, Any]], bool], *,
                     thorough: bool = True) -> Iterable[dict[str, Any]]:
    """`_rule_assignments`, with the short (not thorough) lists remembered per table and input values: the
    simulator asks for them again for every assignment of the decisions before."""
    if thorough:
        yield from _rule_assignments(table, base, choices, matches, thorough=True)
        return
    names = [n for n in (table.input_variable(i) for i in range(len(table.inputs))) if n]
    key = ("deltas", tuple((n, type(base.get(n)).__name__, repr(base.get(n))) for n in names),
           tuple((n, repr(choices.get(n))) for n in names))
    deltas = table.memo.get(key)
    if deltas is None:
        deltas = [{n: a.get(n) for n in names if n in a}
                  for a in _rule_assignments(table, {n: base[n] for n in names if n in base}, choices, matches,
                                             thorough=False)]
        table.memo[key] = deltas
    for delta in deltas:
        yield {**base, **delta}


def _rule_assignments(table: DmnTable, base: Mapping[str, Any], choices: Mapping[str, list[Any]],
                      matches: Callable[[str, Any, Mapping[str, Any]], bool], *,
                      thorough: bool = True) -> Iterable[dict[str, Any]]:
    """Input assignments to try, best first: the base values; per rule, every input set to a value its
    entry accepts while the other rules' entries are avoided (so that only that rule matches), then the
    same without avoiding; an assignment matching no rule; then (thorough) single-input changes and pairs."""
    names = [table.input_variable(i) for i in range(len(table.inputs))]
    cands = [input_candidates(table, i, choices) for i in range(len(table.inputs))]
    yield dict(base)
    # which candidates each rule's entry accepts, computed once per table and candidate set
    memo_key = tuple(tuple((type(c).__name__, repr(c)) for c in cs) for cs in cands)
    accepts = table.memo.get(memo_key)
    if accepts is None:
        accepts = [[None if i >= len(rule) or rule[i].strip() == "-" else
                    frozenset(j for j, c in enumerate(cands[i]) if _safe(matches, rule[i], c, base))
                    for i in range(len(table.inputs))] for rule in table.rules]
        table.memo[memo_key] = accepts

    def avoiding(i: int, exclude: Iterable[int] | int | None) -> list[Any]:
        """Candidates for input i matching no entry (other than '-') of the rules not in `exclude`."""
        skip = {exclude} if isinstance(exclude, int) else set(exclude or ())
        sets = [accepts[k][i] for k in range(len(table.rules)) if k not in skip and accepts[k][i] is not None]
        return [c for j, c in enumerate(cands[i]) if not any(j in acc for acc in sets)]

    for isolate in (True, False):
        for k, rule in enumerate(table.rules):
            assignment = dict(base)
            ok = True
            for i, entry in enumerate(rule):
                var = names[i] if i < len(names) else None
                if var is None:
                    continue
                pool = cands[i]
                if isolate:
                    preferred = avoiding(i, k)
                    pool = [c for c in preferred if _safe(matches, entry, c, assignment)] + pool
                current = assignment.get(var)
                if not isolate and current is not None and _safe(matches, entry, current, assignment):
                    continue
                pick = next((c for c in pool if _safe(matches, entry, c, assignment)), _MISSING)
                if pick is _MISSING:
                    ok = False
                    break
                assignment[var] = pick
            if ok:
                yield assignment
    # pairs of rules matched together, the others avoided (COLLECT tables: two categories at once)
    pairs = 0
    for k1, k2 in itertools.combinations(range(len(table.rules)), 2):
        pairs += 1
        if pairs > MAX_COMBINATIONS // 4:
            break
        assignment = dict(base)
        ok = True
        for i, var in enumerate(names):
            if var is None:
                continue
            e1, e2 = table.rules[k1][i], table.rules[k2][i]
            pool = avoiding(i, (k1, k2)) + cands[i]
            pick = next((c for c in pool if _safe(matches, e1, c, assignment) and _safe(matches, e2, c, assignment)),
                        _MISSING)
            if pick is _MISSING:
                ok = False
                break
            assignment[var] = pick
        if ok:
            yield assignment
    none = dict(base)
    for i, var in enumerate(names):
        if var is not None:
            free = avoiding(i, None)
            if free:
                none[var] = free[0]
    yield none
    if not thorough:
        return
    singles = [(name, c) for name, options in zip(names, cands, strict=True) if name for c in options]
    for var, c in singles:
        yield {**base, var: c}
    count = 0
    for (v1, c1), (v2, c2) in itertools.combinations(singles, 2):
        if v1 == v2:
            continue
        count += 1
        if count > MAX_COMBINATIONS:
            return
        yield {**base, v1: c1, v2: c2}


_MISSING = object()


def _safe(matches: Callable[[str, Any, Mapping[str, Any]], bool], entry: str, value: Any,
          variables: Mapping[str, Any]) -> bool:
    try:
        return bool(matches(entry, value, variables))
    except Exception:       # an entry the FEEL layer rejects for this value just does not match
        return False
