"""The report's files: ``write_report(data, page, sheet)`` writes the page and its CSV.

Both are made from the same data and neither needs the other, so where this
process can fork (one thread, a system with ``fork``) a child makes and writes
the CSV while this process makes and writes the page: for a class of 60,000
notes that is two fifths of a second on two cores instead of one after the
other. Each file is written whole or not at all (:func:`write_atomic`); a file
that cannot be written raises ``OSError`` naming it, from whichever process
wrote it.
"""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.connection import Connection
from pathlib import Path

from .merge import write_atomic
from .report_csv import report_csv
from .report_page import report_html
from .report_views import ReportData

__all__ = ["write_report"]


def _write_sheet(data: ReportData, sheet: Path) -> None:
    # A byte-order mark, so spreadsheet programs read the names as UTF-8.
    write_atomic(sheet, "\ufeff" + report_csv(data))


def _child(data: ReportData, sheet: Path, done: Connection) -> None:
    """In the forked child: write the CSV, then send back ``None`` or what went wrong."""
    try:
        _write_sheet(data, sheet)
    except Exception as err:  # raised again in the parent
        done.send(err)
    else:
        done.send(None)
    finally:
        done.close()


def write_report(data: ReportData, page: str | Path, sheet: str | Path | None = None) -> None:
    """Write the report's page to ``page`` and, if given, its CSV to ``sheet``."""
    if sheet is None:
        write_atomic(page, report_html(data))
        return
    sheet = Path(sheet)
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        write_atomic(page, report_html(data))
        _write_sheet(data, sheet)
        return
    fork = multiprocessing.get_context("fork")
    receive, send = fork.Pipe(duplex=False)
    # A forked child shares the data as it is: nothing is copied or pickled to it.
    child = fork.Process(target=_child, args=(data, sheet, send), daemon=True)
    child.start()
    send.close()
    try:
        write_atomic(page, report_html(data))
    finally:
        try:
            failure = receive.recv()
        except EOFError:  # the child ended without a word
            failure = OSError(0, "not written (the process writing it stopped)", str(sheet))
        child.join()
        receive.close()
    if failure is not None:
        raise failure
