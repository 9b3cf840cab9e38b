"""One chapter of the class report: ``chapter_view(source, article, annotations, ...)``.

Its notes in order of place, the passages most students marked per claim type, the
editor's claims beside what the class found, each sentence's agreement (worked out
by ``pool``, in the command a second process: :mod:`annotate.beside`) and the most
contested sentences with a note from each side. :mod:`annotate.classroom.report_data`
puts the chapters together.

>>> coverage([(0, 4, "ana"), (2, 6, "ben"), (3, 5, "ana")])  # Ana's two marks count once
[(0, 2, 1), (2, 5, 2), (5, 6, 1)]
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import BrokenExecutor, Executor, Future

from ..article import Article
from ..beside import HERE
from ..model import Annotation
from .agreement import (
    NO_TYPE,
    Comparison,
    Mark,
    SentenceAgreement,
    compare,
    contested_order,
    sentences,
    sentences_agreement,
)
from .report_views import (
    BlockView,
    ChapterView,
    ContestedView,
    EditorClaimView,
    NoteView,
    PassageView,
    SentenceView,
    SideView,
)

__all__ = ["chapter_name", "chapter_view", "coverage"]

_TOP_PASSAGES = 3
_CONTESTED = 6  # contested passages shown per chapter
_SIDES = 3  # labels shown per contested passage
_NOTES_PER_SIDE = 3

_Span = tuple[int, int, int]  # a placed note's start, end and student


def coverage(spans: Iterable[tuple[int, int, Hashable]]) -> list[tuple[int, int, int]]:
    """Runs ``(start, end, count)`` of how many distinct owners cover each position.

    Each span is ``(start, end, owner)``; an owner's overlapping spans count once.
    Uncovered stretches are left out; neighbouring runs differ in count.
    """
    by_owner: dict[Hashable, list[tuple[int, int]]] = defaultdict(list)
    for start, end, owner in spans:
        if end > start:
            by_owner[owner].append((start, end))
    # A plain dict with get, not a Counter: a Counter's missing key costs a Python call.
    events: dict[int, int] = {}
    for owned in by_owner.values():
        owned.sort()
        lo, hi = owned[0]
        for start, end in owned:
            if start <= hi:
                if end > hi:
                    hi = end
                continue
            events[lo] = events.get(lo, 0) + 1
            events[hi] = events.get(hi, 0) - 1
            lo, hi = start, end
        events[lo] = events.get(lo, 0) + 1
        events[hi] = events.get(hi, 0) - 1
    runs: list[tuple[int, int, int]] = []
    count, previous = 0, 0
    for pos in sorted(events):
        if count and pos > previous:
            if runs and runs[-1][1] == previous and runs[-1][2] == count:
                runs[-1] = (runs[-1][0], pos, count)
            else:
                runs.append((previous, pos, count))
        count += events[pos]
        previous = pos
    return runs


def chapter_name(source: str) -> str:
    if source.startswith("urn:annotate:"):
        return source.split(":", 3)[3] if source.count(":") >= 3 else source
    return source


def _top_passages(
    notes: list[NoteView], placed: list[_Span], longest: int, text: str | None
) -> list[PassageView]:
    """The passages most students highlighted, most first, none overlapping.

    ``placed`` are the placed ones of ``notes``, in order of start, none longer than
    ``longest``. A passage is the stretch the most students covered, widened to the
    span students most often chose there, so it reads as words rather than a fragment.
    """
    if text is None:
        # No article to place them on: the same quoted words make a passage.
        students: dict[str, set[int]] = defaultdict(set)
        for n in notes:
            students[n["exact"]].add(n["student"])
        ranked = sorted(students.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        return [
            PassageView(start=-1, end=-1, text=words, students=len(who))
            for words, who in ranked[:_TOP_PASSAGES]
        ]
    runs = sorted(coverage(placed), key=lambda r: (-r[2], r[0]))
    # The notes come in order of start: those covering a run's start are found in a
    # window of them, not the whole class's.
    starts = [p[0] for p in placed]
    chosen: list[PassageView] = []
    for start, end, count in runs:
        if any(start < p["end"] and p["start"] < end for p in chosen):
            continue
        window = placed[
            bisect.bisect_left(starts, start - longest) : bisect.bisect_right(starts, start)
        ]
        spans = Counter((lo, hi) for lo, hi, _ in window if start < hi)
        (lo, hi), _ = max(spans.items(), key=lambda kv: (kv[1], kv[0][0] - kv[0][1], -kv[0][0]))
        if any(lo < p["end"] and p["start"] < hi for p in chosen):
            continue
        # Whole words: a selection that starts inside a word reads as a typo.
        while lo > 0 and not text[lo - 1].isspace() and not text[lo].isspace():
            lo -= 1
        while hi < len(text) and not text[hi].isspace() and not text[hi - 1].isspace():
            hi += 1
        chosen.append(PassageView(start=lo, end=hi, text=text[lo:hi], students=count))
        if len(chosen) == _TOP_PASSAGES:
            break
    return chosen


def _editor_claims(
    article: Article, placed_by_type: dict[str, list[_Span]], longest: int
) -> list[EditorClaimView]:
    placed = sorted(
        [(a, b, student, kind) for kind, spans in placed_by_type.items() for a, b, student in spans]
    )
    starts = [p[0] for p in placed]
    out = []
    for claim in article.claims:
        # Only notes starting before the claim ends, and at most the longest note's
        # length before it starts, can overlap it.
        lo = bisect.bisect_left(starts, claim.start - longest)
        hits = [p for p in placed[lo : bisect.bisect_left(starts, claim.end)] if p[1] > claim.start]
        given: dict[str, set[int]] = defaultdict(set)
        for _, _, student, kind in hits:
            given[kind].add(student)
        out.append(
            EditorClaimView(
                id=claim.id,
                type=claim.type,
                start=claim.start,
                end=claim.end,
                text=article.text[claim.start : claim.end],
                students=len({p[2] for p in hits}),
                types={k: len(v) for k, v in sorted(given.items(), key=lambda kv: -len(kv[1]))},
            )
        )
    return out


def _measure(article: Article, marks: dict[int, list[Mark]]) -> list[SentenceAgreement]:
    """Every sentence's agreement (the students' ``marks`` on it)."""
    spans = [
        span for block in article.blocks for span in sentences(article.text, block.start, block.end)
    ]
    return sentences_agreement(article.text, spans, marks)


def _submit(
    pool: Executor, article: Article, marks: dict[int, list[Mark]]
) -> Future[list[SentenceAgreement]]:
    """``_measure`` started in ``pool``, or done here if its process died."""
    try:
        return pool.submit(_measure, article, marks)
    except BrokenExecutor:
        return HERE.submit(_measure, article, marks)


def _measured(
    pending: Future[list[SentenceAgreement]], article: Article, marks: dict[int, list[Mark]]
) -> list[SentenceAgreement]:
    """What ``_measure`` gave, or worked out here if its process died."""
    try:
        return pending.result()
    except BrokenExecutor:
        return _measure(article, marks)


def _marks(
    annotations: list[Annotation], student: dict[str, int], students: int
) -> tuple[dict[int, list[Mark]], int]:
    """Each student's placed highlights, in the order given; the longest one's length."""
    marks: dict[int, list[Mark]] = {i: [] for i in range(students)}
    # A class repeats a few thousand spans 60,000 times: one Mark per distinct span,
    # shared, rather than one per note.
    known: dict[tuple[int, int, str | None], Mark] = {}
    for a in annotations:
        if not a.orphan:
            key = (a.start, a.end, a.claim_type)
            mark = known.get(key)
            if mark is None:
                mark = known[key] = Mark(*key)
            marks[student[a.creator]].append(mark)
    return marks, max((m.end - m.start for m in known.values()), default=0)


def _agreement(
    article: Article,
    notes: list[NoteView],
    starts: list[int],
    longest: int,
    found: list[SentenceAgreement],
) -> tuple[list[SentenceView], list[ContestedView]]:
    """Every sentence's agreement, and the most contested with notes from each side.

    ``starts`` are the notes' starts (they come in order of start); no placed note
    is longer than ``longest``.
    """
    views = [
        SentenceView(
            start=f.start,
            end=f.end,
            students=f.students,
            labels=f.labels,
            entropy=f.entropy,
            alpha=f.alpha,
            alphaNote=f.alpha_note,
        )
        for f in found
    ]
    contested = []
    # The notes that overlap a sentence start before it ends and at most the longest
    # placed note's length before it starts.
    for f in contested_order(found)[:_CONTESTED]:
        shown = list(f.labels.items())[:_SIDES]
        # The longest notes argue a side best, one per student: so each student's
        # longest note on the sentence (the first of equals) per side, in one pass.
        longest_of: dict[str, dict[int, tuple[int, int]]] = {label: {} for label, _ in shown}
        lo, hi = bisect.bisect_left(starts, f.start - longest), bisect.bisect_left(starts, f.end)
        for i in range(lo, hi):
            n = notes[i]
            if f.start < n["end"] and not n["orphan"] and n["note"].strip():
                side = longest_of.get(n["claimType"] or NO_TYPE)
                if side is not None:
                    key, held = (-len(n["note"]), i), side.get(n["student"])
                    if held is None or key < held:
                        side[n["student"]] = key
        sides = [
            SideView(
                label=label,
                students=count,
                notes=[i for _, i in sorted(longest_of[label].values())[:_NOTES_PER_SIDE]],
            )
            for label, count in shown
        ]
        contested.append(
            ContestedView(
                start=f.start,
                end=f.end,
                text=article.text[f.start : f.end],
                students=f.students,
                entropy=f.entropy,
                alpha=f.alpha,
                sides=sides,
            )
        )
    return views, contested


def chapter_view(
    source: str,
    article: Article | None,
    annotations: list[Annotation],
    student: dict[str, int],
    scrub: Callable[[str], str] | None,
    students: int,
    pool: Executor,
) -> tuple[ChapterView, dict[int, Comparison]]:
    """The chapter's view, and each student's highlights in it against the editor's.

    ``scrub`` replaces names in free text (``None``: the report keeps them).
    """
    ordered = sorted(annotations, key=lambda a: (a.start, a.end, student[a.creator]))
    marks, longest = _marks(ordered, student, students)
    # The sentences' agreement and the students' scores need only the marks: worked out
    # by ``pool`` (in the command, a process beside this one) while the notes are laid
    # out here.
    pending = _submit(pool, article, marks) if article else None
    ends = [b.end for b in article.blocks] if article else []
    last = len(ends) - 1
    notes: list[NoteView] = []
    by_type: dict[str, list[NoteView]] = defaultdict(list)
    # What the passages, claims and sentences look up, gathered here while each note
    # is at hand: 60,000 dicts read again key by key cost a pass over memory each.
    starts: list[int] = []
    placed: dict[str, list[_Span]] = defaultdict(list)
    at = 0  # the block of the last placed note
    for a in ordered:
        who = student[a.creator]
        exact, note, tags = a.exact, a.note, [*a.tags]
        if scrub is not None:
            # An orphan's quote is the student's file, not the article: scrub it too.
            exact = scrub(exact) if a.orphan else exact
            note = scrub(note)
            tags = [scrub(t) for t in tags]
        kind = a.claim_type or NO_TYPE
        starts.append(a.start)
        block = -1
        if not a.orphan:
            placed[kind].append((a.start, a.end, who))
            if ends:
                # Placed notes come in order of start: their block only ever moves on.
                while at < last and ends[at] <= a.start:
                    at += 1
                block = at
        entry: NoteView = {
            "student": who,
            "claimType": a.claim_type,
            "status": a.status,
            "start": a.start,
            "end": a.end,
            "exact": exact,
            "note": note,
            "tags": tags,
            "orphan": a.orphan,
            "block": block,
            "created": a.created,
        }
        notes.append(entry)
        by_type[kind].append(entry)
    text = article.text if article else None
    keep: Callable[[str], str] = scrub or str
    # A source no chapter answers to came from a student's file: it may hold a name.
    name = chapter_name(source) if article else keep(chapter_name(source))
    editor = _editor_claims(article, placed, longest) if article else []
    top = {k: _top_passages(v, placed[k], longest, text) for k, v in by_type.items()}
    # The scores here: they take a third of the time of the agreement beside.
    compared = {i: compare(mine, article.claims) for i, mine in marks.items()} if article else {}
    found = _measured(pending, article, marks) if pending and article else []
    views, contested = _agreement(article, notes, starts, longest, found) if article else ([], [])
    view = ChapterView(
        source=source if article else keep(source),
        name=name,
        title=article.title if article else name,
        text=text,
        blocks=[BlockView(kind=b.kind, start=b.start, end=b.end) for b in article.blocks]
        if article
        else [],
        editorClaims=editor,
        notes=notes,
        top=top,
        sentences=views,
        contested=contested,
    )
    return view, compared
