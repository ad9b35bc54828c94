"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 21:36:48.648522
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organisations',
    sa.Column('ods_code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('ods_code', name=op.f('pk_organisations'))
    )
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('organisation_ods', sa.String(length=12), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_ods'], ['organisations.ods_code'], name=op.f('fk_accounts_organisation_ods_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('email', name=op.f('uq_accounts_email'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_organisation_ods'), ['organisation_ods'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('actor_account_id', sa.Integer(), nullable=True),
    sa.Column('entity_type', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('field', sa.String(length=80), nullable=True),
    sa.Column('patient', sa.Integer(), nullable=True),
    sa.Column('old_value', sa.JSON(), nullable=True),
    sa.Column('new_value', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_account_id'], ['accounts.id'], name=op.f('fk_audit_events_actor_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_entity', ['entity_type', 'entity_id'], unique=False)

    op.create_table('event_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=24), nullable=True),
    sa.Column('event_type', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('audience', sa.String(length=8), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('organisation_ods', sa.String(length=12), nullable=True),
    sa.Column('owner_account_id', sa.Integer(), nullable=True),
    sa.Column('public_key_hash', sa.String(length=64), nullable=True),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=True),
    sa.Column('physical_harm', sa.String(length=4), nullable=True),
    sa.Column('psychological_harm', sa.String(length=4), nullable=True),
    sa.Column('reporter_type', sa.String(length=4), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_account_id'], ['accounts.id'], name=op.f('fk_event_records_owner_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_records')),
    sa.UniqueConstraint('public_id', name=op.f('uq_event_records_public_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_event_records_reference'))
    )
    with op.batch_alter_table('event_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_records_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_records_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_records_event_date'), ['event_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_records_event_type'), ['event_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_records_organisation_ods'), ['organisation_ods'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_records_owner_account_id'), ['owner_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_records_physical_harm'), ['physical_harm'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_records_psychological_harm'), ['psychological_harm'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_records_public_key_hash'), ['public_key_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_records_reporter_type'), ['reporter_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_records_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_records_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_records_updated_at'), ['updated_at'], unique=False)

    op.create_table('record_facets',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['event_records.id'], name=op.f('fk_record_facets_record_id_event_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'field', 'code', name=op.f('pk_record_facets'))
    )
    with op.batch_alter_table('record_facets', schema=None) as batch_op:
        batch_op.create_index('ix_record_facets_lookup', ['field', 'code', 'record_id'], unique=False)

    op.create_table('record_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=20), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['event_records.id'], name=op.f('fk_record_versions_record_id_event_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_versions')),
    sa.UniqueConstraint('record_id', 'version', name=op.f('uq_record_versions_record_id'))
    )
    with op.batch_alter_table('record_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_versions_record_id'), ['record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('record_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_versions_record_id'))

    op.drop_table('record_versions')
    with op.batch_alter_table('record_facets', schema=None) as batch_op:
        batch_op.drop_index('ix_record_facets_lookup')

    op.drop_table('record_facets')
    with op.batch_alter_table('event_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_records_updated_at'))
        batch_op.drop_index(batch_op.f('ix_event_records_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_event_records_status'))
        batch_op.drop_index(batch_op.f('ix_event_records_reporter_type'))
        batch_op.drop_index(batch_op.f('ix_event_records_public_key_hash'))
        batch_op.drop_index(batch_op.f('ix_event_records_psychological_harm'))
        batch_op.drop_index(batch_op.f('ix_event_records_physical_harm'))
        batch_op.drop_index(batch_op.f('ix_event_records_owner_account_id'))
        batch_op.drop_index(batch_op.f('ix_event_records_organisation_ods'))
        batch_op.drop_index(batch_op.f('ix_event_records_event_type'))
        batch_op.drop_index(batch_op.f('ix_event_records_event_date'))
        batch_op.drop_index(batch_op.f('ix_event_records_created_at'))
        batch_op.drop_index(batch_op.f('ix_event_records_channel'))

    op.drop_table('event_records')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_entity')

    op.drop_table('audit_events')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_organisation_ods'))

    op.drop_table('accounts')
    op.drop_table('organisations')
