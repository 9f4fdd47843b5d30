"""The OpenAPI document at /engine-rest/openapi.json, and a bounded schemathesis run over it: no
request generated from the document may produce a server error (5xx)."""
from __future__ import annotations

import base64
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from support import ADMIN, deploy, make_app, pg_schema_url, postgres_base

R = "/engine-rest"
MAX_EXAMPLES = 6
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{ADMIN[0]}:{ADMIN[1]}".encode()).decode()}


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with ExitStack() as stack:
        # On PostgreSQL when `make test` provides one: it refuses more inputs than SQLite does.
        base = postgres_base()
        url = stack.enter_context(pg_schema_url(base)) if base else None
        yield from _fuzz_app(Path(tmp_path_factory.mktemp("fuzz")), url)


def _fuzz_app(tmp_path: Path, database_url: str | None) -> Iterator[Any]:
    from service.ops.users import create_user

    app = make_app(tmp_path, database_url=database_url, ALUR_REST_AUTH="on")
    create_user(app.extensions["alur"].ops, ADMIN[0], ADMIN[1], groups=["admin", "process-owner"],
                tenants=["pagaralam"])
    client = app.test_client()
    # Some data, so that generated requests also reach past "not found".
    assert deploy(client, "layanan.bpmn", "risiko.dmn", headers=AUTH).status_code == 200
    for key in ("A", "B"):
        client.post(f"{R}/process-definition/key/layanan/start", json={"businessKey": key}, headers=AUTH)
    yield app
    app.extensions["alur"].db.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzz_app: Any) -> Any:
    return schemathesis.openapi.from_wsgi(f"{R}/openapi.json", fuzz_app)


def test_document_lists_the_issue_endpoints(fuzz_app: Any) -> None:
    doc = fuzz_app.test_client().get(f"{R}/openapi.json").json
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for path, method in (("/external-task/fetchAndLock", "post"), ("/history/process-instance", "post"),
                         ("/task", "post"), ("/message", "post"), ("/deployment/create", "post"),
                         ("/incident", "get"), ("/process-definition/key/{key}/start", "post"),
                         ("/history/decision-instance/{decision_instance_id}", "get")):
        assert method in paths[path], (path, method)
    fetch = paths["/external-task/fetchAndLock"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    component = fetch["$ref"].rsplit("/", 1)[-1]
    assert "workerId" in doc["components"]["schemas"][component]["required"]
    assert doc["components"]["securitySchemes"]["basicAuth"]["scheme"] == "basic"


def test_no_server_errors(api_schema: Any) -> None:
    """Every operation, a few generated requests each (bounded: the suite runs on 2 cores)."""
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 80

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        def run(case: Any) -> None:
            if isinstance(case.body, dict) and "asyncResponseTimeout" in case.body:
                case.body["asyncResponseTimeout"] = 0     # never make the fuzz run wait for work
            response = case.call(headers=AUTH)
            assert response.status_code < 500, (f"{case.method} {case.formatted_path} {case.query} "
                                                 f"{str(case.body)[:300]} -> {response.status_code} "
                                                 f"{response.text[:300]}")

        try:
            run()
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)
