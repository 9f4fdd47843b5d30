"""Admin page, demo users and the `alur users` command."""
from __future__ import annotations

import io
import sys

import pytest

from service.ops import BadRequest, Conflict
from service.ops.users import (
    authenticate,
    create_user,
    demo_accounts,
    get_user,
    list_users,
    seed_demo_users,
    tenant_groups,
)

from .support import PASSWORD, login, post, text


def test_demo_users_one_per_lane_per_tenant(ctx):
    names = {u.id for u in list_users(ctx)}
    for tenant in ("pagaralam", "mojokerto"):
        for lane in ("ppk", "kepala-ukpbj", "pokja-pemilihan"):
            assert f"{lane}.{tenant}" in names
        assert f"pemilik-proses.{tenant}" in names
    assert "admin" in names
    ppk = get_user(ctx, "ppk.pagaralam")
    assert ppk.groups == ("PPK",) and ppk.tenants == ("pagaralam",)
    assert tenant_groups(ctx, "pagaralam") == ["PPK", "Kepala UKPBJ", "Pokja Pemilihan", "Pejabat Pengadaan",
                                               "process-owner", "admin"]
    assert get_user(ctx, "pejabat-pengadaan.pagaralam").groups == ("Pejabat Pengadaan",)
    assert seed_demo_users(ctx, password=PASSWORD) == []        # idempotent
    assert len(demo_accounts(ctx)) == len(names)


def test_user_rules(ctx):
    with pytest.raises(BadRequest):
        create_user(ctx, "Bad Name", "panjang-sekali")
    with pytest.raises(BadRequest):
        create_user(ctx, "pendek", "123")
    with pytest.raises(Conflict):
        create_user(ctx, "ppk.pagaralam", "panjang-sekali")


def test_admin_page_is_for_admins_only(make_client):
    for user in ("ppk.pagaralam", "pemilik-proses.pagaralam"):
        client = make_client()
        login(client, user)
        assert client.get("/admin/pengguna").status_code == 403
        assert post(client, "/admin/pengguna", {"username": "x1", "password": "panjang-sekali"}).status_code == 403
        assert post(client, "/admin/pengguna/ppk.pagaralam", {"action": "password",
                                                              "password": "diambil-alih"}).status_code == 403


def test_admin_creates_user_changes_groups_and_password(make_client, ctx):
    admin = make_client()
    login(admin, "admin")
    page = text(admin.get("/admin/pengguna"))
    assert "ppk.pagaralam" in page and "Pokja Pemilihan" in page
    response = post(admin, "/admin/pengguna", {"username": "rina", "display_name": "Rina", "password": "rina-rahasia",
                                                "groups": ["PPK"], "tenants": ["pagaralam"], "groups_lain": "Auditor"},
                    token_from="/admin/pengguna")
    assert response.status_code == 302
    rina = get_user(ctx, "rina")
    assert rina.groups == ("Auditor", "PPK") and rina.tenants == ("pagaralam",)
    bad = post(admin, "/admin/pengguna", {"username": "rina", "password": "rina-rahasia"}, token_from="/admin/pengguna")
    assert bad.status_code == 400 and "sudah ada" in text(bad)
    post(admin, "/admin/pengguna/rina", {"action": "memberships", "groups": ["Pokja Pemilihan"],
                                         "tenants": ["mojokerto"], "active": "1"}, token_from="/admin/pengguna")
    rina = get_user(ctx, "rina")
    assert rina.groups == ("Pokja Pemilihan",) and rina.tenants == ("mojokerto",)
    post(admin, "/admin/pengguna/rina", {"action": "password", "password": "kata-sandi-baru"},
         token_from="/admin/pengguna")
    assert authenticate(ctx, "rina", "kata-sandi-baru") is not None
    assert authenticate(ctx, "rina", "rina-rahasia") is None


def test_cli_users_add_list_passwd(app, ctx, monkeypatch, capsys):
    from service import cli

    monkeypatch.setattr(cli, "context", lambda args: (ctx, None))
    monkeypatch.setattr(sys, "stdin", io.StringIO("sandi-cli-123\n"))
    assert cli.main(["users", "add", "dewi", "--name", "Dewi", "--group", "PPK", "--tenant", "pagaralam",
                     "--password-stdin"]) == 0
    assert authenticate(ctx, "dewi", "sandi-cli-123").display_name == "Dewi"
    capsys.readouterr()
    assert cli.main(["users", "list", "--tenant", "pagaralam"]) == 0
    out = capsys.readouterr().out
    assert "dewi" in out and "ppk.pagaralam" in out and "ppk.mojokerto" not in out
    monkeypatch.setattr(sys, "stdin", io.StringIO("sandi-baru-456\n"))
    assert cli.main(["users", "passwd", "dewi", "--password-stdin"]) == 0
    assert authenticate(ctx, "dewi", "sandi-baru-456") is not None
    monkeypatch.setattr(sys, "stdin", io.StringIO("pendek\n"))
    assert cli.main(["users", "passwd", "dewi", "--password-stdin"]) == 1
    assert cli.main(["users", "passwd", "tidak-ada", "--password-stdin"]) == 1


def test_serve_hook_seeds_only_when_asked(ctx):
    from service.cli import seed_demo_users as hook
    from service.config import Config
    from service.ops.users import update_user

    update_user(ctx, "admin", active=True)
    with ctx.transaction() as session:
        from service.store.users import AppUser
        session.query(AppUser).delete()
    assert hook(ctx, Config.from_env({})) == []
    assert list_users(ctx) == []
    assert "ppk.pagaralam" in hook(ctx, Config.from_env({"ALUR_DEMO_USERS": "1"}))


def test_admin_user_list_filters_and_pages(make_client):
    admin = make_client()
    login(admin, "admin")
    page = text(admin.get("/admin/pengguna?instansi=mojokerto"))
    assert "ppk.mojokerto" in page and "ppk.pagaralam" not in page
    found = text(admin.get("/admin/pengguna?cari=pokja"))
    assert "pokja-pemilihan.pagaralam" in found and "ppk.pagaralam" not in found
    paged = text(admin.get("/admin/pengguna?per=2"))
    assert "Halaman 1 dari" in paged and 'rel="next"' in paged


def test_long_lane_names_make_user_names_cut_at_a_word():
    from service.ops.users import _shorten
    assert _shorten("pemilik-resiko-pa-ppk-kepala-bagian-pbj-pokja-pemilihan", 53) == \
        "pemilik-resiko-pa-ppk-kepala-bagian-pbj-pokja"
    assert _shorten("ppk", 53) == "ppk" and _shorten("a" * 70, 53) == "a" * 53
