"""The class report as CSV: one row per annotation, safe to open in a spreadsheet."""

from __future__ import annotations

import bisect
import csv
import functools
import io

from ..exchange import neutralise
from ..vocabulary import CLAIM_TYPES, STATUSES
from .agreement import matches
from .report_views import ChapterView, NoteView, ReportData

__all__ = ["CSV_COLUMNS", "report_csv"]

CSV_COLUMNS = (
    "student",
    "chapter",
    "claim type",
    "status",
    "quote",
    "note",
    "created",
    "anchoring",
    "editor claim matched",
    "same type as editor",
    "sentence alpha",
    "sentence entropy",
    "student precision",
    "student recall",
    "student F1",
    "student kappa",
    "student type agreement",
)


def _figure(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def _against_editor(chapter: ChapterView, n: NoteView) -> tuple[str, str, str, str]:
    """The claim a note matches, whether its type is the editor's, its sentence's figures."""
    if n["orphan"] or chapter["text"] is None:
        return "", "", "", ""
    claim = next(
        (
            c
            for c in chapter["editorClaims"]
            if matches((n["start"], n["end"]), (c["start"], c["end"]))
        ),
        None,
    )
    starts = [s["start"] for s in chapter["sentences"]]
    at = bisect.bisect_right(starts, n["start"]) - 1
    sentence = chapter["sentences"][at] if at >= 0 else None
    return (
        claim["id"] if claim else "",
        ("yes" if claim["type"] == n["claimType"] else "no") if claim else "",
        _figure(sentence["alpha"]) if sentence else "",
        _figure(sentence["entropy"]) if sentence else "",
    )


def report_csv(data: ReportData) -> str:
    """One row per annotation, every cell safe to open in a spreadsheet.

    Beside each annotation: the editor's claim it matches, its sentence's agreement
    and its student's scores (the same figures as the page; "undefined" where a
    figure cannot be computed).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    # Cells that repeat (a student's name and scores, a span's match, a label) are
    # made safe once; a class has 60,000 rows and a few hundred of each.
    safe = functools.cache(neutralise)
    kinds: dict[str | None, str] = {k: safe(t.label) for k, t in CLAIM_TYPES.items()}
    states: dict[str | None, str] = {k: safe(t.label) for k, t in STATUSES.items()}
    kinds[None] = states[None] = ""
    students: dict[int, tuple[str, ...]] = {}
    for s in data["agreement"]["byStudent"]:
        figures = (s["precision"], s["recall"], s["f1"], s["kappa"], s["typeAgreement"])
        who = data["students"][s["student"]]
        students[s["student"]] = (safe(who), *(safe(_figure(f)) for f in figures))
    for chapter in data["chapters"]:
        name = safe(chapter["name"])
        against: dict[tuple[int, int, str | None, bool], tuple[str, ...]] = {}
        for n in chapter["notes"]:
            key = (n["start"], n["end"], n["claimType"], n["orphan"])
            editor = against.get(key)
            if editor is None:
                editor = against[key] = tuple(map(safe, _against_editor(chapter, n)))
            student, *scores = students[n["student"]]
            writer.writerow(
                (
                    student,
                    name,
                    kinds[n["claimType"]],
                    states[n["status"]],
                    neutralise(n["exact"]),
                    neutralise(n["note"]),
                    safe(n["created"]),
                    "orphaned" if n["orphan"] else "anchored",
                    *editor,
                    *scores,
                )
            )
    return buffer.getvalue()
