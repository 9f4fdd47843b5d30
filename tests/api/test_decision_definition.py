"""REST decision evaluation reports the output's typeRef: a `double` output holding 0 is a Double."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from support import deploy_rest

ROOT = Path(__file__).resolve().parents[2]


def test_kinerja_penyedia_pemutusan_is_a_double(client: Any) -> None:
    content = (ROOT / "dmn" / "kinerja_penyedia.dmn").read_bytes()
    assert deploy_rest(client, ("kinerja_penyedia.dmn", content)).status_code == 200
    r = client.post("/engine-rest/decision-definition/key/kinerja_penyedia/evaluate",
                    json={"variables": {"pemicu_penilaian": {"value": "pemutusan", "type": "String"}}})
    assert r.status_code == 200, r.json
    [row] = r.json
    assert row["nilai_kinerja"]["type"] == "Double" and row["nilai_kinerja"]["value"] == 0
    assert row["predikat_kinerja"] == {"type": "String", "value": "Buruk", "valueInfo": {}}
