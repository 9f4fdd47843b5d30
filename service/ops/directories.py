"""Deploying the repository's `bpmn/`, `dmn/` and `forms/` folders (what `alur serve` does at start).

Layout: `bpmn/<tenant>/**.bpmn` belongs to that tenant; `bpmn/*.bpmn` (top level) to no tenant.
Decisions and forms come from `dmn/<tenant>/` and `forms/<tenant>/` when such a folder exists, otherwise
from the top-level `dmn/*.dmn` and `forms/*.form`, deployed to every tenant. Deployments use
deploy-changed-only semantics, so unchanged files never create new versions.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .context import OpsContext
from .errors import OpsError
from .deployments import BPMN_SUFFIXES, DMN_SUFFIXES, FORM_SUFFIXES, Resource, deploy
from .views import DeploymentView

DEPLOYMENT_SOURCE = "alur serve"


@dataclass(frozen=True)
class DirectoryPlan:
    tenant: str | None
    resources: list[tuple[str, Path]]     # (resource name, file)


def _files(folder: Path, suffixes: tuple[str, ...], *, recursive: bool) -> list[Path]:
    if not folder.is_dir():
        return []
    found = folder.rglob("*") if recursive else folder.glob("*")
    return sorted(p for p in found if p.is_file() and p.name.lower().endswith(suffixes))


def plan(root: Path) -> list[DirectoryPlan]:
    root = Path(root)
    bpmn, dmn, forms = root / "bpmn", root / "dmn", root / "forms"
    tenant_dirs = sorted({p.name for base in (bpmn, dmn, forms) if base.is_dir()
                          for p in base.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))})
    plans: list[DirectoryPlan] = []

    def named(paths: list[Path]) -> list[tuple[str, Path]]:
        return [(p.relative_to(root).as_posix(), p) for p in paths]

    shared_dmn = _files(dmn, DMN_SUFFIXES, recursive=False)
    shared_forms = _files(forms, FORM_SUFFIXES, recursive=False)
    top_bpmn = _files(bpmn, BPMN_SUFFIXES, recursive=False)
    if top_bpmn:
        plans.append(DirectoryPlan(None, named(top_bpmn + shared_dmn + shared_forms)))
    for tenant in tenant_dirs:
        models = _files(bpmn / tenant, BPMN_SUFFIXES, recursive=True)
        decisions = _files(dmn / tenant, DMN_SUFFIXES, recursive=True) if (dmn / tenant).is_dir() else shared_dmn
        tenant_forms = (_files(forms / tenant, FORM_SUFFIXES, recursive=True) if (forms / tenant).is_dir()
                        else shared_forms)
        if not (models or (dmn / tenant).is_dir() or (forms / tenant).is_dir()):
            continue
        files = named(models + decisions + tenant_forms)
        if files:
            plans.append(DirectoryPlan(tenant, files))
    return plans


def deploy_directories(ctx: OpsContext, root: Path, *, name: str = "alur",
                       on_error: Callable[[str | None, OpsError], None] | None = None) -> list[DeploymentView]:
    """One deployment per tenant, each its own transaction (deploy-changed-only).

    Without `on_error` the first failing tenant raises; with it, that tenant is reported and skipped,
    so one broken model does not keep the other tenants' models from being served.
    """
    results = []
    for item in plan(root):
        resources = [Resource(res_name, path.read_bytes()) for res_name, path in item.resources]
        dep_name = f"{name}-{item.tenant}" if item.tenant else name
        try:
            results.append(deploy(ctx, resources, name=dep_name, source=DEPLOYMENT_SOURCE, tenant=item.tenant,
                                  duplicate_filtering=True, changed_only=True))
        except OpsError as exc:
            if on_error is None:
                raise
            on_error(item.tenant, exc)
    return results


__all__ = ["DirectoryPlan", "plan", "deploy_directories", "DEPLOYMENT_SOURCE"]
