"""The class file: the one W3C AnnotationCollection ``annotate merge`` writes.

Kept apart from merge (which finds, reads, de-duplicates and places the notes):
this is how they are written, byte for byte ``json.dumps`` of
:func:`annotate.exchange.collection`, sealed, and whole or not at all. The server's
export writes the same file.

>>> from annotate.model import Annotation
>>> a = Annotation.new(source="urn:x", text="The cat sat.", start=4, end=7, creator="Ana")
>>> _item_json(a) == json.dumps({k: v for k, v in a.to_w3c().items() if k != "@context"},
...                             ensure_ascii=False)
True
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable
from json.encoder import encode_basestring
from pathlib import Path

from ..exchange import collection
from ..model import Annotation, default_motivation
from ..placement import PlacedOn
from ..seal import PLACED_ON_KEY, sealing
from ..vocabulary import CLAIM_TYPES, STATUSES

__all__ = ["CLASS_LABEL", "Written", "write_atomic", "write_class"]

CLASS_LABEL = "Class annotations (annotate merge)"
# What json.dumps(..., ensure_ascii=False) writes a string with (the C encoder).
_string = encode_basestring
_NOTE = '{"type": "TextualBody", "format": "text/plain", "purpose": "commenting", "value": %s}'
_TAG = '{"type": "TextualBody", "purpose": "tagging", "value": %s}'
# An annotation's JSON in the class file (UTF-8), by id(): the annotation is kept beside
# its text, so neither is freed and its id() reused while the mapping lives.
Written = dict[int, tuple[Annotation, bytes]]


def _item_json(a: Annotation) -> str:
    """``json.dumps`` of the annotation's W3C JSON in a collection, byte for byte.

    The common note (words and a position, a type, a status, a note, nothing more)
    is written straight from its fields, each string by the encoder ``json.dumps``
    itself uses: four times as fast, for the same bytes (the tests hold it to
    ``json.dumps`` on every parse case and on random notes). Any other kind goes
    through ``to_w3c``.
    """
    if a.tags or a.audience or a.canonical or a.scope or a.reply_to or not a.positioned:
        item = a.to_w3c()
        del item["@context"]  # the collection's @context covers it
        return json.dumps(item, ensure_ascii=False)
    e = _string
    body = []
    if a.note:
        body.append(_NOTE % e(a.note))
    if a.claim_type:
        body.append(_TAG % e(CLAIM_TYPES[a.claim_type].label))
    if a.status:
        body.append(_TAG % e(STATUSES[a.status].label))
    return (
        f'{{"id": {e(a.id)}, "type": "Annotation", '
        f'"motivation": {e(a.motivation or default_motivation(a))}, '
        f'"created": {e(a.created)}, "modified": {e(a.modified)}, '
        f'"creator": {{"type": "Person", "name": {e(a.creator)}}}, '
        f'"target": {{"source": {e(a.source)}, "selector": ['
        f'{{"type": "TextQuoteSelector", "exact": {e(a.exact)}, '
        f'"prefix": {e(a.prefix)}, "suffix": {e(a.suffix)}}}, '
        f'{{"type": "TextPositionSelector", "start": {a.start:d}, "end": {a.end:d}}}]}}'
        + (f', "body": [{", ".join(body)}]}}' if body else "}")
    )


def write_atomic(path: str | Path, text: str | Iterable[bytes]) -> None:
    """Write ``text`` (or its UTF-8, in pieces) to ``path`` whole or not at all: a
    temporary file, then a rename.

    A failure leaves any existing ``path`` as it was.
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(path)) from err
    try:
        if isinstance(text, str):
            with open(fd, "w", encoding="utf-8", newline="") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
        else:
            with os.fdopen(fd, "wb") as raw:
                raw.writelines(text)
                raw.flush()
                os.fsync(raw.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain write would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise OSError(err.errno, err.strerror, str(path)) from err
        raise


def write_class(
    path: str | Path,
    annotations: list[Annotation],
    texts: Written | None = None,
    placed_on: dict[str, PlacedOn] | None = None,
) -> None:
    """Save ``annotations`` as the class file: one W3C AnnotationCollection, atomically.

    ``texts`` (``Merged.texts``) holds annotations already written as JSON: those
    that are still the very same objects are not serialised again. The file is
    ``json.dumps`` of :func:`annotate.exchange.collection` either way, byte for byte,
    sealed (:mod:`annotate.seal`): the report reads back what was checked here
    without checking it again. ``placed_on`` (``Merged.placed_on``: the chapters
    ``annotations`` were placed on, as they were placed) is kept in it as
    ``annotate:placedOn``: the report does not look again for the notes of a
    chapter whose text has not changed since.
    """
    texts = texts or {}
    items = []
    for a in annotations:
        known = texts.get(id(a))
        items.append(
            known[1] if known is not None and known[0] is a else _item_json(a).encode("utf-8")
        )
    head = collection([], label=CLASS_LABEL)
    head["total"] = len(annotations)
    if placed_on:
        head[PLACED_ON_KEY] = {
            source: {"text": was.text, "orphans": sorted(was.orphans)}
            for source, was in placed_on.items()
        }
    # Compact JSON: a class file is for programs; the C encoder only runs without indent.
    # The items go where json.dumps would put them, separated as it separates them.
    before, after = json.dumps(head, ensure_ascii=False).split('"items": []', 1)
    # In UTF-8 from here on: each note was encoded once, by the worker that read it.
    parts = [f'{before}"items": ['.encode(), b", ".join(items), f"]{after}".encode()]
    write_atomic(path, sealing(parts))
