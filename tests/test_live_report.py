"""The teacher's live class report, in Chromium, against a real ``annotate serve``.

A student's new note appears without a reload; the teacher replies and deletes; the
page and its scripts carry a strict Content-Security-Policy; notes are text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from annotate.model import Annotation
from annotate.sync import ClassClient

from .conftest import ROOT
from .server.conftest import postgres  # noqa: F401  # the cluster fixture, for PostgreSQL
from .sync_fixtures import Live, live_server

pytestmark = pytest.mark.browser

ARTICLE = ROOT / "chapters" / "article.md"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    yield from live_server(request, tmp_path_factory.mktemp("server"))


def note(text: str, words: str = "Hegseth") -> dict[str, Any]:
    from annotate.article import load_article

    article = load_article(ARTICLE)
    start = article.text.index(words)
    ann = Annotation.new(
        source=article.source,
        text=article.text,
        start=start,
        end=start + len(words),
        note=text,
        claim_type="factual",
    )
    return ann.to_w3c()


def test_the_live_report_is_served_with_a_strict_policy(live: Live) -> None:
    made = live.new_class()
    page = httpx.get(f"{live.url}/classes/{made.class_id}/report")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy and made.teacher_token not in page.text
    assert httpx.get(f"{live.url}/report-assets/live-report.js").status_code == 200
    assert httpx.get(f"{live.url}/report-assets/..%2Fserver.db").status_code == 404
    data = f"{live.url}/classes/{made.class_id}/report/data"
    assert httpx.get(data).status_code == 401
    ana = live.student(made, "Ana")
    assert httpx.get(data, headers={"Authorization": f"Bearer {ana.token}"}).status_code == 403


def test_a_students_note_appears_live_and_the_teacher_replies(
    live: Live, browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    made = live.new_class()
    with (
        ClassClient(live.student(made, "Ana")) as ana,
        ClassClient(live.student(made, "Ben")) as ben,
    ):
        ana.create(note("Who says so?"))
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{live.url}/classes/{made.class_id}/report")
        page.get_by_label("Teacher token").fill(made.teacher_token)
        page.get_by_role("button", name="Open the report").click()
        page.get_by_text("Who says so?").first.wait_for(timeout=10_000)
        assert made.teacher_token not in page.url
        # Ben writes; the page shows it without a reload.
        ben.create(note('<img src=x onerror="window.pwned=1">', "Nakatani"))
        page.locator(".annotate-live-text", has_text="<img src=x").wait_for(timeout=20_000)
        assert page.evaluate("window.pwned") is None
        assert page.locator(".annotate-live-item img").count() == 0
        # The teacher replies to Ana's note.
        item = page.locator(".annotate-live-item", has_text="Who says so?")
        item.get_by_role("button", name="Reply").click()
        item.get_by_label("Reply").fill("Look at the second paragraph.")
        item.get_by_role("button", name="Send reply").click()
        page.locator(".annotate-live-thread", has_text="Look at the second paragraph.").wait_for(
            timeout=20_000
        )
        replies = [
            Annotation.from_w3c(i)
            for i in ana.list()
            if i["target"] and isinstance(i["target"], str)
        ]
        assert [r.note for r in replies] == ["Look at the second paragraph."]
        page.screenshot(path=str(artifacts / "live-report.png"), full_page=True)
        # And deletes Ben's note.
        page.once("dialog", lambda d: d.accept())
        page.locator(".annotate-live-item", has_text="<img").get_by_role(
            "button", name="Delete"
        ).click()
        page.locator(".annotate-live-item", has_text="<img").wait_for(
            state="detached", timeout=20_000
        )
        assert len(ben.list()) == 2  # Ana's note and the reply
        page.close()
