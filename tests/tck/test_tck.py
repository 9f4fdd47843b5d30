"""The DMN TCK (compliance levels 2 and 3) through `bench/tck.py`: every test passes, or is a listed known failure.

`expected_failures.txt` lists the tests that fail today, one id a line (`#` comments allowed). A failure not
listed fails this test, and so does a listed test that passes (or does not exist): the list stays honest and
shrinks to empty. Regenerate it with `.venv/bin/python bench/tck.py --write-expected tests/tck/expected_failures.txt`.
Skips when the TCK folder ($ALUR_DMN_TCK_DIR) is missing, unless ALUR_REQUIRE_TCK=1.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).with_name("expected_failures.txt")


def _load_runner():
    spec = importlib.util.spec_from_file_location("alur_bench_tck", ROOT / "bench" / "tck.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tck = _load_runner()


def _listed() -> set[str]:
    lines = EXPECTED.read_text(encoding="utf-8").splitlines() if EXPECTED.exists() else []
    return {line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")}


@pytest.fixture(scope="module")
def summaries():
    if not tck.tck_dir().is_dir():
        if os.environ.get("ALUR_REQUIRE_TCK") == "1":
            pytest.fail(f"ALUR_REQUIRE_TCK=1 but the DMN TCK is not at {tck.tck_dir()}")
        pytest.skip(f"DMN TCK not found at {tck.tck_dir()} (set ALUR_DMN_TCK_DIR)")
    return tck.run(("2", "3"))


def test_every_tck_test_passes_or_is_a_listed_known_failure(summaries):
    for summary in summaries:
        print(tck.report(summary))
    outcomes = {o.id: o for s in summaries for o in s.outcomes}
    failing = {i for i, o in outcomes.items() if not o.passed}
    listed = _listed()
    unexpected = sorted(failing - listed)
    fixed = sorted(i for i in listed - failing if i in outcomes)
    unknown = sorted(i for i in listed if i not in outcomes)
    details = [f"{i} {n.name}: {n.detail}" for i in unexpected[:30] for n in outcomes[i].nodes if not n.passed]
    assert not unexpected, f"{len(unexpected)} TCK tests fail that are not listed:\n" + "\n".join(details)
    assert not fixed, (f"{len(fixed)} listed TCK tests pass now; remove them from {EXPECTED.name}:\n"
                       + "\n".join(fixed[:50]))
    assert not unknown, f"{len(unknown)} listed ids name no TCK test:\n" + "\n".join(unknown[:50])


def test_tck_counts_every_test_case(summaries):
    assert [len(s.outcomes) for s in summaries] == [116, 3275]


# -- the runner's own reading and comparison (no TCK folder needed) -------------------------------------
_NS = 'xmlns="http://www.omg.org/spec/DMN/20160719/testcase" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def _node(body: str):
    return etree.fromstring(f'<inputNode {_NS} name="x">{body}</inputNode>')


def test_runner_reads_every_value_shape():
    assert tck.read_value(_node('<value xsi:type="xsd:decimal">1.50</value>')) == Decimal("1.50")
    assert tck.read_value(_node('<value xsi:type="xsd:boolean">false</value>')) is False
    assert tck.read_value(_node('<value xsi:nil="true"/>')) is None
    assert tck.read_value(_node('<value xsi:type="xsd:string"></value>')) == ""
    assert tck.read_value(_node('<list><item><value xsi:type="xsd:double">2</value></item>'
                                '<item><value xsi:nil="true"/></item></list>')) == [Decimal(2), None]
    assert tck.read_value(_node('<component name="a"><value>t</value></component>'
                                '<component name="b"><list/></component>')) == {"a": "t", "b": []}
    date = tck.read_value(_node('<value xsi:type="xsd:date">2024-02-29</value>'))
    assert tck.feel_string(date) == "2024-02-29"
    with pytest.raises(tck.Unreadable):
        tck.read_value(_node('<value xsi:type="xsd:date">not a date</value>'))
    # the fraction of a second is kept (a truncating reader would make a truncated result pass)
    nanos = tck.read_value(_node('<value xsi:type="xsd:dateTime">2018-12-10T10:30:00.123456789</value>'))
    assert ".123456789" in tck.feel_string(nanos)


def test_runner_comparison_can_fail():
    assert tck.values_match(Decimal("2778.69354943277"), Decimal("2778.693549432766768088520383236299"))
    assert not tck.values_match(Decimal("2778.6935"), Decimal("2778.6936"))
    assert tck.values_match(Decimal("-0.88796890"), Decimal("-0.8879689066918555"))   # cut to 8 decimals
    assert not tck.values_match(Decimal("-0.88796890"), Decimal("-0.88796892"))
    assert not tck.values_match(Decimal("100"), Decimal("100.5"))
    assert not tck.values_match(Decimal("1.5"), Decimal("1.50000001"))
    assert not tck.values_match(Decimal("1"), True)
    assert not tck.values_match(None, Decimal(0))
    assert not tck.values_match("1", Decimal(1))
    assert not tck.values_match([Decimal(1)], [Decimal(1), Decimal(2)])
    assert not tck.values_match({"a": Decimal(1)}, {"a": Decimal(1), "b": None})
    d = tck.read_value(_node('<value xsi:type="xsd:duration">P1D</value>'))
    assert tck.values_match(d, tck.read_value(_node('<value xsi:type="xsd:duration">PT24H</value>')))
    assert not tck.values_match(d, tck.read_value(_node('<value xsi:type="xsd:duration">P2D</value>')))
    assert not tck.values_match(d, "P1D")
