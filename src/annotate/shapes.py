"""The W3C JSON this kit writes, as types: a class's files read in one pass.

``Annotation.from_w3c`` reads any W3C annotation one check at a time and says
what is wrong. Nearly every file a class hands in was written by this kit (the
book, the widget, ``annotate export``, ``annotate merge``), in the shape
``Annotation.to_w3c`` and ``exchange.collection`` write. msgspec decodes that
shape straight into the types below, refusing any other key, type or nesting on
the way, in C: a third of the time of parsing and then checking in Python.

:func:`read` then builds each annotation as ``from_w3c`` would. ``checked`` makes
the checks no type says (an IRI, a date, a span, a note's size); without it (a
sealed class file, :mod:`annotate.seal`) none is made. Anything else gives
``None`` and the caller reads the file the long way, which accepts or names what
is wrong: a file is read here exactly as ``from_w3c`` reads it, or not at all
(``tests/test_shapes.py`` holds the two to it).

>>> from annotate.exchange import dump_collection
>>> from annotate.model import Annotation
>>> a = Annotation.new(source="urn:x", text="The cat sat.", start=4, end=7, creator="Ana")
>>> read(dump_collection([a]).encode()) == [a]
True
>>> read(b'{"type": "AnnotationCollection", "first": 1}') is None
True
"""

from __future__ import annotations

import msgspec

from .model import Annotation, assemble, now
from .placement import PlacedOn
from .wire import (
    AUDIENCES,
    MAX_OFFSET,
    NOTE_LIMIT,
    AnnotationError,
    date_time,
    is_iri,
    vocabulary_key,
)

__all__ = ["read"]

# Every type refuses keys it does not name: an unknown key (another tool's
# extension, nested any depth) sends the file the long way, which checks its depth.
# A "type" that names the kind is the type's tag: any other value does the same.


class _Quote(msgspec.Struct, tag_field="type", tag="TextQuoteSelector", forbid_unknown_fields=True):
    exact: str
    prefix: str = ""
    suffix: str = ""


class _Position(
    msgspec.Struct, tag_field="type", tag="TextPositionSelector", forbid_unknown_fields=True
):
    start: int
    end: int


class _Target(msgspec.Struct, forbid_unknown_fields=True):
    source: str
    selector: list[_Quote | _Position]
    scope: str | None = None


class _Agent(msgspec.Struct, forbid_unknown_fields=True):
    type: str = ""
    name: str = ""


class _Body(msgspec.Struct, forbid_unknown_fields=True):
    type: str = ""
    format: str = ""
    purpose: str | None = None
    value: str = ""


class _Audience(msgspec.Struct, forbid_unknown_fields=True, rename={"kind": "schema:audienceType"}):
    type: str = ""
    kind: str | None = None


class _Item(
    msgspec.Struct,
    tag_field="type",
    tag="Annotation",
    forbid_unknown_fields=True,
    rename={"context": "@context"},
):
    id: str
    target: _Target | str
    creator: _Agent
    context: str | None = None
    motivation: str = ""
    created: str | None = None
    modified: str | None = None
    body: list[_Body] = []
    audience: _Audience | None = None
    canonical: str | None = None


class _Page(msgspec.Struct, tag_field="type", tag="AnnotationPage", forbid_unknown_fields=True):
    items: list[_Item]
    startIndex: int = 0  # the W3C's name


class _PlacedOn(msgspec.Struct, forbid_unknown_fields=True):
    text: str
    orphans: list[str] = []


class _Collection(
    msgspec.Struct,
    tag_field="type",
    tag="AnnotationCollection",
    forbid_unknown_fields=True,
    rename={"context": "@context", "seal": "annotate:seal", "placed_on": "annotate:placedOn"},
):
    first: _Page
    context: str | list[str] | None = None
    id: str | None = None
    label: str | None = None
    total: int | None = None
    placed_on: dict[str, _PlacedOn] | None = None
    seal: str | None = None


_DECODER = msgspec.json.Decoder(_Collection | _Page | _Item | list[_Item])


_NO_BODY: tuple[str, None, None, tuple[str, ...]] = ("", None, None, ())


class _Unusual(Exception):
    """An item ``from_w3c`` reads another way, or refuses: the long way decides."""


