"""``Annotation``: one reader's mark on an article, in the W3C Web Annotation model.

>>> a = Annotation.new(source="urn:annotate:demo:a", text="The cat sat.", start=4, end=7,
...                    claim_type="factual", note="Which cat?", creator="Ana")
>>> w3c = a.to_w3c()
>>> w3c["target"]["selector"][0]["exact"], w3c["body"][1]["value"]
('cat', 'Factual claim')
>>> Annotation.from_w3c(w3c) == a
True
"""

from __future__ import annotations

import calendar
import datetime as dt
import getpass
import os
import re
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Literal, NotRequired, TypedDict

from .anchoring import describe
from .vocabulary import CLAIM_TYPES, STATUSES

__all__ = [
    "AUDIENCES",
    "CONTEXT",
    "ERROR_CODES",
    "NOTE_LIMIT",
    "Annotation",
    "AnnotationError",
    "W3CAnnotation",
    "instant",
    "is_iri",
    "now",
    "reader_name",
]

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
NOTE_LIMIT = 100_000  # bytes of UTF-8: a note is a note, not a file (the front ends get it too)
_OVER_LIMIT = f"the note is over {NOTE_LIMIT // 1000} KB ({NOTE_LIMIT} bytes of UTF-8)"
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
    m = _DATE_TIME.fullmatch(value)
    if m is None:
        raise AnnotationError(f"{value!r} is not a date-time like 2025-03-30T12:00:00Z", "time")
    year, month, day, hour, minute, second = map(int, m.groups()[:6])
    zone = m.group(8) or "Z"
    zh, zm = (0, 0) if zone == "Z" else (int(zone[1:3]), int(zone[4:6]))
    if not (
        year >= 1
        and 1 <= month <= 12
        and day >= 1
        and (day <= 28 or day <= calendar.monthrange(year, month)[1])
        and hour <= 23
        and minute <= 59
        and second <= 59
        and zh <= 23
        and zm <= 59
    ):
        raise AnnotationError(f"{value!r} is not a date-time like 2025-03-30T12:00:00Z", "time")
    days = (dt.date(year, month, day) - dt.date(1970, 1, 1)).days
    offset = (zh * 60 + zm) * 60 * (-1 if zone.startswith("-") else 1)
    nanos = int(((m.group(7) or "") + "000000000")[:9])
    return days * 86400 + hour * 3600 + minute * 60 + second - offset, nanos


class TextQuoteSelector(TypedDict):
    type: Literal["TextQuoteSelector"]
    exact: str
    prefix: str
    suffix: str


class TextPositionSelector(TypedDict):
    type: Literal["TextPositionSelector"]
    start: int
    end: int


class TextualBody(TypedDict):
    type: Literal["TextualBody"]
    value: str
    purpose: str
    format: NotRequired[str]


class Target(TypedDict):
    source: str
    selector: list[TextQuoteSelector | TextPositionSelector]


class Agent(TypedDict):
    type: str
    name: str


W3CAnnotation = TypedDict(
    "W3CAnnotation",
    {
        "@context": str,
        "id": str,
        "type": str,
        "motivation": str,
        "created": str,
        "modified": str,
        "creator": Agent,
        "body": NotRequired[list[TextualBody]],
        "target": Target,
    },
)
"""The wire format: what ``Annotation.to_w3c`` writes and ``from_w3c`` reads."""


