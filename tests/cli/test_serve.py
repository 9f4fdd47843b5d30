"""`alur serve`."""
from __future__ import annotations


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
