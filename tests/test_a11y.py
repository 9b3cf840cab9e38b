"""WCAG 2.2 AA in the built book: axe-core on every page and state, colour, display.

axe runs with the rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa and wcag22aa
(``conftest.audit``): every page as loaded; every page with the reader's layer
with 20 highlights painted, with the palette open and with the panel open; each
in the theme's light and dark mode (the dark one is the reader's system asking
for it: ``color_scheme="dark"``). The theme's own faults count too
(annotate-theme.js and assets.py mend them).
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


SCHEMES = pytest.mark.parametrize("scheme", ["light", "dark"])


def theme(page: Any) -> str:
    """The mode sphinx-book-theme chose for the page (it follows the system's)."""
    return str(page.evaluate("document.documentElement.dataset.theme"))


@SCHEMES
def test_every_page_as_loaded(browser: Any, book: Book, axe: Path, scheme: str) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = ctx.new_page()
    found = {}
    for docname in pages_of(book):
        page.goto(book.page(docname).as_uri(), wait_until="load")
        assert theme(page) == scheme
        if problems := audit(page, axe):
            found[docname] = problems
    ctx.close()
    assert not found, report(found)


@SCHEMES
def test_layer_pages_with_highlights_palette_and_panel(
    browser: Any, book: Book, axe: Path, artifacts: Path, scheme: str
) -> None:
    found = {}
    suffix = "" if scheme == "light" else "-dark"
    for docname in layer_pages(book):
        # A fresh profile per page: the highlights of one page are not another's.
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        page = ctx.new_page()
        page.goto(book.page(docname).as_uri(), wait_until="load")
        page.wait_for_function("window.annotateLayer !== undefined")
        assert theme(page) == scheme
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
        if docname == "chapters/article":
            page.screenshot(path=str(artifacts / f"a11y-article-palette-20{suffix}.png"))
        page.keyboard.press("Escape")
        page.locator(".annotate-layer-toggle").click()
        page.locator("#annotate-layer-panel").wait_for()
        if problems := audit(page, axe):
            found[f"{docname} with the panel open"] = problems
        if docname == "chapters/article":
            page.screenshot(path=str(artifacts / f"a11y-article-panel-20{suffix}.png"))
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


def rgb_hex(css: str) -> str:
    """``#rrggbb`` of a computed ``rgb(r, g, b)``."""
    r, g, b = (int(float(c)) for c in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


@SCHEMES
def test_close_button_shows_its_cross(browser: Any, book: Book, scheme: str) -> None:
    # axe does not judge a lone glyph: in the dark theme the cross was white on white.
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = ctx.new_page()
    page.goto(book.page("chapters/article").as_uri(), wait_until="load")
    page.wait_for_function("window.annotateLayer !== undefined")
    page.locator(".annotate-layer-toggle").click()
    colours = page.evaluate(
        """() => { const s = getComputedStyle(document.querySelector('.annotate-layer-close'));
                   return [s.color, s.backgroundColor]; }"""
    )
    ctx.close()
    assert contrast(*(rgb_hex(c) for c in colours)) >= 4.5, colours


# ---- Display: zoom, small screens, forced colours, reduced motion. Look at the shots.

OVERLAP = """() => {
  const notes = [...document.querySelectorAll('aside.margin')];
  const button = document.querySelector('.annotate-layer-toggle');
  const last = notes[notes.length - 1];
  const hit = () => { const a = last.getBoundingClientRect(), b = button.getBoundingClientRect();
    return !(a.right <= b.left || a.left >= b.right || a.bottom <= b.top || a.top >= b.bottom); };
  const out = [];
  window.scrollTo(0, document.documentElement.scrollHeight);
  if (hit()) out.push('at the end of the page');
  last.scrollIntoView({block: 'end'});
  if (hit()) out.push('scrolled to');
  return out;
}"""
WIDTHS = [320, 400, 640, 768, 960, 992, 1024, 1199, 1200, 1280, 1600]

# Margin notes (and sidebars) that run past the viewport's right edge, and words of the
# text drawn under one (a float's neighbours wrap around it; a note pushed out does not).
LOST_NOTES = """() => {
  const notes = [...document.querySelectorAll('aside.margin, aside.sidebar')];
  const boxes = notes.map((n) => n.getBoundingClientRect());
  const out = boxes.filter((b) => b.right > innerWidth + 0.5)
    .map((b) => `a note ends at ${b.right}`);
  const article = document.querySelector('.bd-article');
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (!t.data.trim() || notes.some((n) => n.contains(t))) continue;
    const range = document.createRange();
    range.selectNodeContents(t);
    const apart = (a, b) => a.right <= b.left + 0.5 || a.left >= b.right - 0.5
      || a.bottom <= b.top + 0.5 || a.top >= b.bottom - 0.5;
    const under = [...range.getClientRects()]
      .some((a) => a.width && boxes.some((b) => !apart(a, b)));
    if (under) out.push(`text under a note: ${t.data.trim().slice(0, 40)}`);
  }
  return out;
}"""


def test_margin_notes_stay_on_screen_and_clear_of_the_button(browser: Any, book: Book) -> None:
    # From 992 px to 1199 px the theme pushed margin notes off the screen's right edge.
    lost = []
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 800})
        for docname in layer_pages(book):
            page.goto(book.page(docname).as_uri(), wait_until="load")
            if page.locator("aside.margin").count():
                lost += [f"{docname} at {width}px: covered {w}" for w in page.evaluate(OVERLAP)]
                lost += [f"{docname} at {width}px: {w}" for w in page.evaluate(LOST_NOTES)]
                if overflow(page):
                    lost.append(f"{docname} at {width}px: {overflow(page)}px sideways scrolling")
        page.close()
    assert lost == []


