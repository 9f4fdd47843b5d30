"""History queries page, sort and count in SQL: a page is the slice of the full sorted list, counts
agree with the lists, and the statement carries LIMIT/OFFSET."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

import pytest
from support import deploy, typed
from sqlalchemy import event

R = "/engine-rest"


def _run_instances(client: Any, clock: Any, n: int = 5) -> list[str]:
    deploy(client, "layanan.bpmn")
    ids = []
    for i in range(n):
        clock.advance(timedelta(minutes=1))
        pi = client.post(f"{R}/process-definition/key/layanan/start",
                         json={"businessKey": f"B-{i % 3}", "variables": {"nilai": typed(i, "Long")}}).json
        ids.append(pi["id"])
    for i in range(n - 2):       # the last two instances stay at the external task
        clock.advance(timedelta(seconds=30 * (i + 1)))
        [ext] = client.post(f"{R}/external-task/fetchAndLock", json={
            "workerId": "w", "maxTasks": 1, "topics": [{"topicName": "periksa", "lockDuration": 60000,
                                                        "processInstanceIdIn": [ids[i]]}]}).json
        client.post(f"{R}/external-task/{ext['id']}/complete", json={"workerId": "w"})
    return ids


@pytest.fixture
def statements(app: Any) -> Iterator[list[str]]:
    engine = app.extensions["alur"].db.engine
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("path,sort_by", [
    ("process-instance", "startTime"), ("process-instance", "businessKey"), ("process-instance", "duration"),
    ("activity-instance", "activityId"), ("activity-instance", "endTime"), ("activity-instance", "duration"),
    ("task", "taskName"), ("task", "startTime"),
    ("variable-instance", "variableName"), ("variable-instance", "instanceId"),
])
def test_pages_are_slices_of_the_sorted_list(client: Any, clock: Any, path: str, sort_by: str,
                                             statements: list[str]) -> None:
    _run_instances(client, clock)
    for order in ("asc", "desc"):
        query = {"sortBy": sort_by, "sortOrder": order}
        full = client.get(f"{R}/history/{path}", query_string=query).json
        assert len(full) >= 3
        count = client.get(f"{R}/history/{path}/count").json["count"]
        assert count == len(full)
        statements.clear()
        page = client.get(f"{R}/history/{path}", query_string={**query, "firstResult": 1, "maxResults": 2}).json
        assert page == full[1:3]
        assert any("LIMIT" in s.upper() and "OFFSET" in s.upper() for s in statements)
        posted = client.post(f"{R}/history/{path}?firstResult=1&maxResults=2",
                             json={"sorting": [{"sortBy": sort_by, "sortOrder": order}]}).json
        assert posted == page
        values = [_sort_value(item, sort_by) for item in full]
        present = [v for v in values if v is not None]
        assert present == sorted(present, reverse=order == "desc")
        nulls = [i for i, v in enumerate(values) if v is None]
        # NULL first ascending, last descending.
        assert nulls == (list(range(len(nulls))) if order == "asc" else list(range(len(values) - len(nulls),
                                                                                    len(values))))


def _sort_value(item: dict[str, Any], sort_by: str) -> Any:
    field = {"instanceId": "processInstanceId", "duration": "durationInMillis", "taskName": "name",
             "variableName": "name"}.get(sort_by, sort_by)
    if sort_by == "duration" and "duration" in item:
        field = "duration"
    return item[field]


def test_filters_and_counts(client: Any, clock: Any) -> None:
    ids = _run_instances(client, clock)
    assert client.get(f"{R}/history/process-instance/count", query_string={"finished": "true"}).json == {"count": 0}
    assert client.get(f"{R}/history/process-instance/count",
                      query_string={"processInstanceBusinessKey": "B-1"}).json == {"count": 2}
    unfinished = client.get(f"{R}/history/activity-instance", query_string={"unfinished": "true"}).json
    assert sorted(a["activityId"] for a in unfinished) == ["Periksa"] * 2 + ["Tinjau"] * 3
    assert client.get(f"{R}/history/activity-instance/count", query_string={"unfinished": "true"}
                      ).json == {"count": 5}
    finished = client.post(f"{R}/history/activity-instance/count", json={"finished": True,
                                                                          "activityId": "Periksa"}).json
    assert finished == {"count": 3}
    assert client.get(f"{R}/history/task/count", query_string={"unfinished": "true"}).json == {"count": 3}
    assert client.get(f"{R}/history/variable-instance/count",
                      query_string={"processInstanceIdIn": ",".join(ids[:2])}).json == {"count": 2}
    assert client.get(f"{R}/history/variable-instance/count", query_string={"variableNameLike": "NIL%"}
                      ).json == {"count": 0}
    assert client.get(f"{R}/history/variable-instance", query_string={"maxResults": 0}).json == []
    assert client.get(f"{R}/history/task", query_string={"sortBy": "nope", "sortOrder": "asc"}).status_code == 400


def test_variable_records_follow_removal_and_recreation(client: Any, clock: Any) -> None:
    [pid, *_] = _run_instances(client, clock, n=1)
    [first] = client.get(f"{R}/history/variable-instance", query_string={"variableName": "nilai"}).json
    clock.advance(timedelta(minutes=1))
    assert client.delete(f"{R}/process-instance/{pid}/variables/nilai").status_code == 204
    [removed] = client.get(f"{R}/history/variable-instance", query_string={"variableName": "nilai"}).json
    assert removed["id"] == first["id"] and removed["state"] == "DELETED" and removed["value"] == 0
    clock.advance(timedelta(minutes=1))
    assert client.put(f"{R}/process-instance/{pid}/variables/nilai", json=typed(7, "Long")).status_code == 204
    [again] = client.get(f"{R}/history/variable-instance", query_string={"variableName": "nilai"}).json
    assert again["id"] != first["id"] and again["state"] == "CREATED" and again["value"] == 7
    assert again["createTime"] > first["createTime"]
    assert client.get(f"{R}/history/variable-instance/{again['id']}").json == again
    assert client.get(f"{R}/history/variable-instance/{first['id']}").status_code == 404
