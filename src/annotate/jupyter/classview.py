r"""``ClassView``: the class report inside Jupyter.

The same page as ``annotate report`` writes (heatmap with its Agreement mode,
filters, notes under each paragraph, summaries, each student's scores against
the editor's claims, contested passages), drawn by the same ``frontend/report.js`` from one
synced trait holding the report's data. Read-only: it changes no file.

>>> import json, pathlib, tempfile, annotate
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.md").write_text("# Ships\n\n::::{article}\nThe navy sent three ships.\n::::\n")
>>> article = annotate.load_article(folder / "a.md")
>>> notes = [annotate.Annotation.new(source=article.source, text=article.text, start=7, end=15,
...                                  creator=name) for name in ("Ana", "Ben")]
>>> _ = (folder / "class.json").write_text(json.dumps(annotate.collection(notes)))
>>> view = annotate.ClassView(folder / "class.json", book=folder)
>>> view.report["totals"]["students"], view.report["students"]
(2, ['Ana', 'Ben'])

Live, for the teacher: ``ClassView(class_url="http://HOST:PORT/classes/CLASS_ID")`` builds
the same data from the class server's notes (as its live report does) and builds it
again on a background thread whenever the class's events stream says something changed.
The teacher token comes from ``annotate join`` with a teacher link, or ``token=``; it is
never printed.
"""

from __future__ import annotations

import threading
from pathlib import Path

import anywidget
import traitlets

from ..classroom.merge import book_folder
from ..classroom.report_data import build_report
from ..exchange import read_annotations
from ..frontend import FRONTEND_DIR
from ..model import Annotation, AnnotationError
from ..sync import ClassClient, Membership, Offline, Refused, joined

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
        help="The report's data (annotate.classroom.report_views.ReportData): "
        "students, chapters, notes, agreement figures."
    ).tag(sync=True)

    status = traitlets.Unicode(
        "", help="How the live view stands (class_url only); empty for a class file."
    ).tag(sync=True)

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        class_url: str | None = None,
        token: str | None = None,
        book: str | Path | None = None,
        anonymize: bool = False,
    ) -> None:
        self._root, self._anonymize = book_folder(book), anonymize
        self._stopped = threading.Event()
        if (path is None) == (class_url is None):
            raise ValueError("give a class file or class_url=, not both")
        if path is not None:
            self.path: Path | None = Path(path)
            notes = read_annotations(self.path, trust_seal=True)  # merge's sealed class file
            data = build_report(notes, self._root, anonymize=anonymize)
            super().__init__(report=dict(data))
            return
        self.path = None
        self._client = ClassClient(_teacher(str(class_url), token))
        super().__init__(report=dict(build_report([], self._root)))
        self.refresh()
        threading.Thread(target=self._follow, name="annotate-classview", daemon=True).start()

    def refresh(self) -> None:
        """Build the report again from the server's notes (class_url only)."""
        try:
            items = self._client.list(None)
            teachers = self._teachers()
        except (Offline, Refused) as err:
            self.status = f"Not updated: {err}"
            return
        notes = []
        for item in items:
            try:
                ann = Annotation.from_w3c(item)
            except AnnotationError:
                continue  # a shape this version cannot read: left out, not fatal
            # The report counts students' highlights, as the live report does.
            if ann.reply_to is None and ann.creator not in teachers:
                notes.append(ann)
        self.report = dict(build_report(notes, self._root, anonymize=self._anonymize))
        self.status = f"Live: {len(notes)} notes from the class"

    def _teachers(self) -> set[str]:
        """The names of the class's teachers; none known with a student's token."""
        try:
            return {m["name"] for m in self._client.members() if m["role"] == "teacher"}
        except Refused as err:
            if err.status != 403:
                raise
            return set()

    def stop(self) -> None:
        """Stop following the class's events."""
        self._stopped.set()

    def _follow(self) -> None:
        last: str | None = None
        while not self._stopped.is_set():
            try:
                changed = False
                for ident, kind in self._client.events(None, last, 5.0):
                    last = ident or last
                    changed = changed or bool(kind)
                if changed:
                    self.refresh()
            except (Offline, Refused) as err:
                self.status = f"Not updated: {err}"
                self._stopped.wait(3.0)


def _teacher(class_url: str, token: str | None) -> Membership:
    """The class at ``class_url`` (``http://HOST:PORT/classes/CLASS_ID``) with a token."""
    server, _, rest = class_url.rstrip("/").partition("/classes/")
    class_id = rest.split("/")[0]
    if not server.startswith(("http://", "https://")) or not class_id:
        raise ValueError(f"{class_url!r} is not a class URL (http://HOST:PORT/classes/CLASS_ID)")
    if token is None:
        mine = joined()
        if mine is None or mine.class_id != class_id:
            raise ValueError(f"no token for class {class_id}: pass token= or annotate join it")
        token = mine.token
    container = f"{server}/classes/{class_id}/annotations/"
    return Membership(server, class_id, container, token, "")
