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
import math
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..model import Annotation, AnnotationError, now
from . import container
from .auth import Viewer, join, viewer
from .container import Record
from .db import Database
from .events import Waker, stream
from .migrate import upgrade
from .protocol import (
    ANNO_TYPE,
    ANNOTATION_LINK,
    BODY_LIMIT,
    CONTAINER_LINK,
    PAGE_SIZE,
    Problem,
    container_document,
    etag,
    page_document,
    prefer,
    read_json,
)

__all__ = ["create_app", "from_environment"]

RETRY_AFTER = "5"  # seconds a client waits before trying a database that was down
CONTAINER_ALLOW = "GET, HEAD, OPTIONS, POST"
ANNOTATION_ALLOW = "GET, HEAD, OPTIONS, PUT, DELETE"
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
_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


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


def _document(
    request: Request, status: int, doc: Any, headers: dict[str, str], kind: str = ANNO_TYPE
) -> Response:
    """A JSON-LD answer; HEAD gets the same headers and no body."""
    raw = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    headers = {"Vary": "Accept", **headers}
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(raw))
        return Response(b"", status, headers=headers, media_type=kind)
    return Response(raw, status, headers=headers, media_type=kind)


def _check_accept(request: Request) -> None:
    accept = request.headers.get("accept", "*/*").lower()
    if not any(k in accept for k in ("*/*", "application/*", "json")):
        raise Problem(406, "Not acceptable", "this server speaks application/ld+json only")


