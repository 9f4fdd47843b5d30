"""one job per pending timer (timer_job) and retries of timer start jobs (issue 13)

Revision ID: 0240
Revises: 0200
Create Date: 2026-12-08

Instances saved before this revision get their timer_job rows at their next save (the rows are projected
from the engine state, which SQL cannot read).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0240"
down_revision = "0230"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timer_job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("timer_task_id", sa.String(length=36), nullable=False),
        sa.Column("element_id", sa.String(length=255), nullable=True),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("timer_job", schema=None) as batch_op:
        batch_op.create_index("ix_timer_job_due", ["due", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_timer_job_instance_id"), ["instance_id"], unique=False)
    with op.batch_alter_table("timer_start_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retries", sa.Integer(), server_default="3", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("timer_start_job", schema=None) as batch_op:
        batch_op.drop_column("retries")
    with op.batch_alter_table("timer_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timer_job_instance_id"))
        batch_op.drop_index("ix_timer_job_due")
    op.drop_table("timer_job")
