"""A widget's link to its class: the sync worker, classmates' highlights, the status line.

After ``annotate join`` the widgets sync through ``annotate.sync.SyncWorker`` on a
background thread; the worker's news reaches the widget here, under the widget's
lock, so the kernel's thread and the worker never publish at once. Classmates'
annotations are re-anchored on the article (``placement.place``) and shown as
their own list (``ClassmateView``), apart from the reader's highlights. Every
thread (a classmate's highlight, or one of the reader's that reached the class)
gathers the replies pulled from the class and the reader's own, those still
waiting to go up marked as such.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from ..article import Article
from ..model import Annotation, instant
from ..placement import place
from ..store import Store
from ..sync import Membership, MembershipError, joined

if TYPE_CHECKING:  # the client needs httpx: it loads once a class is joined
    from ..sync.worker import SyncState

__all__ = ["ClassLink", "ClassmateView", "ReplyView"]


class ReplyView(TypedDict):
    """One reply in a thread, oldest first; ``waiting``: not on the server yet.

    ``mine``: the reader's own, written here, so they may edit or delete it (``id``).
    """

    id: str
    creator: str
    note: str
    created: str
    waiting: bool
    mine: bool


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
        from ..sync.worker import SyncWorker

        self.worker = SyncWorker(store.path, membership, article.source, self.update)
        self._conflicts = 0

    @classmethod
    def start(cls, widget: Any, store: Store, article: Article) -> ClassLink | None:
        """The link for a reader who joined a class (started), else None."""
        try:
            membership = joined()
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
        from ..sync import ClassClient

        with ClassClient(self.membership) as client:
            self.update(self.worker.once(self.store, client))

    def update(self, state: SyncState) -> None:
        """The worker's news (on its thread): status, classmates, a conflict's copy."""
        with self.widget._lock:
            self.widget.sync_status = state.message()
            if state.conflicts != self._conflicts or state.adopted:
                self._conflicts = state.conflicts
                # The class's version kept as a local annotation, or the reader's own
                # notes made in the book (on JupyterHub), now theirs here too.
                self.widget._load()
            self.show()

    def show(self) -> None:
        """Publish what the store holds: classmates' highlights, threads, server IRIs."""
        from ..sync import ClassClient, Syncer

        with ClassClient(self.membership) as client:
            syncer = Syncer(self.store, client)
            cached = syncer.classmates(self.article.source)
            iris = syncer.links()
            queued = syncer.queued()
        replies: dict[str, list[ReplyView]] = {}
        roots = {a.id for a in cached if a.reply_to is None} | set(iris.values())
        mine = [a for root in roots for a in self.store.list(source=root) if a.reply_to == root]
        own = {a.id for a in mine}
        for ann in [*cached, *mine]:
            if ann.reply_to is not None:
                replies.setdefault(ann.reply_to, []).append(
                    ReplyView(
                        id=ann.id,
                        creator=ann.creator,
                        note=ann.note,
                        created=ann.created,
                        waiting=ann.id in queued,
                        mine=ann.id in own,
                    )
                )
        for thread in replies.values():
            thread.sort(key=lambda r: instant(r["created"]))
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
            self.widget._iris, self.widget._replies = iris, replies
            self.widget._publish(notify=False)


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
