"""Java external functions: an allow-list of pure java.lang methods mapped onto Python, nothing else."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from service.engine.dmn import evaluate_decision, parse_dmn
from service.expr import ExpressionSyntaxError, feel
from tests.engine.dmn_fixtures.builder import DMN15, definitions


def call(cls: str, signature: str, params: str, args: str):
    text = (f'{{f: function({params}) external {{java: {{class: "{cls}", method signature: "{signature}"}}}}, '
            f"r: f({args})}}.r")
    diagnostics: list[str] = []
    return feel.evaluate(text, {}, diagnostics=diagnostics), diagnostics


@pytest.mark.parametrize("cls, signature, params, args, expected", [
    ("java.lang.Math", "max(double, double)", "a, b", "123.45, 456.78", D("456.78")),
    ("java.lang.Math", "max(int,int)", "a, b", "123, 456", D(456)),
    ("java.lang.Math", "max(long,long)", "a, b", "123, 456", D(456)),
    ("java.lang.Math", "max(float,float)", "a, b", "123.46, 456.78", D("456.78")),
    ("java.lang.Math", "abs(int)", "a", "-7", D(7)),
    ("java.lang.Math", "pow(double, double)", "a, b", "2, 10", D(1024)),
    ("java.lang.Math", "round(double)", "a", "2.5", D(3)),
    ("java.lang.Integer", "valueOf(java.lang.String)", "s", '"123"', D(123)),
    ("java.lang.Integer", "parseInt(java.lang.String)", "s", '"-42"', D(-42)),
    ("java.lang.Double", "valueOf(java.lang.String)", "s", '"1234.56"', D("1234.56")),
    ("java.lang.Float", "valueOf(java.lang.String)", "s", '"1234.56"', D("1234.56")),
    ("java.lang.Short", "valueOf(short)", "s", "123", D(123)),
    ("java.lang.Byte", "valueOf(byte)", "s", "3", D(3)),
    ("java.lang.String", "valueOf(char)", "c", '"a"', "a"),
    ("java.lang.String", "valueOf(int)", "c", "12", "12"),
    ("java.lang.String", "format(java.lang.String, [Ljava.lang.Object;)", "s, o", '"foo %s, %d%%", "bar", 3',
     "foo bar, 3%"),
    ("java.lang.Math", "max(double,double)", "n1, n2", "n2: 5, n1: 1", D(5)),
])
def test_allowed_methods(cls, signature, params, args, expected):
    result, diagnostics = call(cls, signature, params, args)
    assert result == expected and not diagnostics


@pytest.mark.parametrize("cls, signature, params, args", [
    ("java.lang.String", "valueOf(char)", "c", '"abc"'),          # not one character
    ("java.lang.Byte", "valueOf(byte)", "b", "300"),               # does not fit a byte
    ("java.lang.Integer", "valueOf(java.lang.String)", "s", '"12x"'),
    ("java.lang.Math", "sqrt(double)", "a", "-1"),                 # NaN is no FEEL number
    ("java.lang.Math", "pow(double, double)", "a, b", "10, 400"),  # infinity neither
    ("java.lang.Math", "max(int,int)", "a, b", '"1", 2'),
    ("java.lang.String", "format(java.lang.String, [Ljava.lang.Object;)", "s, o", '"%x", 1'),
])
def test_bad_arguments_or_results_are_null_with_a_diagnostic(cls, signature, params, args):
    result, diagnostics = call(cls, signature, params, args)
    assert result is None and diagnostics


@pytest.mark.parametrize("text, message", [
    ('function(n) external {java: {class: "java.lang.Math", method signature: "foo(double)"}}', "allow-list"),
    ('function(n) external {java: {class: "java.lang.Runtime", method signature: "getRuntime()"}}', "allow-list"),
    ('function(n) external {java: {class: "java.lang.Math", method signature: "max(java.lang.String, '
     'java.lang.String)"}}', "allow-list"),
    ('function(n) external {pmml: {document: "d", model: "m"}}', "must be Java"),
])
def test_methods_off_the_allow_list_do_not_compile(text, message):
    with pytest.raises(ExpressionSyntaxError, match=message):
        feel.compile_expression(text)


def test_a_class_computed_at_run_time_is_checked_at_run_time():
    diagnostics: list[str] = []
    text = '{f: function(n) external {java: {class: c, method signature: "exit(int)"}}, r: f(1)}.r'
    assert feel.evaluate(text, {"c": "java.lang.System"}, diagnostics=diagnostics) is None
    assert "allow-list" in diagnostics[0]


def _boxed(cls: str, signature: str) -> bytes:
    lit = "<literalExpression><text>{}</text></literalExpression>"
    return definitions(
        '<decision id="d" name="d"><variable name="d"/><context><contextEntry><variable name="maxDouble"/>'
        '<functionDefinition kind="Java"><formalParameter name="a"/><formalParameter name="b"/><context>'
        f'<contextEntry><variable name="class"/>{lit.format(chr(34) + cls + chr(34))}</contextEntry>'
        f'<contextEntry><variable name="method signature"/>{lit.format(chr(34) + signature + chr(34))}'
        "</contextEntry></context></functionDefinition></contextEntry>"
        f"<contextEntry>{lit.format('maxDouble(123, 456)')}</contextEntry></context></decision>", ns=DMN15)


def test_boxed_java_function_definition():
    [model] = parse_dmn("j.dmn", _boxed("java.lang.Math", "max(double, double)"))
    assert evaluate_decision(model, {}).value == D("456.0")


def test_boxed_java_function_off_the_allow_list_does_not_compile():
    [model] = parse_dmn("j.dmn", _boxed("java.lang.ProcessBuilder", "start()"))
    assert "allow-list" in str(model.compile_error)
    assert evaluate_decision(model, {}).value is None
