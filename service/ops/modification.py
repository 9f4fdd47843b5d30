"""Process instance modification (`POST /process-instance/{id}/modification`): Camunda's instructions
(startBeforeActivity, startAfterActivity, startTransition, cancel) applied by the engine all or none
(`Instance.modify`), saved with the projections, recorded in the user operation log. An instance left
without a token is cancelled, as in Camunda. `modification-async` runs the same as a one-instance batch.
"""
from __future__ import annotations


from sqlalchemy.orm import Session

from service.engine.modification import Instruction as ModificationInstruction
from service.store import InstanceState

from . import operation_log, persistence
from .context import OpsContext
from .engine_errors import engine_errors
from .errors import BadRequest, NotActive, Suspended
from .views import InstanceView


def check_options(*, skip_io_mappings: bool) -> None:
    """Alur runs no custom listeners (the parser refuses them), so skipCustomListeners changes nothing;
    input/output mappings cannot be skipped, so asking to is refused rather than ignored."""
    if skip_io_mappings:
        raise BadRequest("skipIoMappings is not supported: input/output mappings always run",
                         pesan="Melewati pemetaan input/output (skipIoMappings) tidak didukung")


def modify_instance(ctx: OpsContext, instance_id: str, instructions: list[ModificationInstruction], *,
                    skip_custom_listeners: bool = False, skip_io_mappings: bool = False,
                    annotation: str | None = None, user: str | None = None) -> InstanceView:
    check_options(skip_io_mappings=skip_io_mappings)
    with ctx.transaction() as session:
        return modify_in(ctx, session, instance_id, instructions, annotation=annotation, user=user)


def modify_in(ctx: OpsContext, session: Session, instance_id: str, instructions: list[ModificationInstruction], *,
              annotation: str | None, user: str | None, operation_id: str | None = None,
              batch_id: str | None = None) -> InstanceView:

    if not instructions:
        raise BadRequest("At least one instruction is required", pesan="Minimal satu instruksi diperlukan")
    with engine_errors():
        row = persistence.get_row(session, instance_id)
        if row.state == InstanceState.SUSPENDED:
            raise Suspended(f"Process instance {instance_id} is suspended; activate it before modifying it",
                            pesan="Proses sedang ditangguhkan; aktifkan dulu sebelum memindahkan langkahnya")
        if row.state != InstanceState.ACTIVE:
            raise NotActive(f"Process instance {instance_id} has ended ({row.state.value})",
                            pesan="Proses ini sudah selesai")
        loaded = persistence.load(ctx, session, instance_id, row=row)
        alive = loaded.inst.modify(list(instructions), user=user)
        now = ctx.clock.now()
        persistence.save(ctx, session, loaded, now=now)
        if not alive:
            row.state = InstanceState.CANCELLED
            row.end_time = now
        operation_log.record(session, now, operation_log.MODIFY, operation_log.Subject(
            "ProcessInstance", instance_id=row.id, definition_id=row.definition_id,
            definition_key=row.definition_key, tenant_id=row.tenant_id, batch_id=batch_id),
            user=user, annotation=annotation,
            properties={"instructions": (None, "; ".join(_describe(i) for i in instructions))},
            operation_id=operation_id)
        return persistence.instance_view(row, inst=loaded.inst, with_active=True)


def _describe(i: ModificationInstruction) -> str:
    target = i.activity_id or i.transition_id or i.activity_instance_id or i.transition_instance_id
    return f"{i.type} {target}"


__all__ = ["ModificationInstruction", "modify_instance", "modify_in", "check_options"]
