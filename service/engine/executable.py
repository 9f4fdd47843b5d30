"""Which processes of a BPMN document Camunda 7 deploys: the executable ones.

BpmnParse.parseProcessDefinitions parses a process only when its isExecutable is "true" (Java's
Boolean.parseBoolean: any case); a process without the attribute counts as executable only when the
deployment is not new (a stored definition read again). Non-executable processes are neither validated
nor deployed, so a pool drawn for documentation (BPMN MIWG files, collaboration diagrams) never refuses a
deployment.
"""
from __future__ import annotations

import copy
from typing import Any


def is_executable(process: Any, *, new_deployment: bool) -> bool:
    value = process.get("isExecutable")
    if value is None:
        return not new_deployment
    return value.strip().lower() == "true"


def without_processes(root: Any, processes: list[Any]) -> Any:
    """`root` itself when nothing is left out, else a copy (source lines kept) without `processes`."""
    if not processes:
        return root
    doomed = {id(p) for p in processes}
    positions = [i for i, child in enumerate(root) if id(child) in doomed]
    clone = copy.deepcopy(root)
    for i in reversed(positions):
        del clone[i]
    return clone


__all__ = ["is_executable", "without_processes"]
