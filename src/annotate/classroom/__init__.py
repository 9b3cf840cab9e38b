"""The classroom: a class's exports merged into one file, and the teacher's report.

``merge`` (files and folders of exports → one class file), ``class_file`` (that
file written, sealed), ``report_data`` (what the report shows), ``report_page``
(the self-contained page) and ``pseudonyms`` (keyed names for projecting in class).
"""

# ``merge`` the function stays in ``.merge``: re-exported here it would hide the module.
from .class_file import CLASS_LABEL, write_atomic, write_class
from .merge import Merged, Skipped, book_folder
from .pseudonyms import pseudonyms
from .report_csv import report_csv
from .report_data import build_report, coverage
from .report_page import report_html

__all__ = [
    "CLASS_LABEL",
    "Merged",
    "Skipped",
    "book_folder",
    "build_report",
    "coverage",
    "pseudonyms",
    "report_csv",
    "report_html",
    "write_atomic",
    "write_class",
]
