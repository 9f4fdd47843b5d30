"""JavaScript scripts against a live `alur serve` (waitress, its own process): a deployment with a script
resource runs; an endless script and a memory bomb are rolled back as Camunda's engine exception naming the
bound, while a watchdog asks `GET /engine-rest/version` every 0.2 s and every answer comes within 1 s; a
script that does not compile is refused at deploy; Groovy deploys and fails when reached."""
from __future__ import annotations

import threading
import time
from typing import Any, Iterator

import pytest
import requests

from hostile_models import wrap
from test_hostile_live import live  # noqa: F401 - the live server fixture

TIMEOUT_MS = 2000      # long enough that the memory bomb meets the memory bound first


@pytest.fixture
def script_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUR_SCRIPT_TIMEOUT_MS", str(TIMEOUT_MS))
    monkeypatch.setenv("ALUR_SCRIPT_MEMORY_MB", "32")


@pytest.fixture
def js_live(script_env: None, live: str) -> Iterator[str]:  # noqa: F811 - `live` starts after script_env
    yield live


def script_process(key: str, script: str, fmt: str = "javascript", attrs: str = "") -> bytes:
    inline = f"<bpmn:script><![CDATA[{script}]]></bpmn:script>" if script else ""
    return wrap(f'<bpmn:startEvent id="S"/><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="T"/>'
                f'<bpmn:scriptTask id="T" name="Hitung" scriptFormat="{fmt}" {attrs}>{inline}</bpmn:scriptTask>'
                f'<bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="U"/><bpmn:userTask id="U"/>'
                f'<bpmn:sequenceFlow id="f3" sourceRef="U" targetRef="E"/><bpmn:endEvent id="E"/>', key)


def deploy(url: str, *files: tuple[str, bytes]) -> requests.Response:
    return requests.post(f"{url}/deployment/create", data={"deployment-name": "js"},
                         files={name: (name, content) for name, content in files}, timeout=30)


class Watchdog:
    """Asks /version every 0.2 s in a thread; records the slowest answer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.slowest = 0.0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                if not requests.get(f"{self.url}/version", timeout=5).ok:
                    self.failures.append("not ok")
            except requests.RequestException as exc:
                self.failures.append(str(exc))
            self.slowest = max(self.slowest, time.monotonic() - began)
            self._stop.wait(0.2)

    def __enter__(self) -> "Watchdog":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(10)


@pytest.mark.slow
def test_javascript_over_live_rest(js_live: str) -> None:
    url = js_live
    calc = script_process("js_calc", "", attrs='camunda:resource="deployment://calc.js" camunda:resultVariable="total"')
    r = deploy(url, ("calc.bpmn", calc), ("calc.js", b"function sum(a, b) { return a + b; }\n"
                                                     b"execution.setVariable('seen', execution.getBusinessKey());\n"
                                                     b"sum(price, 5)"),
               ("loop.bpmn", script_process("js_loop", "while (true) {}")),
               ("bomb.bpmn", script_process("js_bomb", "var a = []; while (true) a.push(new Array(1e5).fill(1));")),
               ("groovy.bpmn", script_process("js_groovy", "println 'hi'", fmt="groovy")))
    assert r.status_code == 200, r.text

    started = requests.post(f"{url}/process-definition/key/js_calc/start", timeout=30,
                            json={"businessKey": "BK-9", "variables": {"price": {"value": 10, "type": "Integer"}}})
    assert started.status_code == 200, started.text
    variables = requests.get(f"{url}/process-instance/{started.json()['id']}/variables", timeout=10).json()
    assert variables["total"]["value"] == 15 and variables["seen"]["value"] == "BK-9"

    with Watchdog(url) as watchdog:
        for key, bound in (("js_loop", "ALUR_SCRIPT_TIMEOUT_MS"), ("js_bomb", "ALUR_SCRIPT_MEMORY_MB")):
            began = time.monotonic()
            r = requests.post(f"{url}/process-definition/key/{key}/start", json={}, timeout=30)
            assert time.monotonic() - began < TIMEOUT_MS / 1000 + 5
            assert r.status_code == 500 and r.json()["type"] == "ProcessEngineException", r.text
            assert "'T'" in r.json()["message"] and bound in r.json()["message"], r.json()
    assert not watchdog.failures and watchdog.slowest < 1.0, (watchdog.failures, watchdog.slowest)

    r = requests.post(f"{url}/process-definition/key/js_groovy/start", json={}, timeout=30)
    assert r.status_code == 500 and "script format 'groovy' is not supported" in r.json()["message"], r.text

    r = deploy(url, ("broken.bpmn", script_process("js_broken", "var x = ;")))
    assert r.status_code == 400 and r.json()["type"] == "ParseException", r.text
    assert "broken.bpmn: T" in r.json()["message"] and "does not compile" in r.json()["message"]
    count = requests.get(f"{url}/process-instance/count", timeout=10).json()["count"]
    assert count == 1          # only the calc instance: the failed starts were rolled back
