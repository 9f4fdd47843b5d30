"""DMN 1.3 conformance of the decision layer: boxed expressions, business knowledge models, default outputs.

Each test is a small model written for Alur (procurement examples), citing the DMN 1.3 section it checks.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from service.engine.dmn import (
    DecisionError,
    DmnModelError,
    evaluate_decision,
    parse_dmn,
)
from tests.engine.dmn_fixtures.builder import DMN11, DMN13, compile_error, decision_xml, definitions


def models(xml: bytes) -> dict:
    return {m.name or m.key: m for m in parse_dmn("conformance.dmn", xml)}


def value_of(xml: bytes, name: str, variables: dict):
    return evaluate_decision(models(xml)[name], variables).value


# -- 6.3.4 / 10.3.2.13: business knowledge models invoked from FEEL -------------------------------

BKM_LITERAL = definitions(
    '<businessKnowledgeModel id="b_fee" name="Biaya Admin">'
    '<encapsulatedLogic><formalParameter name="nilai" typeRef="number"/><formalParameter name="tarif"/>'
    '<literalExpression><text>nilai * tarif / 100</text></literalExpression></encapsulatedLogic>'
    '<variable name="Biaya Admin"/></businessKnowledgeModel>'
    '<decision id="d_total" name="Total">'
    '<knowledgeRequirement><requiredKnowledge href="#b_fee"/></knowledgeRequirement>'
    '<literalExpression><text>Biaya Admin(Nilai Kontrak, 2.5) + Nilai Kontrak</text></literalExpression>'
    '<variable name="Total" typeRef="number"/></decision>')


def test_bkm_with_literal_logic_is_a_function_of_the_decision():
    # DMN 1.3 6.3.4: a required BKM is visible in the requiring decision as a function named like the BKM
    assert value_of(BKM_LITERAL, "Total", {"Nilai Kontrak": 1000}) == Decimal(1025)
    result = evaluate_decision(models(BKM_LITERAL)["Total"], {"Nilai Kontrak": 1000})
    assert result.result_list == [{"Total": 1025}]


def test_bkm_arguments_by_position_must_match_its_parameters():
    # 10.3.2.13.2: an invocation with the wrong number of arguments is null, not a Python error
    xml = BKM_LITERAL.replace(b"Biaya Admin(Nilai Kontrak, 2.5)", b"Biaya Admin(1, 2, 3)")
    result = evaluate_decision(models(xml)["Total"], {"Nilai Kontrak": 1000})
    assert result.value is None and result.diagnostics


BKM_TABLE = definitions(
    '<businessKnowledgeModel id="b_metode" name="Metode">'
    '<encapsulatedLogic><formalParameter name="Paket.Jenis"/><formalParameter name="Paket.Nilai"/>'
    '<decisionTable hitPolicy="UNIQUE">'
    '<input id="i1"><inputExpression typeRef="string"><text>Paket.Jenis</text></inputExpression></input>'
    '<input id="i2"><inputExpression typeRef="number"><text>Paket.Nilai</text></inputExpression></input>'
    '<output id="o1"/>'
    '<rule id="r1"><inputEntry><text>"barang"</text></inputEntry><inputEntry><text>&lt;= 200000000</text>'
    '</inputEntry><outputEntry><text>"Pengadaan Langsung"</text></outputEntry></rule>'
    '<rule id="r2"><inputEntry><text>"barang"</text></inputEntry><inputEntry><text>&gt; 200000000</text>'
    '</inputEntry><outputEntry><text>"Tender"</text></outputEntry></rule>'
    '<rule id="r3"><inputEntry><text>"jasa"</text></inputEntry><inputEntry><text>-</text></inputEntry>'
    '<outputEntry><text>"Seleksi"</text></outputEntry></rule>'
    '<rule id="r4"><inputEntry><text>-</text></inputEntry><inputEntry><text>&gt; 900000000</text></inputEntry>'
    '<outputEntry><text>"Tender Cepat"</text></outputEntry></rule>'
    '</decisionTable></encapsulatedLogic></businessKnowledgeModel>'
    '<decision id="d_m" name="Metode Pemilihan">'
    '<knowledgeRequirement><requiredKnowledge href="#b_metode"/></knowledgeRequirement>'
    '<invocation><literalExpression><text>Metode</text></literalExpression>'
    '<binding><parameter name="Paket.Jenis"/><literalExpression><text>Paket.Jenis</text></literalExpression>'
    '</binding><binding><parameter name="Paket.Nilai"/><literalExpression><text>Paket.Nilai</text>'
    '</literalExpression></binding></invocation></decision>', ns=DMN11)


@pytest.mark.parametrize(("jenis", "nilai", "expected"), [
    ("barang", 150_000_000, "Pengadaan Langsung"),
    ("barang", 950_000_000, None),           # rules 2 and 4 both match: UNIQUE violated inside the BKM -> null
    ("jasa", 500, "Seleksi"),
])
def test_invocation_of_a_bkm_whose_logic_is_a_decision_table(jenis, nilai, expected):
    # DMN 1.3 10.2.1.9 (invocation with named bindings) and 10.3.2.13 (a decision table as function body);
    # parameter names may contain a dot.
    result = evaluate_decision(models(BKM_TABLE)["Metode Pemilihan"], {"Paket": {"Jenis": jenis, "Nilai": nilai}})
    assert result.value == expected
    if expected is None:
        assert any("UNIQUE" in d for d in result.diagnostics)


def test_recursive_bkm_is_bounded():
    # A BKM may require itself (recursion); endless recursion ends in a DecisionError, not a crash.
    xml = definitions(
        '<businessKnowledgeModel id="b_f" name="fakt">'
        '<encapsulatedLogic><formalParameter name="n"/>'
        '<literalExpression><text>if n &lt;= 1 then 1 else n * fakt(n - 1)</text></literalExpression>'
        '</encapsulatedLogic><knowledgeRequirement><requiredKnowledge href="#b_f"/></knowledgeRequirement>'
        '</businessKnowledgeModel>'
        '<decision id="d" name="F"><knowledgeRequirement><requiredKnowledge href="#b_f"/></knowledgeRequirement>'
        '<literalExpression><text>fakt(x)</text></literalExpression></decision>')
    decision = models(xml)["F"]
    assert evaluate_decision(decision, {"x": 5}).value == Decimal(120)
    with pytest.raises(DecisionError):
        evaluate_decision(decision, {"x": -1 + 10 ** 6})


def test_missing_required_knowledge_is_a_model_error():
    xml = definitions('<decision id="d" name="D"><knowledgeRequirement><requiredKnowledge href="#nope"/>'
                      '</knowledgeRequirement><literalExpression><text>1</text></literalExpression></decision>')
    assert "required knowledge 'nope' not found" in str(compile_error(xml))


def test_java_functions_without_an_allowed_method_and_pmml_functions_are_refused():
    xml = definitions('<decision id="d" name="D"><context><contextEntry><variable name="f"/>'
                      '<functionDefinition kind="Java"><formalParameter name="a"/><context/></functionDefinition>'
                      '</contextEntry></context></decision>')
    assert "needs a class and a method signature" in str(compile_error(xml))
    xml = definitions('<decision id="d" name="D"><context><contextEntry><variable name="f"/>'
                      '<functionDefinition kind="PMML"><formalParameter name="a"/><context/></functionDefinition>'
                      '</contextEntry></context></decision>')
    assert "'PMML' is not supported" in str(compile_error(xml))


# -- 10.2.1.4 / 10.2.1.5 / 10.2.1.7: contexts, lists, relations as decision logic --------------------

CONTEXT = definitions(
    '<decision id="d_hps" name="HPS">'
    '<variable name="HPS" typeRef="number"/>'
    '<context>'
    '<contextEntry><variable name="dasar"/><literalExpression><text>volume * harga satuan</text>'
    '</literalExpression></contextEntry>'
    '<contextEntry><variable name="ppn"/><literalExpression><text>dasar * 0.11</text></literalExpression>'
    '</contextEntry>'
    '<contextEntry><literalExpression><text>dasar + ppn</text></literalExpression></contextEntry>'
    '</context></decision>'
    '<decision id="d_rincian" name="Rincian">'
    '<context>'
    '<contextEntry><variable name="item"/><list><literalExpression><text>"a"</text></literalExpression>'
    '<literalExpression><text>"b"</text></literalExpression></list></contextEntry>'
    '<contextEntry><variable name="tabel"/><relation><column name="kode"/><column name="nilai"/>'
    '<row><literalExpression><text>1</text></literalExpression><literalExpression><text>0.1 + 0.2</text>'
    '</literalExpression></row></relation></contextEntry>'
    '<contextEntry><variable name="kali"/><functionDefinition><formalParameter name="x"/>'
    '<literalExpression><text>x * faktor</text></literalExpression></functionDefinition></contextEntry>'
    '<contextEntry><variable name="faktor"/><literalExpression><text>3</text></literalExpression>'
    '</contextEntry>'
    '<contextEntry><variable name="hasil"/><literalExpression><text>kali(2)</text></literalExpression>'
    '</contextEntry>'
    '</context></decision>')


def test_context_with_a_result_entry_gives_that_result():
    # DMN 1.3 10.2.1.4: entries see earlier entries; the entry without a variable is the context's value
    assert value_of(CONTEXT, "HPS", {"volume": 10, "harga satuan": 1000}) == Decimal("11100.00")


def test_context_without_result_entry_is_a_context_of_lists_relations_and_functions():
    # 10.2.1.5 list, 10.2.1.7 relation (list of contexts), 10.2.1.8 function definition closed over the context
    value = value_of(CONTEXT, "Rincian", {})
    assert value["item"] == ["a", "b"]
    assert value["tabel"] == [{"kode": Decimal(1), "nilai": Decimal("0.3")}]
    assert value["hasil"] == Decimal(6)   # the function sees the context it is defined in, as FEEL contexts do
    result = evaluate_decision(models(CONTEXT)["Rincian"], {})
    assert result.result_list[0]["Rincian"]["kali"] is None            # functions have no plain form


def test_context_decision_result_feeds_a_requiring_decision_exactly():
    # DMN 1.3 6.3.3: the requiring decision sees the required decision's value under its name; numbers stay
    # exact decimals (no float round trip)
    xml = definitions(
        '<decision id="a" name="A"><context><contextEntry><literalExpression><text>1 / 3</text>'
        '</literalExpression></contextEntry></context></decision>'
        '<decision id="b" name="B"><informationRequirement><requiredDecision href="#a"/></informationRequirement>'
        '<literalExpression><text>A * 3</text></literalExpression></decision>')
    assert value_of(xml, "B", {}) == Decimal("0.9999999999999999999999999999999999")


# -- 8.3.2: default output entries --------------------------------------------------------------------

def _default_table(hit_policy: str) -> bytes:
    body = decision_xml("d", inputs=[("skor", "number")], outputs=[("status", "string"), ("catatan", "string")],
                        rules=[([">= 80"], ['"lulus"', '"baik"'])], hit_policy=hit_policy)
    body = body.replace('<output id="d_out0" name="status" typeRef="string">',
                        '<output id="d_out0" name="status" typeRef="string"><defaultOutputEntry><text>"gugur"</text>'
                        '</defaultOutputEntry>')
    return definitions(body)


def test_default_output_entry_applies_when_no_rule_matches():
    # DMN 1.3 8.3.2: with no match, each output takes its default (null where none is given)
    decision = models(_default_table("UNIQUE"))["Decision"]
    assert evaluate_decision(decision, {"skor": 50}).value == {"status": "gugur", "catatan": None}
    assert evaluate_decision(decision, {"skor": 90}).value == {"status": "lulus", "catatan": "baik"}
    assert evaluate_decision(decision, {"skor": 50}).matched_rules == []


def test_default_output_entry_with_multiple_hit_policy():
    decision = models(_default_table("COLLECT"))["Decision"]
    assert evaluate_decision(decision, {"skor": 10}).value == [{"status": "gugur", "catatan": None}]


# -- 8.3.4: the value of a decision table -------------------------------------------------------------

@pytest.mark.parametrize(("hit_policy", "aggregation", "expected"), [
    ("UNIQUE", None, "x"), ("COLLECT", None, ["x"]), ("RULE ORDER", None, ["x"]), ("COLLECT", "COUNT", Decimal(1)),
])
def test_table_value_by_hit_policy(hit_policy, aggregation, expected):
    xml = definitions(decision_xml("d", inputs=[("a", "number")], outputs=[("o", None)],
                                   rules=[(["1"], ['"x"' if aggregation is None else "7"])],
                                   hit_policy=hit_policy, aggregation=aggregation))
    assert value_of(xml, "Decision", {"a": 1}) == (expected if aggregation is None else Decimal(1))


def test_supported_logic_in_dmn13_namespace():
    # every boxed expression kind parses in the DMN 1.3 namespace too
    xml = definitions('<decision id="d" name="D"><list><literalExpression><text>1</text></literalExpression>'
                      '</list></decision>', ns=DMN13)
    model = models(xml)["D"]
    assert model.kind == "list" and model.output_names == ["D"]
    assert evaluate_decision(model, {}).result_list == [{"D": [1]}]


def test_default_output_entry_is_aggregated_when_nothing_matches():
    # DMN 1.3 8.3.2 with a COLLECT MAX table: no match gives the default (0), so arithmetic on the result works
    body = decision_xml("d", inputs=[("masa kerja", "number")], outputs=[("tambahan", "number")],
                        rules=[([">= 30"], ["5"]), ([">= 20"], ["3"])], hit_policy="COLLECT", aggregation="MAX")
    body = body.replace('<output id="d_out0" name="tambahan" typeRef="number">',
                        '<output id="d_out0" name="tambahan" typeRef="number"><defaultOutputEntry><text>0</text>'
                        '</defaultOutputEntry>')
    decision = models(definitions(body))["Decision"]
    assert evaluate_decision(decision, {"masa kerja": 31}).value == Decimal(5)
    assert evaluate_decision(decision, {"masa kerja": 2}).value == Decimal(0)
    assert evaluate_decision(decision, {"masa kerja": 2}).result_list == [{"tambahan": 0}]


# -- 7.3.2 / 10.3.2.9.4: item definitions as typeRefs -------------------------------------------------

ITEM_TYPES = definitions(
    '<itemDefinition name="tDaftar" isCollection="true"><typeRef>string</typeRef></itemDefinition>'
    '<itemDefinition name="tPaket"><itemComponent name="nilai"><typeRef>number</typeRef></itemComponent>'
    '</itemDefinition>'
    '<itemDefinition name="tAlias"><typeRef>tns:tDaftar</typeRef></itemDefinition>'
    '<decision id="a" name="Satu"><variable name="Satu" typeRef="tDaftar"/>'
    '<literalExpression><text>"dokumen"</text></literalExpression></decision>'
    '<decision id="b" name="Salah"><variable name="Salah" typeRef="tns:tDaftar"/>'
    '<literalExpression><text>[1, 2]</text></literalExpression></decision>'
    '<decision id="c" name="Paket"><variable name="Paket" typeRef="tPaket"/>'
    '<literalExpression><text>{nilai: 5}</text></literalExpression></decision>'
    '<decision id="d" name="Bukan Paket"><variable name="Bukan Paket" typeRef="tPaket"/>'
    '<literalExpression><text>5</text></literalExpression></decision>'
    '<decision id="e" name="Alias"><variable name="Alias" typeRef="tAlias"/>'
    '<literalExpression><text>"x"</text></literalExpression></decision>')


@pytest.mark.parametrize(("name", "expected"), [
    ("Satu", ["dokumen"]),                 # singleton-list conversion to a collection type (10.3.2.9.4)
    ("Salah", None),                       # numbers do not conform to a list of strings
    ("Paket", {"nilai": Decimal(5)}),
    ("Bukan Paket", None),                 # a number is not a structure
    ("Alias", ["x"]),                      # an item definition naming another one (with a namespace prefix)
])
def test_item_definition_type_refs_coerce_decision_results(name, expected):
    result = evaluate_decision(models(ITEM_TYPES)[name], {})
    assert result.value == expected
    assert bool(result.diagnostics) is (expected is None)


def test_typeref_on_a_boxed_context_coerces_its_value():
    # DMN 1.3 10.2.1: every boxed expression may carry a typeRef; a context typed as a number is not one
    xml = definitions(
        '<decision id="d" name="D"><context typeRef="number"><contextEntry><variable name="a"/>'
        '<literalExpression><text>1</text></literalExpression></contextEntry></context></decision>'
        '<decision id="e" name="E"><context><contextEntry><variable name="f"/>'
        '<functionDefinition typeRef="number"><formalParameter name="x"/><literalExpression><text>x + 1</text>'
        '</literalExpression></functionDefinition></contextEntry><contextEntry><literalExpression>'
        '<text>f(1)</text></literalExpression></contextEntry></context></decision>')
    result = evaluate_decision(models(xml)["D"], {})
    assert result.value is None and result.diagnostics
    assert value_of(xml, "E", {}) == Decimal(2)    # a function's typeRef is its result type, not checked here


def test_many_bkm_calls_stay_within_the_decision_time_limit():
    # each BKM call evaluates with fresh per-expression budgets; the decision's wall-clock limit still holds
    import time

    from service.expr import Limits
    xml = definitions(
        '<businessKnowledgeModel id="b" name="putar"><encapsulatedLogic><formalParameter name="n"/>'
        '<literalExpression><text>count(for i in 1..5000 return i)</text></literalExpression></encapsulatedLogic>'
        '</businessKnowledgeModel>'
        '<decision id="d" name="D"><knowledgeRequirement><requiredKnowledge href="#b"/></knowledgeRequirement>'
        '<literalExpression><text>sum(for j in 1..50000 return putar(j))</text></literalExpression></decision>')
    start = time.monotonic()
    with pytest.raises(DecisionError, match="limit exceeded"):
        evaluate_decision(models(xml)["D"], {}, limits=Limits(max_seconds=0.3))
    assert time.monotonic() - start < 2.0


ALLOWED = definitions(
    '<itemDefinition name="tStatus"><typeRef>string</typeRef><allowedValues><text>"DISETUJUI", "DITOLAK"</text>'
    '</allowedValues></itemDefinition>'
    '<itemDefinition name="tSkor"><typeRef>number</typeRef><allowedValues><text>[0..100]</text></allowedValues>'
    '</itemDefinition>'
    '<itemDefinition name="tDaftarStatus" isCollection="true"><typeRef>string</typeRef><allowedValues>'
    '<text>"DISETUJUI", "DITOLAK"</text></allowedValues></itemDefinition>'
    '<decision id="s" name="Status"><variable name="Status" typeRef="tStatus"/>'
    '<literalExpression><text>keputusan</text></literalExpression></decision>'
    '<decision id="k" name="Skor"><variable name="Skor" typeRef="tSkor"/>'
    '<literalExpression><text>nilai * 10</text></literalExpression></decision>'
    '<decision id="l" name="Daftar"><variable name="Daftar" typeRef="tDaftarStatus"/>'
    '<literalExpression><text>daftar</text></literalExpression></decision>')


@pytest.mark.parametrize(("name", "variables", "expected"), [
    ("Status", {"keputusan": "DITOLAK"}, "DITOLAK"),
    ("Status", {"keputusan": "MUNGKIN"}, None),          # outside the allowed values: null + diagnostic
    ("Skor", {"nilai": 9}, Decimal(90)),
    ("Skor", {"nilai": 11}, None),
    ("Daftar", {"daftar": ["DITOLAK", "DISETUJUI"]}, ["DITOLAK", "DISETUJUI"]),
    ("Daftar", {"daftar": ["DITOLAK", "LAIN"]}, None),   # allowed values apply to each item of a collection
])
def test_item_definition_allowed_values(name, variables, expected):
    # DMN 1.3 7.3.2: allowedValues constrain the item definition; a value outside them does not conform
    result = evaluate_decision(models(ALLOWED)[name], variables)
    assert result.value == expected
    assert any("allowed values" in d for d in result.diagnostics) is (expected is None)


def test_invalid_allowed_values_are_a_model_error():
    xml = definitions('<itemDefinition name="t"><typeRef>string</typeRef><allowedValues><text>"a",,</text>'
                      '</allowedValues></itemDefinition><decision id="d" name="D"><variable name="D" typeRef="t"/>'
                      '<literalExpression><text>"a"</text></literalExpression></decision>')
    with pytest.raises(DmnModelError, match="allowedValues"):
        parse_dmn("x.dmn", xml)


def test_question_mark_rule_does_not_match_a_null_input():
    # DMN 1.3 10.3.2.9: `? > 3` with a null input is null, not true: only the catch-all rule matches
    xml = definitions(decision_xml("d", inputs=[("nilai", "number")], outputs=[("hasil", "string")],
                                   rules=[(["? > 3"], ['"besar"']), (["-"], ['"lain"'])], hit_policy="FIRST"))
    decision = models(xml)["Decision"]
    assert evaluate_decision(decision, {"nilai": None}).value == "lain"
    assert evaluate_decision(decision, {"nilai": 5}).value == "besar"


def test_deeply_nested_contexts_are_refused_or_bounded():
    depth = 300
    body = ("<context><contextEntry><variable name=\"a\"/>" * depth + "<literalExpression><text>1</text>"
            "</literalExpression>" + "</contextEntry></context>" * depth)
    xml = definitions(f'<decision id="d" name="D">{body}</decision>')
    try:
        decision = models(xml)["D"]
    except DmnModelError:
        return                                      # the XML parser's depth limit refused it
    try:
        evaluate_decision(decision, {})
    except DecisionError:
        pass                                        # or evaluation stopped with a decision error


# -- DMN 1.4 10.2.1.x: boxed conditional, filter and iterators --------------------------------------

def _lit(text: str) -> str:
    return f"<literalExpression><text>{text}</text></literalExpression>"


BOXED_14 = definitions(
    '<decision id="c" name="Kategori"><conditional>'
    f'<if>{_lit("nilai &gt; 200000000")}</if><then>{_lit(chr(34) + "besar" + chr(34))}</then>'
    f'<else>{_lit(chr(34) + "kecil" + chr(34))}</else></conditional></decision>'
    f'<decision id="f" name="Mahal"><filter><in>{_lit("paket")}</in><match>{_lit("harga &gt; 10")}</match>'
    '</filter></decision>'
    f'<decision id="r" name="Ganda"><for iteratorVariable="x"><in>{_lit("[1, 2, 3]")}</in>'
    f'<return>{_lit("x * 2")}</return></for></decision>'
    f'<decision id="s" name="Ada"><some iteratorVariable="p"><in>{_lit("paket")}</in>'
    f'<satisfies>{_lit("p.harga &gt; 10")}</satisfies></some></decision>'
    f'<decision id="e" name="Semua"><every iteratorVariable="p"><in>{_lit("paket")}</in>'
    f'<satisfies>{_lit("p.harga &gt; 10")}</satisfies></every></decision>',
    ns="https://www.omg.org/spec/DMN/20211108/MODEL/")
PAKET = [{"nama": "a", "harga": 5}, {"nama": "b", "harga": 50}]


@pytest.mark.parametrize(("name", "variables", "expected"), [
    ("Kategori", {"nilai": 300_000_000}, "besar"),
    ("Kategori", {"nilai": None}, "kecil"),             # a null condition takes the else branch
    ("Mahal", {"paket": PAKET}, [{"nama": "b", "harga": Decimal(50)}]),
    ("Mahal", {"paket": None}, None),
    ("Ganda", {}, [Decimal(2), Decimal(4), Decimal(6)]),
    ("Ada", {"paket": PAKET}, True),
    ("Semua", {"paket": PAKET}, False),
    ("Semua", {"paket": []}, True),
])
def test_dmn14_boxed_conditional_filter_and_iterators(name, variables, expected):
    assert value_of(BOXED_14, name, variables) == expected


def test_iterator_without_variable_is_a_model_error():
    xml = definitions(f'<decision id="r" name="R"><for><in>{_lit("[1]")}</in><return>{_lit("1")}</return></for>'
                      '</decision>')
    assert "iteratorVariable" in str(compile_error(xml))


def test_bkm_and_parameter_names_with_operator_characters():
    # DMN 1.3 10.3.1.2: names may contain '-' (e.g. "Pre-bureauRisk"); invocation bindings pass them by name
    xml = definitions(
        '<businessKnowledgeModel id="b" name="Kategori-Tabel"><encapsulatedLogic>'
        '<formalParameter name="Risiko-Awal"/><formalParameter name="Usia"/>'
        '<decisionTable hitPolicy="UNIQUE"><input id="i1"><inputExpression><text>Risiko-Awal</text></inputExpression>'
        '</input><input id="i2"><inputExpression><text>Usia</text></inputExpression></input><output id="o"/>'
        '<rule id="r1"><inputEntry><text>"RENDAH"</text></inputEntry><inputEntry><text>&gt;= 18</text></inputEntry>'
        '<outputEntry><text>"LAYAK"</text></outputEntry></rule>'
        '<rule id="r2"><inputEntry><text>-</text></inputEntry><inputEntry><text>&lt; 18</text></inputEntry>'
        '<outputEntry><text>"TIDAK LAYAK"</text></outputEntry></rule>'
        '</decisionTable></encapsulatedLogic></businessKnowledgeModel>'
        '<decision id="d_awal" name="Risiko-Awal">'
        '<literalExpression><text>"RENDAH"</text></literalExpression></decision>'
        '<decision id="d" name="Kelayakan"><informationRequirement><requiredDecision href="#d_awal"/>'
        '</informationRequirement><knowledgeRequirement><requiredKnowledge href="#b"/></knowledgeRequirement>'
        '<invocation><literalExpression><text>Kategori-Tabel</text></literalExpression>'
        '<binding><parameter name="Risiko-Awal"/><literalExpression><text>Risiko-Awal</text></literalExpression>'
        '</binding><binding><parameter name="Usia"/><literalExpression><text>Pemohon.Usia</text></literalExpression>'
        '</binding></invocation></decision>')
    decision = models(xml)["Kelayakan"]
    assert evaluate_decision(decision, {"Pemohon": {"Usia": 35}}).value == "LAYAK"
    assert evaluate_decision(decision, {"Pemohon": {"Usia": 10}}).value == "TIDAK LAYAK"
