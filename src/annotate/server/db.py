"""The class server's database: one SQLAlchemy Core code path for SQLite and PostgreSQL.

>>> db = Database.open("sqlite:///:memory:")
>>> db.dialect
'sqlite'

Every write runs in ``db.write()``: on SQLite a ``BEGIN IMMEDIATE`` transaction (so
two workers never dead-lock upgrading a read lock), on PostgreSQL an ordinary one.
Nothing a request needs is kept in this process: tokens, join attempts and events
are rows, so any worker (or host) can answer any request.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..config import home

__all__ = [
    "Database",
    "annotation_rows",
    "classes",
    "engine_url",
    "events",
    "join_failures",
    "members",
    "metadata",
]

# Seconds to wait for PostgreSQL to accept a connection: past this a request gets 503.
CONNECT_TIMEOUT = 3
# Seconds a request waits for a pooled connection before it gets 503.
POOL_TIMEOUT = 5

# A BIGINT on PostgreSQL (a district's years of notes), the INTEGER rowid on SQLite.
_SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData()

classes = sa.Table(
    "classes",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("reveal", sa.String(16), nullable=False),
    sa.Column("join_code_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created", sa.String(32), nullable=False),
)

members = sa.Table(
    "members",
    metadata,
    sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
    sa.Column("class_id", sa.String(32), sa.ForeignKey("classes.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created", sa.String(32), nullable=False),
)

annotation_rows = sa.Table(
    "annotations",
    metadata,
    sa.Column("seq", _SERIAL, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("class_id", sa.String(32), sa.ForeignKey("classes.id"), nullable=False),
    sa.Column("author_id", _SERIAL, sa.ForeignKey("members.id"), nullable=False),
    sa.Column("source", sa.Text(), nullable=False),
    sa.Column("root_id", sa.String(36), nullable=True),
    sa.Column("audience", sa.String(16), nullable=False),
    sa.Column("etag", sa.String(40), nullable=False),
    sa.Column("data", sa.Text(), nullable=False),
    sa.Index("annotations_page", "class_id", "source", "seq"),
    sa.Index("annotations_author", "class_id", "author_id", "source"),
    sa.Index("annotations_thread", "root_id"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
    sa.Column("class_id", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("annotation_id", sa.String(36), nullable=False),
    sa.Column("author_id", _SERIAL, nullable=False),
    sa.Column("source", sa.Text(), nullable=False),
    sa.Column("root_id", sa.String(36), nullable=True),
    sa.Column("audience", sa.String(16), nullable=False),
    # The thread root's author and audience, kept: the root may be gone by the time
    # a subscriber reads the event, and who may see the event must not change.
    sa.Column("root_author_id", _SERIAL, nullable=True),
    sa.Column("root_audience", sa.String(16), nullable=True),
    sa.Column("data", sa.Text(), nullable=True),
    sa.Index("events_class", "class_id", "id"),
)

join_failures = sa.Table(
    "join_failures",
    metadata,
    sa.Column("id", _SERIAL, primary_key=True, autoincrement=True),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("at", sa.Float(), nullable=False),
    sa.Index("join_failures_address", "address", "at"),
)


def engine_url(url: str | None) -> str:
    """The SQLAlchemy URL for ``--db``: a path or ``sqlite://`` URL, or ``postgresql://``.

    >>> engine_url("postgresql://u@h:5432/d")
    'postgresql+psycopg://u@h:5432/d'
    >>> engine_url("/tmp/x.db")
    'sqlite:////tmp/x.db'
    """
    url = url or os.environ.get("ANNOTATE_SERVER_DB") or str(home() / "server.db")
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if "://" in url:
        return url
    path = Path(url).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


class Database:
    """An engine (with its pool) and the transactions routes run in."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    @classmethod
    def open(cls, url: str | None = None, *, pool_size: int = 10) -> Database:
        """Connect lazily to ``url`` (see ``engine_url``); nothing is created."""
        full = engine_url(url)
        if full.startswith("sqlite"):
            engine = sa.create_engine(full, connect_args={"timeout": 30})
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            sa.event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = sa.create_engine(
                full,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_timeout=POOL_TIMEOUT,
                pool_pre_ping=True,  # a connection broken while the server was down is replaced
                connect_args={"connect_timeout": CONNECT_TIMEOUT},
            )
        return cls(engine)

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads (a transaction that writes nothing)."""
        with self.engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction committed (to disk) when the block ends, rolled back on error."""
        with self.engine.connect() as conn:
            conn.execution_options(annotate_write=True)
            with conn.begin():
                yield conn

    def lock_events(self, conn: Connection, class_id: str) -> None:
        """Make this class's event ids commit in order (PostgreSQL; SQLite writes one at a time).

        Without it a subscriber that read up to id 11 could miss id 10 committed later.
        """
        if self.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:c))"), {"c": class_id})

    def notify(self, conn: Connection, class_id: str) -> None:
        """Wake subscribers in every worker when this transaction commits (PostgreSQL)."""
        if self.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_notify('annotate_events', :c)"), {"c": class_id})

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver so that _sqlite_begin decides how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a 201 means the note is on disk
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock first: a read lock upgraded later fails at once when
    # another worker wrote meanwhile. Readers stay deferred, so they never wait.
    write = conn.get_execution_options().get("annotate_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
