"""Model errors read "<file>: <element> (line N): <message>", and "<file> (line N): ..." without element."""
from __future__ import annotations

import pytest

from service.engine import ModelError
from service.engine.dmn import DmnModelError, parse_dmn
from service.engine.parser import parse_bpmn


def test_dmn_error_without_element_has_no_placeholder():
    content = b'<?xml version="1.0"?>\n<notdmn/>\n'
    with pytest.raises(DmnModelError) as info:
        parse_dmn("x.dmn", content)
    text = str(info.value)
    assert text.startswith("x.dmn (line 2): not a DMN file"), text
    assert " - " not in text and ": -" not in text


def test_dmn_error_with_element():
    error = DmnModelError("x.dmn", "Rule_1", 7, "bad entry")
    assert str(error) == "x.dmn: Rule_1 (line 7): bad entry"
    assert error.args == ("x.dmn: Rule_1 (line 7): bad entry",)


@pytest.mark.parametrize("element, line, expected", [
    (None, 2, "x.dmn (line 2): oops"),
    ("", 2, "x.dmn (line 2): oops"),
    ("-", None, "x.dmn: oops"),
    ("Task_1", None, "x.dmn: Task_1: oops"),
])
def test_model_error_text(element, line, expected):
    assert str(DmnModelError("x.dmn", element, line, "oops")) == expected
    assert str(ModelError("oops", file="x.dmn", element_id=element, line=line)) == expected


def test_model_error_without_file():
    assert str(ModelError("oops", line=3)) == "<model> (line 3): oops"


def test_bpmn_error_without_element():
    with pytest.raises(ModelError) as info:
        parse_bpmn("p.bpmn", b'<?xml version="1.0"?>\n<nothing/>\n')
    text = str(info.value)
    assert text.startswith("p.bpmn"), text
    assert not text.startswith("p.bpmn: -") and ": None" not in text
