"""WCAG 2.2 AA in the built book: axe-core on every page and state, colour, display.

axe runs with the rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa and wcag22aa
(``conftest.audit``): every page as loaded; every page with the reader's layer
with 20 highlights painted, with the palette open and with the panel open. The
theme's own faults count too (annotate-theme.js and assets.py mend them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotate.vocabulary import CLAIM_TYPES

from .conftest import Book, audit

pytestmark = pytest.mark.browser

# 20 highlights on a page's own text: whole sentences, and a few words inside
# some of them so that overlaps are painted too; every type and status, a note each.
TWENTY = """(n) => {
  const script = document.querySelector("script[data-annotate-layer]");
  const vocabulary = JSON.parse(script.dataset.vocabulary);
  const text = annotateLayer.text();
  const spans = AnnotateUI.sentences(text).filter((s) => s.end - s.start > 20);
  const types = vocabulary.claimTypes.map((t) => t.key);
  const statuses = vocabulary.statuses.map((s) => s.key);
  const items = [];
  for (let i = 0; i < n; i++) {
    const s = spans[i % 15 % spans.length];
    const [start, end] = i < 15 ? [s.start, s.end] : [s.start + 3, s.start + 18];
    const stamp = "2026-03-12T10:04:00Z";
    const r = {id: AnnotateModel.newId(), source: script.dataset.source, exact: "", prefix: "",
      suffix: "", start: 0, end: 0, creator: "Ana", created: stamp, modified: stamp,
      claimType: types[i % types.length], status: statuses[i % statuses.length],
      note: `Note ${i}`, tags: [], motivation: "", orphan: false, positioned: true};
    items.push(AnnotateModel.toW3C(AnnotateAnchoring.at(r, text, start, end), vocabulary));
  }
  annotateLayer.importText("twenty.json", JSON.stringify(AnnotateModel.collection(items, "t")));
  return annotateLayer.records().length;
}"""


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}:\n  " + "\n  ".join(problems) for where, problems in found.items())


def pages_of(book: Book) -> list[str]:
    """Every page of the book (index.html only redirects to the first chapter)."""
    return sorted(
        p.relative_to(book.html).with_suffix("").as_posix()
        for p in book.html.rglob("*.html")
        if not p.relative_to(book.html).parts[0].startswith("_") and p.name != "index.html"
    )


def layer_pages(book: Book) -> list[str]:
    return [d for d in pages_of(book) if "data-annotate-layer" in book.page(d).read_text("utf-8")]


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


def test_every_page_as_loaded(context: Any, book: Book, axe: Path) -> None:
    page = context.new_page()
    found = {}
    for docname in pages_of(book):
        page.goto(book.page(docname).as_uri(), wait_until="load")
        if problems := audit(page, axe):
            found[docname] = problems
    assert not found, report(found)


def test_layer_pages_with_highlights_palette_and_panel(
    browser: Any, book: Book, axe: Path, artifacts: Path
) -> None:
    found = {}
    for docname in layer_pages(book):
        # A fresh profile per page: the highlights of one page are not another's.
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.goto(book.page(docname).as_uri(), wait_until="load")
        page.wait_for_function("window.annotateLayer !== undefined")
        assert page.evaluate(TWENTY, 20) == 20
        page.locator(".annotate-layer-close").click()  # the import opened the panel
        assert page.locator("mark.annotate-hl").count() >= 20
        if problems := audit(page, axe):
            found[f"{docname} with 20 highlights"] = problems
        page.locator("mark.annotate-hl").first.focus()
        page.keyboard.press("Enter")
        page.locator(".annotate-palette:not([hidden])").wait_for()
        if problems := audit(page, axe):
            found[f"{docname} with the palette open"] = problems
        page.keyboard.press("Escape")
        page.locator(".annotate-layer-toggle").click()
        page.locator("#annotate-layer-panel").wait_for()
        if problems := audit(page, axe):
            found[f"{docname} with the panel open"] = problems
        if docname == "chapters/article":
            page.screenshot(path=str(artifacts / "a11y-article-panel-20.png"))
        ctx.close()
    assert not found, report(found)


# ---- Colour: the vocabulary's hues against the page, and label text on them.


def luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("page_colour", ["#ffffff", "#121212"], ids=["light", "dark"])
def test_claim_colours_stand_out_from_the_page(page_colour: str) -> None:
    weak = {t.key: round(contrast(t.colour, page_colour), 2) for t in CLAIM_TYPES.values()}
    assert {k: v for k, v in weak.items() if v < 3} == {}


def test_label_text_on_claim_colours_is_legible() -> None:
    # Badges, labels and pressed type buttons write white text on the type's colour.
    weak = {t.key: round(contrast("#ffffff", t.colour), 2) for t in CLAIM_TYPES.values()}
    assert {k: v for k, v in weak.items() if v < 4.5} == {}


def test_contrast_is_computed_as_wcag_says() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48
