"""Feedback a student can open: the editor's claims against their highlights.

``student_feedback(annotations, root, "Ana")`` compares one student's highlights
in a class file with the editor's claim map (the book's ``{claim}`` marks, by
:data:`annotate.classroom.agreement.MATCH_RULE`) and says so as W3C
annotations, motivation ``assessing``, by the editor: one on each claim (found,
with the same type or another, or missed), one on each highlight the editor did
not mark, and one on each headline with the figures in words. The student
imports the file (``annotate import``, the book's layer or the widget) and sees
the comparison on the article. With ``anonymize`` the student is named by their
pseudonym, as in the anonymized report, and may be asked for by it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from ..article import Article
from ..model import Annotation, AnnotationError
from ..placement import PlacedOn, place_again
from .agreement import MATCH_RULE, Mark, Scores, compare, type_label
from .merge import Placement
from .pseudonyms import pseudonyms

__all__ = ["EDITOR", "MOTIVATION", "Feedback", "student_feedback"]

EDITOR = "The editor"
MOTIVATION = "assessing"
TAG = "feedback"


@dataclass(frozen=True)
class Feedback:
    """The feedback annotations, whom they are for, and the figures in words."""

    student: str
    annotations: list[Annotation]
    summary: str

    @property
    def label(self) -> str:
        """The collection's label: whom it is for and what it found."""
        return f"Feedback for {self.student}: {self.summary}"


def _claim_note(kind: str, given: str | None) -> str:
    said = f"The editor marked this as a claim: {type_label(kind)}."
    if given is None:
        return f"{said} You did not mark it."
    if given == kind:
        return f"{said} You found it and gave it the same type."
    return f"{said} You found it and gave it another type: {type_label(given)}."


def _by_editor(article: Article, start: int, end: int, note: str, kind: str | None) -> Annotation:
    made = Annotation.new(
        source=article.source,
        text=article.text,
        start=start,
        end=end,
        claim_type=kind,
        note=note,
        creator=EDITOR,
    )
    return replace(made, tags=(TAG,), motivation=MOTIVATION)


def student_feedback(
    annotations: list[Annotation],
    root: Path,
    student: str,
    *,
    anonymize: bool = False,
    placed_on: dict[str, PlacedOn] | None = None,
) -> Feedback:
    """The feedback for ``student`` (a name, or with ``anonymize`` a pseudonym too).

    ``placed_on``: what a sealed class file's notes were placed on, as for the report.
    """
    where = Placement(root)
    placed = place_again(annotations, where.article, placed_on or {})
    names = {a.creator for a in placed}
    shown = student
    real = student
    if anonymize:
        mapping = pseudonyms(names)
        by_alias = {alias: name for name, alias in mapping.items()}
        real = by_alias.get(student, student)
        shown = mapping.get(real, student)
    if real not in names:
        raise AnnotationError(f"no annotations by {student!r} in the class file")
    mine: dict[str, list[Mark]] = defaultdict(list)
    for a in placed:
        if a.creator == real and not a.orphan:
            mine[a.source].append(Mark(a.start, a.end, a.claim_type))
    out: list[Annotation] = []
    comparisons = []
    for source in sorted({a.source for a in placed}):
        article = where.article(source)
        if article is None:
            continue
        result = compare(mine[source], article.claims)
        comparisons.append(result)
        here = Scores.of([result])
        headline = article.blocks[0]
        out.append(
            _by_editor(
                article,
                headline.start,
                headline.end,
                f"Your reading against the editor's claims: {here.feedback()} {MATCH_RULE}",
                None,
            )
        )
        for claim, j in zip(article.claims, result.best, strict=True):
            given = None if j is None else result.marks[j].label
            note = _claim_note(claim.type, given)
            out.append(_by_editor(article, claim.start, claim.end, note, claim.type))
        for mark, on in zip(result.marks, result.on_claim, strict=True):
            if not on:
                note = "You marked this; the editor did not mark it as a claim. Worth discussing."
                out.append(_by_editor(article, mark.start, mark.end, note, None))
    return Feedback(shown, out, Scores.of(comparisons).feedback())
