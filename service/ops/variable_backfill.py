"""Variables of instances last saved before the variable projection existed (migration 0260): their rows
are written once, by loading and saving each such instance (`persistence.save` projects every variable
of an instance whose `projected` has no "variables" entry). Run by `alur db upgrade` and `alur serve`."""
from __future__ import annotations

from sqlalchemy import select

from service.store import InstanceState, ProcessInstance

from . import persistence
from .context import OpsContext
from .engine_errors import engine_errors
from .errors import OpsError


def project_missing_variables(ctx: OpsContext) -> tuple[int, list[str]]:
    """(instances projected, ids that could not be loaded). One transaction per instance; an instance
    saved meanwhile by someone else (Conflict) was projected by that save."""
    with ctx.transaction() as session:
        rows = session.execute(select(ProcessInstance.id, ProcessInstance.projected).where(
            ProcessInstance.state.in_([InstanceState.ACTIVE, InstanceState.SUSPENDED]))).all()
    pending = [row_id for row_id, projected in rows if "variables" not in (projected or {})]
    done, failed = 0, []
    for instance_id in pending:
        try:
            with ctx.transaction() as session, engine_errors():
                loaded = persistence.load(ctx, session, instance_id)
                if "variables" in (loaded.row.projected or {}):
                    continue
                persistence.save(ctx, session, loaded)
            done += 1
        except OpsError:
            failed.append(instance_id)
    return done, failed


__all__ = ["project_missing_variables"]
