"""called processes as instances of their own: super / root process instance links (issue 13)

Revision ID: 0230
Revises: 0200
Create Date: 2026-12-08
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0230"
down_revision = "0210"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("super_process_instance_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("super_task_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("root_process_instance_id", sa.String(length=36), nullable=True))
        batch_op.create_index("ix_process_instance_super_process_instance_id", ["super_process_instance_id"],
                              unique=False)
        batch_op.create_index("ix_process_instance_root_process_instance_id", ["root_process_instance_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_index("ix_process_instance_root_process_instance_id")
        batch_op.drop_index("ix_process_instance_super_process_instance_id")
        batch_op.drop_column("root_process_instance_id")
        batch_op.drop_column("super_task_id")
        batch_op.drop_column("super_process_instance_id")
