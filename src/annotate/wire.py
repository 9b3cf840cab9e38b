"""Reading the parts of W3C annotation JSON: the rules the browser shares.

``annotate.model.Annotation.from_w3c`` reads an annotation through these; each
refusal is an ``AnnotationError`` whose ``code`` (``ERROR_CODES``) names the kind
of fault. ``frontend/core/model.js`` throws the same codes for the same input:
``tests/fixtures/annotation-cases.json`` holds the cases both must agree on.

>>> selectors([{"type": "TextQuoteSelector", "exact": "cat"},
...            {"type": "TextPositionSelector", "start": 4, "end": 7.0}])
({'exact': 'cat', 'prefix': '', 'suffix': ''}, (4, 7))
>>> offset(3.0), offset(3.5), offset(True)
(3, None, None)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from .vocabulary import CLAIM_TYPES, STATUSES

__all__ = [
    "AUDIENCES",
    "ERROR_CODES",
    "MAX_OFFSET",
    "NOTE_LIMIT",
    "OVER_LIMIT",
    "AnnotationError",
    "audience",
    "bodies",
    "canonical",
    "date_time",
    "instant",
    "is_iri",
    "offset",
    "scope",
    "selectors",
    "text",
    "time",
    "vocabulary_key",
]

NOTE_LIMIT = 100_000  # bytes of UTF-8: a note is a note, not a file (the front ends get it too)
OVER_LIMIT = f"the note is over {NOTE_LIMIT // 1000} KB ({NOTE_LIMIT} bytes of UTF-8)"
# Who may read an annotation (its schema:audienceType): its author only, the class
# (classmates and teacher), or its author and the teacher.
AUDIENCES = ("private", "class", "teacher")


# What kind of fault an AnnotationError names; frontend/core/model.js throws the same
# codes for the same input (tests/fixtures/annotation-cases.json holds the cases).
ERROR_CODES = ("shape", "missing", "id", "offset", "time", "limit")
MAX_OFFSET = 2**53 - 1  # the largest offset JavaScript counts exactly


class AnnotationError(ValueError):
    """An annotation that does not follow the model; the message says why.

    ``code`` is one of ``ERROR_CODES``: ``shape`` (a part of the wrong kind),
    ``missing`` (a required part absent or empty), ``id`` (not an IRI),
    ``offset`` (a position that is no span), ``time`` (not a date-time),
    ``limit`` (a note over ``NOTE_LIMIT``).
    """

    def __init__(self, message: str, code: str = "shape") -> None:
        super().__init__(message)
        self.code = code


# An absolute IRI: a scheme, a colon, then no spaces, controls or <>"{}|\^`.
_IRI = re.compile(
    "[A-Za-z][A-Za-z0-9+.-]*:"
    '[^\x00-\x20\x7f-\x9f<>"{}|\\^`\u00a0\u1680\u2000-\u200a'
    "\u2028\u2029\u202f\u205f\u3000\ufeff]+"
)
_DATE_TIME = re.compile(
    "([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    "(?:\\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?"
)


def is_iri(value: str) -> bool:
    """Whether ``value`` is an absolute IRI, as an annotation's id must be.

    >>> is_iri("urn:uuid:0f8b"), is_iri("__proto__"), is_iri("http://x/a b")
    (True, False, False)
    """
    return _IRI.fullmatch(value) is not None


def instant(value: str) -> tuple[int, int]:
    """A W3C date-time as (seconds since 1970 UTC, nanoseconds): times compare as instants.

    Milliseconds and zones count; a time without a zone is read as UTC.

    >>> instant("2025-03-30T12:00:00Z") < instant("2025-03-30T12:00:00.5Z")
    True
    >>> instant("2025-03-30T13:00:00+01:00") == instant("2025-03-30T12:00:00Z")
    True
    """
    m = date_time(value)
    year, month, day, hour, minute, second = map(int, m.groups()[:6])
    zone = m.group(8) or "Z"
    zh, zm = (0, 0) if zone == "Z" else (int(zone[1:3]), int(zone[4:6]))
    days = (dt.date(year, month, day) - dt.date(1970, 1, 1)).days
    offset = (zh * 60 + zm) * 60 * (-1 if zone.startswith("-") else 1)
    nanos = int(((m.group(7) or "") + "000000000")[:9])
    return days * 86400 + hour * 3600 + minute * 60 + second - offset, nanos


def date_time(value: str) -> re.Match[str]:
    """The parts of a W3C date-time, each in range; ``AnnotationError`` if it is none."""
    m = _DATE_TIME.fullmatch(value)
    if m is None:
        raise AnnotationError(f"{value!r} is not a date-time like 2025-03-30T12:00:00Z", "time")
    # Compared as text: each part is ASCII digits of a fixed width, which order as
    # their numbers do (no int() per part: every note has two times to check).
    year, month, day, hour, minute, second = m.groups()[:6]
    zone = m.group(8) or "Z"
    if not (
        year != "0000"
        and "01" <= month <= "12"
        and day >= "01"
        and (day <= "28" or int(day) <= calendar.monthrange(int(year), int(month))[1])
        and hour <= "23"
        and minute <= "59"
        and second <= "59"
        and (zone == "Z" or (zone[1:3] <= "23" and zone[4:6] <= "59"))
    ):
        raise AnnotationError(f"{value!r} is not a date-time like 2025-03-30T12:00:00Z", "time")
    return m


def audience(raw: Any) -> str | None:
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if not isinstance(raw, dict):
        return None  # an audience that is not ours (an IRI) says nothing about who reads
    kind = raw.get("schema:audienceType", raw.get("audienceType"))
    if kind is None:
        return None
    if kind not in AUDIENCES:
        raise AnnotationError(f"unknown audience type {kind!r}; known: {', '.join(AUDIENCES)}")
    return str(kind)


def scope(target: dict[str, Any]) -> str | None:
    """The page the annotation was made on (``target.scope``), e.g. a hosted book's URL."""
    value = target.get("scope")
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise AnnotationError("target scope must be an IRI")
    return value


