"""/engine-rest and DMN 1.5: a decision service is a decision definition evaluable by its key; a decision
that does not compile deploys with a warning and answers null."""
from __future__ import annotations

import io
from typing import Any

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
