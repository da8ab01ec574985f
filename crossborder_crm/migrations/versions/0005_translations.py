"""the translator's cache; written messages keep their original text

Revision ID: 0005_translations
Revises: 0004_webhook_deliveries
Create Date: 2026-12-03 10:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_translations'
down_revision = '0004_webhook_deliveries'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'translation_cache',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('source_language', sa.String(length=35), nullable=False),
        sa.Column('target_language', sa.String(length=35), nullable=False),
        sa.Column('text_sha256', sa.String(length=64), nullable=False),
        sa.Column('translated', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_cache')),
        sa.UniqueConstraint('provider', 'source_language', 'target_language', 'text_sha256',
                            name='uq_translation_cache_key'),
    )
    # Existing messages were sent as written: every new column stays empty for them.
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('original_subject', sa.String(length=998), nullable=True))
        batch.add_column(sa.Column('original_body', sa.Text(), nullable=True))
        batch.add_column(sa.Column('source_language', sa.String(length=35), nullable=True))
        batch.add_column(sa.Column('translation_note', sa.String(length=500), nullable=True))


def downgrade() -> None:
    # In place, not in batch mode: on SQLite batch recreates `messages`, and dropping the old table (foreign keys
    # on) cascades to the send log. SQLite 3.35+ drops a plain column in place, as 0010 does.
    for column in ('translation_note', 'source_language', 'original_body', 'original_subject'):
        op.drop_column('messages', column)
    op.drop_table('translation_cache')
