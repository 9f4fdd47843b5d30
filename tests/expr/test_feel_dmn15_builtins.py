"""DMN 1.5 built-ins context(), list replace(), range(), and argument edge cases the TCK pins down."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from service.expr import feel
from service.expr.feel.values import Range


def value(text: str):
    diagnostics: list[str] = []
    result = feel.evaluate(text, {"input_001": "1970-01-01"}, diagnostics=diagnostics)
    return result, diagnostics


@pytest.mark.parametrize("text, expected", [
    ('context([{key:"a", value:1}, {key:"b", value:2}])', {"a": D(1), "b": D(2)}),
    ('context({key:"a", value:1})', {"a": D(1)}),
    ('context(entries: {key:"a", value:1})', {"a": D(1)}),
    ('context({key: "a", value: null})', {"a": None}),
    ('context({key: "", value: 1})', {"": D(1)}),
    ('context([{key:"a", value:1, ignored: "x"}])', {"a": D(1)}),
    ("context([]) = {}", True),
])
def test_context_of_entries(text, expected):
    assert value(text)[0] == expected


@pytest.mark.parametrize("text", [
    'context([{key:"a", value:1},{key:"a", value:2}])', "context({value:1})", "context({key: null, value:1})",
    'context({key: "a"})', "context(null)", "context()", 'context([], "foo")', 'context("foo")',
    'context(entris: {key:"a", value:1})',
])
def test_context_of_invalid_entries_is_null_with_a_diagnostic(text):
    result, diagnostics = value(text)
    assert result is None and diagnostics


@pytest.mark.parametrize("text, expected", [
    ("list replace([1,2,3], 2, 4)", [1, 4, 3]), ("list replace([1,2,3], -1, 4)", [1, 2, 4]),
    ("list replace([1,2,3], 2.5, 4)", [1, 4, 3]), ("list replace([1,2,3], -1.5, 4)", [1, 2, 4]),
    ("list replace([1,2,3], 3, null)", [1, 2, None]),
    ("list replace([2, 4, 7, 8], function(item, newItem) item < newItem, 5)", [5, 5, 7, 8]),
    ("list replace(match: function(item, newItem) item = 2, newItem: 4, list: [1,2,3])", [1, 4, 3]),
    ("list replace(position: 2, newItem: 4, list: [1,2,3])", [1, 4, 3]), ("list replace(1, 1, 5)", [5]),
])
def test_list_replace(text, expected):
    assert value(text)[0] == [None if v is None else D(v) for v in expected]


@pytest.mark.parametrize("text", [
    "list replace([1,2,3], 0, 4)", "list replace([1,2,3], 4, 4)", "list replace([1,2,3], -4, 4)",
    "list replace(null, 1, 4)", "list replace([1,2,3], null, 4)", 'list replace([1,2,3], "2", 4)',
    "list replace([2, 4], function(item) item = 2, 5)", "list replace([2, 4], function(item, newItem) item, 5)",
    "list replace(position: 2, newItem: 4, list: [1,2,3], foo: 1)", 'list replace([1,2,3], "2")',
])
def test_list_replace_invalid_is_null(text):
    result, diagnostics = value(text)
    assert result is None and diagnostics


def test_list_replace_with_a_match_is_bounded_by_the_step_limit():
    from service.expr import LimitExceeded, Limits
    with pytest.raises(LimitExceeded):
        feel.evaluate("list replace(for i in 1..5000 return i, function(a, b) a > 0, 0)", {},
                      limits=Limits(max_steps=2_000))


@pytest.mark.parametrize("text", [
    'range("[1..3]") = [1..3]', 'range("(18..21]") = (18..21]', 'range("]18..21[") = ]18..21[',
    r'range("[\"a\"..\"c\"]") = ["a".."c"]', r'range("[@\"1970-01-01\"..@\"1970-01-02\"]") instance of range<date>',
    r'range("[date(\"1970-01-01\")..date(\"1970-01-02\")]") = [date("1970-01-01")..date("1970-01-02")]',
    r'range("[duration(\"P1D\")..@\"P2D\"]") = [@"P1D"..@"P2D"]', 'range(" [ 1 .. 3 ] ") = [1..3]',
    'range(from: "[1..3]") = [1..3]', '2 in range(string("[1..3]"))',
])
def test_range_from_a_string(text):
    assert value(text)[0] is True


@pytest.mark.parametrize("text", [
    'range("[..2]")', 'range("[1..]")', r'range("[date(input_001)..date(\"1970-01-02\")]")',
    r'range("[date(string(\"1970-01-01\"))..date(\"1970-01-02\")]")', 'range(">=10")', 'range("[3..1]")',
    'range("[null..null]")', r'range("[1..\"b\"]")', r'range("[@\"1970-01-01\"..@\"1970-01-02T00:00:00\"]")',
    'range("")', "range([1..3])", 'range("[1..3]", "foo")', "range()", 'range(fron: "[1..3]")',
    'range("[1..1+1]")', 'range("[x..3]")',
])
def test_range_from_an_invalid_string_is_null(text):
    result, diagnostics = value(text)
    assert result is None and diagnostics


def test_range_text_is_bounded():
    diagnostics: list[str] = []
    text = "[1.." + "1" * 20_000 + "]"    # a variable: longer than any expression text may be
    assert feel.evaluate("range(t)", {"t": text}, diagnostics=diagnostics) is None
    assert "longer than" in diagnostics[0]


@pytest.mark.parametrize("text, expected", [
    ("decimal(1/3, 2.5)", D("0.33")), ('substring("foobar", 3, 3.8)', "oba"), ("floor(1.56)", D(1)),
    ("floor(n: 1.56)", D(1)), ("ceiling(1.56)", D(2)), ("floor(-1.56, 1)", D("-1.6")),
    ('is(value1: @"2021-02-13")', False), ("all(true, false)", False), ("any(false, true)", True),
])
def test_argument_edge_cases(text, expected):
    assert value(text)[0] == expected


@pytest.mark.parametrize("text", [
    "floor(1.56, null)", "floor(n: 1.56, scale: null)", "ceiling(1.56, null)", "floor()", "all()", "any()",
    "mode()", "median()", "stddev()", "product()", "is()", "is(1)",
])
def test_missing_or_null_arguments_are_null(text):
    result, diagnostics = value(text)
    assert result is None and diagnostics


def test_range_of_a_comparison_is_not_a_string_range():
    assert isinstance(value("(< 3)")[0], Range)


@pytest.mark.parametrize("text, expected", [
    ('context put(context: {x:1, y: {a: 0}}, keys: ["y", "a"], value: 2)', {"x": D(1), "y": {"a": D(2)}}),
    ('context put({x:1, y: {a: 0}}, ["y", "a"], 2)', {"x": D(1), "y": {"a": D(2)}}),
    ('context put(context: {x:1}, key: "y", value: 2)', {"x": D(1), "y": D(2)}),
    ('context put(context: {x:1, y: {a: 0}}, key: ["y", "a"], value: 2)', None),
])
def test_context_put_key_and_keys(text, expected):
    assert value(text)[0] == expected


def test_filter_entry_named_item_wins_over_the_item():
    assert value("[{item: 1}, {item: 2}, {item: 3}][item >= 2]")[0] == [{"item": D(2)}, {"item": D(3)}]
    assert value("[{a: 1}, {a: 2}][item.a >= 2]")[0] == [{"a": D(2)}]
