"""A class's annotation container: who sees what, and every read and write of it.

Visibility is one SQL condition (``visible``) that every listing, count, thread and
event query carries, so a note nobody may see never leaves the database, not
even as a number in ``total``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from .auth import Viewer
from .db import Database, annotation_rows, events, members
from .protocol import PAGE_SIZE, etag

__all__ = [
    "Record",
    "count",
    "find",
    "page",
    "remove",
    "save",
    "since",
    "thread",
    "visible",
    "with_iri",
]

# The events table keeps the newest EVENTS_KEPT rows, pruned on every PRUNE_EVERY-th event.
EVENTS_KEPT = 100_000
PRUNE_EVERY = 1_000


@dataclass(frozen=True)
class Record:
    """One stored annotation: its local id, author, thread root, page and W3C JSON."""

    id: str
    author_id: int
    root_id: str | None
    source: str
    audience: str
    etag: str
    data: dict[str, Any]


_COLUMNS = (
    annotation_rows.c.id,
    annotation_rows.c.author_id,
    annotation_rows.c.root_id,
    annotation_rows.c.source,
    annotation_rows.c.audience,
    annotation_rows.c.etag,
    annotation_rows.c.data,
)


def _record(row: Any) -> Record:
    return Record(
        str(row[0]), int(row[1]), row[2], str(row[3]), str(row[4]), str(row[5]), json.loads(row[6])
    )


def _own_rule(
    v: Viewer, author: Any, audience: Any, source: Any, class_id: Any
) -> ColumnElement[bool]:
    """Whether ``v`` may see a note by ``author`` for ``audience`` on page ``source``."""
    if v.teacher:
        return sa.or_(audience != "private", author == v.member_id)
    shared: ColumnElement[bool] = audience == "class"
    if v.reveal == "after-own":
        mine = annotation_rows.alias("mine")
        shared = sa.and_(
            shared,
            sa.exists().where(
                mine.c.class_id == class_id,
                mine.c.author_id == v.member_id,
                mine.c.source == source,
                mine.c.root_id.is_(None),
            ),
        )
    return sa.or_(author == v.member_id, shared)


def visible(v: Viewer, table: Any) -> ColumnElement[bool]:
    """The rows of ``table`` (annotations or events) that ``v`` may see.

    A reply is seen only by those who may see both it and its thread's root.
    """
    c = table.c
    if table is events:
        root_rule = _own_rule(v, c.root_author_id, c.root_audience, c.source, c.class_id)
        root_mine: ColumnElement[bool] = c.root_author_id == v.member_id
    else:
        root = annotation_rows.alias("root")
        root_rule = sa.exists().where(
            root.c.id == c.root_id,
            _own_rule(v, root.c.author_id, root.c.audience, root.c.source, root.c.class_id),
        )
        root_mine = sa.exists().where(root.c.id == c.root_id, root.c.author_id == v.member_id)
    root_seen = sa.or_(c.root_id.is_(None), root_rule)
    # Feedback: the teacher's reply "for the teacher" in a student's thread is between
    # that student and the teacher; the rest of the class does not see it.
    teacher = members.alias("teacher")
    feedback = sa.and_(
        c.root_id.is_not(None),
        c.audience == "teacher",
        root_mine,
        sa.exists().where(teacher.c.id == c.author_id, teacher.c.role == "teacher"),
    )
    return sa.and_(
        c.class_id == v.class_id,
        sa.or_(_own_rule(v, c.author_id, c.audience, c.source, c.class_id), feedback),
        root_seen,
    )


def _where(v: Viewer, source: str | None) -> ColumnElement[bool]:
    cond = visible(v, annotation_rows)
    return cond if source is None else sa.and_(annotation_rows.c.source == source, cond)


def count(conn: Connection, v: Viewer, source: str | None) -> int:
    """How many annotations ``v`` may see (on page ``source``)."""
    query = sa.select(sa.func.count()).select_from(annotation_rows).where(_where(v, source))
    return int(conn.execute(query).scalar_one())


def page(
    conn: Connection, v: Viewer, source: str | None, index: int, size: int = PAGE_SIZE
) -> list[tuple[str, str]]:
    """Page ``index`` (``size`` each) of what ``v`` may see, oldest first.

    Each item is ``(local id, stored JSON text)``: a page is served without parsing
    its annotations (see ``with_iri``).
    """
    query = (
        sa.select(annotation_rows.c.id, annotation_rows.c.data)
        .where(_where(v, source))
        .order_by(annotation_rows.c.seq)
        .limit(size)
        .offset(index * size)
    )
    return [(str(r[0]), str(r[1])) for r in conn.execute(query)]


def with_iri(local: str, text: str, iri: str) -> str:
    """Stored JSON text with its ``urn:uuid`` id replaced by the annotation's IRI."""
    return text.replace(f'"id":"urn:uuid:{local}"', f'"id":{json.dumps(iri)}', 1)


def find(conn: Connection, v: Viewer, ident: str) -> Record | None:
    """The annotation ``ident`` if ``v`` may see it."""
    query = sa.select(*_COLUMNS).where(annotation_rows.c.id == ident, visible(v, annotation_rows))
    row = conn.execute(query).first()
    return None if row is None else _record(row)


