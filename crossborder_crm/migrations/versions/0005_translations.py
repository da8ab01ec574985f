"""the translator's cache; written messages keep their original text

Revision ID: 0005_translations
Revises: 0004_webhook_deliveries
Create Date: 2026-12-03 10:30:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0005_translations'
down_revision = '0004_webhook_deliveries'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
