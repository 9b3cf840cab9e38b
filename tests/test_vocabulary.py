"""The claim vocabulary: exact labels, distinct cues, lookups."""

from __future__ import annotations

import pytest

from annotate.vocabulary import CLAIM_TYPES, STATUSES, claim_type, status, vocabulary_json


def test_labels_are_exactly_the_issue_s() -> None:
    assert [t.label for t in CLAIM_TYPES.values()] == [
        "Factual claim",
        "Quotation",
        "Attribution",
        "Framing",
        "Opinion",
        "Prediction",
    ]
    assert [s.label for s in STATUSES.values()] == ["Needs checking", "Supported", "Disputed"]


def test_every_type_has_its_own_colour_line_and_symbol() -> None:
    for field in ("colour", "underline", "symbol"):
        values = [getattr(t, field) for t in CLAIM_TYPES.values()]
        assert len(set(values)) == len(values), f"two claim types share a {field}"
    assert all(t.definition.endswith(".") for t in CLAIM_TYPES.values())


@pytest.mark.parametrize("name", ["Quotation", "quotation", "QUOTATION"])
def test_lookup_by_key_or_label_any_case(name: str) -> None:
    assert claim_type(name).key == "quotation"


def test_unknown_names_raise_with_the_known_labels() -> None:
    with pytest.raises(KeyError, match="Factual claim"):
        claim_type("rumour")
    with pytest.raises(KeyError, match="Needs checking"):
        status("maybe")


def test_json_round_trips_labels() -> None:
    data = vocabulary_json()
    assert [t["label"] for t in data["claimTypes"]] == [t.label for t in CLAIM_TYPES.values()]
    assert {s["key"] for s in data["statuses"]} == set(STATUSES)
