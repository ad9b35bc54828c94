"""resume codes: public drafts carried into a later call or SMS

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 23:53:53.042922
"""
import sqlalchemy as sa
from alembic import op

import backend.database.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resume_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('at', backend.database.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resume_attempts'))
    )
    with op.batch_alter_table('resume_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resume_attempts_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_resume_attempts_key_hash'), ['key_hash'], unique=False)

    op.create_table('resume_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', backend.database.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', backend.database.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', backend.database.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['event_records.id'], name=op.f('fk_resume_codes_record_id_event_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resume_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_resume_codes_code_hash'))
    )
    with op.batch_alter_table('resume_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resume_codes_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_resume_codes_record_id'), ['record_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('resume_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resume_codes_record_id'))
        batch_op.drop_index(batch_op.f('ix_resume_codes_expires_at'))

    op.drop_table('resume_codes')
    with op.batch_alter_table('resume_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resume_attempts_key_hash'))
        batch_op.drop_index(batch_op.f('ix_resume_attempts_at'))

    op.drop_table('resume_attempts')
