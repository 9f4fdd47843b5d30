"""app_user.session_version: logout and password change end sessions server-side; process_instance.job_id:
random timer job ids (issue 11)

Revision ID: 0110
Revises: 0100
Create Date: 2026-12-07
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0110"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_id", sa.String(length=36), nullable=True))
    # Existing instances get random job ids too (the old ones were derived from the instance id).
    bind = op.get_bind()
    instance = sa.table("process_instance", sa.column("id", sa.String), sa.column("job_id", sa.String))
    for (instance_id,) in bind.execute(sa.select(instance.c.id)).all():
        bind.execute(instance.update().where(instance.c.id == instance_id).values(job_id=str(uuid.uuid4())))
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.alter_column("job_id", existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_process_instance_job_id"), ["job_id"])


def downgrade() -> None:
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_process_instance_job_id"), type_="unique")
        batch_op.drop_column("job_id")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
