"""Every reader's action in the book without a mouse: Tab, arrows, Enter, Space, Escape.

Select by sentence and by word, choose the claim type and status, write the note,
save, edit, delete, open the panel, export and import; the palette is a dialog
(focus goes in, stays in, Escape closes it, focus comes back); what changed is
said in the polite live region.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from annotate import Annotation, load_article, read_annotations
from annotate.exchange import collection

from .conftest import ROOT, Book

pytestmark = pytest.mark.browser

ARTICLE = load_article(ROOT / "chapters" / "article.md")
LIVE = ".annotate-root > .annotate-sr-only[role=status]"


@pytest.fixture
def page(browser: Any, book: Book) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    page.goto(book.page("chapters/article").as_uri(), wait_until="load")
    page.wait_for_function("window.annotateLayer !== undefined")
    yield page
    ctx.close()


def focused(page: Any) -> str:
    """What has focus, as a short description: tag, class and text."""
    return str(
        page.evaluate(
            "() => { const e = document.activeElement, text = e.textContent.trim().slice(0, 60);"
            " return `${e.tagName.toLowerCase()}.${e.className} ${text}`; }"
        )
    )


def tab_to(page: Any, selector: str, limit: int = 250, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    pytest.fail(f"Tab never reached {selector}; focus is on {focused(page)}")


def choose_by_keyboard(page: Any) -> Any:
    """Enter on the focused Import button, until the file chooser opens.

    On a loaded machine Playwright's file-chooser interception can miss the first
    chooser; nothing opens then, so pressing Enter again imports nothing twice.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _attempt in range(3):
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Enter")
            return chooser.value
        except PlaywrightTimeout:
            continue
    pytest.fail("the file chooser never opened")


def open_panel(page: Any) -> None:
    """From wherever focus is: the Highlights button is the page's last stop."""
    page.evaluate("document.activeElement.blur()")
    tab_to(page, ".annotate-layer-toggle", back=True)
    page.keyboard.press("Enter")
    assert page.locator("#annotate-layer-panel").is_visible()


def said(page: Any, words: str) -> None:
    page.wait_for_function(
        "([s, w]) => document.querySelector(s).textContent.includes(w)", arg=[LIVE, words]
    )


def records(page: Any) -> list[dict[str, Any]]:
    return list(page.evaluate("annotateLayer.records()"))


def test_sentence_and_word_selection_type_status_note_save(page: Any) -> None:
    open_panel(page)
    tab_to(page, ".annotate-keyboard")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")  # the headline, then the dek
    dek = ARTICLE.text[ARTICLE.blocks[1].start : ARTICLE.blocks[1].end]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")  # and back: sentence by sentence both ways
    assert page.evaluate("getSelection().toString()").split() == dek.split()
    for _ in range(3):  # a word at a time shorter...
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowRight")  # ...and one longer
    words = " ".join(dek.split()[:-2])
    page.keyboard.press("Enter")
    palette = page.locator(".annotate-palette")
    assert palette.is_visible()
    assert focused(page).startswith("button.annotate-type-button")
    tab_to(page, ".annotate-type--opinion")
    page.keyboard.press("Space")
    assert palette.get_by_role("button", name="Opinion").get_attribute("aria-pressed") == "true"
    tab_to(page, "select")
    page.keyboard.press("ArrowDown")  # Needs checking -> Supported
    page.keyboard.press("Tab")
    page.keyboard.type("Whose judgement?")
    page.keyboard.press("Tab")
    assert focused(page).startswith("button.annotate-save")
    page.keyboard.press("Enter")
    [record] = records(page)
    assert (record["exact"], record["claimType"], record["status"], record["note"]) == (
        words,
        "opinion",
        "supported",
        "Whose judgement?",
    )
    said(page, "Highlight saved")
    assert palette.is_hidden()


def test_edit_and_delete_from_the_highlight(page: Any) -> None:
    page.evaluate("annotateLayer.open(0, 12)")
    page.keyboard.press("Tab")  # Factual claim -> Quotation
    page.keyboard.press("Enter")
    tab_to(page, ".annotate-save")
    page.keyboard.press("Enter")
    [record] = records(page)
    assert record["claimType"] == "quotation"

    page.evaluate("document.activeElement.blur()")
    tab_to(page, "mark.annotate-hl")
    page.keyboard.press("Enter")
    assert focused(page).startswith("textarea")  # an existing highlight opens on its note
    page.keyboard.type("Edited by keyboard")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert [r["note"] for r in records(page)] == ["Edited by keyboard"]
    said(page, "Highlight updated")
    assert focused(page).startswith("mark.annotate-hl")  # focus came back to the highlight

    page.keyboard.press("Enter")
    tab_to(page, ".annotate-palette .annotate-delete")
    page.keyboard.press("Enter")
    assert records(page) == []
    said(page, "Highlight deleted")
    open_panel(page)
    tab_to(page, ".annotate-undo-button")
    page.keyboard.press("Enter")
    assert len(records(page)) == 1


