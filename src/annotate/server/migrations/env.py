"""Alembic's entry point: migrate the connection ``annotate.server.migrate`` hands over."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from annotate.server.db import metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    # Run by the `alembic` command itself: sqlalchemy.url from its configuration.
    engine = sa.create_engine(str(context.config.get_main_option("sqlalchemy.url")))
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()


try:
    context.config  # noqa: B018 - only set while Alembic runs this file
except (NameError, AttributeError):
    pass  # imported by something else (a doctest collector): nothing to migrate
else:
    run()
