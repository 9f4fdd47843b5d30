"""Cheap paths of every REST request: no cookie session under /engine-rest, and bodies the NUL guard
can clear from their bytes; bodies it cannot clear are still parsed and refused."""
from __future__ import annotations

from typing import Any

from flask.sessions import NullSession

from service.api.request_guard import _plainly_clean

R = "/engine-rest"


def test_rest_requests_get_no_cookie_session(app: Any, client: Any) -> None:
    r = client.get(f"{R}/task")
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    with app.test_request_context(f"{R}/task"):
        assert isinstance(app.session_interface.open_session(app, _request()), NullSession)
    for path in ("/", "/engine-restx/task", "/masuk"):
        with app.test_request_context(path):
            assert not isinstance(app.session_interface.open_session(app, _request()), NullSession)


def _request() -> Any:
    from flask import request
    return request._get_current_object()


def test_bytes_check_clears_only_plain_bodies() -> None:
    assert _plainly_clean(b'{"variables": {"a": {"value": "x"}}}')
    assert not _plainly_clean(b'{"a": "\\u0000"}')
    assert not _plainly_clean('{"a": "b"}'.encode("utf-16"))
    assert not _plainly_clean(b"[" * 200)


def test_nul_escapes_are_refused_whatever_the_encoding(client: Any) -> None:
    r = client.post(f"{R}/task", data=b'{"assignee": "a\\u0000b"}', content_type="application/json")
    assert r.status_code == 400 and "NUL" in r.json["message"]
    r = client.post(f"{R}/task", data='{"assignee": "a\\u0000b"}'.encode("utf-16"),
                    content_type="application/json")
    assert r.status_code == 400 and "NUL" in r.json["message"]
    # An escaped backslash followed by u0000 is text, not a NUL.
    r = client.post(f"{R}/task", data=b'{"assignee": "a\\\\u0000b"}', content_type="application/json")
    assert r.status_code == 200
    r = client.post(f"{R}/task", data=b"[" * 250 + b"]" * 250, content_type="application/json")
    assert r.status_code == 400
