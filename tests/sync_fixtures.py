"""A real ``annotate serve`` on 127.0.0.1 for the sync, CLI and live report tests.

One server per database kind per module (SQLite, and PostgreSQL from the class
server suite's throwaway cluster); each test makes its own class on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotate.server.auth import NewClass, create_class
from annotate.server.db import Database
from annotate.server.migrate import upgrade
from annotate.sync import Membership, join

from .conftest import ROOT
from .server.conftest import Cluster, Server, serve, stop

__all__ = ["Live", "live_server"]


@dataclass
class Live:
    """A running server and its database, to make classes on."""

    server: Server
    db_url: str

    @property
    def url(self) -> str:
        return self.server.url

    def new_class(self, name: str = "Period 3", reveal: str = "always") -> NewClass:
        db = Database.open(self.db_url)
        try:
            return create_class(db, name, reveal)
        finally:
            db.dispose()

    def student(self, made: NewClass, name: str) -> Membership:
        return join(self.url, made.join_code, name)

    def teacher(self, made: NewClass) -> Membership:
        base = f"{self.url}/classes/{made.class_id}/annotations/"
        return Membership(self.url, made.class_id, base, made.teacher_token, "Teacher")


def live_server(request: pytest.FixtureRequest, tmp: Path) -> Iterator[Live]:
    """Start ``annotate serve`` on the database kind ``request.param``."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'server.db'}"
    else:
        cluster: Cluster = request.getfixturevalue("postgres")
        url = cluster.new_database()
    db = Database.open(url)
    upgrade(db)
    db.dispose()
    server = serve(url, env={"ANNOTATE_BOOK": str(ROOT)})  # the live report's chapters
    try:
        yield Live(server, url)
    finally:
        stop(server)