def canonical(data: dict[str, Any]) -> str | None:
    value = data.get("canonical")
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise AnnotationError("canonical must be an IRI")
    return value


def text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise AnnotationError(f"{key} must be non-empty text", "missing")
    return value


def time(data: dict[str, Any], key: str, default: str) -> str:
    """``data[key]``, a date-time (absent, null or empty: ``default``)."""
    value = data.get(key)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise AnnotationError(f"{key} must be date-time text", "time")
    date_time(value)
    return value


def offset(value: Any) -> int | None:
    """A JSON number that is a whole number (``3`` or ``3.0``: JavaScript cannot tell them
    apart), else None."""
    if type(value) is float and value.is_integer():
        value = int(value)
    return value if type(value) is int else None


def vocabulary_key(value: str) -> tuple[str | None, str | None]:
    """(claim type, status) a tag names by key or label, case aside, spaces kept."""
    return _TAG_NAMES.get(value.lower(), (None, None))


def _tag_names() -> dict[str, tuple[str | None, str | None]]:
    """Each claim type and status by its key and its label, lowercased (the first
    named wins, claim types before statuses): one look-up per tag."""
    names: dict[str, tuple[str | None, str | None]] = {}
    for t in CLAIM_TYPES.values():
        names.setdefault(t.key, (t.key, None))
        names.setdefault(t.label.lower(), (t.key, None))
    for s in STATUSES.values():
        names.setdefault(s.key, (None, s.key))
        names.setdefault(s.label.lower(), (None, s.key))
    return names


_TAG_NAMES = _tag_names()


def selectors(raw: Any) -> tuple[dict[str, str], tuple[int, int] | None]:
    items = raw if isinstance(raw, list) else [raw]
    quote: dict[str, str] | None = None
    position: tuple[int, int] | None = None
    for sel in items:
        if not isinstance(sel, dict):
            raise AnnotationError("a selector must be an object")
        if sel.get("type") == "TextQuoteSelector":
            exact = sel.get("exact")
            if not isinstance(exact, str) or not exact:
                raise AnnotationError("TextQuoteSelector has no exact text", "missing")
            prefix, suffix = sel.get("prefix", ""), sel.get("suffix", "")
            if not isinstance(prefix, str) or not isinstance(suffix, str):
                raise AnnotationError("prefix and suffix must be text")
            quote = {"exact": exact, "prefix": prefix, "suffix": suffix}
        elif sel.get("type") == "TextPositionSelector":
            start, end = offset(sel.get("start")), offset(sel.get("end"))
            if start is None or end is None:
                raise AnnotationError(
                    "TextPositionSelector start and end must be integers", "offset"
                )
            if start < 0 or end < 0:
                raise AnnotationError(f"negative offset in {start}-{end}", "offset")
            if start > end:
                raise AnnotationError(f"start {start} is after end {end}", "offset")
            if end > MAX_OFFSET:
                raise AnnotationError(f"offset {end} is too large", "offset")
            position = (start, end)
    if quote is None:
        raise AnnotationError("no TextQuoteSelector with exact text", "missing")
    if position is not None and position[1] - position[0] != len(quote["exact"]):
        position = None  # the position disagrees with the quote: let anchoring decide
    return quote, position


def bodies(raw: Any) -> tuple[str, str | None, str | None, list[str]]:
    items = raw if isinstance(raw, list) else [raw]
    note, kind, state, tags = "", None, None, []
    for body in items:
        if isinstance(body, str):
            continue  # a body IRI: nothing of ours to read from it
        if not isinstance(body, dict):
            raise AnnotationError("a body must be an object")
        value = body.get("value", "")
        if not isinstance(value, str):
            raise AnnotationError("a body's value must be text")
        if body.get("purpose") == "tagging":
            named_kind, named_state = vocabulary_key(value)
            if named_kind:
                kind = named_kind
            elif named_state:
                state = named_state
            else:
                tags.append(value)
        else:
            note = f"{note}\n\n{value}" if note else value
    if len(note.encode("utf-8")) > NOTE_LIMIT:
        raise AnnotationError(OVER_LIMIT, "limit")
    return note, kind, state, tags
