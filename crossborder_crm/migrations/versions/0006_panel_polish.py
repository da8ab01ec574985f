"""panel polish: accent-free buyer search text, structured send explanations

Revision ID: 0006_panel_polish
Revises: 0005_translations
Create Date: 2026-12-03 10:30:00
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0006_panel_polish'
down_revision = '0005_translations'
branch_labels = None
depends_on = None

# A frozen copy of buyers.search_text.fold as it was when this migration was written: a migration
# must fill the rows the same way whatever the application code becomes later.
_SPECIAL = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ħ": "h",
                          "ı": "i", "ß": "ss"})
_BATCH = 1000


def _fold(*parts):
    text = " ".join(p for p in parts if p).casefold().translate(_SPECIAL)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("explanation_data", sa.JSON(), nullable=True))
    with op.batch_alter_table("buyers") as batch:
        batch.add_column(sa.Column("search_text", sa.String(600), nullable=True))
    buyers = sa.table("buyers", sa.column("id", sa.Integer), sa.column("name", sa.String),
                      sa.column("email", sa.String), sa.column("search_text", sa.String))
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(sa.select(buyers.c.id, buyers.c.name, buyers.c.email)
                            .where(buyers.c.id > last).order_by(buyers.c.id).limit(_BATCH)).all()
        if not rows:
            break
        conn.execute(buyers.update().where(buyers.c.id == sa.bindparam("b_id"))
                     .values(search_text=sa.bindparam("b_text")),
                     [{"b_id": r.id, "b_text": _fold(r.name, r.email)[:600]} for r in rows])
        last = rows[-1].id


def downgrade() -> None:
    # In place, not in batch mode: on SQLite batch recreates the table, and dropping the old `buyers` or
    # `messages` (foreign keys on) cascades to their orders, messages, send log... SQLite 3.35+ drops a plain
    # column in place, as 0010 does.
    op.drop_column("buyers", "search_text")
    op.drop_column("messages", "explanation_data")
