"""MyST escaping: article text as MyST source that shows exactly the words written.

>>> escape_markdown("1. *Not* a list")
'1\\\\. \\\\*Not\\\\* a list'
>>> claim_role("a `b`", "x-p1-factual-1", "factual")
'{claim}``a `b` <x-p1-factual-1:factual>``'
"""

from __future__ import annotations

import re

__all__ = ["claim_role", "escape_markdown", "escaped_chars"]

# Markdown/MyST reads these anywhere in a line; a backslash makes each literal.
_INLINE_SPECIAL = frozenset("\\*_`[]<>|{}$~")
# ... and these only where a line starts (headings, lists, quotes, comments, fences,
# definition lists, targets, block breaks, setext underlines).
_LINE_START_SPECIAL = frozenset("#>-+=%:~(")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ORDERED_MARKER = re.compile(r"^[0-9]{1,9}(?=[.)](?:\s|$))")


def escaped_chars(text: str, *, heading: bool = False) -> list[str]:
    """``text`` one piece per character, each escaped so MyST shows it as written."""
    out = []
    for i, char in enumerate(text):
        if (
            char in _INLINE_SPECIAL
            or (char == "#" and heading)
            or (char == "&" and _ENTITY.match(text, i))
        ):
            out.append("\\" + char)
        else:
            out.append(char)
    if out and not heading:
        if text[0] in _LINE_START_SPECIAL:
            out[0] = "\\" + text[0]
        elif marker := _ORDERED_MARKER.match(text):
            out[marker.end()] = "\\" + text[marker.end()]
    return out


def escape_markdown(text: str, *, heading: bool = False) -> str:
    """One line of text as MyST source that shows exactly ``text``.

    ``heading`` is for the text after ``# `` (a trailing ``#`` would close it).

    >>> escape_markdown("% of the *vote* <b>")
    '\\\\% of the \\\\*vote\\\\* \\\\<b\\\\>'
    """
    return "".join(escaped_chars(text, heading=heading))


def claim_role(words: str, claim_id: str, kind: str) -> str:
    """``{claim}`words <id:type>``` with enough backticks around words that hold some."""
    ticks = "`" * (max((len(r) for r in re.findall("`+", words)), default=0) + 1)
    return f"{{claim}}{ticks}{words} <{claim_id}:{kind}>{ticks}"
