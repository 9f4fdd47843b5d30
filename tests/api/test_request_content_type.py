"""JSON endpoints take JSON only, the deployment upload multipart only (415 naming the content type):
a cross-site form POST (text/plain, urlencoded) cannot act with a browser's cached credentials."""
from __future__ import annotations

import json
from typing import Any

from support import deploy

R = "/engine-rest"
START = f"{R}/process-definition/key/layanan/start"


def test_json_endpoints_refuse_other_content_types(client: Any) -> None:
    deploy(client, "layanan.bpmn")
    body = json.dumps({"businessKey": "X"})
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                         "application/xml"):
        r = client.post(START, data=body, content_type=content_type)
        assert r.status_code == 415, (content_type, r.json)
        assert content_type.split(";")[0] in r.json["message"] and "application/json" in r.json["message"]
    r = client.post(START, data=body, headers={"Content-Type": ""})
    assert r.status_code == 415 and "(none)" in r.json["message"]
    assert client.get(f"{R}/process-instance/count").json == {"count": 0}       # nothing was started
    # JSON in its media types, and bodiless requests whatever their header says, are served.
    assert client.post(START, data=body, content_type="application/json; charset=utf-8").status_code == 200
    assert client.post(START, data=body, content_type="application/vnd.camunda+json").status_code == 200
    assert client.post(START, data="", content_type="text/plain").status_code == 200
    assert client.post(START).status_code == 200


def test_the_deployment_upload_takes_multipart_only(client: Any) -> None:
    r = client.post(f"{R}/deployment/create", data="deployment-name=x",
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415 and "multipart/form-data" in r.json["message"]
    assert deploy(client, "layanan.bpmn").status_code == 200
