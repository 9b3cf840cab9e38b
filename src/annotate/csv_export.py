"""Annotations as CSV, one row each, for a spreadsheet (``annotate export --format csv``).

Apart from :mod:`annotate.exchange`'s W3C files: a CSV is written, never read back,
and every cell is made safe to open in a spreadsheet.

>>> from annotate.model import Annotation
>>> a = Annotation.new(source="urn:x", text="The cat sat.", start=4, end=7, creator="=Ana")
>>> print(write_csv([a]).splitlines()[0])
id,creator,source,claim type,status,quote,note,start,end,created,modified,anchoring
>>> write_csv([a]).splitlines()[1].split(",")[1:3]
["'=Ana", 'urn:x']
"""

from __future__ import annotations

import csv
import io
from typing import TextIO

from .model import Annotation
from .vocabulary import CLAIM_TYPES, STATUSES

__all__ = ["CSV_COLUMNS", "neutralise", "write_csv"]

CSV_COLUMNS = (
    "id",
    "creator",
    "source",
    "claim type",
    "status",
    "quote",
    "note",
    "start",
    "end",
    "created",
    "modified",
    "anchoring",
)


def neutralise(cell: str) -> str:
    """A CSV cell a spreadsheet will show as text, never run as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def write_csv(annotations: list[Annotation], out: TextIO | None = None) -> str:
    """One row per annotation; returns the CSV text (also written to ``out``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for a in annotations:
        row = (
            a.id,
            a.creator,
            a.source,
            CLAIM_TYPES[a.claim_type].label if a.claim_type else "",
            STATUSES[a.status].label if a.status else "",
            a.exact,
            a.note,
            str(a.start) if a.positioned else "",
            str(a.end) if a.positioned else "",
            a.created,
            a.modified,
            "orphaned" if a.orphan else "anchored",
        )
        writer.writerow([neutralise(c) for c in row])
    text = buffer.getvalue()
    if out is not None:
        out.write(text)
    return text
