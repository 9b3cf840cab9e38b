"""The built book in Chromium: it reads well offline and glossary hovers work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import Book

pytestmark = pytest.mark.browser


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    """A page at ``url`` and the list of requests it made that left the book."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def watch(route: Any) -> None:
        req = route.request.url
        if req.startswith(("file://", "http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(req)
            route.abort()

    page.route("**/*", watch)
    page.goto(url, wait_until="load")
    return page, outside


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_article_page_renders_offline(
    browser: Any, book: Book, served: str, artifacts: Path, scheme: str
) -> None:
    base = book.html.as_uri() if scheme == "file" else served
    page, outside = open_page(browser, f"{base}/chapters/article.html")
    marks = page.locator("mark.annotate-claim")
    assert marks.count() >= 8
    # The label is drawn by CSS: visible, coloured, and not part of the text.
    label = page.locator("a.annotate-claim-label").first
    assert label.evaluate("el => getComputedStyle(el, '::before').content") == '"F"'
    assert label.evaluate("el => el.textContent") == ""
    assert label.bounding_box()["width"] > 5
    bg = marks.first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert bg not in ("rgba(0, 0, 0, 0)", "transparent")
    # The book's own stylesheet applied (the theme's layout is there, not raw HTML).
    assert (
        page.locator("div.annotate-article").evaluate("el => getComputedStyle(el).maxWidth")
        != "none"
    )
    page.screenshot(path=str(artifacts / f"article-{scheme}.png"), full_page=True)
    assert outside == []
    page.close()


def test_glossary_term_shows_definition_on_hover_and_focus(
    browser: Any, book: Book, artifacts: Path
) -> None:
    page, outside = open_page(browser, f"{book.html.as_uri()}/chapters/article.html")
    term = page.locator("a.annotate-term", has_text="Gen Nakatani").first
    tip = page.locator("#annotate-glossary-tooltip")
    term.hover()
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert text.startswith("Gen Nakatani")
    assert len(text) > len("Gen Nakatani") + 20
    page.screenshot(path=str(artifacts / "glossary-hover.png"))
    page.mouse.move(5, 5)
    tip.wait_for(state="hidden")
    # Keyboard: focusing the link shows the same definition; Escape hides it.
    term.focus()
    tip.wait_for(state="visible")
    assert tip.inner_text() == text
    page.keyboard.press("Escape")
    tip.wait_for(state="hidden")
    assert term.get_attribute("title") is None  # no doubled native tooltip
    assert outside == []
    page.close()


@pytest.mark.parametrize(
    "docname", ["chapters/claims", "chapters/glossary", "chapters/context/joint-command"]
)
def test_pages_screenshot(browser: Any, book: Book, artifacts: Path, docname: str) -> None:
    page, outside = open_page(browser, f"{book.html.as_uri()}/{docname}.html")
    assert page.locator("section > h1").count() == 1
    name = docname.replace("/", "-")
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    assert outside == []
    page.close()


def test_every_page_runs_without_script_errors(browser: Any, book: Book) -> None:
    """Each page of the book, opened from disk: no uncaught error (the conftest fixture fails
    the test on one), nothing fetched from outside, and the theme's scripts ran to the end."""
    pages = sorted(
        p
        for p in book.html.rglob("*.html")
        if not {"_static", "_sources", "_images"} & set(p.relative_to(book.html).parts)
    )
    assert len(pages) >= 10
    for path in pages:
        start = path.as_uri()
        page, outside = open_page(browser, start)
        if 'http-equiv="refresh"' in path.read_text(encoding="utf-8").lower():
            page.wait_for_url(lambda url, start=start: url != start)  # index.html
            page.wait_for_load_state("load")
        # The margin-note observer reports after the first frame: let it run.
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")
        assert outside == [], path
        page.close()
