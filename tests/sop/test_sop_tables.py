"""Integrity of every SOP table in ``sop/**/*.yaml``, independent of the importer.

The tables are written by hand by several authors at once; these checks catch the mistakes that would
otherwise only surface as an importer error or, worse, as a model that deploys and then strands a token:
duplicate step numbers, dangling ``to``/``next`` targets, undeclared lanes, gateways that can take no
flow, steps nobody can reach and steps that can never finish. Format: docs/sop-format.md.
"""
from __future__ import annotations

import functools
import re
from collections import deque
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

REPO = Path(__file__).resolve().parents[2]
SOP_DIR = REPO / "sop"
DMN_DIR = REPO / "dmn"

KINDS = {"user", "rule", "call", "manual"}
FIELD_TYPES = {"textfield", "textarea", "number", "checkbox", "radio", "select", "datetime", "checklist",
               "filepicker"}
ENUM_TYPES = {"radio", "select", "checklist"}
GATEWAY_TYPES = {"exclusive", "inclusive", "parallel"}
TRACE_KEYS = {"extra_steps", "missing_steps", "lanes_from_text"}
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
WAKTU_RE = re.compile(r"^\d+\s+(hari|jam|menit)$", re.IGNORECASE)
ISO_DURATION_RE = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
JUEL_RE = re.compile(r"^\s*[$#]\{(?P<body>.*)\}\s*$", re.DOTALL)
# `var == 'x'` / `var eq "x"` / `res.attr == 'x'`: the shape whose completeness can be checked.
EQ_RE = re.compile(r"^\s*(?P<var>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\s*(?:==|eq)\s*"
                   r"(?:'(?P<s1>[^']*)'|\"(?P<s2>[^\"]*)\"|(?P<lit>true|false))\s*$")
BOOL_RE = re.compile(r"^\s*(?P<neg>!|not\s+)?\s*(?P<var>[A-Za-z_]\w*)\s*$")
JUEL_WORDS = {"eq", "ne", "lt", "gt", "le", "ge", "and", "or", "not", "empty", "true", "false", "null",
              "div", "mod", "instanceof", "execution", "dateTime"}
DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: PyYAML's 1.1 rules read the key `no:` (and yes/on/off) as a bool."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                              re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader


