"""``Store``: one reader's annotations in one SQLite file.

The default file is ``~/.annotate/annotations.db``; ``ANNOTATE_STORE`` or a path
argument chooses another. The database runs in WAL mode with a busy timeout and
takes its write lock up front (``BEGIN IMMEDIATE``), so several kernels and
command-line runs of the same reader can write at once without losing a note.

Do not put the file on NFS (JupyterHub home folders often are): SQLite's locks
are unreliable there. A class shares notes by exporting files and merging them
(``annotate export`` / ``annotate merge``), never by sharing one database.

>>> import tempfile, pathlib
>>> from annotate.model import Annotation
>>> with Store(pathlib.Path(tempfile.mkdtemp()) / "a.db") as store:
...     a = Annotation.new(source="urn:x", text="The cat sat.", start=4, end=7)
...     _ = store.add(a)
...     [x.exact for x in store.list("urn:x")]
['cat']
"""

from __future__ import annotations

import builtins
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from .model import Annotation

__all__ = ["LOCAL_ONLY_TAG", "SCHEMA_VERSION", "Store", "StoreError", "default_store_path"]

SCHEMA_VERSION = 3
_BUSY_MS = 30_000

# Each step upgrades the schema from version N-1 to N, in place.
_MIGRATIONS: dict[int, str] = {
    1: """
        CREATE TABLE annotations (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            created TEXT NOT NULL,
            modified TEXT NOT NULL,
            creator TEXT NOT NULL,
            json TEXT NOT NULL
        );
        CREATE INDEX annotations_source ON annotations (source, start);
    """,
    2: """
        ALTER TABLE annotations ADD COLUMN orphan INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX annotations_orphan ON annotations (orphan, source);
    """,
    # A class server (annotate.sync): what is waiting to go up, which server copy each
    # local annotation is, and classmates' annotations read from the class.
    # Every annotation already here waits to go up: notes made before joining.
    3: """
        CREATE TABLE sync_outbox (
            annotation_id TEXT PRIMARY KEY,
            op TEXT NOT NULL,
            version INTEGER NOT NULL,
            attempted INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE sync_remote (
            container TEXT NOT NULL,
            annotation_id TEXT NOT NULL,
            iri TEXT NOT NULL,
            etag TEXT NOT NULL,
            PRIMARY KEY (container, annotation_id)
        );
        CREATE TABLE sync_classmates (
            container TEXT NOT NULL,
            iri TEXT NOT NULL,
            source TEXT NOT NULL,
            json TEXT NOT NULL,
            PRIMARY KEY (container, iri)
        );
        CREATE INDEX sync_classmates_source ON sync_classmates (container, source);
        INSERT INTO sync_outbox (annotation_id, op, version) SELECT id, 'put', 1 FROM annotations;
    """,
}
# Tags of annotations kept here but never sent to a class: a server's copy kept
# after a conflict (see annotate.sync).
LOCAL_ONLY_TAG = "sync-conflict"


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message names the file."""


def default_store_path() -> Path:
    """``ANNOTATE_STORE`` if set, else ``~/.annotate/annotations.db``."""
    env = os.environ.get("ANNOTATE_STORE")
    return Path(env).expanduser() if env else Path.home() / ".annotate" / "annotations.db"


class Store:
    """Create, update, delete and list annotations in a SQLite file."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Jupyter may deliver a widget's messages on a kernel subshell, a
            # thread other than the one that opened the store: allow that, and
            # serialise our transactions with a lock.
            self._db = sqlite3.connect(
                self.path, timeout=_BUSY_MS / 1000, isolation_level=None, check_same_thread=False
            )
            self._lock = threading.RLock()
            self._db.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except (sqlite3.Error, OSError) as err:
            raise StoreError(f"{self.path}: cannot open the annotation store ({err})") from err

    # -- lifecycle -------------------------------------------------------------

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is saved, or none of it."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self.transaction() as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: written by a newer annotate (schema {version}); upgrade annotate"
                )
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[step].split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- writing ---------------------------------------------------------------

    def add(self, annotation: Annotation) -> Annotation:
        """Save ``annotation`` (replacing one with the same id)."""
        self.add_many([annotation])
        return annotation

    def add_many(
        self,
        annotations: Iterable[Annotation],
        share: Callable[[Annotation], bool] | None = None,
    ) -> int:
        """Save many in one transaction: all or nothing. Returns how many.

        Each one waits to go up to the reader's class, unless ``share`` says no
        (``annotate import`` keeps a classmate's notes here without sending them
        to the class under this reader's name).
        """
        items = list(annotations)
        rows = [_row(a) for a in items]
        kept = [LOCAL_ONLY_TAG not in a.tags and (share is None or share(a)) for a in items]
        with self.transaction() as db:
            db.executemany(
                'INSERT OR REPLACE INTO annotations (id, source, start, "end", created, modified,'
                " creator, json, orphan) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            _enqueue(db, [r[0] for r, a in zip(rows, kept, strict=True) if a], "put")
        return len(rows)

    def update(self, annotation: Annotation) -> Annotation:
        """Save changes: ``created`` is kept from the stored copy, ``modified`` set to now."""
        with self.transaction() as db:
            row = db.execute("SELECT created FROM annotations WHERE id = ?", (annotation.id,))
            found = row.fetchone()
            if found is None:
                raise KeyError(f"no annotation {annotation.id} in {self.path}")
            saved = annotation.touched(created=found[0])
            db.execute(
                'UPDATE annotations SET source = ?, start = ?, "end" = ?, created = ?,'
                " modified = ?, creator = ?, json = ?, orphan = ? WHERE id = ?",
                (*_row(saved)[1:], saved.id),
            )
            if LOCAL_ONLY_TAG not in saved.tags:
                _enqueue(db, [saved.id], "put")
        return saved

    def delete(self, annotation_id: str) -> bool:
        """Delete one annotation; False when there was none with that id."""
        with self.transaction() as db:
            cur = db.execute("DELETE FROM annotations WHERE id = ?", (annotation_id,))
            if cur.rowcount:
                _enqueue(db, [annotation_id], "delete")
        return cur.rowcount > 0

    def reattach(self, annotation_id: str, start: int, end: int, text: str) -> Annotation:
        """Put an orphan (or any annotation) on ``text[start:end]`` by hand."""
        old = self.get(annotation_id)
        if old is None:
            raise KeyError(f"no annotation {annotation_id} in {self.path}")
        moved = old.at(text, start, end)
        return self.update(moved)

    # -- reading ---------------------------------------------------------------

    def get(self, annotation_id: str) -> Annotation | None:
        """The annotation with this id, or None."""
        row = self._db.execute(
            "SELECT json, orphan FROM annotations WHERE id = ?", (annotation_id,)
        ).fetchone()
        return _annotation(row) if row else None

    def list(self, source: str | None = None) -> list[Annotation]:
        """Every annotation (of one chapter when ``source`` is given), orphans included."""
        if source is None:
            cur = self._db.execute("SELECT json, orphan FROM annotations ORDER BY source, start")
        else:
            cur = self._db.execute(
                "SELECT json, orphan FROM annotations WHERE source = ? ORDER BY start", (source,)
            )
        return [_annotation(r) for r in cur]

    def orphans(self, source: str | None = None) -> builtins.list[Annotation]:
        """Annotations whose words were not found in the current text: kept, never dropped."""
        return [a for a in self.list(source) if a.orphan]

    def count(self) -> int:
        """How many annotations the store holds."""
        return int(self._db.execute("SELECT count(*) FROM annotations").fetchone()[0])


def _enqueue(db: sqlite3.Connection, ids: list[str], op: str) -> None:
    """Queue ``op`` for each id, in the caller's transaction: the change and its
    queue entry are saved together or not at all. A later change replaces an
    earlier one's entry (the server gets the latest state, once); ``version``
    tells a sender whether the entry changed while it was on the wire."""
    db.executemany(
        "INSERT INTO sync_outbox (annotation_id, op, version) VALUES (?, ?, 1)"
        " ON CONFLICT (annotation_id) DO UPDATE SET op = excluded.op,"
        " version = sync_outbox.version + 1",
        [(i, op) for i in ids],
    )


def _row(a: Annotation) -> tuple[str, str, int, int, str, str, str, str, int]:
    return (
        a.id,
        a.source,
        a.start,
        a.end,
        a.created,
        a.modified,
        a.creator,
        json.dumps(a.to_w3c(), ensure_ascii=False),
        int(a.orphan),
    )


def _annotation(row: tuple[str, int]) -> Annotation:
    from dataclasses import replace

    return replace(Annotation.from_w3c(json.loads(row[0])), orphan=bool(row[1]))
