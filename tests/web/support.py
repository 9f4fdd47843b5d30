"""Helpers of the web tests: a model folder built from the SOP table, login, CSRF tokens, form posts."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from service.ops import TaskQuery, query_tasks


ROOT = Path(__file__).resolve().parents[2]
SOP_TABLE = ROOT / "sop" / "pagaralam" / "persiapan_pemilihan_penyedia.yaml"
KEY = "persiapan_pemilihan_penyedia"
PASSWORD = "rahasia-uji-123"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def build_model_root(target: Path) -> Path:
    """bpmn/ forms/ dmn/ for tenants pagaralam and mojokerto, from the repository's SOP table and DMN files.

    The SOP importer writes the model the repository ships (bpmn/pagaralam/...); the same model is
    deployed to a second tenant so tests can prove tenants do not see each other's work.
    """
    from service.sop.importer import import_tables

    import_tables([str(SOP_TABLE)], str(target))
    for name in ("bpmn", "forms"):
        shutil.copytree(target / name / "pagaralam", target / name / "mojokerto")
    (target / "dmn").mkdir(exist_ok=True)
    for dmn in (ROOT / "dmn").glob("*.dmn"):
        shutil.copy(dmn, target / "dmn" / dmn.name)
    return target


def csrf(client: Any, url: str = "/masuk") -> str:
    page = client.get(url)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {page.status_code})"
    return match.group(1)


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    token = csrf(client)
    return client.post("/masuk", data={"username": username, "password": password, "csrf_token": token})


def post(client: Any, url: str, data: dict[str, Any] | None = None, *, token_from: str = "/", **kw: Any) -> Any:
    body = dict(data or {})
    body["csrf_token"] = csrf(client, token_from)
    return client.post(url, data=body, **kw)


def text(response: Any) -> str:
    return response.get_data(as_text=True)


KELENGKAPAN_2 = ["SK Penetapan PPK", "Dokumen Persiapan Pengadaan", "Dokumen Anggaran Belanja (RKA-KL/Pemda)",
                 "ID Paket RUP", "Rencana Waktu Penggunaan Barang/Jasa",
                 "Surat permohonan pelaksanaan pemilihan penyedia"]
STEP_2_VALID = {"kelengkapan_2": KELENGKAPAN_2, "jenis_pengadaan": "Barang", "nilai_hps": "250000000",
                "tanggal_pemilihan": "2026-01-05",   # above the Pejabat Pengadaan ceiling: the Pokja path
                "nomor_output_2": "027/PPK/2026"}
STEP_3_VALID = {"kelengkapan_3": ["Dokumen Persiapan Pengadaan"], "anggota_pokja": "Andi; Budi; Citra",
                "nomor_output_3": "SK-12/UKPBJ/2026"}
DPP_FIELDS = ["dpp_sk_ppk", "dpp_surat_permohonan", "dpp_dokumen_anggaran", "dpp_id_rup", "dpp_spesifikasi_kak",
              "dpp_hps", "dpp_rancangan_kontrak", "dpp_waktu_penggunaan", "dpp_analisis_pasar"]


def step_4(value: str = "sesuai") -> dict[str, Any]:
    return {"kelengkapan_4": ["Dokumen Persiapan Pengadaan"], **{k: value for k in DPP_FIELDS},
            "nomor_output_4": "BA-REVIU-1"}


def start_url(client: Any) -> str:
    page = text(client.get("/mulai"))
    links = re.findall(r'href="(/mulai/[^"]+)"', page)
    assert links, "no startable process on /mulai"
    return links[0]


def start(client: Any, business_key: str = "RUP-2026-001", tenant_hint: str | None = None) -> Any:
    """Start the SOP as the logged-in user; returns the response (redirect to the first task)."""
    url = start_url(client)
    return post(client, url, {"business_key": business_key, "nama_paket": "Pengadaan laptop",
                              "kode_rup": "45123"}, token_from=url)


def task_links(client: Any) -> list[str]:
    return list(dict.fromkeys(re.findall(r'href="(/tugas/[0-9a-f-]+)"', text(client.get("/")))))


def complete(client: Any, task_url: str, data: dict[str, Any], **kw: Any) -> Any:
    return post(client, task_url, data, token_from=task_url, **kw)


def valid_post(form: Any) -> dict[str, Any]:
    """An HTML post that satisfies every visible field of a FormDefinition (for walking a whole SOP)."""
    out: dict[str, Any] = {}
    for f in form.value_fields() if form is not None else []:
        if f.readonly or f.type == "filepicker":
            continue
        if f.type == "checklist":
            out[f.key] = [o.value for o in f.options]
        elif f.type in ("select", "radio"):
            preferred = [o.value for o in f.options
                         if o.value in ("sesuai", "lengkap", "ya", "setuju", "selesai", "toleransi", "true")]
            out[f.key] = preferred[0] if preferred else f.options[0].value
        elif f.type == "taglist":
            out[f.key] = [f.options[0].value] if f.options else []
        elif f.type == "number":
            out[f.key] = str(int(f.min) if f.min is not None and f.min > 1 else 150_000_000 if f.max is None
                             else int(f.max))
        elif f.type == "checkbox":
            out[f.key] = "true"
        elif f.type == "datetime":
            out[f.key] = {"time": "09:00", "datetime": "2026-01-05T09:00"}.get(f.subtype or "date", "2026-01-05")
        else:
            text = "Isian uji"
            if f.validation_type == "email":
                text = "uji@example.go.id"
            elif f.validation_type == "phone":
                text = "081234567890"
            if f.pattern:
                if "email" in f.key:
                    out[f.key] = "uji@example.go.id"
                continue        # no generic value matches an arbitrary pattern; such fields stay empty
            if f.min_length:
                text = text.ljust(f.min_length, "x")
            if f.max_length:
                text = text[: f.max_length]
            out[f.key] = text
    return {k: v for k, v in out.items() if v is not None}


# --- a small inline model: start formFields, a conditional field (tests of the start and task pages) ---


INLINE_KEY = "uji_formulir_awal"


INLINE_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_uji" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{INLINE_KEY}" name="Uji Formulir Awal" isExecutable="true">
    <bpmn:laneSet id="LaneSet_uji">
      <bpmn:lane id="Lane_PPK" name="PPK">
        <bpmn:flowNodeRef>Mulai</bpmn:flowNodeRef><bpmn:flowNodeRef>Periksa</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Selesai</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Mulai" name="Mulai">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="judul_surat" label="Judul surat" type="string">
            <camunda:validation><camunda:constraint name="required"/>
              <camunda:constraint name="maxlength" config="40"/></camunda:validation>
          </camunda:formField>
          <camunda:formField id="jumlah_paket" label="Jumlah paket" type="long">
            <camunda:validation><camunda:constraint name="min" config="1"/></camunda:validation>
          </camunda:formField>
          <camunda:formField id="sifat" label="Sifat" type="enum" defaultValue="biasa">
            <camunda:value id="biasa" name="Biasa"/><camunda:value id="segera" name="Segera"/>
          </camunda:formField>
        </camunda:formData>
      </bpmn:extensionElements>
      <bpmn:outgoing>F1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Mulai" targetRef="Periksa"/>
    <bpmn:userTask id="Periksa" name="Periksa usulan" camunda:candidateGroups="PPK"
                   camunda:formRef="uji-periksa" camunda:formRefBinding="latest">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Periksa" targetRef="Selesai"/>
    <bpmn:endEvent id="Selesai"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
""".encode()


