"""task lists read from the candidate table's index: copies of the task's tenant, assignee, due and
creation on task_candidate, with the indexes that walk a group's tasks in list order (issue 10)

Revision ID: 0210
Revises: 0200
Create Date: 2026-12-08
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0210"
down_revision = "0200"
branch_labels = None
depends_on = None

COPIED = ("tenant_id", "assignee", "due", "created")


def upgrade() -> None:
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tenant_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("assignee", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("due", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("created", sa.DateTime(timezone=True), nullable=True))
    sets = ", ".join(f"{c} = (SELECT user_task.{c} FROM user_task WHERE user_task.id = task_candidate.task_id)"
                     for c in COPIED)
    op.execute(f"UPDATE task_candidate SET {sets}")
    # A task offered twice to one group or user keeps one row: the lists stop after first+max rows of a
    # group, which holds only when a task is there once (unique index below).
    op.execute("DELETE FROM task_candidate WHERE id NOT IN (SELECT min(id) FROM task_candidate "
               "GROUP BY kind, value, task_id)")
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_task_candidate_lookup")
        batch_op.create_index("ix_task_candidate_lookup", ["kind", "value", "task_id"], unique=True)
        batch_op.create_index("ix_task_candidate_worklist",
                              ["kind", "value", "due", "created", "task_id", "tenant_id", "assignee"], unique=False)
        batch_op.create_index("ix_task_candidate_due", ["kind", "value", "due", "task_id"], unique=False)
    with op.batch_alter_table("user_task", schema=None) as batch_op:
        batch_op.create_index("ix_user_task_due_id", ["due", "id"], unique=False)
        batch_op.create_index("ix_user_task_assignee_order", ["assignee", "due", "created", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_task", schema=None) as batch_op:
        batch_op.drop_index("ix_user_task_assignee_order")
        batch_op.drop_index("ix_user_task_due_id")
    with op.batch_alter_table("task_candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_task_candidate_due")
        batch_op.drop_index("ix_task_candidate_worklist")
        batch_op.drop_index("ix_task_candidate_lookup")
        batch_op.create_index("ix_task_candidate_lookup", ["kind", "value", "task_id"], unique=False)
        for column in reversed(COPIED):
            batch_op.drop_column(column)
