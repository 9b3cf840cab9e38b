"""Offline-first sync of a reader's store with a class server (``annotate serve``).

>>> from annotate.sync import Membership, parse_link
>>> parse_link("http://127.0.0.1:8765/#join=AB12-CD34")[1]
'AB12-CD34'
"""

from .client import ClassClient, Conflict, Offline, Refused, join
from .hub import joined
from .membership import Membership, MembershipError, parse_link
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
