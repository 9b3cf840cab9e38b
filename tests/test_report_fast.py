"""The report's faster paths give what the plain rules give.

Each word's value in Krippendorff's alpha is, by definition, the type of the
student's highlight that covers the word most (on a tie, the one that starts
first; of equals, the first seen). ``agreement._word_values`` visits only the
words a highlight touches; here it is held to that definition, mark by mark.
``sentences_agreement`` sorts the marks into sentences once, and ``compare``
looks at a window of highlights per claim: both are held to the plain loops.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

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
from annotate.sentences import sentences as split

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
