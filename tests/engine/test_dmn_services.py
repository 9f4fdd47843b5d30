"""Decision services (DMN 1.3, 6.3.6 and 10.4), decisions that do not compile, and item definition types."""
from __future__ import annotations

from decimal import Decimal

import pytest

from service.engine.dmn import DecisionError, evaluate_decision, parse_dmn
from service.expr import Limits
from tests.engine.dmn_fixtures.builder import DMN15, definitions


def _lit(text: str) -> str:
    return f"<literalExpression><text>{text}</text></literalExpression>"


def _decision(key: str, text: str, *, requires: tuple[str, ...] = (), inputs: tuple[str, ...] = (),
              knowledge: tuple[str, ...] = (), type_ref: str | None = None) -> str:
    reqs = "".join(f'<informationRequirement><requiredDecision href="#{r}"/></informationRequirement>'
                   for r in requires)
    reqs += "".join(f'<informationRequirement><requiredInput href="#{r}"/></informationRequirement>'
                    for r in inputs)
    reqs += "".join(f'<knowledgeRequirement><requiredKnowledge href="#{k}"/></knowledgeRequirement>'
                    for k in knowledge)
    typed = f' typeRef="{type_ref}"' if type_ref else ""
    return f'<decision id="{key}" name="{key}"><variable name="{key}"{typed}/>{reqs}{_lit(text)}</decision>'


SERVICES = definitions(
    '<inputData id="who" name="who"><variable name="who" typeRef="string"/></inputData>',
    _decision("greeting", '"Hello"', type_ref="string"),
    _decision("message", 'greeting + " " + who', requires=("greeting",), inputs=("who",)),
    _decision("shout", "upper case(message)", requires=("message",)),
    '<decisionService id="ds_one" name="Greet"><variable name="Greet"/>'
    '<outputDecision href="#message"/><inputDecision href="#greeting"/><inputData href="#who"/></decisionService>',
    '<decisionService id="ds_two" name="Both"><variable name="Both"/>'
    '<outputDecision href="#message"/><outputDecision href="#shout"/>'
    '<encapsulatedDecision href="#greeting"/><inputData href="#who"/></decisionService>',
    _decision("call_positional", 'Greet("Ani", "Hi")', knowledge=("ds_one",)),
    _decision("call_named", 'Greet(who: "Budi", greeting: "Halo")', knowledge=("ds_one",)),
    _decision("call_wrong_type", "Greet(1, \"Hi\")", knowledge=("ds_one",)),
    _decision("call_wrong_arity", 'Greet("Ani")', knowledge=("ds_one",)),
    _decision("call_unknown_name", 'Greet(nobody: "x")', knowledge=("ds_one",)),
    ns=DMN15)


def _models() -> dict[str, object]:
    return {m.key: m for m in parse_dmn("services.dmn", SERVICES)}


def test_a_service_is_a_decision_model_evaluable_by_its_key():
    models = _models()
    service = models["ds_one"]
    assert service.kind == "decisionService" and service.name == "Greet" and service.compile_error is None
    # the input decision is the given value, never evaluated; the value of one output is that output's value
    result = evaluate_decision(service, {"who": "Citra", "greeting": "Selamat pagi"})
    assert result.value == "Selamat pagi Citra"
    assert result.result_list == [{"message": "Selamat pagi Citra"}]
    assert [r.key for r in result.evaluations] == ["message"]


def test_a_service_reads_only_its_parameters():
    result = evaluate_decision(_models()["ds_one"], {"who": "Citra"})   # greeting not given: null
    assert result.value is None


def test_several_outputs_give_a_context_and_encapsulated_decisions_are_evaluated():
    result = evaluate_decision(_models()["ds_two"], {"who": "Dewi", "greeting": "ignored: not a parameter"})
    assert result.value == {"message": "Hello Dewi", "shout": "HELLO DEWI"}
    assert result.result_list == [{"message": "Hello Dewi", "shout": "HELLO DEWI"}]
    assert [r.key for r in result.evaluations] == ["greeting", "message", "shout"]


