"""messages.quiet_override: the seller chose the send time inside the buyer's quiet hours on purpose

Revision ID: 0012_message_quiet_override
Revises: 0011_seller_relays
Create Date: 2026-12-04 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_message_quiet_override'
down_revision = '0011_seller_relays'
branch_labels = None
depends_on = None

# Until now only the explanation recorded an override (outbox.chosen_time); messages still to go keep it.
UNSENT = ('scheduled', 'paused', 'waiting', 'sending', 'failed')
OVERRIDE_CODE = '_quiet_override'


def upgrade() -> None:
    op.add_column('messages', sa.Column('quiet_override', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    messages = sa.table('messages', sa.column('id', sa.Integer()), sa.column('status', sa.String()),
                        sa.column('explanation_data', sa.JSON()), sa.column('quiet_override', sa.Boolean()))
    conn = op.get_bind()
    # The text match narrows the scan to a few rows on the server; the code is then read exactly.
    rows = conn.execute(sa.select(messages.c.id, messages.c.explanation_data).where(
        messages.c.status.in_(UNSENT),
        sa.cast(messages.c.explanation_data, sa.Text()).like(f'%{OVERRIDE_CODE}%'))).all()
    ids = [row.id for row in rows
           if isinstance(row.explanation_data, dict)
           and str(row.explanation_data.get('code', '')).endswith(OVERRIDE_CODE)]
    if ids:
        conn.execute(sa.update(messages).where(messages.c.id.in_(ids)).values(quiet_override=True))


def downgrade() -> None:
    # Not in batch mode: on SQLite that recreates `messages`, and dropping the old table would cascade to
    # every row that references it. SQLite (3.35+) drops a plain column in place, as 0011 does.
    op.drop_column('messages', 'quiet_override')
