"""initial schema: tenants, deployments, definitions, instances, projections, history (issue 3)

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('history_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('definition_id', sa.String(length=255), nullable=True),
    sa.Column('definition_key', sa.String(length=255), nullable=True),
    sa.Column('tenant_id', sa.String(length=64), nullable=True),
    sa.Column('element_id', sa.String(length=255), nullable=True),
    sa.Column('element_name', sa.String(length=500), nullable=True),
    sa.Column('element_type', sa.String(length=64), nullable=True),
    sa.Column('lane', sa.String(length=255), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('user_id', sa.String(length=255), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_history_event'))
    )
    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.create_index('ix_history_event_instance_seq', ['instance_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_history_event_kind'), ['kind'], unique=False)

    op.create_table('tenant',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenant'))
    )
    op.create_table('deployment',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('source', sa.String(length=255), nullable=True),
    sa.Column('deployment_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_deployment_tenant_id_tenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deployment')),
    sa.UniqueConstraint('sequence', name=op.f('uq_deployment_sequence'))
    )
    with op.batch_alter_table('deployment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployment_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_deployment_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('deployment_resource',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('deployment_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployment.id'], name=op.f('fk_deployment_resource_deployment_id_deployment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deployment_resource')),
    sa.UniqueConstraint('deployment_id', 'name', name='uq_deployment_resource_name')
    )
    op.create_table('decision_definition',
    sa.Column('deployment_id', sa.String(length=36), nullable=False),
    sa.Column('resource_id', sa.String(length=36), nullable=False),
    sa.Column('version_tag', sa.String(length=255), nullable=True),
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=True),
    sa.Column('tenant_scope', sa.String(length=64), nullable=False),
    sa.Column('resource_name', sa.String(length=500), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployment.id'], name=op.f('fk_decision_definition_deployment_id_deployment')),
    sa.ForeignKeyConstraint(['resource_id'], ['deployment_resource.id'], name=op.f('fk_decision_definition_resource_id_deployment_resource')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_definition')),
    sa.UniqueConstraint('key', 'tenant_scope', 'version', name='uq_decision_definition_version')
    )
    with op.batch_alter_table('decision_definition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_definition_deployment_id'), ['deployment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_definition_key'), ['key'], unique=False)
        batch_op.create_index('ix_decision_definition_latest', ['key', 'tenant_scope', 'version'], unique=False)

    op.create_table('form_definition',
    sa.Column('deployment_id', sa.String(length=36), nullable=False),
    sa.Column('resource_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=True),
    sa.Column('tenant_scope', sa.String(length=64), nullable=False),
    sa.Column('resource_name', sa.String(length=500), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployment.id'], name=op.f('fk_form_definition_deployment_id_deployment')),
    sa.ForeignKeyConstraint(['resource_id'], ['deployment_resource.id'], name=op.f('fk_form_definition_resource_id_deployment_resource')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_definition')),
    sa.UniqueConstraint('key', 'tenant_scope', 'version', name='uq_form_definition_version')
    )
    with op.batch_alter_table('form_definition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_definition_deployment_id'), ['deployment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_definition_key'), ['key'], unique=False)

    op.create_table('process_definition',
    sa.Column('deployment_id', sa.String(length=36), nullable=False),
    sa.Column('resource_id', sa.String(length=36), nullable=False),
    sa.Column('executable', sa.Boolean(), nullable=False),
    sa.Column('startable', sa.Boolean(), nullable=False),
    sa.Column('suspended', sa.Boolean(), nullable=False),
    sa.Column('version_tag', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=True),
    sa.Column('tenant_scope', sa.String(length=64), nullable=False),
    sa.Column('resource_name', sa.String(length=500), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployment.id'], name=op.f('fk_process_definition_deployment_id_deployment')),
    sa.ForeignKeyConstraint(['resource_id'], ['deployment_resource.id'], name=op.f('fk_process_definition_resource_id_deployment_resource')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_definition')),
    sa.UniqueConstraint('key', 'tenant_scope', 'version', name='uq_process_definition_version')
    )
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_definition_deployment_id'), ['deployment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_definition_key'), ['key'], unique=False)
        batch_op.create_index('ix_process_definition_latest', ['key', 'tenant_scope', 'version'], unique=False)

    op.create_table('process_instance',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('definition_id', sa.String(length=255), nullable=False),
    sa.Column('definition_key', sa.String(length=255), nullable=False),
    sa.Column('called_definition_ids', sa.JSON(), nullable=False),
    sa.Column('business_key', sa.String(length=255), nullable=True),
    sa.Column('tenant_id', sa.String(length=64), nullable=True),
    sa.Column('state', sa.Enum('ACTIVE', 'COMPLETED', 'CANCELLED', 'SUSPENDED', name='instancestate', native_enum=False, length=16), nullable=False),
    sa.Column('start_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('start_user_id', sa.String(length=255), nullable=True),
    sa.Column('engine_state', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('next_timer_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('timer_lease_owner', sa.String(length=100), nullable=True),
    sa.Column('timer_lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('incident', sa.Boolean(), nullable=False),
    sa.Column('projected', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'], name=op.f('fk_process_instance_definition_id_process_definition')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_instance'))
    )
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_instance_business_key'), ['business_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_definition_id'), ['definition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_definition_key'), ['definition_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_next_timer_due'), ['next_timer_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('start_message',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('definition_id', sa.String(length=255), nullable=False),
    sa.Column('message_name', sa.String(length=255), nullable=False),
    sa.Column('element_id', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'], name=op.f('fk_start_message_definition_id_process_definition'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_start_message'))
    )
    with op.batch_alter_table('start_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_start_message_definition_id'), ['definition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_start_message_message_name'), ['message_name'], unique=False)

    op.create_table('timer_start_job',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('definition_id', sa.String(length=255), nullable=False),
    sa.Column('definition_key', sa.String(length=255), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=True),
    sa.Column('element_id', sa.String(length=255), nullable=False),
    sa.Column('timer_text', sa.String(length=500), nullable=False),
    sa.Column('next_due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('repetitions_left', sa.Integer(), nullable=True),
    sa.Column('fired', sa.Integer(), nullable=False),
    sa.Column('lease_owner', sa.String(length=100), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'], name=op.f('fk_timer_start_job_definition_id_process_definition')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timer_start_job'))
    )
    with op.batch_alter_table('timer_start_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timer_start_job_definition_id'), ['definition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_timer_start_job_next_due'), ['next_due'], unique=False)

    op.create_table('external_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('definition_id', sa.String(length=255), nullable=False),
    sa.Column('definition_key', sa.String(length=255), nullable=False),
    sa.Column('business_key', sa.String(length=255), nullable=True),
    sa.Column('element_id', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=True),
    sa.Column('topic', sa.String(length=255), nullable=False),
    sa.Column('worker_id', sa.String(length=255), nullable=True),
    sa.Column('lock_expiration', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retries', sa.Integer(), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('error_details', sa.Text(), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=True),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_external_task_instance_id_process_instance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_task'))
    )
    with op.batch_alter_table('external_task', schema=None) as batch_op:
        batch_op.create_index('ix_external_task_fetch', ['topic', 'lock_expiration'], unique=False)
        batch_op.create_index(batch_op.f('ix_external_task_instance_id'), ['instance_id'], unique=False)

    op.create_table('incident',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('definition_id', sa.String(length=255), nullable=True),
    sa.Column('tenant_id', sa.String(length=64), nullable=True),
    sa.Column('incident_type', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('element_id', sa.String(length=255), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_incident_instance_id_process_instance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_instance_id'), ['instance_id'], unique=False)

    op.create_table('message_subscription',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('message_name', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_message_subscription_instance_id_process_instance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_subscription'))
    )
    with op.batch_alter_table('message_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_subscription_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_subscription_message_name'), ['message_name'], unique=False)

    op.create_table('user_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('definition_id', sa.String(length=255), nullable=False),
    sa.Column('definition_key', sa.String(length=255), nullable=False),
    sa.Column('business_key', sa.String(length=255), nullable=True),
    sa.Column('element_id', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=True),
    sa.Column('lane', sa.String(length=255), nullable=True),
    sa.Column('assignee', sa.String(length=255), nullable=True),
    sa.Column('owner', sa.String(length=255), nullable=True),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('follow_up', sa.DateTime(timezone=True), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('form_key', sa.String(length=500), nullable=True),
    sa.Column('form_ref', sa.String(length=255), nullable=True),
    sa.Column('form_ref_binding', sa.String(length=32), nullable=True),
    sa.Column('form_ref_version', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.String(length=64), nullable=True),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('form_fields', sa.JSON(), nullable=False),
    sa.Column('documentation', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_user_task_instance_id_process_instance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_task'))
    )
    with op.batch_alter_table('user_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_task_assignee'), ['assignee'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_task_definition_key'), ['definition_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_task_due'), ['due'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_task_element_id'), ['element_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_task_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_user_task_tenant_created', ['tenant_id', 'created'], unique=False)

    op.create_table('task_candidate',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['user_task.id'], name=op.f('fk_task_candidate_task_id_user_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_candidate'))
    )
    with op.batch_alter_table('task_candidate', schema=None) as batch_op:
        batch_op.create_index('ix_task_candidate_lookup', ['kind', 'value'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_candidate_task_id'), ['task_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('task_candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_candidate_task_id'))
        batch_op.drop_index('ix_task_candidate_lookup')

    op.drop_table('task_candidate')
    with op.batch_alter_table('user_task', schema=None) as batch_op:
        batch_op.drop_index('ix_user_task_tenant_created')
        batch_op.drop_index(batch_op.f('ix_user_task_instance_id'))
        batch_op.drop_index(batch_op.f('ix_user_task_element_id'))
        batch_op.drop_index(batch_op.f('ix_user_task_due'))
        batch_op.drop_index(batch_op.f('ix_user_task_definition_key'))
        batch_op.drop_index(batch_op.f('ix_user_task_assignee'))

    op.drop_table('user_task')
    with op.batch_alter_table('message_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_subscription_message_name'))
        batch_op.drop_index(batch_op.f('ix_message_subscription_instance_id'))

    op.drop_table('message_subscription')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_instance_id'))

    op.drop_table('incident')
    with op.batch_alter_table('external_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_task_instance_id'))
        batch_op.drop_index('ix_external_task_fetch')

    op.drop_table('external_task')
    with op.batch_alter_table('timer_start_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timer_start_job_next_due'))
        batch_op.drop_index(batch_op.f('ix_timer_start_job_definition_id'))

    op.drop_table('timer_start_job')
    with op.batch_alter_table('start_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_start_message_message_name'))
        batch_op.drop_index(batch_op.f('ix_start_message_definition_id'))

    op.drop_table('start_message')
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_instance_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_process_instance_state'))
        batch_op.drop_index(batch_op.f('ix_process_instance_next_timer_due'))
        batch_op.drop_index(batch_op.f('ix_process_instance_definition_key'))
        batch_op.drop_index(batch_op.f('ix_process_instance_definition_id'))
        batch_op.drop_index(batch_op.f('ix_process_instance_business_key'))

    op.drop_table('process_instance')
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_index('ix_process_definition_latest')
        batch_op.drop_index(batch_op.f('ix_process_definition_key'))
        batch_op.drop_index(batch_op.f('ix_process_definition_deployment_id'))

    op.drop_table('process_definition')
    with op.batch_alter_table('form_definition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_definition_key'))
        batch_op.drop_index(batch_op.f('ix_form_definition_deployment_id'))

    op.drop_table('form_definition')
    with op.batch_alter_table('decision_definition', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_definition_latest')
        batch_op.drop_index(batch_op.f('ix_decision_definition_key'))
        batch_op.drop_index(batch_op.f('ix_decision_definition_deployment_id'))

    op.drop_table('decision_definition')
    op.drop_table('deployment_resource')
    with op.batch_alter_table('deployment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployment_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_deployment_name'))

    op.drop_table('deployment')
    op.drop_table('tenant')
    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_history_event_kind'))
        batch_op.drop_index('ix_history_event_instance_seq')

    op.drop_table('history_event')