def _tables() -> list[Path]:
    if not SOP_DIR.is_dir():
        return []
    return sorted(p for p in SOP_DIR.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def _step_label(step: dict, index: int) -> str:
    if "no" in step:
        return f"step {step['no']}"
    if "id" in step:
        return f"helper step {step['id']}"
    return f"step #{index + 1}"


def _step_key(step: dict) -> str | None:
    value = step.get("no", step.get("id"))
    return None if value is None else str(value)


def _all_fields(table: dict) -> list[dict]:
    fields: list[dict] = []
    start = table.get("start") or {}
    fields.extend(start.get("fields") or [])
    for step in table.get("steps") or []:
        if isinstance(step, dict):
            fields.extend(step.get("fields") or [])
            for sub in step.get("parallel") or []:
                if isinstance(sub, dict):
                    fields.extend(sub.get("fields") or [])
    return [f for f in fields if isinstance(f, dict)]


def _decision_outputs(ref: str) -> dict[str, set[str] | None]:
    """Output name -> allowed values (None when the table does not enumerate them)."""
    for path in DMN_DIR.rglob("*.dmn") if DMN_DIR.is_dir() else []:
        try:
            root = etree.parse(str(path)).getroot()
        except etree.XMLSyntaxError:
            continue
        for decision in root.iter("{*}decision"):
            if decision.get("id") != ref:
                continue
            outputs: dict[str, set[str] | None] = {}
            for output in decision.iter("{*}output"):
                name = output.get("name") or output.get("label") or ""
                text_el = output.find("{*}outputValues/{*}text")
                values = None
                if text_el is not None and text_el.text:
                    values = set(re.findall(r'"([^"]*)"', text_el.text)) or None
                outputs[name] = values
            return outputs
    return {}


def _dmn_exists(ref: str) -> bool:
    """A decision of that id in a shipped DMN file (a file may hold several decisions)."""
    return ref in _shipped_decision_ids()


@functools.lru_cache(maxsize=1)
def _shipped_decision_ids() -> frozenset[str]:
    if not DMN_DIR.is_dir():
        return frozenset()
    return frozenset(element.get("id") for path in DMN_DIR.rglob("*.dmn")
                     for element in etree.parse(str(path)).iter("{*}decision"))


def _variable_domains(table: dict) -> dict[str, set[str] | None]:
    """Variable -> the finite set of values it can take (None: not enumerable)."""
    domains: dict[str, set[str] | None] = {}
    for field in _all_fields(table):
        key = field.get("key")
        if not isinstance(key, str):
            continue
        if field.get("type") in ENUM_TYPES and field.get("values"):
            domains[key] = {str(v.get("value")) for v in field["values"] if isinstance(v, dict)}
        elif field.get("type") == "checkbox":
            domains[key] = {"true", "false"}
        else:
            domains.setdefault(key, None)
    for step in table.get("steps") or []:
        if not isinstance(step, dict) or step.get("kind") != "rule":
            continue
        decision = step.get("decision") or {}
        result, ref = decision.get("result"), decision.get("ref")
        if not isinstance(result, str) or not isinstance(ref, str):
            continue
        outputs = _decision_outputs(ref)
        if decision.get("map", "singleEntry") == "singleEntry" and len(outputs) == 1:
            domains[result] = next(iter(outputs.values()))
        else:
            domains.setdefault(result, None)
            for name, values in outputs.items():
                domains[f"{result}.{name}"] = values
    return domains


def _condition_values(body: str) -> tuple[str, str] | None:
    """(variable, value) for an equality or boolean test, else None."""
    match = EQ_RE.match(body)
    if match:
        value = match.group("s1") if match.group("s1") is not None else match.group("s2")
        return match.group("var"), value if value is not None else match.group("lit")
    match = BOOL_RE.match(body)
    if match and match.group("var") not in JUEL_WORDS:
        return match.group("var"), "false" if match.group("neg") else "true"
    return None


def _juel_roots(body: str) -> set[str]:
    """Root identifiers a JUEL body reads (not attributes, methods, keywords or string contents)."""
    no_strings = re.sub(r"'[^']*'|\"[^\"]*\"", "''", body)
    roots = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)(?!\s*\()", no_strings):
        if match.group(1) not in JUEL_WORDS:
            roots.add(match.group(1))
    return roots


def _check_fields(fields: Any, where: str, problems: list[str]) -> None:
    if fields is None:
        return
    if not isinstance(fields, list):
        problems.append(f"{where}: 'fields' must be a list")
        return
    seen: set[str] = set()
    for field in fields:
        if not isinstance(field, dict):
            problems.append(f"{where}: every field must be a mapping")
            continue
        key = field.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            problems.append(f"{where}: field key {key!r} is not lower_snake_case")
            continue
        if key in seen:
            problems.append(f"{where}: field {key!r} appears twice")
        seen.add(key)
        if not field.get("label"):
            problems.append(f"{where}: field {key!r} has no label")
        ftype = field.get("type", "textfield")
        if ftype not in FIELD_TYPES:
            problems.append(f"{where}: field {key!r} has unknown type {ftype!r}")
        if ftype in ENUM_TYPES:
            values = [v.get("value") for v in field.get("values") or [] if isinstance(v, dict)]
            if not values:
                problems.append(f"{where}: {ftype} field {key!r} lists no values")
            elif len(set(map(str, values))) != len(values):
                problems.append(f"{where}: field {key!r} repeats a value")
        show_if = field.get("show_if")
        if show_if is not None and not (isinstance(show_if, str) and show_if.startswith("=")):
            problems.append(f"{where}: field {key!r} show_if must be a FEEL expression starting with '='")


def _check_gateway(gateway: Any, where: str, targets: set[str], domains: dict[str, set[str] | None],
                   known_vars: set[str] | None, problems: list[str]) -> list[str]:
    """Check one gateway; return its branch targets."""
    if not isinstance(gateway, dict):
        problems.append(f"{where}: 'gateway' must be a mapping")
        return []
    gtype = gateway.get("type", "exclusive")
    if gtype not in GATEWAY_TYPES:
        problems.append(f"{where}: unknown gateway type {gtype!r}")
    branches = gateway.get("branches")
    if not isinstance(branches, list) or len(branches) < 2:
        problems.append(f"{where}: a gateway needs at least two branches")
        branches = branches if isinstance(branches, list) else []
    out: list[str] = []
    defaults = 0
    tested: list[tuple[str, str] | None] = []
    for branch in branches:
        if not isinstance(branch, dict):
            problems.append(f"{where}: every branch must be a mapping")
            continue
        label = branch.get("label", "?")
        to = branch.get("to")
        if to is None:
            problems.append(f"{where}: branch {label!r} has no 'to'")
        else:
            out.append(str(to))
            if str(to) not in targets:
                problems.append(f"{where}: branch {label!r} goes to unknown target {to!r}")
        if gtype == "parallel":
            if branch.get("when") or branch.get("default"):
                problems.append(f"{where}: parallel branch {label!r} cannot have a condition or default")
            continue
        if branch.get("default"):
            defaults += 1
            if branch.get("when"):
                problems.append(f"{where}: default branch {label!r} must not also have a condition")
            continue
        when = branch.get("when")
        match = JUEL_RE.match(when) if isinstance(when, str) else None
        if match is None:
            problems.append(f"{where}: branch {label!r} needs a JUEL condition '${{...}}' or 'default: true'")
            tested.append(None)
            continue
        body = match.group("body")
        if known_vars is not None:
            for root in sorted(_juel_roots(body) - known_vars):
                problems.append(f"{where}: branch {label!r} reads {root!r}, which no form field or "
                                f"decision of this table sets")
        tested.append(_condition_values(body))
    if gtype == "parallel":
        return out
    if defaults > 1:
        problems.append(f"{where}: {defaults} default branches; a gateway has at most one")
    elif defaults == 0:
        variables = {t[0] for t in tested if t is not None}
        complete = False
        if tested and None not in tested and len(variables) == 1:
            domain = domains.get(next(iter(variables)))
            complete = domain is not None and domain <= {t[1] for t in tested if t is not None}
        if not complete:
            problems.append(f"{where}: no default branch and the conditions cannot be shown to cover every "
                            f"value; mark one branch 'default: true'")
    return out


def table_problems(table: Any, path: Path | None = None) -> list[str]:
    """Every integrity problem of one SOP table (empty when it is sound)."""
    problems: list[str] = []
    if not isinstance(table, dict):
        return ["the file is not a YAML mapping"]
    for required in ("key", "tenant", "name", "lanes", "steps", "source"):
        if required not in table:
            problems.append(f"missing top-level '{required}'")
    key, tenant = table.get("key"), table.get("tenant")
    if path is not None:
        if key != path.stem:
            problems.append(f"key {key!r} differs from the file name {path.stem!r}")
        if tenant != path.parent.name:
            problems.append(f"tenant {tenant!r} differs from the folder {path.parent.name!r}")
    source = table.get("source")
    if source is not None:
        lines = source.get("lines") if isinstance(source, dict) else None
        if not isinstance(source, dict) or not isinstance(source.get("file"), str):
            problems.append("source must give the seed 'file'")
        if not (isinstance(lines, list) and len(lines) == 2 and all(isinstance(n, int) for n in lines)
                and 0 < lines[0] <= lines[1]):
            problems.append("source.lines must be [first, last] line numbers (1-based, inclusive)")
    trace = table.get("trace")
    if trace is not None and (not isinstance(trace, dict) or set(trace) - TRACE_KEYS):
        problems.append(f"trace may only hold {sorted(TRACE_KEYS)}")

    lanes = table.get("lanes")
    if not isinstance(lanes, list) or not lanes or not all(isinstance(lane, str) and lane.strip() for lane in lanes):
        problems.append("lanes must be a non-empty list of names")
        lanes = [lane for lane in lanes if isinstance(lane, str)] if isinstance(lanes, list) else []
    elif len(set(lanes)) != len(lanes):
        problems.append("a lane is declared twice")
    lane_set = set(lanes)

    steps = table.get("steps")
    if not isinstance(steps, list) or not steps:
        problems.append("steps must be a non-empty list")
        return problems
    steps_ok = [s for s in steps if isinstance(s, dict)]
    if len(steps_ok) != len(steps):
        problems.append("every step must be a mapping")

    ends = table.get("ends") or [{"id": "selesai", "name": "Selesai"}]
    end_ids: list[str] = []
    for end in ends:
        if not isinstance(end, dict) or not isinstance(end.get("id"), str):
            problems.append("every end needs an 'id'")
            continue
        end_ids.append(end["id"])
    if len(set(end_ids)) != len(end_ids):
        problems.append("an end id is used twice")

    # Step numbers and helper ids share one namespace (element ids Step_<no> / Task_<id>, and targets).
    seen: dict[str, str] = {}
    for index, step in enumerate(steps_ok):
        label = _step_label(step, index)
        if ("no" in step) == ("id" in step):
            problems.append(f"{label}: give exactly one of 'no' (seed step) or 'id' (helper step)")
        if "id" in step and not (isinstance(step["id"], str) and re.match(r"^[A-Za-z_]\w*$", step["id"])):
            problems.append(f"{label}: helper id {step['id']!r} must be an identifier (letters, digits, _)")
        if "no" in step and not isinstance(step["no"], str):
            problems.append(f"{label}: 'no' must be quoted text (\"{step['no']}\"), not a YAML number")
        numbered = [(step, label)] + [(sub, f"{label}, sub-step {sub.get('no', '?')}")
                                      for sub in step.get("parallel") or [] if isinstance(sub, dict)]
        for item, item_label in numbered:
            item_key = _step_key(item)
            if item_key is None:
                continue
            if item_key in seen:
                problems.append(f"{item_label}: number/id {item_key!r} already used by {seen[item_key]}")
            elif item_key in end_ids:
                problems.append(f"{item_label}: number/id {item_key!r} clashes with an end id")
            seen.setdefault(item_key, item_label)

    top_keys = [_step_key(s) for s in steps_ok]
    targets = {k for k in top_keys if k is not None} | set(end_ids) | {"end"}
    domains = _variable_domains(table)
    has_call = any(s.get("kind") == "call" for s in steps_ok)
    # Variables set by a called process cannot be known here; skip the read check then.
    known_vars = None if has_call else {k.split(".")[0] for k in domains}

    start = table.get("start") or {}
    if not isinstance(start, dict):
        problems.append("start must be a mapping")
        start = {}
    if "lane" in start and start["lane"] not in lane_set:
        problems.append(f"start: lane {start['lane']!r} is not declared in lanes")
    _check_fields(start.get("fields"), "start", problems)

    edges: dict[str, list[str]] = {"@start": [top_keys[0]] if top_keys and top_keys[0] else []}
    default_end = end_ids[0] if end_ids else "selesai"
    for index, step in enumerate(steps_ok):
        label = _step_label(step, index)
        key_ = top_keys[index]
        for item, item_label in [(step, label)] + [(sub, f"{label}, sub-step {sub.get('no', '?')}")
                                                  for sub in step.get("parallel") or []
                                                  if isinstance(sub, dict)]:
            if item.get("lane") not in lane_set:
                problems.append(f"{item_label}: lane {item.get('lane')!r} is not declared in lanes")
            name = item.get("name")
            if not isinstance(name, str) or not name.strip():
                problems.append(f"{item_label}: missing 'name'")
            elif len(name) > 60:
                problems.append(f"{item_label}: name longer than 60 characters")
            waktu = item.get("waktu")
            if waktu is not None and not (isinstance(waktu, str) and
                                          (WAKTU_RE.match(waktu.strip()) or ISO_DURATION_RE.match(waktu))):
                problems.append(f"{item_label}: waktu {waktu!r} is not 'N hari|jam|menit' or ISO 8601")
            if item.get("hari", "kerja") not in {"kerja", "kalender"}:
                problems.append(f"{item_label}: hari must be 'kerja' or 'kalender'")
            kelengkapan = item.get("kelengkapan")
            if kelengkapan is not None and not (isinstance(kelengkapan, list) and
                                                all(isinstance(k, str) and k.strip() for k in kelengkapan)):
                problems.append(f"{item_label}: kelengkapan must be a list of texts")
            _check_fields(item.get("fields"), item_label, problems)
        kind = step.get("kind", "user")
        if kind not in KINDS:
            problems.append(f"{label}: unknown kind {kind!r}")
        if kind == "rule":
            decision = step.get("decision") or {}
            ref = decision.get("ref") if isinstance(decision, dict) else None
            if not isinstance(ref, str):
                problems.append(f"{label}: a rule step needs decision.ref")
            elif not _dmn_exists(ref):
                problems.append(f"{label}: decision {ref!r} has no file dmn/{ref}.dmn")
            if isinstance(decision, dict) and not isinstance(decision.get("result"), str):
                problems.append(f"{label}: a rule step needs decision.result (the variable it sets)")
        if kind == "call" and not isinstance((step.get("call") or {}).get("key"), str):
            problems.append(f"{label}: a call step needs call.key")
        if key_ is None:
            continue
        if "gateway" in step:
            if "next" in step:
                problems.append(f"{label}: has both 'next' and 'gateway'; the gateway decides where to go")
            edges[key_] = _check_gateway(step["gateway"], f"{label} gateway", targets, domains,
                                         known_vars, problems)
        else:
            if "next" in step:
                nxt = str(step["next"])
                if nxt not in targets:
                    problems.append(f"{label}: next goes to unknown target {step['next']!r}")
            elif index + 1 < len(steps_ok):
                nxt = top_keys[index + 1] or "end"
            else:
                nxt = "end"
            edges[key_] = [nxt]
    edges = {node: [default_end if t == "end" else t for t in outs] for node, outs in edges.items()}

    reached = _reach("@start", edges)
    reverse: dict[str, list[str]] = {}
    for node, outs in edges.items():
        for target in outs:
            reverse.setdefault(target, []).append(node)
    finishing: set[str] = set()
    for end in end_ids:
        finishing |= _reach(end, reverse)
    for index, step in enumerate(steps_ok):
        key_ = top_keys[index]
        if key_ is None:
            continue
        label = _step_label(step, index)
        if key_ not in reached:
            problems.append(f"{label}: not reachable from the start")
        elif key_ not in finishing:
            problems.append(f"{label}: can never reach an end event")
    for end in end_ids:
        if end not in reached:
            problems.append(f"end {end!r} is never reached")

    assumptions = table.get("assumptions") or []
    if not isinstance(assumptions, list):
        problems.append("assumptions must be a list")
    else:
        for number, entry in enumerate(assumptions, 1):
            if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) and entry[k].strip()
                                                      for k in ("where", "issue", "reading", "why")):
                problems.append(f"assumption #{number}: needs non-empty where, issue, reading and why")
    return problems


