"""panel polish: accent-free buyer search text, structured send explanations

Revision ID: 0006_panel_polish
Revises: 0005_translations
Create Date: 2026-12-03 10:30:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0006_panel_polish'
down_revision = '0005_translations'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
