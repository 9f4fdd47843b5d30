"""One configuration path: every setting is a `Config` field read from the environment in one place."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from service.config import ENVIRONMENT, Config, ConfigError, parse_flag

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_has_a_field_and_a_variable() -> None:
    from dataclasses import fields

    names = {f.name for f in fields(Config)} - {"flask"}
    assert set(ENVIRONMENT) == names
    assert len({variable for variable, _ in ENVIRONMENT.values()}) == len(ENVIRONMENT)


def test_environment_values_are_parsed() -> None:
    cfg = Config.from_env({"ALUR_REST_AUTH": "off", "ALUR_LOGIN_MAX_FAILURES": "3", "PORT": "8080",
                           "ALUR_DOCUMENT_TYPES": "pdf, .DOCX", "ALUR_DEMO_USERS": "ya", "ALUR_ROOT": "/srv/alur",
                           "ALUR_PUBLIC_URL": "https://x", "ALUR_HOLIDAYS_FILE": "libur.yaml"})
    assert cfg.rest_auth is False and cfg.login_max_failures == 3 and cfg.port == 8080
    assert cfg.document_types == ("pdf", "docx") and cfg.demo_users is True
    assert cfg.effective_root == Path("/srv/alur") and cfg.public_url == "https://x"
    assert cfg.holidays_file == Path("libur.yaml")
    defaults = Config.from_env({})
    assert defaults.rest_auth is True and defaults.demo_users is False and defaults.port == 5000
    assert defaults.effective_documents_path == Path("instance").resolve() / "documents"


@pytest.mark.parametrize("variable, raw", [("ALUR_LOGIN_WINDOW_SECONDS", "sebentar"), ("PORT", "x"),
                                           ("ALUR_DEMO_USERS", "kadang"), ("ALUR_LOGIN_MAX_FAILURES", "0"),
                                           ("ALUR_DOCUMENT_MAX_BYTES", "-1")])
def test_bad_values_name_their_variable(variable: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Config.from_env({variable: raw})


def test_a_mapping_may_use_variable_names() -> None:
    cfg = Config.coerce({"ALUR_REST_AUTH": "off", "login_window_seconds": 90, "TESTING": True})
    assert cfg.rest_auth is False and cfg.login_window_seconds == 90 and cfg.flask == {"TESTING": True}
    with pytest.raises(ConfigError, match="ALUR_LOGIN_MAX_FAILURES"):
        Config.coerce({"ALUR_LOGIN_MAX_FAILURES": "banyak"})


def test_one_flag_parser() -> None:
    assert [parse_flag("X", v) for v in ("1", "ON", "ya", True, "0", "off", "tidak", "", False)] == \
        [True] * 4 + [False] * 5
    with pytest.raises(ConfigError, match="X"):
        parse_flag("X", "kadang")


def test_only_config_reads_the_environment() -> None:
    readers = []
    for path in sorted((ROOT / "service").rglob("*.py")):
        if path.name == "config.py" and path.parent.name == "service":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
                    and isinstance(node.value, ast.Name) and node.value.id == "os"):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not readers, "read settings through service.config.Config: " + ", ".join(readers)


def test_readme_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.MULTILINE))
    assert table == {variable for variable, _ in ENVIRONMENT.values()}


def test_the_app_and_its_operations_get_the_settings(tmp_path: Path) -> None:
    import shutil

    from service.app import create_app

    holidays = tmp_path / "libur.yaml"
    shutil.copy(ROOT / "service" / "engine" / "data" / "hari_libur.yaml", holidays)
    cfg = Config.from_env({"ALUR_INSTANCE_PATH": str(tmp_path), "ALUR_REST_AUTH": "off", "ALUR_SCHEDULER": "0",
                           "ALUR_LOGIN_MAX_FAILURES": "3", "ALUR_DOCUMENTS_PATH": str(tmp_path / "berkas"),
                           "ALUR_DOCUMENT_TYPES": "pdf", "ALUR_HOLIDAYS_FILE": str(holidays)})
    app = create_app(cfg)
    try:
        assert app.config["ALUR_REST_AUTH"] is False
        assert app.extensions["alur"].ops.login_throttle.settings.max_failures == 3
        assert app.config["ALUR_DOCUMENTS_PATH"] == str(tmp_path / "berkas")
        assert app.config["ALUR_DOCUMENT_TYPES"] == ("pdf",)
        assert app.extensions["alur"].ops.work_calendar().source_file == str(holidays)
        assert app.test_client().get("/engine-rest/version").status_code == 200    # no authentication asked
    finally:
        app.extensions["alur"].db.dispose()
