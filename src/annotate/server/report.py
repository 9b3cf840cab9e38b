"""The live class report: ``/classes/{class_id}/report``, for the class's teacher.

The page is the report ``annotate report`` writes (``frontend/report.js`` draws
``classroom.report_data.build_report``'s data), kept up to date as students write.
A browser navigation cannot send a bearer header, and a token must never be in a
URL, so the page is a shell with no data: it asks for the teacher token (kept in
``sessionStorage``), fetches ``…/report/data`` with ``Authorization: Bearer``,
and reads the events stream with ``fetch`` to draw again when anything changes.
On JupyterHub (``--hub``) the teacher is signed in by the Hub instead: the page
goes through ``/login`` first, and its requests carry the session cookie.
The shell and its scripts are static files under a strict Content-Security-Policy
(same-origin scripts, styles and requests only; nothing inline, no frames).
"""

from __future__ import annotations

import html
import json
import os
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ..frontend import FRONTEND_DIR
from ..model import Annotation
from .db import Database, annotation_rows, members
from .protocol import Problem
from .resources import Credentials, Resources

__all__ = ["POLICY", "add_report"]

POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
NOTES_SHOWN = 500  # the newest notes listed under the report, replies included
_HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_ASSETS = {
    "report.js": "text/javascript",
    "report.css": "text/css",
    "live-report.js": "text/javascript",
    "live-report.css": "text/css",
}


def _shell(class_id: str, root: str, hub: bool) -> str:
    """The page, with no data; ``root`` is the prefix the server is reached under."""
    cid = html.escape(class_id)
    root = html.escape(root)
    signed_in = ' data-session="hub"' if hub else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Live class report</title>
<link rel="stylesheet" href="{root}/report-assets/report.css">
<link rel="stylesheet" href="{root}/report-assets/live-report.css">
</head>
<body class="annotate-report-page" data-class-id="{cid}" data-root="{root}"{signed_in}>
<div class="annotate-live-bar">
<p class="annotate-report-kicker">Live class report</p>
<p class="annotate-live-status" role="status" aria-live="polite">Waiting for the teacher token.</p>
</div>
<form class="annotate-live-login" hidden>
<label for="annotate-live-token">Teacher token</label>
<input id="annotate-live-token" type="password" autocomplete="off" spellcheck="false">
<button type="submit">Open the report</button>
<p class="annotate-live-error" role="alert"></p>
</form>
<div class="annotate-report" id="annotate-live-report"></div>
<section class="annotate-live-notes" aria-labelledby="annotate-live-notes-title" hidden>
<h2 id="annotate-live-notes-title">Notes, newest first</h2>
<ul class="annotate-live-list"></ul>
</section>
<noscript><p>The live report needs JavaScript.</p></noscript>
<script type="module" src="{root}/report-assets/live-report.js"></script>
</body>
</html>
"""


def _report_data(db: Database, class_id: str, base: str) -> dict[str, Any]:
    """The report's data and the notes the teacher may act on (with their IRIs).

    The report counts students' highlights, as ``annotate report`` does on a class
    file; replies and the teacher's own notes are listed with the notes below it.
    """
    from ..classroom.merge import book_folder
    from ..classroom.report_data import build_report

    with db.read() as conn:
        rows = conn.execute(
            sa.select(annotation_rows.c.id, annotation_rows.c.data, members.c.role)
            .join(members, members.c.id == annotation_rows.c.author_id)
            .where(annotation_rows.c.class_id == class_id, annotation_rows.c.audience != "private")
            .order_by(annotation_rows.c.seq)
        ).all()
    students: list[Annotation] = []
    notes = []
    for local, text, role in rows:
        data = json.loads(text)
        ann = Annotation.from_w3c(data)
        if ann.reply_to is None and role != "teacher":
            students.append(ann)
        notes.append(
            {
                "id": base + local,
                "creator": ann.creator,
                "teacher": role == "teacher",
                "motivation": str(data.get("motivation", "")),
                "audience": ann.audience or "class",
                "quote": ann.exact,
                "note": ann.note,
                "replyTo": ann.reply_to,
                "created": ann.created,
            }
        )
    report = build_report(students, book_folder(os.environ.get("ANNOTATE_BOOK")))
    return {"report": report, "notes": notes[::-1][:NOTES_SHOWN]}


def add_report(app: FastAPI, db: Database, routes: Resources, *, hub: bool = False) -> None:
    """Serve the live report's page, its scripts and its data (the class's teacher only).

    ``hub``: the teacher is signed in by JupyterHub (a session cookie, see
    ``hub_login``), not by a teacher token typed into the page.
    """

    @app.get("/classes/{class_id}/report", include_in_schema=False)
    async def report_page(request: Request, class_id: str) -> Response:
        root = str(request.scope.get("root_path", ""))
        if hub and "authorization" not in request.headers:
            back = quote(f"{root}/classes/{class_id}/report", safe="/")
            return RedirectResponse(f"{root}/login?next={back}", status_code=302)
        return Response(_shell(class_id, root, hub), headers=_HEADERS, media_type="text/html")

    @app.get("/report-assets/{name}", include_in_schema=False)
    async def report_asset(name: str) -> Response:
        kind = _ASSETS.get(name)
        if kind is None:
            raise Problem(404, "No such file")
        body = (FRONTEND_DIR / name).read_text(encoding="utf-8")
        return Response(body, headers=_HEADERS, media_type=kind)

    @app.get("/classes/{class_id}/report/data", include_in_schema=False)
    async def report_data(request: Request, class_id: str, credentials: Credentials) -> Response:
        v = await run_in_threadpool(routes.viewer, credentials, class_id)
        if not v.teacher:
            raise Problem(403, "Teachers only")
        base = routes.container_iri(request, class_id)
        doc = await run_in_threadpool(_report_data, db, class_id, base)
        return Response(
            json.dumps(doc, ensure_ascii=False),
            headers={**_HEADERS, "Vary": "Authorization"},
            media_type="application/json",
        )