def test_edit_from_the_panel_list(page: Any) -> None:
    page.evaluate("annotateLayer.open(0, 12)")
    tab_to(page, ".annotate-save")
    page.keyboard.press("Enter")
    open_panel(page)
    tab_to(page, ".annotate-item-open")
    page.keyboard.press("Enter")
    assert focused(page).startswith("textarea")
    page.keyboard.type("From the list")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert [r["note"] for r in records(page)] == ["From the list"]


def test_palette_is_a_dialog(page: Any) -> None:
    page.evaluate("document.activeElement.blur()")
    page.evaluate("annotateLayer.open(0, 12)")
    page.keyboard.press("Escape")
    page.locator("mark.annotate-hl").count()  # nothing saved
    open_panel(page)
    tab_to(page, ".annotate-keyboard")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # the headline
    dialog = page.get_by_role("dialog", name="Highlight a claim")
    assert dialog.is_visible() and dialog.get_attribute("aria-modal") == "true"
    inside = "() => document.activeElement.closest('.annotate-palette') !== null"
    assert page.evaluate(inside)
    for key in ["Tab"] * 14 + ["Shift+Tab"] * 14:
        page.keyboard.press(key)
        assert page.evaluate(inside), f"{key} left the palette for {focused(page)}"
    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    assert records(page) == []
    # Focus returns where it was: the article, still in keyboard mode's place.
    assert page.evaluate("document.activeElement.classList.contains('annotate-root')")
    assert page.locator("#annotate-layer-panel").is_visible()  # Escape closed the palette only


def test_import_and_export_by_keyboard(page: Any, tmp_path: Path) -> None:
    at = ARTICLE.text.index("Striking a determined tone")
    ann = Annotation.new(
        source=ARTICLE.source,
        text=ARTICLE.text,
        start=at,
        end=at + len("Striking a determined tone"),
        claim_type="opinion",
        note="From a file",
        creator="Ana",
    )
    incoming = tmp_path / "incoming.json"
    incoming.write_text(json.dumps(collection([ann])), "utf-8")
    open_panel(page)
    tab_to(page, ".annotate-layer-import")
    choose_by_keyboard(page).set_files(str(incoming))
    said(page, "Imported 1 of 1 highlight from incoming.json")
    assert [r["note"] for r in records(page)] == ["From a file"]

    tab_to(page, "#annotate-layer-name", back=True)
    page.keyboard.type("Ana")
    tab_to(page, ".annotate-layer-export")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "annotations-hegseth-japan-2025-Ana.json"
    [back] = read_annotations(path)
    assert (back.exact, back.note) == ("Striking a determined tone", "From a file")
    said(page, "Exported 1 highlight")
    page.keyboard.press("Escape")  # the panel closes; focus back on its button
    assert page.locator("#annotate-layer-panel").is_hidden()
    assert focused(page).startswith("button.annotate-layer-toggle")


def test_a_note_not_found_is_reattached_by_keyboard(page: Any, tmp_path: Path) -> None:
    # A note whose words left the text: listed under "Not found in this text".
    at = ARTICLE.text.index("Striking a determined tone")
    placed = Annotation.new(
        source=ARTICLE.source, text=ARTICLE.text, start=at, end=at + 8, note="Lost words"
    )
    lost = replace(placed, exact="submarines surfaced at dawn", prefix="x", suffix="y")
    page.evaluate(
        "([name, text]) => annotateLayer.importText(name, text)",
        ["lost.json", json.dumps(collection([lost]))],
    )
    [record] = records(page)
    assert record["orphan"]
    if not page.locator("#annotate-layer-panel").is_visible():  # an import with orphans opens it
        open_panel(page)

    # "Re-attach to selection" with no words selected starts choosing them; Escape
    # stops and brings focus back to it.
    tab_to(page, ".annotate-orphans .annotate-reattach")
    page.keyboard.press("Enter")
    said(page, "Choose the words for the note on “submarines surfaced at dawn”")
    page.keyboard.press("Escape")
    assert focused(page).startswith("button.annotate-reattach")
    assert records(page)[0]["orphan"]

    # The entry's own button does the same; the arrows pick the words, Enter re-attaches.
    tab_to(page, ".annotate-orphans .annotate-item-open", back=True)
    page.keyboard.press("Enter")
    for _ in range(2):
        page.keyboard.press("ArrowDown")  # the headline, the dek, the first sentence
    sentence = page.evaluate("getSelection().toString()")
    page.keyboard.press("Shift+ArrowLeft")  # a word shorter
    words = " ".join(sentence.split()[:-1])
    page.keyboard.press("Enter")
    [record] = records(page)
    assert not record["orphan"]
    assert record["exact"].split() == words.split()
    assert record["note"] == "Lost words"
    said(page, "Note re-attached")
    assert page.locator(".annotate-orphans .annotate-item").count() == 0
    assert focused(page).startswith("mark.annotate-hl")