def thread(conn: Connection, v: Viewer, root: Record) -> list[Record]:
    """``root`` and the replies to it that ``v`` may see, oldest first."""
    query = (
        sa.select(*_COLUMNS)
        .where(annotation_rows.c.root_id == root.id, visible(v, annotation_rows))
        .order_by(annotation_rows.c.seq)
    )
    return [root] + [_record(r) for r in conn.execute(query)]


def save(db: Database, conn: Connection, v: Viewer, record: Record, *, new: bool) -> str:
    """Insert (``new``) or replace ``record`` and log the event; returns the new ETag.

    Replacing checks the stored ETag in the same statement, so a concurrent edit loses
    with ``LookupError`` rather than overwriting.
    """
    text = json.dumps(record.data, ensure_ascii=False, separators=(",", ":"))
    tag = etag(text)
    values = {"source": record.source, "audience": record.audience, "etag": tag, "data": text}
    if new:
        conn.execute(
            annotation_rows.insert().values(
                id=record.id,
                class_id=v.class_id,
                author_id=record.author_id,
                root_id=record.root_id,
                **values,
            )
        )
    else:
        before = conn.execute(
            sa.select(annotation_rows.c.audience, annotation_rows.c.source).where(
                annotation_rows.c.id == record.id, annotation_rows.c.etag == record.etag
            )
        ).first()
        done = conn.execute(
            annotation_rows.update()
            .where(annotation_rows.c.id == record.id, annotation_rows.c.etag == record.etag)
            .values(**values)
        )
        if done.rowcount != 1 or before is None:
            raise LookupError(record.id)
        if (before[0], before[1]) != (record.audience, record.source):
            # Who saw the note before (or on its old page) is told to drop it: after
            # "Only me" a classmate's open page must not keep showing it. Those who
            # may still see it get the update just after; its author keeps theirs.
            moved = replace(record, audience=str(before[0]), source=str(before[1]))
            _log(db, conn, v.class_id, "hide", moved, None)
        # A thread lives on its root's page.
        conn.execute(
            annotation_rows.update()
            .where(annotation_rows.c.root_id == record.id)
            .values(source=record.source)
        )
    _log(db, conn, v.class_id, "create" if new else "update", record, text)
    return tag


def remove(db: Database, conn: Connection, v: Viewer, record: Record) -> None:
    """Delete ``record`` and, for a thread's root, its replies; log each deletion."""
    replies = conn.execute(sa.select(*_COLUMNS).where(annotation_rows.c.root_id == record.id))
    for gone in [*(_record(r) for r in replies), record]:
        _log(db, conn, v.class_id, "delete", gone, None)
        conn.execute(annotation_rows.delete().where(annotation_rows.c.id == gone.id))


def _log(
    db: Database, conn: Connection, class_id: str, kind: str, record: Record, text: str | None
) -> None:
    db.lock_events(conn, class_id)
    root = sa.select(annotation_rows.c.author_id, annotation_rows.c.audience).where(
        annotation_rows.c.id == record.root_id
    )
    root_author, root_audience = (
        conn.execute(root).one() if record.root_id is not None else (None, None)
    )
    made = conn.execute(
        events.insert().values(
            class_id=class_id,
            kind=kind,
            annotation_id=record.id,
            author_id=record.author_id,
            source=record.source,
            root_id=record.root_id,
            root_author_id=root_author,
            root_audience=root_audience,
            audience=record.audience,
            data=text,
        )
    )
    key = made.inserted_primary_key
    ident = int(key[0]) if key else 0
    if ident and ident % PRUNE_EVERY == 0:
        # Events are for live pages, which pull everything when they connect: only the
        # newest are kept. A stream resumed from before the cut is told to pull again.
        conn.execute(events.delete().where(events.c.id <= ident - EVENTS_KEPT))
    db.notify(conn, class_id)


def since(
    conn: Connection, v: Viewer, after: int, source: str | None, limit: int = 500
) -> list[tuple[int, str, str, dict[str, Any] | None]]:
    """Events after id ``after`` that ``v`` may see: ``(id, kind, annotation id, data)``."""
    cond = sa.and_(events.c.id > after, visible(v, events))
    if source is not None:
        cond = sa.and_(cond, events.c.source == source)
    query = (
        sa.select(events.c.id, events.c.kind, events.c.annotation_id, events.c.data)
        .where(cond)
        .order_by(events.c.id)
        .limit(limit)
    )
    return [
        (int(r[0]), str(r[1]), str(r[2]), None if r[3] is None else json.loads(r[3]))
        for r in conn.execute(query)
    ]


def first_event(conn: Connection) -> int:
    """The oldest event id kept, of any class (0 when none): older ones were pruned."""
    return int(conn.execute(sa.select(sa.func.min(events.c.id))).scalar() or 0)


def last_event(conn: Connection, class_id: str) -> int:
    """The newest event id of a class (0 when none): where a new subscriber starts."""
    query = sa.select(sa.func.max(events.c.id)).where(events.c.class_id == class_id)
    return int(conn.execute(query).scalar() or 0)
