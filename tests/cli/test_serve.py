"""`alur serve`: the banner, worker processes on one port, keep-alive after 204, timers fired once."""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_serve_banner_hides_the_database_password(monkeypatch, capsys, tmp_path):
    import types

    from service import cli
    from service.cli import serving
    from service.config import Config

    url = "postgresql+psycopg://alur:s3cr3t-db@db.example:5432/alur"
    cfg = Config(database_url=url, scheduler=False)
    monkeypatch.setattr(cli, "_config", lambda _args: cfg)
    monkeypatch.setattr(cli, "_upgrade", lambda _cfg: None)
    monkeypatch.setattr(cli, "seed_demo_users", lambda _ctx, _cfg: [])
    monkeypatch.setattr("service.app.create_app",
                        lambda _cfg: types.SimpleNamespace(extensions={"alur": types.SimpleNamespace(ops=None)}))
    served: list[int] = []
    monkeypatch.setattr(serving, "serve_socket", lambda _app, _sock, *, threads: served.append(threads))
    assert cli.main(["serve", "--port", "0", "--workers", "1", "--threads", "3", "--no-scheduler"]) == 0
    assert served == [3]
    banner = capsys.readouterr().err
    assert "s3cr3t-db" not in banner
    assert "postgresql+psycopg://alur:***@db.example:5432/alur" in banner
    assert "1 process(es) of 3 threads" in banner


