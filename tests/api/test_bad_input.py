"""Issue 11: every bad input a 4xx naming the field, the component or the limit and its setting."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support import deploy_rest, fixture_bytes, make_app, typed

R = "/engine-rest"
START = f"{R}/process-definition/key/tunggu_dokumen/start"


def _form(*components: dict[str, Any]) -> tuple[str, bytes]:
    return ("f.form", json.dumps({"id": "f", "type": "default", "components": list(components)}).encode())


@pytest.mark.parametrize("component, expected", [
    ({"type": "slider", "id": "s", "key": "s"}, "component 's' has unknown type 'slider'"),
    ({"type": "number", "id": "n", "key": "n", "validate": {"min": "lima"}}, "'n' has 'validate.min' \"lima\""),
    ({"type": "number", "id": "n", "key": "n", "decimalDigits": "inf"}, "'n' has 'decimalDigits' \"inf\""),
    ({"type": "textfield", "id": "t", "key": "t", "validate": {"pattern": "("}}, "'t' has a 'validate.pattern'"),
    ({"type": "textfield", "id": "t", "key": "t", "validate": {"pattern": "(?:(?:(?:a{1000}){1000}){1000})"}},
     "longer than 0.5 s to compile"),
    ({"type": "textfield", "id": "t", "key": "t", "validate": {"maxLength": -1}}, "'validate.maxLength' -1"),
    ({"type": "group", "id": "g", "components": {"a": 1}}, "'g' has 'components' {\"a\": 1}"),
    ({"type": "textfield", "id": "t", "key": "t", "conditional": {"hide": "= x >"}}, "'conditional.hide'"),
])
def test_malformed_form_is_refused_at_deploy_naming_component_and_field(client: Any, component: dict[str, Any],
                                                                        expected: str) -> None:
    r = deploy_rest(client, _form(component))
    assert r.status_code == 400, r.json
    assert "f.form" in r.json["message"] and expected in r.json["message"], r.json["message"]


def test_form_components_not_a_list_nan_and_deep_nesting(client: Any) -> None:
    r = deploy_rest(client, ("f.form", b'{"id": "f", "components": {"a": 1}}'))
    assert r.status_code == 400 and '"components" must be a list' in r.json["message"]
    r = deploy_rest(client, ("f.form", b'{"id": "f", "components": [{"type": "number", "id": "n", "key": "n",'
                                        b' "validate": {"max": NaN}}]}'))
    assert r.status_code == 400 and "expected a finite number" in r.json["message"]
    deep = b'{"id": "f", "components": [], "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = deploy_rest(client, ("f.form", deep))
    assert r.status_code == 400 and "ALUR_MAX_FORM_DEPTH" in r.json["message"]


def test_good_forms_of_the_project_still_deploy(client: Any) -> None:
    r = deploy_rest(client, "form-siapkan.form")
    assert r.status_code == 200, r.json


def test_size_limits_answer_413_naming_the_setting(tmp_path: Path) -> None:
    app = make_app(tmp_path, ALUR_REST_AUTH="off", ALUR_MAX_MODEL_BYTES="1000", ALUR_MAX_FORM_BYTES="300",
                   ALUR_MAX_REQUEST_BYTES="100000")
    client = app.test_client()
    r = deploy_rest(client, "pesan.bpmn")
    assert r.status_code == 413 and "ALUR_MAX_MODEL_BYTES" in r.json["message"] and "pesan.bpmn" in r.json["message"]
    r = deploy_rest(client, _form(*[{"type": "text", "id": f"t{i}", "text": "x"} for i in range(10)]))
    assert r.status_code == 400 and "ALUR_MAX_FORM_BYTES" in r.json["message"]
    r = client.post(f"{R}/message", data=b"{" + b" " * 200_000 + b"}", content_type="application/json")
    assert r.status_code == 413 and "ALUR_MAX_REQUEST_BYTES" in r.json["message"]


def test_instance_state_limit(tmp_path: Path) -> None:
    app = make_app(tmp_path, ALUR_REST_AUTH="off", ALUR_MAX_INSTANCE_BYTES="60000")
    client = app.test_client()
    assert deploy_rest(client, "pesan.bpmn").status_code == 200
    # Each value is under ALUR_MAX_VARIABLE_BYTES (1 MiB); together they are over the instance limit.
    big = {f"v{i}": typed("x" * 20_000) for i in range(4)}
    r = client.post(START, json={"variables": big})
    assert r.status_code == 413 and "ALUR_MAX_INSTANCE_BYTES" in r.json["message"], r.json
    assert client.get(f"{R}/process-instance/count").json["count"] == 0
    assert client.post(START, json={"variables": {"v": typed("x" * 20_000)}}).status_code == 200


def test_variable_size_limit(tmp_path: Path) -> None:
    app = make_app(tmp_path, ALUR_REST_AUTH="off", ALUR_MAX_VARIABLE_BYTES="10000")
    client = app.test_client()
    try:
        assert deploy_rest(client, "pesan.bpmn").status_code == 200
        r = client.post(START, json={"variables": {"surat": typed("x" * 20_000)}})
        assert r.status_code == 400 and "'surat'" in r.json["message"]
        assert "ALUR_MAX_VARIABLE_BYTES" in r.json["message"]
        r = client.post(START, json={"variables": {"daftar": typed(json.dumps(list(range(5000))), "Json")}})
        assert r.status_code == 400 and "ALUR_MAX_VARIABLE_BYTES" in r.json["message"]
        assert client.post(START, json={"variables": {"surat": typed("x" * 5_000)}}).status_code == 200
    finally:
        from service.engine.values import set_max_value_bytes
        set_max_value_bytes(1024 * 1024)       # one number per process: restore the default for other tests


@pytest.mark.parametrize("path, body, field", [
    (START, '{"businessKey": "PKT-\\ud800"}', "'businessKey'"),
    (f"{R}/message", '{"messageName": "dokumen_\\udc00diterima"}', "'messageName'"),
    (START, '{"variables": {"catatan": {"value": "a\\ud83d", "type": "String"}}}', "'variables'.catatan.value"),
    (f"{R}/process-instance", '{"businessKey": "\\udfff"}', "'businessKey'"),
])
def test_lone_surrogates_are_refused_at_the_edge(client: Any, path: str, body: str, field: str) -> None:
    assert deploy_rest(client, "pesan.bpmn").status_code == 200
    r = client.post(path, data=body.encode(), content_type="application/json")
    assert r.status_code == 400 and "surrogate" in r.json["message"] and field in r.json["message"], r.json
    assert client.get(f"{R}/process-instance/count").json["count"] == 0


def test_nan_and_infinity_are_refused_as_double(client: Any) -> None:
    assert deploy_rest(client, "pesan.bpmn").status_code == 200
    for raw in ('{"variables": {"x": {"value": NaN, "type": "Double"}}}',
                '{"variables": {"x": {"value": -Infinity}}}'):
        r = client.post(START, data=raw.encode(), content_type="application/json")
        assert r.status_code == 400 and "finite" in r.json["message"], r.json
    for text in ("NaN", "Infinity", "-Infinity", "1e999"):
        r = client.post(START, json={"variables": {"x": typed(text, "Double")}})
        assert r.status_code == 400 and "'x'" in r.json["message"], (text, r.json)
    assert client.get(f"{R}/process-instance/count").json["count"] == 0
    r = client.post(START, json={"variables": {"x": typed(2.5, "Double")}})
    assert r.status_code == 200


def test_missing_message_ref_is_a_deploy_error_naming_the_element(client: Any) -> None:
    src = fixture_bytes("pesan.bpmn").replace(b' messageRef="Msg_dok"', b"")
    r = deploy_rest(client, ("p.bpmn", src))
    assert r.status_code == 400 and "intermediateCatchEvent 'Terima' has no messageRef" in r.json["message"]


def test_deep_or_non_finite_json_variables_and_long_business_keys(client: Any) -> None:
    assert deploy_rest(client, "pesan.bpmn").status_code == 200
    deep = "[" * 100_000 + "]" * 100_000
    for value, type_ in ((deep, "Json"), (deep, "Object"), ('{"a": NaN}', "Json")):
        r = client.post(START, json={"variables": {"x": typed(value, type_)}})
        assert r.status_code == 400 and "'x'" in r.json["message"], r.json
    r = client.post(START, json={"businessKey": "k" * 256})
    assert r.status_code == 400 and "businessKey" in r.json["message"] and "255" in r.json["message"]
    assert client.get(f"{R}/process-instance/count").json["count"] == 0
    assert client.post(START, json={"businessKey": "k" * 255}).status_code == 200
