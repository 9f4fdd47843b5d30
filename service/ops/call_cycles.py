"""Call-activity cycles at deploy: a process that calls itself, directly or through others (A -> B -> A),
in one deployment or with processes deployed before. The engine would nest called processes until its
call-depth budget stops the instance; refusing the deployment names the cycle before anyone starts one.

Only static cycles are visible (calledElement is a literal key, model_checks refuses expressions there);
the run-time call-depth limit (engine/budget.py) covers redeployments that close a cycle later by binding.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from . import definitions
from .call_binding import call_bindings, find_definition
from .context import OpsContext
from .errors import ParseError


def check_no_call_cycle(ctx: OpsContext, session: Session, procs: list[Any], models: dict[str, Any], *,
                        tenant: str | None, deployment_id: str) -> None:
    """Refuse the deployment when a call activity of one of `procs` (rows just flushed, their parsed models
    in `models` by definition id) leads back to a definition on its own call path. Each definition is
    walked once, so the work is bounded by the definitions the calls reach."""
    def model_of(row: Any) -> Any:
        return models.get(row.id) or definitions.model_of(ctx, session, row)

    done: set[str] = set()
    for root in procs:
        # Iterative depth-first walk: (definition row, its pending calls, the call that entered it).
        stack: list[tuple[Any, list[Any], Any]] = [(root, list(call_bindings(model_of(root))), None)]
        on_path = {root.id}
        while stack:
            row, pending, _ = stack[-1]
            if not pending:
                stack.pop()
                on_path.discard(row.id)
                done.add(row.id)
                continue
            call = pending.pop()
            callee = find_definition(session, call, tenant=tenant, deployment_id=deployment_id)
            if callee is None or callee.id in done:
                continue
            if callee.id in on_path:
                _refuse(root, stack[1][2] if len(stack) > 1 else call, [r.key for r, _, _ in stack], callee.key)
            on_path.add(callee.id)
            stack.append((callee, list(call_bindings(model_of(callee))), call))


def _refuse(root: Any, call: Any, keys: list[str], back_to: str) -> None:
    """Name the deployed resource's call activity that starts the cycle, and the cycle itself."""
    cycle = keys[keys.index(back_to):] + [back_to]
    path = " -> ".join(cycle)
    line = f" (line {call.line})" if call.line else ""
    raise ParseError(f"{root.resource_name}: {call.element_id}{line}: call activities form a cycle {path}; "
                     "a process must not call itself, directly or through others",
                     pesan=f"{root.resource_name}: {call.element_id}{line}: pemanggilan proses membentuk "
                           f"lingkaran {path}")


__all__ = ["check_no_call_cycle"]
