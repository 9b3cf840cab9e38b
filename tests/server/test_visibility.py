"""Who sees what: audiences, reveal after own, threads, counts and events."""

from __future__ import annotations

from .conftest import Klass, note


def events(klass: Klass, who: dict[str, str]) -> str:
    r = klass.client.get(
        f"/classes/{klass.made.class_id}/events",
        params={"seconds": 0},
        headers={**who, "Last-Event-ID": "0"},
    )
    assert r.status_code == 200
    return r.text


def total(klass: Klass, who: dict[str, str], source: str | None = None) -> int:
    params = {"source": source} if source else {}
    r = klass.client.get(klass.container, headers=who, params=params)
    value: int = r.json()["total"]
    return value


def test_audiences(klass: Klass) -> None:
    ana, ben = klass.join("Ana"), klass.join("Ben")
    private = klass.post(ana, text="secret", audience="private")
    for_teacher = klass.post(ana, text="to miss", audience="teacher")
    shared = klass.post(ana, text="for all")
    assert set(klass.ids(ana)) == {private["id"], for_teacher["id"], shared["id"]}
    assert klass.ids(ben) == [shared["id"]] and total(klass, ben) == 1
    assert set(klass.ids(klass.teacher)) == {for_teacher["id"], shared["id"]}
    for hidden in (private, for_teacher):
        assert klass.client.get(hidden["id"], headers=ben).status_code == 404
        assert hidden["id"] not in events(klass, ben)
        assert "secret" not in events(klass, ben)
    assert private["id"] not in events(klass, klass.teacher)
    assert for_teacher["id"] in events(klass, klass.teacher)


def test_reveal_after_own(after_own: Klass) -> None:
    ana, ben = after_own.join("Ana"), after_own.join("Ben")
    theirs = after_own.post(ana, source="urn:p1")
    assert after_own.ids(ben, "urn:p1") == [] and total(after_own, ben) == 0
    assert after_own.client.get(theirs["id"], headers=ben).status_code == 404
    assert theirs["id"] not in events(after_own, ben)
    after_own.post(ben, source="urn:p2")  # posting elsewhere reveals nothing here
    assert total(after_own, ben, "urn:p1") == 0
    mine = after_own.post(ben, source="urn:p1")
    assert after_own.ids(ben, "urn:p1") == [theirs["id"], mine["id"]]
    assert theirs["id"] in events(after_own, ben)
    assert set(after_own.ids(after_own.teacher, "urn:p1")) == {theirs["id"], mine["id"]}


def test_replies_to_hidden_notes_stay_hidden(klass: Klass) -> None:
    ana, ben = klass.join("Ana"), klass.join("Ben")
    root = klass.post(ana, audience="teacher")
    klass.post(klass.teacher, text="feedback", reply_to=root["id"], motivation="assessing")
    assert total(klass, ben) == 0 and "feedback" not in events(klass, ben)
    assert klass.client.get(root["id"] + "/thread", headers=ben).status_code == 404
    assert len(klass.client.get(root["id"] + "/thread", headers=ana).json()["items"]) == 2
    # Replying to a note you cannot see is refused like replying to nothing at all.
    r = klass.client.post(klass.container, json=note_reply(root["id"]), headers=ben)
    nothing = klass.client.post(
        klass.container, json=note_reply(klass.container_iri + "nope"), headers=ben
    )
    assert r.status_code == nothing.status_code == 400
    assert r.json()["detail"] == nothing.json()["detail"]


def test_private_reply_seen_by_its_author_only(klass: Klass) -> None:
    ana, ben = klass.join("Ana"), klass.join("Ben")
    root = klass.post(ana)
    klass.post(ben, text="just me", reply_to=root["id"], audience="private")
    thread = klass.client.get(root["id"] + "/thread", headers=ana).json()["items"]
    assert len(thread) == 1 and total(klass, ana) == 1 and total(klass, ben) == 2


def test_deleting_a_root_deletes_its_thread(klass: Klass) -> None:
    ana, ben = klass.join("Ana"), klass.join("Ben")
    root = klass.post(ana)
    reply = klass.post(ben, reply_to=root["id"])
    assert klass.client.delete(root["id"], headers=klass.teacher).status_code == 204
    assert klass.client.get(reply["id"], headers=ben).status_code == 404
    assert total(klass, klass.teacher) == 0
    assert events(klass, ben).count("event: delete") == 2


def note_reply(target: str) -> dict[str, object]:
    from .conftest import note

    return note(reply_to=target)


def test_teacher_feedback_is_for_that_student_only(klass: Klass) -> None:
    """Feedback "for the teacher" on a student's note: that student sees it, nobody else."""
    ana, ben = klass.join("Ana"), klass.join("Ben")
    root = klass.post(ana)  # shared with the class
    fb = klass.post(
        klass.teacher,
        text="see the readout",
        reply_to=root["id"],
        motivation="assessing",
        audience="teacher",
    )
    ana_thread = klass.client.get(root["id"] + "/thread", headers=ana).json()["items"]
    ben_thread = klass.client.get(root["id"] + "/thread", headers=ben).json()["items"]
    assert len(ana_thread) == 2 and len(ben_thread) == 1
    assert klass.client.get(fb["id"], headers=ana).status_code == 200
    assert klass.client.get(fb["id"], headers=ben).status_code == 404
    assert total(klass, ana) == 2 and total(klass, ben) == 1
    assert "see the readout" in events(klass, ana)
    assert "see the readout" not in events(klass, ben)
    # A classmate's reply "for the teacher" stays between that classmate and the teacher.
    klass.post(ben, text="ben to teacher", reply_to=root["id"], audience="teacher")
    assert "ben to teacher" not in events(klass, ana)
    assert total(klass, ana) == 2


def test_a_note_made_private_is_dropped_from_pages_that_showed_it(klass: Klass) -> None:
    ana, ben = klass.join("Ana"), klass.join("Ben")
    made = klass.client.post(klass.container, json=note("for all, for now"), headers=ana)
    iri, tag = made.headers["location"], made.headers["etag"]
    hidden = note("only mine now", audience="private")
    r = klass.client.put(iri, json=hidden, headers={**ana, "If-Match": tag})
    assert r.status_code == 200
    # Ben's open page is told to drop it, and hears nothing of what it now says.
    seen = events(klass, ben)
    assert f'event: hide\ndata: {{"id": "{iri}"}}' in seen
    assert "only mine now" not in seen
    assert iri not in klass.ids(ben)
    # The author keeps it: the hide comes before the update she may still see.
    hers = events(klass, ana)
    assert hers.index("event: hide") < hers.index("only mine now")
    # Widening does not hide anything.
    tag = r.headers["etag"]
    r = klass.client.put(iri, json=note("for all again"), headers={**ana, "If-Match": tag})
    assert r.status_code == 200
    assert events(klass, ben).count("event: hide") == 1
