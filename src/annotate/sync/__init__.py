"""Offline-first sync of a reader's store with a class server (``annotate serve``).

>>> from annotate.sync import Membership, parse_link
>>> parse_link("http://127.0.0.1:8765/#join=AB12-CD34")[1]
'AB12-CD34'
"""

from typing import TYPE_CHECKING, Any

from .hub import joined
from .membership import Membership, MembershipError, parse_link

if TYPE_CHECKING:
    from .client import ClassClient, Conflict, Offline, Refused, join
    from .outbox import PushResult, Syncer

__all__ = [
    "ClassClient",
    "Conflict",
    "Membership",
    "MembershipError",
    "Offline",
    "PushResult",
    "Refused",
    "Syncer",
    "join",
    "joined",
    "parse_link",
]


def __getattr__(name: str) -> Any:
    # The client needs httpx, which costs a widget's import more than all the rest of
    # the kit: it loads when a class is joined, not when a widget starts outside one.
    if name in ("ClassClient", "Conflict", "Offline", "Refused", "join"):
        from . import client

        return getattr(client, name)
    if name in ("PushResult", "Syncer"):
        from . import outbox

        return getattr(outbox, name)
    raise AttributeError(f"module 'annotate.sync' has no attribute {name!r}")
