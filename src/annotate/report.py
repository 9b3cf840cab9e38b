"""A class's annotations for the teacher: ``annotate report class.json -o report.html``.

One self-contained page (its CSS and script inline, nothing fetched from
anywhere, readable from ``file://``): the article under a heatmap of how many
students highlighted each passage, filters by claim type, status and student,
the notes under each paragraph, a summary per student and per claim type, and
the editor's marked claims beside what the class found. ``--csv`` writes one
row per annotation; ``--anonymize`` puts stable pseudonyms in place of names.

The data reaches the page as JSON in a ``<script type="application/json">``
with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so no note can end the
script; ``static/report.js`` draws it with ``textContent`` only.

>>> script_json({"note": "</script><b>"})
'{"note":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
>>> pseudonyms(["Ana", "Ben"]) == pseudonyms(["Ben", "Ana"])
True
>>> coverage([(0, 4, "ana"), (2, 6, "ben"), (3, 5, "ana")])  # Ana's two marks count once
[(0, 2, 1), (2, 5, 2), (5, 6, 1)]
"""

from __future__ import annotations

import argparse
import base64
import bisect
import csv
import hashlib
import html
import io
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any, TypedDict

from .article import Article
from .classroom import Placement, book_folder, place, write_atomic
from .exchange import neutralise, read_annotations
from .model import Annotation
from .vocabulary import CLAIM_TYPES, STATUSES, vocabulary_json

__all__ = [
    "CSV_COLUMNS",
    "NO_TYPE",
    "ChapterView",
    "NoteView",
    "ReportData",
    "build_report",
    "coverage",
    "pseudonyms",
    "register",
    "report_csv",
    "report_html",
    "script_json",
]

_STATIC = Path(__file__).parent / "static"
NO_TYPE = "none"
CSV_COLUMNS = (
    "student",
    "chapter",
    "claim type",
    "status",
    "quote",
    "note",
    "created",
    "anchoring",
)
_TOP_PASSAGES = 3
# What must not appear raw inside <script>: "</script", "<!--", and the two
# separators older JavaScript engines read as line ends.
_JSON_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
_TOKEN = re.compile(r"\w+")
# "Ana Lima" becomes "Student 01 Student 01" word by word: say it once.
_REPEATED = re.compile(r"(Student \d+)(?:[\s'\u2019.-]+\1\b)+")


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


class ReportData(TypedDict):
    """Everything the page shows; ``report.js`` renders it, the CSV is written from it."""

    title: str
    students: list[str]
    anonymized: bool
    vocabulary: dict[str, Any]
    totals: Totals
    byStudent: list[StudentRow]
    chapters: list[ChapterView]


def script_json(data: Any) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # str.replace five times over is some twenty times faster than str.translate here.
    for raw, escaped in _JSON_ESCAPES:
        text = text.replace(raw, escaped)
    return text


def pseudonyms(names: Iterable[str]) -> dict[str, str]:
    """A stable pseudonym per name: "Student 01", … in the order of the names' SHA-256.

    The same class gets the same pseudonyms on every run, whatever order the
    names come in.

    >>> pseudonyms(["Ana", "Ben", "Ana"])
    {'Ben': 'Student 01', 'Ana': 'Student 02'}
    """
    unique = sorted(set(names), key=lambda n: hashlib.sha256(n.encode("utf-8")).hexdigest())
    width = max(2, len(str(len(unique))))
    return {name: f"Student {i:0{width}d}" for i, name in enumerate(unique, start=1)}


def _scrubber(mapping: dict[str, str]) -> Callable[[str], str]:
    """A function that replaces the class's names in free text with their pseudonyms.

    Each word of a name (two characters or more) is replaced wherever it stands
    as a word, so "Ana said", "as Lima wrote" and "Ana Lima's" all lose the
    name. Case counts: a student called Will leaves the verb "will" alone.

    >>> _scrubber({"Ana Lima": "Student 01"})("Ana Lima's point; see Lima.")
    "Student 01's point; see Student 01."
    """
    words: dict[str, str] = {}
    for name, alias in sorted(mapping.items()):
        for part in _TOKEN.findall(name):
            if len(part) >= 2:
                words.setdefault(part, alias)

    def scrub(text: str) -> str:
        out = _TOKEN.sub(lambda m: words.get(m.group(), m.group()), text)
        return _REPEATED.sub(r"\1", out)

    return scrub


