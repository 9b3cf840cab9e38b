"""The class file's seal: what ``annotate merge`` checked, read back without checking again.

``annotate merge`` checks every student's file in full and writes the class file
from the annotations it read. It ends that file with a seal: the SHA-256 of every
byte before it. A reader that finds the seal intact holds, byte for byte, what
merge wrote, so it builds the annotations without checking each part a second
time (dates, offsets, ids, nesting): the report reads 60,000 notes in less than
half the time. Any edit breaks the seal and the file is read like any other,
checked in full, and refused with the file's name if it is bad.

The seal is a checksum, not a signature: it tells a file annotate wrote from one
edited since, not from a forgery. That is why ``annotate merge``, where students'
files come in, never trusts one: ``read_annotations`` trusts a seal only when asked
(``trust_seal=True``: the report, feedback and ClassView).

>>> text = "".join(seal(['{"type": "AnnotationCollection", ', '"items": []}']))
>>> text[:72]
'{"type": "AnnotationCollection", "items": [], "annotate:seal": "merge/1 '
>>> intact(text.encode()), intact(text.replace("items", "item5").encode())
(True, False)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from .model import Annotation, assemble, now
from .wire import audience, vocabulary_key

__all__ = ["SEAL_KEY", "intact", "seal", "sealed_annotations", "unsealed"]

SEAL_KEY = "annotate:seal"
# The version names the shape sealed_annotations reads: a change to Annotation.to_w3c
# that it does not follow must change it, and older seals are then read in full.
_VERSION = "merge/1"
_TAIL = re.compile(rb', "annotate:seal": "merge/1 sha256:([0-9a-f]{64})"\}\n\Z')
_LONGEST_TAIL = 120
_CHUNK = 1 << 20


def seal(parts: Sequence[str]) -> list[str]:
    """``parts`` (one JSON object, in pieces) with the seal as its last member, a newline.

    In pieces, so a class file's 40 MB is neither joined nor encoded whole again
    to be sealed (:func:`annotate.classroom.merge.write_atomic` writes them).
    """
    if not parts or not parts[-1].endswith("}"):
        raise ValueError("only a JSON object can be sealed")
    body = [*parts[:-1], parts[-1][:-1]]
    digest = hashlib.sha256()
    for part in body:
        for at in range(0, len(part), _CHUNK):
            digest.update(part[at : at + _CHUNK].encode("utf-8"))
    return [*body, f', "{SEAL_KEY}": "{_VERSION} sha256:{digest.hexdigest()}"}}\n']


def _split(data: bytes) -> tuple[int, bytes] | None:
    """Where the seal starts in ``data`` and the digest it holds, if it ends in one."""
    found = _TAIL.search(data, max(0, len(data) - _LONGEST_TAIL))
    return (found.start(), found.group(1)) if found else None


def intact(data: bytes) -> bool:
    """Whether ``data`` ends in a seal that matches every byte before it."""
    found = _split(data)
    if found is None:
        return False
    start, digest = found
    return hashlib.sha256(memoryview(data)[:start]).hexdigest().encode() == digest


def unsealed(data: bytes) -> bytes:
    """``data`` as it would be without its seal (unchanged when it has none).

    >>> unsealed("".join(seal(['{"a": 1}'])).encode())
    b'{"a": 1}\\n'
    """
    found = _split(data)
    return data if found is None else data[: found[0]] + b"}\n"


def sealed_annotations(data: Any) -> list[Annotation] | None:
    """The annotations of a parsed class file whose seal is intact, or ``None``.

    Each is what ``Annotation.from_w3c`` makes of the same item (the tests hold
    the two to it), without its checks: merge made them. Anything unexpected
    gives ``None``, and the caller reads the file in full.
    """
    # A tag's (claim type, status) by its exact spelling: a class file holds a handful.
    named: dict[str, tuple[str | None, str | None]] = {}
    try:
        return [_annotation(item, named) for item in data["first"]["items"]]
    except (KeyError, TypeError, IndexError, AttributeError, ValueError):
        return None


def _bodies(
    raw: list[dict[str, Any]], named: dict[str, tuple[str | None, str | None]]
) -> tuple[str, str | None, str | None, list[str]]:
    """``wire.bodies`` of the list ``to_w3c`` wrote (every body an object with a value),
    unchecked: each tag's spelling looked up once (``named``), the note not measured."""
    note, kind, state, tags = "", None, None, []
    for body in raw:
        value = body["value"]
        if body.get("purpose") == "tagging":
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


def _annotation(
    data: dict[str, Any], named: dict[str, tuple[str | None, str | None]]
) -> Annotation:
    """``Annotation.from_w3c`` of what ``Annotation.to_w3c`` wrote, unchecked."""
    target = data["target"]
    note, kind, state, tags = (
        _bodies(data["body"], named) if "body" in data else ("", None, None, ())
    )
    created = data.get("created") or now()
    if type(target) is str:  # a reply: no words of its own (model._reply)
        source, exact, prefix, suffix, reply_to, scope = target, "", "", "", target, None
        positioned = orphan = False
        start = end = 0
    else:
        quote, *rest = target["selector"]
        source, exact, reply_to, scope = target["source"], quote["exact"], None, target.get("scope")
        prefix, suffix = quote["prefix"], quote["suffix"]
        start, end = (rest[0]["start"], rest[0]["end"]) if rest else (0, 0)
        # As wire.selectors reads it: a position that disagrees with the quote is none.
        positioned = bool(rest) and end - start == len(exact)
        orphan = not positioned
        if not positioned:
            start = end = 0
    return assemble(
        {
            "id": data["id"],
            "source": source,
            "exact": exact,
            "prefix": prefix,
            "suffix": suffix,
            "start": start,
            "end": end,
            "creator": data["creator"]["name"] or "unknown",
            "created": created,
            "modified": data.get("modified") or created,
            "claim_type": kind,
            "status": state,
            "note": note,
            "tags": tuple(tags),
            "orphan": orphan,
            "motivation": data.get("motivation", ""),
            "audience": audience(data.get("audience")),
            "reply_to": reply_to,
            "canonical": data.get("canonical"),
            "scope": scope,
            "positioned": positioned,
        }
    )
