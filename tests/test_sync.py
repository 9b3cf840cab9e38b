"""The sync engine against a real ``annotate serve``, on SQLite and on PostgreSQL.

Offline first: changes made with no server reach it once each when it answers;
a create whose answer was lost is found again by ``canonical``; a 412 keeps both
versions; closing and reopening the store (a kernel restart) loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from annotate.model import Annotation
from annotate.store import LOCAL_ONLY_TAG, Store
from annotate.sync import ClassClient, Syncer

from .server.conftest import postgres  # noqa: F401  # the cluster fixture, for PostgreSQL
from .sync_fixtures import Live, live_server

TEXT = "Hegseth met Nakatani in Tokyo on Sunday and spoke of a joint command."
SOURCE = "urn:annotate:demo:article"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    yield from live_server(request, tmp_path_factory.mktemp("server"))


def make(start: int, end: int, note: str = "") -> Annotation:
    return Annotation.new(source=SOURCE, text=TEXT, start=start, end=end, note=note, creator="Ana")


def server_notes(client: ClassClient) -> list[tuple[str | None, str]]:
    items = client.list(SOURCE)
    return sorted((i.get("canonical"), Annotation.from_w3c(i).note) for i in items)


class LoseAnswers(httpx.HTTPTransport):
    """A network that delivers the first POST but loses the server's answer."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and self.lost == 0:
            self.lost += 1
            response.read()
            raise httpx.ReadTimeout("answer lost", request=request)
        return response


def test_offline_changes_reach_the_server_once(live: Live, tmp_path: Path) -> None:
    made = live.new_class()
    ana = live.student(made, "Ana")
    down = replace(
        ana, server="http://127.0.0.1:9", container="http://127.0.0.1:9/classes/x/annotations/"
    )
    path = tmp_path / "reader.db"
    with Store(path) as store:
        a, b, c = (
            store.add(make(0, 7, "one")),
            store.add(make(12, 20, "two")),
            store.add(make(24, 29)),
        )
        with ClassClient(down) as nowhere:
            result = Syncer(store, nowhere).push()
        assert (result.offline, result.sent, result.waiting) == (True, 0, 3)
        store.update(a.touched(note="one, edited"))
        store.delete(c.id)
    with Store(path) as store, ClassClient(ana) as client:  # a restart in between
        syncer = Syncer(store, client)
        result = syncer.push()
        assert (result.offline, result.conflicts, result.waiting) == (False, 0, 0)
        assert server_notes(client) == sorted([(a.id, "one, edited"), (b.id, "two")])
        store.update(b.touched(note="two, edited"))
        store.delete(a.id)
        assert syncer.waiting() == 2
        assert syncer.push().sent == 2
        assert syncer.push().sent == 0  # nothing twice
        assert server_notes(client) == [(b.id, "two, edited")]


def test_a_create_whose_answer_was_lost_is_not_sent_twice(live: Live, tmp_path: Path) -> None:
    made = live.new_class()
    ana = live.student(made, "Ana")
    with Store(tmp_path / "reader.db") as store:
        a = store.add(make(0, 7, "once"))
        flaky = LoseAnswers()
        with ClassClient(ana, transport=flaky) as lossy:
            assert Syncer(store, lossy).push().offline
        assert flaky.lost == 1
    with Store(tmp_path / "reader.db") as store, ClassClient(ana) as client:
        syncer = Syncer(store, client)
        assert syncer.push().waiting == 0
        assert server_notes(client) == [(a.id, "once")]
        assert syncer.remote(a.id) is not None


def test_a_conflict_keeps_both_versions(live: Live, tmp_path: Path) -> None:
    made = live.new_class()
    ana = live.student(made, "Ana")
    with Store(tmp_path / "reader.db") as store, ClassClient(ana) as client:
        syncer = Syncer(store, client)
        a = store.add(make(0, 7, "mine"))
        syncer.push()
        iri, etag = syncer.remote(a.id) or ("", "")
        # The same reader edits it elsewhere (another machine with the same token).
        theirs, _ = client.get(iri)
        theirs["body"][0]["value"] = "from elsewhere"
        client.update(iri, theirs, etag)
        store.update(a.touched(note="mine, edited"))
        result = syncer.push()
        assert (result.conflicts, result.waiting) == (1, 0)
        assert server_notes(client) == [(a.id, "mine, edited")]
        kept = [x for x in store.list(SOURCE) if LOCAL_ONLY_TAG in x.tags]
        assert [(x.note, x.canonical) for x in kept] == [("from elsewhere", iri)]
        assert syncer.push().sent == 0  # the kept copy never goes up


def test_pull_reads_classmates_apart_from_the_readers_notes(live: Live, tmp_path: Path) -> None:
    made = live.new_class()
    ana, ben = live.student(made, "Ana"), live.student(made, "Ben")
    with (
        ClassClient(ben) as bens,
        ClassClient(ana) as anas,
        ClassClient(live.teacher(made)) as teacher,
    ):
        check_pull(tmp_path, bens, anas, teacher)


def check_pull(tmp_path: Path, bens: ClassClient, anas: ClassClient, teacher: ClassClient) -> None:
    shared = make(12, 20, "Ben's shared note").to_w3c()
    private = make(24, 29, "Ben's private note").to_w3c()
    private["audience"] = {"type": "schema:Audience", "schema:audienceType": "private"}
    bens.create(shared)
    bens.create(private)
    with Store(tmp_path / "reader.db") as store:
        syncer = Syncer(store, anas)
        mine = store.add(make(0, 7, "Ana's"))
        syncer.push()
        seen = syncer.pull(SOURCE)
        assert [(x.creator, x.note) for x in seen] == [("Ben", "Ben's shared note")]
        assert [x.id for x in store.list()] == [mine.id]  # nothing of Ben's in her own notes
        # Ana replies to Ben, only to the teacher; the reply threads under his note.
        reply = Annotation.from_w3c(
            {
                "id": "urn:uuid:00000000-0000-4000-8000-000000000001",
                "type": "Annotation",
                "target": seen[0].id,
                "body": [{"type": "TextualBody", "value": "Which ships?", "purpose": "replying"}],
                "audience": {"type": "schema:Audience", "schema:audienceType": "teacher"},
            }
        )
        store.add(replace(reply, source=SOURCE, creator="Ana"))
        assert syncer.push().waiting == 0
    notes: list[Any] = [Annotation.from_w3c(i) for i in teacher.list(SOURCE)]
    replies = [(n.note, n.reply_to, n.audience) for n in notes if n.reply_to]
    assert replies == [("Which ships?", seen[0].id, "teacher")]
    with Store(tmp_path / "ben.db") as his:
        # Ben made his notes with no store: all he reads back is what the class shows him.
        assert [x.note for x in Syncer(his, bens).pull(SOURCE)] == [
            "Ben's shared note",
            "Ben's private note",
            "Ana's",
        ]