def coverage(spans: Iterable[tuple[int, int, Hashable]]) -> list[tuple[int, int, int]]:
    """Runs ``(start, end, count)`` of how many distinct owners cover each position.

    Each span is ``(start, end, owner)``; an owner's overlapping spans count once.
    Uncovered stretches are left out; neighbouring runs differ in count.
    """
    by_owner: dict[Hashable, list[tuple[int, int]]] = defaultdict(list)
    for start, end, owner in spans:
        if end > start:
            by_owner[owner].append((start, end))
    events: Counter[int] = Counter()
    for owned in by_owner.values():
        owned.sort()
        lo, hi = owned[0]
        for start, end in owned[1:]:
            if start <= hi:
                hi = max(hi, end)
                continue
            events[lo] += 1
            events[hi] -= 1
            lo, hi = start, end
        events[lo] += 1
        events[hi] -= 1
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


def _chapter_name(source: str) -> str:
    if source.startswith("urn:annotate:"):
        return source.split(":", 3)[3] if source.count(":") >= 3 else source
    return source


def _top_passages(notes: list[NoteView], text: str | None) -> list[PassageView]:
    """The passages most students highlighted, most first, none overlapping.

    A passage is the stretch the most students covered, widened to the span
    students most often chose there, so it reads as words rather than a fragment.
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
    placed = [n for n in notes if not n["orphan"]]
    runs = sorted(
        coverage((n["start"], n["end"], n["student"]) for n in placed),
        key=lambda r: (-r[2], r[0]),
    )
    chosen: list[PassageView] = []
    for start, end, count in runs:
        if any(start < p["end"] and p["start"] < end for p in chosen):
            continue
        spans = Counter((n["start"], n["end"]) for n in placed if n["start"] <= start < n["end"])
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


def _editor_claims(article: Article, notes: list[NoteView]) -> list[EditorClaimView]:
    placed = sorted(
        (
            (n["start"], n["end"], n["student"], n["claimType"] or NO_TYPE)
            for n in notes
            if not n["orphan"]
        ),
    )
    starts = [p[0] for p in placed]
    out = []
    for claim in article.claims:
        # Only notes starting before the claim ends can overlap it.
        upto = bisect.bisect_left(starts, claim.end)
        hits = [p for p in placed[:upto] if p[1] > claim.start]
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


def build_report(
    annotations: list[Annotation], root: Path, *, anonymize: bool = False
) -> ReportData:
    """The report's data: ``annotations`` re-anchored on the chapters under ``root``.

    With ``anonymize`` every name, in the creator field and inside notes and
    tags, becomes a pseudonym (see :func:`pseudonyms`).
    """
    where = Placement(root)
    placed, _ = place(annotations, where)
    names = sorted({a.creator for a in placed}, key=lambda n: (n.casefold(), n))
    scrub: Callable[[str], str] = str
    if anonymize:
        mapping = pseudonyms(names)
        scrub = _scrubber(mapping)
        names = sorted(mapping.values())
        student = {real: names.index(alias) for real, alias in mapping.items()}
    else:
        student = {name: i for i, name in enumerate(names)}
    by_source: dict[str, list[Annotation]] = defaultdict(list)
    for ann in placed:
        by_source[ann.source].append(ann)
    articles = {a.source: a for a in where.articles.values() if a is not None}
    chapters = []
    for source in sorted(by_source, key=_chapter_name):
        article = articles.get(source)
        chapters.append(_chapter(source, article, by_source[source], student, scrub))
    rows: dict[int, Counter[str]] = {i: Counter() for i in range(len(names))}
    for ch in chapters:
        for n in ch["notes"]:
            rows[n["student"]][n["claimType"] or NO_TYPE] += 1
    title = chapters[0]["title"] if len(chapters) == 1 else f"{len(chapters)} chapters"
    return ReportData(
        title=title,
        students=names,
        anonymized=anonymize,
        vocabulary=vocabulary_json(),
        totals=Totals(
            students=len(names),
            annotations=len(placed),
            withNotes=sum(1 for a in placed if a.note.strip()),
            orphaned=sum(1 for a in placed if a.orphan),
            chapters=len(chapters),
        ),
        byStudent=[
            StudentRow(student=i, counts=dict(c), total=sum(c.values())) for i, c in rows.items()
        ],
        chapters=chapters,
    )


def _chapter(
    source: str,
    article: Article | None,
    annotations: list[Annotation],
    student: dict[str, int],
    scrub: Callable[[str], str],
) -> ChapterView:
    ends = [b.end for b in article.blocks] if article else []
    notes = []
    for a in sorted(annotations, key=lambda a: (a.start, a.end, student[a.creator])):
        block = -1
        if article is not None and not a.orphan:
            block = min(bisect.bisect_right(ends, a.start), len(ends) - 1)
        notes.append(
            NoteView(
                student=student[a.creator],
                claimType=a.claim_type,
                status=a.status,
                start=a.start,
                end=a.end,
                # An orphan's quote is the student's file, not the article: scrub it too.
                exact=scrub(a.exact) if a.orphan else a.exact,
                note=scrub(a.note),
                tags=[scrub(t) for t in a.tags],
                orphan=a.orphan,
                block=block,
                created=a.created,
            )
        )
    by_type: dict[str, list[NoteView]] = defaultdict(list)
    for n in notes:
        by_type[n["claimType"] or NO_TYPE].append(n)
    text = article.text if article else None
    # A source no chapter answers to came from a student's file: it may hold a name.
    name = _chapter_name(source) if article else scrub(_chapter_name(source))
    return ChapterView(
        source=source if article else scrub(source),
        name=name,
        title=article.title if article else name,
        text=text,
        blocks=[BlockView(kind=b.kind, start=b.start, end=b.end) for b in article.blocks]
        if article
        else [],
        editorClaims=_editor_claims(article, notes) if article else [],
        notes=notes,
        top={k: _top_passages(v, text) for k, v in by_type.items()},
    )


def _inline(name: str, tag: str) -> str:
    body = (_STATIC / name).read_text(encoding="utf-8")
    if f"</{tag}" in body.lower():
        raise ValueError(f"static/{name} holds '</{tag}' and cannot be inlined")
    return body


def _csp_hash(body: str) -> str:
    digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
    return f"'sha256-{digest}'"


def report_html(data: ReportData) -> str:
    """The report page: one HTML file with its style, script and data inline.

    Its Content-Security-Policy allows only its own script and style (by hash)
    and no request of any kind, so a note that slipped past every escape still
    could not run or fetch anything.
    """
    css = _inline("report.css", "style")
    js = _inline("report.js", "script")
    policy = "; ".join(
        (
            "default-src 'none'",
            f"script-src {_csp_hash(js)}",
            f"style-src {_csp_hash(css)}",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    t = data["totals"]
    title = html.escape(data["title"])
    summary = html.escape(
        f"{t['students']} students · {t['annotations']} annotations · "
        f"{t['withNotes']} with a note · {t['orphaned']} not found in the current text"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">
<meta name="referrer" content="no-referrer">
<title>Class report: {title}</title>
<style>{css}</style>
</head>
<body class="annotate-report-page">
<div class="annotate-report" id="annotate-report">
<header class="annotate-report-header">
<p class="annotate-report-kicker">Class report</p>
<h1>{title}</h1>
<p>{summary}</p>
</header>
<noscript><p>The heatmap, filters and notes need JavaScript; the CSV export holds every
annotation.</p></noscript>
</div>
<script type="application/json" id="annotate-report-data">{script_json(data)}</script>
<script type="module">{js}</script>
</body>
</html>
"""


