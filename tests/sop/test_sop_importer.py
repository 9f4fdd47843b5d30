"""The SOP importer on its own: tables -> BPMN (structure, Camunda attributes, DI) and validation errors."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from service.sop.bpmn_writer import to_bpmn
from service.sop.importer import assumptions_markdown, generate, import_tables
from service.sop.model import SopFormatError, load_table, parse_waktu, parse_yaml
from sop_di_checks import assert_clean_diagram

FIXTURES = Path(__file__).parent / "fixtures"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "di": "http://www.omg.org/spec/DD/20100524/DI",
      "camunda": "http://camunda.org/schema/1.0/bpmn",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
C = "{http://camunda.org/schema/1.0/bpmn}"
ALL_FIXTURES = ["linear.yaml", "branch_loop.yaml", "parallel.yaml", "call_rule.yaml", "csv_table.csv",
                "broken.yaml", "inclusive.yaml", "heading.yaml", "reminder.yaml"]


def xml_of(name: str) -> etree._Element:
    return etree.fromstring(to_bpmn(load_table(FIXTURES / name)))


def el(root: etree._Element, eid: str) -> etree._Element:
    found = root.xpath(f"//*[@id='{eid}']")
    assert found, eid
    return found[0]


def props(node: etree._Element) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in node.iterfind(".//camunda:property", NS)}


def test_linear_properties_forms_and_lanes() -> None:
    root = xml_of("linear.yaml")
    proc = root.find("bpmn:process", NS)
    assert proc.get("id") == "uji_linear" and proc.get("isExecutable") == "true"
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert participant.get("processRef") == "uji_linear" and participant.get("name") == "SOP Uji Linear"
    lanes = proc.findall("bpmn:laneSet/bpmn:lane", NS)
    assert [ln.get("name") for ln in lanes] == ["PPK", "Kepala UKPBJ"]
    refs = {ln.get("name"): [r.text for r in ln.findall("bpmn:flowNodeRef", NS)] for ln in lanes}
    assert refs == {"PPK": ["StartEvent", "Step_1"], "Kepala UKPBJ": ["Step_2", "Task_arsip", "End_selesai"]}
    s1 = el(root, "Step_1")
    assert etree.QName(s1).localname == "userTask"
    assert s1.get(C + "formRef") == "uji_linear-1" and s1.get(C + "formRefBinding") == "latest"
    assert props(s1) == {"sop.no": "1", "mutu.kelengkapan": "SK PPK; Dokumen Anggaran", "mutu.waktu": "P2D",
                         "mutu.hari": "kerja", "mutu.output": "Dokumen Persiapan Pengadaan"}
    doc = s1.find("bpmn:documentation", NS).text
    assert "Menyusun dokumen persiapan pengadaan" in doc and "Keterangan: Sesuai Perlem" in doc
    assert props(el(root, "Step_2"))["mutu.waktu"] == "PT30M"
    arsip = el(root, "Task_arsip")
    # a manual step waits for someone to record it: a userTask without a form (a manualTask passes through)
    assert etree.QName(arsip).localname == "userTask" and arsip.get(C + "formRef") is None
    assert "sop.no" not in props(arsip)
    assert el(root, "StartEvent").get(C + "formRef") == "uji_linear-start"
    assert proc.get(C + "historyTimeToLive")


def test_branch_with_loop_conditions_and_default() -> None:
    root = xml_of("branch_loop.yaml")
    gw = el(root, "Gateway_4")
    assert etree.QName(gw).localname == "exclusiveGateway" and gw.get("name") == "DPP lengkap?"
    default = el(root, gw.get("default"))
    assert default.get("targetRef") == "Step_5" and default.find("bpmn:conditionExpression", NS) is None
    cond_flow = el(root, "Flow_Gateway_4_Step_6")
    cond = cond_flow.find("bpmn:conditionExpression", NS)
    assert cond.get(f"{{{NS['xsi']}}}type") == "bpmn:tFormalExpression"
    assert cond.text == "${dpp_lengkap == 'ya'}" and cond_flow.get("name") == "a. Lengkap"
    back = el(root, "Flow_Step_5_Step_4")
    assert back.get("sourceRef") == "Step_5" and back.get("targetRef") == "Step_4"
    assert props(el(root, "StartEvent")) == {"sop.no": "1"}
    assert props(el(root, "End_selesai")) == {"sop.no": "9"}


def test_parallel_substeps_split_and_join() -> None:
    root = xml_of("parallel.yaml")
    split, join = el(root, "Gateway_2"), el(root, "Join_2")
    assert etree.QName(split).localname == etree.QName(join).localname == "parallelGateway"
    assert [o.text for o in split.findall("bpmn:outgoing", NS)] == [
        "Flow_Gateway_2_Step_2a", "Flow_Gateway_2_Step_2b", "Flow_Gateway_2_Step_2c"]
    assert len(join.findall("bpmn:incoming", NS)) == 3
    assert el(root, "Flow_Join_2_Step_3").get("sourceRef") == "Join_2"
    assert props(el(root, "Step_2c"))["sop.no"] == "2c"


def test_heading_row_becomes_the_split_gateway() -> None:
    root = xml_of("heading.yaml")
    split = el(root, "Gateway_2")
    assert etree.QName(split).localname == "parallelGateway" and split.get("name") == "2. Mengolah data penyedia"
    assert props(split)["sop.no"] == "2" and not root.xpath("//*[@id='Step_2']")
    assert el(root, "Flow_Step_1_Gateway_2") is not None
    with pytest.raises(SopFormatError, match="heading: only a step with parallel sub-steps"):
        parse_yaml(BASE + '  - {no: "1", name: S, lane: A, heading: true}', "t.yaml")


def test_reminder_is_a_non_interrupting_timer_to_an_external_task() -> None:
    root = xml_of("reminder.yaml")
    timer = el(root, "Reminder_11")
    assert (timer.get("attachedToRef"), timer.get("cancelActivity")) == ("Step_11", "false")
    assert timer.find("bpmn:timerEventDefinition/bpmn:timeCycle", NS).text == "R/P1M"
    assert el(root, "Reminder_12").find("bpmn:timerEventDefinition/bpmn:timeDuration", NS).text == "P3D"
    task = el(root, "Task_pengingat_11")
    assert (task.get(C + "type"), task.get(C + "topic")) == ("external", "alur-pengingat")
    assert props(task) == {"pengingat.langkah": "11", "pengingat.task": "Step_11"}     # no sop.no: not a seed step
    assert el(root, "Flow_Task_pengingat_11_End_pengingat_11") is not None
    with pytest.raises(SopFormatError, match="reminder: only a user or manual task"):
        parse_yaml(BASE + '  - {no: "1", name: S, lane: A, kind: call, call: {key: x}, reminder: P1D}', "t.yaml")


def test_inclusive_split_with_join() -> None:
    root = xml_of("inclusive.yaml")
    split, join = el(root, "Gateway_7"), el(root, "Join_7")
    assert etree.QName(split).localname == etree.QName(join).localname == "inclusiveGateway"
    assert split.get("default") == "Flow_Gateway_7_Join_7"
    assert sorted(i.text for i in join.findall("bpmn:incoming", NS)) == [
        "Flow_Gateway_7_Join_7", "Flow_Step_7a_Join_7", "Flow_Step_7b_Join_7"]
    assert [i.text for i in el(root, "Step_8").findall("bpmn:incoming", NS)] == ["Flow_Join_7_Step_8"]


def test_call_activity_and_business_rule_task() -> None:
    root = xml_of("call_rule.yaml")
    rule = el(root, "Task_metode")
    assert etree.QName(rule).localname == "businessRuleTask"
    assert (rule.get(C + "decisionRef"), rule.get(C + "resultVariable"), rule.get(C + "mapDecisionResult")) == (
        "uji_metode", "metode", "singleEntry")
    call = el(root, "Step_2")
    assert etree.QName(call).localname == "callActivity"
    assert call.get("calledElement") == "uji_linear" and call.get(C + "calledElementBinding") == "latest"
    assert [x.get("variables") for x in call.findall("bpmn:extensionElements/camunda:in", NS)] == ["all"]
    assert [x.get("variables") for x in call.findall("bpmn:extensionElements/camunda:out", NS)] == ["all"]
    assert el(root, "Flow_Step_2_End_selesai") is not None


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_diagram_interchange_complete_and_clean(name: str) -> None:
    assert_clean_diagram(xml_of(name))


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_generated_model_parses_with_the_engine(name: str) -> None:
    from service.engine import parse_bpmn
    table = load_table(FIXTURES / name)
    assert generate(table).validation_note is None       # import_tables ran service.engine.parse_bpmn
    (model,) = parse_bpmn(f"{table.key}.bpmn", to_bpmn(table), validate_xsd=True)   # BPMN 2.0 schema too
    assert model.key == table.key and model.lanes == table.lanes and model.executable
    tasks = {e.id: e for e in model.elements.values() if e.properties.get("sop.no")}
    assert {e.properties["sop.no"] for e in tasks.values()} == {
        s.no for s in table.all_steps() if s.no is not None} | ({table.start.no} if table.start.no else set()) \
        | {e.no for e in table.ends if e.no}


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = to_bpmn(load_table(FIXTURES / "branch_loop.yaml"))
    assert to_bpmn(load_table(FIXTURES / "branch_loop.yaml")) == first
    import_tables([FIXTURES / "branch_loop.yaml", FIXTURES / "linear.yaml"], tmp_path)
    snapshot = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.rglob("*") if p.is_file()}
    import_tables([FIXTURES / "branch_loop.yaml", FIXTURES / "linear.yaml"], tmp_path)
    assert snapshot == {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.rglob("*") if p.is_file()}
    assert (tmp_path / "bpmn" / "uji" / "uji_cabang.bpmn").read_bytes() == first
    assert (tmp_path / "forms" / "uji" / "uji_linear-start.form").is_file()


def test_stale_forms_of_removed_steps_are_deleted(tmp_path: Path) -> None:
    forms = tmp_path / "forms" / "uji"
    forms.mkdir(parents=True)
    (forms / "uji_linear-9.form").write_text("{}")           # a step the table no longer has
    (forms / "uji_linear-x-1.form").write_text("{}")         # another table's form (key uji_linear-x)
    import_tables([FIXTURES / "linear.yaml"], tmp_path)
    assert sorted(p.name for p in forms.iterdir()) == [
        "uji_linear-1.form", "uji_linear-2.form", "uji_linear-start.form", "uji_linear-x-1.form"]


def test_csv_table() -> None:
    table = load_table(FIXTURES / "csv_table.csv")
    assert table.lanes == ["Pelaku Usaha", "Verifikator"] and table.source.lines == (447, 486)
    assert table.steps[0].kelengkapan == ["Formulir Pendaftaran", "Akta pendirian"]
    assert table.steps[0].waktu == "PT10M"
    gw = table.steps[1].gateway
    assert gw.type == "exclusive" and gw.name == "Berkas lengkap?"
    assert [(b.label, b.to, b.when, b.default) for b in gw.branches] == [
        ("a. Lengkap", "4", "${berkas_lengkap == true}", False), ("b. Tidak lengkap", "3", None, True)]
    root = etree.fromstring(to_bpmn(table))
    assert etree.QName(el(root, "Step_3")).localname == "userTask" and el(root, "Step_3").get(C + "formRef") is None
    assert el(root, "Flow_Step_3_Step_2") is not None


@pytest.mark.parametrize("text, iso", [("5 hari", "P5D"), ("2 Jam", "PT2H"), ("30 menit", "PT30M"),
                                       ("180 mnt", "PT180M"), ("P1D", "P1D"), ("pt30m", "PT30M"),
                                       ("1 minggu", "P5D"), ("0,5 hari", "PT3.75H"), ("N/A", None),
                                       ("Sesuai kebutuhan penyedia", None), (None, None)])
def test_parse_waktu(text: str | None, iso: str | None) -> None:
    assert parse_waktu(text) == iso


BASE = """
key: t
tenant: x
name: T
lanes: [A, B]
steps:
"""


@pytest.mark.parametrize("steps, expected", [
    ('  - {no: "1", name: S, lane: C}', "step 1: lane: 'C' is not one of the lanes"),
    ('  - {no: "1", name: S, lane: A, next: "9"}', "step 1: next: '9' is neither a step nor an end"),
    ('  - {no: "1", name: S, lane: A, kind: rule}', "step 1: decision: a rule step needs decision"),
    ('  - {no: "1", name: S, lane: A, waktu: sebentar}', "step 1: waktu: cannot read 'sebentar'"),
    ('  - {no: "1", name: S, lane: A}\n  - {no: "1", name: T, lane: B}', "step 1: no: duplicate step number"),
    ('  - {no: "1", name: S, lane: A, fields: [{key: a, type: slider}]}', "step 1 field a: type: 'slider'"),
    ('  - {no: "1", name: S, lane: A, fields: [{key: a b}]}', "key: 'a b' must be an identifier"),
    ('  - {no: "1", name: S, lane: A, gateway: {branches: [{to: end, when: "x == 1"}, {to: end, default: true}]}}',
     "is not a JUEL expression"),
    ('  - {no: "1", name: S, lane: A, gateway: {branches: [{to: end}, {to: end, default: true}]}}',
     "needs when:"),
    ('  - {name: S, lane: A}', "give exactly one of no"),
    ('  - {no: "1", name: S, lane: A, gateway: {join: "1", branches: [{to: end, when: "${x}"}, '
     '{to: end, default: true}]}}',
     "gateway.join: only inclusive and parallel gateways are joined"),
    ('  - {no: "1", name: S, lane: A, gateway: {type: inclusive, join: "1", branches: [{to: end, when: "${x}"}, '
     '{to: end, default: true}]}}', "the join step '1' must come after step 1"),
])
def test_validation_errors_name_file_step_and_field(steps: str, expected: str) -> None:
    with pytest.raises(SopFormatError) as info:
        parse_yaml(BASE + steps, "sop/x/t.yaml")
    assert any(p.startswith("sop/x/t.yaml: ") and expected in p for p in info.value.problems), info.value.problems


def test_unreachable_step_is_an_error() -> None:
    table = parse_yaml(BASE + '  - {no: "1", name: S, lane: A, next: end}\n  - {no: "2", name: T, lane: B}', "t.yaml")
    with pytest.raises(SopFormatError, match="Step_2: no path from the start"):
        to_bpmn(table)


def test_import_writes_nothing_when_any_table_is_bad(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE + '  - {no: "1", name: S, lane: Z}\n')
    out = tmp_path / "out"
    with pytest.raises(SopFormatError):
        import_tables([FIXTURES / "linear.yaml", bad], out)
    assert not out.exists()


def test_assumptions_markdown_lists_assumptions_and_trace() -> None:
    text = assumptions_markdown([load_table(FIXTURES / "branch_loop.yaml"), load_table(FIXTURES / "linear.yaml")])
    assert "## uji / uji_cabang: SOP Uji Cabang dan Ulang" in text
    assert "- **step 3**: uji. Reading: dilewati. Why: fixture" in text
    assert "seed steps without a task: 3, 7, 8" in text
    assert "uji_linear" not in text          # nothing to say about it


def test_diagram_checker_catches_overlaps_and_crossings() -> None:
    root = xml_of("linear.yaml")
    s1 = root.find(".//bpmndi:BPMNShape[@bpmnElement='Step_1']/dc:Bounds", NS)
    s2 = root.find(".//bpmndi:BPMNShape[@bpmnElement='Step_2']/dc:Bounds", NS)
    s2.set("x", s1.get("x"))
    s2.set("y", s1.get("y"))
    with pytest.raises(AssertionError):
        assert_clean_diagram(root)
    root = xml_of("linear.yaml")
    wp = root.find(".//bpmndi:BPMNEdge[@bpmnElement='Flow_StartEvent_Step_1']/di:waypoint", NS)
    wp.set("y", str(float(wp.get("y")) + 7))           # no longer orthogonal
    with pytest.raises(AssertionError, match="not orthogonal"):
        assert_clean_diagram(root)
