"""DMN imports: decisions, BKMs and item definitions of another file, read as `import name.element`."""
from __future__ import annotations

from decimal import Decimal

from service.engine.dmn import evaluate_decision, parse_dmn

DMN15 = "https://www.omg.org/spec/DMN/20230324/MODEL/"


def _file(namespace: str, body: str, imports: str = "") -> bytes:
    return (f'<definitions xmlns="{DMN15}" id="d{abs(hash(namespace))}" name="m" namespace="{namespace}">'
            f"{imports}{body}</definitions>").encode()


def _import(namespace: str, name: str) -> str:
    return f'<import namespace="{namespace}" name="{name}" importType="{DMN15}"/>'


LIBRARY = _file("urn:lib", """
  <itemDefinition name="tPerson"><itemComponent name="name"><typeRef>string</typeRef></itemComponent>
    <itemComponent name="age"><typeRef>number</typeRef></itemComponent></itemDefinition>
  <businessKnowledgeModel id="hello" name="Say Hello"><encapsulatedLogic>
    <formalParameter name="p" typeRef="tPerson"/>
    <literalExpression><text>"Hello " + p.name</text></literalExpression></encapsulatedLogic>
  </businessKnowledgeModel>
  <inputData id="who" name="who"/>
  <decision id="same_id" name="Base"><variable name="Base"/>
    <informationRequirement><requiredInput href="#who"/></informationRequirement>
    <literalExpression><text>"base " + who</text></literalExpression></decision>""")
MIDDLE = _file("urn:mid", """
  <decision id="same_id" name="Middle"><variable name="Middle"/>
    <informationRequirement><requiredDecision href="urn:lib#same_id"/></informationRequirement>
    <literalExpression><text>lib.Base + "!"</text></literalExpression></decision>""", _import("urn:lib", "lib"))
MAIN = _file("urn:main", """
  <inputData id="person" name="person"><variable name="person" typeRef="lib.tPerson"/></inputData>
  <decision id="greet" name="greet"><variable name="greet"/>
    <knowledgeRequirement><requiredKnowledge href="urn:lib#hello"/></knowledgeRequirement>
    <literalExpression><text>lib.Say Hello(person)</text></literalExpression></decision>
  <decision id="both" name="both"><variable name="both"/>
    <informationRequirement><requiredDecision href="urn:mid#same_id"/></informationRequirement>
    <informationRequirement><requiredDecision href="urn:lib#same_id"/></informationRequirement>
    <literalExpression><text>mid.Middle + " / " + lib.Base</text></literalExpression></decision>""",
    _import("urn:lib", "lib") + _import("urn:mid", "mid"))
POOL = {"lib.dmn": LIBRARY, "mid.dmn": MIDDLE}


def _models() -> dict[str, object]:
    return {m.key: m for m in parse_dmn("main.dmn", MAIN, imports=POOL)}


def test_imported_bkm_and_item_definition():
    result = evaluate_decision(_models()["greet"], {"person": {"name": "Ani", "age": 30}})
    assert result.value == "Hello Ani"


def test_imported_bkm_checks_the_imported_type():
    result = evaluate_decision(_models()["greet"], {"person": {"name": "Ani"}})   # no age: not a tPerson
    assert result.value is None


def test_nested_imports_with_repeated_ids():
    result = evaluate_decision(_models()["both"], {"who": "x"})
    assert result.value == "base x! / base x"
    assert [r.key for r in result.evaluations] == ["urn:lib#same_id", "urn:mid#same_id"]


def test_a_missing_import_breaks_only_the_decisions_using_it():
    models = {m.key: m for m in parse_dmn("main.dmn", MAIN)}
    assert "not among the files deployed with this one" in str(models["both"].compile_error)
    assert evaluate_decision(models["both"], {}).value is None


def test_cyclic_imports_are_refused_for_the_decisions_using_them():
    a = _file("urn:a", '<decision id="x" name="x"><variable name="x"/><informationRequirement>'
                       '<requiredDecision href="urn:b#y"/></informationRequirement>'
                       "<literalExpression><text>1</text></literalExpression></decision>", _import("urn:b", "b"))
    b = _file("urn:b", '<decision id="y" name="y"><variable name="y"/><informationRequirement>'
                       '<requiredDecision href="urn:a#x"/></informationRequirement>'
                       "<literalExpression><text>2</text></literalExpression></decision>", _import("urn:a", "a"))
    [x] = parse_dmn("a.dmn", a, imports={"b.dmn": b})
    [y] = x.required_models
    assert "cyclic" in str(y.compile_error)      # b's import of a closes the cycle: y cannot work
    result = evaluate_decision(x, {})
    assert result.value is None and "cannot be evaluated" in result.diagnostics[0]
    assert "cyclic" in result.evaluations[0].diagnostics[0]


def test_numbers_stay_exact_through_imports():
    lib = _file("urn:n", '<decision id="n" name="n"><variable name="n"/>'
                         "<literalExpression><text>0.1 + 0.2</text></literalExpression></decision>")
    main = _file("urn:m", '<decision id="m" name="m"><variable name="m"/><informationRequirement>'
                          '<requiredDecision href="urn:n#n"/></informationRequirement>'
                          "<literalExpression><text>N.n = 0.3</text></literalExpression></decision>",
                 _import("urn:n", "N"))
    [m] = parse_dmn("m.dmn", main, imports={"n.dmn": lib})
    assert evaluate_decision(m, {}).value is True
    assert Decimal("0.3") == Decimal("0.1") + Decimal("0.2")


def test_import_chains_are_bounded_and_diamonds_parsed_once(monkeypatch):
    from service.engine.dmn import imports as imports_module
    from service.engine.dmn import parser as parser_module

    def link(i: int, targets: list[int]) -> bytes:
        reqs = "".join(f'<informationRequirement><requiredDecision href="urn:f{t}#d"/></informationRequirement>'
                       for t in targets)
        text = " + ".join([f"i{t}.d" for t in targets] or ["1"])
        return _file(f"urn:f{i}", f'<decision id="d" name="d"><variable name="d"/>{reqs}'
                                  f"<literalExpression><text>{text}</text></literalExpression></decision>",
                     "".join(_import(f"urn:f{t}", f"i{t}") for t in targets))
    # a diamond lattice: file i imports i+1 and i+2 (exponentially many paths, each file parsed once)
    files = {f"f{i}.dmn": link(i, [t for t in (i + 1, i + 2) if t <= 7]) for i in range(8)}
    parses: list[str] = []
    original = parser_module._FileParser.parse

    def counting(self):   # type: ignore[no-untyped-def]
        parses.append(self.name)
        return original(self)
    monkeypatch.setattr(parser_module._FileParser, "parse", counting)
    [top] = parse_dmn("f0.dmn", files["f0.dmn"], imports=files)
    assert sorted(parses) == sorted(set(parses))
    assert evaluate_decision(top, {}).value == Decimal(21)       # fib: 8 files, each value = sum of two below
    # a chain longer than the bound: the deepest import is refused, and so the top decision answers null
    chain = {f"c{i}.dmn": _file(f"urn:c{i}", f'<decision id="d" name="d"><variable name="d"/>'
                                              f'<informationRequirement><requiredDecision href="urn:c{i + 1}#d"/>'
                                              f"</informationRequirement><literalExpression><text>c.d</text>"
                                              f"</literalExpression></decision>", _import(f"urn:c{i + 1}", "c"))
             for i in range(imports_module.MAX_IMPORT_DEPTH + 2)}
    [deep] = parse_dmn("c0.dmn", chain["c0.dmn"], imports=chain)
    assert evaluate_decision(deep, {}).value is None
