"""Offsets in code points (the W3C model's unit) and in UTF-16 units (the browser's).

>>> text = "Tokyo 🇯🇵 visit"
>>> codepoint_to_utf16(text, 8)
10
>>> utf16_to_codepoint(text, 10)
8
"""

from __future__ import annotations

__all__ = ["CodePointError", "codepoint_to_utf16", "utf16_to_codepoint"]


class CodePointError(ValueError):
    """An offset outside the text, or one that splits a surrogate pair."""


def codepoint_to_utf16(text: str, offset: int) -> int:
    """The UTF-16 offset of code point ``offset`` in ``text``."""
    if not 0 <= offset <= len(text):
        raise CodePointError(f"code point offset {offset} is outside 0-{len(text)}")
    return offset + sum(1 for ch in text[:offset] if ord(ch) > 0xFFFF)


def utf16_to_codepoint(text: str, offset: int) -> int:
    """The code point offset of UTF-16 offset ``offset`` in ``text``."""
    units = 0
    for index, ch in enumerate(text):
        if units == offset:
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > offset:
            raise CodePointError(f"UTF-16 offset {offset} splits the surrogate pair of {ch!r}")
    if units == offset:
        return len(text)
    raise CodePointError(f"UTF-16 offset {offset} is outside 0-{units}")
