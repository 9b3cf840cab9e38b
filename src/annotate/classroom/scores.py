"""Scores: one student's highlights against the editor's claims.

The editor's claims are the book's ``{claim}`` marks. A highlight *matches* a
claim when they overlap by at least half of the shorter of the two
(``MATCH_RULE``). A claim is *found* when a highlight matches it; a highlight is
*on a claim* when it matches one. Precision is highlights on a claim over
highlights, recall is claims found over claims, F1 their harmonic mean. Over the
claims found (each with the highlight that overlaps it most) Cohen's κ and plain
percent agreement say whether the student gave the editor's type. A figure that
cannot be computed is ``None`` with a reason in words, never NaN.

>>> matches((0, 10), (5, 30))   # overlap 5, shorter 10: half of it
True
>>> matches((0, 10), (6, 30))
False
>>> cohen_kappa([("factual", "factual"), ("opinion", "opinion")])
(1.0, '')
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..vocabulary import CLAIM_TYPES

__all__ = [
    "MATCH_RULE",
    "NO_TYPE",
    "Claim",
    "Comparison",
    "Mark",
    "Scores",
    "cohen_kappa",
    "compare",
    "matches",
    "type_label",
]

MATCH_RULE = (
    "A highlight matches an editor's claim when they overlap by at least half of the "
    "shorter of the two."
)
NO_TYPE = "none"


class Claim(Protocol):
    """What is compared of an editor's claim (``annotate.article.EditorClaim`` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(frozen=True)
class Mark:
    """One placed highlight: ``text[start:end]``, its claim type (``None``: untyped)."""

    start: int
    end: int
    claim_type: str | None = None

    @property
    def label(self) -> str:
        return self.claim_type or NO_TYPE


def matches(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two spans overlap by at least half of the shorter one."""
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return overlap > 0 and 2 * overlap >= shorter


@dataclass(frozen=True)
class Comparison:
    """One student's highlights on one article against the editor's claims there.

    ``best[i]`` is the index of the highlight that matches claim ``i`` with the
    largest overlap (``None``: the claim was not found); ``on_claim[j]`` says
    whether highlight ``j`` matches any claim.
    """

    claims: tuple[Claim, ...]
    marks: tuple[Mark, ...]
    best: tuple[int | None, ...]
    on_claim: tuple[bool, ...]

    def type_pairs(self) -> list[tuple[str, str]]:
        """(editor's type, student's type) for each claim found."""
        return [
            (c.type, self.marks[j].label)
            for c, j in zip(self.claims, self.best, strict=True)
            if j is not None
        ]


def compare(marks: Sequence[Mark], claims: Sequence[Claim]) -> Comparison:
    """Match ``marks`` (one student's) against ``claims`` by ``MATCH_RULE``."""
    best: list[int | None] = []
    on_claim = [False] * len(marks)
    # Only a highlight that overlaps a claim can match it, and it starts at most the
    # longest highlight's length before the claim: the highlights by start, each
    # claim looks at that window only (a student has hundreds, a claim a handful).
    by_start = [m.start for m in marks]
    order = sorted(range(len(marks)), key=by_start.__getitem__)
    starts = [by_start[j] for j in order]
    longest = max((m.end - m.start for m in marks), default=0)
    for claim in claims:
        a, b = claim.start, claim.end
        lo = bisect.bisect_left(starts, a - longest)
        hi = bisect.bisect_left(starts, b)
        found: int | None = None
        most = 0
        # ``matches`` written out, keeping the overlap: this loop runs for every student.
        for j in order[lo:hi]:
            m = marks[j]
            overlap = (m.end if m.end < b else b) - (m.start if m.start > a else a)
            shorter = m.end - m.start if m.end - m.start < b - a else b - a
            if overlap > 0 and 2 * overlap >= shorter:
                on_claim[j] = True
                # The most overlap wins; on a tie, the earlier highlight.
                if found is None or overlap > most or (overlap == most and j < found):
                    found, most = j, overlap
        best.append(found)
    return Comparison(tuple(claims), tuple(marks), tuple(best), tuple(on_claim))


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> tuple[float | None, str]:
    """Cohen's κ of (rater A, rater B) labels, or ``None`` and why it is undefined.

    >>> cohen_kappa([])
    (None, 'no claim found to compare types on')
    >>> cohen_kappa([("factual", "factual")])
    (None, 'undefined: both used only one type, so chance agreement is already 100%')
    """
    n = len(pairs)
    if not n:
        return None, "no claim found to compare types on"
    observed = sum(a == b for a, b in pairs) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    chance = sum(first[k] * second[k] for k in first) / (n * n)
    if chance == 1:
        return None, "undefined: both used only one type, so chance agreement is already 100%"
    return (observed - chance) / (1 - chance), ""


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Scores:
    """A student's figures against the editor, over every article compared."""

    claims: int
    found: int
    highlights: int
    on_claim: int
    same_type: int
    kappa: float | None
    kappa_note: str

    @classmethod
    def of(cls, comparisons: Iterable[Comparison]) -> Scores:
        """The figures of ``comparisons`` pooled (one per article)."""
        comps = list(comparisons)
        pairs = [p for c in comps for p in c.type_pairs()]
        kappa, note = cohen_kappa(pairs)
        return cls(
            claims=sum(len(c.claims) for c in comps),
            found=len(pairs),
            highlights=sum(len(c.marks) for c in comps),
            on_claim=sum(sum(c.on_claim) for c in comps),
            same_type=sum(a == b for a, b in pairs),
            kappa=kappa,
            kappa_note=note,
        )

    @property
    def precision(self) -> float | None:
        """Highlights on a claim over highlights (``None``: no highlights)."""
        return _ratio(self.on_claim, self.highlights)

    @property
    def recall(self) -> float | None:
        """Claims found over claims (``None``: the editor marked none)."""
        return _ratio(self.found, self.claims)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def type_agreement(self) -> float | None:
        """Share of the claims found given the editor's type (``None``: none found)."""
        return _ratio(self.same_type, self.found)

    def feedback(self) -> str:
        """The figures in one or two sentences a student can read.

        >>> Scores(15, 9, 12, 9, 7, 0.6, "").feedback()
        "Found 9 of the editor's 15 claims; gave 7 of them the same type; 3 highlights \
mark passages the editor did not — worth discussing."
        """
        if not self.claims:
            return "The editor marked no claims here, so there is nothing to compare with."
        claims = "claim" if self.claims == 1 else "claims"
        if not self.highlights:
            return f"Made no highlights; the editor marked {self.claims} {claims}."
        parts = [f"Found {self.found} of the editor's {self.claims} {claims}"]
        if self.found == 1:
            parts.append("gave it the same type" if self.same_type else "gave it another type")
        elif self.found:
            parts.append(f"gave {self.same_type} of them the same type")
        off = self.highlights - self.on_claim
        if off:
            were = "highlight marks a passage" if off == 1 else "highlights mark passages"
            parts.append(f"{off} {were} the editor did not — worth discussing")
        return "; ".join(parts) + "."


def type_label(key: str) -> str:
    """A claim type's label for the reader ("No type" for untyped highlights)."""
    if key in CLAIM_TYPES:
        return CLAIM_TYPES[key].label
    return "No type" if key == NO_TYPE else key