def _reach(origin: str, edges: dict[str, list[str]]) -> set[str]:
    seen = {origin}
    queue = deque([origin])
    while queue:
        for target in edges.get(queue.popleft(), []):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


TABLES = _tables()


def test_there_are_sop_tables() -> None:
    assert TABLES, f"no SOP tables found under {SOP_DIR}"


@pytest.mark.parametrize("path", TABLES, ids=[str(p.relative_to(SOP_DIR)) for p in TABLES])
def test_sop_table_integrity(path: Path) -> None:
    problems = table_problems(_load(path), path)
    assert not problems, f"{path.relative_to(REPO)}:\n  " + "\n  ".join(problems)


def test_one_table_per_tenant_and_key() -> None:
    """A tenant has one table per process key (e.g. not both x.yaml and x.yml)."""
    seen: dict[tuple[str, str], Path] = {}
    for path in TABLES:
        table = _load(path)
        if not isinstance(table, dict):
            continue
        ident = (str(table.get("tenant")), str(table.get("key")))
        assert ident not in seen, f"{path} and {seen[ident]} both define {ident}"
        seen[ident] = path


# --- the checker itself must catch what it claims to catch -------------------------------------------

def _good() -> dict:
    return {
        "key": "demo", "tenant": "t", "name": "SOP Demo", "lanes": ["A", "B"],
        "source": {"file": "x.txt", "lines": [1, 9]},
        "start": {"lane": "A", "fields": [{"key": "nama", "label": "Nama", "type": "textfield"}]},
        "steps": [
            {"no": "1", "name": "Satu", "lane": "A", "waktu": "1 hari"},
            {"no": "2", "name": "Dua", "lane": "B", "waktu": "PT30M",
             "fields": [{"key": "ok", "label": "OK?", "type": "radio",
                         "values": [{"value": "ya", "label": "Ya"}, {"value": "tidak", "label": "Tidak"}]}],
             "gateway": {"name": "OK?", "branches": [
                 {"label": "a", "when": "${ok == 'ya'}", "to": "3"},
                 {"label": "b", "default": True, "to": "1"}]}},
            {"no": "3", "name": "Tiga", "lane": "A"},
        ],
        "ends": [{"id": "selesai", "name": "Selesai"}],
        "assumptions": [{"where": "w", "issue": "i", "reading": "r", "why": "y"}],
    }