@pytest.mark.parametrize("key, expected", [
    ("call_positional", "Hi Ani"),          # input data first, then input decisions
    ("call_named", "Halo Budi"),
    ("call_wrong_type", None),              # an argument that does not conform: the call is null
    ("call_wrong_arity", None),
    ("call_unknown_name", None),
])
def test_a_service_required_as_knowledge_is_a_function(key, expected):
    result = evaluate_decision(_models()[key], {})
    assert result.value == expected
    if expected is None:
        assert result.diagnostics


def test_a_service_calling_itself_is_bounded():
    xml = definitions(
        _decision("loop", "Again()", knowledge=("ds",)),
        '<decisionService id="ds" name="Again"><variable name="Again"/><outputDecision href="#loop"/>'
        '</decisionService>', ns=DMN15)
    loop = {m.key: m for m in parse_dmn("loop.dmn", xml)}["loop"]
    with pytest.raises(DecisionError):
        evaluate_decision(loop, {}, limits=Limits(max_depth=20))


def test_a_service_with_a_missing_output_answers_null_and_reports_it():
    xml = definitions(_decision("a", "1"), '<decisionService id="ds" name="DS"><outputDecision href="#nope"/>'
                                           '</decisionService>', ns=DMN15)
    service = {m.key: m for m in parse_dmn("x.dmn", xml)}["ds"]
    assert "'nope'" in str(service.compile_error)
    result = evaluate_decision(service, {})
    assert result.value is None and "cannot be evaluated" in result.diagnostics[0]


def test_service_output_type_from_a_function_item_definition():
    xml = definitions(
        '<itemDefinition name="tFn"><functionItem outputTypeRef="string"/></itemDefinition>',
        _decision("n", "1000"), _decision("s", '"x"'),
        '<decisionService id="ds_n" name="N"><variable name="N" typeRef="tFn"/><outputDecision href="#n"/>'
        '</decisionService>',
        '<decisionService id="ds_s" name="S"><variable name="S" typeRef="tFn"/><outputDecision href="#s"/>'
        '</decisionService>', ns=DMN15)
    models = {m.key: m for m in parse_dmn("x.dmn", xml)}
    assert evaluate_decision(models["ds_n"], {}).value is None
    assert evaluate_decision(models["ds_s"], {}).value == "x"


def test_a_broken_decision_leaves_the_rest_working_and_its_dependants_null():
    xml = definitions(_decision("bad", "1 +"), _decision("uses_bad", "bad + 1", requires=("bad",)),
                      _decision("fine", "2 * 3"), ns=DMN15)
    models = {m.key: m for m in parse_dmn("x.dmn", xml)}
    assert models["bad"].compile_error is not None and models["uses_bad"].compile_error is None
    assert evaluate_decision(models["fine"], {}).value == Decimal(6)
    result = evaluate_decision(models["uses_bad"], {})
    assert result.value is None and "required decision 'bad' cannot be evaluated" in result.diagnostics[0]
    assert "cannot be evaluated" in result.evaluations[0].diagnostics[0]


def test_a_service_provides_a_decision_that_has_no_logic():
    xml = definitions(
        '<decision id="given" name="given"><variable name="given" typeRef="string"/></decision>',
        _decision("out", 'given + "!"', requires=("given",)),
        '<decisionService id="ds" name="DS"><outputDecision href="#out"/><inputDecision href="#given"/>'
        '</decisionService>', ns=DMN15)
    models = {m.key: m for m in parse_dmn("x.dmn", xml)}
    assert "no decision logic" in str(models["given"].compile_error)
    assert evaluate_decision(models["ds"], {"given": "ok"}).value == "ok!"
    assert evaluate_decision(models["out"], {}).value is None


def test_decision_without_id_is_keyed_by_its_name():
    xml = definitions('<decision name="No Id"><variable name="No Id"/>' + _lit("7") + "</decision>", ns=DMN15)
    [model] = parse_dmn("x.dmn", xml)
    assert model.key == "No Id" and evaluate_decision(model, {}).value == Decimal(7)


