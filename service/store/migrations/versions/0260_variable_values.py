"""variable projection for Camunda's variable filters in SQL (issue 13)

Revision ID: 0260
Revises: 0200
Create Date: 2026-12-08
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0260"
down_revision = "0250"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "variable_value",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("text_value", sa.String(length=4000), nullable=True),
        sa.Column("number_value", sa.Float(), nullable=True),
        sa.Column("date_value", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_variable_value_instance_id_process_instance"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variable_value")),
    )
    with op.batch_alter_table("variable_value", schema=None) as batch_op:
        batch_op.create_index("ix_variable_value_text", ["name", "text_value"], unique=False)
        batch_op.create_index("ix_variable_value_number", ["name", "number_value"], unique=False)
        batch_op.create_index("ix_variable_value_date", ["name", "date_value"], unique=False)
        batch_op.create_index("ix_variable_value_owner", ["instance_id", "name"], unique=False)


def downgrade() -> None:
    op.drop_table("variable_value")
