"""campaigns, saved audiences, the index that finds a campaign's messages, open and click events, the tracking switch, A/B variants, sending rates shared by workers

Revision ID: 0010_campaigns
Revises: 0009_buyer_segments
Create Date: 2026-12-04 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_campaigns'
down_revision = '0009_buyer_segments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'campaigns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seller_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('audience', sa.JSON(), nullable=False),
        sa.Column('confirm_all', sa.Boolean(), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('send_on', sa.Date(), nullable=True),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('attribution_days', sa.Integer(), nullable=False),
        sa.Column('last_plan', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('launched_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_campaigns_seller_status', 'campaigns', ['seller_id', 'status', 'id'])
    op.create_table(
        'saved_audiences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seller_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('filter', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('seller_id', 'name'),
    )
    op.create_index('ix_messages_origin', 'messages', ['seller_id', 'origin', 'origin_ref'])
    op.create_table(
        'message_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seller_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('machine', sa.Boolean(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=True),
        sa.Column('user_agent', sa.String(length=300), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_message_events_message_kind', 'message_events', ['message_id', 'kind'])
    op.create_table(
        'send_rates',
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('next_at', sa.Float(), nullable=False),
        sa.Column('blocked_until', sa.Float(), nullable=True),
        sa.Column('holder', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('sellers') as batch:
        batch.add_column(sa.Column('track_engagement', sa.Boolean(), server_default='0', nullable=False))
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('variant', sa.String(length=4), nullable=True))


def downgrade() -> None:
    # In place, not in batch mode: batch would recreate the table, and on SQLite (foreign keys on)
    # dropping the old `sellers` cascades to every buyer. SQLite 3.35+ drops a column in place.
    op.drop_column('messages', 'variant')
    op.drop_column('sellers', 'track_engagement')
    op.drop_table('send_rates')
    op.drop_index('ix_message_events_message_kind', table_name='message_events')
    op.drop_table('message_events')
    op.drop_index('ix_messages_origin', table_name='messages')
    op.drop_table('saved_audiences')
    op.drop_index('ix_campaigns_seller_status', table_name='campaigns')
    op.drop_table('campaigns')
