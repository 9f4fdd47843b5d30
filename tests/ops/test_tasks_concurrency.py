"""Two users completing the same task at once; a restarted service continuing an instance."""
from __future__ import annotations

import threading
from typing import Any

import pytest

from service import ops
from service.app import create_app
from service.ops import persistence
from support import fixture_bytes


def _deploy_and_start(ctx: Any) -> str:
    ops.deploy(ctx, [("pengadaan.bpmn", fixture_bytes("pengadaan.bpmn"))], name="t")
    return ops.start_instance(ctx, key="pengadaan", business_key="K").id


def test_concurrent_completion_one_wins(app: Any, db_url: str, clock: Any, tmp_path: Any,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = app.extensions["alur"].ops
    instance_id = _deploy_and_start(ctx)
    task_id = ops.query_tasks(ctx, instance_id=instance_id)[0].id
    # A second service process on the same database.
    other = create_app({"database_url": db_url, "instance_path": tmp_path, "scheduler": False, "web": False,
                        "ALUR_REST_AUTH": "off"}, clock=clock)
    other_ctx = other.extensions["alur"].ops

    barrier = threading.Barrier(2, timeout=20)
    real_save = persistence.save

    def save_after_both_loaded(*args: Any, **kwargs: Any) -> None:
        barrier.wait()          # both requests have read the same version before either writes
        real_save(*args, **kwargs)

    monkeypatch.setattr(persistence, "save", save_after_both_loaded)
    outcomes: dict[str, Any] = {}

    def worker(name: str, c: Any) -> None:
        try:
            ops.complete_task(c, task_id, {"by": name}, user=name)
            outcomes[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - recorded and asserted below
            outcomes[name] = exc

    threads = [threading.Thread(target=worker, args=(n, c)) for n, c in (("budi", ctx), ("ani", other_ctx))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    monkeypatch.setattr(persistence, "save", real_save)
    other.extensions["alur"].db.dispose()

    winners = [n for n, o in outcomes.items() if o == "ok"]
    losers = [o for o in outcomes.values() if o != "ok"]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], ops.Conflict)
    assert "completed by someone else" in losers[0].message
    # State intact: exactly one step happened, with the winner's data.
    tasks = ops.query_tasks(ctx, instance_id=instance_id)
    assert [t.element_id for t in tasks] == ["Periksa"]
    assert ops.get_variables(ctx, instance_id)["by"] == winners[0]
    ended = [h for h in ops.history(ctx, instance_id) if h.kind == "activity_ended" and h.element_id == "Siapkan"]
    assert len(ended) == 1


def test_restart_continues_instance(db_url: str, clock: Any, tmp_path: Any) -> None:
    config = {"database_url": db_url, "instance_path": tmp_path, "scheduler": False, "web": False,
              "ALUR_REST_AUTH": "off"}
    first = create_app(config, clock=clock)
    first.extensions["alur"].db.create_all()
    ctx1 = first.extensions["alur"].ops
    instance_id = _deploy_and_start(ctx1)
    ops.complete_task(ctx1, ops.query_tasks(ctx1, instance_id=instance_id)[0].id, {"nomor": "A-1"})
    first.extensions["alur"].db.dispose()

    second = create_app(config, clock=clock)
    ctx2 = second.extensions["alur"].ops
    assert len(ctx2.models) == 0        # nothing cached: the model is parsed from the stored resource
    client = second.test_client()
    tasks = client.get("/engine-rest/task", query_string={"processInstanceId": instance_id}).json
    assert [t["taskDefinitionKey"] for t in tasks] == ["Periksa"]
    r = client.post(f"/engine-rest/task/{tasks[0]['id']}/complete",
                    json={"variables": {"approved": {"value": True, "type": "Boolean"}},
                          "withVariablesInReturn": True})
    assert r.status_code == 200 and r.json["nomor"]["value"] == "A-1"
    assert ops.get_instance(ctx2, instance_id).state == "COMPLETED"
    second.extensions["alur"].db.dispose()
