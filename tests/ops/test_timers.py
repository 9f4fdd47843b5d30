"""Timers with a movable clock: intermediate, boundary, timer start; two schedulers at once."""
from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from service import ops
from service.app import create_app
from service.ops import Scheduler
from service.store import HistoryEvent, TimerStartJob
from support import fixture_bytes


def _elements(ctx: Any, instance_id: str) -> list[str]:
    return sorted(t.element_id for t in ops.query_tasks(ctx, instance_id=instance_id))


def test_intermediate_and_boundary_timers(ctx: Any, clock: Any) -> None:
    ops.deploy(ctx, [("timers.bpmn", fixture_bytes("timers.bpmn"))])
    start = clock.now()
    inst = ops.start_instance(ctx, key="tenggat")
    assert _elements(ctx, inst.id) == []
    assert ops.get_instance(ctx, inst.id).next_timer_due == start + timedelta(minutes=30)

    clock.advance(timedelta(minutes=10))
    assert ops.fire_due_timers(ctx).instances_fired == 0
    clock.advance(timedelta(minutes=21))
    run = ops.fire_due_timers(ctx)
    assert run.instances_fired == 1 and run.failures == 0
    assert _elements(ctx, inst.id) == ["Verifikasi"]
    due = ops.get_instance(ctx, inst.id).next_timer_due
    assert due == clock.now() + timedelta(hours=1)

    clock.advance(timedelta(minutes=59))
    assert ops.fire_due_timers(ctx).instances_fired == 0
    assert _elements(ctx, inst.id) == ["Verifikasi"]
    clock.advance(timedelta(minutes=2))
    assert Scheduler(ctx).run_once().instances_fired == 1
    assert _elements(ctx, inst.id) == ["Eskalasi"]        # interrupting boundary cancelled Verifikasi
    assert ops.get_instance(ctx, inst.id).next_timer_due is None
    # Nothing is fired twice.
    clock.advance(timedelta(hours=3))
    assert ops.fire_due_timers(ctx).instances_fired == 0


def test_completing_before_the_boundary_timer(ctx: Any, clock: Any) -> None:
    ops.deploy(ctx, [("timers.bpmn", fixture_bytes("timers.bpmn"))])
    inst = ops.start_instance(ctx, key="tenggat")
    clock.advance(timedelta(minutes=31))
    ops.fire_due_timers(ctx)
    task = ops.query_tasks(ctx, instance_id=inst.id)[0]
    ops.complete_task(ctx, task.id, {})
    clock.advance(timedelta(hours=2))
    assert ops.fire_due_timers(ctx).instances_fired == 0
    assert ops.get_instance(ctx, inst.id).state == "COMPLETED"


def test_timer_start_event_cycle(app: Any, ctx: Any, clock: Any) -> None:
    ops.deploy(ctx, [("laporan_berkala.bpmn", fixture_bytes("laporan_berkala.bpmn"))], tenant="pagaralam")

    def count() -> int:
        return len(ops.list_instances(ctx, definition_key="laporan_berkala"))

    assert ops.fire_due_timers(ctx).timer_starts == 0
    clock.advance(timedelta(hours=1))
    assert ops.fire_due_timers(ctx).timer_starts == 1
    assert count() == 1
    inst = ops.list_instances(ctx, definition_key="laporan_berkala")[0]
    assert inst.tenant_id == "pagaralam" and _elements(ctx, inst.id) == ["Susun"]
    clock.advance(timedelta(minutes=30))
    assert ops.fire_due_timers(ctx).timer_starts == 0
    clock.advance(timedelta(minutes=30))
    assert ops.fire_due_timers(ctx).timer_starts == 1
    clock.advance(timedelta(hours=5))
    assert ops.fire_due_timers(ctx).timer_starts == 0          # R2: two occurrences only
    assert count() == 2


def test_new_version_replaces_timer_start_job(app: Any, ctx: Any, clock: Any) -> None:
    content = fixture_bytes("laporan_berkala.bpmn")
    ops.deploy(ctx, [("laporan_berkala.bpmn", content)])
    second = ops.deploy(ctx, [("laporan_berkala.bpmn", content.replace(b"R2/PT1H", b"R/PT2H"))])
    with app.extensions["alur"].db.unit_of_work() as s:
        jobs = list(s.scalars(select(TimerStartJob)))
    assert [j.definition_id for j in jobs] == [second.processes[0].id]
    assert jobs[0].next_due == clock.now() + timedelta(hours=2)


