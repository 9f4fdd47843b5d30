"""users, groups, tenants of users; documents of instances (issue 5)

Revision ID: 0100
Revises: 0001
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0100"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
    )
    op.create_table(
        "app_user_group",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_app_user_group_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user_group")),
        sa.UniqueConstraint("user_id", "name", name="uq_app_user_group_member"),
    )
    with op.batch_alter_table("app_user_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_group_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_app_user_group_name"), ["name"], unique=False)
    op.create_table(
        "app_user_tenant",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_app_user_tenant_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user_tenant")),
        sa.UniqueConstraint("user_id", "tenant_id", name="uq_app_user_tenant_member"),
    )
    with op.batch_alter_table("app_user_tenant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_app_user_tenant_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_app_user_tenant_tenant_id"), ["tenant_id"], unique=False)
    op.create_table(
        "instance_document",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("element_id", sa.String(length=255), nullable=True),
        sa.Column("step_name", sa.String(length=500), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_document")),
    )
    with op.batch_alter_table("instance_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_instance_document_instance_id"), ["instance_id"], unique=False)


def downgrade() -> None:
    op.drop_table("instance_document")
    op.drop_table("app_user_tenant")
    op.drop_table("app_user_group")
    op.drop_table("app_user")
