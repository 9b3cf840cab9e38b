"""Pseudonyms for projecting a class's notes: keyed, stable, not reversible.

A pseudonym is an HMAC-SHA-256 of the name under a secret the teacher keeps
outside every report (``~/.annotate/pseudonym.key``, made on first use). With
the class list alone nobody can tell who is who; with the same key the same
student has the same pseudonym in every report, whoever else is in the class.

>>> key = bytes(32)
>>> pseudonyms(["Ana", "Ben"], key) == pseudonyms(["Ben", "Ana", "Ana"], key)
True
>>> pseudonyms(["Ana"], key)["Ana"] == pseudonyms(["Ana", "Cy"], key)["Ana"]
True
>>> pseudonyms(["Ana"], key) != pseudonyms(["Ana"], bytes([1]) * 32)
True
>>> scrubber({"Ana Lima": "Student QX4M"})("Ana Lima's point; see Lima.")
"Student QX4M's point; see Student QX4M."
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable

from ..config import secret

__all__ = ["KEY_FILE", "pseudonyms", "scrubber"]

KEY_FILE = "pseudonym.key"
_TOKEN = re.compile(r"\w+")
# "Ana Lima" scrubbed word by word reads "Student X Student X": one is enough.
_REPEATED = re.compile(r"(Student [A-Z0-9]+)(?:[\s'\u2019.-]+\1\b)+")


def _code(name: str, key: bytes, length: int) -> str:
    digest = hmac.new(key, name.encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:length]


def pseudonyms(names: Iterable[str], key: bytes | None = None) -> dict[str, str]:
    """A pseudonym per name, "Student QX4M", from ``key`` (default: the teacher's key).

    Four characters tell some million students apart; should two names in one
    class still meet, every code grows until they part.
    """
    key = secret(KEY_FILE) if key is None else key
    unique = sorted(set(names))
    for length in range(4, 53):
        codes = {name: _code(name, key, length) for name in unique}
        if len(set(codes.values())) == len(codes):
            break
    return {name: f"Student {code}" for name, code in codes.items()}


def scrubber(mapping: dict[str, str]) -> Callable[[str], str]:
    """A function that replaces the class's names in free text with their pseudonyms.

    Each word of a name (two characters or more) is replaced wherever it stands
    as a word, so "Ana said", "as Lima wrote" and "Ana Lima's" all lose the
    name. Case counts: a student called Will leaves the verb "will" alone.
    """
    words: dict[str, str] = {}
    for name, alias in sorted(mapping.items()):
        for part in _TOKEN.findall(name):
            if len(part) >= 2:
                words.setdefault(part, alias)

    def scrub(text: str) -> str:
        out = _TOKEN.sub(lambda m: words.get(m.group(), m.group()), text)
        return _REPEATED.sub(r"\1", out)

    return scrub
