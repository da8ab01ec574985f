"""users.session_generation (ends sessions on logout); webhook secrets as Text (encrypted at rest)

Revision ID: 0002_sessions_and_secrets
Revises: 0001_initial
Create Date: 2026-12-03 08:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_sessions_and_secrets'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('webhook_secrets') as batch:
        batch.alter_column('secret', existing_type=sa.String(length=128), type_=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('webhook_secrets') as batch:
        batch.alter_column('secret', existing_type=sa.Text(), type_=sa.String(length=128), existing_nullable=False)
    with op.batch_alter_table('users') as batch:
        batch.drop_column('session_generation')
