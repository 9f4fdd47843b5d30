"""The task list (/) and the instance list (/proses): pagination, the SOP filter, shared instances."""
from __future__ import annotations

import re

from service.ops import deploy
from service.web.pagination import paginate

from .support import INLINE_KEY, csrf, inline_start_url, lane_model, login, post, ppk_client, start_inline, text


def test_paginate_clamps_pages_and_sizes():
    rows = list(range(60))
    first = paginate(rows, {})
    assert first.items == rows[:25] and first.pages == 3 and not first.has_prev and first.has_next
    last = paginate(rows, {"halaman": "99"})
    assert last.number == 3 and last.items == rows[50:] and (last.first_index, last.last_index) == (51, 60)
    assert paginate(rows, {"halaman": "x", "per": "-4"}).number == 1
    assert paginate(rows, {"per": "100000"}).per_page == 200
    empty = paginate([], {"halaman": "3"})
    assert empty.number == 1 and empty.pages == 1 and empty.first_index == 0


def test_task_and_instance_lists_are_paged(make_client, ctx, inline_model):
    client = ppk_client(make_client)
    for n in range(3):
        url = inline_start_url(client)
        client.post(url, data={"csrf_token": csrf(client, url), "business_key": f"PAGED-{n}",
                               "judul_surat": "Surat", "sifat": "biasa"})
    page1 = text(client.get("/?per=2"))
    assert "Halaman 1 dari 2" in page1 and "Berikutnya" in page1 and page1.count("PAGED-") == 2
    nxt = re.search(r'href="([^"]*halaman=2[^"]*)"', page1).group(1).replace("&amp;", "&")
    assert "per=2" in nxt
    page2 = text(client.get(nxt))
    assert "Halaman 2 dari 2" in page2 and page2.count("PAGED-") == 1 and 'rel="prev"' in page2
    assert "Halaman" not in text(client.get("/"))          # one page: no pager
    instances = text(client.get("/proses?per=1"))
    assert "Halaman 1 dari 3" in instances and instances.count("PAGED-") == 1
    assert "Langkah saat ini" in instances and "<td>Periksa usulan</td>" in instances


def test_instance_list_filters_by_sop(make_client, ctx, inline_model):
    from .support import start
    client = ppk_client(make_client)
    start(client, business_key="SOP-LAIN")
    start_inline(client, judul_surat="Surat", sifat="biasa")
    both = text(client.get("/proses"))
    assert "SOP-LAIN" in both and "UJI-1" in both and 'id="sop"' in both
    only = text(client.get(f"/proses?sop={INLINE_KEY}"))
    assert "UJI-1" in only and "SOP-LAIN" not in only
    assert f"semua=1&amp;sop={INLINE_KEY}" in only        # the "show finished too" link keeps the filter


def test_shared_instances_are_listed_on_proses(small_app):
    ctx = small_app.extensions["alur"].ops
    shared = deploy(ctx, [("q.bpmn", lane_model("PPK", "q"))], name="s", tenant=None).processes[0]
    deploy(ctx, [("p.bpmn", lane_model("PPK"))], name="a", tenant="t")
    client = small_app.test_client()
    login(client, "ppk")
    assert post(client, f"/mulai/{shared.id}", {"business_key": "BERSAMA-1"}).status_code == 302
    page = text(client.get("/proses"))
    assert "BERSAMA-1" in page
    assert "BERSAMA-1" in text(client.get("/proses?semua=1"))
