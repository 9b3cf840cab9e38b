"""A sealed class file says what merge placed its notes on; the report believes it.

``annotate merge`` keeps in the class file it seals each chapter's text digest and
the ids of the notes it orphaned there (``annotate:placedOn``). The report then
looks again only for the notes of a chapter whose text changed since
(``placement.place_again``). These tests hold that shortcut to ``place_all``
itself: on the same text, after a round trip through the class file, for
anchored, moved and orphaned notes, notes with no position, on chapters that
exist and on ones that do not.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate import placement
from annotate.article import Article
from annotate.classroom.feedback import student_feedback
from annotate.classroom.merge import Placement, merge, write_class
from annotate.classroom.report_data import build_report
from annotate.exchange import collection, read_annotations
from annotate.model import Annotation
from annotate.placement import PlacedOn, text_digest
from annotate.seal import PLACED_ON_KEY, intact

from .test_classroom import CHAPTER, make_book, mark, save

WORDS = ["port", "navy", "The navy", "three ships", "ships will", "Critics", "fleet."]
GONE = "urn:annotate:test-class:chapters/gone"  # a chapter the book no longer has


def _notes(article: Article, picks: list[tuple[str, int, str, str]]) -> list[Annotation]:
    """Notes on the current text, on an older one, off by a character, without a
    position, or quoting words the article does not hold (orphans)."""
    text, older = article.text, "Breaking: " + article.text
    notes = []
    for k, (words, nth, who, how) in enumerate(picks):
        base = older if how == "older" else text
        found = [i for i in range(len(base)) if base.startswith(words, i)]
        start = found[nth % len(found)] if found else 4
        ann = Annotation.new(
            source=article.source, text=base, start=start, end=start + 4, creator=who
        )
        ann = dataclasses.replace(ann, exact=words, end=start + len(words))
        if how == "off":  # a position its quote disagrees with
            ann = dataclasses.replace(ann, start=ann.start + 1, end=ann.end + 1)
        elif how == "unpositioned":
            ann = dataclasses.replace(ann, start=0, end=0, positioned=False, orphan=True)
        elif how == "gone":
            ann = dataclasses.replace(ann, source=GONE)
        notes.append(dataclasses.replace(ann, id=f"urn:uuid:note-{k}"))
    return notes


picks_of = st.lists(
    st.tuples(
        st.sampled_from([*WORDS, "words no chapter holds", "navy plans a smaller fleet"]),
        st.integers(0, 2),
        st.sampled_from(["Ana", "Ben"]),
        st.sampled_from(["current", "older", "off", "unpositioned", "gone"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(picks=picks_of)
def test_merge_then_report_places_as_place_all_would(
    tmp_path: Path, picks: list[tuple[str, int, str, str]]
) -> None:
    """Through the sealed class file, ``place_again`` gives every field ``place_all`` gives."""
    folder = tmp_path / str(len(list(tmp_path.iterdir())))
    (folder / "book").mkdir(parents=True)
    article = make_book(folder / "book")
    save(folder / "in" / "a.json", collection(_notes(article, picks)))
    merged = merge([folder / "in"], folder / "book")
    write_class(folder / "class.json", merged.annotations, merged.texts, merged.placed_on)
    said: dict[str, PlacedOn] = {}
    notes = read_annotations(folder / "class.json", trust_seal=True, placed_on=said)
    assert said == merged.placed_on and set(said) <= {article.source}  # the chapters asked for
    where = Placement(folder / "book")
    again = placement.place_again(notes, where.article, said)
    full, _ = placement.place_all(notes, where.article)
    assert [dataclasses.asdict(a) for a in again] == [dataclasses.asdict(a) for a in full]


def _class(tmp_path: Path) -> tuple[Article, Path]:
    """A merged class file: notes on the current text, one made on an older one, an orphan."""
    book = tmp_path / "book"
    book.mkdir()
    article = make_book(book)
    notes = [mark(article, "port", f"S{i}") for i in range(3)]
    older = dataclasses.replace(mark(article, "navy", "S8"), start=5, end=9)  # it moves
    lost = dataclasses.replace(mark(article, "port", "S9"), exact="pier")  # an orphan
    save(tmp_path / "in" / "a.json", collection([*notes, older, lost]))
    merged = merge([tmp_path / "in"], book)
    out = tmp_path / "class.json"
    write_class(out, merged.annotations, merged.texts, merged.placed_on)
    return article, out


def test_merge_says_what_it_placed_the_notes_on(tmp_path: Path) -> None:
    article, out = _class(tmp_path)
    data = out.read_bytes()
    assert intact(data)
    (lost,) = [a for a in read_annotations(out) if a.exact == "pier"]
    said = {"text": text_digest(article.text), "orphans": [lost.id]}
    assert json.loads(data)[PLACED_ON_KEY] == {article.source: said}


def test_a_broken_seal_is_not_believed(tmp_path: Path) -> None:
    """Once the file is edited, every note is looked for again."""
    _, out = _class(tmp_path)
    out.write_bytes(out.read_bytes().replace(b'"S1"', b'"S7"'))
    assert not intact(out.read_bytes())
    said: dict[str, PlacedOn] = {}
    assert len(read_annotations(out, trust_seal=True, placed_on=said)) == 5
    assert said == {}


def test_the_report_believes_the_seal_and_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out = _class(tmp_path)
    said: dict[str, PlacedOn] = {}
    notes = read_annotations(out, trust_seal=True, placed_on=said)
    root = tmp_path / "book"
    full = build_report(notes, root)
    assert full["totals"]["orphaned"] == 1
    given: list[int] = []
    real = placement.place_all

    def counted(anns: list[Annotation], *rest: Any) -> Any:
        given.append(len(anns))
        return real(anns, *rest)

    monkeypatch.setattr(placement, "place_all", counted)
    assert build_report(notes, root, placed_on=said) == full
    assert given == [0]  # the chapter is unchanged: none of its notes looked for again


def test_feedback_believes_the_seal_and_is_the_same(tmp_path: Path) -> None:
    _, out = _class(tmp_path)
    said: dict[str, PlacedOn] = {}
    notes = read_annotations(out, trust_seal=True, placed_on=said)
    root = tmp_path / "book"

    def shown(student: str, **placed: Any) -> Any:
        """The feedback but its new notes' ids and times (each call makes new ones)."""
        got = student_feedback(notes, root, student, **placed)
        kept = [dataclasses.replace(a, id="", created="", modified="") for a in got.annotations]
        return got.student, got.summary, kept

    for student in ("S1", "S9"):  # the second one's highlight is an orphan
        assert shown(student, placed_on=said) == shown(student)


def test_a_chapter_changed_since_the_merge_is_placed_again(tmp_path: Path) -> None:
    article, out = _class(tmp_path)
    said: dict[str, PlacedOn] = {}
    notes = read_annotations(out, trust_seal=True, placed_on=said)
    changed = make_book(
        tmp_path / "book", CHAPTER.replace("The navy plans", "Today the navy plans")
    )
    assert changed.text != article.text
    where = Placement(tmp_path / "book")
    again = placement.place_again(notes, where.article, said)
    assert again == placement.place_all(notes, where.article)[0]
    port = [a for a in again if a.exact == "port"]
    assert port and {a.start for a in port} == {changed.text.index("port")}
