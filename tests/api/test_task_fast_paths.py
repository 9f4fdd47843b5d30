"""Task JSON and the completion body without marshmallow give what the schemas give."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from service.api.task import CompleteSchema, TaskSchema, task_json
from service.ops.views import TaskView

BASE = TaskView(id="t-1", name="Periksa", element_id="Periksa", instance_id="i-1", definition_id="d:1:x",
                definition_key="d", business_key="K-1", lane="Pokja", assignee=None, owner=None,
                created=datetime(2026, 3, 4, 5, 6, 7, 891_234, tzinfo=timezone.utc), due=None, follow_up=None,
                priority=50, form_key=None, form_ref=None, form_ref_binding=None, form_ref_version=None,
                tenant_id=None, candidate_groups=["staf"], candidate_users=[], properties={}, form_fields=[],
                documentation=None)
WIB = timezone(timedelta(hours=7))


@pytest.mark.parametrize("view", [
    BASE,
    replace(BASE, name=None, assignee="budi", owner="ani", due=datetime(2026, 5, 1, 9, tzinfo=WIB),
            follow_up=datetime(2026, 4, 1, tzinfo=timezone.utc), priority=70, form_key="embedded:app:f.html",
            tenant_id="pagaralam", documentation="Periksa berkas"),
    replace(BASE, form_ref="form-siapkan", form_ref_binding=None, form_ref_version=None),
    replace(BASE, form_ref="form-siapkan", form_ref_binding="version", form_ref_version=3),
])
def test_task_json_equals_the_schema(view: TaskView) -> None:
    fast = task_json(view)
    schema = TaskSchema().dump(view)
    assert fast == schema and list(fast) == list(schema)


@pytest.mark.parametrize("body", [
    {}, {"variables": None}, {"variables": {}, "withVariablesInReturn": None},
    {"variables": {"a": {"value": 1, "type": "Integer"}}, "withVariablesInReturn": True},
    {"variables": {"a": {"value": "x"}}, "withVariablesInReturn": False, "unknown": 1},
])
def test_the_usual_completion_body_reads_as_the_schema_reads_it(app: Any, body: dict[str, Any]) -> None:
    from service.api.task import _complete_body

    with app.test_request_context(json=body):
        assert _complete_body() == CompleteSchema().load(body)


@pytest.mark.parametrize("body, expected", [
    ({"withVariablesInReturn": "true"}, {"variables": None, "withVariablesInReturn": True}),
])
def test_other_shapes_go_through_the_schema(app: Any, body: dict[str, Any], expected: dict[str, Any]) -> None:
    from service.api.task import _complete_body

    with app.test_request_context(json=body):
        assert _complete_body() == expected


def test_a_wrong_variables_shape_is_refused_by_the_schema(client: Any) -> None:
    r = client.post("/engine-rest/task/nope/complete", json={"variables": [1, 2]})
    assert r.status_code == 400 and "variables" in r.json["message"]
