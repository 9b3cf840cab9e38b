"""The class file's seal: what ``annotate merge`` checked, read back without checking again.

``annotate merge`` checks every student's file in full and writes the class file
from the annotations it read. It ends that file with a seal: the SHA-256 of every
byte before it. A reader that finds the seal intact holds, byte for byte, what
merge wrote, so it builds the annotations without checking each part a second
time (dates, offsets, ids, nesting: ``annotate.shapes.read(data, checked=False)``).
Any edit breaks the seal and the file is read like any other, checked in full,
and refused with the file's name if it is bad.

The seal is a checksum, not a signature: it tells a file annotate wrote from one
edited since, not from a forgery. That is why ``annotate merge``, where students'
files come in, never trusts one: ``read_annotations`` trusts a seal only when asked
(``trust_seal=True``: the report, feedback and ClassView).

>>> text = b"".join(seal([b'{"type": "AnnotationCollection", ', b'"items": []}'])).decode()
>>> text[:72]
'{"type": "AnnotationCollection", "items": [], "annotate:seal": "merge/1 '
>>> intact(text.encode()), intact(text.replace("items", "item5").encode())
(True, False)
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterator, Sequence

__all__ = ["PLACED_ON_KEY", "SEAL_KEY", "checking", "intact", "seal", "sealing", "unsealed"]

SEAL_KEY = "annotate:seal"
# What merge placed the notes on (annotate.placement.placed_on): trusted under an intact seal only.
PLACED_ON_KEY = "annotate:placedOn"
# The version names the shape annotate.shapes reads: a change to Annotation.to_w3c
# that it does not follow must change it, and older seals are then read in full.
_VERSION = "merge/1"
_TAIL = re.compile(rb', "annotate:seal": "merge/1 sha256:([0-9a-f]{64})"\}\n\Z')
_LONGEST_TAIL = 120
# Below this, a thread costs more than the hash it would hide.
_BESIDE = 1 << 20


def seal(parts: Sequence[bytes]) -> list[bytes]:
    """``parts`` (one JSON object in UTF-8, in pieces) with the seal as its last member,
    and a newline.

    In pieces, so a class file's 40 MB is not joined again to be sealed
    (:func:`annotate.classroom.class_file.write_atomic` writes them).
    """
    return list(sealing(parts))


def sealing(parts: Sequence[bytes]) -> Iterator[bytes]:
    """:func:`seal` as it is written: each part of ``parts`` comes at once, the seal
    last, while a thread hashes them (past a megabyte).

    hashlib lets go of the interpreter on a large part, as a file's write does, so
    ``write_atomic(path, sealing(parts))`` writes a class file's 40 MB while they
    are hashed, not after.
    """
    if not parts or not parts[-1].endswith(b"}"):
        raise ValueError("only a JSON object can be sealed")
    body = [*parts[:-1], parts[-1][:-1]]
    digest = hashlib.sha256()

    def hash_body() -> None:
        for part in body:
            digest.update(part)

    if sum(map(len, body)) < _BESIDE:
        hash_body()
        yield from body
    else:
        thread = threading.Thread(target=hash_body)
        thread.start()
        try:
            yield from body
        finally:
            thread.join()  # a write that failed still waits: no thread outlives the file
    yield _tail(digest)


def _tail(digest: hashlib._Hash) -> bytes:
    """The seal's member (the closing brace, a newline) for a finished ``digest``."""
    return f', "{SEAL_KEY}": "{_VERSION} sha256:{digest.hexdigest()}"}}\n'.encode()


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


def checking(data: bytes) -> Callable[[], bool] | None:
    """``intact(data)`` worked out beside the caller, or ``None`` when ``data`` ends in
    no seal: call the result for the answer (it waits for the thread).

    The report decodes the class file while its seal is checked: hashlib lets go
    of the interpreter for a large buffer, so the two share no time.
    """
    found = _split(data)
    if found is None:
        return None
    if len(data) < _BESIDE:
        answer = intact(data)
        return lambda: answer
    start, digest = found
    result: list[bool] = []
    view = memoryview(data)[:start]
    thread = threading.Thread(
        target=lambda: result.append(hashlib.sha256(view).hexdigest().encode() == digest)
    )
    thread.start()

    def answer_when_done() -> bool:
        thread.join()
        return result == [True]

    return answer_when_done


def unsealed(data: bytes) -> bytes:
    """``data`` as it would be without its seal (unchanged when it has none).

    >>> unsealed(b"".join(seal([b'{"a": 1}'])))
    b'{"a": 1}\\n'
    """
    found = _split(data)
    return data if found is None else data[: found[0]] + b"}\n"