CHECK_FORM = {
    "id": "uji-periksa", "type": "default", "schemaVersion": 16,
    "components": [
        {"id": "F_hasil", "key": "hasil", "type": "radio", "label": "Hasil pemeriksaan",
         "values": [{"label": "Sesuai", "value": "sesuai"}, {"label": "Perlu perbaikan", "value": "perbaikan"}],
         "validate": {"required": True}},
        {"id": "F_catatan", "key": "catatan_perbaikan", "type": "textarea", "label": "Catatan perbaikan",
         "conditional": {"hide": '=not(hasil = "perbaikan")'}},
    ],
}


def ppk_client(make_client):
    client = make_client()
    login(client, "ppk.pagaralam")
    return client


def inline_start_url(client) -> str:
    links = [u for u in re.findall(r'href="(/mulai/[^"]+)"', text(client.get("/mulai"))) if INLINE_KEY in u]
    assert links, "the inline-form process is not startable"
    return links[0]


def start_inline(client, **fields):
    url = inline_start_url(client)
    data = {"csrf_token": csrf(client, url), "business_key": "UJI-1", **fields}
    return url, client.post(url, data=data)


def open_inline_task(client, ctx):
    start_inline(client, judul_surat="Surat", jumlah_paket="1", sifat="biasa")
    task = query_tasks(ctx, TaskQuery(definition_key=INLINE_KEY))[0]
    return task, f"/tugas/{task.id}"


def lane_model(lane: str, key: str = "p") -> bytes:
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">
  <bpmn:process id="{key}" name="Proses {key}" isExecutable="true">
    <bpmn:laneSet><bpmn:lane id="L" name="{lane}"><bpmn:flowNodeRef>S</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>T</bpmn:flowNodeRef><bpmn:flowNodeRef>E</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="S"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="T" name="Kerja"><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="E"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="T" />
    <bpmn:sequenceFlow id="F2" sourceRef="T" targetRef="E" />
  </bpmn:process></bpmn:definitions>'''.encode()