def test_checker_accepts_a_sound_table() -> None:
    assert table_problems(_good()) == []


def test_checker_accepts_complete_conditions_without_default() -> None:
    table = _good()
    table["steps"][1]["gateway"]["branches"][1] = {"label": "b", "when": "${ok == 'tidak'}", "to": "1"}
    assert table_problems(table) == []


@pytest.mark.parametrize("mutate, expected", [
    (lambda t: t["steps"][2].update(no="2"), "already used"),
    (lambda t: t["steps"][2].update(no=3), "quoted text"),
    (lambda t: t["steps"][0].update(lane="C"), "not declared"),
    (lambda t: t["start"].update(lane="C"), "start: lane"),
    (lambda t: t["steps"][0].update(next="99"), "unknown target"),
    (lambda t: t["steps"][1]["gateway"]["branches"][0].update(to="7"), "unknown target"),
    (lambda t: t["steps"][1]["gateway"]["branches"][0].update(default=True, when=None), "2 default"),
    (lambda t: t["steps"][1]["gateway"]["branches"][1].update(default=False, when="${ok == 'x'}"),
     "cannot be shown to cover"),
    (lambda t: t["steps"][1]["gateway"]["branches"][0].update(when="${nope == 'ya'}"), "reads 'nope'"),
    (lambda t: t["steps"][1]["gateway"]["branches"][0].update(when="ok == 'ya'"), "JUEL condition"),
    (lambda t: t["steps"][0].update(next="3"), "not reachable"),
    (lambda t: t["steps"][2].update(next="1"), "never reach an end"),
    (lambda t: t["steps"][0].update(waktu="sebentar"), "waktu"),
    (lambda t: t["steps"][0].update(name="x" * 61), "longer than 60"),
    (lambda t: t["steps"][0].update(kind="rule", decision={"ref": "tidak_ada", "result": "r"}), "no file"),
    (lambda t: t["steps"][1]["fields"][0].update(key="OK"), "lower_snake_case"),
    (lambda t: t["steps"][1].update(next="3"), "both 'next' and 'gateway'"),
    (lambda t: t.update(lanes=["A", "B", "A"]), "declared twice"),
    (lambda t: t["steps"][2].update(id="cek lengkap", no=None) or t["steps"][2].pop("no"), "helper id"),
    (lambda t: t.update(source={"file": "x.txt", "lines": [9, 1]}), "source.lines"),
    (lambda t: t["assumptions"].append({"where": "w"}), "assumption #2"),
])
def test_checker_reports_broken_tables(mutate, expected: str) -> None:
    table = _good()
    mutate(table)
    problems = table_problems(table)
    assert any(expected in p for p in problems), problems


def test_checker_reports_unreached_end_and_file_mismatch() -> None:
    table = _good()
    table["ends"].append({"id": "batal", "name": "Batal"})
    problems = table_problems(table, Path("/x/sop/other/wrong.yaml"))
    assert any("'batal' is never reached" in p for p in problems)
    assert any("differs from the file name" in p for p in problems)
    assert any("differs from the folder" in p for p in problems)