def report_csv(data: ReportData) -> str:
    """One row per annotation, every cell safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for chapter in data["chapters"]:
        for n in chapter["notes"]:
            row = (
                data["students"][n["student"]],
                chapter["name"],
                CLAIM_TYPES[n["claimType"]].label if n["claimType"] else "",
                STATUSES[n["status"]].label if n["status"] else "",
                n["exact"],
                n["note"],
                n["created"],
                "orphaned" if n["orphan"] else "anchored",
            )
            writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def _report_command(args: argparse.Namespace) -> int:
    annotations = read_annotations(args.class_file)
    root = book_folder(args.book)
    data = build_report(annotations, root, anonymize=args.anonymize)
    for chapter in data["chapters"]:
        if chapter["text"] is None:
            print(
                f"annotate: note: no chapter in {root} for {chapter['source']}: the report "
                "shows its quotes only (--book DIR names the book)",
                file=sys.stderr,
            )
    write_atomic(args.output, report_html(data))
    wrote = [args.output]
    if args.csv:
        # A byte-order mark, so spreadsheet programs read the names as UTF-8.
        write_atomic(args.csv, "\ufeff" + report_csv(data))
        wrote.append(args.csv)
    t = data["totals"]
    print(
        f"wrote {' and '.join(wrote)}: {t['annotations']} annotation(s) by "
        f"{t['students']} student(s), {t['orphaned']} orphaned"
        + (", names replaced by pseudonyms" if args.anonymize else "")
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``annotate report`` to the command line."""
    p = subparsers.add_parser(
        "report",
        help="write a class file as one HTML page (and CSV) for the teacher",
        description="Write a self-contained HTML report of a class file: the article "
        "with a heatmap of what students highlighted, filters, notes and summaries.",
    )
    p.add_argument("class_file", metavar="CLASS_FILE", help="the file `annotate merge` wrote")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the HTML page")
    p.add_argument("--csv", metavar="FILE", help="also write one CSV row per annotation")
    p.add_argument("--anonymize", action="store_true", help="replace student names with pseudonyms")
    p.add_argument(
        "--book",
        metavar="DIR",
        help="the book whose chapters to show (default: the book around this folder)",
    )
    p.set_defaults(func=_report_command)
