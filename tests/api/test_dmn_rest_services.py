"""/engine-rest and DMN 1.5: a decision service is a decision definition evaluable by its key; a decision
that does not compile deploys with a warning and answers null."""
from __future__ import annotations

import io
from typing import Any

from service.ops import ModelCache
from support import typed

R = "/engine-rest"
DMN15 = "https://www.omg.org/spec/DMN/20230324/MODEL/"
MODEL = f"""<definitions xmlns="{DMN15}" id="defs" name="Layanan" namespace="http://alur/test">
  <inputData id="nama" name="nama"><variable name="nama" typeRef="string"/></inputData>
  <decision id="sapaan" name="sapaan"><variable name="sapaan" typeRef="string"/>
    <informationRequirement><requiredInput href="#nama"/></informationRequirement>
    <literalExpression><text>"Yth. " + nama</text></literalExpression></decision>
  <decision id="rusak" name="rusak"><variable name="rusak"/>
    <literalExpression><text>1 +</text></literalExpression></decision>
  <decisionService id="layanan_sapaan" name="Layanan Sapaan">
    <outputDecision href="#sapaan"/><inputData href="#nama"/></decisionService>
</definitions>""".encode()


def _deploy(client: Any) -> Any:
    return client.post(f"{R}/deployment/create", content_type="multipart/form-data", data={
        "deployment-name": "layanan", "layanan.dmn": (io.BytesIO(MODEL), "layanan.dmn")})


def test_decision_service_evaluates_by_key_and_broken_decision_is_a_warning(client: Any) -> None:
    r = _deploy(client)
    assert r.status_code == 200, r.json
    keys = {d["key"] for d in r.json["deployedDecisionDefinitions"].values()}
    assert keys == {"sapaan", "rusak", "layanan_sapaan"}
    [warning] = r.json["warnings"]
    assert "rusak" in warning and "1 +" in warning
    r = client.post(f"{R}/decision-definition/key/layanan_sapaan/evaluate",
                    json={"variables": {"nama": typed("Budi", "String")}})
    assert r.status_code == 200, r.json
    assert r.json == [{"sapaan": {"type": "String", "value": "Yth. Budi", "valueInfo": {}}}]
    r = client.post(f"{R}/decision-definition/key/rusak/evaluate", json={"variables": {}})
    assert r.status_code == 200 and r.json == []


LIBRARY = f"""<definitions xmlns="{DMN15}" id="lib" name="Pustaka" namespace="urn:pustaka">
  <businessKnowledgeModel id="salam" name="Salam"><encapsulatedLogic>
    <formalParameter name="n" typeRef="string"/>
    <literalExpression><text>"Salam, " + n</text></literalExpression></encapsulatedLogic>
  </businessKnowledgeModel>
  <decision id="versi" name="versi"><literalExpression><text>1</text></literalExpression></decision>
</definitions>""".encode()
USES_LIBRARY = f"""<definitions xmlns="{DMN15}" id="main" name="Utama" namespace="urn:utama">
  <import namespace="urn:pustaka" name="pustaka" importType="{DMN15}"/>
  <inputData id="nama" name="nama"><variable name="nama" typeRef="string"/></inputData>
  <decision id="sambutan" name="sambutan"><variable name="sambutan" typeRef="string"/>
    <informationRequirement><requiredInput href="#nama"/></informationRequirement>
    <knowledgeRequirement><requiredKnowledge href="urn:pustaka#salam"/></knowledgeRequirement>
    <literalExpression><text>pustaka.Salam(nama)</text></literalExpression></decision>
</definitions>""".encode()


def test_a_decision_importing_another_file_of_its_deployment(client: Any) -> None:
    r = client.post(f"{R}/deployment/create", content_type="multipart/form-data", data={
        "deployment-name": "impor", "utama.dmn": (io.BytesIO(USES_LIBRARY), "utama.dmn"),
        "pustaka.dmn": (io.BytesIO(LIBRARY), "pustaka.dmn")})
    assert r.status_code == 200, r.json
    assert r.json["warnings"] == []
    # evaluated from a cold model cache, so the stored resources (not the deploy request) supply the import
    client.application.extensions["alur"].ops.models = ModelCache()
    r = client.post(f"{R}/decision-definition/key/sambutan/evaluate",
                    json={"variables": {"nama": typed("Budi", "String")}})
    assert r.status_code == 200, r.json
    assert r.json == [{"sambutan": {"type": "String", "value": "Salam, Budi", "valueInfo": {}}}]


def test_an_import_outside_the_deployment_is_a_warning_and_null(client: Any) -> None:
    r = client.post(f"{R}/deployment/create", content_type="multipart/form-data", data={
        "deployment-name": "impor", "utama.dmn": (io.BytesIO(USES_LIBRARY), "utama.dmn")})
    assert r.status_code == 200, r.json
    [warning] = r.json["warnings"]
    assert "sambutan" in warning
    r = client.post(f"{R}/decision-definition/key/sambutan/evaluate",
                    json={"variables": {"nama": typed("Budi", "String")}})
    assert r.status_code == 200 and r.json == []
