"""The HTML book joins a class: two students and a teacher against a real ``annotate serve``.

Each test runs on SQLite and on PostgreSQL (``db_url`` from tests/server/conftest.py),
with the class's reveal-after-own rule on. Students are browser contexts (Chromium);
the teacher reads the class through the API with the teacher token. Pages are opened
from ``file://`` (as readers open the book) and over HTTP; either way every request a
page makes goes to the book itself or to the one class server.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import Book
from .server.conftest import Server, db_url, postgres, serve, stop  # noqa: F401 - fixtures
from .test_book_layer import Reader

pytestmark = pytest.mark.browser

ANNOTATE = Path(sys.executable).with_name("annotate")


class Klass:
    """A class on a running server, with its teacher's token and class link."""

    def __init__(self, server: Server, made: dict[str, Any]) -> None:
        self.server = server
        self.made = made
        self.link = f"{server.url}/#join={made['join_code']}"
        self.container = f"{server.url}/classes/{made['class_id']}/annotations/"

    def teacher_items(self) -> list[dict[str, Any]]:
        """Everything in the class, as the teacher sees it."""
        headers = {"Authorization": f"Bearer {self.made['teacher_token']}"}
        items: list[dict[str, Any]] = []
        url: str | None = self.container
        while url:
            doc = httpx.get(url, headers=headers, timeout=10).json()
            page = (
                doc.get("first", doc)
                if "first" in doc or doc.get("type") != "AnnotationPage"
                else doc
            )
            if not isinstance(page, dict):
                break
            items += page.get("items", [])
            url = page.get("next")
        return items


