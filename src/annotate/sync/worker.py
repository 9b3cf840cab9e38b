"""``SyncWorker``: a widget's sync with its class, on a background thread.

The kernel's main thread never waits on the network: the widget writes its store
(and so the outbox) as before and calls ``kick()``; the worker pushes, pulls the
page's classmates and tells its listeners, then listens to the class's events
stream in short windows. With no server it retries every few seconds; the outbox
is in the store, so a kernel restart picks up where the last one stopped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..store import Store
from .client import ClassClient, Offline, Refused
from .membership import Membership
from .outbox import Syncer

__all__ = ["SyncState", "SyncWorker"]

EVENT_WINDOW = 2.0  # seconds one events request lasts: a local change waits at most this
RETRY = 3.0  # seconds between tries while the server cannot be reached


@dataclass(frozen=True)
class SyncState:
    """What a widget says about its sync: online, changes waiting, conflicts kept."""

    online: bool
    waiting: int
    conflicts: int = 0
    error: str = ""
    adopted: int = 0  # the reader's own notes made elsewhere, new in the store

    def message(self) -> str:
        parts = ["Synced with your class" if self.online else "Offline: saved on this computer"]
        if self.waiting:
            parts.append(f"{self.waiting} change{'s' if self.waiting != 1 else ''} waiting")
        if self.conflicts:
            parts.append(
                f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''}: "
                "the class's version is kept beside yours (tagged sync-conflict)"
            )
        if self.error:
            parts.append(self.error)
        return " · ".join(parts)


class SyncWorker:
    """Sync the store at ``path`` with ``membership``'s class, for page ``source``."""

    def __init__(
        self,
        path: Path,
        membership: Membership,
        source: str,
        listener: Callable[[SyncState], None],
    ) -> None:
        self.path = path
        self.membership = membership
        self.source = source
        self.listener = listener
        self._kicked = threading.Event()
        self._stopped = threading.Event()
        self._conflicts = 0
        self._thread = threading.Thread(target=self._run, name="annotate-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def kick(self) -> None:
        """A local change was saved: send it soon."""
        self._kicked.set()

    def stop(self) -> None:
        self._stopped.set()
        self._kicked.set()

    def once(self, store: Store, client: ClassClient) -> SyncState:
        """One push and pull, on the calling thread (the worker's loop, or a test)."""
        syncer = Syncer(store, client)
        try:
            pushed = syncer.push()
            if pushed.offline:
                return SyncState(False, pushed.waiting, self._conflicts)
            self._conflicts += pushed.conflicts
            syncer.pull(self.source)
            error = (
                f"{len(pushed.refused)} change(s) refused by the server" if pushed.refused else ""
            )
            return SyncState(True, syncer.waiting(), self._conflicts, error, syncer.adopted)
        except Offline:
            return SyncState(False, syncer.waiting(), self._conflicts)
        except Refused as err:
            return SyncState(False, syncer.waiting(), self._conflicts, str(err))

    def _run(self) -> None:
        with Store(self.path) as store, ClassClient(self.membership) as client:
            last: str | None = None
            while not self._stopped.is_set():
                self._kicked.clear()
                state = self.once(store, client)
                self.listener(state)
                if not state.online:
                    self._kicked.wait(RETRY)
                    continue
                try:
                    # Listen until something happens in the class or a window ends.
                    while not self._stopped.is_set() and not self._kicked.is_set():
                        # Without Last-Event-ID the stream starts from now: what was
                        # written between the pull and this window is pulled once more.
                        changed = last is None
                        for ident, kind in client.events(self.source, last, EVENT_WINDOW):
                            last = ident or last
                            changed = changed or bool(kind)
                        if changed:
                            break
                except (Offline, Refused):
                    self._kicked.wait(RETRY)
