"""The W3C Web Annotation Protocol, in-process, on SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .conftest import ANNO, Klass, note

ANNO_TYPE = f'application/ld+json; profile="{ANNO}"'


def test_post_creates_with_location_etag_and_canonical(klass: Klass) -> None:
    teacher = klass.teacher
    body = {**note(), "canonical": "urn:uuid:0b7a1bdf-4c56-4ee4-9c39-7b6f8c0a8a11"}
    r = klass.client.post(klass.container, json=body, headers=teacher)
    assert r.status_code == 201
    iri = r.headers["location"]
    assert iri.startswith("http://testserver" + klass.container) and r.json()["id"] == iri
    assert r.json()["canonical"] == body["canonical"]
    assert r.headers["etag"].startswith('"')
    assert r.headers["content-type"] == ANNO_TYPE
    got = klass.client.get(iri, headers=teacher)
    assert got.status_code == 200 and got.json() == r.json()
    assert got.headers["etag"] == r.headers["etag"]
    assert got.headers["link"] == '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
    assert "Accept" in got.headers["vary"]
    assert set(got.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}


def test_server_sets_creator_and_times(klass: Klass) -> None:
    ana = klass.join("Ana")
    body = {
        **note(),
        "creator": {"type": "Person", "name": "Teacher"},
        "created": "2000-01-01T00:00:00Z",
    }
    r = klass.client.post(klass.container, json=body, headers=ana)
    assert r.json()["creator"]["name"] == "Ana"
    assert r.json()["created"] != "2000-01-01T00:00:00Z"


def test_container_is_a_paged_basic_container(klass: Klass) -> None:
    for i in range(7):
        klass.post(klass.teacher, text=f"n{i}")
    r = klass.client.get(klass.container, headers=klass.teacher)
    doc = r.json()
    assert doc["id"] == r.headers["content-location"] == "http://testserver" + klass.container
    assert doc["type"] == ["BasicContainer", "AnnotationCollection"] and doc["total"] == 7
    assert 'ldp#BasicContainer>; rel="type"' in r.headers["link"]
    assert "ldp#constrainedBy" in r.headers["link"]
    assert r.headers["content-type"] == ANNO_TYPE
    first = doc["first"]
    assert first["type"] == "AnnotationPage" and len(first["items"]) == 3 and "prev" not in first
    seen = [a["id"] for a in first["items"]]
    page = klass.client.get(
        urlsplit(first["next"]).path + "?" + urlsplit(first["next"]).query, headers=klass.teacher
    ).json()
    while True:
        assert page["partOf"]["id"] == doc["id"] and "prev" in page
        seen += [a["id"] for a in page["items"]]
        if "next" not in page:
            break
        nxt = urlsplit(page["next"])
        page = klass.client.get(f"{nxt.path}?{nxt.query}", headers=klass.teacher).json()
    assert page["id"] == doc["last"] and len(seen) == len(set(seen)) == 7


def test_prefer_minimal_and_iris(klass: Klass) -> None:
    made = klass.post(klass.teacher)
    minimal = 'return=representation;include="http://www.w3.org/ns/ldp#PreferMinimalContainer"'
    r = klass.client.get(klass.container, headers={**klass.teacher, "Prefer": minimal})
    assert isinstance(r.json()["first"], str) and r.json()["total"] == 1
    assert r.headers["preference-applied"] == "return=representation"
    iris = 'return=representation;include="http://www.w3.org/ns/oa#PreferContainedIRIs"'
    r = klass.client.get(klass.container, headers={**klass.teacher, "Prefer": iris})
    assert r.json()["first"]["items"] == [made["id"]]


def test_source_narrows_to_one_page(klass: Klass) -> None:
    klass.post(klass.teacher, source="urn:a")
    klass.post(klass.teacher, source="urn:b")
    r = klass.client.get(klass.container, params={"source": "urn:a"}, headers=klass.teacher)
    assert r.json()["total"] == 1 and r.json()["id"] == r.headers["content-location"]
    assert r.json()["id"].endswith("?source=urn%3Aa")


def test_head_and_options(klass: Klass) -> None:
    made = klass.post(klass.teacher)
    for path, allow in ((klass.container, "POST"), (made["id"], "PUT")):
        head = klass.client.head(path, headers=klass.teacher)
        assert head.status_code == 200 and head.content == b"" and head.headers["etag"]
        options = klass.client.options(path)
        assert options.status_code == 200 and allow in options.headers["allow"]


def test_put_needs_if_match(klass: Klass) -> None:
    made = klass.client.post(klass.container, json=note(), headers=klass.teacher)
    iri, tag = made.headers["location"], made.headers["etag"]
    assert klass.client.put(iri, json=note("x"), headers=klass.teacher).status_code == 428
    ok = klass.client.put(iri, json=note("x"), headers={**klass.teacher, "If-Match": tag})
    assert ok.status_code == 200 and ok.headers["etag"] != tag
    assert ok.json()["created"] == made.json()["created"]
    stale = klass.client.put(iri, json=note("y"), headers={**klass.teacher, "If-Match": tag})
    assert stale.status_code == 412
    assert klass.client.get(iri, headers=klass.teacher).json()["body"][0]["value"] == "x"


def test_put_keeps_its_id(klass: Klass) -> None:
    made = klass.client.post(klass.container, json=note(), headers=klass.teacher)
    other = klass.post(klass.teacher)
    headers = {**klass.teacher, "If-Match": made.headers["etag"]}
    moved = {**note("x"), "id": other["id"]}
    r = klass.client.put(made.headers["location"], json=moved, headers=headers)
    assert r.status_code == 400 and "id" in r.json()["title"]
    same = {**note("x"), "id": made.headers["location"]}
    assert klass.client.put(made.headers["location"], json=same, headers=headers).status_code == 200


def test_delete_is_204_then_404(klass: Klass) -> None:
    made = klass.post(klass.teacher)
    assert klass.client.delete(made["id"], headers=klass.teacher).status_code == 204
    assert klass.client.get(made["id"], headers=klass.teacher).status_code == 404


def test_cors_for_any_origin_without_credentials(klass: Klass) -> None:
    pre = klass.client.options(
        klass.container,
        headers={
            "Origin": "null",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in pre.headers
    r = klass.client.get(klass.container, headers={**klass.teacher, "Origin": "https://x.org"})
    exposed = r.headers["access-control-expose-headers"].lower()
    assert {"etag", "location", "link"} <= {h.strip() for h in exposed.split(",")}


def test_thread_comes_back_with_its_root(klass: Klass) -> None:
    ana, ben = klass.join("Ana"), klass.join("Ben")
    root = klass.post(ana)
    klass.post(ben, text="why?", reply_to=root["id"])
    klass.post(klass.teacher, text="good", reply_to=root["id"], motivation="assessing")
    r = klass.client.get(root["id"] + "/thread", headers=ana)
    items = r.json()["items"]
    assert items[0]["id"] == root["id"] and len(items) == 3
    assert {i["motivation"] for i in items[1:]} == {"replying", "assessing"}
    page = klass.ids(ana, source="urn:annotate:demo:page1")
    assert len(page) == 3  # replies live on their root's page


def test_students_do_not_write_feedback(klass: Klass) -> None:
    ana = klass.join("Ana")
    root = klass.post(ana)
    body = note(reply_to=root["id"], motivation="assessing")
    assert klass.client.post(klass.container, json=body, headers=ana).status_code == 403


def test_old_events_are_pruned_and_a_late_stream_is_told_to_read_again(
    klass: Klass, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotate.server import container

    monkeypatch.setattr(container, "EVENTS_KEPT", 2)
    monkeypatch.setattr(container, "PRUNE_EVERY", 1)
    made = [klass.post(klass.teacher) for _ in range(5)]
    url = f"/classes/{klass.made.class_id}/events"

    def stream(last: str) -> list[str]:
        headers = {**klass.teacher, "Last-Event-ID": last}
        r = klass.client.get(url, params={"seconds": 0}, headers=headers)
        return [line[7:] for line in r.text.splitlines() if line.startswith("event: ")]

    # Only the newest events are kept: a stream from before them must read it all again.
    assert stream("0") == ["reset", "create", "create"]
    assert stream("3") == ["create", "create"]  # nothing it needs was pruned
    listed = klass.client.get(klass.container, headers=klass.teacher).json()
    assert listed["total"] == len(made)  # annotations are never pruned


def test_events_stream_from_last_event_id(klass: Klass) -> None:
    first = klass.post(klass.teacher)
    second = klass.post(klass.teacher)
    klass.client.delete(first["id"], headers=klass.teacher)
    url = f"/classes/{klass.made.class_id}/events"
    r = klass.client.get(
        url, params={"seconds": 0}, headers={**klass.teacher, "Last-Event-ID": "0"}
    )
    assert r.headers["content-type"].startswith("text/event-stream")
    kinds = [line[7:] for line in r.text.splitlines() if line.startswith("event: ")]
    assert kinds == ["create", "create", "delete"]
    assert second["id"] in r.text
    r = klass.client.get(
        url, params={"seconds": 0}, headers={**klass.teacher, "Last-Event-ID": "2"}
    )
    assert [ln for ln in r.text.splitlines() if ln.startswith("event: ")] == ["event: delete"]
    fresh = klass.client.get(url, params={"seconds": 0}, headers=klass.teacher)
    assert "event:" not in fresh.text and "id: 3" in fresh.text
