"""``annotate serve``, ``annotate class create|export`` and ``annotate db upgrade``.

>>> import argparse
>>> parser = argparse.ArgumentParser()
>>> register(parser.add_subparsers())
>>> parser.parse_args(["class", "create", "Period 3", "--json"]).name
'Period 3'
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

__all__ = ["register"]


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        help="a SQLite file or sqlite:/// URL, or postgresql://user@host/db "
        "(default: $ANNOTATE_SERVER_DB, else server.db in $ANNOTATE_HOME or ~/.annotate)",
    )


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .db import Database, engine_url
    from .migrate import upgrade

    host, port = args.host, args.port
    if args.hub:
        from .hub import HubSetupError, hub_environment

        try:
            host, port = hub_environment(args.hub_classes, args.teachers, args.reveal)
        except HubSetupError as err:
            print(f"annotate serve --hub: {err}", file=sys.stderr)
            return 2
    url = engine_url(args.db)
    db = Database.open(url)
    upgrade(db)  # once, here: the workers start on an up-to-date schema
    db.dispose()
    os.environ["ANNOTATE_SERVER_DB"] = url
    if args.book:
        if not os.path.isdir(args.book):
            print(f"annotate serve: --book {args.book}: no such folder", file=sys.stderr)
            return 2
        os.environ["ANNOTATE_BOOK"] = str(args.book)  # the live report's chapters, the book
    print(f"annotate: serving {_safe(url)} on http://{host}:{port}/", file=sys.stderr)
    uvicorn.run(
        "annotate.server.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        proxy_headers=True,  # behind a load balancer, IRIs use the address clients used
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
    return 0


def _safe(url: str) -> str:
    """``url`` without its password, for logs."""
    head, at, tail = url.rpartition("@")
    if not at or ":" not in head.split("//", 1)[-1]:
        return url
    return head.rsplit(":", 1)[0] + ":***@" + tail


def _create(args: argparse.Namespace) -> int:
    from .auth import create_class
    from .db import Database
    from .migrate import upgrade

    db = Database.open(args.db)
    upgrade(db)
    made = create_class(db, args.name, args.reveal)
    db.dispose()
    url = args.url.rstrip("/") + "/"
    out: dict[str, Any] = {
        "class_id": made.class_id,
        "teacher_token": made.teacher_token,
        "join_code": made.join_code,
        "container": f"{url}classes/{made.class_id}/annotations/",
        # The class link: the code in the fragment never reaches a server's log.
        "link": f"{url}#join={made.join_code}",
    }
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key}: {value}")
        print("Keep the teacher token secret: it is shown only now.", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    from .db import Database
    from .export import export_class
    from .migrate import upgrade

    db = Database.open(args.db)
    try:
        upgrade(db)
        n = export_class(db, args.class_id, args.output)
    finally:
        db.dispose()
    print(f"wrote {args.output}: {n} annotation(s) of class {args.class_id}")
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    from .db import Database
    from .migrate import revision, upgrade

    db = Database.open(args.db)
    upgrade(db)
    print(f"database schema at revision {revision(db)}")
    db.dispose()
    return 0


def register(sub: Any) -> None:
    """Add ``serve``, ``class create`` and ``db upgrade`` to the ``annotate`` command."""
    p = sub.add_parser(
        "serve",
        help="run the class server (W3C Web Annotation Protocol)",
        description="Serve classes' annotations over HTTP; migrates the database first.",
    )
    _db_option(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument(
        "--book",
        metavar="DIR",
        help="the book folder: its chapters are the live class report's, and its built "
        "HTML (DIR/_build/html) is served at /book/ (default: the current folder)",
    )
    h = p.add_argument_group("as a JupyterHub service (no join codes: the Hub signs users in)")
    h.add_argument(
        "--hub",
        action="store_true",
        help="run as a service JupyterHub starts; listens on JUPYTERHUB_SERVICE_URL",
    )
    h.add_argument(
        "--class",
        dest="hub_classes",
        action="append",
        default=[],
        metavar="GROUP",
        help="a Hub group that is a class (repeat for each class)",
    )
    h.add_argument(
        "--teachers",
        default="teachers",
        metavar="GROUP_OR_ROLE",
        help="the Hub group or role whose members teach every class (default: teachers)",
    )
    h.add_argument(
        "--reveal",
        choices=("always", "after-own"),
        default="always",
        help="when students see classmates' notes, for the classes made from Hub groups",
    )
    p.set_defaults(func=_serve)

    p = sub.add_parser("class", help="create a class on the class server")
    inner = p.add_subparsers(dest="class_command", required=True, metavar="ACTION")
    c = inner.add_parser(
        "create",
        help="create a class: prints its join code and the teacher's token",
        description="Create a class; its teacher token and join code are shown only now.",
    )
    c.add_argument("name")
    _db_option(c)
    c.add_argument(
        "--reveal",
        choices=("always", "after-own"),
        default="always",
        help="after-own: a student sees classmates' notes on a page "
        "once they have posted one there",
    )
    c.add_argument(
        "--url",
        default="http://127.0.0.1:8765/",
        help="the server's address, for the container IRI printed",
    )
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.set_defaults(func=_create)
    e = inner.add_parser(
        "export",
        help="write a class's annotations as a class file (as annotate merge writes)",
        description="Write the class file that annotate report and the CSV read.",
    )
    e.add_argument("class_id", metavar="CLASS_ID")
    e.add_argument("-o", "--output", required=True, metavar="FILE")
    _db_option(e)
    e.set_defaults(func=_export)

    p = sub.add_parser("db", help="class server database maintenance")
    inner = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    u = inner.add_parser("upgrade", help="apply schema migrations (serve does this too)")
    _db_option(u)
    u.set_defaults(func=_upgrade)
