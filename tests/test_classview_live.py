"""``annotate.ClassView(class_url=…)``: the live class view, against a real ``annotate serve``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

import annotate
from annotate.article import load_article
from annotate.model import Annotation
from annotate.sync import ClassClient

from .conftest import ROOT
from .server.conftest import postgres  # noqa: F401  # the cluster fixture, for PostgreSQL
from .sync_fixtures import Live, live_server

ARTICLE = load_article(ROOT / "chapters" / "article.md")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    yield from live_server(request, tmp_path_factory.mktemp("server"))


def highlight(who: Any, words: str, note: str) -> None:
    start = ARTICLE.text.index(words)
    ann = Annotation.new(
        source=ARTICLE.source, text=ARTICLE.text, start=start, end=start + len(words), note=note
    )
    with ClassClient(who) as client:
        client.create(ann.to_w3c())


def test_the_live_view_builds_the_report_and_follows_the_class(server: Live) -> None:
    made = server.new_class()
    ana, ben = server.student(made, "Ana"), server.student(made, "Ben")
    highlight(ana, "Hegseth pledged to expedite", "first")
    highlight(server.teacher(made), "a critical", "the teacher's own highlight")
    url = f"{server.url}/classes/{made.class_id}"
    view = annotate.ClassView(class_url=url, token=made.teacher_token, book=ROOT)
    try:
        # The teacher's own highlight is not a student's: one student, one highlight.
        assert view.report["totals"]["students"] == 1
        assert view.report["totals"]["annotations"] == 1
        assert made.teacher_token not in repr(view) + view.status
        highlight(ben, "the establishment", "second")
        deadline = time.monotonic() + 15
        while view.report["totals"]["students"] != 2:
            assert time.monotonic() < deadline, view.status
            time.sleep(0.2)
    finally:
        view.stop()


def test_the_teacher_token_comes_from_annotate_join(server: Live) -> None:
    made = server.new_class()
    server.teacher(made).save()  # what annotate join writes for a teacher link
    view = annotate.ClassView(class_url=f"{server.url}/classes/{made.class_id}/", book=ROOT)
    view.stop()
    assert view.report["totals"]["students"] == 0 and view.status.startswith("Live")
    with pytest.raises(ValueError, match="no token for class other"):
        annotate.ClassView(class_url=f"{server.url}/classes/other", book=ROOT)
