"""Where handlers come from: `alur.delegates` entry points and ALUR_DELEGATE_MODULES (docs/DELEGATES.md)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

from service.config import Config, ConfigError
from service.engine.delegation.registry import DelegateRegistry, RegistryError

PLUGIN = Path(__file__).resolve().parents[2] / "examples" / "alur-invoice-plugin"
ARCHIVE = "org.camunda.bpm.example.invoice.service.ArchiveInvoiceService"


@pytest.fixture
def importable(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("handlers_")]:
        del sys.modules[name]


def test_a_module_dict_and_a_register_function_add_handlers(importable: Path) -> None:
    (importable / "handlers_dict.py").write_text("def hello(execution):\n    pass\nDELEGATES = {'hello': hello}\n")
    (importable / "handlers_fn.py").write_text("def register(registry):\n    registry.register('x.Y', object())\n")
    registry = DelegateRegistry(["handlers_dict", "handlers_fn"], use_entry_points=False).reload()
    assert registry.names() == ["hello", "x.Y"]


def test_a_module_that_cannot_load_is_named(importable: Path) -> None:
    (importable / "handlers_empty.py").write_text("VALUE = 1\n")
    with pytest.raises(RegistryError, match="'handlers_missing' .*cannot be imported"):
        DelegateRegistry(["handlers_missing"], use_entry_points=False).reload()
    with pytest.raises(RegistryError, match="neither register"):
        DelegateRegistry(["handlers_empty"], use_entry_points=False).reload()


def test_entry_points_of_an_installed_plugin_register_its_handlers(importable: Path) -> None:
    # What `pip install examples/alur-invoice-plugin` writes: the package and its dist-info entry points.
    sys.path.insert(0, str(PLUGIN))
    try:
        info = importable / "alur_invoice_plugin-1.0.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: alur-invoice-plugin\nVersion: 1.0.0\n")
        pyproject = (PLUGIN / "pyproject.toml").read_text()
        section = pyproject.split('[project.entry-points."alur.delegates"]', 1)[1].split("[tool", 1)[0]
        lines = [line for line in section.splitlines() if "=" in line and not line.startswith("#")]
        (info / "entry_points.txt").write_text("[alur.delegates]\n" + "\n".join(
            line.replace('"', "") for line in lines) + "\n")
        registry = DelegateRegistry().reload()
        from alur_invoice_plugin import ArchiveInvoiceService
        assert registry.get(ARCHIVE) is ArchiveInvoiceService
        assert "org.camunda.bpm.example.invoice.service.NotifyCreditorService" in registry
    finally:
        sys.path.remove(str(PLUGIN))


def test_the_setting_lists_module_paths() -> None:
    assert Config.coerce({"ALUR_DELEGATE_MODULES": "a.b, c"}).delegate_modules == ("a.b", "c")
    with pytest.raises(ConfigError, match="ALUR_DELEGATE_MODULES"):
        Config.coerce({"ALUR_DELEGATE_MODULES": "a-b"})


def test_registering_needs_a_name_and_a_handler() -> None:
    registry = DelegateRegistry(use_entry_points=False)
    with pytest.raises(RegistryError):
        registry.register("", lambda execution: None)
    with pytest.raises(RegistryError):
        registry.register("x", None)
    registry.register("x", print)
    registry.unregister("x")
    assert "x" not in registry and registry.get("x") is None
