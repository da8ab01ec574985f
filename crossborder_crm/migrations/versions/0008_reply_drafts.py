"""reply drafts and their audit trail, remedy policies, saved replies; buyers.last_negative_review_at;
indexes for finding an order by reference and a route's delivery history

Revision ID: 0008_reply_drafts
Revises: 0007_delivery_feedback
Create Date: 2026-12-04 05:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_reply_drafts'
down_revision = '0007_delivery_feedback'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reply_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seller_id', sa.Integer(), nullable=False),
        sa.Column('buyer_id', sa.Integer(), nullable=True),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('source', sa.String(length=40), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('rating', sa.Integer(), nullable=True),
        sa.Column('language', sa.String(length=35), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('categories', sa.JSON(), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('severity', sa.String(length=8), nullable=False),
        sa.Column('severity_reasons', sa.JSON(), nullable=False),
        sa.Column('facts', sa.JSON(), nullable=False),
        sa.Column('remedy', sa.JSON(), nullable=False),
        sa.Column('buyer_locale', sa.String(length=35), nullable=False),
        sa.Column('buyer_subject', sa.String(length=300), nullable=False),
        sa.Column('buyer_body', sa.Text(), nullable=False),
        sa.Column('buyer_public_reply', sa.Text(), nullable=True),
        sa.Column('seller_locale', sa.String(length=35), nullable=False),
        sa.Column('seller_subject', sa.String(length=300), nullable=False),
        sa.Column('seller_body', sa.Text(), nullable=False),
        sa.Column('seller_public_reply', sa.Text(), nullable=True),
        sa.Column('machine_translated', sa.Boolean(), nullable=False),
        sa.Column('translation_note', sa.String(length=300), nullable=True),
        sa.Column('tone_warnings', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('activity_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_reply_drafts_seller_id_sellers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['buyer_id'], ['buyers.id'], name=op.f('fk_reply_drafts_buyer_id_buyers'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_reply_drafts_order_id_orders'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_reply_drafts_message_id_messages'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['activity_id'], ['activities.id'],
                                name=op.f('fk_reply_drafts_activity_id_activities'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_drafts')),
        sa.UniqueConstraint('activity_id', name=op.f('uq_reply_drafts_activity_id')),
    )
    op.create_index('ix_reply_drafts_seller_status', 'reply_drafts', ['seller_id', 'status', 'id'])
    op.create_index('ix_reply_drafts_buyer', 'reply_drafts', ['buyer_id', 'created_at'])
    op.create_index('ix_reply_drafts_seller_received', 'reply_drafts', ['seller_id', 'received_at'])
    op.create_table(
        'reply_draft_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('detail', sa.String(length=500), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['draft_id'], ['reply_drafts.id'],
                                name=op.f('fk_reply_draft_events_draft_id_reply_drafts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_draft_events')),
    )
    op.create_index('ix_reply_draft_events_draft', 'reply_draft_events', ['draft_id', 'id'])
    op.create_table(
        'reply_policies',
        sa.Column('seller_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_reply_policies_seller_id_sellers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('seller_id', name=op.f('pk_reply_policies')),
    )
    op.create_table(
        'saved_replies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seller_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('language', sa.String(length=35), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_saved_replies_seller_id_sellers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_replies')),
    )
    op.create_index('ix_saved_replies_seller', 'saved_replies', ['seller_id', 'id'])
    op.create_table(
        'reply_event_outcomes',
        sa.Column('activity_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('detail', sa.String(length=300), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['activity_id'], ['activities.id'],
                                name=op.f('fk_reply_event_outcomes_activity_id_activities'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('activity_id', name=op.f('pk_reply_event_outcomes')),
    )
    op.create_index('ix_shipments_route_history', 'shipments', ['seller_id', 'destination_country', 'delivered_at'])
    op.create_index('ix_orders_seller_reference', 'orders', ['seller_id', 'reference'])
    op.create_index('ix_orders_seller_external', 'orders', ['seller_id', 'external_id'])
    with op.batch_alter_table('buyers') as batch:
        batch.add_column(sa.Column('last_negative_review_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    # In place, not in batch mode: on SQLite batch recreates `buyers`, and dropping the old table (foreign keys
    # on) cascades to every buyer's orders, messages... SQLite 3.35+ drops a plain column in place, as 0010 does.
    op.drop_column('buyers', 'last_negative_review_at')
    op.drop_index('ix_orders_seller_external', table_name='orders')
    op.drop_index('ix_orders_seller_reference', table_name='orders')
    op.drop_index('ix_shipments_route_history', table_name='shipments')
    op.drop_table('reply_event_outcomes')
    op.drop_index('ix_saved_replies_seller', table_name='saved_replies')
    op.drop_table('saved_replies')
    op.drop_table('reply_policies')
    op.drop_index('ix_reply_draft_events_draft', table_name='reply_draft_events')
    op.drop_table('reply_draft_events')
    op.drop_index('ix_reply_drafts_seller_received', table_name='reply_drafts')
    op.drop_index('ix_reply_drafts_buyer', table_name='reply_drafts')
    op.drop_index('ix_reply_drafts_seller_status', table_name='reply_drafts')
    op.drop_table('reply_drafts')
