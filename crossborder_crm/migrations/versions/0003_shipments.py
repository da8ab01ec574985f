"""shipments, checkpoints, incidents, milestone notices; orders.dispute_open, buyers.last_buyer_message_at

Revision ID: 0003_shipments
Revises: 0002_sessions_and_secrets
Create Date: 2026-12-03 10:30:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0003_shipments'
down_revision = '0002_sessions_and_secrets'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
