"""webhook deliveries: every received delivery stored before it is applied

Revision ID: 0004_webhook_deliveries
Revises: 0003_shipments
Create Date: 2026-12-03 10:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_webhook_deliveries'
down_revision = '0003_shipments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'webhook_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seller_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('topic', sa.String(length=100), nullable=False),
        sa.Column('delivery_id', sa.String(length=200), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('waiting_for', sa.String(length=300), nullable=True),
        sa.Column('applied_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['seller_id'], ['sellers.id'], name=op.f('fk_webhook_deliveries_seller_id_sellers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
        sa.UniqueConstraint('seller_id', 'source', 'delivery_id',
                            name=op.f('uq_webhook_deliveries_seller_id_source_delivery_id')),
    )
    op.create_index('ix_webhook_deliveries_status', 'webhook_deliveries', ['status', 'id'])
    op.create_index('ix_webhook_deliveries_seller_received', 'webhook_deliveries',
                    ['seller_id', 'source', 'received_at'])
    op.create_index('ix_webhook_deliveries_waiting', 'webhook_deliveries', ['seller_id', 'waiting_for'])


def downgrade() -> None:
    op.drop_index('ix_webhook_deliveries_waiting', table_name='webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_seller_received', table_name='webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_status', table_name='webhook_deliveries')
    op.drop_table('webhook_deliveries')
