"""HTTP Basic authentication on /engine-rest (on by default) and the tenant and group rules."""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from support import ADMIN, OTHER, PPK, deploy, make_app
from service.config import ConfigError, parse_flag

R = "/engine-rest"


def basic(user: tuple[str, str]) -> dict[str, str]:
    token = base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_requests_need_credentials(auth_app: Any) -> None:
    c = auth_app.test_client()
    r = c.get(f"{R}/version")
    # A browser-style request (no credentials) is not prompted: a cached browser login could otherwise be
    # replayed by any site's form.
    assert r.status_code == 401 and "WWW-Authenticate" not in r.headers
    assert r.json["type"] == "AuthenticationException"
    r = c.get(f"{R}/version", headers={"X-Auth-Challenge": "Basic"})       # a client opting in
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
    r = c.get(f"{R}/version", headers=basic((ADMIN[0], "salah")))          # a client that sent Basic
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic")
    assert c.get(f"{R}/version", headers={"Authorization": "Basic !!!"}).status_code == 401
    assert c.get(f"{R}/version", headers={"Authorization": "Bearer x"}).status_code == 401
    for token in (f"{ADMIN[0]}", f":{ADMIN[1]}"):      # no password part, no user name
        headers = {"Authorization": "Basic " + base64.b64encode(token.encode()).decode()}
        assert c.get(f"{R}/version", headers=headers).status_code == 401
    # Werkzeug parses the header: the scheme is case-insensitive.
    token = base64.b64encode(f"{ADMIN[0]}:{ADMIN[1]}".encode()).decode()
    assert c.get(f"{R}/version", headers={"Authorization": f"basic {token}"}).status_code == 200
    assert c.get(f"{R}/version", headers=basic(ADMIN)).status_code == 200
    assert c.get(f"{R}/deployment", query_string={"maxResults": 0}, headers=basic(PPK)).json == []
    # The engine list and the API description stay open, as Camunda's engine list is.
    assert c.get(f"{R}/engine").status_code == 200
    assert c.get(f"{R}/openapi.json").status_code == 200


def test_tenant_and_group_rules(auth_app: Any) -> None:
    c = auth_app.test_client()
    # Only process owners deploy; a PPK user may not.
    assert deploy(c, "layanan.bpmn", tenant="pagaralam", headers=basic(PPK)).status_code == 403
    assert deploy(c, "layanan.bpmn", tenant="pagaralam", headers=basic(ADMIN)).status_code == 200
    assert deploy(c, "layanan.bpmn", tenant="lahat", headers=basic(ADMIN)).status_code == 200
    # A PPK user starts in their own tenant (their lane holds the start event), not in another.
    url = f"{R}/process-definition/key/layanan/tenant-id/%s/start"
    r = c.post(url % "pagaralam", json={"businessKey": "P"}, headers=basic(PPK))
    assert r.status_code == 200, r.json
    mine = r.json["id"]
    assert c.post(url % "lahat", json={}, headers=basic(PPK)).status_code == 403
    assert c.post(f"{R}/process-definition/key/layanan/tenant-id/lahat/submit-form", json={},
                  headers=basic(PPK)).status_code == 403
    dep = c.get(f"{R}/deployment", query_string={"tenantIdIn": "pagaralam"}, headers=basic(PPK)).json[0]
    assert c.delete(f"{R}/deployment/{dep['id']}", headers=basic(PPK)).status_code == 403
    lahat = c.get(f"{R}/deployment", headers=basic(OTHER)).json[0]
    assert lahat["tenantId"] == "lahat"
    assert c.get(f"{R}/deployment/{lahat['id']}/resources", headers=basic(PPK)).status_code == 403
    lahat_def = c.get(f"{R}/process-definition", headers=basic(OTHER)).json[0]["id"]
    assert c.get(f"{R}/process-definition/{lahat_def}/xml", headers=basic(PPK)).status_code == 403
    assert c.get(f"{R}/process-definition/{lahat_def}/xml", headers=basic(OTHER)).status_code == 200
    theirs = c.post(url % "lahat", json={}, headers=basic(OTHER)).json["id"]
    # Lists are narrowed to the user's tenants.
    assert [i["id"] for i in c.get(f"{R}/process-instance", headers=basic(PPK)).json] == [mine]
    assert c.get(f"{R}/process-instance/count", headers=basic(ADMIN)).json == {"count": 2}
    assert [d["tenantId"] for d in c.get(f"{R}/process-definition", headers=basic(OTHER)).json] == ["lahat"]
    assert c.get(f"{R}/process-instance/{theirs}", headers=basic(PPK)).status_code == 403
    assert c.get(f"{R}/process-instance/{theirs}/variables", headers=basic(PPK)).status_code == 403
    # External tasks of another tenant are neither fetched nor reachable.
    body = {"workerId": "w", "maxTasks": 5, "topics": [{"topicName": "periksa", "lockDuration": 1000}]}
    fetched = c.post(f"{R}/external-task/fetchAndLock", json=body, headers=basic(PPK)).json
    assert [t["processInstanceId"] for t in fetched] == [mine]
    for t in fetched:
        c.post(f"{R}/external-task/{t['id']}/complete", json={"workerId": "w"}, headers=basic(PPK))
    other = c.post(f"{R}/external-task/fetchAndLock", json=body, headers=basic(OTHER)).json
    assert c.get(f"{R}/external-task/{other[0]['id']}", headers=basic(PPK)).status_code == 403
    c.post(f"{R}/external-task/{other[0]['id']}/complete", json={"workerId": "w"}, headers=basic(OTHER))
    # Tasks: each user sees their tenant's; claiming another tenant's task is refused.
    [task] = c.get(f"{R}/task", headers=basic(PPK)).json
    assert task["processInstanceId"] == mine
    assert c.get(f"{R}/task/count", headers=basic(ADMIN)).json == {"count": 2}
    [their_task] = c.get(f"{R}/task", headers=basic(OTHER)).json
    assert c.post(f"{R}/task/{their_task['id']}/claim", json={"userId": PPK[0]}, headers=basic(PPK)
                  ).status_code == 403
    assert c.post(f"{R}/task/{task['id']}/claim", json={"userId": PPK[0]}, headers=basic(PPK)).status_code == 204
    # Claimed: another member of the same group and tenant can neither claim nor complete it.
    from service.ops.users import create_user
    colleague = ("ppk2.pagaralam", "rahasia-ppk-2")
    create_user(auth_app.extensions["alur"].ops, *colleague, groups=["PPK"], tenants=["pagaralam"])
    assert c.post(f"{R}/task/{task['id']}/complete", json={}, headers=basic(colleague)).status_code == 403
    assert c.post(f"{R}/task/{task['id']}/claim", json={"userId": colleague[0]}, headers=basic(colleague)
                  ).status_code == 403
    assert c.post(f"{R}/task/{task['id']}/complete", json={}, headers=basic(PPK)).status_code == 204
    [ht] = c.get(f"{R}/history/task", query_string={"finished": "true"}, headers=basic(PPK)).json
    assert ht["assignee"] == PPK[0]
    assert c.get(f"{R}/history/task", query_string={"finished": "true"}, headers=basic(OTHER)).json == []