@pytest.fixture
def klass(db_url: str) -> Iterator[Klass]:  # noqa: F811 - the fixture imported above
    made = json.loads(
        subprocess.run(
            [
                str(ANNOTATE),
                "class",
                "create",
                "Period 3",
                "--db",
                db_url,
                "--reveal",
                "after-own",
                "--json",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    server = serve(db_url)
    try:
        yield Klass(server, made)
    finally:
        stop(server)


class Student(Reader):
    """A reader in their own browser profile who joins the class from the panel."""

    def __init__(self, browser: Any, url: str, allowed: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.allowed = allowed
        self.elsewhere: list[str] = []
        super().__init__(self.context, url)
        self.page.on("request", self._record)

    def _watch(self, route: Any) -> None:
        route.continue_()  # requests are recorded (below), not held: the events stream flows

    def _record(self, request: Any) -> None:
        url = request.url
        if not url.startswith(("file://", "data:", "blob:", self.allowed)) and not url.startswith(
            self.url.split("/chapters/")[0]
        ):
            self.elsewhere.append(url)

    def join(self, link: str, name: str) -> None:
        self.open_panel()
        self.page.get_by_label("Class link (or join code)").fill(link)
        self.page.get_by_label("Your name, as your teacher gave it").fill(name)
        self.page.get_by_role("button", name="Join class").click()
        self.page.wait_for_function("annotateLayer.classState() !== null")
        self.close_panel()

    def close_panel(self) -> None:
        if self.page.locator("#annotate-layer-panel").is_visible():
            self.page.get_by_role("button", name="Close highlights panel").click()

    def highlight(self, words: str, note: str, audience: str = "Class") -> None:
        self.close_panel()
        self.select(words)
        palette = self.page.locator(".annotate-palette")
        palette.wait_for(state="visible", timeout=5000)
        palette.get_by_role("button", name="Claim").first.click()
        palette.get_by_label("Note", exact=True).fill(note)
        palette.get_by_label("Who can read this note").select_option(label=audience)
        palette.get_by_role("button", name="Save").click()

    def waiting(self) -> int:
        return int(self.page.evaluate("annotateLayer.classState().waiting"))

    def synced(self, timeout: float = 10_000) -> None:
        self.page.wait_for_function("annotateLayer.classState().waiting === 0", timeout=timeout)

    def others(self) -> list[dict[str, Any]]:
        return list(self.page.evaluate("annotateLayer.others()"))

    def edit(self, quote: str, note: str) -> None:
        self.open_panel()
        item = self.page.locator(".annotate-list .annotate-item-open", has_text=quote).first
        item.click()
        self.page.locator(".annotate-palette").get_by_label("Note", exact=True).fill(note)
        self.page.locator(".annotate-palette").get_by_role("button", name="Save").click()

    def delete(self, quote: str) -> None:
        self.open_panel()
        self.page.locator(".annotate-list .annotate-item-open", has_text=quote).first.click()
        self.page.locator(".annotate-palette").get_by_role("button", name="Delete").click()

    def token(self) -> str:
        raw = self.page.evaluate(
            "Object.keys(localStorage).filter((k) => k.endsWith('#class'))"
            ".map((k) => localStorage.getItem(k))[0]"
        )
        return str(json.loads(raw)[0]["token"])


def file_url(book: Book) -> str:
    return book.page("chapters/article").as_uri()


def own_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for a in items if isinstance(a.get("target"), dict)]


def test_a_classmate_sees_a_highlight_live_after_posting_and_replies(
    klass: Klass, browser: Any, book: Book, served: str, artifacts: Path
) -> None:
    a = Student(browser, file_url(book), klass.server.url)
    b = Student(browser, f"{served}/chapters/article.html", klass.server.url)
    try:
        a.join(klass.link, "Ana")
        b.join(klass.link, "Ben")
        a.highlight("military cooperation with Japan", "Whose cooperation?")
        a.synced()
        assert len(own_items(klass.teacher_items())) == 1
        # Reveal after own: Ben sees nothing of Ana's on this page yet.
        b.page.wait_for_timeout(1000)
        assert b.others() == []
        assert b.page.locator("mark.annotate-hl-others").count() == 0

        b.highlight("cooperation with Japan to counter", "Counter what, exactly?")
        b.synced()
        b.page.wait_for_function("annotateLayer.others().length === 1", timeout=2000)
        assert b.others()[0]["creator"] == "Ana"
        # Live: Ana's next highlight reaches Ben's page within 2 s of her Save.
        a.highlight("steadfast", "A strong word.")
        saved = time.monotonic()
        b.page.wait_for_function("annotateLayer.others().length === 2", timeout=2000)
        assert time.monotonic() - saved < 2.0
        assert b.page.locator("mark.annotate-hl-others").count() >= 2
        assert b.page.locator("mark.annotate-hl-with-others").count() >= 1

        # Ben replies to Ana's first note from the classmates' list in his panel.
        b.open_panel()
        passage = b.page.locator(".annotate-passage", has_text="Whose cooperation?")
        assert (
            "2 classmates" not in passage.inner_text()
        )  # Ben's own is not counted as a classmate's
        passage.get_by_label("Reply").first.fill("Both governments', I think.")
        passage.get_by_role("button", name="Post reply").first.click()
        b.synced()
        b.page.locator(".annotate-thread-reply", has_text="Both governments").first.wait_for()
        b.page.screenshot(path=str(artifacts / "class-two-students.png"))

        # Ana sees the reply under her own highlight, live.
        a.open_panel()
        a.page.locator(
            ".annotate-list .annotate-thread-reply", has_text="Both governments"
        ).wait_for(timeout=3000)
        assert (
            a.page.locator(".annotate-list .annotate-item-audience").first.inner_text()
            == "Visible to: Class"
        )
        a.page.locator(".annotate-list .annotate-thread").first.scroll_into_view_if_needed()
        a.page.screenshot(path=str(artifacts / "class-thread.png"))

        # The teacher sees both students' notes and the reply, threaded.
        items = klass.teacher_items()
        assert sorted(x["creator"]["name"] for x in own_items(items)) == ["Ana", "Ana", "Ben"]
        replies = [x for x in items if x.get("motivation") == "replying"]
        assert [r["creator"]["name"] for r in replies] == ["Ben"]
        thread = httpx.get(
            replies[0]["target"] + "/thread",
            headers={"Authorization": f"Bearer {klass.made['teacher_token']}"},
            timeout=10,
        ).json()
        assert [x["creator"]["name"] for x in thread["items"]] == ["Ana", "Ben"]
        # The token is never in a URL, nor in Export; requests went to the one server.
        for s in (a, b):
            assert s.elsewhere == []
            token = s.token()
            assert token not in json.dumps(
                s.page.evaluate("Object.keys(localStorage).filter((k) => !k.includes('#class'))")
            )
        with a.page.expect_download() as download:
            a.page.get_by_role("button", name="Export", exact=False).click()
        exported = Path(download.value.path()).read_text(encoding="utf-8")
        assert a.token() not in exported and "#join=" not in exported
    finally:
        a.context.close()
        b.context.close()


def test_a_reply_is_changed_and_deleted_by_its_author_only(
    klass: Klass, browser: Any, book: Book, artifacts: Path
) -> None:
    a = Student(browser, file_url(book), klass.server.url)
    b = Student(browser, file_url(book), klass.server.url)
    try:
        a.join(klass.link, "Ana")
        b.join(klass.link, "Ben")
        a.highlight("military cooperation with Japan", "Whose cooperation?")
        a.synced()
        b.highlight("steadfast", "A strong word.")  # reveal after own: Ben sees Ana's now
        b.synced()
        b.page.wait_for_function("annotateLayer.others().length === 1", timeout=10_000)
        b.open_panel()
        passage = b.page.locator(".annotate-passage", has_text="Whose cooperation?")
        passage.get_by_role("textbox", name="Reply", exact=True).first.fill("Ben's reply.")
        passage.get_by_role("button", name="Post reply").first.click()
        b.synced()

        a.open_panel()
        mine = a.page.locator(".annotate-list .annotate-thread").first
        mine.locator(".annotate-thread-reply", has_text="Ben's reply.").wait_for(timeout=10_000)
        mine.get_by_role("textbox", name="Reply", exact=True).fill("Ana's frist thought.")
        mine.get_by_role("button", name="Post reply").click()
        a.synced()
        own = mine.locator(".annotate-thread-reply", has_text="Ana's frist thought.")
        own.wait_for(timeout=10_000)
        bens = mine.locator(".annotate-thread-reply", has_text="Ben's reply.")
        assert bens.get_by_role("button").count() == 0  # not hers to change
        own.get_by_role("button", name="Edit").click()
        box = own.get_by_role("textbox", name="Your reply")
        assert box.evaluate("(e) => e === document.activeElement")
        box.fill("Ana's first thought.")
        # Ben replies meanwhile: Ana's thread is drawn again, her draft and focus stay.
        passage.get_by_role("textbox", name="Reply", exact=True).first.fill("Ben again.")
        passage.get_by_role("button", name="Post reply").first.click()
        mine.locator(".annotate-thread-reply", has_text="Ben again.").wait_for(timeout=10_000)
        box = mine.get_by_role("textbox", name="Your reply")
        assert box.input_value() == "Ana's first thought."
        assert box.evaluate("(e) => e === document.activeElement")
        a.page.screenshot(path=str(artifacts / "class-reply-edit.png"))
        mine.get_by_role("button", name="Save reply").click()
        mine.locator(".annotate-thread-reply", has_text="Ana's first thought.").wait_for()
        a.synced()
        replies = [x for x in klass.teacher_items() if x.get("motivation") == "replying"]
        assert sorted(r["body"][0]["value"] for r in replies) == [
            "Ana's first thought.",
            "Ben again.",
            "Ben's reply.",
        ]
        # Ben's page follows the change live.
        b.page.locator(".annotate-thread-reply", has_text="Ana's first thought.").wait_for(
            timeout=10_000
        )

        fixed = mine.locator(".annotate-thread-reply", has_text="Ana's first thought.")
        fixed.get_by_role("button", name="Delete").click()
        a.synced()
        replies = [x for x in klass.teacher_items() if x.get("motivation") == "replying"]
        assert sorted(r["body"][0]["value"] for r in replies) == ["Ben again.", "Ben's reply."]
        # (An event for the edit may still be on its way: the delete's follows it.)
        mine.locator(".annotate-thread-reply", has_text="first thought").wait_for(
            state="detached", timeout=10_000
        )
        b.page.wait_for_function(
            '!document.body.innerText.includes("Ana\'s first thought.")', timeout=10_000
        )

        # Ana makes her note "Only me": Ben's open page drops it at once.
        assert any(r["note"] == "Whose cooperation?" for r in b.others())
        a.page.locator(".annotate-list .annotate-item-open", has_text="Whose cooperation?").click()
        palette = a.page.locator(".annotate-palette")
        palette.get_by_label("Who can read this note").select_option(label="Only me")
        palette.get_by_role("button", name="Save").click()
        a.synced()
        b.page.wait_for_function(
            "!annotateLayer.others().some((r) => r.note === 'Whose cooperation?')",
            timeout=10_000,
        )
        assert b.page.locator("mark.annotate-hl-others").count() == 0
        assert [r["note"] for r in a.records()] == ["Whose cooperation?"]  # hers, still
    finally:
        a.context.close()
        b.context.close()


def test_offline_changes_reach_the_server_once_after_a_reload(
    klass: Klass, browser: Any, book: Book, artifacts: Path
) -> None:
    a = Student(browser, file_url(book), klass.server.url)
    try:
        a.join(klass.link, "Ana")
        a.highlight("military cooperation with Japan", "first")
        a.highlight("steadfast", "second")
        a.synced()
        assert len(klass.teacher_items()) == 2

        a.context.set_offline(True)
        a.highlight("reassured Tokyo about the U.S. commitment", "offline one")
        a.highlight("apprehensions in Japan", "offline two")
        a.highlight("recent diplomatic overtures towards Russia", "offline three")
        a.edit("steadfast", "second, edited offline")
        a.delete("military cooperation with Japan")
        assert a.waiting() == 5
        a.open_panel()
        assert a.page.locator(".annotate-class-waiting").inner_text() == "5 changes waiting"
        a.page.locator(".annotate-class").screenshot(path=str(artifacts / "class-waiting.png"))

        a.page.reload(wait_until="load")
        a.page.wait_for_function("window.annotateLayer && annotateLayer.classState() !== null")
        assert a.waiting() == 5
        assert len(klass.teacher_items()) == 2  # nothing went up while offline

        a.context.set_offline(False)
        a.synced()
        items = klass.teacher_items()
        notes = sorted(x["body"][0]["value"] for x in items)
        assert notes == ["offline one", "offline three", "offline two", "second, edited offline"]
        canonicals = [x["canonical"] for x in items]
        assert len(set(canonicals)) == len(canonicals) == 4
        assert {r["id"] for r in a.records()} == set(canonicals)
    finally:
        a.context.close()


def test_a_create_whose_answer_was_lost_goes_up_once(
    klass: Klass, browser: Any, book: Book
) -> None:
    a = Student(browser, file_url(book), klass.server.url)
    try:
        a.join(klass.link, "Ana")
        lost: list[int] = []

        def lose_answer(route: Any) -> None:
            if route.request.method == "POST" and not lost:
                route.fetch()  # the server stores it ...
                lost.append(1)
                route.abort()  # ... and the answer never arrives
            else:
                route.continue_()

        a.page.route(klass.container, lose_answer)
        a.highlight("steadfast", "once only")
        a.page.wait_for_function("annotateLayer.classState().waiting === 0", timeout=20_000)
        assert lost == [1]
        items = klass.teacher_items()
        assert [x["body"][0]["value"] for x in items] == ["once only"]
        assert items[0]["canonical"] == a.records()[0]["id"]
    finally:
        a.context.close()


def test_a_conflict_keeps_both_versions(
    klass: Klass, browser: Any, book: Book, artifacts: Path
) -> None:
    a = Student(browser, file_url(book), klass.server.url)
    try:
        a.join(klass.link, "Ana")
        a.highlight("steadfast", "the first version")
        a.synced()
        [item] = klass.teacher_items()
        # Meanwhile the same note is changed elsewhere (Ana's other device).
        auth = {"Authorization": f"Bearer {a.token()}"}
        current = httpx.get(item["id"], headers=auth, timeout=10)
        changed = json.loads(current.text)
        changed["body"][0]["value"] = "changed on the laptop"
        a.context.set_offline(True)
        put = httpx.put(
            item["id"],
            json=changed,
            headers={**auth, "If-Match": current.headers["ETag"]},
            timeout=10,
        )
        assert put.status_code == 200, put.text
        a.edit("steadfast", "changed on the tablet")
        a.context.set_offline(False)
        a.synced()
        a.page.wait_for_function("annotateLayer.records().length === 2")
        assert sorted(r["note"] for r in a.records()) == [
            "changed on the laptop",
            "changed on the tablet",
        ]
        a.page.wait_for_function(
            "document.querySelectorAll('.annotate-class-conflict').length === 2"
        )
        notes = sorted(x["body"][0]["value"] for x in klass.teacher_items())
        assert notes == ["changed on the laptop", "changed on the tablet"]
        a.open_panel()
        a.page.screenshot(path=str(artifacts / "class-conflict.png"))
    finally:
        a.context.close()


def test_a_reader_who_never_joins_fetches_nothing(book: Book, browser: Any) -> None:
    a = Student(browser, file_url(book), "http://never.invalid")
    try:
        a.select("steadfast")
        a.fill_palette("Claim", "Needs checking", "just me")
        a.page.wait_for_timeout(500)
        assert a.elsewhere == []
        assert a.page.evaluate("annotateLayer.classState()") is None
        assert not a.page.locator(".annotate-class-visibility").is_visible()
    finally:
        a.context.close()


def test_the_class_link_or_a_bare_code_with_the_preset_server(book: Book, browser: Any) -> None:
    assert 'data-server=""' in book.page("chapters/article").read_text(encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(file_url(book), wait_until="load")
        page.wait_for_function("window.AnnotateClass !== undefined")
        parse = "([text, preset]) => AnnotateClass.parseInvite(text, preset)"
        link = "http://127.0.0.1:8765/#join=K7QX-M2PD"
        assert page.evaluate(parse, [link, ""]) == {
            "server": "http://127.0.0.1:8765",
            "code": "K7QX-M2PD",
        }
        assert page.evaluate(parse, ["K7QX-M2PD", "http://10.0.0.2:8765/"]) == {
            "server": "http://10.0.0.2:8765",
            "code": "K7QX-M2PD",
        }
        assert (
            page.evaluate(parse, ["K7QX-M2PD", ""]) is None
        )  # a code alone needs the preset server
        assert page.evaluate(parse, ["javascript:alert(1)#join=X", ""]) is None
        assert page.evaluate(parse, ["http://127.0.0.1:8765/", ""]) is None  # no code
    finally:
        page.close()