class _Routes:
    """The handlers, bound to one database and one waker."""

    def __init__(self, db: Database, waker: Waker, page_size: int) -> None:
        self.db = db
        self.waker = waker
        self.page_size = page_size

    # -- who is asking -----------------------------------------------------------------

    def viewer(self, credentials: HTTPAuthorizationCredentials | None, class_id: str) -> Viewer:
        """The member behind the bearer token, in class ``class_id``; 401 or 404 otherwise."""
        if credentials is None or not credentials.credentials:
            raise Problem(
                401,
                "Token missing",
                "send Authorization: Bearer TOKEN",
                {"WWW-Authenticate": "Bearer"},
            )
        with self.db.read() as conn:
            who = viewer(conn, credentials.credentials[:200])
        if who is None:
            raise Problem(
                401,
                "Unknown token",
                "join the class again",
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        if who.class_id != class_id:
            # The same answer as for a class that does not exist: nothing to learn.
            raise Problem(404, "No such container")
        return who

    # -- IRIs ------------------------------------------------------------------------

    @staticmethod
    def container_iri(request: Request, class_id: str) -> str:
        return f"{request.base_url}classes/{class_id}/annotations/"

    def local_id(self, request: Request, class_id: str, iri: str) -> str | None:
        """The local id an annotation IRI of this container names, or None."""
        base = self.container_iri(request, class_id)
        rest = iri[len(base) :] if iri.startswith(base) else ""
        return rest if rest and "/" not in rest and "?" not in rest else None

    @staticmethod
    def out(record: Record, base: str) -> dict[str, Any]:
        return {**record.data, "id": base + record.id}

    # -- annotations -------------------------------------------------------------------

    def parse(self, raw: bytes, v: Viewer) -> Annotation:
        data = read_json(raw)
        if not isinstance(data, dict):
            raise Problem(400, "Not an annotation", "the body must be a JSON object")
        try:
            ann = Annotation.from_w3c({**data, "id": "urn:uuid:" + str(uuid.uuid4())})
        except AnnotationError as err:
            raise Problem(400, "Not an annotation", str(err)) from None
        if "\x00" in ann.source or len(ann.source) > 2000:
            raise Problem(400, "Bad source", "a source is an IRI of at most 2000 characters")
        if ann.motivation == "assessing" and ann.reply_to and not v.teacher:
            raise Problem(
                403, "Feedback is the teacher's", "students cannot write assessing replies"
            )
        return ann

    def resolve_reply(
        self, request: Request, conn: Any, v: Viewer, ann: Annotation
    ) -> tuple[str | None, str]:
        """``(root id, page)`` for ``ann``: a reply joins its target's thread and page."""
        if ann.reply_to is None:
            return None, ann.source
        local = self.local_id(request, v.class_id, ann.reply_to)
        target = container.find(conn, v, local) if local else None
        if target is None:
            # One answer for "no such annotation" and "not yours to see".
            raise Problem(400, "Reply to what?", "the target is no annotation you can see here")
        return target.root_id or target.id, target.source

    def create(self, request: Request, class_id: str, v: Viewer, raw: bytes) -> Response:
        ann = self.parse(raw, v)
        local = str(uuid.uuid4())
        base = self.container_iri(request, class_id)
        stamp = now()
        with self.db.write() as conn:
            root_id, source = self.resolve_reply(request, conn, v, ann)
            stored = replace(
                ann,
                id=f"urn:uuid:{local}",
                creator=v.name,
                created=stamp,
                modified=stamp,
                audience=ann.audience or "class",
            )
            record = Record(
                local, v.member_id, root_id, source, stored.audience or "class", "", stored.to_w3c()
            )
            tag = container.save(self.db, conn, v, record, new=True)
        # The block above committed: only now is the 201 true.
        iri = base + local
        return _document(
            request,
            201,
            self.out(record, base),
            {
                "Location": iri,
                "ETag": f'"{tag}"',
                "Link": ANNOTATION_LINK,
                "Allow": ANNOTATION_ALLOW,
            },
        )

    def read_one(self, request: Request, class_id: str, v: Viewer, local: str) -> Response:
        with self.db.read() as conn:
            record = container.find(conn, v, local)
        if record is None:
            raise Problem(404, "No such annotation")
        return _document(
            request,
            200,
            self.out(record, self.container_iri(request, class_id)),
            {"ETag": f'"{record.etag}"', "Link": ANNOTATION_LINK, "Allow": ANNOTATION_ALLOW},
        )

    def editable(
        self, conn: Any, v: Viewer, local: str, if_match: str | None, *, delete: bool
    ) -> Record:
        record = container.find(conn, v, local)
        if record is None:
            raise Problem(404, "No such annotation")
        if record.author_id != v.member_id and not (delete and v.teacher):
            raise Problem(403, "Not yours", "only its author may change an annotation")
        if if_match is None:
            if not delete:
                raise Problem(428, "If-Match required", "send the ETag you last read")
        elif if_match.strip() != "*" and record.etag not in _tags(if_match):
            raise Problem(412, "Changed since you read it", "read it again, then retry")
        return record

    def update(
        self, request: Request, class_id: str, v: Viewer, local: str, raw: bytes
    ) -> Response:
        base = self.container_iri(request, class_id)
        if_match = request.headers.get("if-match")
        if if_match is None:
            raise Problem(428, "If-Match required", "send the ETag you last read")
        data = read_json(raw)
        if isinstance(data, dict) and data.get("id") not in (None, base + local):
            raise Problem(400, "Wrong id", "the body's id must be this annotation's IRI")
        ann = self.parse(raw, v)
        with self.db.write() as conn:
            old = self.editable(conn, v, local, if_match, delete=False)
            target = old.data["target"]
            if ann.reply_to != (target if isinstance(target, str) else None):
                raise Problem(400, "A reply keeps its target", "post a new reply instead")
            stored = replace(
                ann,
                id=f"urn:uuid:{local}",
                creator=v.name,
                created=str(old.data["created"]),
                modified=now(),
                audience=ann.audience or old.audience,
            )
            source = old.source if old.root_id else stored.source
            record = replace(
                old, source=source, audience=stored.audience or "class", data=stored.to_w3c()
            )
            try:
                tag = container.save(self.db, conn, v, record, new=False)
            except LookupError:
                raise Problem(412, "Changed since you read it", "read it again") from None
        return _document(
            request,
            200,
            self.out(record, base),
            {"ETag": f'"{tag}"', "Link": ANNOTATION_LINK, "Allow": ANNOTATION_ALLOW},
        )

    def delete(self, request: Request, v: Viewer, local: str) -> Response:
        with self.db.write() as conn:
            record = self.editable(conn, v, local, request.headers.get("if-match"), delete=True)
            container.remove(self.db, conn, v, record)
        return Response(status_code=204, headers={"Allow": ANNOTATION_ALLOW})

    # -- the container -----------------------------------------------------------------

    def listing(
        self,
        request: Request,
        class_id: str,
        v: Viewer,
        source: str | None,
        index: int | None,
        iris: bool,
    ) -> Response:
        base = self.container_iri(request, class_id)
        iri = base if source is None else f"{base}?source={quote(source, safe='')}"
        with self.db.read() as conn:
            total = container.count(conn, v, source)
            pages = max(1, math.ceil(total / self.page_size))
            wanted = prefer(request.headers.get("prefer")) if index is None else "descriptions"
            if index is not None and index >= pages:
                raise Problem(404, "No such page", f"pages run from 0 to {pages - 1}")
            rows = (
                []
                if wanted == "minimal"
                else container.page(conn, v, source, index or 0, self.page_size)
            )
        iris = iris or wanted == "iris"
        page_base = f"{iri}{'&' if '?' in iri else '?'}iris=1" if iris else iri
        items: list[Any] = [base + r.id if iris else self.out(r, base) for r in rows]
        headers = {"Allow": CONTAINER_ALLOW, "Link": CONTAINER_LINK}
        if index is None:
            first = (
                None
                if wanted == "minimal"
                else page_document(iri, page_base, 0, pages, total, items, self.page_size)
            )
            if first is not None:
                del first["@context"]
            doc = container_document(iri, "Class annotations", total, first, pages, page_base)
            headers["Content-Location"] = iri
            if request.headers.get("prefer"):
                headers["Preference-Applied"] = "return=representation"
            headers["Vary"] = "Accept, Prefer"
        else:
            doc = page_document(iri, page_base, index, pages, total, items, self.page_size)
            headers = {"Allow": "GET, HEAD, OPTIONS"}
        text = json.dumps(doc, ensure_ascii=False)
        headers["ETag"] = f'"{etag(text)}"'
        return _document(request, 200, doc, headers)


def create_app(
    url: str | None = None, *, migrate: bool = True, page_size: int = PAGE_SIZE
) -> FastAPI:
    """The ASGI application on database ``url`` (see ``db.engine_url``).

    ``migrate`` applies the schema migrations first; ``annotate serve`` does that once
    before it starts its workers, which then pass ``migrate=False``.
    """
    db = Database.open(url)
    if migrate:
        upgrade(db)
    waker = Waker(db)
    routes = _Routes(db, waker, page_size)

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
        return _document(request, 201, doc, {"Cache-Control": "no-store"}, "application/json")

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
        return _document(request, 200, doc, {"Allow": "GET"})

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
        return _document(request, 200, doc, {}, "application/json")

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

    return app


def _tags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/").strip('"') for t in header.split(",")}


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
    return create_app(os.environ.get("ANNOTATE_SERVER_DB"), migrate=False)
