"""accounts: a session version (revokes tokens and sessions); organisations: their staff e-mail domains

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_domains', sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('email_domains')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('session_version')
