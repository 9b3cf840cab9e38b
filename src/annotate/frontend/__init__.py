"""Where the front-end files live, and the CSS the vocabulary generates.

``core/`` holds what every surface shares (the highlighter, the anchoring and
the W3C model in the browser); ``book/`` the HTML book's own scripts and styles;
the widget, notes and report scripts sit at the top. Nothing here imports
Sphinx or a widget library: the widgets and the book both read their files
from here.

>>> (CORE_DIR / "anchoring.js").is_file()
True
>>> ".annotate-type--quotation" in vocabulary_css()
True
"""

from __future__ import annotations

from pathlib import Path

from ..vocabulary import CLAIM_TYPES, STATUSES

__all__ = ["BOOK_DIR", "CORE_DIR", "FRONTEND_DIR", "vocabulary_css", "write_if_changed"]

FRONTEND_DIR = Path(__file__).parent
CORE_DIR = FRONTEND_DIR / "core"
BOOK_DIR = FRONTEND_DIR / "book"


def vocabulary_css() -> str:
    """CSS rules for each claim type and status, from the vocabulary."""
    rules = ["/* Generated from annotate.vocabulary: edit that, not this. */"]
    for t in CLAIM_TYPES.values():
        line = "underline overline" if t.underline == "overline" else "underline"
        style = "solid" if t.underline == "overline" else t.underline
        rules.append(
            f".annotate-type--{t.key} {{ --annotate-colour: {t.colour};"
            f" --annotate-line: {line}; --annotate-line-style: {style}; }}"
        )
    for s in STATUSES.values():
        rules.append(f".annotate-status--{s.key} {{ --annotate-status-symbol: '{s.symbol}'; }}")
    return "\n".join(rules) + "\n"


def write_if_changed(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` only if it differs: an unchanged rebuild touches nothing."""
    if not target.exists() or target.read_bytes() != data:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