STRUCTURES = definitions(
    '<itemDefinition name="tPerson"><itemComponent name="name"><typeRef>string</typeRef></itemComponent>'
    '<itemComponent name="age"><typeRef>number</typeRef></itemComponent></itemDefinition>',
    '<itemDefinition name="tPeople" isCollection="true"><typeRef>tPerson</typeRef></itemDefinition>',
    _decision("extra", '{name: "a", age: 1, city: "b"}', type_ref="tPerson"),
    _decision("missing", '{name: "a"}', type_ref="tPerson"),
    _decision("null_part", '{name: "a", age: null}', type_ref="tPerson"),
    _decision("is_person", '{name: "a", age: 1} instance of tPerson'),
    _decision("is_people", '[{name: "a", age: 1}] instance of tPeople'),
    _decision("not_people", '[{name: "a"}] instance of tPeople'),
    ns=DMN15)


@pytest.mark.parametrize("key, expected", [
    ("extra", {"name": "a", "age": Decimal(1), "city": "b"}), ("missing", None),
    ("null_part", {"name": "a", "age": None}),
    ("is_person", True), ("is_people", True), ("not_people", False),
])
def test_structured_item_definitions_check_their_components(key, expected):
    models = {m.key: m for m in parse_dmn("x.dmn", STRUCTURES)}
    assert evaluate_decision(models[key], {}).value == expected


def test_bkm_argument_that_does_not_conform_makes_the_call_null():
    xml = definitions(
        '<businessKnowledgeModel id="b" name="twice"><encapsulatedLogic><formalParameter name="n" typeRef="number"/>'
        + _lit("n * 2") + "</encapsulatedLogic></businessKnowledgeModel>",
        _decision("ok", "twice(2)", knowledge=("b",)), _decision("bad", 'twice("2")', knowledge=("b",)),
        _decision("singleton", "twice([2])", knowledge=("b",)), ns=DMN15)
    models = {m.key: m for m in parse_dmn("x.dmn", xml)}
    assert evaluate_decision(models["ok"], {}).value == Decimal(4)
    assert evaluate_decision(models["singleton"], {}).value == Decimal(4)
    result = evaluate_decision(models["bad"], {})
    assert result.value is None and "does not conform" in " ".join(result.diagnostics)


def _box(key: str, body: str) -> str:
    return f'<decision id="{key}" name="{key}"><variable name="{key}"/>{body}</decision>'


@pytest.mark.parametrize("body, expected", [
    (f"<conditional><if>{_lit('true')}</if><then>{_lit('1')}</then><else>{_lit('2')}</else></conditional>", 1),
    (f"<conditional><if>{_lit('null')}</if><then>{_lit('1')}</then><else>{_lit('2')}</else></conditional>", 2),
    (f'<conditional><if>{_lit(chr(34) + "abc" + chr(34))}</if><then>{_lit("1")}</then><else>{_lit("2")}</else>'
     "</conditional>", None),
    (f"<filter><in>{_lit('[1,2,3]')}</in><match>{_lit('item > 1')}</match></filter>", [2, 3]),
    (f"<filter><in>{_lit('[1,2,3]')}</in><match>{_lit('if item > 1 then true else 5')}</match></filter>", None),
    (f'<some iteratorVariable="x"><in>{_lit("[1,2]")}</in><satisfies>{_lit("x > 1")}</satisfies></some>', True),
    (f'<some iteratorVariable="x"><in>{_lit("[1,2]")}</in><satisfies>{_lit("x")}</satisfies></some>', None),
    (f'<every iteratorVariable="x"><in>{_lit("[1,2]")}</in><satisfies>{_lit("if x = 1 then true else 3")}'
     "</satisfies></every>", None),
])
def test_boxed_conditions_must_be_booleans(body, expected):
    [model] = parse_dmn("x.dmn", definitions(_box("b", body), ns=DMN15))
    value = evaluate_decision(model, {}).value
    assert value == (expected if not isinstance(expected, list) else [Decimal(v) for v in expected])
