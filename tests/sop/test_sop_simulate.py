"""`alur simulate` on fixture models, through the real engine in memory."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from service.sop.cli import main
from service.sop.importer import import_tables
from service.sop.simulate import run

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    import_tables([FIXTURES], tmp_path)
    shutil.copytree(FIXTURES / "dmn", tmp_path / "dmn")
    return tmp_path


def simulate(root: Path, *targets: tuple[str | None, str]) -> tuple[int, str]:
    out = io.StringIO()
    code = run(root, list(targets), out=out)
    return code, out.getvalue()


def test_sound_models_pass_with_full_coverage(root: Path) -> None:
    code, text = simulate(root, ("uji", "uji_linear"), ("uji", "uji_cabang"), ("uji", "uji_paralel"),
                          ("uji", "uji_csv"), ("uji", "uji_inklusif"), ("uji", "uji_judul"),
                          ("uji", "uji_pengingat"))
    assert code == 0, text
    assert text.splitlines()[-1] == "7 models, 15 paths, flow nodes 100%, sequence flows 100%"
    # a reminder fires once on the simplest path reaching its task (the engine's timer, on the clock)
    assert "11[Penanggung Jawab Kinerja] > 12[Kepala UKPBJ] > (Pengingat: 12. Menyetujui)[Kepala UKPBJ]" in text
    # a heading row: its branches overlap; 30 min + the longer branch (3 h), its own waktu not added
    assert "jalur   1  OK      0.47 hari kerja  1[Kasubag LPSE] > 2a[Tim Pendataan dan Analisis] > " \
           "2b[Kasubag LPSE] > 3[Kasubag LPSE]" in text
    # the inclusive split: each branch alone, both, none
    assert "7[Tim Pembina] > 7a[Tim Pembina] > 7b[Tim Pembina] > 8[Tim Pembina]" in text
    assert "GAGAL" not in text
    # the path table: path number, steps with sop.no and lane, planned working days
    assert "jalur   2  OK      1.53 hari kerja  2[PPK] > 4[Pokja Pemilihan] > 5[PPK] > 4[Pokja Pemilihan] > " \
           "6[Pokja Pemilihan]" in text


def test_decision_table_and_call_activity(root: Path) -> None:
    code, text = simulate(root, ("uji", "uji_panggil"))
    assert code == 0, text
    assert text.splitlines()[-1] == "1 models, 2 paths, flow nodes 100%, sequence flows 100%"


def test_broken_model_makes_the_exit_status_non_zero(root: Path) -> None:
    code, text = simulate(root, ("uji", "uji_linear"), ("uji", "uji_rusak"))
    assert code == 1
    assert "GAGAL" in text and "Gateway_1: no form data found that makes the gateway take ['a. Mustahil']" in text
    assert text.splitlines()[-1] == "2 models, 3 paths, flow nodes 90%, sequence flows 77.8%"


def test_unknown_model_is_reported_not_raised(root: Path) -> None:
    code, text = simulate(root, ("uji", "tidak_ada"))
    assert code == 1 and "ERROR" in text and text.splitlines()[-1].startswith("1 models, 0 paths")


def test_cli_simulate(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "uji_cabang", "--tenant", "uji", "--root", str(root)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == "1 models, 2 paths, flow nodes 100%, sequence flows 100%"
    assert "[####" in captured.err and "2/2" in captured.err          # the progress bar
    assert main(["simulate", "--all", "--root", str(root), "--no-progress"]) == 1     # uji_rusak is broken
    assert main(["simulate", "tidak_ada", "--root", str(root)]) == 2
