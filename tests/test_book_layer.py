"""Readers' highlights in the built book: create, edit, keep, export, import, offline."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotate import Annotation, describe, load_article, read_annotations, vocabulary
from annotate.cli import main as cli
from annotate.exchange import collection

from .conftest import ROOT, SHARED, Book

pytestmark = pytest.mark.browser

ARTICLE = load_article(ROOT / "chapters" / "article.md")
PAYLOAD = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile: empty localStorage, downloads allowed."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield ctx
    ctx.close()


class Reader:
    """A page of the book, watched for requests that leave it (script errors fail the test:
    see ``_no_page_errors`` in conftest.py)."""

    def __init__(self, context: Any, url: str) -> None:
        self.page = context.new_page()
        self.outside: list[str] = []
        self.page.route("**/*", self._watch)
        self.url = url
        self.load()

    def _watch(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file://", "http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def load(self) -> None:
        self.page.goto(self.url, wait_until="load")
        self.page.wait_for_function("window.annotateLayer !== undefined")

    def records(self) -> list[dict[str, Any]]:
        return list(self.page.evaluate("annotateLayer.records()"))

    def select(self, words: str) -> None:
        """Drag the mouse over ``words`` in the article, as a reader does."""
        box = self.page.evaluate(
            """(words) => {
              const blocks = [...document.querySelectorAll('div.annotate-article > p')];
              for (const block of blocks) {
                const nodes = [];
                const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
                for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
                const all = nodes.map((n) => n.data).join('');
                const at = all.indexOf(words);
                if (at < 0) continue;
                const where = (i) => {
                  for (const n of nodes) {
                    if (i < n.data.length) return [n, i];
                    i -= n.data.length;
                  }
                };
                const [n1, o1] = where(at), [n2, o2] = where(at + words.length - 1);
                n1.parentElement.scrollIntoView({block: 'center'});
                const r = document.createRange();
                r.setStart(n1, o1); r.setEnd(n1, o1 + 1);
                const a = r.getBoundingClientRect();
                r.setStart(n2, o2); r.setEnd(n2, o2 + 1);
                const b = r.getBoundingClientRect();
                return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
              }
              return null;
            }""",
            words,
        )
        assert box, f"words not in the article: {words}"
        x1, y1, x2, y2 = box
        self.page.mouse.move(x1, y1)
        self.page.mouse.down()
        self.page.mouse.move(x2, y2, steps=5)
        self.page.mouse.up()

    def fill_palette(self, kind: str, status: str, note: str) -> None:
        palette = self.page.locator(".annotate-palette")
        palette.get_by_role("button", name=kind).click()
        palette.get_by_label("Status").select_option(value=vocabulary.status(status).key)
        palette.get_by_label("Note", exact=True).fill(note)
        palette.get_by_role("button", name="Save").click()

    def import_file(self, path: Path) -> None:
        """Import through the file chooser; returns once the layer has said how it went."""
        self.open_panel()
        self.page.evaluate(
            "() => document.querySelectorAll('.annotate-layer-status, .annotate-layer-alert')"
            ".forEach((e) => { e.textContent = ''; })"
        )
        with self.page.expect_file_chooser() as chooser:
            self.page.get_by_role("button", name="Import", exact=False).click()
        chooser.value.set_files(str(path))
        # The file is read asynchronously: wait for the layer's answer.
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('.annotate-layer-status, .annotate-layer-alert')]"
            ".some((e) => e.textContent)"
        )

    def open_panel(self) -> None:
        if self.page.locator("#annotate-layer-panel").is_hidden():
            self.page.locator(".annotate-layer-toggle").click()


def url_of(book: Book, served_url: str, scheme: str, docname: str = "chapters/article") -> str:
    base = book.html.as_uri() if scheme == "file" else served_url
    return f"{base}/{docname}.html"


def painted(page: Any) -> list[str]:
    return list(page.eval_on_selector_all("mark.annotate-hl", "ms => ms.map(m => m.textContent)"))


def test_layer_reads_the_text_load_article_reads(context: Any, book: Book) -> None:
    reader = Reader(context, url_of(book, "", "file"))
    assert reader.page.evaluate("annotateLayer.text()") == ARTICLE.text


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_mouse_highlight_survives_reload_and_can_be_edited_and_deleted(
    context: Any,
    book: Book,
    served: str,
    artifacts: Path,
    scheme: str,
) -> None:
    reader = Reader(context, url_of(book, served, scheme))
    words = "reinforced the notion that the U.S. remains steadfast"
    reader.select(words)
    reader.fill_palette("Framing", "Needs checking", "Steadfast: whose word is this?")
    assert "".join(painted(reader.page)) == words
    mark = reader.page.locator("mark.annotate-hl").first
    assert "annotate-type--framing" in (mark.get_attribute("class") or "")
    reader.open_panel()
    reader.page.screenshot(path=str(artifacts / f"layer-created-{scheme}.png"))

    reader.load()
    [record] = reader.records()
    assert (record["exact"], record["claimType"], record["note"]) == (
        words,
        "framing",
        "Steadfast: whose word is this?",
    )
    assert ARTICLE.text[record["start"] : record["end"]] == words

    reader.page.locator("mark.annotate-hl").first.click()
    palette = reader.page.locator(".annotate-palette")
    assert palette.get_by_label("Note", exact=True).input_value() == record["note"]
    palette.get_by_label("Note", exact=True).fill("Edited note")
    palette.get_by_role("button", name="Save").click()
    reader.load()
    assert [r["note"] for r in reader.records()] == ["Edited note"]

    reader.page.locator("mark.annotate-hl").first.click()
    reader.page.locator(".annotate-palette").get_by_role("button", name="Delete").click()
    assert painted(reader.page) == []
    reader.load()
    assert reader.records() == []
    assert reader.outside == []


def test_keyboard_only_highlight(context: Any, book: Book, artifacts: Path) -> None:
    reader = Reader(context, url_of(book, "", "file"))
    page = reader.page
    toggle = page.locator(".annotate-layer-toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    assert page.locator("#annotate-layer-panel").is_visible()
    page.get_by_role("button", name="Highlight with the keyboard").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")  # headline, then the dek: the second sentence
    page.keyboard.press("Enter")
    palette = page.locator(".annotate-palette")
    assert palette.is_visible()
    # Focus starts on the first claim type; Tab to Prediction and press it.
    for _ in range(5):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    palette.get_by_label("Note", exact=True).focus()
    page.keyboard.type("Typed without a mouse")
    palette.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    [record] = reader.records()
    assert record["claimType"] == "prediction"
    assert record["note"] == "Typed without a mouse"
    dek = ARTICLE.text[ARTICLE.blocks[1].start : ARTICLE.blocks[1].end]
    assert record["exact"] == dek
    page.screenshot(path=str(artifacts / "layer-keyboard.png"))
    assert reader.outside == []


def test_export_reads_in_python_and_meets_w3c(
    context: Any, book: Book, tmp_path: Path, artifacts: Path
) -> None:
    reader = Reader(context, url_of(book, "", "file"))
    reader.open_panel()
    reader.page.get_by_label("Your name (for exported files)").fill("Ana")
    reader.page.get_by_label("Your name (for exported files)").press("Tab")
    reader.select("growing Chinese assertiveness")
    reader.fill_palette("Framing", "Disputed", "Growing since when?")
    with reader.page.expect_download() as download:
        reader.page.get_by_role("button", name="Export", exact=False).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "annotations-hegseth-japan-2025-Ana.json"
    [ann] = read_annotations(path)
    assert (ann.exact, ann.claim_type, ann.status, ann.creator) == (
        "growing Chinese assertiveness",
        "framing",
        "disputed",
        "Ana",
    )
    assert ann.source == ARTICLE.source
    assert ARTICLE.text[ann.start : ann.end] == ann.exact
    if SHARED.exists():
        items = json.loads(path.read_text(encoding="utf-8"))["first"]["items"]
        single = tmp_path / "one.json"
        single.write_text(json.dumps({"@context": "http://www.w3.org/ns/anno.jsonld", **items[0]}))
        proc = subprocess.run(
            [sys.executable, str(SHARED / "tools" / "w3c_check.py"), str(single)],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_book_export_opens_in_the_widget_at_the_same_words(
    context: Any, book: Book, tmp_path: Path
) -> None:
    from annotate import ClaimHighlighter

    reader = Reader(context, url_of(book, "", "file"))
    # Starting the drag on the quote mark, not on the "America first" glossary link
    # (dragging a link drags the link).
    words = "“America first does not mean America alone,”"
    reader.select(words)
    reader.fill_palette("Quotation", "Supported", "Said in Tokyo")
    reader.open_panel()
    with reader.page.expect_download() as download:
        reader.page.get_by_role("button", name="Export", exact=False).click()
    exported = tmp_path / "book.json"
    download.value.save_as(exported)
    db = tmp_path / "notes.db"
    assert cli(["import", str(exported), "--store", str(db)]) == 0
    widget = ClaimHighlighter(ARTICLE, store=db)
    widget.send = lambda *args, **kwargs: None  # no kernel, no front end
    [h] = widget.highlights
    assert widget.text[h["start"] : h["end"]] == words
    assert (h["claimType"], h["status"], h["note"]) == ("quotation", "supported", "Said in Tokyo")


def test_widget_export_paints_on_the_same_words_in_the_book(
    context: Any, book: Book, tmp_path: Path, artifacts: Path
) -> None:
    from annotate import ClaimHighlighter

    db = tmp_path / "notes.db"
    widget = ClaimHighlighter(ARTICLE, store=db)
    widget.send = lambda *args, **kwargs: None  # no kernel, no front end
    words = "a concept envisioned during the Biden administration"
    start = widget.text.index(words)
    widget._on_message(  # what the front end sends when a student saves
        widget,
        {
            "action": "create",
            "draft": {
                "start": start,
                "end": start + len(words),
                "exact": words,
                "claimType": "factual",
                "status": "needs-checking",
                "note": "Check who proposed it",
            },
        },
        [],
    )
    out = tmp_path / "widget.json"
    assert cli(["export", "-o", str(out), "--store", str(db)]) == 0
    reader = Reader(context, url_of(book, "", "file"))
    reader.import_file(out)
    assert "".join(painted(reader.page)) == words
    [record] = reader.records()
    assert (record["start"], record["end"]) == (start, start + len(words))
    status = reader.page.locator(".annotate-layer-status").text_content() or ""
    assert "Imported 1 of 1" in status
    reader.page.screenshot(path=str(artifacts / "layer-imported-from-widget.png"))


def test_hostile_import_runs_nothing(context: Any, book: Book, tmp_path: Path) -> None:
    start = ARTICLE.text.index("Striking a determined tone")
    ann = Annotation.new(
        source=ARTICLE.source,
        text=ARTICLE.text,
        start=start,
        end=start + len("Striking a determined tone"),
        claim_type="opinion",
        note=PAYLOAD,
        creator=PAYLOAD,
    )
    hostile = tmp_path / "hostile.json"
    data = collection([ann])
    data["first"]["items"][0]["body"].append(
        {"type": "TextualBody", "purpose": "tagging", "value": PAYLOAD}
    )
    hostile.write_text(json.dumps(data), encoding="utf-8")
    reader = Reader(context, url_of(book, "", "file"))
    reader.import_file(hostile)
    reader.page.locator(
        ".annotate-item-note"
    ).first.wait_for()  # listed: every string is on the page
    assert reader.page.evaluate("window.__pwned") is None
    assert reader.page.locator(".annotate-layer img").count() == 0
    note = reader.page.locator(".annotate-item-note").first.text_content()
    assert note == PAYLOAD
    reader.load()  # stored, then painted again from storage
    assert reader.page.evaluate("window.__pwned") is None


def test_bad_file_is_refused_with_its_reason_and_changes_nothing(
    context: Any, book: Book, tmp_path: Path
) -> None:
    reader = Reader(context, url_of(book, "", "file"))
    reader.select("Striking a determined tone")
    reader.fill_palette("Opinion", "Needs checking", "kept")
    good = Annotation.new(source=ARTICLE.source, text=ARTICLE.text, start=0, end=10)
    bad = tmp_path / "half-bad.json"
    items = collection([good])["first"]["items"] + [{"type": "Annotation", "id": "x"}]
    bad.write_text(json.dumps(items), encoding="utf-8")
    reader.import_file(bad)
    alert = reader.page.locator(".annotate-layer-alert").text_content() or ""
    assert alert.startswith("half-bad.json: item 2 (x): ")
    assert "Nothing was imported" in alert
    assert [r["note"] for r in reader.records()] == ["kept"]
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    reader.import_file(broken)
    assert "broken.json: is not JSON" in (
        reader.page.locator(".annotate-layer-alert").text_content() or ""
    )
    reader.load()
    assert [r["note"] for r in reader.records()] == ["kept"]


def test_full_storage_says_so(context: Any, book: Book) -> None:
    reader = Reader(context, url_of(book, "", "file"))
    reader.page.evaluate(
        """() => {
          const chunk = 'x'.repeat(1 << 20);
          try { for (let i = 0; i < 100; i++) localStorage.setItem('filler' + i, chunk); }
          catch (e) { /* full now */ }
          let small = 'y'.repeat(1 << 16);
          for (let i = 0; small.length > 16; i++) {
            try { localStorage.setItem('tail' + i, small); }
            catch (e) { small = small.slice(0, small.length / 2); }
          }
        }"""
    )
    reader.select("Striking a determined tone")
    reader.fill_palette("Opinion", "Needs checking", "a note that cannot be stored " * 20)
    alert = reader.page.locator(".annotate-layer-alert")
    assert "storage for the book is full" in (alert.text_content() or "")
    assert "Export" in (alert.text_content() or "")
    assert len(reader.records()) == 1  # still on the page, to export


def test_rebuilt_text_reanchors_or_lists_orphans(context: Any, book: Book) -> None:
    # Notes written on an older edition of the page: one passage moved (a
    # sentence was added before it), one edited, one whose words are gone.
    old = "An editor's note was here. " + ARTICLE.text
    kept = "reinforced the notion that the U.S. remains steadfast"
    edited_old = old.replace("a critical", "an essential")
    gone_text = old.replace("Hegseth, who traveled", "The quartermaster's ledger, who traveled")
    notes = []
    for text, words, note in [
        (old, kept, "moved"),
        (edited_old, "which he characterized as an essential", "edited"),
        (gone_text, "The quartermaster's ledger", "gone"),
    ]:
        s = text.index(words)
        notes.append(
            Annotation.new(
                source=ARTICLE.source, text=text, start=s, end=s + len(words), note=note
            ).to_w3c()
        )
    reader = Reader(context, url_of(book, "", "file"))
    reader.page.evaluate(
        "(notes) => localStorage.setItem('annotate:v1:hegseth-japan-2025:chapters/article',"
        " JSON.stringify(notes))",
        notes,
    )
    reader.load()
    by_note = {r["note"]: r for r in reader.records()}
    assert ARTICLE.text[by_note["moved"]["start"] : by_note["moved"]["end"]] == kept
    assert not by_note["moved"]["orphan"]
    assert by_note["edited"]["exact"] == "which he characterized as a critical"
    assert by_note["gone"]["orphan"]
    assert sorted(painted(reader.page)) == sorted([kept, "which he characterized as a critical"])
    reader.open_panel()
    orphans = reader.page.locator(".annotate-orphans .annotate-item-note")
    assert orphans.all_text_contents() == ["gone"]


def test_editor_claims_and_glossary_hovers_work_beside_reader_highlights(
    context: Any, book: Book, artifacts: Path
) -> None:
    reader = Reader(context, url_of(book, "", "file"))
    words = "In a meeting with Japanese Defense Minister Gen Nakatani"
    reader.select(words)
    reader.fill_palette("Factual claim", "Supported", "MOD readout")
    assert "".join(painted(reader.page)) == words
    assert reader.page.locator("mark.annotate-claim").count() >= 8
    term = reader.page.locator("a.reference.internal", has_text="Gen Nakatani")
    assert term.locator("mark.annotate-hl").count() == 1
    term.hover()
    tip = reader.page.locator("#annotate-glossary-tooltip")
    tip.wait_for(state="visible")
    assert (tip.text_content() or "").startswith("Gen Nakatani")
    reader.page.screenshot(path=str(artifacts / "layer-with-glossary.png"))


def test_context_pages_have_the_layer(context: Any, book: Book, artifacts: Path) -> None:
    reader = Reader(context, url_of(book, "", "file", "chapters/context/alliance"))
    text = reader.page.evaluate("annotateLayer.text()")
    assert len(text) > 500
    reader.page.evaluate("annotateLayer.open(0, 20)")
    reader.fill_palette("Factual claim", "Needs checking", "")
    assert len(reader.records()) == 1
    assert reader.records()[0]["source"].endswith(":chapters/context/alliance")
    reader.page.screenshot(path=str(artifacts / "layer-context-page.png"))
    assert reader.outside == []


def test_anchoring_agrees_with_python_on_shared_cases(browser: Any) -> None:
    from annotate import locate

    cases = json.loads((ROOT / "tests" / "fixtures" / "anchoring-cases.json").read_text("utf-8"))
    page = browser.new_page()
    page.add_script_tag(path=str(ROOT / "src" / "annotate" / "frontend" / "core" / "anchoring.js"))
    for case in cases:
        found = locate(case["text"], case["selectors"])
        expected = (
            None if found is None else {"start": found.start, "end": found.end, "how": found.how}
        )
        assert expected == case["expected"], f"python: {case['name']}"
        js = page.evaluate(
            "([t, s]) => AnnotateAnchoring.locate(t, s)", [case["text"], case["selectors"]]
        )
        assert js == case["expected"], f"javascript: {case['name']}"
        start, end = 1, min(4, len(case["text"]))
        py = describe(case["text"], start, end)
        assert (
            page.evaluate(
                "([t, a, b]) => AnnotateAnchoring.describe(t, a, b)", [case["text"], start, end]
            )
            == py
        )
    page.close()


def test_long_lists_are_shown_a_page_at_a_time(context: Any, book: Book, tmp_path: Path) -> None:
    notes = []
    for n in range(60):
        start = (n * 23) % (len(ARTICLE.text) - 30)
        notes.append(
            Annotation.new(
                source=ARTICLE.source, text=ARTICLE.text, start=start, end=start + 12, note=f"n{n}"
            )
        )
    path = tmp_path / "many.json"
    path.write_text(json.dumps(collection(notes)), encoding="utf-8")
    reader = Reader(context, url_of(book, "", "file"))
    reader.import_file(path)
    items = reader.page.locator(".annotate-list:not(.annotate-orphans) .annotate-item-open")
    assert items.count() == 50
    reader.page.get_by_role("button", name="Show 10 more (10 not shown)").click()
    assert items.count() == 60
    assert len(reader.records()) == 60


def test_anchoring_agrees_with_python_on_random_edits(browser: Any) -> None:
    """Exact and moved outcomes agree always; fuzzy ones nearly always.

    The fuzzy search differs (rapidfuzz's alignment in Python, a semi-global
    edit-distance alignment here), so a borderline edit may be placed by one and
    orphaned by the other; both apply the same thresholds, so neither may land
    on other words, and where both place it the ends differ by a few characters.
    """
    import random

    from annotate import locate

    rng = random.Random(42)
    text = ARTICLE.text
    cases = []
    for _ in range(400):
        start = rng.randrange(0, len(text) - 50)
        selectors = describe(text, start, start + rng.randrange(1, 50))
        new = text
        for _ in range(rng.randrange(1, 4)):
            a = rng.randrange(0, len(new))
            b = min(len(new), a + rng.randrange(0, 30))
            new = new[:a] + rng.choice(["", "X", " new words ", "Hegseth", "the"]) + new[b:]
        found = locate(new, selectors)
        cases.append((new, selectors, found and [found.start, found.end, found.how]))
    page = browser.new_page()
    page.add_script_tag(path=str(ROOT / "src" / "annotate" / "frontend" / "core" / "anchoring.js"))
    js = page.evaluate(
        """(cases) => cases.map(([t, s]) => {
             const f = AnnotateAnchoring.locate(t, s);
             return f && [f.start, f.end, f.how];
           })""",
        [[t, s] for t, s, _ in cases],
    )
    page.close()
    fuzzy_differences = 0
    for (_, selectors, py), got in zip(cases, js, strict=True):
        if py == got:
            continue
        kinds = {py and py[2], got and got[2]}
        assert kinds <= {"fuzzy", None}, (selectors, py, got)
        fuzzy_differences += 1
        if py is not None and got is not None:
            assert abs(py[0] - got[0]) <= 3 and abs(py[1] - got[1]) <= 3, (selectors, py, got)
    assert fuzzy_differences <= len(cases) // 50


# ---- No silent loss (issue #10).

ARTICLE_KEY = "annotate:v1:hegseth-japan-2025:chapters/article"


def export(reader: Reader, tmp_path: Path, name: str = "export.json") -> Path:
    reader.open_panel()
    with reader.page.expect_download() as download:
        reader.page.get_by_role("button", name="Export", exact=False).click()
    path = tmp_path / name
    download.value.save_as(path)
    return path


def note_at(words: str, note: str, **changes: Any) -> dict[str, Any]:
    start = ARTICLE.text.index(words)
    ann = Annotation.new(
        source=ARTICLE.source, text=ARTICLE.text, start=start, end=start + len(words), note=note
    )
    return {**ann.to_w3c(), **changes}


def test_a_note_over_the_limit_is_refused_and_kept_in_the_box(
    context: Any, book: Book, tmp_path: Path, artifacts: Path
) -> None:
    from annotate.model import NOTE_LIMIT

    reader = Reader(context, url_of(book, "", "file"))
    reader.select("Striking a determined tone")
    too_long = "é" * (NOTE_LIMIT // 2) + "!"  # one byte over, in UTF-8
    palette = reader.page.locator(".annotate-palette")
    palette.get_by_role("button", name="Opinion").click()
    palette.get_by_label("Note", exact=True).fill(too_long)
    palette.get_by_role("button", name="Save").click()
    error = palette.locator(".annotate-palette-error")
    error.wait_for()
    assert "too long to save" in (error.text_content() or "")
    assert "Shorten it by 1 byte (" in (error.text_content() or "")
    assert palette.is_visible()
    assert palette.get_by_label("Note", exact=True).input_value() == too_long
    assert reader.records() == []
    reader.page.screenshot(path=str(artifacts / "layer-note-too-long.png"))
    # At the limit exactly: saved, exported, and read by Python.
    palette.get_by_label("Note", exact=True).fill(too_long[:-1])
    palette.get_by_role("button", name="Save").click()
    assert palette.is_hidden()
    assert [len(r["note"].encode()) for r in reader.records()] == [NOTE_LIMIT]
    [ann] = read_annotations(export(reader, tmp_path))
    assert len(ann.note.encode()) == NOTE_LIMIT


def test_unreadable_stored_items_are_kept_told_and_exported(
    context: Any, book: Book, tmp_path: Path, artifacts: Path
) -> None:
    good = note_at("Striking a determined tone", "good")
    damaged = [{"type": "Annotation", "id": "x", "note": "half"}, 42]
    reader = Reader(context, url_of(book, "", "file"))
    reader.page.evaluate(
        """([key, items]) => {
             localStorage.setItem(key, JSON.stringify(items));
             localStorage.setItem('annotate:v1:hegseth-japan-2025:chapters/context/alliance',
                                  '{not json');
           }""",
        [ARTICLE_KEY, [good, *damaged]],
    )
    reader.load()
    assert [r["note"] for r in reader.records()] == ["good"]
    reader.open_panel()
    kept = reader.page.locator(".annotate-layer-kept")
    assert (kept.text_content() or "").startswith(
        "2 highlights on this page could not be read — Export keeps them"
    )
    reader.page.screenshot(path=str(artifacts / "layer-unreadable-kept.png"))
    reader.select("growing Chinese assertiveness")
    reader.fill_palette("Framing", "Disputed", "new")
    stored = json.loads(reader.page.evaluate(f"localStorage.getItem('{ARTICLE_KEY}')"))
    assert stored[-2:] == damaged  # the save kept them, as they were
    reader.load()
    assert sorted(r["note"] for r in reader.records()) == ["good", "new"]
    path = export(reader, tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["unreadable"] == [
        {"page": "chapters/article", "item": damaged[0]},
        {"page": "chapters/article", "item": damaged[1]},
        {"page": "chapters/context/alliance", "item": "{not json"},
    ]
    assert sorted(a.note for a in read_annotations(path)) == ["good", "new"]


def test_import_keeps_notes_for_pages_the_book_does_not_have_apart(
    context: Any, book: Book, tmp_path: Path, artifacts: Path
) -> None:
    here = note_at("Striking a determined tone", "here")
    alliance = {
        **note_at("Striking a determined tone", "other page"),
        "target": {
            "source": "urn:annotate:hegseth-japan-2025:chapters/context/alliance",
            "selector": [{"type": "TextQuoteSelector", "exact": "alliance"}],
        },
    }
    nowhere = {
        **note_at("growing Chinese assertiveness", "no such page"),
        "target": {
            "source": "urn:annotate:hegseth-japan-2025:chapters/no-such-page",
            "selector": [{"type": "TextQuoteSelector", "exact": "words"}],
        },
    }
    path = tmp_path / "three.json"
    path.write_text(json.dumps([here, alliance, nowhere]), encoding="utf-8")
    reader = Reader(context, url_of(book, "", "file"))
    reader.import_file(path)
    status = reader.page.locator(".annotate-layer-status").text_content() or ""
    assert "Imported 3 of 3" in status
    assert "1 for other pages of this book" in status
    assert "1 for pages this book does not have" in status
    keys = reader.page.evaluate("Object.keys(localStorage).sort()")
    assert "annotate:v1:hegseth-japan-2025:chapters/no-such-page" not in keys
    assert "annotate:v1:hegseth-japan-2025:chapters/context/alliance" in keys
    kept = reader.page.locator(".annotate-layer-kept").text_content() or ""
    assert "1 imported note is for pages this book does not have" in kept
    assert "chapters/no-such-page" in kept
    reader.page.screenshot(path=str(artifacts / "layer-import-unplaced.png"))
    reader.load()  # still listed after a reload
    assert "chapters/no-such-page" in (
        reader.page.locator(".annotate-layer-kept").text_content() or ""
    )
    exported = sorted(a.note for a in read_annotations(export(reader, tmp_path)))
    assert exported == ["here", "no such page", "other page"]


def test_hypothesis_page_notes_are_left_out_and_named_not_the_whole_file(
    context: Any, book: Book, tmp_path: Path
) -> None:
    """As annotate import and merge do (tests/test_hypothesis_import.py)."""
    from .test_hypothesis_import import export as hypothesis_export
    from .test_hypothesis_import import page_note
    from .test_hypothesis_import import row as hypothesis_row

    words = "Striking a determined tone"
    text = load_article(ROOT / "chapters" / "article.md").text
    highlight = hypothesis_row("h1", "officials said", text="on the words")
    highlight["target"][0]["selector"] = [
        {"type": "TextQuoteSelector", "exact": words, "prefix": "", "suffix": ""}
    ]
    assert words in text
    path = tmp_path / "hypothesis.json"
    path.write_text(hypothesis_export(highlight, page_note("p1", "on the page")), "utf-8")
    reader = Reader(context, url_of(book, "", "file"))
    reader.import_file(path)
    status = reader.page.locator(".annotate-layer-status").text_content() or ""
    assert "Imported 1 of 1" in status
    assert "1 Hypothesis page note or replies left out" in status and "(p1)" in status
    assert [r["note"] for r in reader.records()] == ["on the words"]


ODD_IDS = ["__proto__", "constructor", "toString"]


def test_odd_ids_are_refused_and_never_cost_the_reader_their_notes(
    context: Any, book: Book, tmp_path: Path
) -> None:
    reader = Reader(context, url_of(book, "", "file"))
    reader.select("Striking a determined tone")
    reader.fill_palette("Opinion", "Needs checking", "mine")
    items = [note_at("growing Chinese assertiveness", i, id=i) for i in ODD_IDS]
    items.append(note_at("growing Chinese assertiveness", "ordinary"))
    path = tmp_path / "odd-ids.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    reader.import_file(path)
    alert = reader.page.locator(".annotate-layer-alert").text_content() or ""
    assert "item 1 (__proto__): id '__proto__' is not an IRI" in alert.replace('"', "'")
    assert "Nothing was imported" in alert
    reader.load()
    assert [r["note"] for r in reader.records()] == ["mine"]


def fuzzed_files(seed: int, count: int) -> list[str]:
    """JSON files of annotations with odd ids and ``__proto__``-like keys in any object."""
    import random

    rng = random.Random(seed)
    keys = ["__proto__", "constructor", "toString", "hasOwnProperty", "prototype"]
    values: list[Any] = [{}, {"polluted": True}, None, "x", 1, [], {"id": "urn:x:1"}]
    files = []
    for _ in range(count):
        items: list[Any] = [note_at("growing Chinese assertiveness", f"n{n}") for n in range(3)]
        for item in items:
            if rng.random() < 0.4:
                item["id"] = rng.choice([*ODD_IDS, "urn:uuid:" + str(rng.random())])
        for _ in range(rng.randrange(1, 5)):
            node: Any = rng.choice(items)
            for _ in range(rng.randrange(0, 3)):
                children = [v for v in node.values() if isinstance(v, dict)] + [
                    x
                    for v in node.values()
                    if isinstance(v, list)
                    for x in v
                    if isinstance(x, dict)
                ]
                if children:
                    node = rng.choice(children)
            node[rng.choice(keys)] = rng.choice(values)
        wrap = rng.choice(["list", "collection"])
        doc: Any = items if wrap == "list" else {"type": "AnnotationPage", "items": items}
        if rng.random() < 0.5:
            doc = {"__proto__": {"polluted": True}, "type": "AnnotationPage", "items": items}
        files.append(json.dumps(doc))
    return files


def test_fuzzed_imports_with_odd_keys_agree_with_python_and_keep_the_page(
    context: Any, book: Book
) -> None:
    from annotate.exchange import ExchangeError, parse_document

    reader = Reader(context, url_of(book, "", "file"))
    reader.select("Striking a determined tone")
    reader.fill_palette("Opinion", "Needs checking", "mine")
    for n, source in enumerate(fuzzed_files(seed=10, count=8)):
        try:
            parse_document(source)
            python_reads = True
        except ExchangeError:
            python_reads = False
        reader.page.evaluate(
            "() => document.querySelectorAll('.annotate-layer-status, .annotate-layer-alert')"
            ".forEach((e) => { e.textContent = ''; })"
        )
        reader.page.evaluate(
            "([name, text]) => annotateLayer.importText(name, text)", [f"f{n}", source]
        )
        alert = reader.page.locator(".annotate-layer-alert").text_content() or ""
        assert ("Nothing was imported" not in alert) == python_reads, (n, alert, source)
        assert reader.page.evaluate(
            "({}).polluted === undefined && Object.prototype.polluted === undefined"
        )
        reader.load()
        notes = [r["note"] for r in reader.records()]
        assert "mine" in notes, n
