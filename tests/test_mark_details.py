"""Each painted highlight points at its notes (aria-details), written once the page is idle.

The highlighter paints the marks first and writes the notes they point at (one
``role="comment"`` per highlight) once the browser is idle, or at once when a mark
takes focus. A mark never points at a note that is not there.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from annotate import Annotation, load_article
from annotate.exchange import collection

from .conftest import ROOT, Book

pytestmark = pytest.mark.browser

ARTICLE = load_article(ROOT / "chapters" / "article.md")

# Every mark's aria-details, and whether each id it names is a note on the page.
DETAILS = """() => Array.from(document.querySelectorAll("mark.annotate-hl"), (m) => {
  const ids = (m.getAttribute("aria-details") || "").split(" ").filter(Boolean);
  return {ids, found: ids.every((id) => {
    const note = document.getElementById(id);
    return note !== null && note.getAttribute("role") === "comment";
  })};
})"""

IDLE = "() => new Promise((done) => requestIdleCallback(() => setTimeout(done, 50)))"


def payload(count: int) -> str:
    rng = random.Random(3)
    out = []
    for i in range(count):
        start = rng.randrange(0, len(ARTICLE.text) - 40)
        out.append(
            Annotation.new(
                source=ARTICLE.source,
                text=ARTICLE.text,
                start=start,
                end=start + rng.randrange(3, 40),
                claim_type="factual",
                note=f"note {i}",
                creator="Ana",
            )
        )
    return json.dumps(collection(out))


@pytest.fixture
def page(browser: Any, book: Book) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(book.page("chapters/article").as_uri(), wait_until="load")
    page.wait_for_function("window.annotateLayer !== undefined")
    yield page
    ctx.close()


def test_once_idle_every_mark_points_at_its_notes(page: Any) -> None:
    page.evaluate("(data) => annotateLayer.importText('n.json', data)", payload(40))
    page.evaluate(IDLE)
    marks = page.evaluate(DETAILS)
    assert marks and all(m["ids"] and m["found"] for m in marks)
    notes = page.locator(".annotate-notes [role=comment]")
    assert notes.count() == 40
    assert "Note: note 7" in " ".join(notes.all_text_contents())


def test_a_mark_never_points_at_a_missing_note(page: Any) -> None:
    # Read in the same task as the import: before the browser can be idle.
    marks = page.evaluate(
        f"(data) => {{ annotateLayer.importText('n.json', data); return ({DETAILS})(); }}",
        payload(40),
    )
    assert marks and all(m["found"] for m in marks)


def test_a_focused_mark_has_its_notes_at_once(page: Any) -> None:
    marks = page.evaluate(
        f"""(data) => {{
          annotateLayer.importText('n.json', data);
          document.querySelector("mark.annotate-hl").focus();
          return ({DETAILS})();
        }}""",
        payload(40),
    )
    assert marks[0]["ids"] and all(m["ids"] and m["found"] for m in marks)
