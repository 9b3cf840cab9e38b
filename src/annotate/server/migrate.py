"""Schema migrations (Alembic), shipped inside the package so an installed server can upgrade.

>>> from annotate.server.db import Database
>>> db = Database.open("sqlite:///:memory:")
>>> upgrade(db); revision(db) == HEAD
True
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from .db import Database

__all__ = ["HEAD", "revision", "upgrade"]

HEAD = "0001"
SCRIPTS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    return config


def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision; safe to run from several hosts at once."""
    config = _config()
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            # Two servers starting together would both create the tables: one waits.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('annotate migrations'))"))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def revision(db: Database) -> str | None:
    """The schema revision the database is at (None before the first upgrade)."""
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
