"""Find an annotation's words again, or say they are gone: precision first.

Order: the position selector while its text still equals the quote; the exact
quote, told apart from its other occurrences by prefix/suffix; an approximate
match (the text was edited); else ``None``, an orphan. Unlike Hypothesis's
matcher, which has no minimum score (hypothesis/client#7571), every candidate
must clear a threshold on the quote *and* on its context, so a note never
lands on look-alike words elsewhere. The position counts only while the words
around it match too. Every candidate's neighbourhood is then compared word by
word with what the selector stored (:func:`annotate.neighbourhood.agrees`): a copy-edit, an
insertion or a moved paragraph explain what changed there; a sentence that
looks alike (same structure, other people, places and verbs) does not, and
the note becomes an orphan. Python and ``frontend/core/anchoring.js`` apply
the same rules and the same constants; benchmarks/anchoring_precision.py
measures them.

>>> text = "China said no. Later, China said yes."
>>> sel = describe(text, 22, 27)
>>> anchor("Today: " + text, sel)
(29, 34)
>>> anchor("Nothing like it here.", sel) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .neighbourhood import CONTEXT_CHARS, REACH, agrees

__all__ = [
    "CONTEXT_CHARS",
    "Located",
    "anchor",
    "describe",
    "in_place",
    "locate",
]

# Similarity (0-1) a candidate's own words must keep to the quote.
_QUOTE_MIN = 0.75
# Similarity (0-1) the words around a candidate must keep to prefix/suffix.
_CONTEXT_MIN = 0.5
# A short quote's best occurrence must beat the next by this much context.
_MARGIN = 0.1

How = Literal["exact", "moved", "fuzzy"]


@dataclass(frozen=True)
class Located:
    """Where the words are now, and how they were found."""

    start: int
    end: int
    how: How


def describe(text: str, start: int, end: int) -> list[dict[str, Any]]:
    """The selectors for ``text[start:end]`` (offsets in code points).

    >>> describe("abcdef", 2, 4)[0]
    {'type': 'TextQuoteSelector', 'exact': 'cd', 'prefix': 'ab', 'suffix': 'ef'}
    """
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}-{end} is outside the text (0-{len(text)})")
    return [
        {
            "type": "TextQuoteSelector",
            "exact": text[start:end],
            "prefix": text[max(0, start - CONTEXT_CHARS) : start],
            "suffix": text[end : end + CONTEXT_CHARS],
        },
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]


def anchor(text: str, selectors: list[dict[str, Any]]) -> tuple[int, int] | None:
    """Where the span is now in ``text``, or ``None`` when it cannot be found safely."""
    found = locate(text, selectors)
    return None if found is None else (found.start, found.end)


def locate(text: str, selectors: list[dict[str, Any]]) -> Located | None:
    """Like :func:`anchor`, also saying whether the words moved or were edited."""
    quote = next((s for s in selectors if s.get("type") == "TextQuoteSelector"), None)
    if quote is None or not quote.get("exact"):
        return None
    exact: str = quote["exact"]
    prefix: str = quote.get("prefix") or ""
    suffix: str = quote.get("suffix") or ""
    pos = next((s for s in selectors if s.get("type") == "TextPositionSelector"), None)
    hint = int(pos["start"]) if pos else None

    if pos is not None and text[pos["start"] : pos["end"]] == exact:
        # The old position counts only while the words around it still match.
        start = int(pos["start"])
        if _supported(text, start, prefix, exact, suffix):
            return Located(start, start + len(exact), "exact")

    found = _exact(text, exact, prefix, suffix, hint)
    if found is not None:
        how: How = "exact" if found == hint else "moved"
        return Located(found, found + len(exact), how)
    return _fuzzy(text, exact, prefix, suffix)


def _similarity(a: str, b: str) -> float:
    # rapidfuzz is imported where it is used: a note where it was needs none, and the
    # widget opens a sixth faster (benchmarks/import_time.py).
    from rapidfuzz.distance import Levenshtein

    # Levenshtein, not Indel: two unrelated English strings share about half
    # their letters in order (Indel ~0.45) but few in place (Levenshtein ~0.2).
    return float(Levenshtein.normalized_similarity(a, b))


def _context(text: str, start: int, end: int, prefix: str, suffix: str) -> float:
    """How well the words around ``text[start:end]`` match the stored context.

    An empty prefix (suffix) was written at the very start (end) of the text:
    it supports a candidate only there.
    """
    before = (
        _similarity(prefix, text[max(0, start - len(prefix)) : start])
        if prefix
        else float(start == 0)
    )
    after = (
        _similarity(suffix, text[end : end + len(suffix)]) if suffix else float(end == len(text))
    )
    return (before + after) / 2


def in_place(text: str, start: int, exact: str, prefix: str, suffix: str) -> bool:
    """Whether ``exact`` stands at ``start`` in ``text``, its whole context around it.

    :func:`locate` then finds it there first, and nothing is described anew: most
    of a class's notes were made on the current text, and are placed by this alone.

    >>> in_place("The cat sat.", 4, "cat", "The ", " sat")
    True
    >>> in_place("A cat sat.", 2, "cat", "The ", " sat")
    False
    """
    end = start + len(exact)
    return (
        text[start:end] == exact
        and text[max(0, start - len(prefix)) : start] == prefix
        and text[end : end + len(suffix)] == suffix
    )


def _supported(text: str, start: int, prefix: str, exact: str, suffix: str) -> bool:
    """Whether the words around ``text[start:]`` (which holds ``exact``) support it there."""
    if in_place(text, start, exact, prefix, suffix):
        return True
    end = start + len(exact)
    return _context(text, start, end, prefix, suffix) >= _CONTEXT_MIN and agrees(
        text, start, end, prefix, exact, suffix
    )


def _exact(text: str, exact: str, prefix: str, suffix: str, hint: int | None) -> int | None:
    starts = []
    at = text.find(exact)
    while at != -1:
        starts.append(at)
        at = text.find(exact, at + 1)
    if not starts:
        return None
    scored = sorted(
        ((_context(text, s, s + len(exact), prefix, suffix), s) for s in starts), reverse=True
    )
    # Occurrences whose surroundings do not agree are look-alikes, left out. Only
    # as many are checked as the choice needs; repeated passages once.
    checked: dict[tuple[str, int], bool] = {}
    candidates: list[tuple[float, int]] = []
    for score, s in scored:
        if candidates and len(candidates) > 1 and score < candidates[0][0]:
            break
        end = s + len(exact)
        if score >= _CONTEXT_MIN and (
            text[max(0, s - len(prefix)) : s] != prefix or text[end : end + len(suffix)] != suffix
        ):
            lo = max(0, s - len(prefix) - REACH)
            key = (text[lo : s + len(exact) + len(suffix) + REACH], s - lo)
            if key not in checked:
                checked[key] = agrees(text, s, s + len(exact), prefix, exact, suffix)
            if not checked[key]:
                continue
        candidates.append((score, s))
    if not candidates:
        return None
    scored = candidates
    best_score, best = scored[0]
    if len(scored) == 1:
        # Even a long quote found once needs its context: the same words in other
        # surroundings are a look-alike, not the passage the note was written on.
        return best if best_score >= _CONTEXT_MIN else None
    runner_up = scored[1][0]
    if best_score >= _CONTEXT_MIN and best_score - runner_up >= _MARGIN:
        return best
    if best_score >= _CONTEXT_MIN and best_score == runner_up and hint is not None:
        # Same context twice (repeated passage): the one nearest the old position.
        tied = [s for score, s in scored if score == best_score]
        return min(tied, key=lambda s: abs(s - hint))
    return None


def _fuzzy(text: str, exact: str, prefix: str, suffix: str) -> Located | None:
    """Edited words: find the passage with its context, then map the quote's ends.

    The quote with its context is aligned to the best-matching stretch of text;
    the edit operations of that alignment carry the quote's start and end over
    to the new text, however the words inside were edited. Both the words found
    and their surroundings must then clear their thresholds.
    """
    if not text:
        return None
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Levenshtein

    needle = prefix + exact + suffix
    region = fuzz.partial_ratio_alignment(needle, text)
    if region is None:
        return None
    # The window starts where the context does; words added inside the passage
    # push its end right, so it may reach a little further than the needle. A
    # global alignment spends the extra characters somewhere, and on repetitive
    # text it may spend them inside the quote: the window without them is tried
    # too, and the span closest to the quote kept.
    lo = region.dest_start
    windows = [min(len(text), region.dest_end + len(exact) // 2 + 1)]
    if region.score >= 100 * _QUOTE_MIN:
        # The passage is there (the quote with its context mostly matches).
        windows.append(region.dest_end)
    for hi in windows:
        ops = Levenshtein.opcodes(needle, text[lo:hi])
        start, end = _trim(
            text,
            lo + _map(ops, len(prefix), after=True),
            lo + _map(ops, len(prefix) + len(exact), after=False),
        )
        if end > start and _similarity(exact, text[start:end]) >= _QUOTE_MIN:
            break
    else:
        return None
    if _context(text, start, end, prefix, suffix) < _CONTEXT_MIN:
        return None
    if not agrees(text, start, end, prefix, exact, suffix):
        return None
    return Located(start, end, "fuzzy")


def _map(ops: Any, position: int, *, after: bool) -> int:
    """Where ``position`` of the aligned source lands in the destination.

    A start (``after``) attaches to the character that follows it, an end to
    the one before it, so text inserted at the boundary stays outside the span.
    """
    for tag, i1, i2, j1, j2 in ops:
        inside = i1 <= position < i2 if after else i1 < position <= i2
        if inside:
            if tag == "delete":
                return int(j1 if after else j2)
            return int(min(j2, j1 + position - i1))
    return int(ops[-1][4]) if after and ops else 0


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
