"""A whole SOP from start to end through the pages alone, each step done by the demo user of its lane."""
from __future__ import annotations

import re

import pytest

from service.ops import TaskQuery, get_task, list_instances, query_tasks
from service.ops.users import demo_username, slug
from service.web.form_lookup import task_form

from .support import KEY, complete, login, start, text, valid_post


@pytest.mark.parametrize("nilai_hps, path, last", [
    ("250000000", ["Step_2", "Step_3", "Step_4", "Step_6", "Step_7", "Step_8"], "Menetapkan Dokumen Pemilihan"),
    ("150000000", ["Step_2", "Task_persiapan_pejabat_pengadaan"], "Melaksanakan persiapan oleh Pejabat Pengadaan"),
])
def test_persiapan_pemilihan_penyedia_start_to_end(make_client, ctx, nilai_hps, path, last):
    """Barang above Rp200 jt: the Pokja path; a Pengadaan Langsung: the Pejabat Pengadaan's lane (Pasal 15)."""
    clients = {}

    def client_for(lane: str):
        if lane not in clients:
            clients[lane] = make_client()
            assert login(clients[lane], f"{slug(lane)}.pagaralam").status_code == 302
        return clients[lane]

    location = start(client_for("PPK")).location
    assert location.startswith("/tugas/")
    done = []
    for _ in range(30):
        open_tasks = query_tasks(ctx, TaskQuery(definition_key=KEY, tenant_ids=["pagaralam"]))
        if not open_tasks:
            break
        task = get_task(ctx, open_tasks[0].id)
        client = client_for(task.lane)
        url = f"/tugas/{task.id}"
        assert task.id in "".join(re.findall(r'href="(/tugas/[^"]+)"', text(client.get("/"))))
        data = valid_post(task_form(ctx, task))
        if task.element_id == "Step_2":
            data["nilai_hps"] = nilai_hps
        response = complete(client, url, data)
        assert response.status_code == 302, text(response)[:3000]
        done.append(task.element_id)
    else:
        raise AssertionError(f"the SOP did not end: {done}")
    assert done == path
    instance = list_instances(ctx, definition_key=KEY, tenant="pagaralam")[0]
    assert instance.state == "COMPLETED"
    page = text(client_for("PPK").get(f"/proses/{instance.id}"))
    assert "selesai" in page and last in page


def test_every_sop_of_every_tenant_runs_to_the_end_in_the_pages(tmp_path, clock):
    """The repository's models (bpmn/ dmn/ forms/), as `make run` deploys them: each SOP is started by a
    demo user of its start lane and every step is done on its task page by a demo user of its group."""
    from pathlib import Path

    from service.app import create_app
    from service.ops import deploy_directories
    from service.ops.instances import called_instances
    from service.ops.participation import latest_shapes
    from service.ops.users import list_tenants, seed_demo_users
    from service.web.form_lookup import start_form

    from .support import PASSWORD, post, valid_post

    root = Path(__file__).resolve().parents[2]
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'all.db'}", "instance_path": tmp_path,
                      "scheduler": False, "TESTING": True}, clock=clock)
    app.extensions["alur"].db.create_all()
    ctx = app.extensions["alur"].ops
    failures: list[str] = []
    deploy_directories(ctx, root, on_error=lambda tenant, exc: failures.append(f"deploy {tenant}: {exc.message}"))
    seed_demo_users(ctx, password=PASSWORD)
    clients: dict[str, object] = {}

    def client_for(group: str, tenant: str):
        user = demo_username(group, tenant)
        if user not in clients:
            clients[user] = app.test_client()
            assert login(clients[user], user).status_code == 302, user
        return clients[user]

    def call_tree(instance_id: str) -> list[str]:
        """The instance and the instances its call activities started (their steps are part of the SOP)."""
        return [instance_id, *(i for c in called_instances(ctx, instance_id) for i in call_tree(c.id))]

    walked = 0
    try:
        for tenant in list_tenants(ctx):
            for shape in latest_shapes(ctx, [tenant]):
                key, business_key = shape.definition.key, f"W-{shape.definition.key}"
                client = client_for(shape.start_lanes[0], tenant)
                url = f"/mulai/{shape.definition.id}"
                data = {"business_key": business_key, **valid_post(start_form(ctx, shape.start_form_ref, tenant))}
                response = post(client, url, data, token_from=url)
                if response.status_code != 302:
                    failures.append(f"{tenant}/{key}: start answered {response.status_code}")
                    continue
                instance = list_instances(ctx, business_key=business_key, tenant=tenant)[0]
                for _ in range(80):
                    tasks = query_tasks(ctx, TaskQuery(instance_ids=call_tree(instance.id)))
                    if not tasks:
                        break
                    task = get_task(ctx, tasks[0].id)
                    group = (task.lane if task.lane in task.candidate_groups
                             else (task.candidate_groups or [task.lane])[0])
                    response = complete(client_for(group, tenant), f"/tugas/{task.id}",
                                        valid_post(task_form(ctx, task)))
                    if response.status_code != 302:
                        errors = re.findall(r'id="err-([^"]*)"[^>]*>([^<]*)', text(response))
                        failures.append(f"{tenant}/{key} {task.element_id}: {response.status_code} {errors}")
                        break
                state = list_instances(ctx, business_key=business_key, tenant=tenant)[0].state
                if state != "COMPLETED" and not any(f.startswith(f"{tenant}/{key}") for f in failures):
                    failures.append(f"{tenant}/{key}: still {state} after 80 steps")
                walked += 1
    finally:
        app.extensions["alur"].db.dispose()
    assert walked >= 10
    assert not failures, "\n".join(failures)


@pytest.mark.postgres
def test_persiapan_pemilihan_penyedia_on_postgresql(pg_app):
    """Login, start, an invalid and a valid step, the next lane's list, documents and the instance page on
    PostgreSQL with the schema built by the Alembic migrations."""
    import io

    from .support import STEP_2_VALID, task_links

    ctx = pg_app.extensions["alur"].ops
    ppk = pg_app.test_client()
    assert login(ppk, "ppk.pagaralam").status_code == 302
    task_url = start(ppk).location
    assert complete(ppk, task_url, dict(STEP_2_VALID, nilai_hps="0")).status_code == 422
    pdf = b"%PDF-1.4 uji"
    response = complete(ppk, task_url, {**STEP_2_VALID, "doc_k1": (io.BytesIO(pdf), "sk.pdf")},
                        content_type="multipart/form-data")
    assert response.status_code == 302
    kepala = pg_app.test_client()
    login(kepala, "kepala-ukpbj.pagaralam")
    assert len(task_links(kepala)) == 1
    instance = list_instances(ctx, definition_key=KEY, tenant="pagaralam")[0]
    page = text(ppk.get(f"/proses/{instance.id}"))
    assert "sk.pdf" in page and "ppk.pagaralam" in page
    other = pg_app.test_client()
    login(other, "ppk.mojokerto")
    assert other.get(f"/proses/{instance.id}").status_code == 403
