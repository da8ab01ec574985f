"""shipments, checkpoints, incidents, milestone notices; orders.dispute_open and .reference, buyers.last_buyer_message_at

Revision ID: 0003_shipments
Revises: 0002_sessions_and_secrets
Create Date: 2026-12-03 10:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_shipments'
down_revision = '0002_sessions_and_secrets'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'shipments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seller_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('buyer_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('external_id', sa.String(length=100), nullable=True),
        sa.Column('carrier_name', sa.String(length=100), nullable=True),
        sa.Column('carrier_code', sa.String(length=64), nullable=True),
        sa.Column('tracking_number', sa.String(length=100), nullable=False),
        sa.Column('tracking_url', sa.String(length=1000), nullable=True),
        sa.Column('origin_country', sa.String(length=2), nullable=True),
        sa.Column('destination_country', sa.String(length=2), nullable=True),
        sa.Column('shipped_at', sa.DateTime(), nullable=True),
        sa.Column('expected_delivery', sa.Date(), nullable=True),
        sa.Column('expected_delivery_source', sa.String(length=16), nullable=True),
        sa.Column('milestone', sa.String(length=32), nullable=False),
        sa.Column('milestone_at', sa.DateTime(), nullable=True),
        sa.Column('last_checkpoint_at', sa.DateTime(), nullable=True),
        sa.Column('last_location', sa.String(length=200), nullable=True),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.Column('stalled', sa.Boolean(), server_default='0', nullable=False),
        sa.Column('late', sa.Boolean(), server_default='0', nullable=False),
        sa.Column('delay_episode', sa.Integer(), server_default='0', nullable=False),
        sa.Column('source_updated_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_shipments_seller_id_sellers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipments_order_id_orders'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['buyer_id'], ['buyers.id'], name=op.f('fk_shipments_buyer_id_buyers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
        sa.UniqueConstraint('seller_id', 'tracking_number', name=op.f('uq_shipments_seller_id_tracking_number')),
        sa.UniqueConstraint('seller_id', 'source', 'external_id',
                            name=op.f('uq_shipments_seller_id_source_external_id')),
    )
    op.create_index('ix_shipments_seller_id', 'shipments', ['seller_id', 'id'])
    op.create_index('ix_shipments_seller_milestone', 'shipments', ['seller_id', 'milestone', 'id'])
    op.create_index('ix_shipments_buyer', 'shipments', ['buyer_id', 'id'])
    op.create_index('ix_shipments_order', 'shipments', ['order_id'])
    op.create_index('ix_shipments_open', 'shipments', ['delivered_at', 'milestone'])

    op.create_table(
        'shipment_checkpoints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shipment_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('milestone', sa.String(length=32), nullable=False),
        sa.Column('raw_status', sa.String(length=100), nullable=False),
        sa.Column('location', sa.String(length=200), server_default='', nullable=False),
        sa.Column('country', sa.String(length=2), nullable=True),
        sa.Column('description', sa.String(length=500), nullable=True),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'],
                                name=op.f('fk_shipment_checkpoints_shipment_id_shipments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_checkpoints')),
        sa.UniqueConstraint('shipment_id', 'at', 'milestone', 'location',
                            name=op.f('uq_shipment_checkpoints_shipment_id_at_milestone_location')),
    )
    op.create_index('ix_shipment_checkpoints_shipment_at', 'shipment_checkpoints', ['shipment_id', 'at'])

    op.create_table(
        'shipment_incidents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seller_id', sa.Integer(), nullable=False),
        sa.Column('carriers', sa.JSON(), nullable=False),
        sa.Column('routes', sa.JSON(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('notified_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_shipment_incidents_seller_id_sellers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shipment_incidents')),
    )
    op.create_index('ix_shipment_incidents_seller', 'shipment_incidents', ['seller_id', 'id'])

    with op.batch_alter_table('orders') as batch:
        batch.add_column(sa.Column('dispute_open', sa.Boolean(), server_default='0', nullable=False))
        batch.add_column(sa.Column('reference', sa.String(length=100), nullable=True))
        batch.create_index('ix_orders_seller_id', ['seller_id', 'id'])
    with op.batch_alter_table('buyers') as batch:
        batch.add_column(sa.Column('last_buyer_message_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    # In place, not in batch mode: on SQLite batch recreates the table, and dropping the old `buyers` or `orders`
    # (foreign keys on) cascades to every buyer's orders, messages, order items... SQLite 3.35+ drops a plain
    # column in place, as 0010 does.
    op.drop_column('buyers', 'last_buyer_message_at')
    op.drop_index('ix_orders_seller_id', table_name='orders')
    op.drop_column('orders', 'reference')
    op.drop_column('orders', 'dispute_open')
    op.drop_index('ix_shipment_incidents_seller', table_name='shipment_incidents')
    op.drop_table('shipment_incidents')
    op.drop_index('ix_shipment_checkpoints_shipment_at', table_name='shipment_checkpoints')
    op.drop_table('shipment_checkpoints')
    op.drop_index('ix_shipments_open', table_name='shipments')
    op.drop_index('ix_shipments_order', table_name='shipments')
    op.drop_index('ix_shipments_buyer', table_name='shipments')
    op.drop_index('ix_shipments_seller_milestone', table_name='shipments')
    op.drop_index('ix_shipments_seller_id', table_name='shipments')
    op.drop_table('shipments')
