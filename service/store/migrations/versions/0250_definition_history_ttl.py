"""process definitions keep camunda:historyTimeToLive (issue 13)

Revision ID: 0250
Revises: 0200
Create Date: 2026-12-08
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0250"
down_revision = "0240"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_definition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("history_time_to_live", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("process_definition", schema=None) as batch_op:
        batch_op.drop_column("history_time_to_live")
