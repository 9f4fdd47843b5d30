"""A live Alur server in a thread and Debian's chromium driven by Playwright, for the browser tests."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@dataclass
class LiveServer:
    url: str
    app: Any
    server: Any
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.app.extensions["alur"].db.dispose()


def start_server(model_root: Path, workdir: Path, password: str) -> LiveServer:
    from service.app import create_app
    from service.ops import deploy_directories
    from service.ops.users import seed_demo_users

    app = create_app({"database_url": f"sqlite:///{workdir / 'alur.db'}", "instance_path": workdir,
                      "scheduler": False, "secret_key": "e2e-secret"})
    app.extensions["alur"].db.create_all()
    ctx = app.extensions["alur"].ops
    deploy_directories(ctx, model_root)
    seed_demo_users(ctx, password=password)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, server=server, thread=thread)


def launch_browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


__all__ = ["LiveServer", "start_server", "launch_browser", "SCREENSHOTS", "CHROMIUM"]
