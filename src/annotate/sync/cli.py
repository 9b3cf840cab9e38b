"""``annotate join`` and ``annotate sync``: a reader's side of the class server.

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> register(parser.add_subparsers())
>>> parser.parse_args(["join", "ABCD-EFGH", "--name", "Ana"]).name
'Ana'
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["register"]


def _fail(message: str) -> int:
    print(f"annotate: error: {message}", file=sys.stderr)
    return 1


def _join(args: argparse.Namespace) -> int:
    from .client import Offline, Refused, join
    from .membership import MembershipError, parse_link

    try:
        server, code = parse_link(args.link)
    except MembershipError as err:
        return _fail(str(err))
    server = args.server or server
    if not server:
        return _fail("a join code needs --server URL (or paste the whole class link)")
    try:
        membership = join(server, code, args.name)
    except (Offline, Refused) as err:
        return _fail(str(err))
    path = membership.save()
    print(f"joined class {membership.class_id} on {membership.server} as {args.name} ({path})")
    return 0


def _sync(args: argparse.Namespace) -> int:
    from ..store import Store
    from .client import ClassClient, Offline, Refused
    from .hub import joined
    from .membership import MembershipError
    from .outbox import Syncer

    try:
        membership = joined()
    except MembershipError as err:
        return _fail(str(err))
    if membership is None:
        return _fail("you have joined no class: run annotate join LINK --name NAME first")
    client = ClassClient(membership)
    classmates = []
    with Store(args.store) as store:
        syncer = Syncer(store, client)
        try:
            pushed = syncer.push()
            if not pushed.offline:
                classmates = syncer.pull()
        except Offline:
            pushed.offline = True
        except Refused as err:
            return _fail(str(err))
        finally:
            client.close()
        waiting = syncer.waiting()
    if pushed.offline:
        return _fail(
            f"cannot reach the class server at {membership.server}: "
            f"{waiting} change(s) kept, waiting for the next annotate sync"
        )
    for reason in pushed.refused:
        print(f"annotate: refused: {reason}", file=sys.stderr)
    print(
        f"sent {pushed.sent} change(s), {pushed.conflicts} conflict(s) kept both versions; "
        f"{len(classmates)} classmates' annotation(s); {waiting} waiting"
    )
    return 1 if pushed.refused else 0


def register(sub: Any) -> None:
    """Add ``join`` and ``sync`` to the ``annotate`` command."""
    p = sub.add_parser(
        "join",
        help="join a class on a class server (the class link, or a join code)",
        description="Join a class: the server and your token are kept in ~/.annotate "
        "(private to you; the token is never printed).",
    )
    p.add_argument("link", metavar="LINK_OR_CODE", help="http://HOST:PORT/#join=CODE, or CODE")
    p.add_argument("--name", required=True, help="the name your teacher asked you to use")
    p.add_argument("--server", metavar="URL", help="the class server, with a bare join code")
    p.set_defaults(func=_join)

    p = sub.add_parser(
        "sync",
        help="send your notes to your class and fetch classmates' notes",
        description="Push the changes waiting in your store (made offline or before "
        "joining) and pull your classmates' annotations.",
    )
    p.add_argument("--store", metavar="PATH", help="annotation database (default: $ANNOTATE_STORE)")
    p.set_defaults(func=_sync)
