"""delivery feedback: bounce and complaint events from mail providers and DSNs, used signature tokens

Revision ID: 0007_delivery_feedback
Revises: 0006_panel_polish
Create Date: 2026-12-10 10:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_delivery_feedback'
down_revision = '0006_panel_polish'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'delivery_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seller_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('event_id', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('recipient', sa.String(length=320), nullable=False),
        sa.Column('occurred_at', sa.DateTime(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('buyer_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.String(length=500), nullable=True),
        sa.Column('action', sa.String(length=32), nullable=True),
        sa.Column('raw', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_delivery_events_seller_id_sellers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'],
                                name=op.f('fk_delivery_events_message_id_messages'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['buyer_id'], ['buyers.id'], name=op.f('fk_delivery_events_buyer_id_buyers'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_events')),
        sa.UniqueConstraint('seller_id', 'source', 'event_id',
                            name=op.f('uq_delivery_events_seller_id_source_event_id')),
    )
    op.create_index('ix_delivery_events_buyer', 'delivery_events', ['buyer_id', 'occurred_at'])
    op.create_index('ix_delivery_events_message', 'delivery_events', ['message_id', 'occurred_at'])
    op.create_index('ix_delivery_events_recipient', 'delivery_events',
                    ['seller_id', 'recipient', 'kind', 'occurred_at'])
    op.create_index('ix_delivery_events_seller_received', 'delivery_events', ['seller_id', 'source', 'received_at'])
    op.create_table(
        'feedback_nonces',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seller_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('nonce', sa.String(length=200), nullable=False),
        sa.Column('event_id', sa.String(length=200), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_feedback_nonces_seller_id_sellers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_nonces')),
        sa.UniqueConstraint('seller_id', 'source', 'nonce', name=op.f('uq_feedback_nonces_seller_id_source_nonce')),
    )
    op.create_index('ix_feedback_nonces_seen', 'feedback_nonces', ['seller_id', 'source', 'seen_at'])
    op.create_index('ix_messages_rfc_message_id', 'messages', ['rfc_message_id'])


def downgrade() -> None:
    op.drop_index('ix_messages_rfc_message_id', table_name='messages')
    op.drop_index('ix_feedback_nonces_seen', table_name='feedback_nonces')
    op.drop_table('feedback_nonces')
    op.drop_index('ix_delivery_events_seller_received', table_name='delivery_events')
    op.drop_index('ix_delivery_events_recipient', table_name='delivery_events')
    op.drop_index('ix_delivery_events_message', table_name='delivery_events')
    op.drop_index('ix_delivery_events_buyer', table_name='delivery_events')
    op.drop_table('delivery_events')
