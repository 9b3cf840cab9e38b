"""The model's optional server fields: audience, replies, canonical."""

from __future__ import annotations

from dataclasses import replace

import pytest

from annotate.model import Annotation, AnnotationError

TARGET = "http://127.0.0.1:8765/classes/c1/annotations/a1"


def make() -> Annotation:
    return Annotation.new(
        source="urn:annotate:demo:a", text="The cat sat.", start=4, end=7, note="n", creator="Ana"
    )


def test_audience_and_canonical_round_trip() -> None:
    a = replace(make(), audience="teacher", canonical="urn:uuid:1")
    w3c = a.to_w3c()
    assert w3c["audience"] == {"type": "schema:Audience", "schema:audienceType": "teacher"}
    assert w3c["canonical"] == "urn:uuid:1"
    assert Annotation.from_w3c(w3c) == a


def test_annotation_without_them_is_unchanged() -> None:
    w3c = make().to_w3c()
    assert "audience" not in w3c and "canonical" not in w3c
    assert Annotation.from_w3c(w3c).audience is None


def test_reply_targets_an_iri() -> None:
    reply = Annotation.from_w3c(
        {
            "id": "urn:uuid:2",
            "type": "Annotation",
            "motivation": "replying",
            "target": TARGET,
            "body": {"type": "TextualBody", "value": "Agreed"},
        }
    )
    assert (reply.reply_to, reply.note, reply.exact) == (TARGET, "Agreed", "")
    w3c = reply.to_w3c()
    assert w3c["target"] == TARGET and w3c["motivation"] == "replying"
    assert Annotation.from_w3c(w3c) == reply


def test_unknown_audience_is_refused() -> None:
    w3c = {**make().to_w3c(), "audience": {"schema:audienceType": "world"}}
    with pytest.raises(AnnotationError, match="audience"):
        Annotation.from_w3c(w3c)


def test_other_audiences_say_nothing() -> None:
    w3c = {**make().to_w3c(), "audience": "http://example.edu/classes/ee101/"}
    assert Annotation.from_w3c(w3c).audience is None
