"""dashboard: a covering index for an organisation's records, by date, with the filtered columns

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 00:20:00
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

COLUMNS = ['organisation_ods', 'status', 'event_date', 'id', 'event_type', 'physical_harm', 'psychological_harm',
           'channel', 'reporter_type']


def upgrade() -> None:
    with op.batch_alter_table('event_records', schema=None) as batch_op:
        batch_op.create_index('ix_event_records_dashboard', COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('event_records', schema=None) as batch_op:
        batch_op.drop_index('ix_event_records_dashboard')
