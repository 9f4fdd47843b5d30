"""The deployable files of a checkout (`bpmn/`, `dmn/`, `forms/`) as engine resolvers, for simulation
without a server or a database. Tenant folders (`bpmn/<tenant>/`) win over shared top-level files."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.sop.datagen import DmnTable, read_dmn_tables
from service.sop.paths import ProcessGraph, read_process


class RepositoryError(LookupError):
    pass


@dataclass
class Repository:
    root: Path
    _models: dict[tuple[str, str | None], Any] = field(default_factory=dict, repr=False)
    _graphs: dict[tuple[str, str | None], ProcessGraph] = field(default_factory=dict, repr=False)
    _decisions: dict[str | None, dict[str, Any]] = field(default_factory=dict, repr=False)
    _tables: dict[str | None, dict[str, DmnTable]] = field(default_factory=dict, repr=False)
    _forms: dict[str | None, dict[str, dict[str, Any]]] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ processes
    def models(self) -> list[tuple[str | None, str]]:
        """(tenant, key) of every process file, sorted."""
        result: list[tuple[str | None, str]] = []
        base = self.root / "bpmn"
        for path in sorted(base.glob("*.bpmn")):
            result.append((None, path.stem))
        for path in sorted(base.glob("*/*.bpmn")):
            result.append((path.parent.name, path.stem))
        return result

    def bpmn_path(self, key: str, tenant: str | None) -> Path:
        for path in ([self.root / "bpmn" / tenant / f"{key}.bpmn"] if tenant else []) + \
                [self.root / "bpmn" / f"{key}.bpmn"]:
            if path.is_file():
                return path
        raise RepositoryError(f"no model {key!r} for tenant {tenant!r} under {self.root / 'bpmn'}")

    def process(self, key: str, tenant: str | None) -> Any:
        """The engine's ProcessModel (service.engine.parse_bpmn), cached."""
        if (key, tenant) not in self._models:
            from service.engine import parse_bpmn
            path = self.bpmn_path(key, tenant)
            models = parse_bpmn(path.name, path.read_bytes())
            by_key = {m.key: m for m in models}
            if key not in by_key:
                raise RepositoryError(f"{path}: has no process {key!r}")
            self._models[(key, tenant)] = by_key[key]
        return self._models[(key, tenant)]

    def graph(self, key: str, tenant: str | None) -> ProcessGraph:
        if (key, tenant) not in self._graphs:
            self._graphs[(key, tenant)] = read_process(self.bpmn_path(key, tenant).read_bytes(), key)
        return self._graphs[(key, tenant)]

    # ------------------------------------------------------------------ decisions
    def _dmn_files(self, tenant: str | None) -> list[Path]:
        base = self.root / "dmn"
        return sorted(base.glob("*.dmn")) + (sorted((base / tenant).glob("*.dmn")) if tenant else [])

    def decision(self, key: str, tenant: str | None, binding: str = "latest", version: int | None = None) -> Any:
        if tenant not in self._decisions:
            from service.engine.dmn import parse_dmn
            found: dict[str, Any] = {}
            for path in self._dmn_files(tenant):          # tenant files last: they override
                for model in parse_dmn(path.name, path.read_bytes()):
                    found[model.key] = model
            self._decisions[tenant] = found
        try:
            return self._decisions[tenant][key]
        except KeyError:
            raise RepositoryError(f"no decision {key!r} for tenant {tenant!r} under {self.root / 'dmn'}") from None

    def dmn_table(self, key: str, tenant: str | None) -> DmnTable | None:
        if tenant not in self._tables:
            tables: dict[str, DmnTable] = {}
            for path in self._dmn_files(tenant):
                tables.update(read_dmn_tables(path.read_bytes()))
            self._tables[tenant] = tables
        return self._tables[tenant].get(key)

    # ------------------------------------------------------------------ forms
    def form(self, form_ref: str | None, tenant: str | None) -> dict[str, Any] | None:
        if not form_ref:
            return None
        if tenant not in self._forms:
            forms: dict[str, dict[str, Any]] = {}
            base = self.root / "forms"
            for path in sorted(base.glob("*.form")) + (sorted((base / tenant).glob("*.form")) if tenant else []):
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise RepositoryError(f"{path}: invalid form JSON: {exc}") from exc
                forms[path.stem] = data
                if isinstance(data, dict) and data.get("id"):
                    forms[str(data["id"])] = data
            self._forms[tenant] = forms
        form = self._forms[tenant].get(form_ref)
        if form is None and form_ref.startswith("embedded:"):
            return None
        if form is None:
            raise RepositoryError(f"no form {form_ref!r} for tenant {tenant!r} under {self.root / 'forms'}")
        return form
