"""each seller's own SMTP relay: host, port, security, user, encrypted password, limits

Revision ID: 0011_seller_relays
Revises: 0010_campaigns
Create Date: 2026-12-05 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_seller_relays'
down_revision = '0010_campaigns'
branch_labels = None
depends_on = None

COLUMNS = ('relay_host', 'relay_port', 'relay_security', 'relay_username', 'relay_password',
           'relay_max_connections', 'relay_per_second', 'relay_per_domain_per_minute')


def upgrade() -> None:
    with op.batch_alter_table('sellers') as batch:
        batch.add_column(sa.Column('relay_host', sa.String(length=253), nullable=True))
        batch.add_column(sa.Column('relay_port', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('relay_security', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('relay_username', sa.String(length=320), nullable=True))
        batch.add_column(sa.Column('relay_password', sa.Text(), nullable=True))  # SecretBox: "fernet:…"
        batch.add_column(sa.Column('relay_max_connections', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('relay_per_second', sa.Float(), nullable=True))
        batch.add_column(sa.Column('relay_per_domain_per_minute', sa.Integer(), nullable=True))


def downgrade() -> None:
    # Not in batch mode: on SQLite that recreates `sellers`, and dropping the old table would cascade to
    # every row that references it. SQLite (3.35+) drops a plain column in place, as 0010 does.
    for column in reversed(COLUMNS):
        op.drop_column('sellers', column)
