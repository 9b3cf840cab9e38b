"""Sentences of an article: the rule the keyboard highlighter and the report share.

A sentence ends at ``.``, ``!`` or ``?`` (with any closing quotes) before white
space, but not after an initial or a common abbreviation ("U.S.", "Gen."); a
blank line (a new paragraph) always ends one. ``frontend/core/annotator.js``
holds the same rule for the browser; tests hold the two to the same spans.

>>> sentences("Gen. Smith said so. Did he?")
[(0, 19), (20, 27)]
"""

from __future__ import annotations

import re

__all__ = ["sentences"]

_ENDS = re.compile('[.!?]+["\u201d\u2019)]*(?=\\s|$)|\n\n')
_ABBREVIATIONS = re.compile(
    r"(?:^|[\s(“\".])(?:[A-Z]|Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|St|Jr|Sr|No|vs|etc"
    r"|e\.g|i\.e)\.$"
)


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` as ``(start, end)`` spans, spaces trimmed."""
    stop = len(text) if end is None else end
    out: list[tuple[int, int]] = []

    def push(a: int, b: int) -> None:
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        if body:
            out.append((a + lead, a + lead + len(body)))

    origin = start
    for m in _ENDS.finditer(text, start, stop):
        if m.group() == "\n\n":
            push(origin, m.start())
        else:
            before = text[origin : m.start() + 1].rstrip('"\u201d\u2019)')
            if _ABBREVIATIONS.search(before):
                continue
            push(origin, m.end())
        origin = m.end()
    push(origin, stop)
    return out