def overflow(page: Any) -> int:
    """How far the page runs past the viewport's right edge (0: no sideways scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - innerWidth"))


def palette_by_keyboard(page: Any) -> None:
    """Open the panel and the palette over the headline with keys only."""
    for _ in range(300):  # back from wherever focus is to the Highlights button, the last stop
        if page.evaluate("document.activeElement.matches('.annotate-layer-toggle')"):
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    for _ in range(40):
        if page.evaluate("document.activeElement.matches('.annotate-keyboard')"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.locator(".annotate-palette:not([hidden])").wait_for()


def inside_viewport(page: Any, selector: str) -> bool:
    return bool(
        page.evaluate(
            "(s) => { const r = document.querySelector(s).getBoundingClientRect();"
            " return r.left >= 0 && r.right <= innerWidth + 0.5; }",
            selector,
        )
    )


@pytest.mark.parametrize(
    ("name", "viewport", "scale"),
    [
        ("320px", {"width": 320, "height": 640}, 1),
        ("zoom-200", {"width": 640, "height": 450}, 2),
        ("1024px", {"width": 1024, "height": 800}, 1),
    ],
)
def test_nothing_lost_at_320px_1024px_or_200_percent(
    browser: Any, book: Book, artifacts: Path, name: str, viewport: dict[str, int], scale: int
) -> None:
    # 200 % zoom of a 1280x900 window is a 640x450 CSS-pixel viewport at scale 2.
    ctx = browser.new_context(viewport=viewport, device_scale_factor=scale)
    page = ctx.new_page()
    page.goto(book.page("chapters/article").as_uri(), wait_until="load")
    page.wait_for_function("window.annotateLayer !== undefined")
    assert page.evaluate(TWENTY, 20) == 20
    page.locator(".annotate-layer-close").click()
    assert overflow(page) == 0
    page.screenshot(path=str(artifacts / f"a11y-article-{name}.png"))
    palette_by_keyboard(page)
    assert inside_viewport(page, ".annotate-palette")
    assert inside_viewport(page, "#annotate-layer-panel")
    page.locator(".annotate-palette").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"a11y-palette-{name}.png"))
    ctx.close()


def test_palette_reached_by_keyboard(context: Any, book: Book, artifacts: Path) -> None:
    page = context.new_page()
    page.goto(book.page("chapters/article").as_uri(), wait_until="load")
    page.wait_for_function("window.annotateLayer !== undefined")
    palette_by_keyboard(page)
    assert page.evaluate("document.activeElement.closest('.annotate-palette') !== null")
    page.screenshot(path=str(artifacts / "a11y-palette-keyboard.png"))


def test_forced_colors(context: Any, book: Book, artifacts: Path) -> None:
    page = context.new_page()
    page.emulate_media(forced_colors="active")
    page.goto(book.page("chapters/article").as_uri(), wait_until="load")
    page.wait_for_function("window.annotateLayer !== undefined")
    assert page.evaluate(TWENTY, 20) == 20
    page.locator(".annotate-layer-close").click()
    page.evaluate("annotateLayer.open(0, 12)")
    page.locator(".annotate-palette .annotate-type--opinion").click()
    page.screenshot(path=str(artifacts / "a11y-forced-colors.png"))
    style = page.evaluate(
        """() => {
          const s = (e) => getComputedStyle(e);
          const mark = document.querySelector('mark.annotate-hl');
          const pressed = document.querySelector('.annotate-type-button[aria-pressed=true]');
          const other = document.querySelector('.annotate-type-button[aria-pressed=false]');
          return {markBg: s(mark).backgroundColor, page: s(document.body).backgroundColor,
                  line: s(mark).textDecorationLine,
                  pressed: s(pressed).backgroundColor, other: s(other).backgroundColor};
        }"""
    )
    # Highlights are still marked, the type by its line; the pressed type stands out.
    assert style["markBg"] != style["page"]
    assert "underline" in style["line"]
    assert style["pressed"] != style["other"]


def test_reduced_motion(context: Any, book: Book) -> None:
    page = context.new_page()
    page.emulate_media(reduced_motion="reduce")
    page.goto(book.page("chapters/article").as_uri(), wait_until="load")
    page.wait_for_function("window.annotateLayer !== undefined")
    page.evaluate("annotateLayer.open(0, 12)")
    moving = page.evaluate(
        """() => {
          const els = [document.documentElement, ...document.querySelectorAll(
            '.annotate-palette, .annotate-palette *, .annotate-layer-toggle, mark')];
          const moves = (e) => { const s = getComputedStyle(e);
            return s.scrollBehavior === 'smooth' || parseFloat(s.transitionDuration) > 0
              || (s.animationName !== 'none' && parseFloat(s.animationDuration) > 0); };
          return els.filter(moves).map((e) => e.tagName + '.' + e.className);
        }"""
    )
    assert moving == []
