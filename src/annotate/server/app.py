"""The class server's HTTP routes: the W3C Web Annotation Protocol for one class each.

>>> app = create_app("sqlite:///:memory:")
>>> sorted(p for p in app.openapi()["paths"] if "events" in p)
['/classes/{class_id}/events']

Routes do HTTP only; who sees what is ``container.visible``, the wire format is
``protocol``, secrets are ``auth``. Client mistakes answer 4xx problem+json, a
database that cannot be reached answers 503 with ``Retry-After``.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from . import container
from .auth import join
from .book import add_book
from .container import Record
from .db import Database
from .events import Waker, stream
from .hub import HubConfig
from .hub import install as install_hub
from .migrate import upgrade
from .protocol import (
    BODY_LIMIT,
    PAGE_SIZE,
    Problem,
    read_json,
)
from .report import add_report
from .resources import ANNOTATION_ALLOW, CONTAINER_ALLOW, Credentials, Resources, document

__all__ = ["create_app", "from_environment"]

RETRY_AFTER = "5"  # seconds a client waits before trying a database that was down
_ANNOTATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "target"],
    "properties": {
        "@context": {"type": "string"},
        "type": {"type": "string"},
        "motivation": {"type": "string"},
        "body": {"type": "array", "items": {"type": "object"}},
        "target": {"oneOf": [{"type": "string"}, {"type": "object"}]},
        "audience": {"type": "object"},
        "canonical": {"type": "string"},
    },
}
_JSON_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/ld+json": {"schema": _ANNOTATION_SCHEMA},
            "application/json": {"schema": _ANNOTATION_SCHEMA},
        },
    }
}
_JOIN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["code", "name"],
                    "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
                }
            }
        },
    }
}


async def _body(request: Request) -> bytes:
    """The request body, refused with 413 past ``BODY_LIMIT`` before all of it is read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > BODY_LIMIT:
        raise Problem(413, "Request body too large", f"the limit is {BODY_LIMIT} bytes")
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind not in ("application/json", "application/ld+json"):
        raise Problem(415, "Send JSON", "Content-Type must be application/ld+json")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > BODY_LIMIT:
            raise Problem(413, "Request body too large", f"the limit is {BODY_LIMIT} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


Body = Annotated[bytes, Depends(_body)]


def _problem(
    status: int, title: str, detail: str = "", headers: dict[str, str] | None = None
) -> Response:
    body = Problem(status, title, detail).body()
    return Response(
        json.dumps(body), status, headers=headers, media_type="application/problem+json"
    )


def _check_accept(request: Request) -> None:
    accept = request.headers.get("accept", "*/*").lower()
    if not any(k in accept for k in ("*/*", "application/*", "json")):
        raise Problem(406, "Not acceptable", "this server speaks application/ld+json only")


def create_app(
    url: str | None = None,
    *,
    migrate: bool = True,
    page_size: int = PAGE_SIZE,
    hub: HubConfig | None = None,
) -> FastAPI:
    """The ASGI application on database ``url`` (see ``db.engine_url``).

    ``hub``: signed in by JupyterHub (``annotate serve --hub``) instead of join tokens.

    ``migrate`` applies the schema migrations first; ``annotate serve`` does that once
    before it starts its workers, which then pass ``migrate=False``.
    """
    db = Database.open(url)
    if migrate:
        upgrade(db)
    waker = Waker(db)
    routes = Resources(db, page_size)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await waker.stop()

    app = FastAPI(
        title="annotate class server",
        version="1",
        description="The W3C Web Annotation Protocol for a class: one container per class.",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's docs pages load scripts from a CDN: nothing leaves the school
        redoc_url=None,
    )
    app.state.db = db
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,  # bearer tokens only: no cookies, so any origin is safe
        allow_methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-Match",
            "Prefer",
            "Last-Event-ID",
            "Accept",
        ],
        expose_headers=[
            "ETag",
            "Location",
            "Link",
            "Content-Location",
            "Allow",
            "Preference-Applied",
            "Retry-After",
        ],
    )
    _handlers(app)

    @app.post("/join", status_code=201, openapi_extra=_JOIN_BODY)
    async def join_class(request: Request, raw: Body) -> Response:
        """Join a class with its code: a personal token, shown once."""
        data = read_json(raw)
        if not isinstance(data, dict):
            raise Problem(400, "Send {code, name}")
        address = request.client.host if request.client else "unknown"
        token, class_id = await run_in_threadpool(
            join, db, data.get("code"), data.get("name"), address
        )
        doc = {
            "token": token,
            "class_id": class_id,
            "container": routes.container_iri(request, class_id),
        }
        return document(request, 201, doc, {"Cache-Control": "no-store"}, "application/json")

    @app.options("/classes/{class_id}/annotations/")
    async def container_options(class_id: str) -> Response:
        return Response(status_code=200, headers={"Allow": CONTAINER_ALLOW})

    @app.head("/classes/{class_id}/annotations/")
    @app.get("/classes/{class_id}/annotations/")
    async def get_container(
        request: Request,
        class_id: str,
        credentials: Credentials,
        source: Annotated[str | None, Query(max_length=2000)] = None,
        page: Annotated[int | None, Query(ge=0, le=1_000_000)] = None,
        iris: Annotated[int, Query(ge=0, le=1)] = 0,
    ) -> Response:
        """The class's annotations (on page ``source``), as the protocol's container."""
        _check_accept(request)
        v = await run_in_threadpool(routes.viewer, credentials, class_id)
        return await run_in_threadpool(
            routes.listing, request, class_id, v, source, page, bool(iris)
        )

    @app.post("/classes/{class_id}/annotations/", status_code=201, openapi_extra=_JSON_BODY)
    async def post_annotation(
        request: Request, class_id: str, credentials: Credentials, raw: Body
    ) -> Response:
        """Create an annotation; ``Location`` is its IRI."""
        v = await run_in_threadpool(routes.viewer, credentials, class_id)
        return await run_in_threadpool(routes.create, request, class_id, v, raw)

    @app.options("/classes/{class_id}/annotations/{annotation_id}")
    async def annotation_options(class_id: str, annotation_id: str) -> Response:
        return Response(status_code=200, headers={"Allow": ANNOTATION_ALLOW})

    @app.head("/classes/{class_id}/annotations/{annotation_id}")
    @app.get("/classes/{class_id}/annotations/{annotation_id}")
    async def get_annotation(
        request: Request, class_id: str, annotation_id: str, credentials: Credentials
    ) -> Response:
        """One annotation, with its ETag."""
        _check_accept(request)
        v = await run_in_threadpool(routes.viewer, credentials, class_id)
        return await run_in_threadpool(routes.read_one, request, class_id, v, annotation_id)

    @app.put("/classes/{class_id}/annotations/{annotation_id}", openapi_extra=_JSON_BODY)
    async def put_annotation(
        request: Request, class_id: str, annotation_id: str, credentials: Credentials, raw: Body
    ) -> Response:
        """Replace an annotation; needs ``If-Match`` with its current ETag."""
        v = await run_in_threadpool(routes.viewer, credentials, class_id)
        return await run_in_threadpool(routes.update, request, class_id, v, annotation_id, raw)

    @app.delete("/classes/{class_id}/annotations/{annotation_id}", status_code=204)
    async def delete_annotation(
        request: Request, class_id: str, annotation_id: str, credentials: Credentials
    ) -> Response:
        """Delete an annotation (its author, or the teacher); a root takes its replies."""
        v = await run_in_threadpool(routes.viewer, credentials, class_id)
        return await run_in_threadpool(routes.delete, request, v, annotation_id)

    @app.get("/classes/{class_id}/annotations/{annotation_id}/thread")
    async def get_thread(
        request: Request, class_id: str, annotation_id: str, credentials: Credentials
    ) -> Response:
        """A thread: its root first, then the replies you may see, as an AnnotationPage."""
        v = await run_in_threadpool(routes.viewer, credentials, class_id)

        def read() -> list[Record]:
            with db.read() as conn:
                root = container.find(conn, v, annotation_id)
                if root is None or root.root_id is not None:
                    raise Problem(404, "No such thread")
                return container.thread(conn, v, root)

        records = await run_in_threadpool(read)
        base = routes.container_iri(request, class_id)
        doc = {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": f"{base}{annotation_id}/thread",
            "type": "AnnotationPage",
            "items": [routes.out(r, base) for r in records],
        }
        return document(request, 200, doc, {"Allow": "GET"})

    @app.get("/classes/{class_id}/members")
    async def get_members(request: Request, class_id: str, credentials: Credentials) -> Response:
        """The class's members (teacher only)."""
        v = await run_in_threadpool(routes.viewer, credentials, class_id)
        if not v.teacher:
            raise Problem(403, "Teachers only")

        def read() -> list[dict[str, str]]:
            from .db import members

            with db.read() as conn:
                rows = conn.execute(
                    members.select().where(members.c.class_id == class_id).order_by(members.c.id)
                )
                return [{"name": r.name, "role": r.role} for r in rows]

        doc = {"members": await run_in_threadpool(read)}
        return document(request, 200, doc, {}, "application/json")

    @app.get("/classes/{class_id}/events")
    async def get_events(
        request: Request,
        class_id: str,
        credentials: Credentials,
        source: Annotated[str | None, Query(max_length=2000)] = None,
        seconds: Annotated[float, Query(ge=0, le=300)] = 30,
    ) -> StreamingResponse:
        """Server-Sent Events: creates, updates and deletes you may see, from ``Last-Event-ID``."""
        v = await run_in_threadpool(routes.viewer, credentials, class_id)
        last = request.headers.get("last-event-id", "").strip()
        after = int(last) if last.isdigit() and len(last) < 19 else None
        base = routes.container_iri(request, class_id)
        return StreamingResponse(
            stream(db, waker, v, source, after, seconds, lambda local: base + local),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    session_cookie = install_hub(app, routes, hub) if hub is not None else None
    add_report(app, db, routes, hub=session_cookie is not None)  # the teacher's live report
    add_book(app, _built_book(), session_cookie)
    return app


def _built_book() -> Path:
    """Where ``jupyter-book build`` writes the book of ``--book`` (or of this folder)."""
    from ..classroom.merge import book_folder

    try:
        return book_folder(os.environ.get("ANNOTATE_BOOK")) / "_build" / "html"
    except FileNotFoundError:
        return Path(os.environ.get("ANNOTATE_BOOK", ".")) / "_build" / "html"


def _handlers(app: FastAPI) -> None:
    """Every error as problem+json; an unreachable database as 503, never 500."""

    async def problem(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return _problem(exc.status, exc.title, exc.detail, exc.headers)

    async def http_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _problem(exc.status_code, str(exc.detail), "", dict(exc.headers or {}))

    async def invalid(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return _problem(400, "Bad request", reasons)

    async def unavailable(_request: Request, exc: Exception) -> Response:
        if (
            isinstance(exc, DBAPIError)
            and not isinstance(exc, OperationalError)
            and not exc.connection_invalidated
        ):
            raise exc
        return _problem(
            503, "Database unavailable", "try again shortly", {"Retry-After": RETRY_AFTER}
        )

    app.add_exception_handler(Problem, problem)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(OperationalError, unavailable)
    app.add_exception_handler(PoolTimeout, unavailable)
    app.add_exception_handler(DBAPIError, unavailable)


def from_environment() -> FastAPI:
    """The app for uvicorn's workers: ``ANNOTATE_SERVER_DB`` names the database."""
    hub = HubConfig.from_environment() if os.environ.get("ANNOTATE_HUB") else None
    return create_app(os.environ.get("ANNOTATE_SERVER_DB"), migrate=False, hub=hub)
