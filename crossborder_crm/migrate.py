"""Apply the Alembic migrations in the package's `migrations/` to a database URL."""
from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from crossborder_crm.db import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"  # inside the package: installed with it


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database up to `revision` (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the database back to `revision`."""
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return revision_on(conn)
    finally:
        engine.dispose()


def revision_on(conn: Connection) -> str | None:
    """The revision of the database behind an open connection (one small query), or None."""
    return MigrationContext.configure(conn).get_current_revision()


@functools.cache
def head() -> str | None:
    """The newest revision in migrations/: read once, since it cannot change while the process runs."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()
