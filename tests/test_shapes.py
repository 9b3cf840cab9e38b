"""The one-pass reading (``annotate.shapes``) reads a file as ``from_w3c`` does, or not at all.

Every file a class hands in goes through ``shapes.read`` first: whatever it
accepts must be, field for field, what the long way (``Annotation.from_w3c`` on
each item) makes of it, and whatever the long way refuses it must leave to the
long way (``None``). Held here on the shared parse cases, on annotations of every
kind, and on fuzzed documents.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from annotate import shapes
from annotate.exchange import ExchangeError, collection, dump_collection, parse_document
from annotate.model import Annotation, AnnotationError
from annotate.vocabulary import CLAIM_TYPES, STATUSES
from annotate.wire import vocabulary_key

from .test_annotation_cases import CASES
from .test_classroom_fast import BASE, kinds

Fields = list[dict[str, Any]]


def fields(anns: list[Annotation]) -> Fields:
    """Every field, those equality leaves out (motivation, positioned) too."""
    return [dataclasses.asdict(a) for a in anns]


def long_way(items: list[Any]) -> Fields | str:
    """What ``from_w3c`` makes of ``items``, or the error code of the first it refuses."""
    try:
        return fields([Annotation.from_w3c(item) for item in items])
    except AnnotationError as err:
        return err.code


def documents(items: list[Any]) -> list[Any]:
    """``items`` in each form a file holds them: a collection, a page, a list (and the item
    alone, when there is one object)."""
    whole = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    alone = items if len(items) == 1 and isinstance(items[0], dict) else []
    return [whole, whole["first"], items, *alone]


def agrees(items: list[Any]) -> None:
    """``shapes.read`` of each document form of ``items`` is ``None`` or the long way's."""
    want = long_way(items)
    for doc in documents(items):
        got = shapes.read(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        if got is None:
            continue
        assert not isinstance(want, str), f"read what from_w3c refuses ({want})"
        assert fields(got) == want


def timeless(items: list[Any]) -> list[Any]:
    """``items`` each with a time: one without is read as now(), which differs by a moment."""
    return [
        {**i, "created": i.get("created") or "2026-01-01T00:00:00Z"} if isinstance(i, dict) else i
        for i in items
    ]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_parse_case_is_read_as_from_w3c_reads_it_or_left_to_it(case: dict[str, Any]) -> None:
    agrees(timeless([case["annotation"]]))


def test_what_this_kit_writes_is_read_in_one_pass() -> None:
    """Not a test that could pass by always answering None: every kind is read here."""
    anns = [a for a in kinds() if a.created]  # one without a time is read as now()
    got = shapes.read(dump_collection(anns).encode("utf-8"))
    assert got is not None
    assert fields(got) == long_way(collection(anns)["first"]["items"])


@pytest.mark.parametrize(
    "change",
    [
        {"created": "2025-02-30T12:00:00Z"},
        {"id": "not an iri"},
        {"target": {"source": "", "selector": BASE.selectors()}},
        {"target": ""},
        {"canonical": ""},
        {"audience": {"type": "schema:Audience", "schema:audienceType": "everyone"}},
        {"body": [{"type": "TextualBody", "value": "x" * 100_001}]},
    ],
)
def test_an_item_from_w3c_refuses_is_left_to_it(change: dict[str, Any]) -> None:
    item = BASE.to_w3c() | change
    assert isinstance(long_way([item]), str)
    assert shapes.read(json.dumps([BASE.to_w3c(), item]).encode()) is None


@pytest.mark.parametrize(
    "change",
    [
        {"generator": {"name": "another tool", "deep": [[[[[]]]]]}},
        {"target": {"source": "urn:x", "selector": BASE.selectors()[0]}},
        {"creator": "Ana"},
        {"type": ["Annotation"]},
        {"motivation": None},
    ],
    ids=["unknown key", "one selector, no list", "creator as text", "type list", "null"],
)
def test_what_another_tool_writes_is_left_to_the_long_way(change: dict[str, Any]) -> None:
    item = BASE.to_w3c() | change
    assert shapes.read(json.dumps([item]).encode()) is None
    assert fields(parse_document(json.dumps([item]))) == long_way([item])


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf[]",
        b"[NaN]",
        b'[{"id": "\\ud800"}]',
        '[{"id": "\ud800"}]',
        b"[" * 70 + b"]" * 70,
    ],
    ids=["byte-order mark", "NaN", "escaped lone surrogate", "lone surrogate", "deep"],
)
def test_a_file_the_long_way_refuses_is_left_to_it(data: bytes | str) -> None:
    assert shapes.read(data) is None
    with pytest.raises(ExchangeError):
        parse_document(data)


TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 2**60) | TEXT | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
# Values a note's fields take, and near misses: most changes keep the shape, so the
# reading in one pass is tested on what it accepts, not only on what it leaves.
VALUES = (
    st.sampled_from(
        [
            "2026-03-20T10:00:00Z", "2025-02-30T00:00:00Z", "urn:uuid:1", "not an iri", "",
            "Framing", "Checked", "tagging", "commenting", "class", "TextQuoteSelector",
            "TextPositionSelector", "Annotation", "Person",
        ]
    )
    | st.integers(-2, 40)
    | TEXT
    | JSON
)  # fmt: skip
KEYS = st.sampled_from(
    [
        "id", "type", "target", "source", "selector", "exact", "prefix", "suffix", "start",
        "end", "creator", "name", "created", "modified", "body", "value", "purpose", "format",
        "motivation", "audience", "schema:audienceType", "canonical", "scope", "@context",
    ]
)  # fmt: skip


def nodes(data: Any) -> list[Any]:
    """Every object and array in ``data``."""
    if isinstance(data, dict):
        children = list(data.values())
    elif isinstance(data, list):
        children = data
    else:
        return []
    return [data, *(node for child in children for node in nodes(child))]


@given(st.lists(st.tuples(st.integers(0, 40), st.booleans(), KEYS, VALUES), min_size=1, max_size=3))
@example([(0, True, "start", 3.0)])
@example([(9, True, "end", 2**60)])
@example([(0, False, "audience", {"schema:audienceType": "class", "type": "x"})])
@example([(0, False, "target", "urn:uuid:root")])
def test_any_change_to_a_note_is_read_as_from_w3c_reads_it(
    changes: list[tuple[int, bool, str, Any]],
) -> None:
    item = BASE.to_w3c()
    item["body"] = [{"type": "TextualBody", "purpose": "tagging", "value": "Framing"}]
    for where, existing, key, value in changes:
        found = nodes(item)
        node = found[where % len(found)]
        if isinstance(node, list):
            node.append(copy.deepcopy(value))
            continue
        if existing and node:  # a key the node has: a new value of the same field
            key = sorted(node)[where % len(node)]
        node[key] = copy.deepcopy(value)
    agrees(timeless([item]))


@given(
    st.tuples(TEXT, TEXT, TEXT, TEXT, TEXT),
    st.integers(0, 2**53 - 20),
    st.sampled_from([None, *CLAIM_TYPES]),
    st.sampled_from([None, *STATUSES]),
    st.lists(TEXT, max_size=2),
    st.booleans(),
)
def test_any_note_this_kit_writes_is_read_back_as_it_was(
    texts: tuple[str, ...],
    start: int,
    kind: str | None,
    state: str | None,
    tags: list[str],
    positioned: bool,
) -> None:
    exact, prefix, suffix, note, creator = texts
    ann = dataclasses.replace(
        BASE,
        exact=exact + "x",
        prefix=prefix,
        suffix=suffix,
        start=start if positioned else 0,
        end=start + len(exact) + 1 if positioned else 0,
        positioned=positioned,
        orphan=not positioned,
        note=note,
        creator=creator or "unknown",
        claim_type=kind,
        status=state,
        # A tag that names a type or status is read as that type or status.
        tags=tuple(t for t in tags if vocabulary_key(t) == (None, None)),
    )
    got = shapes.read(dump_collection([ann]).encode("utf-8"))
    assert got is not None
    assert fields(got) == long_way(collection([ann])["first"]["items"])