def test_setting_turns_authentication_off(tmp_path: Path) -> None:
    app = make_app(tmp_path, ALUR_REST_AUTH="off")
    assert app.test_client().get(f"{R}/version").status_code == 200
    assert parse_flag("ALUR_REST_AUTH", "on") is True and parse_flag("ALUR_REST_AUTH", "OFF") is False
    with pytest.raises(ConfigError, match="ALUR_REST_AUTH"):
        make_app(tmp_path, ALUR_REST_AUTH="kadang")


def test_account_changes_apply_to_the_next_request(auth_app: Any) -> None:
    """A remembered login is re-checked against the account each time: deactivation, a new password
    and new tenants take effect at once, not after the cache expires."""
    from service.ops.users import set_password, update_user

    c = auth_app.test_client()
    ctx = auth_app.extensions["alur"].ops
    assert c.get(f"{R}/version", headers=basic(PPK)).status_code == 200        # remembered now
    update_user(ctx, PPK[0], active=False)
    assert c.get(f"{R}/version", headers=basic(PPK)).status_code == 401
    update_user(ctx, PPK[0], active=True)
    assert c.get(f"{R}/version", headers=basic(PPK)).status_code == 200
    set_password(ctx, PPK[0], "rahasia-baru-2")
    assert c.get(f"{R}/version", headers=basic(PPK)).status_code == 401
    assert c.get(f"{R}/version", headers=basic((PPK[0], "rahasia-baru-2"))).status_code == 200
    # Tenants: a deployment of another tenant becomes visible as soon as the user joins it.
    assert deploy(c, "layanan.bpmn", tenant="lahat", headers=basic(ADMIN)).status_code == 200
    new_login = basic((PPK[0], "rahasia-baru-2"))
    assert c.get(f"{R}/deployment", query_string={"tenantIdIn": "lahat"}, headers=new_login).json == []
    update_user(ctx, PPK[0], tenants=["pagaralam", "lahat"])
    assert len(c.get(f"{R}/deployment", query_string={"tenantIdIn": "lahat"}, headers=new_login).json) == 1


def test_remembered_login_is_cheaper_than_verifying(auth_app: Any) -> None:
    """The reason for the cache, measured: a remembered login skips the password hash."""
    import time

    from service.ops.user_stamps import user_stamp
    from service.ops.users import authenticate

    ctx = auth_app.extensions["alur"].ops
    start = time.perf_counter()
    for _ in range(3):
        assert authenticate(ctx, *PPK) is not None
    verify = (time.perf_counter() - start) / 3
    start = time.perf_counter()
    for _ in range(3):
        assert user_stamp(ctx, PPK[0]) is not None
    stamp = (time.perf_counter() - start) / 3
    assert stamp < verify
