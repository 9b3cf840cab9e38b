"""``ClassView``: the class report inside Jupyter.

The same page as ``annotate report`` writes (heatmap with its Agreement mode,
filters, notes under each paragraph, summaries, each student's scores against
the editor's claims, contested passages), drawn by the same ``frontend/report.js`` from one
synced trait holding the report's data. Read-only: it changes no file.

>>> import annotate                                           # doctest: +SKIP
>>> view = annotate.ClassView("class.json", anonymize=True)   # doctest: +SKIP
>>> view                                                      # doctest: +SKIP
>>> view.report["totals"]["students"]                         # doctest: +SKIP
24
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

from ..classroom.merge import book_folder
from ..classroom.report_data import build_report
from ..exchange import read_annotations
from ..frontend import FRONTEND_DIR

__all__ = ["ClassView"]

_STATIC = FRONTEND_DIR


class ClassView(anywidget.AnyWidget):  # type: ignore[misc,unused-ignore]  # anywidget is untyped
    """A class file (from ``annotate merge``) as a report in the notebook.

    ``book`` is the book folder whose chapters the notes are shown on (default:
    the book around the current folder); ``anonymize`` shows pseudonyms.
    """

    _esm = _STATIC / "report.js"
    _css = _STATIC / "report.css"

    report = traitlets.Dict(
        help="The report's data (annotate.classroom.report_data.ReportData): "
        "students, chapters, notes, agreement figures."
    ).tag(sync=True)

    def __init__(
        self,
        path: str | Path,
        *,
        book: str | Path | None = None,
        anonymize: bool = False,
    ) -> None:
        self.path = Path(path)
        data = build_report(read_annotations(self.path), book_folder(book), anonymize=anonymize)
        super().__init__(report=dict(data))
