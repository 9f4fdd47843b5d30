"""indexes for lists narrowed, sorted and paged in SQL (issue 10)

Revision ID: 0200
Revises: 0110
Create Date: 2026-12-07
"""
from __future__ import annotations

from alembic import op

revision = "0200"
down_revision = "0110"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_task_candidate_lookup")
        batch_op.create_index("ix_task_candidate_lookup", ["kind", "value", "task_id"], unique=False)
    with op.batch_alter_table("user_task", schema=None) as batch_op:
        batch_op.create_index("ix_user_task_due_order", ["due", "created", "id"], unique=False)
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.create_index("ix_process_instance_start", ["start_time", "id"], unique=False)
    with op.batch_alter_table("history_event", schema=None) as batch_op:
        batch_op.create_index("ix_history_event_user_instance", ["user_id", "instance_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("history_event", schema=None) as batch_op:
        batch_op.drop_index("ix_history_event_user_instance")
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_index("ix_process_instance_start")
    with op.batch_alter_table("user_task", schema=None) as batch_op:
        batch_op.drop_index("ix_user_task_due_order")
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_task_candidate_lookup")
        batch_op.create_index("ix_task_candidate_lookup", ["kind", "value"], unique=False)
