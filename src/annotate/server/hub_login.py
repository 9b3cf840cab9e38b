"""Browsers signed in by JupyterHub: OAuth with the Hub, then a session cookie.

A browser cannot put a bearer header on a page it navigates to, so ``annotate serve
--hub`` signs browsers in as every Hub service does (``HubOAuth``): ``/login`` sends
them to the Hub's authorize page with a state and a PKCE challenge, and
``/oauth_callback`` trades the code for a token of that user, which is kept in an
HttpOnly cookie scoped to the service's prefix (no page script can read it, so a
user's token never reaches a page). Every request carrying that cookie is then
handled as if it carried the token as ``Authorization: Bearer``: the same checks
(group, role, expiry, revocation) apply. ``/logout`` forgets it.

Cookies ride along on requests other sites make, so a cookie signs a request in only
when it comes from this origin: never when ``Sec-Fetch-Site`` says another site, and
a write only when its ``Origin`` (if any) is this host. Reads from other origins are
refused by the browser itself (CORS allows no credentials).

>>> safe_next("/services/annotate/book/", "/services/annotate/")
'/services/annotate/book/'
>>> safe_next("//evil.example/x", "/services/annotate/")
'/services/annotate/'
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser

__all__ = ["HubRequests", "add_login", "safe_next"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_STATE_AGE = 600  # seconds to finish signing in at the Hub


def safe_next(value: str, fallback: str) -> str:
    """Where to go after signing in: a path on this host, never another site."""
    parts = urlsplit(value)
    if (
        not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or parts.scheme
        or parts.netloc
        or any(ord(c) < 32 for c in value)
    ):
        return fallback
    return value


class HubRequests:
    """ASGI middleware: serve under the Hub's prefix and read every form of credential.

    The proxy passes the full path on; IRIs must carry it, so the prefix becomes the
    root path. Hub clients send ``Authorization: token``, our dependency reads
    ``Bearer``: the same credential. A browser's session cookie becomes that header
    too, when the request comes from this origin.
    """

    def __init__(self, app: Any, prefix: str, cookie: str) -> None:
        self.app = app
        self.prefix = "/" + prefix.strip("/")
        self.cookie = cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path == self.prefix or path.startswith(self.prefix + "/"):
                scope["root_path"] = self.prefix
            headers = []
            found: dict[bytes, bytes] = {}
            for name, value in scope["headers"]:
                if name == b"authorization" and value[:6].lower() == b"token ":
                    value = b"Bearer " + value[6:]
                found[name] = value
                headers.append((name, value))
            if b"authorization" not in found:
                token = self._session(scope["method"], found)
                if token:
                    headers.append((b"authorization", b"Bearer " + token.encode("latin-1")))
            scope["headers"] = headers
        await self.app(scope, receive, send)

    def _session(self, method: str, headers: dict[bytes, bytes]) -> str:
        """The session cookie's token, if this request may be signed in by it."""
        raw = headers.get(b"cookie", b"").decode("latin-1")
        token = cookie_parser(raw).get(self.cookie, "") if raw else ""
        if not token or not token.isascii() or len(token) > 200:
            return ""
        site = headers.get(b"sec-fetch-site", b"").decode("latin-1")
        if site in ("cross-site", "same-site"):
            return ""
        origin = headers.get(b"origin", b"").decode("latin-1")
        if method.upper() in _UNSAFE and origin:
            host = headers.get(b"host", b"").decode("latin-1")
            if urlsplit(origin).netloc != host:
                return ""
        return token


def _page(status: int, title: str, message: str, link: str) -> Response:
    """A short HTML answer for a person in a browser (no script, escaped text)."""
    body = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f'<p>{html.escape(message)}</p><p><a href="{html.escape(link)}">Sign in again</a></p>'
        "</body></html>"
    )
    return Response(body, status, media_type="text/html", headers={"Cache-Control": "no-store"})


def add_login(app: FastAPI, auth: Any, check: Callable[[str], object], prefix: str) -> None:
    """``/login``, ``/oauth_callback`` and ``/logout`` for ``auth`` (a ``HubOAuth``).

    ``check(token)`` raises (a ``Problem``) unless the token is a user's that may use
    this service.
    """
    root = "/" + prefix.strip("/")
    home = root + "/"
    state_cookie = f"{auth.cookie_name}-oauth-state"

    def secure(request: Request) -> bool:
        public = os.environ.get("JUPYTERHUB_PUBLIC_URL", "")
        return request.url.scheme == "https" or public.startswith("https:")

    @app.get("/login", include_in_schema=False)
    async def login(request: Request, next: str = "") -> Response:
        if not auth.oauth_client_id:
            return _page(503, "No sign-in", "This service has no OAuth client at the Hub.", home)
        state = secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)
        challenge = hashlib.sha256(verifier.encode("ascii")).digest()
        params = {
            "state": state,
            "code_challenge": base64.urlsafe_b64encode(challenge).decode("ascii").rstrip("="),
            "code_challenge_method": "S256",
        }
        response = RedirectResponse(f"{auth.login_url}&{urlencode(params)}", status_code=302)
        kept = {"state": state, "verifier": verifier, "next": safe_next(next, home)}
        response.set_cookie(
            state_cookie,
            base64.urlsafe_b64encode(json.dumps(kept).encode()).decode("ascii"),
            max_age=_STATE_AGE,
            path=home,
            httponly=True,
            secure=secure(request),
            samesite="lax",
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/oauth_callback", include_in_schema=False)
    async def callback(request: Request, code: str = "", state: str = "") -> Response:
        try:
            kept = json.loads(base64.urlsafe_b64decode(request.cookies.get(state_cookie, "")))
            expected = str(kept["state"])
        except (ValueError, KeyError, TypeError):
            kept, expected = {}, ""
        login_again = f"{root}/login"
        if not code or not expected or not secrets.compare_digest(state, expected):
            return _page(
                400,
                "Sign-in not finished",
                "The sign-in took too long or began elsewhere.",
                login_again,
            )
        try:
            token = await run_in_threadpool(
                lambda: auth.token_for_code(code, code_verifier=str(kept.get("verifier", "")))
            )
            await run_in_threadpool(check, str(token))
        except Exception:  # the Hub refused the code, or the user may not use the service
            return _page(403, "Not signed in", "JupyterHub did not sign you in here.", login_again)
        response = RedirectResponse(safe_next(str(kept.get("next", "")), home), status_code=302)
        response.delete_cookie(state_cookie, path=home)
        response.set_cookie(
            auth.cookie_name,
            str(token),
            path=home,
            httponly=True,
            secure=secure(request),
            samesite="lax",  # "strict" would drop it on the link from a course page
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/logout", include_in_schema=False)
    async def logout() -> Response:
        response = _page(200, "Signed out", "You are signed out of the annotate service.", home)
        response.delete_cookie(auth.cookie_name, path=home)
        return response