def read(
    data: bytes | str, *, checked: bool = True, placed_on: dict[str, PlacedOn] | None = None
) -> list[Annotation] | None:
    """The annotations in ``data`` if it has the shape this kit writes, else ``None``.

    ``checked=False`` (a sealed class file) skips the checks merge made.
    ``placed_on`` is given what a class file says its notes were placed on
    (``annotate:placedOn``, :func:`annotate.placement.placed_on`).
    """
    try:
        doc = _DECODER.decode(data)
    except (msgspec.DecodeError, UnicodeEncodeError):
        return None  # not this shape, not JSON, or text with a lone surrogate: the long way
    if placed_on is not None and type(doc) is _Collection and doc.placed_on:
        placed_on.update(
            (source, PlacedOn(was.text, frozenset(was.orphans)))
            for source, was in doc.placed_on.items()
        )
    items = (
        doc.first.items
        if type(doc) is _Collection
        else doc.items
        if type(doc) is _Page
        else [doc]
        if type(doc) is _Item
        else doc
    )
    # A tag's (claim type, status) by its exact spelling: a file holds a handful.
    named: dict[str, tuple[str | None, str | None]] = {}
    # Text every note of a file repeats (its chapter, its author), kept once: merge's
    # workers pickle each string object once, and the notes take less memory.
    once: dict[str, str] = {}
    try:
        return [_annotation(item, named, once, checked) for item in items]
    except (_Unusual, AnnotationError):
        return None


def _annotation(
    item: _Item,
    named: dict[str, tuple[str | None, str | None]],
    once: dict[str, str],
    checked: bool,
) -> Annotation:
    """``Annotation.from_w3c`` of ``item``; ``_Unusual`` where it would read it otherwise."""
    ident = item.id
    if checked and not is_iri(ident):
        raise _Unusual
    target = item.target
    start = end = 0
    if isinstance(target, str):  # a reply: no words of its own (model._reply)
        if not target:
            raise _Unusual
        source, exact, prefix, suffix, reply_to, scope = target, "", "", "", target, None
        positioned = orphan = False
    else:
        source, scope, reply_to = target.source, target.scope, None
        quote, position = _selectors(target.selector)
        exact, prefix, suffix = quote.exact, quote.prefix, quote.suffix
        if not source or not exact or scope == "":
            raise _Unusual
        positioned = False
        if position is not None:
            start, end = position.start, position.end
            if start < 0 or end < 0 or start > end or end > MAX_OFFSET:
                raise _Unusual
            # As wire.selectors reads it: a position that disagrees with the quote is none.
            positioned = end - start == len(exact)
            if not positioned:
                start = end = 0
        orphan = not positioned
    note, kind, state, tags = _bodies(item.body, named) if item.body else _NO_BODY
    if checked and len(note) > NOTE_LIMIT // 4 and len(note.encode("utf-8")) > NOTE_LIMIT:
        raise _Unusual
    created = item.created or ""
    modified = item.modified or ""
    if checked:
        if created:
            date_time(created)
        if modified and modified != created:  # a note never edited: one time, checked once
            date_time(modified)
    created = created or now()  # the clock read only when needed
    modified = created if not modified or modified == created else modified
    if item.canonical == "":
        raise _Unusual
    return assemble(
        {
            "id": ident,
            "source": once.setdefault(source, source),
            "exact": exact,
            "prefix": prefix,
            "suffix": suffix,
            "start": start,
            "end": end,
            "creator": once.setdefault(item.creator.name, item.creator.name) or "unknown",
            "created": created,
            "modified": modified,
            "claim_type": kind,
            "status": state,
            "note": note,
            "tags": tuple(tags),
            "orphan": orphan,
            "motivation": once.setdefault(item.motivation, item.motivation),
            "audience": _audience(item.audience),
            "reply_to": reply_to,
            "canonical": item.canonical,
            "scope": scope,
            "positioned": positioned,
        }
    )


def _selectors(selectors: list[_Quote | _Position]) -> tuple[_Quote, _Position | None]:
    """The one quote and the position, if any (two of either: the long way)."""
    if len(selectors) == 2:
        quote, position = selectors
        if type(quote) is _Quote and type(position) is _Position:
            return quote, position
    elif len(selectors) == 1 and type(selectors[0]) is _Quote:
        return selectors[0], None
    raise _Unusual


def _bodies(
    bodies: list[_Body], named: dict[str, tuple[str | None, str | None]]
) -> tuple[str, str | None, str | None, list[str]]:
    """``wire.bodies`` of bodies this kit wrote: each tag's spelling looked up once."""
    note, kind, state, tags = "", None, None, []
    for body in bodies:
        value = body.value
        if body.purpose == "tagging":
            key = named.get(value)
            if key is None:
                key = named[value] = vocabulary_key(value)
            if key[0]:
                kind = key[0]
            elif key[1]:
                state = key[1]
            else:
                tags.append(value)
        else:
            note = f"{note}\n\n{value}" if note else value
    return note, kind, state, tags


def _audience(audience: _Audience | None) -> str | None:
    """``wire.audience``: no type, no audience; one not in ``AUDIENCES``, the long way."""
    if audience is None or audience.kind is None:
        return None
    if audience.kind not in AUDIENCES:
        raise _Unusual
    return audience.kind
