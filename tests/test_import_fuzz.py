"""The importer under odd input: ids that are not IRIs and ``__proto__``-like keys anywhere.

Python refuses what the browser refuses (``frontend/core/model.js``; the browser side
is fuzzed in test_book_layer.py): every id that is not an IRI, with the ``id`` code;
any other oddity is read or refused with an ``AnnotationError``, never a crash.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from annotate.exchange import ExchangeError, parse_document
from annotate.model import ERROR_CODES, Annotation, AnnotationError, is_iri

BASE = Annotation.new(
    source="urn:annotate:book:chapters/article",
    text="The cat sat on the mat.",
    start=4,
    end=7,
    note="Which cat?",
    creator="Ana",
).to_w3c()
ODD_KEYS = ["__proto__", "constructor", "toString", "prototype", "hasOwnProperty", "valueOf"]
ODD_IDS = ["__proto__", "constructor", "toString", "valueOf", "x", ""]

keys = st.sampled_from(
    [*ODD_KEYS, "id", "type", "target", "selector", "body", "value", "exact", "start", "end"]
) | st.text(max_size=4)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=8,
)


def objects(node: Any) -> list[dict[str, Any]]:
    """Every JSON object inside ``node``, itself included."""
    out, todo = [], [node]
    while todo:
        x = todo.pop()
        if isinstance(x, dict):
            out.append(x)
            todo.extend(x.values())
        elif isinstance(x, list):
            todo.extend(x)
    return out


@given(st.lists(st.tuples(st.integers(0, 50), st.sampled_from(ODD_KEYS), json_values), max_size=4))
@example([(0, "__proto__", {"polluted": True})])
def test_odd_keys_anywhere_are_read_or_refused_never_a_crash(
    changes: list[tuple[int, str, Any]],
) -> None:
    data = copy.deepcopy(BASE)
    for where, key, value in changes:
        nodes = objects(data)
        nodes[where % len(nodes)][key] = value
    try:
        read = Annotation.from_w3c(data)
    except AnnotationError as err:
        assert err.code in ERROR_CODES
    else:
        # from_w3c builds without the dataclass's own checks: they must hold all the same.
        assert vars(dataclasses.replace(read)) == vars(read)
    for doc in ([data], {"__proto__": {}, "type": "AnnotationPage", "items": [data]}):
        try:
            parse_document(json.dumps(doc))
        except ExchangeError as err:
            assert err.code in ERROR_CODES


@given(st.sampled_from(ODD_IDS) | st.text(max_size=12) | st.from_regex(r"[a-z]{1,5}:\S{0,8}"))
@example("__proto__")
@example("urn:uuid:0")
def test_an_id_is_read_if_and_only_if_it_is_an_iri(ident: str) -> None:
    data = {**copy.deepcopy(BASE), "id": ident}
    try:
        read = Annotation.from_w3c(data)
    except AnnotationError as err:
        assert not is_iri(ident)
        assert err.code == ("missing" if ident == "" else "id")
    else:
        assert is_iri(ident) and read.id == ident


def test_the_three_odd_ids_beside_an_ordinary_one_refuse_the_file() -> None:
    items = [{**BASE, "id": i} for i in ["__proto__", "constructor", "toString"]]
    items.append(BASE)
    try:
        parse_document(json.dumps(items))
    except ExchangeError as err:
        assert err.code == "id"
        assert err.item == "item 1 (__proto__)"
    else:
        raise AssertionError("a file of odd ids was read")