def test_sqlite_refuses_more_than_one_worker(tmp_path, capsys):
    from service import cli

    url = f"sqlite:///{tmp_path / 'alur.db'}"
    assert cli.main(["--database-url", url, "serve", "--port", "0", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "--workers 2 needs PostgreSQL" in err and "one writer" in err
    assert not (tmp_path / "alur.db").exists()       # refused before touching the database


def test_pool_holds_a_connection_per_thread(tmp_path):
    from service.app import create_app

    app = create_app({"database_url": f"sqlite:///{tmp_path / 'alur.db'}", "instance_path": tmp_path,
                      "web": False, "ALUR_THREADS": "12"})
    pool: Any = app.extensions["alur"].db.engine.pool
    assert pool.size() == 13                          # 12 request threads + the scheduler


def _live_server(app: Any) -> tuple[Any, int]:
    from service.cli import serving

    sock = serving.bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server: Any = serving.make_server(app, sock, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    return server, port


def test_keep_alive_holds_after_204(tmp_path):
    from support import make_app

    app = make_app(tmp_path, ALUR_REST_AUTH="off")
    server, port = _live_server(app)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/engine-rest/signal", body=json.dumps({"name": "tidak-ada"}),
                     headers={"Content-Type": "application/json"})
        first = conn.getresponse()
        assert first.status == 204 and first.read() == b""
        assert first.getheader("Connection") is None and not first.will_close
        sock = conn.sock
        conn.request("GET", "/engine-rest/version")
        second = conn.getresponse()
        assert second.status == 200 and json.loads(second.read())["version"]
        assert conn.sock is sock                     # the same TCP connection answered both
        # A client asking to close still gets its connection closed.
        conn.request("POST", "/engine-rest/signal", body=json.dumps({"name": "tidak-ada"}),
                     headers={"Content-Type": "application/json", "Connection": "close"})
        third = conn.getresponse()
        assert third.status == 204 and third.will_close
        conn.close()
    finally:
        server.close()


WORKERS_SCRIPT = textwrap.dedent("""
    import os, sys
    from service.cli import serving

    def app(environ, start_response):
        body = str(os.getpid()).encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    sock = serving.bind("127.0.0.1", 0)
    print(sock.getsockname()[1], flush=True)
    sys.exit(serving.run_workers(2, lambda _i: serving.serve_socket(app, sock, threads=2)))
""")


def _pids_answering(port: int, attempts: int = 200) -> set[int]:
    pids: set[int] = set()
    for _ in range(attempts):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/")
        pids.add(int(conn.getresponse().read()))
        conn.close()
        if len(pids) >= 2:
            break
    return pids


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads worker pids from /proc (Linux)")
def test_two_worker_processes_serve_one_port_and_a_dead_one_is_replaced():
    proc = subprocess.Popen([sys.executable, "-c", WORKERS_SCRIPT], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(_children(proc.pid)) < 2:
            time.sleep(0.05)
        workers = _children(proc.pid)
        assert len(workers) == 2
        assert _pids_answering(port) == workers       # both processes accept on the one socket
        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (len(_children(proc.pid)) < 2 or victim in _children(proc.pid)):
            time.sleep(0.1)
        replaced = _children(proc.pid)
        assert len(replaced) == 2 and victim not in replaced
        assert _pids_answering(port) == replaced
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0             # the parent stops its workers and leaves cleanly


TIMER_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_tunggu" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="tunggu_sebentar" name="Tunggu sebentar" isExecutable="true">
    <bpmn:startEvent id="Mulai"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="Tunggu">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="Periksa" name="Periksa"><bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="Selesai"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Mulai" targetRef="Tunggu" />
    <bpmn:sequenceFlow id="F2" sourceRef="Tunggu" targetRef="Periksa" />
    <bpmn:sequenceFlow id="F3" sourceRef="Periksa" targetRef="Selesai" />
  </bpmn:process>
</bpmn:definitions>
"""


def _call(port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    assert response.status < 300, (response.status, data)
    return json.loads(data) if data else None


@pytest.mark.postgres
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads worker pids from /proc (Linux)")
def test_alur_serve_two_workers_on_postgresql_fire_each_timer_once(pg_schema_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": pg_schema_url, "ALUR_INSTANCE_PATH": str(tmp_path), "ALUR_WEB": "off",
           "ALUR_REST_AUTH": "off", "ALUR_SCHEDULER_INTERVAL": "0.2"}
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", "0", "--workers", "2",
                             "--threads", "4"],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        banner, lines = "", []
        while "Alur serving on" not in banner:       # migration logs come first
            banner = proc.stderr.readline()
            lines.append(banner)
            assert banner, f"alur serve ended before serving: {''.join(lines)}"
        assert "with 2 process(es) of 4 threads" in banner, banner
        port = int(banner.split("http://127.0.0.1:")[1].split()[0])
        # Keep reading the server's log, so a full pipe never blocks it.
        threading.Thread(target=proc.stderr.read, daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_children(proc.pid)) < 2:
            time.sleep(0.1)
        assert len(_children(proc.pid)) == 2
        boundary = uuid.uuid4().hex
        upload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\ntunggu\r\n"
                  f"--{boundary}\r\nContent-Disposition: form-data; name=\"tunggu.bpmn\"; filename=\"tunggu.bpmn\""
                  f"\r\nContent-Type: application/octet-stream\r\n\r\n").encode() + TIMER_BPMN \
            + f"\r\n--{boundary}--\r\n".encode()
        for _ in range(50):        # the workers may still be starting: retry the first request briefly
            try:
                _call(port, "POST", "/engine-rest/deployment/create", upload,
                      {"Content-Type": f"multipart/form-data; boundary={boundary}"})
                break
            except (ConnectionError, OSError):
                time.sleep(0.2)
        ids = [_call(port, "POST", "/engine-rest/process-definition/key/tunggu_sebentar/start", b"{}",
                     {"Content-Type": "application/json"})["id"] for _ in range(12)]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if _call(port, "GET", "/engine-rest/task/count?taskDefinitionKey=Periksa")["count"] >= len(ids):
                break
            time.sleep(0.3)
        time.sleep(1.0)            # let every scheduler poll again: a second firing would show now
        tasks = _call(port, "GET", "/engine-rest/task?taskDefinitionKey=Periksa")
        assert sorted(t["processInstanceId"] for t in tasks) == sorted(ids)
        fired = _call(port, "GET", "/engine-rest/history/activity-instance?activityId=Tunggu")
        assert sorted(a["processInstanceId"] for a in fired) == sorted(ids)     # one firing per instance
        assert all(a["endTime"] for a in fired)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
