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

import datetime as dt
import getpass
import os
import uuid
from dataclasses import MISSING, dataclass, field, fields, replace
from operator import attrgetter
from typing import Any

from . import wire
from .anchoring import describe
from .vocabulary import CLAIM_TYPES, STATUSES

# The wire format's types live in w3c_json; each stays importable from here.
from .w3c_json import CONTEXT, W3CAnnotation
from .w3c_json import Agent as Agent
from .w3c_json import Target as Target
from .w3c_json import TextPositionSelector as TextPositionSelector
from .w3c_json import TextQuoteSelector as TextQuoteSelector
from .w3c_json import TextualBody as TextualBody
from .wire import (
    AUDIENCES,
    ERROR_CODES,
    NOTE_LIMIT,
    AnnotationError,
    instant,
    is_iri,
)

__all__ = [
    "AUDIENCES",
    "CONTEXT",
    "ERROR_CODES",
    "NOTE_LIMIT",
    "Annotation",
    "AnnotationError",
    "W3CAnnotation",
    "default_motivation",
    "instant",
    "is_iri",
    "now",
    "reader_name",
]


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
        # Readers that check each field on the way in build with ``assemble`` instead:
        # a change here must be made there too (tests/test_annotation_cases.py holds them).
        if not 0 <= self.start <= self.end:
            raise AnnotationError(f"start {self.start} and end {self.end} are not a span")
        if self.claim_type is not None and self.claim_type not in CLAIM_TYPES:
            raise AnnotationError(f"unknown claim type {self.claim_type!r}")
        if self.status is not None and self.status not in STATUSES:
            raise AnnotationError(f"unknown status {self.status!r}")
        if len(self.note.encode("utf-8")) > NOTE_LIMIT:
            raise AnnotationError(wire.OVER_LIMIT, "limit")
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

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as its values, rebuilt unchecked (they were checked when it was made).

        Merge's workers send a class's 60,000 notes back: the dataclass's own way
        pickles each field's name beside its value, and costs twice as much.
        """
        return _unpickle, _VALUES(self)

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
            "motivation": self.motivation or default_motivation(self),
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
        ident = wire.text(data, "id")
        if not is_iri(ident):
            raise AnnotationError(f"id {ident!r} is not an IRI (e.g. urn:uuid:…)", "id")
        target = data.get("target")
        if isinstance(target, list) and len(target) == 1:
            target = target[0]
        if isinstance(target, str) and target:
            return _reply(cls, data, target)
        if not isinstance(target, dict):
            raise AnnotationError("target must be an object with source and selector")
        source = wire.text(target, "source")
        quote, position = wire.selectors(target.get("selector"))
        note, kind, state, tags = wire.bodies(data.get("body", []))
        creator = data.get("creator", "")
        if isinstance(creator, list) and creator:
            creator = creator[0]
        name = creator.get("name", "") if isinstance(creator, dict) else creator
        if not isinstance(name, str):
            raise AnnotationError("creator name must be text")
        created = wire.time(data, "created", "") or now()  # the clock read only when needed
        modified = wire.time(data, "modified", created)
        # No position given: none is made up (start = end = 0 marks it, never written).
        start, end = position if position else (0, 0)
        motivation = data.get("motivation", "")
        # Each value was checked above as __post_init__ checks it: not a second time.
        return assemble(
            {
                "id": ident,
                "source": source,
                "exact": quote["exact"],
                "prefix": quote["prefix"],
                "suffix": quote["suffix"],
                "start": start,
                "end": end,
                "creator": name or "unknown",
                "created": created,
                "modified": modified,
                "claim_type": kind,
                "status": state,
                "note": note,
                "tags": tuple(tags),
                "orphan": position is None,
                "motivation": motivation if isinstance(motivation, str) else "",
                "audience": wire.audience(data.get("audience")),
                "canonical": wire.canonical(data),
                "scope": wire.scope(target),
                "positioned": position is not None,
            }
        )


def _reply(cls: type[Annotation], data: dict[str, Any], target: str) -> Annotation:
    """A reply: its target is another annotation's IRI, so it has no selectors."""
    # Every other property is parsed by the one set of rules, on a stand-in text target.
    stand_in = {"type": "TextQuoteSelector", "exact": target}
    parsed = cls.from_w3c({**data, "target": {"source": target, "selector": stand_in}})
    return replace(parsed, exact="", start=0, end=0, orphan=False, reply_to=target)


_DEFAULTS = {f.name: f.default for f in fields(Annotation) if f.default is not MISSING}
_NAMES = tuple(f.name for f in fields(Annotation))
_VALUES = attrgetter(*_NAMES)


def _unpickle(*values: Any) -> Annotation:
    """The annotation ``Annotation.__reduce__`` pickled as ``values``, in field order."""
    return assemble(dict(zip(_NAMES, values, strict=True)))


def assemble(values: dict[str, Any]) -> Annotation:
    """An ``Annotation`` of ``values`` (fields left out take their defaults), not checked.

    For readers that have checked each value as ``__post_init__`` checks it, on the
    way in (``from_w3c``, a sealed class file): the dataclass's own ``__init__`` costs
    four times as much, a tenth of a class-sized merge. The result is equal to
    ``Annotation(**values)``.

    >>> a = Annotation.new(source="urn:x", text="The cat sat.", start=4, end=7, creator="Ana")
    >>> assemble(vars(a)) == a
    True
    """
    made = object.__new__(Annotation)
    # A frozen dataclass refuses setattr, not an update of its instance dict.
    own = made.__dict__
    if len(values) < len(_NAMES):
        own.update(_DEFAULTS)
    own.update(values)
    return made


def default_motivation(a: Annotation) -> str:
    """The W3C motivation written for ``a`` when it names none of its own."""
    if a.reply_to:
        return "replying"
    if a.note:
        return "commenting"
    if a.status and a.status != "needs-checking":
        return "assessing"
    if a.claim_type or a.tags:
        return "tagging"
    return "highlighting"
