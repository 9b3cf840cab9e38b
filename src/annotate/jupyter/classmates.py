"""A widget's link to its class: the sync worker, classmates' highlights, the status line.

After ``annotate join`` the widgets sync through ``annotate.sync.SyncWorker`` on a
background thread; the worker's news reaches the widget here, under the widget's
lock, so the kernel's thread and the worker never publish at once. Classmates'
annotations are re-anchored on the article (``placement.place``) and shown as
their own list (``ClassmateView``), apart from the reader's highlights.
"""

from __future__ import annotations

from typing import Any, TypedDict

from ..article import Article
from ..model import Annotation
from ..placement import place
from ..store import Store
from ..sync import ClassClient, Membership, MembershipError
from ..sync.outbox import Syncer
from ..sync.worker import SyncState, SyncWorker

__all__ = ["ClassLink", "ClassmateView"]


class ReplyView(TypedDict):
    creator: str
    note: str


class ClassmateView(TypedDict):
    """A classmate's highlight as the front end sees it (positions in code points)."""

    id: str
    start: int
    end: int
    exact: str
    creator: str
    note: str
    claimType: str | None
    replies: list[ReplyView]


class ClassLink:
    """Runs a widget's sync; the widget has _lock, _load, classmates and sync_status."""

    def __init__(self, widget: Any, store: Store, article: Article, membership: Membership):
        self.widget = widget
        self.store = store
        self.article = article
        self.membership = membership
        self.worker = SyncWorker(store.path, membership, article.source, self.update)
        self._conflicts = 0

    @classmethod
    def start(cls, widget: Any, store: Store, article: Article) -> ClassLink | None:
        """The link for a reader who joined a class (started), else None."""
        try:
            membership = Membership.load()
        except MembershipError as err:
            widget.sync_status = f"Not syncing: {err}"
            return None
        if membership is None:
            return None
        link = cls(widget, store, article, membership)
        link.show()  # what the last sync saw, before the network answers
        link.worker.start()
        return link

    def kick(self) -> None:
        self.worker.kick()

    def sync_now(self) -> None:
        with ClassClient(self.membership) as client:
            self.update(self.worker.once(self.store, client))

    def update(self, state: SyncState) -> None:
        """The worker's news (on its thread): status, classmates, a conflict's copy."""
        with self.widget._lock:
            self.widget.sync_status = state.message()
            if state.conflicts != self._conflicts:
                self._conflicts = state.conflicts
                self.widget._load()  # the class's version, kept as a local annotation
            self.show()

    def show(self) -> None:
        with ClassClient(self.membership) as client:
            cached = Syncer(self.store, client).classmates(self.article.source)
        replies: dict[str, list[ReplyView]] = {}
        for ann in cached:
            if ann.reply_to is not None:
                replies.setdefault(ann.reply_to, []).append(
                    ReplyView(creator=ann.creator, note=ann.note)
                )
        views = []
        for ann in cached:
            if ann.reply_to is None:
                placed = place(ann, self.article.text).annotation
                if not placed.orphan:
                    views.append(_view(placed, replies.get(ann.id, [])))
        with self.widget._lock:
            if not self.widget.sync_status:
                self.widget.sync_status = "Syncing with your class…"
            self.widget.classmates = sorted(views, key=lambda v: (v["start"], v["end"]))


def _view(ann: Annotation, replies: list[ReplyView]) -> ClassmateView:
    return ClassmateView(
        id=ann.id,
        start=ann.start,
        end=ann.end,
        exact=ann.exact,
        creator=ann.creator,
        note=ann.note,
        claimType=ann.claim_type,
        replies=replies,
    )
