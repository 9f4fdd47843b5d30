"""JUEL subset: operators, EL coercions, the method allow-list, refusals and date arithmetic."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from service.expr import ExpressionError, ExpressionSyntaxError, LimitExceeded, Limits, juel

NOW = dt.datetime(2024, 1, 31, 10, 30, tzinfo=dt.timezone.utc)
VARS = {
    "approved": True, "rejected": False, "amount": 2000, "region": "EU", "price": 12.5,
    "nothing": None, "blank": "", "name": "Budi", "items": [1, 2, 3], "empty_list": [],
    "empty_map": {}, "order": {"lines": [{"qty": 4}], "customer": {"name": "Sari"}},
    "dept": "ULP", "text": "  Pengadaan Barang  ", "dec": Decimal("10.25"), "numstr": "42",
    "due": dt.datetime(2024, 2, 1, tzinfo=dt.timezone.utc), "day": dt.date(2024, 1, 1),
}


def ev(text: str, variables: dict | None = None, **kw):
    return juel.compile(text).evaluate(VARS if variables is None else variables, now=NOW, **kw)


class TestIsJuel:
    @pytest.mark.parametrize("text", ["${a}", "#{a}", "x ${a} y", "${'}'}"])
    def test_detects(self, text):
        assert juel.is_juel(text)

    @pytest.mark.parametrize("text", ["a > 1", "\"${\"", "$a", "{a}", "\\${a}", ""])
    def test_rejects(self, text):
        assert not juel.is_juel(text)


class TestLiterals:
    @pytest.mark.parametrize("text, expected", [
        ("${1}", 1), ("${1.5}", 1.5), ("${.5}", 0.5), ("${1e3}", 1000.0), ("${'a\"b'}", 'a"b'),
        ('${"it\'s"}', "it's"), ("${'a\\'b'}", "a'b"), ("${'a\\\\b'}", "a\\b"), ("${true}", True),
        ("${false}", False), ("${null}", None),
    ])
    def test_literal(self, text, expected):
        value = ev(text)
        assert value == expected and type(value) is type(expected)

    def test_plain_text_is_a_string(self):
        assert ev("just text") == "just text"

    def test_escaped_marker_is_literal(self):
        assert ev("cost \\${x}") == "cost ${x}"

    def test_too_large_integer_literal(self):
        with pytest.raises(ExpressionSyntaxError, match="too large"):
            juel.compile("${99999999999999999999}")


class TestAccess:
    def test_identifier_and_nested_access(self):
        assert ev("${order.customer.name}") == "Sari"
        assert ev("${order['customer']['name']}") == "Sari"
        assert ev("${order.lines[0].qty}") == 4
        assert ev("${items[2]}") == 3

    def test_index_out_of_range_and_missing_key_are_null(self):
        assert ev("${items[7]}") is None
        assert ev("${items[-1]}") is None
        assert ev("${order.nope}") is None
        assert ev("${nothing.x}") is None

    def test_index_coerced_from_string(self):
        assert ev("${items['1']}") == 2

    def test_property_on_a_string_is_an_error(self):
        with pytest.raises(ExpressionError, match="property 'x' not found on String"):
            ev("${name.x}")

    def test_unknown_property_message_is_camundas(self):
        with pytest.raises(ExpressionError) as info:
            ev("${missing > 1}")
        assert not isinstance(info.value, ExpressionSyntaxError)
        assert "Unknown property used in expression: ${missing > 1}" in info.value.message
        assert "Cannot resolve identifier 'missing'" in info.value.message
        assert info.value.position == 2

    def test_get_variable_of_a_missing_variable_is_null(self):
        assert ev("${execution.getVariable('missing')}") is None
        assert ev("${execution.getVariableLocal('amount')}") == 2000
        assert ev("${execution.getVariable('amount') > 10}") is True
        assert ev("${execution.hasVariable('amount') && !execution.hasVariable('zz')}") is True


class TestOperators:
    @pytest.mark.parametrize("text, expected", [
        ("${amount == 2000}", True), ("${amount eq 2000}", True), ("${amount != 2000}", False),
        ("${amount ne 1}", True), ("${amount < 3000}", True), ("${amount lt 2000}", False),
        ("${amount > 1999}", True), ("${amount gt 2000}", False), ("${amount <= 2000}", True),
        ("${amount le 1999}", False), ("${amount >= 2000}", True), ("${amount ge 2001}", False),
        ("${approved && !rejected}", True), ("${approved and rejected}", False),
        ("${rejected || approved}", True), ("${rejected or rejected}", False), ("${not approved}", False),
        ("${1 + 2}", 3), ("${5 - 7}", -2), ("${3 * 4}", 12), ("${7 / 2}", 3.5), ("${6 div 3}", 2.0),
        ("${7 % 3}", 1), ("${7 mod 3}", 1), ("${-7 % 3}", -1), ("${7 % -3}", 1), ("${7.5 % 2}", 1.5),
        ("${-amount}", -2000), ("${- -1}", 1), ("${2 + 3 * 4}", 14), ("${(2 + 3) * 4}", 20),
        ("${amount > 1000 ? 'besar' : 'kecil'}", "besar"), ("${rejected ? 1 : rejected ? 2 : 3}", 3),
        ("${1 < 2 == true}", True), ("${price * 2}", 25.0), ("${dec + 1}", Decimal("11.25")),
        ("${dec * price}", Decimal("128.125")), ("${dec / 4}", Decimal("2.5625")),
    ])
    def test_operator(self, text, expected):
        value = ev(text)
        assert value == expected and type(value) is type(expected)

    def test_division_gives_a_double(self):
        assert isinstance(ev("${4 / 2}"), float)

    def test_division_by_zero_is_an_error(self):
        with pytest.raises(ExpressionError, match="division by zero"):
            ev("${1 / 0}")
        with pytest.raises(ExpressionError, match="division by zero"):
            ev("${1 % 0}")

    def test_short_circuit_skips_the_unknown_property(self):
        assert ev("${rejected && missing}") is False
        assert ev("${approved || missing}") is True
        assert ev("${approved ? 1 : missing}") == 1

    def test_integer_overflow_is_reported(self):
        with pytest.raises(ExpressionError, match="overflow"):
            ev("${9223372036854775807 + 1}")


class TestCoercion:
    @pytest.mark.parametrize("text, expected", [
        ("${nothing + 1}", 1), ("${nothing + nothing}", 0), ("${nothing * 5}", 0), ("${-nothing}", 0),
        ("${numstr + 1}", 43), ("${'1.5' + 1}", 2.5), ("${numstr == 42}", True), ("${'42' == 42.0}", True),
        ("${amount == 2000.0}", True), ("${'true' == true}", True), ("${'TRUE' && true}", True),
        ("${nothing == null}", True), ("${nothing == 0}", False), ("${nothing < 1}", False),
        ("${nothing && true}", False), ("${!nothing}", True), ("${blank || false}", False),
        ("${'b' > 'a'}", True), ("${'10' < 9}", False), ("${dept == 'ULP'}", True),
        ("${due > now()}", True), ("${due < dateTime().toDate()}", False), ("${day == day}", True),
    ])
    def test_coercion(self, text, expected):
        assert ev(text) == expected

    @pytest.mark.parametrize("text", [
        "${empty nothing}", "${empty blank}", "${empty empty_list}", "${empty empty_map}",
        "${not empty name ? true : false}",
    ])
    def test_empty_true(self, text):
        assert ev(text) is True

    @pytest.mark.parametrize("text", ["${empty name}", "${empty items}", "${empty 0}", "${empty false}"])
    def test_empty_false(self, text):
        assert ev(text) is False

    @pytest.mark.parametrize("text, message", [
        ("${'abc' + 1}", "cannot coerce 'abc' to Long"),
        ("${approved + 1}", "cannot use Boolean true in arithmetic"),
        ("${'abc' == 1}", "cannot coerce 'abc' to Long"),
        ("${items && true}", "cannot coerce List"),
        ("${amount ? 1 : 2}", "cannot coerce Long 2000 to Boolean"),
        ("${items < 2}", "cannot coerce List to Long"),
        ("${due < day}", "cannot compare a date with a date-time"),
        ("${order * 2}", "cannot use Map"),
    ])
    def test_coercion_errors(self, text, message):
        with pytest.raises(ExpressionError, match=message):
            ev(text)

    def test_composite_text_coerces_to_string(self):
        assert ev("Halo ${name}, total ${amount} (${price}) ${nothing}${approved}") == \
            "Halo Budi, total 2000 (12.5) true"
        assert ev("${1e10} ${0.0001} ${1.0}") == "1.0E10 1.0E-4 1.0"
        assert ev("${items} ${order.customer}") == "[1, 2, 3] {name=Sari}"
        assert ev("at ${dateTime()}") == "at 2024-01-31T10:30:00.000Z"

    def test_mixed_immediate_and_deferred_refused(self):
        with pytest.raises(ExpressionSyntaxError, match="mixing"):
            juel.compile("${a} #{b}")


class TestMethods:
    @pytest.mark.parametrize("text, expected", [
        ("${name.equals('Budi')}", True), ("${name.equals(1)}", False),
        ("${name.equalsIgnoreCase('budi')}", True), ("${name.contains('ud')}", True),
        ("${name.startsWith('Bu')}", True), ("${name.endsWith('x')}", False), ("${blank.isEmpty()}", True),
        ("${name.length()}", 4), ("${name.size()}", 4), ("${items.size()}", 3), ("${items.contains(2)}", True),
        ("${items.contains(2.0)}", True), ("${items.contains('x')}", False), ("${name.toUpperCase()}", "BUDI"),
        ("${name.toLowerCase()}", "budi"), ("${text.trim()}", "Pengadaan Barang"),
        ("${empty_map.isEmpty()}", True), ("${order.size()}", 2), ("${amount.equals(2000)}", True),
        ("${amount.toString()}", "2000"), ("${name.contains(amount)}", False),
        ("${execution.getVariable('name').length() > 3}", True),
    ])
    def test_allowed_method(self, text, expected):
        assert ev(text) == expected

    def test_method_on_wrong_type_is_an_error(self):
        with pytest.raises(ExpressionError, match=r"method toUpperCase\(\) not found on Long"):
            ev("${amount.toUpperCase()}")
        with pytest.raises(ExpressionError, match=r"length\(\) not found on List"):
            ev("${items.length()}")

    def test_method_on_null_is_an_error(self):
        with pytest.raises(ExpressionError, match="on null"):
            ev("${nothing.trim()}")

    def test_wrong_argument_count_refused_at_compile_time(self):
        with pytest.raises(ExpressionSyntaxError, match="takes 1 argument"):
            juel.compile("${name.contains()}")

    def test_get_variable_needs_a_string(self):
        with pytest.raises(ExpressionError, match="needs a variable name"):
            ev("${execution.getVariable(1)}")


class TestDates:
    @pytest.mark.parametrize("text, expected", [
        ("${dateTime().toDate()}", NOW),
        ("${dateTime()}", NOW),
        ("${now()}", NOW),
        ("${dateTime().plusDays(3).toDate()}", NOW + dt.timedelta(days=3)),
        ("${dateTime().plusHours(5).toDate()}", NOW + dt.timedelta(hours=5)),
        ("${dateTime().plusMinutes(90).toDate()}", NOW + dt.timedelta(minutes=90)),
        ("${dateTime().plusWeeks(2).toDate()}", NOW + dt.timedelta(weeks=2)),
        ("${dateTime().plusMonths(1).toDate()}", dt.datetime(2024, 2, 29, 10, 30, tzinfo=dt.timezone.utc)),
        ("${dateTime().plusYears(1).toDate()}", dt.datetime(2025, 1, 31, 10, 30, tzinfo=dt.timezone.utc)),
        ("${dateTime().minusDays(31).toDate()}", dt.datetime(2023, 12, 31, 10, 30, tzinfo=dt.timezone.utc)),
        ("${dateTime().minusHours(1).minusMinutes(30).toDate()}", NOW - dt.timedelta(hours=1, minutes=30)),
        ("${dateTime().minusWeeks(1).toDate()}", NOW - dt.timedelta(weeks=1)),
        ("${dateTime().minusMonths(2).toDate()}", dt.datetime(2023, 11, 30, 10, 30, tzinfo=dt.timezone.utc)),
        ("${dateTime().minusYears(4).toDate()}", dt.datetime(2020, 1, 31, 10, 30, tzinfo=dt.timezone.utc)),
        ("${dateTime().plusDays(amount / 1000).toDate()}", NOW + dt.timedelta(days=2)),
        ("${dateTime().plusDays('2').toDate()}", NOW + dt.timedelta(days=2)),
        ("${dateTime().plusDays(1).toString()}", "2024-02-01T10:30:00.000Z"),
    ])
    def test_date_arithmetic(self, text, expected):
        assert ev(text) == expected

    def test_now_is_converted_to_utc(self):
        wib = dt.timezone(dt.timedelta(hours=7))
        value = juel.compile("${dateTime().toDate()}").evaluate({}, now=dt.datetime(2024, 1, 1, 7, tzinfo=wib))
        assert value == dt.datetime(2024, 1, 1, 0, tzinfo=dt.timezone.utc)
        assert value.tzinfo == dt.timezone.utc

    def test_default_now_is_the_current_time(self):
        before = dt.datetime.now(dt.timezone.utc)
        value = juel.compile("${now()}").evaluate({})
        assert before <= value <= dt.datetime.now(dt.timezone.utc)

    def test_date_out_of_range(self):
        with pytest.raises(ExpressionError, match="out of range"):
            ev("${dateTime().plusYears(999999).toDate()}")

    def test_date_methods_only_on_datetime(self):
        with pytest.raises(ExpressionError, match=r"plusDays\(\) not found on Date"):
            ev("${now().plusDays(1)}")


class TestRefusals:
    @pytest.mark.parametrize("text, fragment", [
        ("${x.getClass()}", "getClass"),
        ("${''.getClass().forName('java.lang.Runtime')}", "getClass"),
        ("${T(java.lang.Runtime).getRuntime()}", "function T()"),
        ("#{execution.getClass()}", "getClass"),
        ("${execution.setVariable('a', 1)}", "setVariable"),
        ("${x.class}", "class"),
        ("${x['class']}", "class"),
        ("${new java.io.File('a')}", "new"),
        ("${a = 1}", "assignment"),
        ("${a; b}", "several statements"),
        ("${x -> x + 1}", "lambda"),
        ("${a += 'b'}", "+="),
        ("${{1, 2}}", "set and map literals"),
        ("${x instanceof y}", "instanceof"),
        ("${x.__class__}", "__class__"),
        ("${__import__('os')}", "__import__"),
        ("${fn:length(x)}", "unexpected ':'"),
        ("${x.wait()}", "wait() is not allowed"),
        ("${unknownFunction()}", "unknownFunction() is not allowed"),
        ("${execution}", "execution"),
        ("${execution.processInstanceId}", "execution"),
        ("${name.getVariable('x')}", "only be called on 'execution'"),
        ("${1 +}", "unexpected end of expression"),
        ("${(1 + 2}", "expected ')'"),
        ("${a b}", "expected '}'"),
        ("${'open}", "unterminated string"),
        ("${a", "missing '}'"),
        ("${}", "empty expression"),
        ("${a ~ b}", "unexpected character '~'"),
        ("${1x}", "invalid number literal"),
        ("${" + "(" * 80 + "1" + ")" * 80 + "}", "nested deeper"),
        ("${" + " + ".join(["a"] * 400) + "}", "too long"),
    ])
    def test_refused_at_compile_time(self, text, fragment):
        with pytest.raises(ExpressionSyntaxError) as info:
            juel.compile(text)
        assert fragment in str(info.value)
        assert info.value.text == text
        assert info.value.position is not None or "too long" in fragment

    def test_error_names_the_position(self):
        with pytest.raises(ExpressionSyntaxError) as info:
            juel.compile("${amount > 1 && x.getClass()}")
        assert info.value.position == "${amount > 1 && x.".__len__()
        assert "getClass" in str(info.value)

    def test_non_string_refused(self):
        with pytest.raises(ExpressionSyntaxError):
            juel.compile(42)  # type: ignore[arg-type]


class TestLimits:
    def test_step_limit(self):
        text = "${" + " + ".join(["amount"] * 200) + "}"
        assert ev(text) == 400_000
        with pytest.raises(LimitExceeded, match="steps"):
            ev(text, limits=Limits(max_steps=50))

    def test_depth_limit_of_the_evaluation(self):
        text = "${" + "(" * 20 + "1" + ")" * 20 + "}"
        assert ev(text) == 1
        with pytest.raises(LimitExceeded, match="nested deeper"):
            ev(text, limits=Limits(max_depth=10))

    def test_string_limit(self):
        with pytest.raises(LimitExceeded, match="longer than"):
            ev("${name}${name}${name}", limits=Limits(max_string=10))
        with pytest.raises(LimitExceeded, match="longer than"):
            ev("${x.toUpperCase()}", {"x": "a" * 50}, limits=Limits(max_string=10))

    def test_compiled_expression_is_reusable_and_cached(self):
        compiled = juel.compile("${a + 1}")
        assert compiled is juel.compile("${a + 1}")
        assert [compiled.evaluate({"a": i}) for i in range(3)] == [1, 2, 3]
        assert not compiled.is_composite
        assert juel.compile("x${a}").is_composite


class TestHostileData:
    def test_deeply_nested_value_is_bounded(self):
        value: list = []
        for _ in range(5000):
            value = [value]
        with pytest.raises(LimitExceeded, match="nested too deeply"):
            ev("x ${v}", {"v": value})

    def test_huge_integer_variable(self):
        with pytest.raises(ExpressionError, match="too large to print"):
            ev("${n} x", {"n": 10 ** 5000})
        with pytest.raises(ExpressionError, match="overflow"):
            ev("${n + 1}", {"n": 10 ** 5000})
