"""buyer segments: recency/frequency/monetary scores, the named segment and its reason

Revision ID: 0009_buyer_segments
Revises: 0008_reply_drafts
Create Date: 2026-12-04 06:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_buyer_segments'
down_revision = '0008_reply_drafts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode only adds columns here: on SQLite that is ALTER TABLE ADD COLUMN, `buyers` is not recreated.
    with op.batch_alter_table('buyers') as batch:
        batch.add_column(sa.Column('segment', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('segment_reason', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('rfm_recency', sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column('rfm_frequency', sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column('rfm_monetary', sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column('segment_at', sa.DateTime(), nullable=True))
    op.create_index('ix_buyers_seller_segment', 'buyers', ['seller_id', 'segment'])


def downgrade() -> None:
    # In place, not in batch mode: on SQLite batch recreates `buyers`, and dropping the old table (foreign keys
    # on) cascades to every buyer's orders, messages, activities... SQLite 3.35+ drops a plain column in place;
    # the index on `segment` goes first, as SQLite will not drop an indexed column.
    op.drop_index('ix_buyers_seller_segment', table_name='buyers')
    for column in ('segment_at', 'rfm_monetary', 'rfm_frequency', 'rfm_recency', 'segment_reason', 'segment'):
        op.drop_column('buyers', column)
