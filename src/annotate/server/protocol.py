"""The W3C Web Annotation Protocol's wire format: headers, containers, pages, problems.

>>> prefer('return=representation;include="http://www.w3.org/ns/ldp#PreferMinimalContainer"')
'minimal'
>>> read_json(b'{"a": [1]}')
{'a': [1]}
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = [
    "ANNOTATION_LINK",
    "ANNO_CONTEXT",
    "ANNO_TYPE",
    "BODY_LIMIT",
    "CONTAINER_LINK",
    "PAGE_SIZE",
    "Problem",
    "container_document",
    "etag",
    "page_document",
    "prefer",
    "read_json",
]

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
ANNO_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'
CONTAINER_LINK = (
    '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)
ANNOTATION_LINK = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
BODY_LIMIT = 1_000_000  # bytes: a request body over this is refused with 413
PAGE_SIZE = 200
# JSON nested deeper than this is not an annotation (ours nest 4 levels).
MAX_DEPTH = 32

_MINIMAL = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
_IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
_DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"


class Problem(Exception):
    """A client error answered as RFC 9457 ``application/problem+json``.

    >>> Problem(404, "No such annotation").body()["status"]
    404
    """

    def __init__(
        self, status: int, title: str, detail: str = "", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "about:blank", "title": self.title, "status": self.status}
        if self.detail:
            data["detail"] = self.detail
        return data


def read_json(raw: bytes) -> Any:
    """Parse a request body: UTF-8, JSON, not nested too deeply, no NUL; else ``Problem(400)``."""
    if len(raw) > BODY_LIMIT:
        raise Problem(413, "Request body too large", f"the limit is {BODY_LIMIT} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise Problem(400, "Body is not UTF-8", str(err)) from None
    if "\x00" in text or "\\u0000" in text:
        # PostgreSQL text cannot hold NUL, and no note needs one.
        raise Problem(400, "Body holds a NUL character")
    try:
        data = json.loads(text)
    except RecursionError:
        raise Problem(400, "JSON nested too deeply", f"the limit is {MAX_DEPTH} levels") from None
    except ValueError as err:
        raise Problem(400, "Body is not JSON", str(err)) from None
    if _depth(data) > MAX_DEPTH:
        raise Problem(400, "JSON nested too deeply", f"the limit is {MAX_DEPTH} levels")
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise Problem(400, "Body holds a lone surrogate", "text must be valid Unicode") from None
    return data


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        if isinstance(item, dict):
            stack += [(v, level + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, level + 1) for v in item]
    return deepest


def etag(data: str) -> str:
    """A strong entity tag for a stored annotation's JSON text."""
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def prefer(header: str | None) -> str:
    """What ``Prefer`` asks of a container: ``minimal``, ``iris`` or ``descriptions``."""
    if not header or "return=representation" not in header:
        return "descriptions"
    if _MINIMAL in header:
        return "minimal"
    if _IRIS in header and _DESCRIPTIONS not in header:
        return "iris"
    return "descriptions"


def container_document(
    iri: str, label: str, total: int, first: dict[str, Any] | None, pages: int, page_base: str
) -> dict[str, Any]:
    """A ``BasicContainer`` + ``AnnotationCollection``; ``first`` embedded unless minimal.

    ``page_base`` is the container IRI its page IRIs extend (with ``iris=1`` for IRIs only).
    """
    doc: dict[str, Any] = {
        "@context": [ANNO_CONTEXT, LDP_CONTEXT],
        "id": iri,
        "type": ["BasicContainer", "AnnotationCollection"],
        "label": label,
        "total": total,
    }
    if total:
        doc["first"] = first if first is not None else _page_iri(page_base, 0)
        doc["last"] = _page_iri(page_base, pages - 1)
    return doc


def page_document(
    container: str,
    page_base: str,
    index: int,
    pages: int,
    total: int,
    items: list[Any],
    size: int = PAGE_SIZE,
) -> dict[str, Any]:
    """An ``AnnotationPage`` of ``container`` with ``partOf``, ``next`` and ``prev``."""
    doc: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": _page_iri(page_base, index),
        "type": "AnnotationPage",
        "partOf": {"id": container, "total": total},
        "startIndex": index * size,
        "items": items,
    }
    if index + 1 < pages:
        doc["next"] = _page_iri(page_base, index + 1)
    if index > 0:
        doc["prev"] = _page_iri(page_base, index - 1)
    return doc


def _page_iri(container: str, index: int) -> str:
    return f"{container}{'&' if '?' in container else '?'}page={index}"
