"""What the class report shows, as data: ``build_report(annotations, book)``.

The article under a heatmap of how many students highlighted each passage (or,
in Agreement mode, of how alike the class labelled each sentence), filters by
claim type, status and student, the notes under each paragraph, a summary per
student and per claim type, the editor's marked claims beside what the class
found, each student's scores against them and the contested passages
(:mod:`annotate.classroom.agreement`). With ``anonymize`` names become keyed
pseudonyms (:mod:`annotate.classroom.pseudonyms`). The shapes are
:mod:`annotate.classroom.report_views`; the page is
:mod:`annotate.classroom.report_page`, the CSV :mod:`annotate.classroom.report_csv`.

Each chapter's view is :mod:`annotate.classroom.report_chapter`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import Executor
from operator import attrgetter, itemgetter
from pathlib import Path

from ..beside import HERE
from ..model import Annotation
from ..placement import PlacedOn, place_again
from ..vocabulary import vocabulary_json
from .agreement import (
    MATCH_RULE,
    NO_TYPE,
    Comparison,
    Scores,
)
from .merge import Placement
from .pseudonyms import pseudonyms, scrubber
from .report_chapter import chapter_name, chapter_view, coverage
from .report_views import (
    AgreementView,
    ChapterView,
    ContestedView,
    NoteView,
    ReportData,
    SentenceView,
    StudentRow,
    StudentScoreView,
    Totals,
)

__all__ = [
    "ALPHA_RULE",
    "NO_TYPE",
    "AgreementView",
    "ChapterView",
    "ContestedView",
    "NoteView",
    "ReportData",
    "SentenceView",
    "StudentScoreView",
    "build_report",
    "coverage",
]

ALPHA_RULE = (
    "Agreement per sentence is Krippendorff's alpha (nominal): the sentence's words are "
    "the units, the students who marked the sentence the coders, and each word's value the "
    "claim type of the student's highlight on it, or unmarked. 1 is full agreement, 0 what "
    "chance would give, below 0 systematic disagreement. It is undefined when fewer than "
    "two students marked the sentence or when every word got one and the same label."
)


def build_report(
    annotations: list[Annotation],
    root: Path,
    *,
    anonymize: bool = False,
    pool: Executor = HERE,
    placed_on: dict[str, PlacedOn] | None = None,
) -> ReportData:
    """The report's data: ``annotations`` re-anchored on the chapters under ``root``.

    With ``anonymize`` every name, in the creator field and inside notes and
    tags, becomes a pseudonym (see :func:`pseudonyms`). ``pool`` works out the
    sentences' agreement beside (``annotate.beside.worker``); by default, here.
    ``placed_on``: what a sealed class file's notes were placed on (read by
    ``read_annotations``): on a chapter unchanged since, nothing is looked for again.
    """
    where = Placement(root)
    # Replies answer a note, not the text: they are no highlight and their authors
    # (often the teacher) no students of the heatmap.
    notes = [a for a in annotations if a.reply_to is None]
    placed = place_again(notes, where.article, placed_on or {})
    names = sorted({a.creator for a in placed}, key=lambda n: (n.casefold(), n))
    scrub: Callable[[str], str] | None = None
    if anonymize:
        mapping = pseudonyms(names)
        scrub = scrubber(mapping)
        names = sorted(mapping.values())
        student = {real: names.index(alias) for real, alias in mapping.items()}
    else:
        student = {name: i for i, name in enumerate(names)}
    by_source: dict[str, list[Annotation]] = defaultdict(list)
    for ann in placed:
        by_source[ann.source].append(ann)
    articles = {a.source: a for a in where.articles.values() if a is not None}
    chapters = []
    comparisons: dict[int, list[Comparison]] = {i: [] for i in range(len(names))}
    for source in sorted(by_source, key=chapter_name):
        article = articles.get(source)
        chapter, compared = chapter_view(
            source, article, by_source[source], student, scrub, len(names), pool
        )
        chapters.append(chapter)
        for i, comparison in compared.items():
            comparisons[i].append(comparison)
    rows: dict[int, Counter[str]] = {i: Counter() for i in range(len(names))}
    for ch in chapters:
        # Counted by (student, type) in one C loop, then shared out: each student's
        # types keep the order they first came in.
        pairs = Counter(map(itemgetter("student", "claimType"), ch["notes"]))
        for (i, kind), count in pairs.items():
            rows[i][kind or NO_TYPE] += count
    title = chapters[0]["title"] if len(chapters) == 1 else f"{len(chapters)} chapters"
    return ReportData(
        title=title,
        students=names,
        anonymized=anonymize,
        vocabulary=vocabulary_json(),
        totals=Totals(
            students=len(names),
            annotations=len(placed),
            # Counted in C loops: a class has 60,000 notes.
            withNotes=sum(map(bool, map(str.strip, map(attrgetter("note"), placed)))),
            orphaned=sum(map(attrgetter("orphan"), placed)),
            chapters=len(chapters),
        ),
        byStudent=[
            StudentRow(student=i, counts=dict(c), total=sum(c.values())) for i, c in rows.items()
        ],
        chapters=chapters,
        agreement=AgreementView(
            matchRule=MATCH_RULE,
            alphaRule=ALPHA_RULE,
            byStudent=[_score_view(i, Scores.of(c)) for i, c in comparisons.items()],
        ),
    )


def _score_view(student: int, s: Scores) -> StudentScoreView:
    return StudentScoreView(
        student=student,
        claims=s.claims,
        found=s.found,
        highlights=s.highlights,
        onClaim=s.on_claim,
        sameType=s.same_type,
        precision=s.precision,
        recall=s.recall,
        f1=s.f1,
        kappa=s.kappa,
        kappaNote=s.kappa_note,
        typeAgreement=s.type_agreement,
        feedback=s.feedback(),
    )
