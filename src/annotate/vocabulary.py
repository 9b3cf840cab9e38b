"""The claim vocabulary: one source of truth for every surface.

The widget, the HTML book layer, the class report and the Sphinx extension all
read these labels, colours and cues from here; none of them spells a label out.

>>> CLAIM_TYPES["quotation"].label
'Quotation'
>>> claim_type("Factual claim").key
'factual'
>>> STATUSES["disputed"].label
'Disputed'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "CLAIM_TYPES",
    "STATUSES",
    "ClaimType",
    "Status",
    "claim_type",
    "status",
    "vocabulary_json",
]


@dataclass(frozen=True)
class ClaimType:
    """One kind of claim a reader can mark.

    ``colour`` is a colour-blind-safe hue (Okabe-Ito's, darkened where needed, and a
    violet for predictions): each has at least 3:1 contrast against a white and a
    dark page, and white label text on it at least 4.5:1 (WCAG 2.2 AA; a test holds
    this). ``underline`` and
    ``symbol`` are the non-colour cues, so the type is readable in greyscale and
    by a reader who cannot tell the hues apart. ``underline`` is a CSS
    ``text-decoration-style`` value, or ``overline`` for a line above and below.
    """

    key: str
    label: str
    definition: str
    colour: str
    underline: str
    symbol: str


@dataclass(frozen=True)
class Status:
    """How far a marked claim has been checked."""

    key: str
    label: str
    definition: str
    symbol: str


CLAIM_TYPES: dict[str, ClaimType] = {
    t.key: t
    for t in (
        ClaimType(
            "factual",
            "Factual claim",
            "A statement about the world that evidence can confirm or refute.",
            "#0072B2",
            "solid",
            "F",
        ),
        ClaimType(
            "quotation",
            "Quotation",
            "Somebody's exact words, reproduced inside quotation marks.",
            "#00785A",
            "double",
            "Q",
        ),
        ClaimType(
            "attribution",
            "Attribution",
            "Words that say who said, thinks or feels something, named or not.",
            "#A6447F",
            "dotted",
            "A",
        ),
        ClaimType(
            "framing",
            "Framing",
            "Word choice or emphasis that steers how the reader sees the facts.",
            "#8A6100",
            "dashed",
            "Fr",
        ),
        ClaimType(
            "opinion",
            "Opinion",
            "A judgement or belief that evidence alone cannot settle.",
            "#C04A00",
            "wavy",
            "Op",
        ),
        ClaimType(
            "prediction",
            "Prediction",
            "A statement about what will or may happen.",
            "#7A5AB5",
            "overline",
            "Pr",
        ),
    )
}

STATUSES: dict[str, Status] = {
    s.key: s
    for s in (
        Status("needs-checking", "Needs checking", "Nobody has checked it yet.", "?"),
        Status("supported", "Supported", "Independent sources back it up.", "\u2713"),
        Status("disputed", "Disputed", "Independent sources contradict it.", "\u2717"),
    )
}

_BY_NAME: dict[str, ClaimType] = {
    **{t.label.casefold(): t for t in CLAIM_TYPES.values()},
    **CLAIM_TYPES,
}
_STATUS_BY_NAME: dict[str, Status] = {
    **{s.label.casefold(): s for s in STATUSES.values()},
    **STATUSES,
}


def claim_type(name: str) -> ClaimType:
    """The claim type named by its key or label (any case).

    >>> claim_type("prediction").label
    'Prediction'

    Raises ``KeyError`` naming the known labels when ``name`` is none of them.
    """
    found = _BY_NAME.get(name) or _BY_NAME.get(name.casefold())
    if found is None:
        known = ", ".join(t.label for t in CLAIM_TYPES.values())
        raise KeyError(f"unknown claim type {name!r}; known: {known}")
    return found


def status(name: str) -> Status:
    """The verification status named by its key or label (any case).

    >>> status("Needs checking").key
    'needs-checking'
    """
    found = _STATUS_BY_NAME.get(name) or _STATUS_BY_NAME.get(name.casefold())
    if found is None:
        known = ", ".join(s.label for s in STATUSES.values())
        raise KeyError(f"unknown status {name!r}; known: {known}")
    return found


def vocabulary_json() -> dict[str, Any]:
    """The vocabulary as plain JSON, for the front ends.

    >>> [t["label"] for t in vocabulary_json()["claimTypes"]][:2]
    ['Factual claim', 'Quotation']
    """
    return {
        "claimTypes": [asdict(t) for t in CLAIM_TYPES.values()],
        "statuses": [asdict(s) for s in STATUSES.values()],
    }