def now() -> str:
    """The current UTC time as the model writes it: ``2026-11-24T19:14:00.123Z``."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def reader_name(configured: str | None = None) -> str:
    """Who is annotating: ``configured``, else ``ANNOTATE_READER``, else
    ``JUPYTERHUB_USER``, else the login name."""
    for name in (configured, os.environ.get("ANNOTATE_READER"), os.environ.get("JUPYTERHUB_USER")):
        if name and name.strip():
            return name.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "reader"


@dataclass(frozen=True)
class Annotation:
    """A highlight, with an optional claim type, status and note.

    ``start``/``end`` count code points in the article text; ``claim_type`` and
    ``status`` are vocabulary keys. ``tags`` keeps other tags (e.g. Hypothesis's).
    ``orphan`` is True when the words could not be found in the current text.

    Optional, for a class server: ``audience`` is one of ``AUDIENCES`` (None: not
    said); ``reply_to`` is the IRI of the annotation this one answers (its W3C
    target, with no text selectors: ``source`` is that IRI and ``exact`` may be
    empty); ``canonical`` is the IRI the annotation keeps wherever it is copied.

    ``scope`` is the page the annotation was made on (its W3C ``target.scope``, e.g.
    the hosted book's URL a Hypothesis note names). ``positioned`` is False when
    the annotation came without a usable ``TextPositionSelector``: ``start`` and
    ``end`` are then 0 and no position is written out (an orphan gets no made-up one).
    """

    id: str
    source: str
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int
    creator: str
    created: str
    modified: str
    claim_type: str | None = None
    status: str | None = None
    note: str = ""
    tags: tuple[str, ...] = ()
    orphan: bool = False
    motivation: str = field(default="", compare=False)
    audience: str | None = None
    reply_to: str | None = None
    canonical: str | None = None
    scope: str | None = None
    positioned: bool = field(default=True, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise AnnotationError(f"start {self.start} and end {self.end} are not a span")
        if self.claim_type is not None and self.claim_type not in CLAIM_TYPES:
            raise AnnotationError(f"unknown claim type {self.claim_type!r}")
        if self.status is not None and self.status not in STATUSES:
            raise AnnotationError(f"unknown status {self.status!r}")
        if len(self.note.encode("utf-8")) > NOTE_LIMIT:
            raise AnnotationError(_OVER_LIMIT, "limit")
        if not self.exact and self.reply_to is None:
            raise AnnotationError("the quote (exact) is empty")
        if self.audience is not None and self.audience not in AUDIENCES:
            raise AnnotationError(f"unknown audience {self.audience!r}")

    @classmethod
    def new(
        cls,
        *,
        source: str,
        text: str,
        start: int,
        end: int,
        claim_type: str | None = None,
        status: str | None = None,
        note: str = "",
        creator: str | None = None,
    ) -> Annotation:
        """A fresh annotation on ``text[start:end]``, selectors described from ``text``."""
        if not 0 <= start < end <= len(text):
            raise AnnotationError(f"span {start}-{end} is outside the text (0-{len(text)})")
        quote = describe(text, start, end)[0]
        stamp = now()
        return cls(
            id=f"urn:uuid:{uuid.uuid4()}",
            source=source,
            exact=str(quote["exact"]),
            prefix=str(quote["prefix"]),
            suffix=str(quote["suffix"]),
            start=start,
            end=end,
            creator=reader_name(creator),
            created=stamp,
            modified=stamp,
            claim_type=claim_type,
            status=status,
            note=note,
        )

    def at(self, text: str, start: int, end: int) -> Annotation:
        """This annotation moved to ``text[start:end]``: selectors described anew, not an orphan.

        Moving is not an edit: ``modified`` stays. ``annotate.placement.place``
        decides where; every surface moves annotations through this method.
        """
        if not 0 <= start < end <= len(text):
            raise AnnotationError(f"span {start}-{end} is outside the text (0-{len(text)})")
        quote = describe(text, start, end)[0]
        return replace(
            self,
            start=start,
            end=end,
            exact=str(quote["exact"]),
            prefix=str(quote["prefix"]),
            suffix=str(quote["suffix"]),
            orphan=False,
            positioned=True,
        )

    def selectors(self) -> list[dict[str, Any]]:
        """The target's selectors, as ``annotate.anchor`` takes them."""
        return [
            {
                "type": "TextQuoteSelector",
                "exact": self.exact,
                "prefix": self.prefix,
                "suffix": self.suffix,
            },
            *(
                [{"type": "TextPositionSelector", "start": self.start, "end": self.end}]
                if self.positioned
                else []
            ),
        ]

    def touched(self, **changes: Any) -> Annotation:
        """A copy with ``changes`` and a new ``modified`` time (``created`` kept)."""
        return replace(self, **changes, modified=now())

    def _target(self) -> dict[str, Any]:
        target: dict[str, Any] = {"source": self.source, "selector": self.selectors()}
        if self.scope:
            target["scope"] = self.scope
        return target

    def to_w3c(self) -> dict[str, Any]:
        """The annotation as W3C Web Annotation JSON."""
        body: list[dict[str, Any]] = []
        if self.note:
            body.append(
                {
                    "type": "TextualBody",
                    "format": "text/plain",
                    "purpose": "commenting",
                    "value": self.note,
                }
            )
        if self.claim_type:
            body.append(
                {
                    "type": "TextualBody",
                    "purpose": "tagging",
                    "value": CLAIM_TYPES[self.claim_type].label,
                }
            )
        if self.status:
            body.append(
                {"type": "TextualBody", "purpose": "tagging", "value": STATUSES[self.status].label}
            )
        body += [{"type": "TextualBody", "purpose": "tagging", "value": t} for t in self.tags]
        data: dict[str, Any] = {
            "@context": CONTEXT,
            "id": self.id,
            "type": "Annotation",
            "motivation": self.motivation or _motivation(self),
            "created": self.created,
            "modified": self.modified,
            "creator": {"type": "Person", "name": self.creator},
            "target": self.reply_to or self._target(),
        }
        if body:
            data["body"] = body
        if self.audience:
            data["audience"] = {"type": "schema:Audience", "schema:audienceType": self.audience}
        if self.canonical:
            data["canonical"] = self.canonical
        return data

    @classmethod
    def from_w3c(cls, data: Any) -> Annotation:
        """Parse W3C JSON strictly; ``AnnotationError`` says what is wrong."""
        if not isinstance(data, dict):
            raise AnnotationError("an annotation must be a JSON object")
        kinds = data.get("type")
        if kinds != "Annotation" and not (isinstance(kinds, list) and "Annotation" in kinds):
            raise AnnotationError(f"type is {kinds!r}, not 'Annotation'")
        ident = _text(data, "id")
        if not is_iri(ident):
            raise AnnotationError(f"id {ident!r} is not an IRI (e.g. urn:uuid:…)", "id")
        target = data.get("target")
        if isinstance(target, list) and len(target) == 1:
            target = target[0]
        if isinstance(target, str) and target:
            return _reply(cls, data, target)
        if not isinstance(target, dict):
            raise AnnotationError("target must be an object with source and selector")
        source = _text(target, "source")
        quote, position = _selectors(target.get("selector"))
        note, kind, state, tags = _bodies(data.get("body", []))
        creator = data.get("creator", "")
        if isinstance(creator, list) and creator:
            creator = creator[0]
        name = creator.get("name", "") if isinstance(creator, dict) else creator
        if not isinstance(name, str):
            raise AnnotationError("creator name must be text")
        created = _time(data, "created", "") or now()  # the clock read only when needed
        modified = _time(data, "modified", created)
        # No position given: none is made up (start = end = 0 marks it, never written).
        start, end = position if position else (0, 0)
        motivation = data.get("motivation", "")
        return cls(
            id=ident,
            source=source,
            exact=quote["exact"],
            prefix=quote["prefix"],
            suffix=quote["suffix"],
            start=start,
            end=end,
            creator=name or "unknown",
            created=created,
            modified=modified,
            claim_type=kind,
            status=state,
            note=note,
            tags=tuple(tags),
            orphan=position is None,
            motivation=motivation if isinstance(motivation, str) else "",
            audience=_audience(data.get("audience")),
            canonical=_canonical(data),
            scope=_scope(target),
            positioned=position is not None,
        )


def _reply(cls: type[Annotation], data: dict[str, Any], target: str) -> Annotation:
    """A reply: its target is another annotation's IRI, so it has no selectors."""
    # Every other property is parsed by the one set of rules, on a stand-in text target.
    stand_in = {"type": "TextQuoteSelector", "exact": target}
    parsed = cls.from_w3c({**data, "target": {"source": target, "selector": stand_in}})
    return replace(parsed, exact="", start=0, end=0, orphan=False, reply_to=target)


def _audience(raw: Any) -> str | None:
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


def _scope(target: dict[str, Any]) -> str | None:
    """The page the annotation was made on (``target.scope``), e.g. a hosted book's URL."""
    value = target.get("scope")
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise AnnotationError("target scope must be an IRI")
    return value


def _canonical(data: dict[str, Any]) -> str | None:
    value = data.get("canonical")
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise AnnotationError("canonical must be an IRI")
    return value


def _motivation(a: Annotation) -> str:
    if a.reply_to:
        return "replying"
    if a.note:
        return "commenting"
    if a.status and a.status != "needs-checking":
        return "assessing"
    if a.claim_type or a.tags:
        return "tagging"
    return "highlighting"


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise AnnotationError(f"{key} must be non-empty text", "missing")
    return value


def _time(data: dict[str, Any], key: str, default: str) -> str:
    """``data[key]``, a date-time (absent, null or empty: ``default``)."""
    value = data.get(key)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise AnnotationError(f"{key} must be date-time text", "time")
    instant(value)
    return value


def _offset(value: Any) -> int | None:
    """A JSON number that is a whole number (``3`` or ``3.0``: JavaScript cannot tell them
    apart), else None."""
    if type(value) is float and value.is_integer():
        value = int(value)
    return value if type(value) is int else None


def _vocabulary_key(value: str) -> tuple[str | None, str | None]:
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


def _selectors(raw: Any) -> tuple[dict[str, str], tuple[int, int] | None]:
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
            start, end = _offset(sel.get("start")), _offset(sel.get("end"))
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


def _bodies(raw: Any) -> tuple[str, str | None, str | None, list[str]]:
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
            named_kind, named_state = _vocabulary_key(value)
            if named_kind:
                kind = named_kind
            elif named_state:
                state = named_state
            else:
                tags.append(value)
        else:
            note = f"{note}\n\n{value}" if note else value
    if len(note.encode("utf-8")) > NOTE_LIMIT:
        raise AnnotationError(_OVER_LIMIT, "limit")
    return note, kind, state, tags
