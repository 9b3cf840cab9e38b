"""Browsers on JupyterHub: the session cookie signs a request in only from this origin.

The whole sign-in runs against a real Hub in tests/test_jupyterhub.py; here are the
rules a cookie must pass (another site's page, a write from another origin), the
redirect after sign-in, and the book served with this server preset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from annotate.server.app import create_app
from annotate.server.book import add_book
from annotate.server.hub_login import HubRequests, safe_next

COOKIE = "service-annotate"


async def _echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An app that answers the Authorization header it was given, and its root path."""
    headers = dict(scope["headers"])
    body = f"{headers.get(b'authorization', b'').decode()}|{scope.get('root_path', '')}"
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body.encode()})


def ask(method: str, path: str, **headers: str) -> str:
    app = HubRequests(_echo, "/services/annotate/", COOKIE)
    client = TestClient(app, base_url="http://hub.test")  # no `with`: no lifespan events
    return client.request(method, path, headers=headers).text


def test_the_cookie_signs_in_requests_from_this_origin() -> None:
    cookie = f"{COOKIE}=hubtoken123"
    assert ask("GET", "/services/annotate/me", cookie=cookie) == (
        "Bearer hubtoken123|/services/annotate"
    )
    assert ask("GET", "/services/annotate/me", cookie=cookie, **{"sec-fetch-site": "same-origin"})
    same = ask("POST", "/services/annotate/x", cookie=cookie, origin="http://hub.test")
    assert same.startswith("Bearer hubtoken123|")


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},  # another user's server on a sibling host
    ],
)
def test_another_sites_request_is_not_signed_in(headers: dict[str, str]) -> None:
    answer = ask("GET", "/services/annotate/me", cookie=f"{COOKIE}=hubtoken123", **headers)
    assert answer == "|/services/annotate"


def test_a_write_from_another_origin_is_not_signed_in() -> None:
    answer = ask("POST", "/services/annotate/x", cookie=f"{COOKIE}=t0k", origin="http://evil.test")
    assert answer == "|/services/annotate"
    # A read from there is answered, but the browser keeps it from the other page (CORS).
    assert ask("GET", "/services/annotate/x", cookie=f"{COOKIE}=t0k", origin="http://evil.test")


def test_a_header_wins_over_the_cookie_and_hub_tokens_read_as_bearer() -> None:
    answer = ask(
        "GET", "/services/annotate/me", cookie=f"{COOKIE}=fromcookie", authorization="token abc"
    )
    assert answer == "Bearer abc|/services/annotate"
    assert ask("GET", "/elsewhere") == "|"  # outside the prefix: no root path


@pytest.mark.parametrize(
    "value",
    ["https://evil.test/", "//evil.test/x", "/\\evil.test", "javascript:alert(1)", "", "book"],
)
def test_after_sign_in_only_a_path_here(value: str) -> None:
    assert safe_next(value, "/services/annotate/") == "/services/annotate/"


def _book(tmp_path: Path) -> Path:
    html = tmp_path / "_build" / "html"
    (html / "chapters").mkdir(parents=True)
    (html / "chapters" / "article.html").write_text(
        '<html><script data-annotate-layer="" data-page="x" data-server="" src="a.js"></script>'
        "<p>text</p></html>",
        encoding="utf-8",
    )
    (html / "_static").mkdir()
    (html / "_static" / "a.js").write_text("// layer", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not the book", encoding="utf-8")
    return html


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A class server (SQLite) with a built book beside it, as ``annotate serve --book``."""
    _book(tmp_path)
    monkeypatch.setenv("ANNOTATE_BOOK", str(tmp_path))
    return create_app(str(tmp_path / "server.db"))


def test_the_book_is_served_with_this_server_preset(server: Any) -> None:
    with TestClient(server, base_url="http://s.test", follow_redirects=False) as c:
        page = c.get("/book/chapters/article.html")
        assert page.status_code == 200
        assert 'data-server="http://s.test"' in page.text
        assert c.get("/book/_static/a.js").text == "// layer"
        for bad in ("/book/../secret.txt", "/book/%2e%2e/secret.txt", "/book/nothing.html"):
            r = c.get(bad)
            assert r.status_code == 404, bad
            assert r.headers["content-type"] == "application/problem+json"


def test_on_the_hub_a_page_goes_through_sign_in_first(tmp_path: Path) -> None:
    app = FastAPI()
    add_book(app, _book(tmp_path), session_cookie=COOKIE)
    with TestClient(app, base_url="http://s.test", follow_redirects=False) as c:
        r = c.get("/book/chapters/article.html")
        assert r.status_code == 302
        assert r.headers["location"] == "/login?next=/book/chapters/article.html"
        assert c.get("/book/_static/a.js").status_code == 200  # assets need no sign-in
        c.cookies.set(COOKIE, "t")
        assert c.get("/book/chapters/article.html").status_code == 200


def test_the_class_link_opened_in_a_browser_says_how_to_join(server: Any) -> None:
    with TestClient(server, base_url="http://s.test") as c:
        r = c.get("/")  # the class link is this address with #join=CODE
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Class</strong> box" in r.text and 'href="/book/"' in r.text
