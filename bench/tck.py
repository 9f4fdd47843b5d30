"""DMN TCK runner: every `<testCase>` of compliance levels 2 and 3 through `parse_dmn` + `evaluate_decision`.

Run from the repository root:
    .venv/bin/python bench/tck.py [--level 2|3] [--filter SUBSTRING] [--failures]
    .venv/bin/python bench/tck.py --write-expected tests/tck/expected_failures.txt

Reads the TCK from $ALUR_DMN_TCK_DIR (default ../shared/dmn-tck/TestCases relative to the repository root).
A test passes only when every one of its result nodes matches (the TCK's own counting). Prints per level:
tests passed/total, result nodes passed/total and the mean evaluation time per test (parsing excluded).

Comparison follows the TCK: numbers by value (a relative difference up to 1e-12, or, for expectations
written with 8+ decimals, less than one unit of their last decimal: the TCK writes double results and
rounded ones), strings and booleans exactly, lists item by item, contexts key by key, temporal
values by type and FEEL string form, and `errorResult="true"` / `xsi:nil` expecting null (an evaluation
error counts as null).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.engine.dmn import DecisionError, DmnModelError, evaluate_decision, parse_dmn  # noqa: E402
from service.expr import feel  # noqa: E402
from service.expr.feel.values import DECIMAL_CONTEXT  # noqa: E402

TC_NS = "http://www.omg.org/spec/DMN/20160719/testcase"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
LEVELS = {"2": "compliance-level-2", "3": "compliance-level-3"}
_NUMBER_TYPES = {"decimal", "double", "float", "integer", "int", "long", "short", "byte"}
_TEMPORAL_READERS = {"date": "date(s)", "dateTime": "date and time(s)", "time": "time(s)", "duration": "duration(s)"}
_RELATIVE = Decimal("1e-12")
_FRACTION = re.compile(r"\d\.(\d+)")      # fraction of a second in a time, date and time or duration
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def tck_dir() -> Path:
    return Path(os.environ.get("ALUR_DMN_TCK_DIR") or ROOT.parent / "shared" / "dmn-tck" / "TestCases")


class Unreadable(Exception):
    """A value in a test file that this runner cannot turn into a FEEL value."""


# -- values of test files ------------------------------------------------------------------------------
def _q(tag: str) -> str:
    return f"{{{TC_NS}}}{tag}"


def _is_nil(element: Any) -> bool:
    return element.get(f"{{{XSI_NS}}}nil") == "true"


def read_value(holder: Any) -> Any:
    """The FEEL value of a `valueType` element (inputNode, expected, component, item)."""
    value = holder.find(_q("value"))
    if value is not None:
        return _read_simple(value)
    items = holder.find(_q("list"))
    if items is not None:
        if _is_nil(items):
            return None
        return [read_value(item) for item in items.findall(_q("item"))]
    components = holder.findall(_q("component"))
    if components:
        return {c.get("name"): (None if _is_nil(c) else read_value(c)) for c in components}
    if _is_nil(holder):
        return None
    raise Unreadable(f"no value, list or component in <{etree.QName(holder).localname}>")


def _read_simple(element: Any) -> Any:
    if _is_nil(element):
        return None
    text = element.text or ""
    xsi_type = element.get(f"{{{XSI_NS}}}type")
    kind = xsi_type.split(":", 1)[-1] if xsi_type else "string"
    if kind == "string" or kind == "anySimpleType":
        return text
    if kind == "boolean":
        if text.strip() not in ("true", "false"):
            raise Unreadable(f"boolean {text!r}")
        return text.strip() == "true"
    if kind in _NUMBER_TYPES:
        try:
            return Decimal(text.strip())
        except InvalidOperation:
            raise Unreadable(f"{kind} {text!r}") from None
    reader = _TEMPORAL_READERS.get(kind)
    if reader is None:
        raise Unreadable(f"xsi:type {xsi_type!r}")
    value = feel.evaluate(reader, {"s": text.strip()})
    if value is None:
        # Never read an unparseable expectation as null: a null actual would then pass.
        raise Unreadable(f"{kind} {text!r} is not a FEEL {kind} here")
    fraction = _FRACTION.search(text)
    digits = fraction.group(1).rstrip("0") if fraction else ""
    if digits and "." + digits not in feel_string(value):
        # a value that cannot hold the written fraction would compare equal to an equally truncated result
        raise Unreadable(f"{kind} {text!r} loses its fraction of a second here ({feel_string(value)})")
    return value


# -- comparison ------------------------------------------------------------------------------------------
def feel_string(value: Any) -> str:
    text = feel.evaluate("string(x)", {"x": value})
    return text if isinstance(text, str) else repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, Decimal)


def _numbers_match(expected: Decimal, actual: Decimal) -> bool:
    """Equal, or equal but for the TCK's writing: its expectations come from double arithmetic (a relative
    difference up to 1e-12) or are cut to their last written decimal (within one unit of it, 8+ places)."""
    if expected == actual:
        return True
    difference = DECIMAL_CONTEXT.subtract(expected, actual).copy_abs()
    if difference <= _RELATIVE * max(Decimal(1), expected.copy_abs()):
        return True
    places = -int(expected.as_tuple().exponent)
    return places >= 8 and difference < Decimal(1).scaleb(-places)


def values_match(expected: Any, actual: Any) -> bool:
    if expected is None:
        return actual is None
    if isinstance(expected, bool):
        return type(actual) is bool and actual == expected
    if isinstance(expected, str):
        return type(actual) is str and actual == expected
    if _is_number(expected):
        if not _is_number(actual) or not actual.is_finite():
            return False
        return _numbers_match(expected, actual)
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(values_match(e, a) for e, a in zip(expected, actual)))
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and set(actual) == set(expected)
                and all(values_match(v, actual[k]) for k, v in expected.items()))
    # temporal values: same FEEL type and the same FEEL string form
    return type(actual) is type(expected) and feel_string(actual) == feel_string(expected)


def show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    return f"{type(value).__name__}({feel_string(value)})"


# -- running ---------------------------------------------------------------------------------------------
@dataclass
class NodeOutcome:
    name: str
    passed: bool
    detail: str = ""


@dataclass
class TestOutcome:
    id: str                      # <level folder>/<model folder>#<testCase id>
    nodes: list[NodeOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return bool(self.nodes) and all(n.passed for n in self.nodes)


@dataclass
class LevelSummary:
    level: str
    outcomes: list[TestOutcome]

    @property
    def tests_passed(self) -> int:
        return sum(o.passed for o in self.outcomes)

    @property
    def nodes_total(self) -> int:
        return sum(len(o.nodes) for o in self.outcomes)

    @property
    def nodes_passed(self) -> int:
        return sum(n.passed for o in self.outcomes for n in o.nodes)

    @property
    def mean_ms(self) -> float:
        return 1000 * sum(o.seconds for o in self.outcomes) / max(1, len(self.outcomes))


class _Models:
    """The decisions of one TCK folder: every `*.dmn` file, found by decision name or id."""

    def __init__(self, folder: Path, main_model: str | None = None) -> None:
        self.by_name: dict[str, Any] = {}
        self.error: str | None = None
        files = {path.name: path.read_bytes() for path in sorted(folder.glob("*.dmn"))}
        # the tested model (<modelName>) last, so that its names win over those of the files it imports
        for name in sorted(files, key=lambda n: n == main_model):
            try:
                models = parse_dmn(name, files[name], imports={n: c for n, c in files.items() if n != name})
            except DmnModelError as exc:
                self.error = f"model refused: {exc}"
                continue
            for model in models:
                self.by_name.setdefault(model.key, model)
            for model in models:
                if model.name:
                    self.by_name[model.name] = model

    def find(self, name: str) -> Any:
        return self.by_name.get(name)


class _Missing(Exception):
    """The decision to evaluate is not there (its model was refused): the node fails whatever it expects."""


def _evaluate(models: _Models, name: str, variables: dict[str, Any], output: str | None = None) -> tuple[Any, str]:
    """The value of the decision (or decision service) `name`; with `output`, the value the decision
    service gave that output decision."""
    model = models.find(name)
    if model is None:
        raise _Missing(models.error or f"no decision named {name!r}")
    try:
        result = evaluate_decision(model, variables)
    except DecisionError as exc:
        return None, f"error: {exc}"
    except Exception as exc:  # noqa: BLE001 - a bug (never a Python error is the contract): count it, go on
        raise _Missing(f"internal error: {type(exc).__name__}: {exc}") from exc
    diagnostics = "; ".join(result.diagnostics)[:300]
    outputs = getattr(model.logic, "outputs", ())
    if output is not None and len(outputs) > 1:
        # several output decisions: the service's value is a context of their values
        return (result.value.get(output) if isinstance(result.value, dict) else None), diagnostics
    return result.value, diagnostics


def run_case(models: _Models, case: Any, case_id: str) -> TestOutcome:
    outcome = TestOutcome(case_id)
    try:
        variables = {node.get("name"): read_value(node) for node in case.findall(_q("inputNode"))}
    except Unreadable as exc:
        outcome.nodes.append(NodeOutcome("*", False, f"input unreadable: {exc}"))
        return outcome
    service = case.get("invocableName") if case.get("type") == "decisionService" else None
    for node in case.findall(_q("resultNode")):
        name = node.get("name")
        error_result = node.get("errorResult") == "true"
        try:
            expected_el = node.find(_q("expected"))
            expected = None if expected_el is None else read_value(expected_el)
        except Unreadable as exc:
            outcome.nodes.append(NodeOutcome(name, False, f"expectation unreadable: {exc}"))
            continue
        started = time.perf_counter()
        try:
            actual, diagnostics = _evaluate(models, service or name, variables, name if service else None)
        except _Missing as exc:
            outcome.nodes.append(NodeOutcome(name, False, str(exc)))
            continue
        finally:
            outcome.seconds += time.perf_counter() - started
        passed = actual is None if error_result else values_match(expected, actual)
        detail = "" if passed else (f"expected {'null (error)' if error_result else show(expected)}, "
                                    f"got {show(actual)}" + (f" [{diagnostics}]" if diagnostics else ""))
        outcome.nodes.append(NodeOutcome(name, passed, detail))
    return outcome


def folders(root: Path, level: str, name_filter: str | None) -> Iterator[Path]:
    base = root / LEVELS[level]
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        if name_filter is None or name_filter in folder.name:
            yield folder


def run_level(root: Path, level: str, name_filter: str | None = None) -> LevelSummary:
    outcomes: list[TestOutcome] = []
    for folder in folders(root, level, name_filter):
        for test_file in sorted(folder.glob("*-test-*.xml")):
            tree = etree.parse(str(test_file), _PARSER)
            main = tree.getroot().findtext(_q("modelName"))
            models = _Models(folder, main.strip() if main else None)
            seen: dict[str, int] = {}
            for case in tree.getroot().findall(_q("testCase")):
                case_id = f"{LEVELS[level]}/{folder.name}#{case.get('id') or case.get('name')}"
                seen[case_id] = seen.get(case_id, 0) + 1
                if seen[case_id] > 1:
                    case_id += f"~{seen[case_id]}"
                outcomes.append(run_case(models, case, case_id))
    return LevelSummary(level, outcomes)


def run(levels: Iterable[str] = ("2", "3"), name_filter: str | None = None) -> list[LevelSummary]:
    root = tck_dir()
    return [run_level(root, level, name_filter) for level in levels]


def report(summary: LevelSummary) -> str:
    total = len(summary.outcomes)
    return (f"{LEVELS[summary.level]}: tests {summary.tests_passed}/{total}, "
            f"result nodes {summary.nodes_passed}/{summary.nodes_total}, "
            f"mean evaluation {summary.mean_ms:.2f} ms/test")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--level", choices=sorted(LEVELS), help="one compliance level (default: both)")
    parser.add_argument("--filter", help="only model folders whose name contains this text")
    parser.add_argument("--failures", action="store_true", help="list failing tests with expected/actual")
    parser.add_argument("--write-expected", metavar="FILE", help="write the failing test ids to FILE")
    args = parser.parse_args(argv)
    root = tck_dir()
    if not root.is_dir():
        print(f"DMN TCK not found at {root} (set ALUR_DMN_TCK_DIR)", file=sys.stderr)
        return 2
    summaries = run([args.level] if args.level else ["2", "3"], args.filter)
    for summary in summaries:
        if args.failures:
            for outcome in summary.outcomes:
                if not outcome.passed:
                    for node in outcome.nodes:
                        if not node.passed:
                            print(f"FAIL {outcome.id} {node.name}: {node.detail}")
        print(report(summary))
    if args.write_expected:
        failing = [o.id for s in summaries for o in s.outcomes if not o.passed]
        Path(args.write_expected).write_text("".join(f"{i}\n" for i in failing), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
