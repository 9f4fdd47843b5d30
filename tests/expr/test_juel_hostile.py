"""The shared hostile corpus in JUEL: refused at compile time or bounded at evaluation, never escaping."""
from __future__ import annotations

import pytest

from service.expr import ExpressionError, ExpressionSyntaxError, LimitExceeded, Limits, juel
from tests.hostile import HOSTILE, Sandbox, hostile_id

LIMITS = Limits(max_seconds=0.5)
VARIABLES = {"x": "text", "a": 1, "n": 3}


def as_juel(text: str) -> str:
    return text if juel.is_juel(text) else "${" + text + "}"


def run(text: str) -> object:
    try:
        compiled = juel.compile(text)
    except ExpressionSyntaxError:
        return "refused"
    try:
        return compiled.evaluate(VARIABLES, limits=LIMITS)
    except LimitExceeded:
        return "bounded"
    except ExpressionError as exc:
        # an evaluation error is a clean refusal too (e.g. unknown property), never a Python error
        return f"error: {exc.message}"


def test_corpus_is_large_enough():
    assert len(HOSTILE) >= 30 and len(set(HOSTILE)) == len(HOSTILE)


@pytest.mark.parametrize("text", HOSTILE, ids=hostile_id)
def test_hostile_in_an_expression(text):
    with Sandbox() as box:
        outcome = run(as_juel(text))
    assert box.elapsed < 3.0  # bounded (the evaluation limit is 1 s), with room for a slow CI
    assert outcome in ("refused", "bounded") or str(outcome).startswith("error: ")


@pytest.mark.parametrize("text", HOSTILE, ids=hostile_id)
def test_hostile_in_mixed_text(text):
    with Sandbox() as box:
        outcome = run("Halo " + as_juel(text) + " selesai")
    assert box.elapsed < 3.0  # bounded (the evaluation limit is 1 s), with room for a slow CI
    assert outcome in ("refused", "bounded") or str(outcome).startswith("error: ")


@pytest.mark.parametrize("text", HOSTILE, ids=hostile_id)
def test_hostile_as_a_variable_value_is_inert(text):
    # data never becomes code: a hostile string inside a variable is just a string
    with Sandbox():
        assert juel.compile("${v}").evaluate({"v": text}) == text
        assert juel.compile("${v.length()}").evaluate({"v": text}) == len(text)
        assert juel.compile("${execution.getVariable(v)}").evaluate({"v": text}) is None


def test_no_python_error_escapes_on_plain_text():
    # texts without ${ } are literal text in JUEL: returned verbatim, never interpreted
    for text in HOSTILE:
        if len(text) > Limits().max_text:
            with pytest.raises(ExpressionSyntaxError, match="longer than"):
                juel.compile(text)
        elif not juel.is_juel(text) and "\\" not in text:
            assert juel.compile(text).evaluate({}) == text
