"""Anchoring finds the words again, or says they are gone: never the wrong words."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from annotate.anchoring import anchor, describe, locate
from annotate.article import load_article

from .conftest import ROOT

# Context words and passage words come from disjoint alphabets, so a passage
# never occurs by chance in its surroundings; both mix scripts and emoji.
CONTEXT_WORDS = st.sampled_from(
    [
        "alliance",
        "treaty",
        "東京",
        "会談",
        "שלום",
        "عالم",
        "🇯🇵",
        "👩‍👩‍👧",
        "base",
        "e\u0301tude",
        "navy",
        "talks",
        "summit",
        "ports",
    ]
)
PASSAGE_WORDS = st.sampled_from(
    ["KAPPA", "ΔΈΛΤΑ", "ZULU", "QUBIT", "ЖУК", "XYZZY", "🛰️", "VOX", "MÜNZ", "GRIFFIN"]
)
# ANCHOR_EXAMPLES=1000 for a longer hunt; the suite keeps to 60 each.
SLOW = settings(deadline=None, max_examples=int(os.environ.get("ANCHOR_EXAMPLES", "60")))


def words(strategy: st.SearchStrategy[str], lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.lists(strategy, min_size=lo, max_size=hi).map(" ".join)


@SLOW
@given(st.text(min_size=1), st.data())
def test_describe_then_anchor_returns_the_same_span(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    assert anchor(text, describe(text, start, end)) == (start, end)


@SLOW
@given(
    words(CONTEXT_WORDS, 3, 12),
    words(PASSAGE_WORDS, 1, 6),
    words(CONTEXT_WORDS, 3, 12),
    words(CONTEXT_WORDS, 1, 5),
    st.booleans(),
)
def test_an_edit_outside_the_span_keeps_it(
    before: str, passage: str, after: str, insert: str, at_start: bool
) -> None:
    text = f"{before} {passage} {after}"
    start = len(before) + 1
    sel = describe(text, start, start + len(passage))
    if at_start:
        edited, shift = f"{insert} {text}", len(insert) + 1
    else:
        edited, shift = f"{text} {insert}", 0
    assert anchor(edited, sel) == (start + shift, start + shift + len(passage))


@SLOW
@given(
    words(CONTEXT_WORDS, 6, 12),
    words(PASSAGE_WORDS, 6, 10),
    words(CONTEXT_WORDS, 6, 12),
    st.integers(0, 1000),
    st.integers(0, 1000),
)
# Drawn once on a fresh clone: one word six times, its first five characters
# replaced, between runs of another word (the alignment went astray on it).
@example(
    before=" ".join(["alliance"] * 6),
    passage=" ".join(["KAPPA"] * 6),
    after=" ".join(["alliance"] * 6),
    cut_draw=4,
    at_draw=0,
)
def test_an_edit_inside_the_span_still_finds_it(
    before: str, passage: str, after: str, cut_draw: int, at_draw: int
) -> None:
    # Replace at most a seventh of the passage: most of the span survives.
    cut = 1 + cut_draw % max(1, len(passage) // 7)
    at = at_draw % (len(passage) - cut + 1)
    edited_passage = passage[:at] + "·" * cut + passage[at + cut :]
    text = f"{before} {passage} {after}"
    start = len(before) + 1
    sel = describe(text, start, start + len(passage))
    found = locate(f"{before} {edited_passage} {after}", sel)
    assert found is not None
    overlap = min(found.end, start + len(passage)) - max(found.start, start)
    assert overlap >= 0.8 * len(passage)


@SLOW
@given(words(CONTEXT_WORDS, 3, 12), words(PASSAGE_WORDS, 1, 6), words(CONTEXT_WORDS, 3, 12))
def test_deleting_the_passage_gives_none(before: str, passage: str, after: str) -> None:
    text = f"{before} {passage} {after}"
    start = len(before) + 1
    sel = describe(text, start, start + len(passage))
    assert anchor(f"{before} {after}", sel) is None


@SLOW
@given(
    words(CONTEXT_WORDS, 4, 10), words(PASSAGE_WORDS, 2, 6), words(CONTEXT_WORDS, 4, 10), st.data()
)
def test_a_look_alike_passage_elsewhere_is_not_taken(
    before: str, passage: str, after: str, data: st.DataObject
) -> None:
    # Elsewhere: the same words (or nearly) in other surroundings.
    elsewhere = "1984 2001 2025 1960 451 1776 2049"
    lookalike = passage if data.draw(st.booleans()) else passage[:-1] + "Ω"
    text = f"{before} {passage} {after}"
    start = len(before) + 1
    sel = describe(text, start, start + len(passage))
    later = f"{before} {after}. {elsewhere} {lookalike} {elsewhere}"
    assert anchor(later, sel) is None
    # While the passage is still there, it is found where it is.
    kept = f"{text}. {elsewhere} {lookalike} {elsewhere}"
    assert anchor(kept, sel) == (start, start + len(passage))


def test_short_quote_needs_context_support() -> None:
    text = "China said no. Then the talks moved on, and China said yes."
    second = text.rindex("China")
    sel = describe(text, second, second + 5)
    # The sentence around the second "China" is gone; another "China" stays.
    assert anchor("China said no. Then the talks ended.", sel) is None
    # With its context it is found, even moved.
    assert anchor("Later: " + text, sel) == (second + 7, second + 12)


def test_repeated_quote_is_told_apart_by_context() -> None:
    text = "Hegseth met Nakatani in Tokyo. Earlier, Hegseth met Marcos in Manila."
    second = text.rindex("Hegseth met")
    sel = describe(text, second, second + len("Hegseth met"))
    edited = "Update. " + text
    assert anchor(edited, sel) == (second + 8, second + 8 + len("Hegseth met"))


def test_locate_says_how_it_found_the_words() -> None:
    text = load_article(ROOT / "chapters" / "article.md").text
    start = text.index("“America first")
    sel = describe(text, start, start + 45)
    assert locate(text, sel).how == "exact"  # type: ignore[union-attr]
    assert locate("New lede. " + text, sel).how == "moved"  # type: ignore[union-attr]
    edited = text.replace("does not mean America alone", "does not mean that America is alone")
    found = locate(edited, sel)
    assert found is not None and found.how == "fuzzy"
    assert "America" in edited[found.start : found.end]


@pytest.mark.parametrize(
    "selectors",
    [
        [],
        [{"type": "TextPositionSelector", "start": 0, "end": 3}],
        [{"type": "TextQuoteSelector", "exact": ""}],
    ],
)
def test_without_a_quote_nothing_is_anchored(selectors: list[dict[str, object]]) -> None:
    assert anchor("some text", selectors) is None


def test_describe_refuses_an_empty_or_outside_span() -> None:
    with pytest.raises(ValueError, match="outside"):
        describe("abc", 2, 2)
    with pytest.raises(ValueError, match="outside"):
        describe("abc", 0, 4)


@pytest.mark.parametrize(
    "case",
    json.loads((ROOT / "tests" / "fixtures" / "anchoring-cases.json").read_text("utf-8")),
    ids=lambda case: case["name"],
)
def test_shared_cases(case: dict[str, object]) -> None:
    """The cases the browser's anchoring.js must agree on (tests/test_book_layer.py)."""
    found = locate(case["text"], case["selectors"])  # type: ignore[arg-type]
    got = None if found is None else {"start": found.start, "end": found.end, "how": found.how}
    assert got == case["expected"], case["why"]
