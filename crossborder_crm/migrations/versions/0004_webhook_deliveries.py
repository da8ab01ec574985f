"""webhook deliveries: every received delivery stored before it is applied

Revision ID: 0004_webhook_deliveries
Revises: 0003_shipments
Create Date: 2026-12-03 10:30:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0004_webhook_deliveries'
down_revision = '0003_shipments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
