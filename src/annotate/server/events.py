"""Live updates: Server-Sent Events read from the ``events`` table.

Every create, update and delete is a row in ``events`` written in the same
transaction as the change, so whichever worker took the write, any worker can
stream it, and a client that reconnects with ``Last-Event-ID`` misses nothing: only
the newest events are kept (``container.EVENTS_KEPT``), and a stream resumed from
before them begins with a ``reset`` event (read everything again).
PostgreSQL wakes the streams of every worker with ``LISTEN``/``NOTIFY``; SQLite
(one machine) is polled briefly. The waker holds no event, only a wake-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from anyio import to_thread
from sqlalchemy.exc import SQLAlchemyError

from .auth import Viewer
from .container import first_event, last_event, since
from .db import Database

__all__ = ["Waker", "stream"]

log = logging.getLogger(__name__)

# Seconds between looks at the table when nothing woke us (SQLite, or NOTIFY lost).
SQLITE_POLL = 0.5
FALLBACK_POLL = 5.0


class Waker:
    """Wakes this process's event streams when another worker (or this one) writes.

    One listener and one wake-up per event loop (a worker has one; test clients may
    run several), started by the first stream that waits.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.poll = SQLITE_POLL if db.dialect == "sqlite" else FALLBACK_POLL
        self._changed: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}
        self._tasks: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}

    def _event(self) -> asyncio.Event:
        loop = asyncio.get_running_loop()
        if self.db.dialect == "postgresql" and loop not in self._tasks:
            self._tasks[loop] = loop.create_task(self._listen(loop))
        return self._changed.setdefault(loop, asyncio.Event())

    async def stop(self) -> None:
        """Stop this loop's listener (the application is shutting down)."""
        loop = asyncio.get_running_loop()
        self._changed.pop(loop, None)
        task = self._tasks.pop(loop, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self, loop: asyncio.AbstractEventLoop) -> None:
        """Wake every stream waiting in ``loop``; each then reads the table for itself."""
        changed = self._changed.pop(loop, None)
        if changed is not None:
            changed.set()

    async def wait(self, timeout: float) -> None:
        """Until a wake-up or ``timeout`` seconds, whichever is first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event().wait(), min(timeout, self.poll))

    async def _listen(self, loop: asyncio.AbstractEventLoop) -> None:
        import psycopg

        url = self.db.engine.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    dsn, autocommit=True, connect_timeout=3
                ) as conn:
                    await conn.execute("LISTEN annotate_events")
                    self.wake(loop)  # anything written while we were not listening
                    async for _ in conn.notifies():
                        self.wake(loop)
            except psycopg.Error as err:
                log.info("event listener lost PostgreSQL (%s); retrying", err)
            await asyncio.sleep(1)


def _frame(ident: int, kind: str, payload: dict[str, Any]) -> str:
    return f"id: {ident}\nevent: {kind}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


async def stream(
    db: Database,
    waker: Waker,
    v: Viewer,
    source: str | None,
    after: int | None,
    seconds: float,
    iri: Callable[[str], str],
) -> AsyncIterator[str]:
    """SSE text for ``v``: events after ``after`` (else from now) for ``seconds``.

    The stream ends after ``seconds`` so that proxies and load balancers see short
    requests; ``EventSource`` reconnects by itself with ``Last-Event-ID``.
    """
    loop = asyncio.get_running_loop()
    if after is None:

        def newest() -> int:
            with db.read() as conn:
                return last_event(conn, v.class_id)

        after = await to_thread.run_sync(newest)
        pruned = False
    else:

        def oldest() -> int:
            with db.read() as conn:
                return first_event(conn)

        pruned = after + 1 < await to_thread.run_sync(oldest)
    # The id alone moves the client's Last-Event-ID even when nothing happens.
    yield f"retry: 1000\nid: {after}\n\n"
    if pruned:
        # Events since Last-Event-ID were pruned (container.EVENTS_KEPT): read it all again.
        yield "event: reset\ndata: {}\n\n"
    deadline = loop.time() + seconds
    while True:

        def read(position: int = after) -> list[tuple[int, str, str, dict[str, Any] | None]]:
            with db.read() as conn:
                return since(conn, v, position, source)

        try:
            found = await to_thread.run_sync(read)
        except SQLAlchemyError:
            return  # the database went away mid-stream: the client reconnects and resumes
        for ident, kind, local, data in found:
            after = ident
            if data is None:
                yield _frame(ident, kind, {"id": iri(local)})
            else:
                yield _frame(ident, kind, {**data, "id": iri(local)})
        left = deadline - loop.time()
        if left <= 0:
            return
        await waker.wait(left)
