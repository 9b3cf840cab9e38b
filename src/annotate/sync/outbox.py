"""Offline-first sync of one reader's store with their class: push the outbox, pull the class.

The local store is always written first; each change also leaves an entry in the
store's outbox in the same transaction (``Store._enqueue``). ``Syncer.push`` sends
the entries, oldest first, and removes each only once the server has answered,
so a crash or a lost network loses nothing and a restart carries on:

* a create is marked *attempted* before it is sent; an attempted create is first
  looked for on the server by its ``canonical`` IRI (our ``urn:uuid`` id), so a
  retry after a lost answer never makes a second copy;
* an update is a PUT with the ETag we last saw; on 412 the server's copy is kept
  as a separate local annotation tagged ``sync-conflict`` and ours goes up on top:
  neither version is lost;
* a delete of something the server never had is simply dropped.

``Syncer.pull`` reads what classmates (and the teacher) wrote into the store's
classmates cache: never into the reader's own annotations, never exported.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from ..model import Annotation, AnnotationError
from ..store import LOCAL_ONLY_TAG, Store
from .client import ClassClient, Conflict, Offline, Refused

__all__ = ["PushResult", "Syncer"]

# One push at a time per store file in this process: two widgets (and their workers)
# on one store must not both send the same create.
_PUSHING: dict[str, threading.Lock] = {}
_PUSHING_GUARD = threading.Lock()


def _push_lock(store: Store) -> threading.Lock:
    with _PUSHING_GUARD:
        return _PUSHING.setdefault(str(store.path.resolve()), threading.Lock())


@dataclass
class PushResult:
    """What one push did; ``offline`` when it stopped for want of the server."""

    sent: int = 0
    conflicts: int = 0
    refused: list[str] = field(default_factory=list)
    offline: bool = False
    waiting: int = 0


class Syncer:
    """Sync ``store`` with the class container that ``client`` speaks to."""

    def __init__(self, store: Store, client: ClassClient) -> None:
        self.store = store
        self.client = client
        self.container = client.container
        self.adopted = 0  # the reader's own notes from elsewhere taken in by pull()

    # -- the outbox ------------------------------------------------------------------

    def waiting(self) -> int:
        """How many changes are waiting to go up."""
        with self.store.transaction() as db:
            return int(db.execute("SELECT count(*) FROM sync_outbox").fetchone()[0])

    def queued(self) -> set[str]:
        """Ids of the local annotations with a change waiting to go up."""
        with self.store.transaction() as db:
            return {str(r[0]) for r in db.execute("SELECT annotation_id FROM sync_outbox")}

    def links(self) -> dict[str, str]:
        """Local annotation id -> the IRI of its copy on the server, for those it has."""
        with self.store.transaction() as db:
            rows = db.execute(
                "SELECT annotation_id, iri FROM sync_remote WHERE container = ?",
                (self.container,),
            ).fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    def remote(self, annotation_id: str) -> tuple[str, str] | None:
        """``(IRI, ETag)`` of the server's copy of a local annotation, if it has one."""
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT iri, etag FROM sync_remote WHERE container = ? AND annotation_id = ?",
                (self.container, annotation_id),
            ).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def _remember(self, annotation_id: str, iri: str, etag: str) -> None:
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO sync_remote (container, annotation_id, iri, etag)"
                " VALUES (?, ?, ?, ?)",
                (self.container, annotation_id, iri, etag),
            )

    def _forget(self, annotation_id: str) -> None:
        with self.store.transaction() as db:
            db.execute(
                "DELETE FROM sync_remote WHERE container = ? AND annotation_id = ?",
                (self.container, annotation_id),
            )

    def _done(self, annotation_id: str, version: int) -> None:
        # Only the entry we sent: a change made meanwhile bumped the version and stays.
        with self.store.transaction() as db:
            db.execute(
                "DELETE FROM sync_outbox WHERE annotation_id = ? AND version = ?",
                (annotation_id, version),
            )

    def push(self) -> PushResult:
        """Send every waiting change, oldest first; stop (keeping the rest) when offline."""
        with _push_lock(self.store):
            return self._push()

    def _push(self) -> PushResult:
        result = PushResult()
        with self.store.transaction() as db:
            entries = db.execute(
                "SELECT annotation_id, op, version, attempted FROM sync_outbox ORDER BY rowid"
            ).fetchall()
        for annotation_id, op, version, attempted in entries:
            try:
                if op == "delete":
                    self._push_delete(annotation_id)
                else:
                    result.conflicts += self._push_put(annotation_id, bool(attempted))
            except Offline:
                result.offline = True
                break
            except Refused as err:
                result.refused.append(f"{annotation_id}: {err}")
                continue
            self._done(annotation_id, int(version))
            result.sent += 1
        result.waiting = self.waiting()
        return result

    def _push_delete(self, annotation_id: str) -> None:
        known = self.remote(annotation_id)
        if known is not None:
            self.client.delete(known[0])
            self._forget(annotation_id)

    def _wire(self, ann: Annotation) -> dict[str, Any]:
        """``ann`` as sent: ``canonical`` is our id; a reply to our own note names its IRI."""
        data = ann.to_w3c()
        data["canonical"] = ann.canonical or ann.id
        if ann.reply_to is not None:
            target = self.remote(ann.reply_to)
            if target is not None:
                data["target"] = target[0]
        return data

    def _push_put(self, annotation_id: str, attempted: bool) -> int:
        ann = self.store.get(annotation_id)
        if ann is None or LOCAL_ONLY_TAG in ann.tags:
            return 0
        data = self._wire(ann)
        known = self.remote(annotation_id)
        if known is None and attempted:
            known = self._find(ann, data["canonical"])
        if known is None:
            with self.store.transaction() as db:
                db.execute(
                    "UPDATE sync_outbox SET attempted = 1 WHERE annotation_id = ?", (annotation_id,)
                )
            iri, etag, _ = self.client.create(data)
            self._remember(annotation_id, iri, etag)
            return 0
        iri, etag = known
        try:
            etag, _ = self.client.update(iri, data, etag)
        except Conflict:
            theirs, etag = self.client.get(iri)
            self._keep_theirs(theirs, iri)
            etag, _ = self.client.update(iri, data, etag)
            self._remember(annotation_id, iri, etag)
            return 1
        except Refused as err:
            if err.status != 404:
                raise
            # Gone from the server (the teacher deleted it): ours is kept and goes up anew.
            iri, etag, _ = self.client.create(data)
        self._remember(annotation_id, iri, etag)
        return 0

    def _find(self, ann: Annotation, canonical: str) -> tuple[str, str] | None:
        """The server's copy of a create whose answer we never got, by ``canonical``."""
        # A reply is listed on its thread's page, which we may not know: look everywhere.
        for item in self.client.list(None if ann.reply_to else ann.source):
            if item.get("canonical") == canonical:
                iri = str(item["id"])
                _, etag = self.client.get(iri)
                self._remember(ann.id, iri, etag)
                return iri, etag
        return None

    def _keep_theirs(self, data: dict[str, Any], iri: str) -> None:
        """The server's version, kept as a local annotation of its own (never sent)."""
        try:
            theirs = Annotation.from_w3c(data)
        except AnnotationError:
            return
        copy = replace(
            theirs,
            id=f"urn:uuid:{uuid.uuid4()}",
            canonical=iri,
            tags=(*theirs.tags, LOCAL_ONLY_TAG),
        )
        self.store.add(copy)

    # -- classmates ------------------------------------------------------------------

    def pull(self, source: str | None = None) -> list[Annotation]:
        """Read the class's annotations (on page ``source``) that are not ours into the cache."""
        items = self.client.list(source)
        with self.store.transaction() as db:
            ours = {
                str(r[0])
                for r in db.execute(
                    "SELECT iri FROM sync_remote WHERE container = ?", (self.container,)
                )
            }
            local = {str(r[0]) for r in db.execute("SELECT id FROM annotations")}
            pages = {
                str(i.get("id")): str(i["target"].get("source", ""))
                for i in items
                if isinstance(i.get("target"), dict)
            }
            rows = []
            elsewhere = []
            for item in items:
                iri = str(item.get("id", ""))
                if iri in ours or item.get("canonical") in local:
                    continue
                if self._mine_elsewhere(item):
                    elsewhere.append(iri)
                    continue
                target = item.get("target")
                # A reply lives on its thread's page.
                page = pages.get(iri) if isinstance(target, dict) else pages.get(str(target))
                rows.append((self.container, iri, page or source or "", json.dumps(item)))
            if source is None:
                db.execute("DELETE FROM sync_classmates WHERE container = ?", (self.container,))
            else:
                db.execute(
                    "DELETE FROM sync_classmates WHERE container = ? AND source = ?",
                    (self.container, source),
                )
            db.executemany(
                "INSERT OR REPLACE INTO sync_classmates (container, iri, source, json)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )
        for iri in elsewhere:
            self._adopt(iri)
        return self.classmates(source)

    def _mine_elsewhere(self, item: dict[str, Any]) -> bool:
        """A note (not a reply) the reader made on another surface, signed in by the Hub."""
        creator = item.get("creator")
        return (
            self.client.membership.hub
            and bool(self.client.membership.name)
            and isinstance(item.get("target"), dict)
            and isinstance(creator, dict)
            and creator.get("name") == self.client.membership.name
        )

    def _adopt(self, iri: str) -> None:
        """Keep the reader's own note from elsewhere as theirs here: linked, not sent again."""
        try:
            data, etag = self.client.get(iri)
            ann = Annotation.from_w3c(data)
        except (Refused, AnnotationError):
            return  # gone meanwhile, or a shape this version cannot read
        canonical = data.get("canonical")
        local_id = (
            canonical
            if isinstance(canonical, str) and canonical.startswith("urn:uuid:")
            else (f"urn:uuid:{uuid.uuid4()}")
        )
        self.store.add_many([replace(ann, id=local_id, canonical=None)], share=lambda _a: False)
        self._remember(local_id, iri, etag)
        self.adopted += 1

    def classmates(self, source: str | None = None) -> list[Annotation]:
        """Classmates' annotations (and replies to them) last pulled, oldest first."""
        query = "SELECT json FROM sync_classmates WHERE container = ?"
        params: tuple[str, ...] = (self.container,)
        if source is not None:
            query += " AND source = ?"
            params += (source,)
        with self.store.transaction() as db:
            texts = [str(r[0]) for r in db.execute(query + " ORDER BY rowid", params)]
        found = []
        for text in texts:
            try:
                found.append(Annotation.from_w3c(json.loads(text)))
            except AnnotationError:
                continue  # a shape this version cannot read: skipped, not fatal
        return found
