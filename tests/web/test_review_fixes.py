"""Holes a reviewer proved in the web layer: starting a moved version, shared instances on /proses,
sessions after a password change, the secure-cookie default."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from service.app import create_app
from service.engine import FrozenClock
from service.ops import deploy, list_instances
from service.ops.users import create_user

from .support import PASSWORD, login, post, text


def _model(lane: str, key: str = "p") -> bytes:
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="{key}" name="Proses {key}" isExecutable="true">
    <bpmn:laneSet><bpmn:lane id="L" name="{lane}"><bpmn:flowNodeRef>S</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>T</bpmn:flowNodeRef><bpmn:flowNodeRef>E</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="S"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="T" name="Kerja"><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="E"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="T" />
    <bpmn:sequenceFlow id="F2" sourceRef="T" targetRef="E" />
  </bpmn:process></bpmn:definitions>'''.encode()


@pytest.fixture
def small_app(tmp_path: Path) -> Iterator[Any]:
    application = create_app({"database_url": f"sqlite:///{tmp_path / 'a.db'}", "instance_path": tmp_path,
                              "scheduler": False, "TESTING": True}, clock=FrozenClock())
    application.extensions["alur"].db.create_all()
    create_user(application.extensions["alur"].ops, "ppk", PASSWORD, groups=["PPK"], tenants=["t"])
    yield application
    application.extensions["alur"].db.dispose()


def test_old_version_id_does_not_start_a_latest_version_whose_start_lane_moved(small_app):
    ctx = small_app.extensions["alur"].ops
    v1 = deploy(ctx, [("p.bpmn", _model("PPK"))], name="a", tenant="t").processes[0]
    deploy(ctx, [("p.bpmn", _model("Pokja"))], name="b", tenant="t")
    client = small_app.test_client()
    login(client, "ppk")
    assert post(client, f"/mulai/{v1.id}", {"business_key": "X"}).status_code == 403
    assert list_instances(ctx, tenant="t") == []


def test_latest_version_is_still_started_when_the_lane_stays(small_app):
    ctx = small_app.extensions["alur"].ops
    v1 = deploy(ctx, [("p.bpmn", _model("PPK"))], name="a", tenant="t").processes[0]
    v2 = deploy(ctx, [("p.bpmn", _model("PPK").replace(b"Kerja", b"Kerja 2"))], name="b", tenant="t").processes[0]
    client = small_app.test_client()
    login(client, "ppk")
    assert post(client, f"/mulai/{v1.id}", {"business_key": "X"}).status_code == 302
    assert [i.definition_id for i in list_instances(ctx, tenant="t")] == [v2.id]


def test_shared_instances_are_listed_on_proses(small_app):
    ctx = small_app.extensions["alur"].ops
    shared = deploy(ctx, [("q.bpmn", _model("PPK", "q"))], name="s", tenant=None).processes[0]
    deploy(ctx, [("p.bpmn", _model("PPK"))], name="a", tenant="t")
    client = small_app.test_client()
    login(client, "ppk")
    assert post(client, f"/mulai/{shared.id}", {"business_key": "BERSAMA-1"}).status_code == 302
    page = text(client.get("/proses"))
    assert "BERSAMA-1" in page
    assert "BERSAMA-1" in text(client.get("/proses?semua=1"))


def test_password_change_ends_sessions_opened_with_the_old_password(small_app):
    from service.ops.users import set_password

    ctx = small_app.extensions["alur"].ops
    client = small_app.test_client()
    login(client, "ppk")
    assert client.get("/proses").status_code == 200
    set_password(ctx, "ppk", "kata-sandi-baru-456")
    response = client.get("/proses")
    assert response.status_code == 302 and "/masuk" in response.location
    login(client, "ppk", "kata-sandi-baru-456")
    assert client.get("/proses").status_code == 200


def test_admin_changing_own_password_keeps_own_session_but_ends_others(small_app):
    ctx = small_app.extensions["alur"].ops
    create_user(ctx, "adm", PASSWORD, groups=["admin"], tenants=["t"])
    mine, other = small_app.test_client(), small_app.test_client()
    login(mine, "adm")
    login(other, "adm")
    response = post(mine, "/admin/pengguna/adm", {"action": "password", "password": "kata-sandi-baru-456"},
                    token_from="/admin/pengguna")
    assert response.status_code == 302
    assert mine.get("/proses").status_code == 200
    assert other.get("/proses").status_code == 302


@pytest.mark.parametrize("env, debug, testing, secure", [
    ({"ALUR_PUBLIC_URL": "https://alur.example.go.id"}, False, False, True),
    ({"ALUR_PUBLIC_URL": "https://alur.example.go.id", "ALUR_INSECURE_COOKIES": "1"}, False, False, False),
    ({"ALUR_PUBLIC_URL": "https://alur.example.go.id"}, True, False, False),
    ({"ALUR_PUBLIC_URL": "https://alur.example.go.id"}, False, True, False),
    ({"ALUR_PUBLIC_URL": "http://127.0.0.1:8000"}, False, False, False),
    ({}, False, False, False),        # `make run` on http://127.0.0.1 keeps working
])
def test_session_cookie_secure_setting(env, debug, testing, secure):
    from service.config import Config
    from service.web.settings import session_cookie_secure

    cfg = Config.from_env(env)
    assert session_cookie_secure(debug=debug, testing=testing, public_url=cfg.public_url,
                                 insecure_cookies=cfg.insecure_cookies) is secure


def test_session_cookie_is_marked_secure_behind_https(tmp_path, monkeypatch):
    monkeypatch.setenv("ALUR_PUBLIC_URL", "https://alur.example.go.id")
    monkeypatch.delenv("ALUR_INSECURE_COOKIES", raising=False)
    application = create_app({"database_url": f"sqlite:///{tmp_path / 'a.db'}", "instance_path": tmp_path,
                              "scheduler": False}, clock=FrozenClock())
    try:
        assert application.config["SESSION_COOKIE_SECURE"] is True
    finally:
        application.extensions["alur"].db.dispose()


def test_serve_banner_hides_the_database_password(monkeypatch, capsys, tmp_path):
    import types

    import waitress

    from service import cli

    url = "postgresql+psycopg://alur:s3cr3t-db@db.example:5432/alur"
    cfg = types.SimpleNamespace(effective_database_url=url, scheduler=False, scheduler_interval=1, port=5000)
    monkeypatch.setattr(cli, "_config", lambda _args: cfg)
    monkeypatch.setattr(cli, "_upgrade", lambda _cfg: None)
    monkeypatch.setattr(cli, "seed_demo_users", lambda _ctx, _cfg: [])
    monkeypatch.setattr("service.app.create_app",
                        lambda _cfg: types.SimpleNamespace(extensions={"alur": types.SimpleNamespace(ops=None)}))
    monkeypatch.setattr(waitress, "serve", lambda *_a, **_kw: None)
    assert cli.main(["serve", "--port", "5999", "--no-scheduler"]) == 0
    banner = capsys.readouterr().err
    assert "s3cr3t-db" not in banner
    assert "postgresql+psycopg://alur:***@db.example:5432/alur" in banner
