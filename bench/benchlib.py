"""Shared pieces of the HTTP benchmarks (tasklist_bench.py, load_bench.py): the 15-step model, users,
bulk creation of open instances, the real server started as a subprocess, a keep-alive HTTP client,
percentiles and the CPU time of the server's process tree.

Not a test and not part of the service: it drives the service from outside, as an operator would.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = "bench-Sandi-2026"
STEPS = 15
PROCESS_KEY = "bench_fifteen"


def fifteen_step_bpmn(steps: int = STEPS) -> bytes:
    """A sequence of `steps` user tasks; each task's lane (candidate group) and due date come from the
    instance's variables `grup` and `tenggat`, so instances differ in who sees them and in their order."""
    tasks, flows = [], []
    prev = "Mulai"
    for i in range(1, steps + 1):
        tid = f"Langkah_{i}"
        tasks.append(f'<bpmn:userTask id="{tid}" name="Langkah {i}" camunda:candidateGroups="${{grup}}" '
                     f'camunda:dueDate="${{tenggat}}"><bpmn:incoming>F{i}</bpmn:incoming>'
                     f'<bpmn:outgoing>F{i + 1}</bpmn:outgoing></bpmn:userTask>')
        flows.append(f'<bpmn:sequenceFlow id="F{i}" sourceRef="{prev}" targetRef="{tid}" />')
        prev = tid
    flows.append(f'<bpmn:sequenceFlow id="F{steps + 1}" sourceRef="{prev}" targetRef="Selesai" />')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_bench15" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{PROCESS_KEY}" name="Bench {steps} langkah" isExecutable="true">
    <bpmn:startEvent id="Mulai"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    {''.join(tasks)}
    <bpmn:endEvent id="Selesai"><bpmn:incoming>F{steps + 1}</bpmn:incoming></bpmn:endEvent>
    {''.join(flows)}
  </bpmn:process>
