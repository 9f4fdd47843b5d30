"""camunda:historyTimeToLive and camunda:isStartableInTasklist are kept on the process definition and
returned by GET /process-definition/{id}, as Camunda's BpmnParseTest.testParseProcessDefinitionTtl,
testParseProcessDefinitionStringTtl, testParseProcessDefinitionEmptyTtl, testParseProcessDefinitionWithoutTtl,
testParseProcessDefinitionStartable and the three refusing tests (MalformedStringTtl, InvalidTtl, NegativTtl)
assert; the models are Camunda's own (tests/fixtures/compat/camunda-engine)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.compat.corpus import CORPUS
from tests.support import deploy_rest


def _deploy(client: Any, test_name: str) -> Any:
    name = f"BpmnParseTest.{test_name}.bpmn20.xml"
    return deploy_rest(client, (name, (CORPUS / "camunda-engine" / name).read_bytes()))


def _definition(client: Any, test_name: str) -> dict[str, Any]:
    response = _deploy(client, test_name)
    assert response.status_code == 200, response.get_json()
    (definition_id,) = response.get_json()["deployedProcessDefinitions"]
    return client.get(f"/engine-rest/process-definition/{definition_id}").get_json()


@pytest.mark.parametrize("test_name, days", [("testParseProcessDefinitionTtl", 5),
                                             ("testParseProcessDefinitionStringTtl", 5),
                                             ("testParseProcessDefinitionEmptyTtl", None),
                                             ("testParseProcessDefinitionWithoutTtl", None)])
def test_history_time_to_live_is_kept(client: Any, test_name: str, days: int | None) -> None:
    definition = _definition(client, test_name)
    assert definition["historyTimeToLive"] == days
    assert definition["startableInTasklist"] is True


@pytest.mark.parametrize("test_name", ["testParseProcessDefinitionMalformedStringTtl",
                                       "testParseProcessDefinitionInvalidTtl",
                                       "testParseProcessDefinitionNegativeTtl"])
def test_unparseable_history_time_to_live_refuses_the_deployment(client: Any, test_name: str) -> None:
    response = _deploy(client, test_name)
    assert response.status_code == 400
    assert "Cannot parse historyTimeToLive" in response.get_json()["message"]
    assert client.get("/engine-rest/process-definition/count").get_json()["count"] == 0


def test_not_startable_in_tasklist(client: Any) -> None:
    definition = _definition(client, "testParseProcessDefinitionStartable")
    assert definition["startableInTasklist"] is False
    listed = client.get("/engine-rest/process-definition").get_json()
    assert [d["startableInTasklist"] for d in listed] == [False]
