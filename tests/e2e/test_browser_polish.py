"""In chromium: conditional fields with and without JavaScript, the inline start form, and the modeler's
palette leaving the diagram visible. Screenshots go to test-output/screenshots/."""
from __future__ import annotations

import json
import re

import pytest
from web.support import CHECK_FORM, INLINE_BPMN, INLINE_KEY, PASSWORD

from service.ops import TaskQuery, deploy, query_tasks

pytestmark = pytest.mark.browser


def _deploy_inline(live):
    ctx = live.app.extensions["alur"].ops
    deploy(ctx, [("uji.bpmn", INLINE_BPMN), ("uji-periksa.form", json.dumps(CHECK_FORM).encode())],
           name="uji", tenant="pagaralam")
    return ctx


def _login(browser, live, user, *, javascript=True):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID",
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live.url + "/masuk")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(live.url + "/")
    return context, page


def _start_inline(page, live, key):
    page.goto(live.url + "/mulai")
    page.get_by_role("row", name=re.compile("Uji Formulir Awal")).get_by_role("link", name="Mulai").click()
    page.get_by_label("Kunci bisnis").fill(key)
    page.get_by_label("Judul surat").fill("Usulan paket")
    page.get_by_label("Sifat").select_option("segera")
    page.get_by_role("button", name="Mulai proses").click()
    page.get_by_role("heading", name=re.compile("Periksa usulan")).wait_for()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_conditional_field_appears_when_its_choice_is_made(browser, live, shots, javascript):
    ctx = _deploy_inline(live)
    context, page = _login(browser, live, "ppk.pagaralam", javascript=javascript)
    suffix = "js" if javascript else "nojs"
    _start_inline(page, live, f"UJI-{suffix}")
    note = page.get_by_label("Catatan perbaikan")
    assert not note.is_visible()
    page.get_by_label("Perlu perbaikan").check()
    if javascript:
        note.wait_for(state="visible")             # shown at once by conditions.js
        results = page.evaluate("""() => {
            const run = (text, vars) => { const f = window.alurConditions.parse(text);
                                          return f === null ? 'unsupported' : f((n) => vars[n]); };
            return [run('a = "x" and not(b != 2)', {a: 'x', b: '2'}), run('a = "x" or b = true', {a: null, b: false}),
                    run('a != null', {a: null}), run('count(a) > 1', {a: 'x'}), run('(a = "y")', {a: 'y'})];
        }""")
        assert results == [True, False, False, "unsupported", True]
        page.get_by_label("Sesuai").check()
        note.wait_for(state="hidden")
        page.get_by_label("Perlu perbaikan").check()
    else:
        page.get_by_role("button", name="Selesaikan langkah").click()
        page.get_by_text("Pilihan Anda memunculkan isian tambahan: Catatan perbaikan").wait_for()
        assert page.get_by_label("Perlu perbaikan").is_checked()
    assert note.is_visible()
    note.fill("Lengkapi rincian HPS")
    page.screenshot(path=str(shots / f"20-isian-bersyarat-{suffix}.png"), full_page=True)
    page.get_by_role("button", name="Selesaikan langkah").click()
    page.get_by_text("Langkah selesai").wait_for()
    assert not [t for t in query_tasks(ctx, TaskQuery(definition_key=INLINE_KEY))
                if t.business_key == f"UJI-{suffix}"]
    context.close()


def test_modeler_palette_does_not_cover_the_diagram(login_page, live, shots):
    page = login_page("pemilik-proses.pagaralam")
    page.goto(live.url + "/model")
    page.get_by_role("row", name=re.compile("persiapan_pemilihan_penyedia")).get_by_role(
        "link", name="Ubah diagram").click()
    page.locator("[data-bpmn-modeler][data-ready=true]").wait_for()
    palette = page.locator(".djs-palette").bounding_box()
    canvas = page.locator("[data-canvas]").bounding_box()
    lefts = page.evaluate("""() => Array.from(document.querySelectorAll('.djs-shape'))
        .map(e => e.getBoundingClientRect()).filter(r => r.width > 0).map(r => r.left)""")
    assert lefts and min(lefts) >= palette["x"] + palette["width"]
    rights = page.evaluate("""() => Array.from(document.querySelectorAll('.djs-shape'))
        .map(e => e.getBoundingClientRect()).filter(r => r.width > 0).map(r => r.right)""")
    assert max(rights) <= canvas["x"] + canvas["width"] + 1
    page.screenshot(path=str(shots / "21-modeler-palet.png"), full_page=True)