</bpmn:definitions>
""".encode()


# -- the database, through the operations layer ---------------------------------------------------

def ops_context(url: str) -> Any:
    from service.ops import OpsContext
    from service.store import Database, upgrade

    upgrade(url)
    return OpsContext(db=Database(url))


def deploy_model(ctx: Any) -> None:
    from service.ops import deploy

    deploy(ctx, [("bench15.bpmn", fifteen_step_bpmn())], name="bench15")


def create_users(ctx: Any, users: dict[str, list[str]]) -> None:
    from service.ops.errors import Conflict
    from service.ops.users import create_user

    for name, groups in users.items():
        try:
            create_user(ctx, name, PASSWORD, groups=groups)
        except Conflict:
            pass


def admin_group() -> str:
    from service.store.users import ADMIN_GROUP

    return ADMIN_GROUP


def check_counts(port: int, open_instances: int, lane_a: int) -> None:
    """The data is what the bench says it is: every instance open with one task, 5% offered to lane_a
    (also proves that the clones are seen as tasks by the server)."""
    admin = Client(port, "admin")
    status, body = admin.request("GET", "/engine-rest/task/count")
    tasks = json.loads(body)["count"] if status == 200 else None
    status, body = admin.request("GET", "/engine-rest/task/count", query={"candidateGroup": "lane_a"})
    group = json.loads(body)["count"] if status == 200 else None
    status, body = admin.request("GET", "/engine-rest/process-instance/count")
    instances = json.loads(body)["count"] if status == 200 else None
    if (tasks, group, instances) != (open_instances, lane_a, open_instances):
        raise RuntimeError(f"expected {open_instances} tasks, {lane_a} of lane_a, {open_instances} instances; "
                           f"the server counts {tasks}, {group}, {instances}")


def start_instances(ctx: Any, variables: Iterable[dict[str, Any]]) -> list[str]:
    from service.ops import start_instance

    return [start_instance(ctx, key=PROCESS_KEY, variables=v).id for v in variables]


# -- bulk creation: engine-made templates, their stored rows cloned with new ids ----------------------

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Template:
    rows: list[tuple[Any, dict[str, Any]]]        # (table, row) in insertion (foreign key) order
    ids: list[str]                                # the UUIDs replaced by fresh ones in every clone


def _instance_tables(metadata: Any) -> tuple[list[Any], list[Any]]:
    """Tables whose rows belong to one instance: by an instance_id column (or a foreign key to
    process_instance), or by a task_id column (or a foreign key to user_task) for per-task rows.
    Found from the schema, so tables added later (for example by a migration) are cloned too."""
    by_instance, by_task = [], []
    for table in metadata.sorted_tables:
        if table.name == "process_instance":
            continue
        refs = {fk.column.table.name for fk in table.foreign_keys}
        if "instance_id" in table.c or "process_instance" in refs:
            by_instance.append(table)
        elif "task_id" in table.c or "user_task" in refs:
            by_task.append(table)
    return by_instance, by_task


def _column_of(table: Any, name: str, target: str) -> Any:
    if name in table.c:
        return table.c[name]
    for fk in table.foreign_keys:
        if fk.column.table.name == target:
            return fk.parent
    raise LookupError(f"{table.name} has no {name}")


def read_template(url: str, instance_id: str) -> Template:
    from sqlalchemy import select

    from service.store.db import make_engine as create_engine

    from service.store.models import metadata

    engine = create_engine(url)
    by_instance, by_task = _instance_tables(metadata)
    ordered: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        pi = metadata.tables["process_instance"]
        ordered["process_instance"] = [dict(r._mapping) for r in conn.execute(select(pi).where(pi.c.id == instance_id))]
        for t in by_instance:
            col = _column_of(t, "instance_id", "process_instance")
            ordered[t.name] = [dict(r._mapping) for r in conn.execute(select(t).where(col == instance_id))]
        task_ids = [r["id"] for r in ordered.get("user_task", [])] + [r["id"] for r in ordered.get("external_task", [])]
        for t in by_task:
            col = _column_of(t, "task_id", "user_task")
            ordered[t.name] = [dict(r._mapping) for r in conn.execute(select(t).where(col.in_(task_ids)))] \
                if task_ids else []
        shared = set()
        for name in ("process_definition", "deployment"):
            for r in conn.execute(select(metadata.tables[name])):
                shared.update(UUID.findall(json.dumps(dict(r._mapping), default=str)))
    engine.dispose()
    rows = []
    for table in metadata.sorted_tables:      # parents before children
        for row in ordered.get(table.name, []):
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and pk[0].autoincrement is not False and isinstance(row.get(pk[0].name), int):
                row.pop(pk[0].name)            # the database numbers the clone's row
            rows.append((table, row))
    found = set(UUID.findall(json.dumps([r for _, r in rows], default=str)))
    return Template(rows=rows, ids=sorted(found - shared))


def _compile(value: Any, index: dict[str, int]) -> Any:
    """A value as a recipe for its clones: unchanged when it holds no template UUID, otherwise the
    literal pieces between the UUIDs and which new id goes in each gap (str or JSON text)."""
    text = value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else None
    if text is None or not any(m.group(0) in index for m in UUID.finditer(text)):
        return value
    pieces: list[str] = []
    slots: list[int] = []
    last = 0
    for m in UUID.finditer(text):
        if m.group(0) in index:
            pieces.append(text[last:m.start()])
            slots.append(index[m.group(0)])
            last = m.end()
    pieces.append(text[last:])
    return _Recipe(pieces, slots, parse=not isinstance(value, str))


@dataclass
class _Recipe:
    pieces: list[str]
    slots: list[int]
    parse: bool

    def make(self, ids: list[str]) -> Any:
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            out.append(ids[slot])
            out.append(piece)
        text = "".join(out)
        return json.loads(text) if self.parse else text


def clone_instances(url: str, templates: list[Template], count: int, *, batch: int = 2000,
                    offset: int = 0) -> None:
    """Insert `count` copies of the templates' rows (round robin), each with fresh UUIDs for the instance,
    its engine tasks and its projection rows. The engine state, the user task row, its candidates and its
    history are those the engine wrote for the template, so the lists see what they would see after
    `count` starts with the same variables."""
    from service.store.db import make_engine as create_engine

    recipes = []
    for template in templates:
        index = {old: i for i, old in enumerate(template.ids)}
        recipes.append((len(template.ids), [(table, [(k, _compile(v, index)) for k, v in row.items()])
                                            for table, row in template.rows]))
    engine = create_engine(url)
    pending: dict[Any, list[dict[str, Any]]] = {}
    order: list[Any] = []

    def flush() -> None:
        with engine.begin() as conn:
            for table in order:
                if pending.get(table):
                    conn.execute(table.insert(), pending[table])
        pending.clear()

    for n in range(count):
        size, rows = recipes[(offset + n) % len(recipes)]
        ids = [str(uuid.uuid4()) for _ in range(size)]
        for table, cols in rows:
            if table not in order:
                order.append(table)
            pending.setdefault(table, []).append(
                {k: v.make(ids) if isinstance(v, _Recipe) else v for k, v in cols})
        if (n + 1) % batch == 0:
            flush()
    flush()
    engine.dispose()


# -- the real server ------------------------------------------------------------------------------

def stop_server_on_sigterm() -> None:
    """A terminated bench stops its server too (the `finally` blocks run)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_supports_workers(python: str, root: Path) -> bool:
    out = subprocess.run([python, "-m", "service.cli", "serve", "--help"], cwd=root, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(root)})
    return "--workers" in out.stdout


