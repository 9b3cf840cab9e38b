"""Code points (the W3C model's offsets) <-> UTF-16 units (the browser's), both ways."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.codepoints import CodePointError, codepoint_to_utf16, utf16_to_codepoint

CASES = [
    ("plain ascii", 5, 5),
    ("🇯🇵 flag", 2, 4),  # two astral code points, four units
    ("👩‍👩‍👧 family", 5, 8),  # a ZWJ sequence: 5 code points, 8 units
    ("東京で会談", 3, 3),  # CJK stays in the BMP
    ("e\u0301tude", 2, 2),  # a combining mark is its own code point
    ("שלום עולם", 4, 4),  # right-to-left text: offsets are logical order
    ("مرحبا \U0001d538", 7, 8),  # an astral letter after Arabic
]


@pytest.mark.parametrize(("text", "cp", "units"), CASES)
def test_known_offsets_both_ways(text: str, cp: int, units: int) -> None:
    assert codepoint_to_utf16(text, cp) == units
    assert utf16_to_codepoint(text, units) == cp


@given(st.text(), st.data())
def test_round_trip(text: str, data: st.DataObject) -> None:
    cp = data.draw(st.integers(0, len(text)))
    units = codepoint_to_utf16(text, cp)
    assert units == len(text[:cp].encode("utf-16-le")) // 2
    assert utf16_to_codepoint(text, units) == cp


def test_offset_inside_a_surrogate_pair_is_refused() -> None:
    with pytest.raises(CodePointError, match="splits"):
        utf16_to_codepoint("a🇯b", 2)


@pytest.mark.parametrize("bad", [-1, 99])
def test_out_of_range_is_refused(bad: int) -> None:
    with pytest.raises(CodePointError):
        codepoint_to_utf16("abc", bad)
    with pytest.raises(CodePointError):
        utf16_to_codepoint("abc", bad)