def test_two_schedulers_never_fire_twice(app: Any, ctx: Any, clock: Any, db_url: str, tmp_path: Any) -> None:
    ops.deploy(ctx, [("timers.bpmn", fixture_bytes("timers.bpmn"))])
    ids = [ops.start_instance(ctx, key="tenggat").id for _ in range(8)]
    clock.advance(timedelta(minutes=31))
    other = create_app({"database_url": db_url, "instance_path": tmp_path, "scheduler": False, "web": False,
                        "ALUR_REST_AUTH": "off"}, clock=clock)
    schedulers = [Scheduler(ctx, owner="satu"), Scheduler(other.extensions["alur"].ops, owner="dua")]
    barrier = threading.Barrier(2, timeout=20)
    runs: list[Any] = []

    def poll(s: Scheduler) -> None:
        barrier.wait()
        runs.append(s.run_once())

    threads = [threading.Thread(target=poll, args=(s,)) for s in schedulers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    other.extensions["alur"].db.dispose()
    assert sum(r.instances_fired for r in runs) == 8
    assert all(r.failures == 0 for r in runs)
    for instance_id in ids:
        assert _elements(ctx, instance_id) == ["Verifikasi"]
    with app.extensions["alur"].db.unit_of_work() as s:
        fired = s.scalar(select(func.count()).select_from(HistoryEvent).where(
            HistoryEvent.kind == "activity_ended", HistoryEvent.element_id == "Tunggu"))
    assert fired == 8


def test_failing_timer_becomes_incident(ctx: Any, clock: Any, monkeypatch: Any) -> None:
    ops.deploy(ctx, [("timers.bpmn", fixture_bytes("timers.bpmn"))])
    inst = ops.start_instance(ctx, key="tenggat")
    clock.advance(timedelta(minutes=31))
    from service.engine import EngineError
    from service.engine.runtime import Instance

    def boom(self: Any) -> int:
        raise EngineError("gateway has no outgoing flow")

    monkeypatch.setattr(Instance, "fire_due_timers", boom)
    run = ops.fire_due_timers(ctx)
    assert run.failures == 1
    view = ops.get_instance(ctx, inst.id)
    assert view.incident is True
    assert ops.fire_due_timers(ctx).failures == 0            # backed off: not retried at once
    monkeypatch.undo()
    clock.advance(timedelta(minutes=6))
    assert ops.fire_due_timers(ctx).instances_fired == 1
    assert _elements(ctx, inst.id) == ["Verifikasi"]
    assert ops.get_instance(ctx, inst.id).incident is False


def test_external_task_projection_and_lock_expiry(app: Any, ctx: Any, clock: Any) -> None:
    from sqlalchemy import update

    from service.store import ExternalTask
    ops.deploy(ctx, [("eksternal.bpmn", fixture_bytes("eksternal.bpmn"))], tenant="kp2mi")
    inst = ops.start_instance(ctx, key="eksternal", tenant="kp2mi")
    db = app.extensions["alur"].db
    with db.unit_of_work() as s:
        (task,) = s.scalars(select(ExternalTask)).all()
        assert (task.instance_id, task.topic, task.element_id, task.tenant_id) == (inst.id, "hitung-hps", "Hitung",
                                                                                   "kp2mi")
        # A worker holds it for 5 minutes (fetchAndLock arrives with issue 6).
        s.execute(update(ExternalTask).values(worker_id="w1", lock_expiration=clock.now() + timedelta(minutes=5)))
    clock.advance(timedelta(minutes=4))
    assert ops.fire_due_timers(ctx).locks_expired == 0
    clock.advance(timedelta(minutes=2))
    assert ops.fire_due_timers(ctx).locks_expired == 1
    with db.unit_of_work() as s:
        task = s.scalars(select(ExternalTask)).one()
        assert task.worker_id is None and task.lock_expiration is None
