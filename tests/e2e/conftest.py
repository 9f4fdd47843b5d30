"""Browser tests: a live server with the SOP deployed and the demo users, Debian's chromium via Playwright.

Skipped when Playwright or /usr/bin/chromium is missing, unless ALUR_REQUIRE_BROWSER=1 (then they fail);
`make test` installs both.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from web.support import PASSWORD, build_model_root

from .live import CHROMIUM, SCREENSHOTS, launch_browser, start_server


def _require_browser() -> Any:
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install playwright)"
        sync_playwright = None
    if reason is None and not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    if reason:
        if os.environ.get("ALUR_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return sync_playwright


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_playwright = _require_browser()
    with sync_playwright() as playwright:
        instance = launch_browser(playwright)
        yield instance
        instance.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Any]:
    from service.web.i18n import compile_catalogs
    compile_catalogs()
    server = start_server(build_model_root(tmp_path / "models"), tmp_path, PASSWORD)
    yield server
    server.stop()


@pytest.fixture
def shots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def login_page(browser: Any, live: Any) -> Any:
    """`login_page("ppk.pagaralam")` -> a logged-in page in a fresh browser context."""
    contexts = []

    def open_as(user: str) -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(live.url + "/masuk")
        page.get_by_label("Nama pengguna").fill(user)
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(live.url + "/")
        return page

    yield open_as
    for context in contexts:
        context.close()
