"""Agreement: the class with itself, per sentence (and each student against the editor).

Across the class, per sentence: the label counts (how many students gave each
claim type to a highlight in it), their entropy, and Krippendorff's alpha (nominal)
with the sentence's words as units, the students who marked the sentence as
coders, and as value the type of the student's highlight on the word, or
"unmarked". A figure that cannot be computed is ``None`` with a reason in
words, never NaN.

Each student against the editor's claims (matches, precision, recall, Cohen's κ)
is :mod:`annotate.classroom.scores`; its names are importable from here too.

>>> found = sentence_agreement("Two words.", 0, 10, {0: [Mark(0, 3, "factual")]})
>>> found.students, found.labels, found.alpha_note
(1, {'factual': 1}, 'undefined: only one student marked this sentence')
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..sentences import sentences
from .scores import (
    MATCH_RULE,
    NO_TYPE,
    Comparison,
    Mark,
    Scores,
    cohen_kappa,
    compare,
    matches,
    type_label,
)

__all__ = [
    "MATCH_RULE",
    "NO_TYPE",
    "UNMARKED",
    "Comparison",
    "Mark",
    "Scores",
    "SentenceAgreement",
    "cohen_kappa",
    "compare",
    "contested_order",
    "matches",
    "sentence_agreement",
    "sentences",
    "sentences_agreement",
    "type_label",
]

UNMARKED = "unmarked"

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class SentenceAgreement:
    """The class on one sentence: who marked it, with which types, and how alike.

    ``labels`` counts students per type (a student who gave two types counts under
    each); ``entropy`` is of those counts, in bits; ``alpha`` is Krippendorff's alpha,
    or ``None`` with ``alpha_note`` saying why.
    """

    start: int
    end: int
    students: int
    labels: dict[str, int]
    entropy: float | None
    alpha: float | None
    alpha_note: str


def _word_values(student_marks: Sequence[Mark], starts: list[int], ends: list[int]) -> list[str]:
    """Each word's value: the type of the highlight that covers it most, else unmarked.

    The words are ``zip(starts, ends)``, in order and apart, none empty. On a tie
    the highlight that starts first wins (the first seen of equals). Each highlight
    visits only the words it shares a character with: those it misses could never
    win a word.
    """
    values = [UNMARKED] * len(starts)
    most = [0] * len(starts)
    first = [0] * len(starts)  # where the highlight that holds the word starts
    for m in student_marks:
        a, b = m.start, m.end
        if b <= a:
            continue  # covers no character, so never a word
        label = m.claim_type or NO_TYPE
        for k in range(bisect.bisect_right(ends, a), bisect.bisect_left(starts, b)):
            hi, lo = ends[k], starts[k]
            covered = (b if b < hi else hi) - (a if a > lo else lo)
            # ``covered`` is at least 1 here, so a word with ``most`` 0 is still unmarked.
            held = most[k]
            if covered > held or (covered == held and a < first[k]):
                values[k], most[k], first[k] = label, covered, a
    return values


def sentence_agreement(
    text: str, start: int, end: int, marks: Mapping[int, Sequence[Mark]]
) -> SentenceAgreement:
    """How the students (``marks`` by student) labelled ``text[start:end]``."""
    # The overlap written out (no call per mark): the marks sharing a character with it.
    inside = {
        s: [m for m in ms if min(m.end, end) > max(m.start, start)] for s, ms in marks.items()
    }
    return _agreement(text, start, end, {s: ms for s, ms in inside.items() if ms})


def sentences_agreement(
    text: str, spans: Sequence[tuple[int, int]], marks: Mapping[int, Sequence[Mark]]
) -> list[SentenceAgreement]:
    """:func:`sentence_agreement` of each span in ``spans``, the marks sorted out once.

    Sentences come in order and apart: each mark goes to those it shares a character
    with, found by bisection, rather than every sentence looking at every mark.
    """
    if any(a[1] > b[0] for a, b in itertools.pairwise(spans)):
        return [sentence_agreement(text, start, end, marks) for start, end in spans]
    ends = [end for _, end in spans]
    inside: list[dict[int, list[Mark]]] = [{} for _ in spans]
    count = len(spans)
    for s, ms in marks.items():
        for m in ms:
            a, b = m.start, m.end
            k = bisect.bisect_right(ends, a)
            # The overlap test of ``sentence_agreement`` without min/max calls: 60,000 marks.
            while k < count and spans[k][0] < b:
                lo, hi = spans[k]
                if a < b and a < hi and lo < hi:
                    got = inside[k].get(s)
                    if got is None:
                        inside[k][s] = [m]
                    else:
                        got.append(m)
                k += 1
    return [_agreement(text, a, b, coders) for (a, b), coders in zip(spans, inside, strict=True)]


def _agreement(
    text: str, start: int, end: int, coders: Mapping[int, Sequence[Mark]]
) -> SentenceAgreement:
    """The figures of ``text[start:end]`` from the marks in it of the students who marked it."""
    # ``Mark.label`` written out: a class's sentence has thousands of marks.
    labels = Counter(
        label for ms in coders.values() for label in {m.claim_type or NO_TYPE for m in ms}
    )
    total = sum(labels.values())
    # ``+ 0.0``: one label's entropy is -0.0, which would print as "-0".
    ranked = dict(sorted(labels.items(), key=lambda kv: (-kv[1], kv[0])))
    # Summed in the ranked order: a float sum depends on its order, and the order of
    # a set of strings changes with the interpreter's hash seed.
    entropy = (
        -sum(c / total * math.log2(c / total) for c in ranked.values()) + 0.0 if total else None
    )
    alpha, note = _alpha(text, start, end, coders)
    return SentenceAgreement(start, end, len(coders), ranked, entropy, alpha, note)


def _alpha(
    text: str, start: int, end: int, coders: Mapping[int, Sequence[Mark]]
) -> tuple[float | None, str]:
    if not coders:
        return None, "undefined: nobody marked this sentence"
    if len(coders) == 1:
        return None, "undefined: only one student marked this sentence"
    words = [m.span() for m in _WORD.finditer(text, start, end)]
    starts = [w[0] for w in words]
    ends = [w[1] for w in words]
    rows = [_word_values(ms, starts, ends) for ms in coders.values()]
    values = sorted({v for row in rows for v in row})
    if len(values) == 1:
        return None, (
            f"undefined: every word got the same label ({values[0]}) from all "
            f"{len(coders)} students — full agreement, but nothing varies for alpha to measure"
        )
    # Imported here: numpy is a tenth of a second, and merge (which imports this
    # module through the classroom package) never computes an alpha.
    import krippendorff
    import numpy as np

    code = {v: i for i, v in enumerate(values)}
    data = np.array([[code[v] for v in row] for row in rows], dtype=float)
    value = float(
        krippendorff.alpha(
            reliability_data=data, level_of_measurement="nominal", value_domain=range(len(values))
        )
    )
    return value, ""


def load_alpha() -> None:
    """Import what Krippendorff's alpha needs (numpy: a tenth of a second) now.

    The report runs it first in the process that will work out the alphas
    (``annotate.beside.worker``), while the class file is read.
    """
    import krippendorff  # noqa: F401


def contested_order(found: Iterable[SentenceAgreement]) -> list[SentenceAgreement]:
    """Sentences where two or more students gave two or more types, most split first.

    Most split: the labels most evenly divided (highest entropy) first; then the
    lowest alpha, then first in the text. Entropy leads because alpha over a few
    words and a few students is dominated by its small-sample correction: two
    students against one can score below two against two.
    """
    split = [s for s in found if s.students >= 2 and len(s.labels) >= 2 and s.alpha is not None]
    return sorted(split, key=lambda s: (-(s.entropy or 0.0), s.alpha or 0.0, s.start))
