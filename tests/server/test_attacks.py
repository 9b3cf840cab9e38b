"""Tried as an attacker would: other classes, wrong roles, others' ids, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from annotate.model import NOTE_LIMIT
from annotate.server.auth import JOIN_ATTEMPTS, create_class

from .conftest import Klass, note


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["title"]
    return body


def test_no_token_or_a_wrong_one(klass: Klass) -> None:
    problem(klass.client.get(klass.container), 401)
    problem(klass.client.get(klass.container, headers={"Authorization": "Bearer nope"}), 401)


def test_another_class_token_learns_nothing(klass: Klass) -> None:
    other = create_class(klass.client.app.state.db, "Period 5")  # type: ignore[attr-defined]
    outsider = {"Authorization": f"Bearer {other.teacher_token}"}
    made = klass.post(klass.teacher)
    for r in (
        klass.client.get(klass.container, headers=outsider),
        klass.client.get(made["id"], headers=outsider),
        klass.client.delete(made["id"], headers=outsider),
        klass.client.post(klass.container, json=note(), headers=outsider),
        klass.client.get(f"/classes/{klass.made.class_id}/events", headers=outsider),
        klass.client.get("/classes/nosuchclass/annotations/", headers=outsider),
    ):
        assert problem(r, 404)["title"] == "No such container"
    # The outsider's own container holds none of it.
    mine = klass.client.get(f"/classes/{other.class_id}/annotations/", headers=outsider)
    assert mine.json()["total"] == 0


def test_student_on_teacher_routes(klass: Klass) -> None:
    ana = klass.join("Ana")
    problem(klass.client.get(f"/classes/{klass.made.class_id}/members", headers=ana), 403)
    names = klass.client.get(f"/classes/{klass.made.class_id}/members", headers=klass.teacher)
    assert [m["name"] for m in names.json()["members"]] == ["Teacher", "Ana"]


def test_someone_elses_annotation(klass: Klass) -> None:
    ana, ben = klass.join("Ana"), klass.join("Ben")
    made = klass.client.post(klass.container, json=note(), headers=ana)
    iri, tag = made.headers["location"], made.headers["etag"]
    problem(klass.client.put(iri, json=note("mine now"), headers={**ben, "If-Match": tag}), 403)
    problem(klass.client.delete(iri, headers=ben), 403)
    hidden = klass.post(ana, audience="private")
    problem(klass.client.delete(hidden["id"], headers=ben), 404)
    problem(klass.client.put(hidden["id"], json=note(), headers={**ben, "If-Match": "*"}), 404)
    problem(klass.client.delete(hidden["id"], headers=klass.teacher), 404)
    assert klass.client.get(iri, headers=ana).json()["body"][0]["value"] == "a note"


def test_guessed_ids(klass: Klass) -> None:
    for guess in ("1", "00000000-0000-0000-0000-000000000000", "..%2F..%2Fetc", "x" * 300):
        r = klass.client.get(klass.container + guess, headers=klass.teacher)
        assert r.status_code == 404


def test_wrong_join_codes_are_rate_limited(klass: Klass) -> None:
    for _ in range(JOIN_ATTEMPTS):
        problem(klass.client.post("/join", json={"code": "WRONG-CODE", "name": "Eve"}), 404)
    r = klass.client.post("/join", json={"code": klass.made.join_code, "name": "Eve"})
    problem(r, 429)
    assert int(r.headers["retry-after"]) > 0


def count(klass: Klass) -> int:
    value: int = klass.client.get(klass.container, headers=klass.teacher).json()["total"]
    return value


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"x" * 1_000_001, 413, "too large"),
        (json.dumps(note("n" * (NOTE_LIMIT + 1))).encode(), 400, "100 KB"),
        (b"[" * 5000 + b"]" * 5000, 400, "nested"),
        (
            json.dumps(
                {"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
            ).encode(),
            400,
            "nested",
        ),
        ("é".encode("latin-1") + b"{}", 400, "UTF-8"),
        (b"\xff\xfe{}", 400, "UTF-8"),
        (b"{not json", 400, "JSON"),
        (b"[]", 400, "object"),
        (json.dumps({"type": "Person"}).encode(), 400, "Annotation"),
        (json.dumps({**note(), "target": {"source": "urn:x"}}).encode(), 400, "selector"),
        (
            json.dumps(
                {
                    **note(),
                    "target": {
                        "source": "urn:x",
                        "selector": [
                            {"type": "TextQuoteSelector", "exact": "cat"},
                            {"type": "TextPositionSelector", "start": -3, "end": 0},
                        ],
                    },
                }
            ).encode(),
            400,
            "negative",
        ),
        (
            json.dumps({**note(), "audience": {"schema:audienceType": "all"}}).encode(),
            400,
            "audience",
        ),
        (json.dumps(note("nul \u0000")).encode(), 400, "NUL"),
        (b'{"type": "Annotation", "x": "\\ud800"}', 400, "surrogate"),
    ],
)
def test_bad_input_is_a_named_400_and_writes_nothing(
    klass: Klass, body: bytes, status: int, reason: str
) -> None:
    before = count(klass)
    r = klass.client.post(
        klass.container,
        content=body,
        headers={**klass.teacher, "Content-Type": "application/ld+json"},
    )
    assert reason.lower() in json.dumps(problem(r, status)).lower()
    assert count(klass) == before


def test_wrong_content_type(klass: Klass) -> None:
    r = klass.client.post(
        klass.container, content=b"<a/>", headers={**klass.teacher, "Content-Type": "text/xml"}
    )
    problem(r, 415)