class Server:
    """`alur serve` of the checkout `root` (python -m service.cli, so the checkout's own code runs)."""

    def __init__(self, url: str, workdir: Path, *, workers: int | None = None, threads: int = 8,
                 root: Path = ROOT, python: str = sys.executable) -> None:
        self.port = free_port()
        cmd = [python, "-m", "service.cli", "--database-url", url, "serve", "--host", "127.0.0.1",
               "--port", str(self.port), "--threads", str(threads), "--no-scheduler"]
        if workers is not None:
            cmd += ["--workers", str(workers)]
        env = {**os.environ, "PYTHONPATH": str(root), "SECRET_KEY": secrets.token_hex(16),
               "ALUR_INSTANCE_PATH": str(workdir), "ALUR_SCHEDULER": "off", "ALUR_INSECURE_COOKIES": "on"}
        env.pop("ALUR_REST_AUTH", None)          # REST authentication on, as in production
        self.log = open(workdir / f"server-{self.port}.log", "w")
        self.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not listen within 120 s")

    def cpu_seconds(self) -> float:
        """User + system CPU of the server process and all its descendants (worker processes)."""
        return sum(_proc_cpu(pid) for pid in _tree(self.proc.pid))

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def _tree(root_pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")   # utime + stime


class Client:
    """One keep-alive HTTP connection; REST calls with Basic auth, pages with the session cookie."""

    def __init__(self, port: int, user: str | None = None) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.auth = ("Basic " + base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()) if user else None
        self.cookies: dict[str, str] = {}
        self.reconnects = 0

    def request(self, method: str, path: str, *, query: dict[str, Any] | None = None, body: Any = None,
                form: dict[str, str] | None = None) -> tuple[int, bytes]:
        if query:
            path += "?" + urlencode(query)
        headers = {}
        data = None
        if self.auth and path.startswith("/engine-rest"):
            headers["Authorization"] = self.auth
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                content = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest):
                # the server closed the keep-alive connection: open a new one (counted)
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                self.reconnects += 1
                if attempt == 2:
                    raise
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if resp.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.reconnects += 1
        return resp.status, content

    def login(self, user: str) -> None:
        status, page = self.request("GET", "/masuk")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page: {status}")
        status, _ = self.request("POST", "/masuk", form={"csrf_token": token.group(1).decode(), "username": user,
                                                         "password": PASSWORD})
        if status not in (302, 303):
            raise RuntimeError(f"login of {user}: {status}")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def due_dates(count: int, now: datetime | None = None) -> list[str]:
    """Due dates spread from 10 days ago to 30 days ahead (a quarter overdue), one per template."""
    now = now or datetime.now(timezone.utc)
    return [(now + timedelta(days=-10 + 40 * i / max(count - 1, 1))).replace(microsecond=0).isoformat()
            for i in range(count)]
