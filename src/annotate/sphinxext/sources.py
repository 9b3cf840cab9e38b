"""The bibliography's style: headlines as published, dates to the day.

pybtex's ``plain`` style lowercases titles ("Nakatani, hegseth agree…") and
prints a source's date as month and year only; a news source is dated to the
day, and its headline's capitals are part of it. Select it in ``_config.yml``
with ``bibtex_default_style: annotate``.

>>> from pybtex.database import Entry
>>> entry = Entry("misc", fields={"title": "U.S. Forces Japan", "year": "2025",
...     "month": "mar", "day": "30", "howpublished": "Jiji Press"})
>>> DatedStyle().format_entry("x", entry).text.render_as("text")
'U.S. Forces Japan. Jiji Press, 30 March 2025.'
"""

from __future__ import annotations

import calendar
from typing import Any

from pybtex.plugin import register_plugin
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.template import field, optional, optional_field, sentence, words

__all__ = ["DatedStyle", "setup"]

_MONTHS = {
    **{name.lower(): name for name in calendar.month_name if name},
    **{abbr.lower(): calendar.month_name[i] for i, abbr in enumerate(calendar.month_abbr) if abbr},
    **{str(i): calendar.month_name[i] for i in range(1, 13)},
}

_DATE = words[optional_field("day"), optional_field("month"), field("year")]


class DatedStyle(PlainStyle):  # type: ignore[misc]  # pybtex is untyped
    """``plain``, keeping headlines' capitals and dating sources to the day."""

    def format_title(self, e: Any, which_field: str, as_sentence: bool = True) -> Any:
        title = field(which_field)
        return sentence[title] if as_sentence else title

    def get_misc_template(self, e: Any) -> Any:
        return _template(self, e)

    def get_online_template(self, e: Any) -> Any:
        return _template(self, e)

    def format_entry(self, label: str, entry: Any, bib_data: Any = None) -> Any:
        month = entry.fields.get("month")
        if month and str(month).strip().lower() in _MONTHS:
            entry.fields["month"] = _MONTHS[str(month).strip().lower()]
        return super().format_entry(label, entry, bib_data=bib_data)


def _template(style: DatedStyle, e: Any) -> Any:
    return toplevel[
        optional[sentence[style.format_names("author")]],
        optional[style.format_title(e, "title")],
        sentence[optional[field("howpublished")], optional[_DATE]],
        sentence[optional_field("note")],
        sentence[optional[style.format_url(e)]],
    ]


def setup() -> None:
    """Make the style known to pybtex as ``annotate``."""
    register_plugin("pybtex.style.formatting", "annotate", DatedStyle, force=True)
