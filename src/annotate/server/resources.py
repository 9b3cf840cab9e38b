"""The class containers as HTTP resources: create, read, update, delete, list.

Each method takes the asking ``Viewer`` and answers a ``Response`` or raises
``Problem``; ``app`` only wires them to routes. Who sees what is
``container.visible``; the wire format is ``protocol``.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..model import Annotation, AnnotationError, now
from . import container
from .auth import Viewer, viewer
from .container import Record
from .db import Database
from .protocol import (
    ANNO_TYPE,
    ANNOTATION_LINK,
    CONTAINER_LINK,
    Problem,
    container_document,
    etag,
    page_document,
    prefer,
    read_json,
)

__all__ = ["ANNOTATION_ALLOW", "CONTAINER_ALLOW", "Credentials", "Resources", "document"]

# A request's "Authorization: Bearer TOKEN" (None without one): every route reads it so.
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))]

CONTAINER_ALLOW = "GET, HEAD, OPTIONS, POST"
ANNOTATION_ALLOW = "GET, HEAD, OPTIONS, PUT, DELETE"


def document(
    request: Request, status: int, doc: Any, headers: dict[str, str], kind: str = ANNO_TYPE
) -> Response:
    """A JSON-LD answer (``doc`` is data, or JSON text); HEAD gets the headers, no body."""
    text = doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False)
    raw = text.encode("utf-8")
    headers = {"Vary": "Accept", **headers}
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(raw))
        return Response(b"", status, headers=headers, media_type=kind)
    return Response(raw, status, headers=headers, media_type=kind)


class Resources:
    """The protocol's operations on class containers, bound to one database."""

    def __init__(self, db: Database, page_size: int) -> None:
        self.db = db
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

    @staticmethod
    def local_id(request: Request, class_id: str, iri: str) -> str | None:
        """The local id an annotation IRI of this container names, or None.

        Only the path counts: behind a load balancer one server has several names.
        """
        base = f"{request.scope.get('root_path', '')}/classes/{class_id}/annotations/"
        parts = urlsplit(iri)
        if parts.scheme not in ("http", "https") or parts.query or parts.fragment:
            return None
        rest = parts.path[len(base) :] if parts.path.startswith(base) else ""
        return rest if rest and "/" not in rest else None

    @staticmethod
    def out(record: Record, base: str) -> dict[str, Any]:
        return {**record.data, "id": base + record.id}

    # -- annotations -------------------------------------------------------------------

    def parse(self, data: Any, v: Viewer) -> Annotation:
        """The request's annotation (parsed JSON), by the model's rules; ``Problem`` if not."""
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
        ann = self.parse(read_json(raw), v)
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
        return document(
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
        return document(
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
        ident = data.get("id") if isinstance(data, dict) else None
        if ident is not None and self.local_id(request, class_id, str(ident)) != local:
            raise Problem(400, "Wrong id", "the body's id must be this annotation's IRI")
        ann = self.parse(data, v)
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
        return document(
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
        # Items are spliced in as stored text: parsing and re-encoding 200 annotations
        # was most of a page's cost.
        items = [
            json.dumps(base + local) if iris else container.with_iri(local, text, base + local)
            for local, text in rows
        ]
        headers = {"Allow": CONTAINER_ALLOW, "Link": CONTAINER_LINK}
        if index is None:
            first = None
            if wanted != "minimal":
                shell = page_document(iri, page_base, 0, pages, total, [], self.page_size)
                del shell["@context"]
                first = _with_items(shell, items)
            doc = container_document(iri, "Class annotations", total, None, pages, page_base)
            raw = _encode(doc) if first is None else _splice(doc, "first", first)
            headers["Content-Location"] = iri
            if request.headers.get("prefer"):
                headers["Preference-Applied"] = "return=representation"
            headers["Vary"] = "Accept, Prefer"
        else:
            shell = page_document(iri, page_base, index, pages, total, [], self.page_size)
            raw = _with_items(shell, items)
            headers = {"Allow": "GET, HEAD, OPTIONS"}
        headers["ETag"] = f'"{etag(raw)}"'
        return document(request, 200, raw, headers)


def _encode(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False)


def _splice(doc: dict[str, Any], key: str, raw: str) -> str:
    """``doc`` encoded with ``key`` set to the JSON text ``raw``."""
    doc = {k: v for k, v in doc.items() if k != key}
    return f"{_encode(doc)[:-1]}, {json.dumps(key)}: {raw}}}"


def _with_items(page: dict[str, Any], items: list[str]) -> str:
    return _splice(page, "items", f"[{', '.join(items)}]")


def _tags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/").strip('"') for t in header.split(",")}
