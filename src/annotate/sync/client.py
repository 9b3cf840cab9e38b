"""The class server's protocol, spoken over httpx: join, list, create, update, delete, events.

Every failure is one of two exceptions: ``Offline`` (no answer, or the server says
to come back later: the change stays queued) and ``Refused`` (the server answered
no: a message a person can read). A 412 is ``Conflict``, a ``Refused``.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator
from typing import Any

import httpx

from .membership import Membership

__all__ = ["ClassClient", "Conflict", "Offline", "Refused", "join"]

ANNO_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
TIMEOUT = httpx.Timeout(10.0, connect=3.0)


class Offline(ConnectionError):
    """The server could not be reached or is unavailable for now."""


class Refused(RuntimeError):
    """The server refused a request; ``status`` is its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Conflict(Refused):
    """412: the server's copy changed since we last read it."""


def _check(response: httpx.Response) -> httpx.Response:
    if response.status_code in (502, 503, 504):
        raise Offline(f"the class server is unavailable ({response.status_code})")
    if response.status_code >= 400:
        try:
            problem = response.json()
            reason = f"{problem.get('title', '')}: {problem.get('detail', '')}".strip(": ")
        except ValueError:
            reason = response.reason_phrase
        kind = Conflict if response.status_code == 412 else Refused
        raise kind(response.status_code, f"the class server said {response.status_code} {reason}")
    return response


def join(
    server: str, code: str, name: str, transport: httpx.BaseTransport | None = None
) -> Membership:
    """Join the class whose join code is ``code`` on ``server``, as ``name``."""
    server = server.rstrip("/")
    try:
        with httpx.Client(timeout=TIMEOUT, transport=transport) as http:
            r = _check(http.post(f"{server}/join", json={"code": code, "name": name}))
    except httpx.TransportError as err:
        raise Offline(f"cannot reach the class server at {server} ({err})") from err
    data = r.json()
    return Membership(
        server, str(data["class_id"]), str(data["container"]), str(data["token"]), name
    )


class ClassClient:
    """One member's requests to their class's container. Thread-safe (one httpx client)."""

    def __init__(
        self, membership: Membership, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.membership = membership
        self.container = membership.container
        self._http = httpx.Client(
            timeout=TIMEOUT,
            transport=transport,
            headers={"Authorization": f"Bearer {membership.token}", "Accept": ANNO_TYPE},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ClassClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return _check(self._http.request(method, url, **kwargs))
        except httpx.TransportError as err:
            raise Offline(f"cannot reach the class server ({type(err).__name__})") from err

    def _url(self, iri: str) -> str:
        # IRIs carry the host name the server saw; requests go where we joined.
        path = iri.split("/classes/", 1)[-1]
        return f"{self.membership.server.rstrip('/')}/classes/{path}"

    def list(self, source: str | None = None) -> list[dict[str, Any]]:
        """Every annotation we may see (on page ``source``), all pages followed."""
        params = {"source": source} if source else None
        doc = self._send("GET", self._url(self.container), params=params).json()
        page = doc.get("first")
        items: list[dict[str, Any]] = []
        while isinstance(page, dict):
            items += page.get("items", [])
            nxt = page.get("next")
            page = self._send("GET", self._url(nxt)).json() if nxt else None
        return items

    def members(self) -> builtins.list[dict[str, str]]:  # list: the method above
        """The class's members, ``{"name", "role"}`` each (a teacher's token only)."""
        url = f"{self.membership.server.rstrip('/')}/classes/{self.membership.class_id}/members"
        found = self._send("GET", url).json().get("members", [])
        return [{"name": str(m.get("name", "")), "role": str(m.get("role", ""))} for m in found]

    def get(self, iri: str) -> tuple[dict[str, Any], str]:
        """One annotation and its ETag."""
        r = self._send("GET", self._url(iri))
        return r.json(), r.headers["etag"]

    def create(self, data: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        """POST ``data``: ``(IRI, ETag, stored annotation)``."""
        r = self._send(
            "POST",
            self._url(self.container),
            content=json.dumps(data),
            headers={"Content-Type": ANNO_TYPE},
        )
        return r.headers["location"], r.headers["etag"], r.json()

    def update(self, iri: str, data: dict[str, Any], etag: str) -> tuple[str, dict[str, Any]]:
        """PUT ``data`` if the server's copy still has ``etag``: ``(new ETag, stored)``."""
        r = self._send(
            "PUT",
            self._url(iri),
            content=json.dumps({**data, "id": iri}),
            headers={"Content-Type": ANNO_TYPE, "If-Match": etag},
        )
        return r.headers["etag"], r.json()

    def delete(self, iri: str) -> None:
        """DELETE; an annotation already gone counts as deleted."""
        try:
            self._send("DELETE", self._url(iri))
        except Refused as err:
            if err.status != 404:
                raise

    def events(
        self, source: str | None, after: str | None, seconds: float
    ) -> Iterator[tuple[str, str]]:
        """``(event id, kind)`` from the events stream, for ``seconds`` at most."""
        params: dict[str, Any] = {"seconds": seconds}
        if source:
            params["source"] = source
        headers = {"Accept": "text/event-stream"}
        if after:
            headers["Last-Event-ID"] = after
        url = f"{self.membership.server.rstrip('/')}/classes/{self.membership.class_id}/events"
        try:
            with self._http.stream(
                "GET",
                url,
                params=params,
                headers=headers,
                timeout=httpx.Timeout(seconds + 10, connect=3.0),
            ) as r:
                _check(r)
                ident, kind = "", ""
                for line in r.iter_lines():
                    if line.startswith("id:"):
                        ident = line[3:].strip()
                    elif line.startswith("event:"):
                        kind = line[6:].strip()
                    elif not line:
                        yield ident, kind
                        kind = ""
        except httpx.TransportError as err:
            raise Offline(f"cannot reach the class server ({type(err).__name__})") from err
