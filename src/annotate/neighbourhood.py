"""Whether the words around a candidate are the passage a note was written on.

A selector stores its quote with some context (``prefix``, ``suffix``). Where
the anchoring (:mod:`annotate.anchoring`) finds a candidate, the stored words
are aligned, word by word, with the text around it: a copy-edit in one place,
words inserted, or context lost up to a paragraph break (a moved paragraph)
explain what changed; more edits, or an edit beside another, is a look-alike
sentence (same structure, other people, places and verbs), and the note must
not land there. ``frontend/core/anchoring.js`` applies the same rules.

>>> text = "Hegseth met Nakatani in Tokyo on Sunday."
>>> agrees(text, 12, 20, "Hegseth met ", "Nakatani", " in Tokyo")
True
>>> agrees("Ishiba met Nakatani in Osaka on Friday.", 11, 19, "Hegseth met ", "Nakatani",
...        " in Tokyo on Sunday.")
False
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["CONTEXT_CHARS", "REACH", "agrees"]

# Characters of context a selector stores on each side of its quote.
CONTEXT_CHARS = 32
# Edits a copy-edit may explain around a candidate: old context words lost,
# places edited in the quote. More, or one beside context cut short, is a
# look-alike sentence, not the passage the note was written on.
_MAX_EDITS = 1
# The text compared with the context reaches this much further out, so words
# pushed along by an insertion are still seen.
_SLACK = 16
# How far out words cut from the context are looked for: text inserted
# beside a passage pushes them this far at most.
REACH = 128
# Alignment costs of the word comparison: an old word lost, a place where
# words were lost, a word added. Losing a word costs more than the rest, so
# the alignment never gives up a word to save a place or an addition.
_LOSE, _OPEN, _ADD = 8, 2, 1
# A word: letters and digits (punctuation and typography, quotes and dashes, aside).
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    words: list[str] = []
    for token in text.split():
        # Most tokens are whole words; the pattern only splits the others.
        if token.isalnum():
            words.append(token)
        else:
            words += _WORD.findall(token)
    return words


def agrees(text: str, start: int, end: int, prefix: str, exact: str, suffix: str) -> bool:
    """Whether ``text[start:end]`` with its surroundings is the passage, not a look-alike.

    The stored neighbourhood (prefix, quote, suffix) is compared word by word
    with the text around the candidate. An edit in one place (a word or two)
    is a copy-edit; words added are an insertion; context lost up to a
    paragraph break is a moved paragraph. More edits, or an edit beside any of
    the others, is what a look-alike sentence looks like: same structure,
    other people, places and verbs.
    """
    found = text[start:end]
    if (
        found == exact
        and text[max(0, start - len(prefix)) : start] == prefix
        and text[end : end + len(suffix)] == suffix
    ):
        return True
    before = text[max(0, start - len(prefix) - REACH) : start]
    after = text[end : end + len(suffix) + REACH]
    edits = 0
    disturbed = False
    if found != exact:
        # Inside the quote its similarity bounds the damage: a copy-edit of a word
        # or two in one place counts once.
        quote = _kept(_words(exact), _words(found), far=None, piece=False)
        edits, disturbed = quote.quote_edits, quote.inserted
    for stored, near, far in ((prefix, before, 0), (suffix, after, -1)):
        if near.endswith(stored) if far == 0 else near.startswith(stored):
            continue
        side = _side(stored, near, far)
        if side.outer > 1 and not _at_break(stored, near, far):
            return False
        # One word lost at the edge is an edit there, not context cut short.
        edits += side.edits + (side.outer == 1)
        disturbed = disturbed or side.inserted or side.outer > 1 or not side.kept
    return edits == 0 or (edits <= _MAX_EDITS and not disturbed)


def _side(stored: str, near: str, far: int) -> _Alignment:
    """The stored context's words aligned with the text beside the candidate.

    ``far`` says which end of ``near`` lies away from the candidate (0: start,
    -1: end); the stored context's word there is usually cut mid-word.
    """
    old = _words(stored)
    piece = len(stored) >= CONTEXT_CHARS and bool(old) and bool(_WORD.match(stored[far]))
    if piece and len(old[far]) < 3:
        # Too short a piece of a word would match anything.
        old = old[1:] if far == 0 else old[:-1]
        piece = False
    reach = len(stored) + _SLACK
    found = _kept(old, _words(near[-reach:] if far == 0 else near[:reach]), far=far, piece=piece)
    outer = found.outer
    if outer and len(near) > reach:
        # Words pushed further out by an insertion are found there, if at all.
        words = _words(near)
        lost = old[:outer] if far == 0 else old[len(old) - outer :]
        if (piece and len(lost) == 1) or any(word in words for word in lost):
            found = _kept(old, words, far=far, piece=piece)
    return found


def _at_break(stored: str, near: str, far: int) -> bool:
    """Whether the stored context is intact up to where the text, too, breaks off.

    That is a paragraph break in both (a paragraph moved), or the text's edge
    (what followed was deleted at the end). ``far`` as in :func:`_side`.
    """
    if far == 0:
        stored, near = stored[::-1], near[::-1]
    same = 0
    while same < min(len(stored), len(near)) and stored[same] == near[same]:
        same += 1
    brk = stored.find("\n")
    return (0 <= brk <= same and (same > brk or len(near) == brk)) or not near[same:].strip()


class _Alignment(NamedTuple):
    """Old words aligned with new ones, summed up.

    ``outer``: old words lost at the free end (context cut short there);
    ``edits``: old words lost elsewhere, one each, except that words damaged
    rather than replaced (what is left adds no letter of its own) count once
    together; ``quote_edits``: the same, but a word or two replaced, or words
    deleted outright, also count once together; ``inserted``: whether words
    were added between kept ones, more than replaced; ``kept``: whether any
    old word is still there.
    """

    outer: int
    edits: int
    quote_edits: int
    inserted: bool
    kept: bool


def _summary(
    ops: list[tuple[str, int, int]], old: list[str], new: list[str], far: int | None
) -> _Alignment:
    """Sum up an alignment; an end that is not free counts as a kept word."""
    outer = edits = quote_edits = 0
    inserted = kept = False
    lost: list[str] = []
    added: list[str] = []
    seen = far != 0

    def close() -> None:
        nonlocal edits, quote_edits, inserted
        if lost:
            damaged = _within("".join(added), "".join(lost))
            edits += 1 if damaged and added else len(lost)
            quote_edits += 1 if damaged or len(lost) <= 2 else len(lost)
        inserted = inserted or len(added) > len(lost) + 1

    for op, i, j in ops:
        if op == "k":
            if seen:
                close()
            elif far == 0:
                outer = len(lost)
            lost, added, seen, kept = [], [], True, True
        elif op == "l":
            lost.append(old[i])
        else:
            added.append(new[j])
    if not kept:
        outer = len(lost) if far is not None else 0
        if far is None:
            close()
    elif far == -1:
        outer = len(lost)
    else:
        close()
    return _Alignment(outer, edits, quote_edits, inserted, kept)


def _within(part: str, whole: str) -> bool:
    """Whether ``part`` is ``whole`` with some characters left out."""
    rest = iter(whole)
    return all(ch in rest for ch in part)


def _kept(old: list[str], new: list[str], *, far: int | None, piece: bool) -> _Alignment:
    """The ``old`` words aligned in order with ``new``.

    ``far`` is the end (0: start, -1: end, None: neither) where ``new`` reaches
    further out than ``old``: extra words there are free, and the old word
    there may be a ``piece`` cut mid-word. Losing an old word costs most, then
    each place where words were lost (so losses are grouped, also on
    repetitive text); an added word costs little, for an insertion is no
    look-alike.
    """
    # Words equal at an end that is not free are matched without search.
    head = tail = 0
    while head < len(old) and head < len(new) and far != 0 and old[head] == new[head]:
        head += 1
    if piece and far == -1:
        head = min(head, len(old) - 1)
    while (
        tail < len(old) - head
        and tail < len(new) - head
        and far != -1
        and old[-1 - tail] == new[-1 - tail]
    ):
        tail += 1
    if piece and far == 0:
        tail = min(tail, len(old) - head - 1)
    inner, words = old[head : len(old) - tail], new[head : len(new) - tail]
    m, n = len(inner), len(words)

    at_piece = (0 if far == 0 else m - 1) if piece else -1

    def same(i: int, word: str) -> bool:
        if i != at_piece:
            return inner[i] == word
        return word.endswith(inner[i]) if far == 0 else word.startswith(inner[i])

    inf = 1 << 30
    # kept[i][j] / lost[i][j]: inner[:i] aligned with words[:j], inner[i-1] kept / lost.
    kept = [[inf] * (n + 1) for _ in range(m + 1)]
    lost = [[inf] * (n + 1) for _ in range(m + 1)]
    kept[0] = [0] * (n + 1) if far == 0 else [j * _ADD for j in range(n + 1)]
    for i in range(1, m + 1):
        lost[i][0] = _OPEN + i * _LOSE
        k_up, l_up, k_row, l_row = kept[i - 1], lost[i - 1], kept[i], lost[i]
        matches = [same(i - 1, word) for word in words]
        for j in range(1, n + 1):
            # The same minima as in the docstring's costs, spelt out for speed.
            kd, ld, ku, lu = k_up[j - 1], l_up[j - 1], k_up[j], l_up[j]
            k = k_row[j - 1] + _ADD
            if matches[j - 1]:
                diagonal = kd if kd < ld else ld
                if diagonal < k:
                    k = diagonal
            k_row[j] = k
            go_on = (ld if ld < lu else lu) + _LOSE
            start = (kd if kd < ku else ku) + _OPEN + _LOSE
            if start < go_on:
                go_on = start
            added = l_row[j - 1] + _ADD
            l_row[j] = added if added < go_on else go_on
    j = n
    if far == -1:
        j = min(range(n + 1), key=lambda c: (min(kept[m][c], lost[m][c]), c))
    i, in_lost = m, lost[m][j] < kept[m][j]
    # Walk back: "k" an old word kept, "l" lost, "a" a new word added.
    ops: list[tuple[str, int, int]] = []
    while i > 0:
        if not in_lost:
            if (
                j > 0
                and same(i - 1, words[j - 1])
                and kept[i][j] == min(kept[i - 1][j - 1], lost[i - 1][j - 1])
            ):
                ops.append(("k", head + i - 1, head + j - 1))
                in_lost = lost[i - 1][j - 1] < kept[i - 1][j - 1]
                i, j = i - 1, j - 1
            else:
                ops.append(("a", -1, head + j - 1))
                j -= 1
            continue
        here = lost[i][j]
        if j > 0 and here == lost[i - 1][j - 1] + _LOSE:
            ops += [("a", -1, head + j - 1), ("l", head + i - 1, -1)]
            i, j = i - 1, j - 1
        elif j > 0 and here == kept[i - 1][j - 1] + _OPEN + _LOSE:
            ops += [("a", -1, head + j - 1), ("l", head + i - 1, -1)]
            i, j, in_lost = i - 1, j - 1, False
        elif here == lost[i - 1][j] + _LOSE:
            ops.append(("l", head + i - 1, -1))
            i -= 1
        elif here == kept[i - 1][j] + _OPEN + _LOSE:
            ops.append(("l", head + i - 1, -1))
            i, in_lost = i - 1, False
        else:
            ops.append(("a", -1, head + j - 1))
            j -= 1
    if far != 0:
        ops += [("a", -1, head + k) for k in reversed(range(j))]
    ops = (
        [("k", k, k) for k in range(head)]
        + ops[::-1]
        + [("k", len(old) - tail + k, len(new) - tail + k) for k in range(tail)]
    )
    return _summary(ops, old, new, far)