def test_shift_arrow_left_ends_the_selection_on_a_word(page: Any) -> None:
    open_panel(page)
    tab_to(page, ".annotate-keyboard")
    page.keyboard.press("Enter")  # the headline
    page.keyboard.press("ArrowDown")  # the dek
    dek = ARTICLE.text[ARTICLE.blocks[1].start : ARTICLE.blocks[1].end].split()
    for shorter in (1, 2):
        page.keyboard.press("Shift+ArrowLeft")
        selected = page.evaluate("getSelection().toString()")
        # The end of the previous word, never the space after it.
        assert selected == selected.rstrip(), repr(selected[-20:])
        assert selected.split() == dek[:-shorter]
    page.keyboard.press("Shift+ArrowRight")  # and a word longer again, to its end
    assert page.evaluate("getSelection().toString()").split() == dek[:-1]
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Enter")
    tab_to(page, ".annotate-save")
    page.keyboard.press("Enter")
    [record] = records(page)
    assert record["exact"] == record["exact"].rstrip()
    assert record["exact"].split() == dek[:-2]


def highlights(page: Any, n: int) -> list[str]:
    """``n`` highlights at the start of the first blocks (headline, dek, ...): their ids,
    in text order."""
    for block in ARTICLE.blocks[:n]:
        page.evaluate("([s, e]) => annotateLayer.open(s, e)", [block.start, block.start + 13])
        tab_to(page, ".annotate-save")
        page.keyboard.press("Enter")
    ids = [r["id"] for r in sorted(records(page), key=lambda r: r["start"])]
    assert len(ids) == n
    return ids


def delete_from_palette(page: Any) -> None:
    """Enter on the focused highlight (or its entry), then the palette's Delete."""
    page.keyboard.press("Enter")
    tab_to(page, ".annotate-palette .annotate-delete")
    page.keyboard.press("Enter")


ENTRY = """() => [...document.querySelectorAll('.annotate-list .annotate-item-open')]
  .indexOf(document.activeElement)"""


def test_delete_from_the_list_moves_focus_to_the_next_entry(page: Any) -> None:
    first, _, third = highlights(page, 3)
    open_panel(page)
    tab_to(page, ".annotate-list .annotate-item-open")
    page.keyboard.press("Tab")  # the second entry
    delete_from_palette(page)
    assert [r["id"] for r in records(page)] == [first, third]
    # Not lost to <body>: on the entry that came next (the third, now second)...
    assert page.evaluate(ENTRY) == 1, focused(page)
    said(page, "Highlight deleted")
    delete_from_palette(page)
    assert [r["id"] for r in records(page)] == [first]
    assert page.evaluate(ENTRY) == 0, focused(page)  # ...or, the last gone, the one before
    delete_from_palette(page)
    assert records(page) == []
    # None left: on the list's heading, and Tab goes on from there, not from the page's top.
    assert focused(page).startswith("h2.annotate-panel-heading Your highlights")
    page.keyboard.press("Tab")
    assert focused(page).startswith("button.annotate-undo-button")


def test_delete_from_a_highlight_moves_focus_to_the_next_one(page: Any) -> None:
    first, second = highlights(page, 2)
    page.evaluate("document.activeElement.blur()")
    tab_to(page, f'mark.annotate-hl[data-annotate-ids~="{first}"]')
    delete_from_palette(page)
    assert [r["id"] for r in records(page)] == [second]
    # The panel is closed: on the next highlight in the text.
    assert page.evaluate("document.activeElement.dataset.annotateIds") == second, focused(page)
    said(page, "Highlight deleted")
    delete_from_palette(page)
    assert records(page) == []
    assert page.evaluate("document.activeElement.classList.contains('annotate-root')")
