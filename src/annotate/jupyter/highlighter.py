r"""``ClaimHighlighter``: highlight claims and write notes on an article in Jupyter.

One anywidget shows the whole article (one widget, not one per sentence: each
ipywidget costs several comm messages). The front end is the highlighter the
HTML book uses too; this side owns the model, the anchoring and the store, so
every change is saved at once and a restarted kernel paints the same marks.

>>> import pathlib, tempfile, annotate
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.md").write_text("# Ships\n\n::::{article}\nThe navy sent three ships.\n::::\n")
>>> article = annotate.load_article(folder / "a.md")
>>> hl = annotate.ClaimHighlighter(article, store=folder / "notes.db")
>>> hl.text[hl.blocks[1]["start"]:][:8]
'The navy'
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

import anywidget
import traitlets

from ..article import Article
from ..frontend import CORE_DIR, FRONTEND_DIR, vocabulary_css
from ..model import AUDIENCES, NOTE_LIMIT, Annotation, now, reader_name
from ..placement import place
from ..store import Store, StoreError
from ..vocabulary import CLAIM_TYPES, STATUSES, vocabulary_json
from .classmates import ClassLink, ClassmateView, ReplyView
from .notes import NOTE_TAG

__all__ = ["ClaimHighlighter", "HighlightView"]


class HighlightView(TypedDict, total=False):
    """One highlight as the front end sees it (positions in code points).

    In a class: ``audience`` is who may read it, ``iri`` its address on the class
    server once it is there (replies need it), ``replies`` its thread.
    """

    id: str
    start: int
    end: int
    exact: str
    claimType: str | None
    status: str | None
    note: str
    creator: str
    modified: str
    orphan: bool
    audience: str | None
    iri: str | None
    replies: list[ReplyView]


def _front_end() -> tuple[str, str]:
    # The widget's module is the shared classic script plus its own host code.
    # class.js (visibility, threads) is the book's own, shared rather than copied.
    scripts = (CORE_DIR / "annotator.js", CORE_DIR / "class.js", FRONTEND_DIR / "widget.js")
    styles = (CORE_DIR / "annotator.css", CORE_DIR / "class.css", FRONTEND_DIR / "widget.css")
    js = "\n".join(path.read_text(encoding="utf-8") for path in scripts)
    css = vocabulary_css() + "".join(path.read_text(encoding="utf-8") for path in styles)
    return js, css


class ClaimHighlighter(anywidget.AnyWidget):  # type: ignore[misc,unused-ignore]  # anywidget is untyped
    """Highlight claims in ``article``; every change is saved to ``store``.

    ``store`` is a :class:`annotate.Store`, a path, or ``None`` for the reader's
    default store (``ANNOTATE_STORE`` or ``~/.annotate/annotations.db``).
    """

    _esm, _css = _front_end()

    text = traitlets.Unicode(help="The article text; offsets count code points in it.").tag(
        sync=True
    )
    blocks: traitlets.List[dict[str, int | str]] = traitlets.List(
        help="Headline, dek and paragraphs: [{kind, start, end}]."
    ).tag(sync=True)
    vocabulary = traitlets.Dict(help="Claim types and statuses, from annotate.vocabulary.").tag(
        sync=True
    )
    highlights: traitlets.List[HighlightView] = traitlets.List(
        help="The reader's highlights, as HighlightView dicts."
    ).tag(sync=True)
    editor_claims: traitlets.List[dict[str, int | str]] = traitlets.List(
        help="Editor-marked claims: [{id, type, start, end}]."
    ).tag(sync=True)
    show_editor_claims = traitlets.Bool(True, help="Paint the editor-marked claims.").tag(sync=True)
    classmates: traitlets.List[ClassmateView] = traitlets.List(
        help="Classmates' highlights on this article, with their replies (after annotate join)."
    ).tag(sync=True)
    joined = traitlets.Bool(
        False, help="The reader joined a class: each note has a visibility and a thread."
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
        show_editor_claims: bool = True,
        sync: bool = True,
    ) -> None:
        self._article = article
        self._store = store if isinstance(store, Store) else Store(store)
        self._reader = reader_name(reader)
        self._callbacks: list[Callable[[list[Annotation]], None]] = []
        self._annotations: dict[str, Annotation] = {}
        # Deleted annotations, kept so "Undo delete" brings back the very same one.
        self._trash: dict[str, Annotation] = {}
        # From the class link (ClassLink.show): server IRIs of ours, threads by IRI.
        self._iris: dict[str, str] = {}
        self._replies: dict[str, list[ReplyView]] = {}
        super().__init__(
            text=article.text,
            blocks=[dataclasses.asdict(b) for b in article.blocks],
            vocabulary={**vocabulary_json(), "noteLimit": NOTE_LIMIT},
            editor_claims=[dataclasses.asdict(c) for c in article.claims],
            show_editor_claims=show_editor_claims,
        )
        # The sync worker's thread and the kernel's both publish: one at a time.
        self._lock = threading.RLock()
        self._load()
        self.on_msg(self._on_message)
        self._class = ClassLink.start(self, self._store, article) if sync else None
        self.joined = self._class is not None

    def sync_now(self) -> str:
        """Push and pull now, on this thread; returns the sync status (joined readers)."""
        if self._class is not None:
            self._class.sync_now()
        return str(self.sync_status)

    # -- Python API ------------------------------------------------------------

    @property
    def annotations(self) -> list[Annotation]:
        """This chapter's annotations (orphans included), in text order."""
        return sorted(self._annotations.values(), key=lambda a: (a.start, a.end, a.id))

    def to_w3c(self) -> dict[str, Any]:
        """The annotations as a W3C AnnotationCollection with an embedded page."""
        items = [a.to_w3c() for a in self.annotations]
        return {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "type": "AnnotationCollection",
            "label": self._article.title,
            "total": len(items),
            "first": {"type": "AnnotationPage", "items": items},
        }

    def on_change(self, callback: Callable[[list[Annotation]], None]) -> None:
        """Call ``callback(annotations)`` after every change a reader makes."""
        self._callbacks.append(callback)

    # -- Validation of the synced state ---------------------------------------

    @traitlets.validate("highlights")
    def _check_highlights(self, proposal: dict[str, Any]) -> list[HighlightView]:
        length = len(self.text)
        for view in proposal["value"]:
            start, end = view.get("start"), view.get("end")
            if not (isinstance(start, int) and isinstance(end, int)):
                raise traitlets.TraitError(f"highlight {view.get('id')}: start/end must be ints")
            if not view.get("orphan") and not 0 <= start < end <= length:
                raise traitlets.TraitError(
                    f"highlight {view.get('id')}: span {start}-{end} is outside 0-{length} or empty"
                )
            if view.get("claimType") not in (None, *CLAIM_TYPES):
                raise traitlets.TraitError(f"unknown claim type {view.get('claimType')!r}")
            if view.get("status") not in (None, *STATUSES):
                raise traitlets.TraitError(f"unknown status {view.get('status')!r}")
        return list(proposal["value"])

    # -- Internals -------------------------------------------------------------

    def _load(self) -> None:
        """Re-anchor the chapter's stored annotations on the current text."""
        with self._lock:
            for stored in self._store.list(source=self._article.source):
                if NOTE_TAG in stored.tags or stored.reply_to is not None:
                    continue  # a paragraph note (ReaderNotes shows those) or a reply
                if stored.id not in self._annotations:
                    self._annotations[stored.id] = self._reanchor(stored)
            self._publish(notify=False)

    def _reanchor(self, ann: Annotation) -> Annotation:
        # Re-anchoring is not an edit: saved with add(), so `modified` stays.
        placed = place(ann, self._article.text).annotation
        if placed is not ann:
            self._store.add(placed)
        return placed

    def _publish(self, notify: bool = True) -> None:
        with self._lock:
            self.highlights = [self._view(a) for a in self.annotations]
        if notify:
            for callback in self._callbacks:
                callback(self.annotations)

    def _on_message(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        try:
            self._apply(content)
        # A store that cannot be written is reported in the widget, not lost
        # in the kernel's log (comm handlers' errors are not shown to the student).
        except (ValueError, KeyError, TypeError, StoreError, sqlite3.Error) as err:
            self.send({"error": f"Not saved: {err}"})
            return
        if self._class is not None:
            self._class.show()  # a reply joins its thread, marked waiting
            self._class.kick()
        self._publish()

    def _apply(self, msg: dict[str, Any]) -> None:
        action = msg.get("action")
        if action == "create":
            draft = _draft(msg["draft"], len(self.text))
            ann = Annotation.new(
                source=self._article.source,
                text=self._article.text,
                start=draft["start"],
                end=draft["end"],
                claim_type=draft["claimType"],
                status=draft["status"],
                note=draft["note"],
                creator=self._reader,
            )
            ann = dataclasses.replace(ann, audience=draft["audience"])
            self._store.add(ann)
            self._annotations[ann.id] = ann
        elif action == "update":
            old = self._annotations[str(msg["id"])]
            draft = _draft(msg["draft"], len(self.text))
            new = dataclasses.replace(
                old,
                claim_type=draft["claimType"],
                status=draft["status"],
                note=draft["note"],
                audience=draft["audience"] or old.audience,
            )
            self._annotations[old.id] = self._store.update(new)
        elif action == "delete":
            ann = self._annotations.pop(str(msg["id"]))
            self._store.delete(ann.id)
            self._trash[ann.id] = ann
        elif action == "restore":
            ann = self._trash.pop(str(msg["highlight"]["id"]))
            self._store.add(ann)
            self._annotations[ann.id] = ann
        elif action == "reattach":
            old = self._annotations[str(msg["id"])]
            start, end = int(msg["start"]), int(msg["end"])
            moved = old.at(self._article.text, start, end)  # refuses a span outside the text
            self._annotations[old.id] = self._store.update(moved)
        elif action == "reply":
            self._store.add(self._reply(str(msg["target"]), msg["note"]))
        elif action == "reply-edit":
            old = self._own_reply(str(msg["id"]))
            self._store.update(dataclasses.replace(old, note=_reply_text(msg["note"])))
        elif action == "reply-delete":
            self._store.delete(self._own_reply(str(msg["id"])).id)
        else:
            raise ValueError(f"unknown action {action!r}")

    def _own_reply(self, reply_id: str) -> Annotation:
        """The reader's own reply ``reply_id`` (kept in this store), or ValueError."""
        found = self._store.get(reply_id)
        if found is None or found.reply_to is None:
            raise ValueError("only your own replies can be changed")
        return found

    def _reply(self, target: str, note: Any) -> Annotation:
        """A reply to the thread at ``target``, a server IRI this widget shows."""
        known = set(self._iris.values()) | {c["id"] for c in self.classmates}
        if self._class is None or target not in known:
            raise ValueError("replies go to a highlight that is in the class")
        note = _reply_text(note)
        stamp = now()
        return Annotation(
            id=f"urn:uuid:{uuid.uuid4()}",
            source=target,
            exact="",
            prefix="",
            suffix="",
            start=0,
            end=0,
            creator=self._reader,
            created=stamp,
            modified=stamp,
            note=note,
            motivation="replying",
            audience="class",
            reply_to=target,
        )

    def _view(self, ann: Annotation) -> HighlightView:
        iri = self._iris.get(ann.id)
        return HighlightView(
            id=ann.id,
            start=ann.start,
            end=ann.end,
            exact=ann.exact,
            claimType=ann.claim_type,
            status=ann.status,
            note=ann.note,
            creator=ann.creator,
            modified=ann.modified,
            orphan=ann.orphan,
            audience=ann.audience,
            iri=iri,
            replies=self._replies.get(iri, []) if iri else [],
        )


def _reply_text(note: Any) -> str:
    """A reply's text, stripped; ValueError when it is none or too long."""
    if not isinstance(note, str) or not note.strip():
        raise ValueError("a reply needs some text")
    if len(note.encode("utf-8")) > NOTE_LIMIT:
        raise ValueError("a reply must be text of at most 100 KB")
    return note.strip()


def _draft(raw: Any, length: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise TypeError("draft must be an object")
    start, end = raw.get("start"), raw.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length):
        raise ValueError(f"span {start}-{end} is outside the text")
    kind, status = raw.get("claimType"), raw.get("status")
    if kind not in (None, *CLAIM_TYPES):
        raise ValueError(f"unknown claim type {kind!r}")
    if status not in (None, *STATUSES):
        raise ValueError(f"unknown status {status!r}")
    note = raw.get("note") or ""
    if not isinstance(note, str) or len(note.encode("utf-8")) > NOTE_LIMIT:
        raise ValueError("a note must be text of at most 100 KB")
    audience = raw.get("audience")
    if audience not in (None, *AUDIENCES):
        raise ValueError(f"unknown visibility {audience!r}")
    return {
        "start": start,
        "end": end,
        "claimType": kind,
        "status": status,
        "note": note,
        "audience": audience,
    }
