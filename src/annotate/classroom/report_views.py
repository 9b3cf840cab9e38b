"""The class report's wire format: what ``build_report`` hands the page and the widget.

``frontend/report.js`` draws exactly these shapes (its JSDoc typedefs mirror them);
positions count code points in the chapter's text.
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = [
    "AgreementView",
    "BlockView",
    "ChapterView",
    "ContestedView",
    "EditorClaimView",
    "NoteView",
    "PassageView",
    "ReportData",
    "SentenceView",
    "SideView",
    "StudentRow",
    "StudentScoreView",
    "Totals",
]


class BlockView(TypedDict):
    kind: str
    start: int
    end: int


class NoteView(TypedDict):
    """One annotation as the page sees it; ``student`` indexes ``ReportData.students``."""

    student: int
    claimType: str | None
    status: str | None
    start: int
    end: int
    exact: str
    note: str
    tags: list[str]
    orphan: bool
    block: int
    created: str


class PassageView(TypedDict):
    start: int
    end: int
    text: str
    students: int


class EditorClaimView(TypedDict):
    """An editor-marked claim and what the class made of the same words."""

    id: str
    type: str
    start: int
    end: int
    text: str
    students: int
    types: dict[str, int]


class SentenceView(TypedDict):
    """How alike the class labelled one sentence (``None``: undefined, ``alphaNote`` says why)."""

    start: int
    end: int
    students: int
    labels: dict[str, int]
    entropy: float | None
    alpha: float | None
    alphaNote: str


class SideView(TypedDict):
    """One label of a contested passage: how many gave it, and notes (indexes into notes)."""

    label: str
    students: int
    notes: list[int]


class ContestedView(TypedDict):
    start: int
    end: int
    text: str
    students: int
    entropy: float | None
    alpha: float | None
    sides: list[SideView]


class ChapterView(TypedDict):
    """One chapter's text (``None`` when the chapter was not found) and its notes."""

    source: str
    name: str
    title: str
    text: str | None
    blocks: list[BlockView]
    editorClaims: list[EditorClaimView]
    notes: list[NoteView]
    top: dict[str, list[PassageView]]
    sentences: list[SentenceView]
    contested: list[ContestedView]


class StudentRow(TypedDict):
    student: int
    counts: dict[str, int]
    total: int


class Totals(TypedDict):
    students: int
    annotations: int
    withNotes: int
    orphaned: int
    chapters: int


class StudentScoreView(TypedDict):
    """One student against the editor's claims (``None``: undefined; see the notes)."""

    student: int
    claims: int
    found: int
    highlights: int
    onClaim: int
    sameType: int
    precision: float | None
    recall: float | None
    f1: float | None
    kappa: float | None
    kappaNote: str
    typeAgreement: float | None
    feedback: str


class AgreementView(TypedDict):
    """The rules, stated in the report, and each student's scores."""

    matchRule: str
    alphaRule: str
    byStudent: list[StudentScoreView]


class ReportData(TypedDict):
    """Everything the page shows; ``report.js`` renders it, the CSV is written from it."""

    title: str
    students: list[str]
    anonymized: bool
    vocabulary: dict[str, Any]
    totals: Totals
    byStudent: list[StudentRow]
    chapters: list[ChapterView]
    agreement: AgreementView
