"""The built book, served by the class server at ``/book/``, joined to this server.

``annotate serve --book DIR`` serves ``DIR/_build/html`` (what ``jupyter-book build
DIR`` wrote). Each page's layer script is told this server's address (its
``data-server``, unless the author preset one in ``_config.yml``), so a reader can
join with a bare code; on JupyterHub (``--hub``) the page's layer asks ``/me`` and
joins the signed-in user's class with no code at all, and a page asked for without
the Hub's sign-in first goes through it (``/login``).

>>> preset(b'<script data-annotate-layer="" data-server="" src="x.js">', "http://h/s")
b'<script data-annotate-layer="" data-server="http://h/s" src="x.js">'
>>> preset(b'<script data-annotate-layer="" data-server="http://a" src="x.js">', "http://h/s")
b'<script data-annotate-layer="" data-server="http://a" src="x.js">'
"""

from __future__ import annotations

import html
import mimetypes
import re
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from .protocol import Problem

__all__ = ["add_book", "preset"]

# The layer's script tag as booklayer.py writes it: data-* attributes, then src.
_LAYER_TAG = re.compile(rb'<script data-annotate-layer=""[^>]*?>')
_EMPTY_SERVER = b' data-server=""'


def preset(page: bytes, server: str) -> bytes:
    """``page`` with the layer told ``server``, unless the book already names one."""
    match = _LAYER_TAG.search(page)
    if match is None or _EMPTY_SERVER not in match.group(0):
        return page
    value = html.escape(server, quote=True).encode("utf-8")
    tag = match.group(0).replace(_EMPTY_SERVER, b' data-server="' + value + b'"', 1)
    return page[: match.start()] + tag + page[match.end() :]


_HOME = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Class server</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; \
padding: 0 1rem; line-height: 1.5">
<h1>This is your class's annotation server</h1>
<p>{how}</p>
<p>Teachers: the live report of a class is at <code>/classes/CLASS_ID/report</code>.</p>
</body></html>
"""


def add_book(app: FastAPI, built: Path, session_cookie: str | None = None) -> None:
    """Serve ``built`` (a built book) at ``/book/``, and a page at ``/`` saying how to join.

    With ``session_cookie`` (JupyterHub), a page asked for without that cookie goes
    to ``/login`` first and comes back.
    """
    root = built.resolve()

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        # A student who clicks the class link lands here: words, not a 404.
        prefix = html.escape(str(request.scope.get("root_path", "")))
        book = f' (<a href="{prefix}/book/">here</a>)' if root.is_dir() else ""
        how = (
            f"Open the book{book}: JupyterHub signs you in, and you are in your class."
            if session_cookie
            else f"To join the class, open the book{book}, open its <strong>Highlights</strong>"
            " panel, and paste into its <strong>Class</strong> box the whole class link your"
            " teacher gave you (the address of this page, with <code>#join=</code> and a code"
            " at its end)."
        )
        return Response(
            _HOME.format(how=how),
            media_type="text/html",
            headers={
                "Cache-Control": "no-cache",
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            },
        )

    @app.get("/book", include_in_schema=False)
    async def book_root(request: Request) -> Response:
        return RedirectResponse(f"{request.scope.get('root_path', '')}/book/", status_code=302)

    @app.get("/book/{path:path}", include_in_schema=False)
    async def book_file(request: Request, path: str) -> Response:
        if not root.is_dir():
            raise Problem(
                404, "No built book", f"build it first: jupyter-book build {root.parents[1]}"
            )
        target = (root / path).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(root) or not target.is_file():
            raise Problem(404, "No such page in the book")
        if target.suffix != ".html":
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return FileResponse(target, media_type=kind)
        prefix = request.scope.get("root_path", "")
        if session_cookie and session_cookie not in request.cookies:
            back = quote(f"{prefix}/book/{path}", safe="/")
            return RedirectResponse(f"{prefix}/login?next={back}", status_code=302)
        server = str(request.base_url).rstrip("/")
        return Response(
            preset(target.read_bytes(), server),
            media_type="text/html",
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )
