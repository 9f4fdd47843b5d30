"""SOP tables (docs/sop-format.md) as dataclasses, loaded from YAML or CSV with validation.

Every problem is reported as `<file>: step <no>: <field>: <message>`; all problems of a table are collected
and raised together in one `SopFormatError`, so an author fixes a table in one pass.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml

KINDS = ("user", "rule", "call", "manual")
GATEWAY_TYPES = ("exclusive", "inclusive", "parallel")
FIELD_TYPES = ("textfield", "textarea", "number", "checkbox", "radio", "select", "datetime", "checklist",
               "filepicker")
VALUE_TYPES = ("radio", "select", "checklist")
MAP_DECISION_RESULT = ("singleEntry", "singleResult", "collectEntries", "resultList")
NO_TIMER = ("", "-", "n/a", "na", "tidak ada")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TABLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_WAKTU = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(hari|jam|menit|mnt|minggu)\b", re.IGNORECASE)
_ISO = re.compile(r"^P(?!$)(\d+W|(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?)$")


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: `no:` (the step number key), `ya`, `on`, `off` stay text, as authors mean them."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def yaml_load(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader


class SopFormatError(ValueError):
    """A table is invalid; `.problems` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def element_suffix(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", text)


@dataclass
class FormFieldSpec:
    key: str
    label: str
    type: str = "textfield"
    required: bool = False
    values: list[tuple[str, str]] = field(default_factory=list)
    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    show_if: str | None = None
    description: str | None = None
    default: Any = None


@dataclass
class Branch:
    to: str
    label: str | None = None
    when: str | None = None
    default: bool = False


@dataclass
class GatewaySpec:
    type: str
    branches: list[Branch]
    name: str | None = None
    join: str | None = None            # inclusive/parallel: the step where the branches meet again


@dataclass
class ReminderSpec:
    """A non-interrupting timer on a task that hands a reminder to an external worker (e-mail, chat)."""
    timer: str                         # ISO 8601: a duration (after) or a cycle "R/P1M" (every)
    cycle: bool = False
    topic: str = "alur-pengingat"
    name: str = "Pengingat"


@dataclass
class DecisionSpec:
    ref: str
    result: str
    map: str = "singleResult"


@dataclass
class CallEach:
    """A call step run once per item of a list (a multi-instance call activity)."""
    collection: str                    # the list variable
    element: str                       # each called instance gets its item under this name
    business_key: str | None = None    # JUEL: the called instance's business key (camunda:in businessKey)
    sequential: bool = False


@dataclass
class OutputSpec:
    """A variable a user task sets on completion from its form's values (a FEEL expression)."""
    name: str
    feel: str


@dataclass
class AdviceValue:
    """An advice value that is not one of the person's choices: its label, and the choice it defaults to."""
    value: str
    label: str
    choose: str


@dataclass
class AdviceSpec:
    """A decision table advises, the person decides: a business rule task before the step evaluates
    `decision`; the step's form shows the advice (output and reason) read-only and asks for `field`,
    preset to the advice; the gateway routes on the person's choice."""
    decision: str
    field: str                         # the person's choice: a radio/select field of the step
    output: str                        # the decision's output column holding the advice
    reason: str | None = None          # the output column explaining it (shown beside the advice)
    # `field` is an attribute of this class, so the name means the str here, not dataclasses.field
    values: list[AdviceValue] = dataclasses.field(default_factory=list)

    @property
    def variable(self) -> str:
        return f"saran_{self.field}"

    @property
    def reason_variable(self) -> str:
        return f"saran_{self.field}_alasan"

    @property
    def note_variable(self) -> str:
        """Required when the person departs from the advice: why."""
        return f"alasan_beda_{self.field}"


@dataclass
class Step:
    name: str
    lane: str
    no: str | None = None              # the SOP's step number; None for helper steps
    helper_id: str | None = None       # `id:` of a helper step
    text: str | None = None
    kind: str = "user"
    kelengkapan: list[str] = field(default_factory=list)
    waktu: str | None = None           # ISO 8601 duration
    hari: str = "kerja"
    output: str | None = None
    output_document: bool = True       # False: the output is a state or a screen, the form asks nothing
    output_show_if: str | None = None  # form-js condition: ask for the output document only then
    keterangan: str | None = None
    fields: list[FormFieldSpec] = field(default_factory=list)
    decision: DecisionSpec | None = None
    call_key: str | None = None
    call_each: CallEach | None = None
    outputs: list[OutputSpec] = field(default_factory=list)
    candidate_groups: list[str] = field(default_factory=list)
    next: str | None = None
    gateway: GatewaySpec | None = None
    parallel: list["Step"] = field(default_factory=list)
    heading: bool = False              # with parallel: the row only heads its sub-steps (no task of its own)
    show: list[tuple[str, str]] = field(default_factory=list)   # read-only (label, variable path) in the form
    reminder: ReminderSpec | None = None
    advice: AdviceSpec | None = None

    @property
    def ref(self) -> str:
        """The name other steps use in `next` / `to`."""
        return self.no if self.no is not None else str(self.helper_id)

    @property
    def element_id(self) -> str:
        if self.no is not None:
            return "Step_" + element_suffix(self.no)
        return "Task_" + element_suffix(str(self.helper_id))

    @property
    def label(self) -> str:
        return f"{self.no}. {self.name}" if self.no else self.name

    @property
    def advice_id(self) -> str:
        """The business rule task giving this step's advice."""
        return "Task_saran_" + element_suffix(self.ref)


@dataclass
class StartSpec:
    lane: str
    name: str = "Mulai"
    fields: list[FormFieldSpec] = field(default_factory=list)
    no: str | None = None


@dataclass
class EndSpec:
    id: str
    name: str = "Selesai"
    lane: str | None = None
    no: str | None = None

    @property
    def element_id(self) -> str:
        return "End_" + element_suffix(self.id)


@dataclass
class Assumption:
    where: str
    issue: str
    reading: str
    why: str


@dataclass
class Trace:
    extra_steps: list[str] = field(default_factory=list)
    missing_steps: list[str] = field(default_factory=list)
    lanes_from_text: bool = False

    @property
    def empty(self) -> bool:
        return not (self.extra_steps or self.missing_steps or self.lanes_from_text)


@dataclass
class Source:
    file: str
    lines: tuple[int, int]
    item: str | None = None


@dataclass
class SopTable:
    key: str
    tenant: str
    name: str
    lanes: list[str]
    start: StartSpec
    steps: list[Step]
    ends: list[EndSpec]
    number: str | None = None
    effective: str | None = None
    authority: str | None = None
    source: Source | None = None
    assumptions: list[Assumption] = field(default_factory=list)
    trace: Trace = field(default_factory=Trace)
    path: str = "<table>"

    def all_steps(self) -> Iterator[Step]:
        """Steps and their parallel sub-steps, in SOP order."""
        for step in self.steps:
            yield step
            yield from step.parallel

    def form_id(self, step: Step | None) -> str:
        return f"{self.key}-start" if step is None else f"{self.key}-{element_suffix(step.ref)}"


# --------------------------------------------------------------------------- loading
def load_table(path: str | Path) -> SopTable:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SopFormatError([f"{path}: cannot read: {exc}"]) from exc
    if path.suffix.lower() == ".csv":
        return parse_csv(text, str(path))
    if path.suffix.lower() in (".yaml", ".yml"):
        return parse_yaml(text, str(path))
    raise SopFormatError([f"{path}: unknown table format (expected .yaml, .yml or .csv)"])


def parse_yaml(text: str, where: str = "<table>") -> SopTable:
    try:
        data = yaml_load(text)
    except yaml.YAMLError as exc:
        raise SopFormatError([f"{where}: invalid YAML: {exc}"]) from exc
    return from_dict(data, where)


def parse_csv(text: str, where: str = "<table>") -> SopTable:
    """CSV: `# key: value` header lines, then one row per step (see docs/sop-format.md)."""
    header: dict[str, Any] = {}
    body: list[str] = []
    problems: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            name, sep, value = line[1:].partition(":")
            if not sep:
                continue
            try:
                header[name.strip()] = yaml_load(value.strip()) if value.strip() else None
            except yaml.YAMLError:
                header[name.strip()] = value.strip()
        elif line.strip():
            body.append(line)
    if isinstance(header.get("lanes"), str):
        header["lanes"] = [x.strip() for x in re.split(r"[;,]", header["lanes"]) if x.strip()]
    rows = list(csv.DictReader(io.StringIO("\n".join(body))))
    steps = []
    for i, row in enumerate(rows, 1):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        step: dict[str, Any] = {k: row[k] for k in ("no", "name", "text", "lane", "kind", "waktu", "hari",
                                                     "output", "keterangan", "next") if row.get(k)}
        if row.get("kelengkapan"):
            step["kelengkapan"] = [x.strip() for x in row["kelengkapan"].split(";") if x.strip()]
        if row.get("gateway") or row.get("branches"):
            gtype, _, gname = row.get("gateway", "").partition(":") if ":" in row.get("gateway", "") \
                else ("exclusive", "", row.get("gateway", ""))
            branches = []
            for item in re.split(r"(?<!\|)\|(?!\|)", row.get("branches", "")):
                if not item.strip():
                    continue
                m = re.match(r"^(.*?)\s*->\s*(\S+)(?:\s+if\s+(.+))?$", item.strip())
                if not m:
                    problems.append(f"{where}: row {i}: branches: cannot read {item.strip()!r} "
                                    "(expected 'label -> target [if ${{...}}]')")
                    continue
                b: dict[str, Any] = {"label": m.group(1) or None, "to": m.group(2)}
                if m.group(3):
                    b["when"] = m.group(3).strip()
                elif gtype.strip() != "parallel":
                    b["default"] = True
                branches.append(b)
            step["gateway"] = {"type": gtype.strip() or "exclusive", "name": gname.strip() or None,
                               "branches": branches}
        steps.append(step)
    header["steps"] = steps
    try:
        table = from_dict(header, where)
    except SopFormatError as exc:
        raise SopFormatError(problems + exc.problems) from exc
    if problems:
        raise SopFormatError(problems)
    return table


def from_dict(data: Any, where: str = "<table>") -> SopTable:
    p = _Problems(where)
    if not isinstance(data, dict):
        raise SopFormatError([f"{where}: expected a mapping at the top level"])
    key = p.text(data, "key", "table", required=True)
    if key and not _TABLE_KEY.match(key):
        p.add("table", "key", f"{key!r} is not a valid process id (letters, digits, _ . -)")
    tenant = p.text(data, "tenant", "table", required=True)
    name = p.text(data, "name", "table", required=True)
    lanes = [str(x) for x in data.get("lanes") or []]
    if not lanes:
        p.add("table", "lanes", "at least one lane is required")
    if len(set(lanes)) != len(lanes):
        p.add("table", "lanes", "lane names must be unique")

    start_data = data.get("start") or {}
    if not isinstance(start_data, dict):
        p.add("start", "start", "expected a mapping")
        start_data = {}
    start = StartSpec(lane=str(start_data.get("lane") or (lanes[0] if lanes else "")),
                      name=str(start_data.get("name") or "Mulai"),
                      fields=_fields(p, start_data.get("fields"), "start"),
                      no=_opt_str(start_data.get("no")))
    if start.lane not in lanes and lanes:
        p.add("start", "lane", f"{start.lane!r} is not one of the lanes {lanes}")

    ends = []
    for i, e in enumerate(data.get("ends") or [{"id": "selesai", "name": "Selesai"}], 1):
        if not isinstance(e, dict) or not e.get("id"):
            p.add(f"end {i}", "id", "each end needs an id")
            continue
        end = EndSpec(id=str(e["id"]), name=str(e.get("name") or "Selesai"), lane=_opt_str(e.get("lane")),
                      no=_opt_str(e.get("no")))
        if end.lane is not None and end.lane not in lanes:
            p.add(f"end {end.id}", "lane", f"{end.lane!r} is not one of the lanes {lanes}")
        ends.append(end)

    steps = []
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        p.add("table", "steps", "at least one step is required")
        raw_steps = []
    for i, s in enumerate(raw_steps, 1):
        step = _step(p, s, i, lanes, top_level=True)
        if step is not None:
            steps.append(step)

    source = None
    if data.get("source") is not None:
        src = data["source"]
        lines = src.get("lines") if isinstance(src, dict) else None
        if not isinstance(src, dict) or not src.get("file") or not (
                isinstance(lines, list) and len(lines) == 2 and all(isinstance(x, int) for x in lines)
                and lines[0] <= lines[1]):
            p.add("table", "source", "expected {file: NAME, lines: [FIRST, LAST], item: ...}")
        else:
            source = Source(file=str(src["file"]), lines=(lines[0], lines[1]), item=_opt_str(src.get("item")))

    assumptions = []
    for i, a in enumerate(data.get("assumptions") or [], 1):
        if not isinstance(a, dict) or not all(a.get(k) for k in ("where", "issue", "reading", "why")):
            p.add(f"assumption {i}", "assumptions", "needs where, issue, reading and why")
            continue
        assumptions.append(Assumption(*(str(a[k]) for k in ("where", "issue", "reading", "why"))))

    trace_data = data.get("trace") or {}
    if not isinstance(trace_data, dict) or set(trace_data) - {"extra_steps", "missing_steps", "lanes_from_text"}:
        p.add("table", "trace", "expected {extra_steps: [...], missing_steps: [...], lanes_from_text: bool}")
        trace_data = {}
    trace = Trace(extra_steps=[str(x) for x in trace_data.get("extra_steps") or []],
                  missing_steps=[str(x) for x in trace_data.get("missing_steps") or []],
                  lanes_from_text=bool(trace_data.get("lanes_from_text", False)))

    effective = data.get("effective")
    table = SopTable(key=key or "", tenant=tenant or "", name=name or "", lanes=lanes, start=start,
                     steps=steps, ends=ends, number=_opt_str(data.get("number")),
                     effective=effective.isoformat() if isinstance(effective, dt.date) else _opt_str(effective),
                     authority=_opt_str(data.get("authority")), source=source, assumptions=assumptions,
                     trace=trace, path=where)
    _check_references(p, table)
    p.raise_if_any()
    return table


# --------------------------------------------------------------------------- helpers
class _Problems:
    def __init__(self, where: str):
        self.where = where
        self.items: list[str] = []

    def add(self, at: str, fld: str, message: str) -> None:
        self.items.append(f"{self.where}: {at}: {fld}: {message}")

    def text(self, data: dict, key: str, at: str, *, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None or str(value).strip() == "":
            if required:
                self.add(at, key, "is required")
            return None
        if isinstance(value, (dict, list)):
            self.add(at, key, "expected text")
            return None
        return str(value).strip()

    def raise_if_any(self) -> None:
        if self.items:
            raise SopFormatError(self.items)


def _opt_str(value: Any) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value).strip()


def parse_waktu(value: Any) -> str | None:
    """'5 hari' -> 'P5D', '2 jam' -> 'PT2H', '30 menit' -> 'PT30M', ISO kept; no-timer phrases -> None."""
    if value is None:
        return None
    text = str(value).strip()
    if text.lower() in NO_TIMER or text.lower().startswith("sesuai kebutuhan"):
        return None
    if _ISO.match(text.upper()):
        return text.upper()
    m = _WAKTU.match(text)
    if not m:
        raise ValueError(f"cannot read {text!r}: write 'N hari', 'N jam', 'N menit' or ISO 8601 (P1D, PT30M)")
    amount = float(m.group(1).replace(",", "."))
    unit = m.group(2).lower()
    if unit == "minggu":
        amount, unit = amount * 5, "hari"     # a working week
    if unit == "hari":
        if amount != int(amount):
            return f"PT{_num(amount * 7.5)}H"   # fractions of a day: 7.5 office hours per day
        return f"P{int(amount)}D"
    if unit == "jam":
        return f"PT{_num(amount)}H" if amount == int(amount) else f"PT{int(round(amount * 60))}M"
    return f"PT{int(round(amount))}M"


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


def _fields(p: _Problems, raw: Any, at: str) -> list[FormFieldSpec]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        p.add(at, "fields", "expected a list")
        return []
    result = []
    seen: set[str] = set()
    for f in raw:
        if not isinstance(f, dict):
            p.add(at, "fields", "each field must be a mapping")
            continue
        key = str(f.get("key") or "")
        fat = f"{at} field {key or '?'}"
        if not _KEY.match(key):
            p.add(fat, "key", f"{key!r} must be an identifier (letters, digits, _)")
            continue
        if key in seen:
            p.add(fat, "key", "duplicate field key")
        seen.add(key)
        ftype = str(f.get("type") or "textfield")
        if ftype not in FIELD_TYPES:
            p.add(fat, "type", f"{ftype!r} is not one of {list(FIELD_TYPES)}")
        values = []
        for v in f.get("values") or []:
            if isinstance(v, dict) and "value" in v:
                values.append((str(v["value"]), str(v.get("label", v["value"]))))
            else:
                values.append((str(v), str(v)))
        if ftype in VALUE_TYPES and not values:
            p.add(fat, "values", f"a {ftype} needs values")
        spec = FormFieldSpec(key=key, label=str(f.get("label") or key), type=ftype,
                             required=bool(f.get("required", False)), values=values,
                             pattern=_opt_str(f.get("pattern")), show_if=_opt_str(f.get("show_if")),
                             description=_opt_str(f.get("description")), default=f.get("default"))
        for name, attr, conv in (("min", "min", float), ("max", "max", float),
                                 ("minLength", "min_length", int), ("maxLength", "max_length", int)):
            if f.get(name) is not None:
                try:
                    setattr(spec, attr, conv(f[name]))
                except (TypeError, ValueError):
                    p.add(fat, name, f"expected a number, got {f[name]!r}")
        if spec.pattern:
            try:
                re.compile(spec.pattern)
            except re.error as exc:
                p.add(fat, "pattern", f"invalid regular expression: {exc}")
        if spec.min is not None and spec.max is not None and spec.min > spec.max:
            p.add(fat, "min", "min is greater than max")
        result.append(spec)
    return result


def _step(p: _Problems, s: Any, index: int, lanes: list[str], *, top_level: bool) -> Step | None:
    if not isinstance(s, dict):
        p.add(f"step #{index}", "step", "expected a mapping")
        return None
    no, helper = _opt_str(s.get("no")), _opt_str(s.get("id"))
    at = f"step {no}" if no else (f"helper step {helper}" if helper else f"step #{index}")
    if (no is None) == (helper is None):
        p.add(at, "no", "give exactly one of no (an SOP step) or id (a helper step)")
    name = p.text(s, "name", at, required=True) or ""
    if len(name) > 60:
        p.add(at, "name", f"{len(name)} characters; keep the task label at most 60 (full text goes in text)")
    lane = str(s.get("lane") or "")
    if lane not in lanes:
        p.add(at, "lane", f"{lane!r} is not one of the lanes {lanes}")
    kind = str(s.get("kind") or "user")
    if kind not in KINDS:
        p.add(at, "kind", f"{kind!r} is not one of {list(KINDS)}")
    kel = s.get("kelengkapan") or []
    if isinstance(kel, str):
        kel = [x.strip() for x in kel.split(";") if x.strip()]
    try:
        waktu = parse_waktu(s.get("waktu"))
    except ValueError as exc:
        p.add(at, "waktu", str(exc))
        waktu = None
    hari = str(s.get("hari") or "kerja")
    if hari not in ("kerja", "kalender"):
        p.add(at, "hari", f"{hari!r} must be kerja or kalender")
    step = Step(name=name, lane=lane, no=no, helper_id=helper, text=_opt_str(s.get("text")), kind=kind,
                kelengkapan=[str(x) for x in kel], waktu=waktu, hari=hari, output=_opt_str(s.get("output")),
                output_document=bool(s.get("output_document", True)),
                output_show_if=_opt_str(s.get("output_show_if")),
                keterangan=_opt_str(s.get("keterangan")), fields=_fields(p, s.get("fields"), at),
                next=_opt_str(s.get("next")),
                candidate_groups=[str(x) for x in s.get("candidate_groups") or []])
    if kind == "rule":
        d = s.get("decision")
        if not isinstance(d, dict) or not d.get("ref") or not d.get("result"):
            p.add(at, "decision", "a rule step needs decision: {ref, result, map}")
        else:
            mapping = str(d.get("map") or "singleResult")
            if mapping not in MAP_DECISION_RESULT:
                p.add(at, "decision.map", f"{mapping!r} is not one of {list(MAP_DECISION_RESULT)}")
            if not _KEY.match(str(d["result"])):
                p.add(at, "decision.result", f"{d['result']!r} must be an identifier")
            step.decision = DecisionSpec(ref=str(d["ref"]), result=str(d["result"]), map=mapping)
    elif s.get("decision"):
        p.add(at, "decision", "only a rule step (kind: rule) has a decision")
    if kind == "call":
        c = s.get("call")
        if not isinstance(c, dict) or not c.get("key"):
            p.add(at, "call", "a call step needs call: {key: CALLED_PROCESS_KEY}")
        else:
            step.call_key = str(c["key"])
            step.call_each = _call_each(p, c, at)
    elif s.get("call"):
        p.add(at, "call", "only a call step (kind: call) calls a process")
    if step.output_show_if and not (step.output and step.output_document):
        p.add(at, "output_show_if", "needs an output document (output: ..., output_document not false)")
    if kind in ("rule", "call") and step.fields:
        p.add(at, "fields", f"a {kind} step has no form")
    g = s.get("gateway")
    if g is not None:
        step.gateway = _gateway(p, g, at)
    par = s.get("parallel")
    if par is not None:
        if not top_level:
            p.add(at, "parallel", "parallel sub-steps cannot nest")
        elif not isinstance(par, list) or len(par) < 2:
            p.add(at, "parallel", "expected a list of at least two sub-steps")
        else:
            for j, sub in enumerate(par, 1):
                sub_step = _step(p, sub, j, lanes, top_level=False)
                if sub_step is None:
                    continue
                if sub_step.gateway or sub_step.next or sub_step.reminder:
                    p.add(f"step {sub_step.ref}", "parallel",
                          "a parallel sub-step has no gateway, next or reminder")
                step.parallel.append(sub_step)
        if step.gateway is not None:
            p.add(at, "parallel", "a step has either a gateway or parallel sub-steps, not both")
    for i, item in enumerate(s.get("show") or [], 1):
        path = str(item.get("value") or "") if isinstance(item, dict) else ""
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", path):
            p.add(at, f"show[{i}]", "expected {label: ..., value: variable or variable.path}")
            continue
        step.show.append((str(item.get("label") or path), path))
    if s.get("reminder") is not None:
        step.reminder = _reminder(p, s["reminder"], at, kind)
    for i, o in enumerate(s.get("outputs") or [], 1):
        if kind != "user" or not isinstance(o, dict) or not _KEY.match(str(o.get("name") or "")) \
                or not str(o.get("feel") or "").strip():
            p.add(at, f"outputs[{i}]", "a user step's output is {name: VARIABLE, feel: FEEL expression over its "
                                      "form's values}")
            continue
        step.outputs.append(OutputSpec(str(o["name"]), str(o["feel"]).strip()))
    if s.get("advice") is not None:
        step.advice = _advice(p, s["advice"], at, step, top_level)
    step.heading = bool(s.get("heading", False))
    if step.heading:
        if not step.parallel:
            p.add(at, "heading", "only a step with parallel sub-steps can be a heading")
        if step.kind != "user" or step.fields or step.kelengkapan or step.output or step.candidate_groups \
                or step.reminder:
            p.add(at, "heading", "a heading has no task: no kind, fields, kelengkapan, output, candidate_groups "
                                 "or reminder")
    return step


def _call_each(p: _Problems, c: dict, at: str) -> CallEach | None:
    """`call: {key, each: LIST_VARIABLE, as: ITEM_VARIABLE, business_key: ${...}, sequential: bool}`."""
    extra = set(c) - {"key", "each", "as", "business_key", "sequential"}
    if extra:
        p.add(at, "call", f"unknown {sorted(extra)} (expected key, each, as, business_key, sequential)")
    if c.get("each") is None:
        for name in ("as", "business_key", "sequential"):
            if c.get(name) is not None:
                p.add(at, f"call.{name}", "only with call.each (a call per item of a list)")
        return None
    each, item = str(c.get("each") or ""), str(c.get("as") or "")
    if not _KEY.match(each) or not _KEY.match(item):
        p.add(at, "call.each", "each: and as: must be variable names (the list, and the name of its item)")
        return None
    key = _opt_str(c.get("business_key"))
    if key is not None and not (key.startswith("${") and key.endswith("}")):
        p.add(at, "call.business_key", f"{key!r} is not a JUEL expression ${{...}}")
    return CallEach(each, item, key, bool(c.get("sequential", False)))


def _advice(p: _Problems, a: Any, at: str, step: Step, top_level: bool) -> AdviceSpec | None:
    """`advice: {decision, field, output, reason, values}`: see AdviceSpec."""
    if not isinstance(a, dict) or not all(a.get(k) for k in ("decision", "field", "output")):
        p.add(at, "advice", "expected {decision: KEY, field: CHOICE_FIELD, output: OUTPUT_NAME, reason: ..., "
                            "values: [...]}")
        return None
    if step.kind != "user" or not top_level:
        p.add(at, "advice", "only a user task of the main flow (not a parallel sub-step) takes advice")
        return None
    for name in ("field", "output", "reason"):
        if a.get(name) is not None and not _KEY.match(str(a[name])):
            p.add(at, f"advice.{name}", f"{a[name]!r} must be an identifier")
    spec = AdviceSpec(decision=str(a["decision"]), field=str(a["field"]), output=str(a["output"]),
                      reason=_opt_str(a.get("reason")))
    choice = next((f for f in step.fields if f.key == spec.field), None)
    if choice is None or choice.type not in ("radio", "select"):
        p.add(at, "advice.field", f"{spec.field!r} must be a radio or select field of this step")
        return spec
    choices = [v for v, _ in choice.values]
    for i, v in enumerate(a.get("values") or [], 1):
        if not isinstance(v, dict) or not all(v.get(k) for k in ("value", "label", "choose")):
            p.add(at, f"advice.values[{i}]", "expected {value: ADVICE, label: TEXT, choose: CHOICE}")
            continue
        item = AdviceValue(str(v["value"]), str(v["label"]), str(v["choose"]))
        if item.value in choices:
            p.add(at, f"advice.values[{i}]", f"{item.value!r} is already a choice of {spec.field}")
        if item.choose not in choices:
            p.add(at, f"advice.values[{i}].choose", f"{item.choose!r} is not a choice of {spec.field} {choices}")
        spec.values.append(item)
    taken = {f.key for f in step.fields}
    for key in (spec.variable, spec.reason_variable, spec.note_variable):
        if key in taken:
            p.add(at, "advice", f"the form field {key!r} is reserved for the advice")
    return spec


def _reminder(p: _Problems, r: Any, at: str, kind: str) -> ReminderSpec | None:
    """`reminder: P1M` (once, after) or `{after: 5 hari}` / `{every: P1M, topic: ..., name: ...}`."""
    if kind not in ("user", "manual"):
        p.add(at, "reminder", "only a user or manual task has a reminder")
        return None
    data = {"after": r} if isinstance(r, str) else r
    if not isinstance(data, dict) or ("after" in data) == ("every" in data):
        p.add(at, "reminder", "expected a duration, {after: DURATION} or {every: DURATION}")
        return None
    text = data.get("after") or data.get("every")
    try:
        iso = parse_waktu(text)
    except ValueError as exc:
        p.add(at, "reminder", str(exc))
        return None
    if iso is None:
        p.add(at, "reminder", f"{text!r} is not a duration")
        return None
    cycle = "every" in data
    return ReminderSpec(timer=f"R/{iso}" if cycle else iso, cycle=cycle,
                        topic=str(data.get("topic") or "alur-pengingat"), name=str(data.get("name") or "Pengingat"))


def _gateway(p: _Problems, g: Any, at: str) -> GatewaySpec | None:
    if not isinstance(g, dict):
        p.add(at, "gateway", "expected a mapping")
        return None
    gtype = str(g.get("type") or "exclusive")
    if gtype not in GATEWAY_TYPES:
        p.add(at, "gateway.type", f"{gtype!r} is not one of {list(GATEWAY_TYPES)}")
    branches = []
    for i, b in enumerate(g.get("branches") or [], 1):
        if not isinstance(b, dict) or not b.get("to"):
            p.add(at, f"gateway.branches[{i}]", "each branch needs to:")
            continue
        branch = Branch(to=str(b["to"]), label=_opt_str(b.get("label")), when=_opt_str(b.get("when")),
                        default=bool(b.get("default", False)))
        if gtype == "parallel" and (branch.when or branch.default):
            p.add(at, f"gateway.branches[{i}]", "a parallel gateway's branches have no condition or default")
        if gtype != "parallel" and not branch.when and not branch.default:
            p.add(at, f"gateway.branches[{i}]", "needs when: (a JUEL condition ${...}) or default: true")
        if branch.when and branch.default:
            p.add(at, f"gateway.branches[{i}]", "a default branch has no condition")
        if branch.when and not ("${" in branch.when or "#{" in branch.when):
            p.add(at, f"gateway.branches[{i}].when", f"{branch.when!r} is not a JUEL expression ${{...}}")
        branches.append(branch)
    if len(branches) < 2:
        p.add(at, "gateway.branches", "a gateway needs at least two branches")
    if sum(b.default for b in branches) > 1:
        p.add(at, "gateway.branches", "at most one default branch")
    join = _opt_str(g.get("join"))
    if join is not None and gtype == "exclusive":
        p.add(at, "gateway.join", "only inclusive and parallel gateways are joined (exclusive branches just meet)")
    return GatewaySpec(type=gtype, branches=branches, name=_opt_str(g.get("name")), join=join)


def _check_references(p: _Problems, table: SopTable) -> None:
    refs: dict[str, str] = {}
    ids: dict[str, str] = {}
    for step in table.all_steps():
        if step.ref in refs:
            p.add(f"step {step.ref}", "no", "duplicate step number / id")
        refs[step.ref] = step.element_id
        if step.element_id in ids and ids[step.element_id] != step.ref:
            p.add(f"step {step.ref}", "no", f"its element id {step.element_id} clashes with step "
                                            f"{ids[step.element_id]}")
        ids[step.element_id] = step.ref
    for step in table.all_steps():
        if step.advice and step.advice_id in ids:
            p.add(f"step {step.ref}", "advice", f"its advice task id {step.advice_id} clashes with step "
                                                f"{ids[step.advice_id]}")
    sub_refs = {s.ref for st in table.steps for s in st.parallel}
    end_ids = {e.id for e in table.ends}
    if len(end_ids) != len(table.ends):
        p.add("ends", "id", "duplicate end id")

    def check(target: str, at: str, fld: str) -> None:
        if target == "end" or target in end_ids:
            return
        if target in sub_refs:
            p.add(at, fld, f"{target!r} is a parallel sub-step; flow into its parent step instead")
        elif target not in refs:
            p.add(at, fld, f"{target!r} is neither a step nor an end ({sorted(end_ids)} or 'end')")

    top_refs = [st.ref for st in table.steps]
    for step in table.steps:
        if step.next:
            check(step.next, f"step {step.ref}", "next")
        if step.gateway and step.gateway.join:
            j = step.gateway.join
            if j not in top_refs:
                p.add(f"step {step.ref}", "gateway.join", f"{j!r} is not a step of the table")
            elif top_refs.index(j) <= top_refs.index(step.ref):
                p.add(f"step {step.ref}", "gateway.join", f"the join step {j!r} must come after step {step.ref}")
        if step.gateway:
            for i, b in enumerate(step.gateway.branches, 1):
                check(b.to, f"step {step.ref}", f"gateway.branches[{i}].to")
