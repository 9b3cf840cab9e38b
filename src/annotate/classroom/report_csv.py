"""The class report as CSV: one row per annotation, safe to open in a spreadsheet.

The rows are written as ``csv.writer`` (the default dialect, ``"\\r\\n"`` line ends)
writes them, byte for byte (the tests hold the two to it), but each cell that
repeats (a student's name and scores, a label, a span's match) is quoted once:
the writer itself took half the CSV's time on 60,000 rows.

>>> _cell('Say "no", twice')
'"Say ""no"", twice"'
>>> _cell("plain words")
'plain words'
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable

from ..exchange import neutralise
from ..vocabulary import CLAIM_TYPES, STATUSES
from .agreement import matches
from .report_views import ChapterView, EditorClaimView, NoteView, ReportData

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


# What makes csv.writer quote a cell (QUOTE_MINIMAL): the delimiter, the quote
# character, a character of the line terminator.
_QUOTED = re.compile('[,"\r\n]')


def _cell(text: str) -> str:
    """``text`` as one cell of a row that ``csv.writer`` writes (quoted only if it must be)."""
    if _QUOTED.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def _figure(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def _against_editor(chapter: ChapterView) -> Callable[[NoteView], tuple[str, str, str, str]]:
    """For a note of ``chapter``: the claim it matches, whether its type is the editor's,
    its sentence's figures (empty for an orphan or a chapter with no article)."""
    claims = chapter["editorClaims"]
    sentences = chapter["sentences"]
    starts = [s["start"] for s in sentences]
    figures = [(_figure(s["alpha"]), _figure(s["entropy"])) for s in sentences]

    # A class highlights the same spans over and over: each span is matched once, and
    # only against the claims it overlaps (most it does not).
    @functools.cache
    def claim_at(start: int, end: int) -> EditorClaimView | None:
        return next(
            (
                c
                for c in claims
                if c["start"] < end
                and start < c["end"]
                and matches((start, end), (c["start"], c["end"]))
            ),
            None,
        )

    def cells(n: NoteView) -> tuple[str, str, str, str]:
        if n["orphan"] or chapter["text"] is None:
            return "", "", "", ""
        claim = claim_at(n["start"], n["end"])
        at = bisect.bisect_right(starts, n["start"]) - 1
        alpha, entropy = figures[at] if at >= 0 else ("", "")
        return (
            claim["id"] if claim else "",
            ("yes" if claim["type"] == n["claimType"] else "no") if claim else "",
            alpha,
            entropy,
        )

    return cells


def _rows(
    chapter: ChapterView,
    students: dict[int, tuple[str, str]],
    kinds: dict[str | None, str],
    states: dict[str | None, str],
    safe: Callable[[str], str],
) -> list[str]:
    """The chapter's lines, one per note, each cell safe and quoted (``safe`` does both);
    ``students``: each one's name and scores cells, so made."""
    name = safe(chapter["name"])
    editor_cells = _against_editor(chapter)
    # The cells from "anchoring" on depend on the span, type and anchoring alone: each
    # such note is looked at once, its cells joined once.
    against: dict[tuple[int, int, str | None, bool], str] = {}
    lines = []
    for n in chapter["notes"]:
        key = (n["start"], n["end"], n["claimType"], n["orphan"])
        editor = against.get(key)
        if editor is None:
            anchoring = "orphaned" if n["orphan"] else "anchored"
            editor = against[key] = ",".join((anchoring, *map(safe, editor_cells(n))))
        student, scores = students[n["student"]]
        # One f-string per row, not a tuple to join: 60,000 rows.
        lines.append(
            f"{student},{name},{kinds[n['claimType']]},{states[n['status']]},"
            f"{safe(n['exact'])},{safe(n['note'])},{safe(n['created'])},{editor},{scores}"
        )
    return lines


def report_csv(data: ReportData) -> str:
    """One row per annotation, every cell safe to open in a spreadsheet.

    Beside each annotation: the editor's claim it matches, its sentence's agreement
    and its student's scores (the same figures as the page; "undefined" where a
    figure cannot be computed).
    """
    # Cells that repeat (a student's name and scores, a span's match, a label, a
    # quote, a note: many are empty or stock questions) are made safe and quoted
    # once; a class has 60,000 rows and a few hundred of each.
    safe: Callable[[str], str] = functools.cache(lambda text: _cell(neutralise(text)))
    lines = [",".join(map(_cell, CSV_COLUMNS))]
    kinds: dict[str | None, str] = {k: safe(t.label) for k, t in CLAIM_TYPES.items()}
    states: dict[str | None, str] = {k: safe(t.label) for k, t in STATUSES.items()}
    kinds[None] = states[None] = ""
    students: dict[int, tuple[str, str]] = {}
    for s in data["agreement"]["byStudent"]:
        figures = (s["precision"], s["recall"], s["f1"], s["kappa"], s["typeAgreement"])
        who = data["students"][s["student"]]
        students[s["student"]] = (safe(who), ",".join(safe(_figure(f)) for f in figures))
    for chapter in data["chapters"]:
        lines += _rows(chapter, students, kinds, states, safe)
    return "\r\n".join(lines) + "\r\n"
