"""resume codes: a locator and a count of wrong tries per code; wrong tries per source and window (issue 16)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 14:30:00
"""
import sqlalchemy as sa
from alembic import op

import backend.database.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('resume_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locator', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('tries', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_resume_codes_locator'), ['locator'], unique=False)
    op.create_table('resume_source_tries',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('window_start', backend.database.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key_hash', 'window_start', name=op.f('pk_resume_source_tries'))
    )
    with op.batch_alter_table('resume_source_tries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resume_source_tries_window_start'), ['window_start'], unique=False)
    # Codes issued before locators cannot be found any more: end them (their drafts stay).
    op.execute("DELETE FROM resume_codes WHERE locator IS NULL")
    # No part of a public key's hash in the audit trail or versions (records.anonymity).
    for table, column in (('audit_events', 'actor'), ('record_versions', 'created_by')):
        op.execute(f"UPDATE {table} SET {column} = 'public via service' "
                   f"WHERE {column} LIKE 'public:%' AND {column} LIKE '% via service'")
        op.execute(f"UPDATE {table} SET {column} = 'public' WHERE {column} LIKE 'public:%'")


def downgrade() -> None:
    with op.batch_alter_table('resume_source_tries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resume_source_tries_window_start'))
    op.drop_table('resume_source_tries')
    with op.batch_alter_table('resume_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resume_codes_locator'))
        batch_op.drop_column('tries')
        batch_op.drop_column('locator')
