"""One move rule: ``place`` and ``at`` in anchoring.js do what placement.py does."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from typing import Any

import pytest

from annotate import describe, load_article, locate
from annotate.model import Annotation
from annotate.placement import place

from .conftest import ROOT

pytestmark = pytest.mark.browser

ANCHORING_JS = ROOT / "src" / "annotate" / "frontend" / "core" / "anchoring.js"
FIELDS = ("source", "exact", "prefix", "suffix", "start", "end", "orphan", "positioned")


def record(ann: Annotation) -> dict[str, Any]:
    """The layer's record of ``ann`` (the fields placing reads and writes, and one it must keep)."""
    return {**{f: getattr(ann, f) for f in FIELDS}, "id": ann.id, "note": ann.note}


def annotation(source: str, selectors: list[dict[str, Any]], orphan: bool = False) -> Annotation:
    quote = next(s for s in selectors if s["type"] == "TextQuoteSelector")
    pos = next((s for s in selectors if s["type"] == "TextPositionSelector"), None)
    start, end = (pos["start"], pos["end"]) if pos else (0, 0)
    return Annotation(
        id="urn:uuid:0",
        source=source,
        exact=quote["exact"],
        prefix=quote.get("prefix", ""),
        suffix=quote.get("suffix", ""),
        start=start,
        end=end,
        creator="Ana",
        created="2025-03-30T12:00:00Z",
        modified="2025-03-30T12:00:00Z",
        note="kept as it was",
        orphan=orphan,
        positioned=pos is not None,
    )


def cases() -> list[tuple[str, Annotation, str, str]]:
    """(name, annotation, text, source): the shared anchoring cases, as orphans too and
    under another source; random edits of the article; an already-placed note."""
    out = []
    shared = json.loads((ROOT / "tests" / "fixtures" / "anchoring-cases.json").read_text("utf-8"))
    for case in shared:
        if not any(s["type"] == "TextQuoteSelector" and s["exact"] for s in case["selectors"]):
            continue
        ann = annotation("urn:x:a", case["selectors"])
        out.append((case["name"], ann, case["text"], "urn:x:a"))
        out.append((case["name"] + " (orphan)", replace(ann, orphan=True), case["text"], "urn:x:a"))
        out.append((case["name"] + " (other source)", ann, case["text"], "urn:x:b"))
    article = load_article(ROOT / "chapters" / "article.md")
    text = article.text
    rng = random.Random(7)
    for n in range(150):
        start = rng.randrange(0, len(text) - 60)
        ann = annotation(article.source, describe(text, start, start + rng.randrange(1, 60)))
        new = text
        for _ in range(rng.randrange(0, 3)):
            a = rng.randrange(0, len(new))
            b = min(len(new), a + rng.randrange(0, 30))
            new = new[:a] + rng.choice(["", "X", " new words ", "Hegseth", "the"]) + new[b:]
        out.append((f"article edit {n}", ann, new, article.source))
    return out


def test_place_and_at_in_the_browser_follow_placement_py(browser: Any) -> None:
    page = browser.new_page()
    page.add_script_tag(path=str(ANCHORING_JS))
    all_cases = cases()
    js = page.evaluate(
        """(cases) => cases.map(([r, text, source, selectors]) => {
             const placed = AnnotateAnchoring.place(r, text, source);
             const found = AnnotateAnchoring.locate(text, selectors);
             return {record: placed.record, outcome: placed.outcome, same: placed.record === r,
                     found: found && [found.start, found.end, found.how]};
           })""",
        [[record(ann), text, source, ann.selectors()] for _, ann, text, source in all_cases],
    )
    outcomes = set()
    compared = 0
    for (name, ann, text, source), got in zip(all_cases, js, strict=True):
        found = locate(text, ann.selectors())
        if got["found"] != (found and [found.start, found.end, found.how]):
            continue  # where the two searches differ (fuzzy borderline), placing cannot agree
        compared += 1
        py = place(ann, text, source)
        outcomes.add(py.outcome)
        assert got["outcome"] == py.outcome, name
        assert got["record"] == record(py.annotation), name
        assert got["same"] == (py.annotation is ann), name
        if py.outcome == "orphaned":  # never a made-up position: the selectors it came with
            assert (got["record"]["start"], got["record"]["exact"]) == (ann.start, ann.exact)
    assert compared >= len(all_cases) * 0.95
    assert outcomes == {"anchored", "moved", "orphaned"}
    text = "The cat sat on the mat."
    ann = annotation("urn:x:a", describe(text, 4, 7))
    moved = page.evaluate("([r, t]) => AnnotateAnchoring.at(r, t, 19, 22)", [record(ann), text])
    assert moved == record(ann.at(text, 19, 22))
    refused = page.evaluate(
        "([r, t]) => { try { AnnotateAnchoring.at(r, t, 5, 99); } catch (e) { return e.name; } }",
        [record(ann), text],
    )
    assert refused == "RangeError"
    page.close()
