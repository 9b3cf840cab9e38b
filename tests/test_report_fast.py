"""The report's faster paths give what the plain rules give.

Each word's value in Krippendorff's alpha is, by definition, the type of the
student's highlight that covers the word most (on a tie, the one that starts
first; of equals, the first seen). ``agreement._word_values`` visits only the
words a highlight touches; here it is held to that definition, mark by mark.
``sentences_agreement`` sorts the marks into sentences once, and ``compare``
looks at a window of highlights per claim: both are held to the plain loops.
``build_report`` looks for the notes on a passage, a claim or a contested
sentence in a window of the notes (they come in order of start) and keeps each
student's longest note per side in one pass: held to full scans of every note.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.article import Article
from annotate.classroom import build_report
from annotate.classroom.agreement import (
    UNMARKED,
    Mark,
    _word_values,
    compare,
    matches,
    sentence_agreement,
    sentences,
    sentences_agreement,
)
from annotate.classroom.report_data import coverage
from annotate.classroom.report_views import NoteView
from annotate.model import Annotation
from annotate.sentences import sentences as split

from .test_classroom import make_book

TYPES = st.sampled_from([None, "factual", "opinion", "framing"])
MARKS = st.lists(
    st.builds(
        lambda start, length, kind: Mark(start, start + length, kind),
        st.integers(0, 60),
        st.integers(0, 20),
        TYPES,
    ),
    max_size=12,
)


def by_definition(marks: list[Mark], word: tuple[int, int]) -> str:
    lo, hi = word
    best: Mark | None = None
    most = 0
    for m in marks:
        covered = min(m.end, hi) - max(m.start, lo)
        if covered > most or (covered == most and best is not None and m.start < best.start):
            best, most = m, covered
    return UNMARKED if best is None else best.label


@given(MARKS, st.text(alphabet=" ab", min_size=0, max_size=70))
def test_each_word_gets_the_value_the_definition_gives(marks: list[Mark], text: str) -> None:
    words = [m.span() for m in re.finditer(r"\S+", text)]
    starts, ends = [w[0] for w in words], [w[1] for w in words]
    assert _word_values(marks, starts, ends) == [by_definition(marks, w) for w in words]


@given(st.dictionaries(st.integers(0, 6), MARKS, max_size=6))
def test_sentences_sorted_out_once_agree_with_each_sentence_alone(
    marks: dict[int, list[Mark]],
) -> None:
    text = "One cat sat. Two dogs ran off! A bird flew? Four: fish swam away. Five"
    spans = split(text)
    assert sentences is split
    assert sentences_agreement(text, spans, marks) == [
        sentence_agreement(text, a, b, marks) for a, b in spans
    ]
    overlapping = [(0, 20), (10, 40), (5, 8)]
    assert sentences_agreement(text, overlapping, marks) == [
        sentence_agreement(text, a, b, marks) for a, b in overlapping
    ]


class Claim:
    def __init__(self, start: int, end: int) -> None:
        self.id, self.type, self.start, self.end = f"c{start}", "factual", start, end


@given(MARKS, st.lists(st.tuples(st.integers(0, 70), st.integers(1, 15)), max_size=5))
def test_each_claim_gets_the_match_the_plain_loop_gives(
    marks: list[Mark], spans: list[tuple[int, int]]
) -> None:
    claims = [Claim(a, a + n) for a, n in spans]
    got = compare(marks, claims)
    for i, c in enumerate(claims):
        hits = [j for j, m in enumerate(marks) if matches((m.start, m.end), (c.start, c.end))]
        overlap = [min(marks[j].end, c.end) - max(marks[j].start, c.start) for j in hits]
        want = max(zip(overlap, [-j for j in hits], hits, strict=True))[2] if hits else None
        assert got.best[i] == want
    on = [any(matches((m.start, m.end), (c.start, c.end)) for c in claims) for m in marks]
    assert list(got.on_claim) == on


# ------------------------------------------------- the report's windows over the notes

# Two notes of one length: the first of equals argues a side.
CLASS_NOTES = ["", "Why?", "A longer note on it.", "Same length, again!!"]


@pytest.fixture(scope="module")
def small_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Article]:
    root = tmp_path_factory.mktemp("book")
    return root, make_book(root)


def plain_top(notes: list[NoteView], text: str) -> list[tuple[int, int, int]]:
    """The top passages as ``_top_passages`` found them before it used windows."""
    placed = [n for n in notes if not n["orphan"]]
    runs = sorted(
        coverage((n["start"], n["end"], n["student"]) for n in placed),
        key=lambda r: (-r[2], r[0]),
    )
    chosen: list[tuple[int, int, int]] = []
    for start, end, count in runs:
        if any(start < b and a < end for a, b, _ in chosen):
            continue
        spans = Counter((n["start"], n["end"]) for n in placed if n["start"] <= start < n["end"])
        (lo, hi), _ = max(spans.items(), key=lambda kv: (kv[1], kv[0][0] - kv[0][1], -kv[0][0]))
        if any(lo < b and a < hi for a, b, _ in chosen):
            continue
        while lo > 0 and not text[lo - 1].isspace() and not text[lo].isspace():
            lo -= 1
        while hi < len(text) and not text[hi].isspace() and not text[hi - 1].isspace():
            hi += 1
        chosen.append((lo, hi, count))
        if len(chosen) == 3:
            break
    return chosen


def plain_sides(notes: list[NoteView], start: int, end: int, label: str) -> list[int]:
    """A contested side's notes as the report chose them before its one pass."""
    said = sorted(
        (
            i
            for i, n in enumerate(notes)
            if n["start"] < end
            and start < n["end"]
            and not n["orphan"]
            and n["note"].strip()
            and (n["claimType"] or "none") == label
        ),
        key=lambda i: (-len(notes[i]["note"]), i),
    )
    chosen: list[int] = []
    for i in said:
        if notes[i]["student"] not in {notes[j]["student"] for j in chosen}:
            chosen.append(i)
    return chosen[:3]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 150),
            st.integers(1, 40),
            st.integers(0, 3),
            TYPES,
            st.sampled_from(CLASS_NOTES),
            st.sampled_from([False, False, False, True]),
        ),
        max_size=40,
    )
)
def test_the_report_finds_in_windows_what_a_full_scan_finds(
    small_book: tuple[Path, Article], notes: list[tuple[int, int, int, str | None, str, bool]]
) -> None:
    root, article = small_book
    text = article.text
    annotations = []
    for start, length, who, kind, said, lost in notes:
        end = min(start + length, len(text))
        if start >= end:
            continue
        a = Annotation.new(
            source=article.source,
            text=text,
            start=start,
            end=end,
            creator=f"S{who}",
            claim_type=kind,
            note=said,
        )
        # Words the chapter does not hold: the note becomes an orphan.
        annotations.append(replace(a, exact="zzz", prefix="", suffix="") if lost else a)
    data = build_report(annotations, root)
    chapter = data["chapters"][0] if data["chapters"] else None
    if chapter is None:
        return
    views = chapter["notes"]
    ends = [b.end for b in article.blocks]
    for n in views:
        want = -1 if n["orphan"] else min(bisect.bisect_right(ends, n["start"]), len(ends) - 1)
        assert n["block"] == want
    for kind, passages in chapter["top"].items():
        mine = [n for n in views if (n["claimType"] or "none") == kind]
        assert [(p["start"], p["end"], p["students"]) for p in passages] == plain_top(mine, text)
    placed = sorted(
        (n["start"], n["end"], n["student"], n["claimType"] or "none")
        for n in views
        if not n["orphan"]
    )
    for claim in chapter["editorClaims"]:
        hits = [p for p in placed if p[0] < claim["end"] and claim["start"] < p[1]]
        by_kind: dict[str, set[int]] = {}
        for _, _, who, kind in hits:
            by_kind.setdefault(kind, set()).add(who)
        assert claim["students"] == len({p[2] for p in hits})
        ranked = sorted(by_kind.items(), key=lambda kv: -len(kv[1]))
        assert list(claim["types"].items()) == [(k, len(v)) for k, v in ranked]
    for passage in chapter["contested"]:
        for side in passage["sides"]:
            assert side["notes"] == plain_sides(
                views, passage["start"], passage["end"], side["label"]
            )
    counts: dict[int, Counter[str]] = {i: Counter() for i in range(len(data["students"]))}
    for n in views:
        counts[n["student"]][n["claimType"] or "none"] += 1
    # Each student's types in the order they first came in, as the page lists them.
    assert [list(c.items()) for c in counts.values()] == [
        list(row["counts"].items()) for row in data["byStudent"]
    ]


def test_a_note_reaching_a_sentence_by_one_character_argues_its_side(
    small_book: tuple[Path, Article],
) -> None:
    # The window's edge: the class's longest note, starting that far before the
    # sentence and ending one character into it.
    root, article = small_book
    text = article.text
    start = text.index("The navy confirmed")

    def note(a: int, b: int, who: str, kind: str, said: str = "") -> Annotation:
        return Annotation.new(
            source=article.source,
            text=text,
            start=a,
            end=b,
            creator=who,
            claim_type=kind,
            note=said,
        )

    data = build_report(
        [
            note(start - 24, start + 1, "S0", "factual", "A longer note on it."),
            note(start, start + 18, "S1", "opinion", "Why?"),
            note(start, start + 18, "S2", "factual"),
        ],
        root,
    )
    (chapter,) = data["chapters"]
    (contested,) = chapter["contested"]
    assert contested["start"] == start
    sides = {side["label"]: side["notes"] for side in contested["sides"]}
    assert sides == {"factual": [0], "opinion": [1]}
