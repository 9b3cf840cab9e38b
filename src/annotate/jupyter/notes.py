r"""``ReaderNotes``: free notes on a paragraph, or on the whole article, in Jupyter.

A note on a paragraph is a W3C annotation whose target is that paragraph's text;
a note on the article targets all of it. Both carry the tag ``reader-note``, so
the claim highlighter leaves them to this widget. Same store, same model.
After ``annotate join`` the notes sync with the class as the highlighter's do (a
background thread; the store's outbox first), and classmates' notes on the
article are listed apart from the reader's own.

>>> import pathlib, tempfile, annotate
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.md").write_text("# Ships\n\n::::{article}\nThe navy sent three ships.\n::::\n")
>>> article = annotate.load_article(folder / "a.md")
>>> notes = annotate.ReaderNotes(article, store=folder / "notes.db")
>>> notes.add("Three is not many.", paragraph=1).exact
'The navy sent three ships.'
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..article import Article
from ..exchange import collection
from ..frontend import FRONTEND_DIR
from ..model import NOTE_LIMIT, Annotation, reader_name
from ..store import Store, StoreError
from ..sync import MembershipError, joined

if TYPE_CHECKING:  # the client needs httpx: it loads once a class is joined
    from ..sync.worker import SyncState, SyncWorker

__all__ = ["NOTE_TAG", "ReaderNotes"]

NOTE_TAG = "reader-note"
_STATIC = FRONTEND_DIR


class ReaderNotes(anywidget.AnyWidget):  # type: ignore[misc,unused-ignore]  # anywidget is untyped
    """Add, edit, delete, list and export notes on ``article``'s paragraphs."""

    _esm = _STATIC / "notes.js"
    _css = _STATIC / "notes.css"

    paragraphs: traitlets.List[dict[str, Any]] = traitlets.List(
        help="Where a note can go: [{index, label, text}]; index -1 is the whole article."
    ).tag(sync=True)
    notes: traitlets.List[dict[str, Any]] = traitlets.List(
        help="The notes: [{id, index, note, creator, modified}]."
    ).tag(sync=True)
    classmates: traitlets.List[dict[str, Any]] = traitlets.List(
        help="Classmates' notes on this article, from the class: [{id, index, note, creator,"
        " modified}]; empty when no class was joined."
    ).tag(sync=True)
    sync_status = traitlets.Unicode(
        "", help="How the sync with the class stands; empty when no class was joined."
    ).tag(sync=True)

    def __init__(
        self,
        article: Article,
        store: Store | str | Path | None = None,
        *,
        reader: str | None = None,
        sync: bool = True,
    ) -> None:
        self._article = article
        self._store = store if isinstance(store, Store) else Store(store)
        self._reader = reader_name(reader)
        self._lock = threading.RLock()  # the sync worker's thread publishes too
        self._worker: SyncWorker | None = None
        choices = [{"index": -1, "label": "The whole article", "text": ""}]
        for i, block in enumerate(article.blocks):
            label = (
                "Headline"
                if block.kind == "headline"
                else ("Dek" if block.kind == "dek" else f"Paragraph {i - 1}")
            )
            words = article.block_text(block)
            choices.append({"index": i, "label": label, "text": words[:90]})
        super().__init__(paragraphs=choices)
        self._publish()
        self.on_msg(self._on_message)
        if sync:
            self._join()

    def sync_now(self) -> str:
        """Push and pull now, on this thread; returns the sync status (joined readers)."""
        if self._worker is not None:
            from ..sync import ClassClient

            with ClassClient(self._worker.membership) as client:
                self._on_sync(self._worker.once(self._store, client))
        return str(self.sync_status)

    def _join(self) -> None:
        try:
            membership = joined()
        except MembershipError as err:
            self.sync_status = f"Not syncing: {err}"
            return
        if membership is None:
            return  # a reader who never joined a class sees no change
        self.sync_status = "Syncing with your class…"
        from ..sync.worker import SyncWorker

        self._worker = SyncWorker(self._store.path, membership, self._article.source, self._on_sync)
        self._show_classmates()
        self._worker.start()

    def _on_sync(self, state: SyncState) -> None:
        with self._lock:
            self.sync_status = state.message()
        self._show_classmates()

    def _show_classmates(self) -> None:
        from ..sync import ClassClient, Syncer

        assert self._worker is not None
        with ClassClient(self._worker.membership) as client:
            cached = Syncer(self._store, client).classmates(self._article.source)
        views = [
            self._view(a)
            for a in cached
            if NOTE_TAG in a.tags and a.reply_to is None and a.creator != self._reader
        ]
        with self._lock:
            self.classmates = views

    def list(self) -> list[Annotation]:
        """This article's reader notes, in text order (article-wide notes first)."""
        found = [a for a in self._store.list(self._article.source) if NOTE_TAG in a.tags]
        return sorted(found, key=lambda a: (a.end - a.start != len(self._article.text), a.start))

    def add(self, note: str, paragraph: int | None = None) -> Annotation:
        """Save ``note`` on block ``paragraph`` (0 = headline, 1 = dek, ...) or the article."""
        _check(note)
        if paragraph is None or paragraph < 0:
            start, end = 0, len(self._article.text)
        else:
            if paragraph >= len(self._article.blocks):
                raise IndexError(f"the article has {len(self._article.blocks)} blocks")
            block = self._article.blocks[paragraph]
            start, end = block.start, block.end
        ann = Annotation.new(
            source=self._article.source,
            text=self._article.text,
            start=start,
            end=end,
            note=note,
            creator=self._reader,
        )
        from dataclasses import replace

        ann = self._store.add(replace(ann, tags=(NOTE_TAG,)))
        self._publish()
        return ann

    def edit(self, note_id: str, note: str) -> Annotation:
        """Change a note's text (its ``created`` time is kept)."""
        _check(note)
        old = self._store.get(note_id)
        if old is None or NOTE_TAG not in old.tags:
            raise KeyError(f"no reader note {note_id}")
        saved = self._store.update(old.touched(note=note))
        self._publish()
        return saved

    def delete(self, note_id: str) -> None:
        """Delete a note."""
        if not self._store.delete(note_id):
            raise KeyError(f"no reader note {note_id}")
        self._publish()

    def to_w3c(self) -> dict[str, Any]:
        """The notes as a W3C AnnotationCollection."""
        return collection(self.list(), label=f"Reader notes: {self._article.title}")

    def export(self, path: str | Path) -> Path:
        """Write the notes to ``path`` as W3C JSON; returns the path."""
        path = Path(path)
        path.write_text(json.dumps(self.to_w3c(), ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    def _index_of(self, ann: Annotation) -> int:
        for i, block in enumerate(self._article.blocks):
            if (block.start, block.end) == (ann.start, ann.end):
                return i
        return -1

    def _view(self, a: Annotation) -> dict[str, Any]:
        return {
            "id": a.id,
            "index": self._index_of(a),
            "note": a.note,
            "creator": a.creator,
            "modified": a.modified,
        }

    def _publish(self) -> None:
        with self._lock:
            self.notes = [self._view(a) for a in self.list()]
        if self._worker is not None:
            self._worker.kick()  # the change is in the outbox: send it soon

    def _on_message(self, _widget: Any, msg: dict[str, Any], _buffers: Any) -> None:
        try:
            if msg.get("action") == "add":
                self.add(str(msg["note"]), int(msg["index"]))
            elif msg.get("action") == "edit":
                self.edit(str(msg["id"]), str(msg["note"]))
            elif msg.get("action") == "delete":
                self.delete(str(msg["id"]))
        # A store that cannot be written is reported in the widget, not lost
        # in the kernel's log (comm handlers' errors are not shown to the student).
        except (KeyError, ValueError, IndexError, TypeError, StoreError, sqlite3.Error) as err:
            self.send({"error": f"Not saved: {err}"})


def _check(note: str) -> None:
    if not note.strip():
        raise ValueError("the note is empty")
    if len(note.encode("utf-8")) > NOTE_LIMIT:
        raise ValueError("a note must be at most 100 KB")
