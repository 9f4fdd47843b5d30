"""Login, logout, CSRF, sessions, redirects and password storage."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from service.app import create_app
from service.engine import FrozenClock
from service.ops.users import authenticate, create_user
from service.store.users import AppUser

from .support import PASSWORD, csrf, login, post, text


def test_pages_require_login(client):
    for url in ("/", "/mulai", "/proses", "/model", "/admin/pengguna", "/tugas/x", "/proses/x", "/dokumen/x"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/masuk?next="), url


def test_login_page_is_labelled_and_indonesian(client):
    page = text(client.get("/masuk"))
    assert '<label for="username">Nama pengguna</label>' in page
    assert '<label for="password">Kata sandi</label>' in page
    assert 'lang="id"' in page


def test_wrong_password_is_refused_without_saying_which_part(client):
    response = login(client, "ppk.pagaralam", "salah-sekali")
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in text(response)
    response = login(client, "tidak.ada", "salah-sekali")
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in text(response)
    assert client.get("/").status_code == 302


def test_login_then_logout(client):
    response = login(client, "ppk.pagaralam")
    assert response.status_code == 302 and response.location == "/"
    page = text(client.get("/"))
    assert "PPK (pagaralam)" in page
    response = post(client, "/keluar")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_a_cookie_copied_before_logout_is_refused_after_it(app, client):
    assert login(client, "ppk.pagaralam").status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.same_site == "Lax" and cookie.http_only
    copy = app.test_client()
    copy.set_cookie("session", cookie.value)
    assert copy.get("/").status_code == 200                 # the copied cookie works while logged in
    assert post(client, "/keluar").status_code == 302
    response = copy.get("/")                                # and ends with the logout, server-side
    assert response.status_code == 302 and "/masuk" in response.location
    assert login(client, "ppk.pagaralam").status_code == 302    # logging in again works
    assert copy.get("/").status_code == 302                 # the old cookie stays dead


def test_next_is_followed_only_within_the_site(client):
    token = csrf(client)
    response = client.post("/masuk", data={"username": "ppk.pagaralam", "password": PASSWORD, "csrf_token": token,
                                           "next": "/mulai"})
    assert response.location == "/mulai"
    post(client, "/keluar")
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        token = csrf(client)
        response = client.post("/masuk", data={"username": "ppk.pagaralam", "password": PASSWORD,
                                               "csrf_token": token, "next": evil})
        assert response.location == "/", evil
        post(client, "/keluar")


def test_every_form_post_needs_the_csrf_token(client):
    response = client.post("/masuk", data={"username": "ppk.pagaralam", "password": PASSWORD})
    assert response.status_code == 400
    assert "Token keamanan formulir" in text(response)
    login(client, "ppk.pagaralam")
    for url in ("/keluar", "/bahasa", "/tugas/x/klaim", "/tugas/x", "/mulai/x", "/admin/pengguna",
                "/model/proses/x/deploy"):
        assert client.post(url, data={}).status_code == 400, url


def test_rest_api_is_not_subject_to_web_csrf(client):
    import base64
    basic = base64.b64encode(f"ppk.pagaralam:{PASSWORD}".encode()).decode()
    response = client.post("/engine-rest/process-definition/key/nothing/start", json={},
                           headers={"Authorization": f"Basic {basic}"})
    assert response.is_json, text(response)[:200]
    assert response.status_code == 404
    assert "nothing" in response.get_json()["message"]


def test_passwords_are_hashed(ctx):
    create_user(ctx, "siti", "kata-sandi-siti", groups=["PPK"], tenants=["pagaralam"])
    with ctx.transaction() as session:
        row = session.scalars(select(AppUser).where(AppUser.id == "siti")).one()
        assert "kata-sandi-siti" not in row.password_hash
        assert row.password_hash.startswith("pbkdf2:")
    assert authenticate(ctx, "siti", "kata-sandi-siti").id == "siti"
    assert authenticate(ctx, "siti", "salah") is None


def test_production_hash_method_is_scrypt():
    import importlib

    import service.ops.users as users
    fresh = importlib.reload(users)
    try:
        assert fresh.PASSWORD_METHOD == "scrypt"
    finally:
        importlib.reload(users)


def test_inactive_user_is_logged_out_at_once(client, ctx):
    from service.ops.users import update_user
    login(client, "ppk.pagaralam")
    assert client.get("/").status_code == 200
    update_user(ctx, "ppk.pagaralam", active=False)
    assert client.get("/").status_code == 302
    assert login(client, "ppk.pagaralam").status_code == 401


def test_language_switch_to_english_and_back(client):
    response = post(client, "/bahasa", {"lang": "en", "next": "/masuk"}, token_from="/masuk")
    assert response.location == "/masuk"
    page = text(client.get("/masuk"))
    assert 'lang="en"' in page
    assert "User name" in page and "Password" in page
    post(client, "/bahasa", {"lang": "id", "next": "/masuk"}, token_from="/masuk")
    assert "Nama pengguna" in text(client.get("/masuk"))


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
