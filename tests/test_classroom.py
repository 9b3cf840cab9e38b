"""``annotate merge``: every format in, duplicates once, bad files named, atomic output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate import exchange, placement
from annotate.article import Article, load_article
from annotate.classroom import merge as classroom  # the module (the package keeps it so)
from annotate.classroom.merge import Placement
from annotate.cli import main
from annotate.exchange import ExchangeError, collection, parse_document, read_annotations
from annotate.model import Annotation
from annotate.seal import unsealed

CHAPTER = """\
# Ships sail at dawn

::::{article}
:seed: seeds/ships.txt

The navy plans a bigger fleet.

Officials said {claim}`three ships will sail <ships-sail:prediction>` on Monday, and the \
port is ready.

The navy {claim}`confirmed the plan <navy-confirmed:factual>` in a statement. Critics called \
it rushed and costly.
::::
"""


def make_book(folder: Path, chapter: str = CHAPTER) -> Article:
    """A one-chapter book in ``folder``; returns its article."""
    (folder / "_config.yml").write_text(
        "sphinx:\n  config:\n    annotate_book_id: test-class\n", encoding="utf-8"
    )
    (folder / "chapters").mkdir(exist_ok=True)
    path = folder / "chapters" / "article.md"
    path.write_text(chapter, encoding="utf-8")
    return load_article(path)


def mark(article: Article, words: str, creator: str, *, nth: int = 0, **fields: Any) -> Annotation:
    """A highlight of the ``nth`` occurrence of ``words``, by ``creator``."""
    start = -1
    for _ in range(nth + 1):
        start = article.text.index(words, start + 1)
    return Annotation.new(
        source=article.source,
        text=article.text,
        start=start,
        end=start + len(words),
        creator=creator,
        **fields,
    )


def save(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture()
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Article:
    """The tiny book, with the current folder inside it (as a teacher would run merge)."""
    root = tmp_path / "book"
    root.mkdir()
    monkeypatch.chdir(root)
    return make_book(root)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_merges_every_format_keeping_each_creator(
    book: Article, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ana = [mark(book, "bigger fleet", "Ana", claim_type="opinion"), mark(book, "port", "Ana")]
    ben = mark(book, "confirmed the plan", "Ben", claim_type="factual", note="Which statement?")
    cai = mark(book, "rushed", "Cai", status="disputed")
    exports = tmp_path / "exports"
    save(exports / "ana.json", collection(ana))
    save(exports / "nested" / "ben.json", ben.to_w3c())  # one annotation, in a subfolder
    save(exports / "cai.json", {"type": "AnnotationPage", "items": [cai.to_w3c()]})
    dee = {
        "id": "h1",
        "uri": book.source,
        "user": "acct:dee@hypothes.is",
        "text": "Costly for whom?",
        "tags": ["budget"],
        "created": "2026-03-01T10:00:00Z",
        "target": [
            {
                "source": book.source,
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": "costly",
                        "prefix": "rushed and ",
                        "suffix": ".",
                    }
                ],
            }
        ],
    }
    save(exports / "dee.json", {"total": 1, "rows": [dee]})  # Hypothesis's search answer

    code, out, err = run(["merge", str(exports), "-o", "class.json"], capsys)

    assert code == 0, err
    merged = read_annotations("class.json")
    assert sorted((a.creator, a.exact) for a in merged) == [
        ("Ana", "bigger fleet"),
        ("Ana", "port"),
        ("Ben", "confirmed the plan"),
        ("Cai", "rushed"),
        ("dee", "costly"),
    ]
    assert next(a for a in merged if a.creator == "Ben").note == "Which statement?"
    assert json.loads(Path("class.json").read_text(encoding="utf-8"))["type"] == (
        "AnnotationCollection"
    )
    assert "merged 5 annotation(s) from 4 file(s)" in out
    assert "skipped 0 file(s)" in out
    # The Hypothesis note had no position: found again in the text, so it moved.
    assert "4 anchored, 1 moved, 0 orphaned" in out
    assert err == ""


def test_same_id_counts_once_and_the_later_edit_wins(
    book: Article, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = mark(book, "three ships will sail", "Ana", note="first thought")
    later = replace(first, note="second thought", modified="2099-01-01T00:00:00.000Z")
    save(tmp_path / "a.json", collection([later]))  # the later one is read first
    save(tmp_path / "b.json", collection([first, mark(book, "port", "Ana")]))

    code, out, _ = run(
        ["merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "-o", "class.json"], capsys
    )

    assert code == 0
    merged = read_annotations("class.json")
    assert len(merged) == 2
    assert next(a for a in merged if a.id == first.id).note == "second thought"
    assert "(1 duplicate(s) counted once)" in out


def test_keep_latest_ignores_file_order() -> None:
    text = "The cat sat."
    a = Annotation.new(source="urn:x", text=text, start=4, end=7, creator="Ana")
    old = replace(a, modified="2026-01-01T10:00:00+01:00", note="old")  # 09:00 UTC
    new = replace(a, modified="2026-01-01T09:30:00Z", note="new")
    assert [x.note for x in classroom.keep_latest([old, new])] == ["new"]
    assert [x.note for x in classroom.keep_latest([new, old])] == ["new"]


def test_bad_files_are_skipped_and_named_with_their_reason(
    book: Article,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exports = tmp_path / "exports"
    save(exports / "good.json", collection([mark(book, "port", "Ana")]))
    (exports / "broken.json").write_text('{"type": "AnnotationCollection", ', encoding="utf-8")
    save(exports / "package.json", {"name": "left-pad", "version": "1.0.0"})
    (exports / "deep.json").write_text("[" * 200 + "]" * 200, encoding="utf-8")
    (exports / "huge.json").write_text(json.dumps([" " * 5000]), encoding="utf-8")
    (exports / "empty.json").write_text("", encoding="utf-8")
    bad_item = mark(book, "rushed", "Eve").to_w3c()
    bad_item["target"]["selector"] = []
    save(exports / "bad-item.json", [bad_item])
    monkeypatch.setattr(exchange, "MAX_FILE_BYTES", 4096)

    code, out, err = run(
        ["merge", str(exports), str(tmp_path / "gone.json"), "-o", "c.json"], capsys
    )

    assert code == 0
    skipped = dict(
        line.removeprefix("annotate: skipped ").split(": ", 1) for line in err.splitlines()
    )
    assert skipped == {
        str(exports / "bad-item.json"): "item 1 ("
        + bad_item["id"]
        + "): no TextQuoteSelector with exact text",
        str(exports / "broken.json"): skipped[str(exports / "broken.json")],
        str(exports / "deep.json"): "JSON is nested deeper than 64 levels",
        str(exports / "empty.json"): "is empty",
        str(exports / "huge.json"): skipped[str(exports / "huge.json")],
        str(exports / "package.json"): "holds neither an annotation nor a list of them",
        str(tmp_path / "gone.json"): "no such file",
    }
    assert skipped[str(exports / "broken.json")].startswith("is not JSON")
    assert "the limit is" in skipped[str(exports / "huge.json")]
    assert [a.creator for a in read_annotations("c.json")] == ["Ana"]
    assert "from 1 file(s)" in out and "skipped 7 file(s)" in out


def test_nothing_merged_exits_1_and_leaves_the_old_output(
    book: Article, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("class.json").write_text("previous class file", encoding="utf-8")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    empty = tmp_path / "empty-folder"
    empty.mkdir()

    code, out, err = run(
        ["merge", str(tmp_path / "broken.json"), str(empty), "-o", "class.json"], capsys
    )

    assert code == 1
    assert out == ""
    assert f"annotate: skipped {empty}: holds no .json file" in err
    assert "annotate: error: no file could be merged (2 skipped); class.json not written" in err
    assert Path("class.json").read_text(encoding="utf-8") == "previous class file"


def test_a_failed_write_leaves_the_old_output_whole(
    book: Article,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Path("class.json").write_text("previous class file", encoding="utf-8")
    save(tmp_path / "a.json", collection([mark(book, "port", "Ana")]))

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)  # the rename merge makes last
    code, _, err = run(["merge", str(tmp_path / "a.json"), "-o", "class.json"], capsys)

    assert code == 1
    assert err.strip().endswith("annotate: error: class.json: No space left on device")
    assert "Traceback" not in err
    assert Path("class.json").read_text(encoding="utf-8") == "previous class file"
    assert sorted(os.listdir()) == ["_config.yml", "chapters", "class.json"]  # no temp file left


def test_write_atomic_keeps_a_normal_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    classroom.write_atomic(target, "{}")
    umask = os.umask(0)
    os.umask(umask)
    assert target.read_text(encoding="utf-8") == "{}"
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_reanchors_on_the_current_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    old_root = tmp_path / "old"
    old_root.mkdir()
    old = make_book(old_root)
    notes = [
        mark(old, "bigger fleet", "Ana"),  # before the edit: stays put
        mark(old, "confirmed the plan", "Ben"),  # after the inserted sentence: moves
        mark(old, "rushed and costly", "Cai"),  # deleted from the text: orphan
    ]
    save(tmp_path / "class-notes.json", collection(notes))
    new_root = tmp_path / "new"
    new_root.mkdir()
    make_book(
        new_root,
        CHAPTER.replace("ready.\n", "ready. Crews trained for weeks.\n").replace(
            " Critics called it rushed and costly.", ""
        ),
    )
    monkeypatch.chdir(tmp_path)

    code, out, _ = run(
        ["merge", "class-notes.json", "-o", "class.json", "--book", str(new_root)], capsys
    )

    assert code == 0
    assert "1 anchored, 1 moved, 1 orphaned" in out
    placed = {a.creator: a for a in read_annotations("class.json")}
    new = load_article(new_root / "chapters" / "article.md")
    ben = placed["Ben"]
    assert new.text[ben.start : ben.end] == "confirmed the plan"
    assert ben.start > notes[1].start


def test_a_source_naming_a_page_without_article_makes_orphans_not_a_crash(
    book: Article, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("chapters/intro.md").write_text("# Welcome\n\nNo article here.\n", encoding="utf-8")
    a = mark(book, "port", "Ana")
    hostile = [
        a.to_w3c(),
        {
            **a.to_w3c(),
            "id": "urn:x:1",
            "target": {**a.to_w3c()["target"], "source": "urn:annotate:test-class:chapters/intro"},
        },
        {
            **a.to_w3c(),
            "id": "urn:x:2",
            "target": {
                **a.to_w3c()["target"],
                "source": "urn:annotate:test-class:../../../etc/passwd",
            },
        },
    ]
    save(tmp_path / "h.json", hostile)

    code, out, err = run(["merge", str(tmp_path / "h.json"), "-o", "class.json"], capsys)

    assert code == 0
    assert "1 anchored, 0 moved, 2 orphaned" in out
    assert "for urn:annotate:test-class:chapters/intro: its 1 annotation(s) are kept as" in err
    orphans = [a for a in read_annotations("class.json") if a.source != book.source]
    assert {a.source.rsplit(":", 1)[1] for a in orphans} == {
        "chapters/intro",
        "../../../etc/passwd",
    }


def test_the_output_inside_a_merged_folder_is_not_merged_again(
    book: Article, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exports = tmp_path / "exports"
    save(exports / "a.json", collection([mark(book, "port", "Ana")]))
    output = exports / "class.json"
    assert run(["merge", str(exports), "-o", str(output)], capsys)[0] == 0

    code, out, err = run(["merge", str(exports), "-o", str(output)], capsys)

    assert code == 0
    assert f"annotate: skipped {output}: is this merge's output" in err
    assert "from 1 file(s)" in out and "(0 duplicate(s)" in out


def test_links_to_folders_are_not_followed(
    book: Article, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exports = tmp_path / "exports"
    save(exports / "a.json", collection([mark(book, "port", "Ana")]))
    elsewhere = tmp_path / "elsewhere"
    save(elsewhere / "b.json", collection([mark(book, "fleet", "Ben")]))
    (exports / "link").symlink_to(elsewhere, target_is_directory=True)
    assert run(["merge", str(exports), "-o", "class.json"], capsys)[0] == 0
    assert [a.creator for a in read_annotations("class.json")] == ["Ana"]


def test_missing_book_folder_is_a_user_error(
    book: Article, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save(tmp_path / "a.json", collection([mark(book, "port", "Ana")]))
    code, _, err = run(
        ["merge", str(tmp_path / "a.json"), "-o", "c.json", "--book", "no-such-dir"], capsys
    )
    assert code == 1
    assert err == "annotate: error: no-such-dir: no such book folder\n"


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    book: Article, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(3):
        save(tmp_path / f"s{i}.json", collection([mark(book, "port", f"S{i}")]))
    code, _, err = run(["merge", str(tmp_path), "-o", "class.json"], capsys)
    assert code == 0
    assert err == ""  # capsys's stderr is no terminal: tqdm stays quiet


def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the calls ``place_all`` makes to ``placement.place``."""
    calls: list[int] = []
    real: Callable[..., Any] = placement.place

    def wrapped(ann: Annotation, *rest: Any) -> Any:
        calls.append(1)
        return real(ann, *rest)

    monkeypatch.setattr(placement, "place", wrapped)
    return calls


def test_place_anchors_each_distinct_target_once(
    book: Article, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting(monkeypatch)
    notes = [mark(book, "port", f"S{i}") for i in range(50)]
    notes += [mark(book, "The navy", f"S{i}", nth=1) for i in range(50)]
    # Made on an older text, where the words stood one character later: each moves.
    older = [replace(n, start=n.start + 1, end=n.end + 1) for n in notes]
    placed, counts = placement.place_all(older, Placement(tmp_path / "book").article)
    assert calls == [1, 1]
    assert counts == {"anchored": 0, "moved": 100, "orphaned": 0}
    assert [a.id for a in placed] == [a.id for a in notes]
    assert [(a.start, a.end) for a in placed] == [(a.start, a.end) for a in notes]
    # Where they say, with their context: placed as they are, nothing looked for.
    placed, counts = placement.place_all(notes, Placement(tmp_path / "book").article)
    assert calls == [1, 1]
    assert counts == {"anchored": 100, "moved": 0, "orphaned": 0}
    assert all(p is n for p, n in zip(placed, notes, strict=True))


words_of = st.sampled_from(
    ["port", "navy", "The navy", "three ships", "ships will", "Critics", "statement", "fleet."]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(
        st.tuples(
            words_of,
            st.integers(0, 2),
            st.sampled_from(["Ana", "Ben"]),
            st.booleans(),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_place_all_gives_what_place_gives(
    book: Article, tmp_path: Path, picks: list[tuple[str, int, str, bool, bool]]
) -> None:
    """The cache is invisible: the same annotations and counts as ``place`` one by one."""
    text = book.text
    old = "Breaking: " + text  # some notes were made on an older text, 10 characters longer
    notes = []
    for words, nth, who, on_old, unpositioned in picks:
        base = old if on_old else text
        found = [i for i in range(len(base)) if base.startswith(words, i)]
        start = found[nth % len(found)]
        note = Annotation.new(
            source=book.source, text=base, start=start, end=start + len(words), creator=who
        )
        if unpositioned:  # its words and their context, no position (Hypothesis can send so)
            note = replace(note, start=0, end=0, positioned=False, orphan=True)
        notes.append(note)
    where = Placement(tmp_path / "book")
    one_by_one = [placement.place(a, book.text, book.source) for a in notes]
    expected = {k: sum(p.outcome == k for p in one_by_one) for k in placement.OUTCOMES}
    placed, counts = placement.place_all(notes, where.article)
    assert counts == expected
    # Every field, those equality leaves out too (a note found gets its position).
    assert [asdict(a) for a in placed] == [asdict(p.annotation) for p in one_by_one]


def test_a_reply_is_not_placed_on_words(book: Article, tmp_path: Path) -> None:
    """A reply targets another annotation: it is kept as it is, never made an orphan."""
    root = mark(book, "port", "Ana")
    reply = Annotation.from_w3c(
        {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": "urn:uuid:00000000-0000-4000-8000-000000000001",
            "type": "Annotation",
            "motivation": "replying",
            "created": "2026-01-01T00:00:00Z",
            "modified": "2026-01-01T00:00:00Z",
            "creator": {"type": "Person", "name": "Ben"},
            "body": [{"type": "TextualBody", "value": "Agreed.", "purpose": "replying"}],
            "target": root.id,
        }
    )
    placed, counts = placement.place_all([root, reply], Placement(tmp_path / "book").article)
    assert placed[1] is reply and not reply.orphan
    assert counts["reply"] == 1 and counts["orphaned"] == 0
    assert placement.place(reply, book.text).outcome == "reply"


def test_what_orjson_refuses_gets_the_standard_librarys_verdict() -> None:
    """orjson refuses a lone escaped surrogate and NaN; so does the kit, with a reason
    (read, they failed later), and a broken document gets json's own message."""
    item = collection(
        [Annotation.new(source="urn:x", text="The cat sat.", start=4, end=7, creator="Ana")]
    )["first"]["items"][0]
    text = json.dumps(item)
    assert parse_document(text)[0].creator == "Ana"
    with pytest.raises(ExchangeError, match="lone surrogate"):
        parse_document(text.replace('"Ana"', '"Ana \\ud800"'))
    with pytest.raises(ExchangeError, match="NaN or Infinity"):
        parse_document(json.dumps({**item, "x": float("nan")}))
    with pytest.raises(ExchangeError, match=r"is not JSON \(Expecting value at line 3\)"):
        parse_document('{"type": "Annotation",\n\n "id": }')


_TWO_MERGES = """
import sys, threading
from pathlib import Path
from annotate.classroom import merge as classroom
assert threading.active_count() == 1, threading.enumerate()  # else no worker forks
one = classroom.merge([Path(sys.argv[1])], Path("."), workers=1)
two = classroom.merge([Path(sys.argv[1])], Path("."), workers=2)
assert two == one, "two workers merged differently"
print(len(two.annotations), len(two.files), [s.path for s in two.skipped])
"""


def test_files_read_by_worker_processes_merge_as_files_read_in_one(
    book: Article, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    for n in range(40):
        notes = [mark(book, "port", f"S{n}"), mark(book, "rushed", f"S{n}", note=f"n{n}")]
        save(exports / f"s{n:02d}.json", collection(notes))
    (exports / "s07.json").write_text("[", encoding="utf-8")
    # A fresh interpreter: earlier tests (progress bars, test servers) leave threads
    # running here, and the merge rightly forks no workers beside other threads.
    run = subprocess.run(
        [sys.executable, "-c", _TWO_MERGES, str(exports)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().split(maxsplit=2) == ["78", "39", repr([str(exports / "s07.json")])]


def test_the_class_file_is_json_dumps_of_the_collection_with_or_without_known_texts(
    book: Article, tmp_path: Path
) -> None:
    said = 'She said "no" — </script>'
    notes = [mark(book, "port", "Ana", note=said), mark(book, "rushed", "Bo")]
    save(tmp_path / "in.json", collection(notes))
    merged = classroom.merge([tmp_path / "in.json"], Path("."))
    assert len(merged.texts) == 2
    whole = collection(merged.annotations, label=classroom.CLASS_LABEL)
    want = json.dumps(whole, ensure_ascii=False)
    classroom.write_class(tmp_path / "known.json", merged.annotations, merged.texts)
    classroom.write_class(tmp_path / "fresh.json", merged.annotations)
    moved = [replace(merged.annotations[0], note="moved on"), merged.annotations[1]]
    classroom.write_class(tmp_path / "changed.json", moved, merged.texts)
    assert unsealed((tmp_path / "known.json").read_bytes()) == (want + "\n").encode()
    assert unsealed((tmp_path / "fresh.json").read_bytes()) == (want + "\n").encode()
    assert read_annotations(tmp_path / "changed.json") == moved


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'[{"id": "caf\xe9"}]', "is not UTF-8 text (byte 12)"),
        ("\u3000\n".encode(), "is empty"),
        (
            b"\xef\xbb\xbf[]",
            "is not JSON (Unexpected UTF-8 BOM (decode using utf-8-sig) at line 1)",
        ),
        (b"[1, 2", "is not JSON (Expecting ',' delimiter at line 1)"),
    ],
)
def test_a_file_read_as_bytes_is_refused_as_text_was(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    (tmp_path / "f.json").write_bytes(data)
    with pytest.raises(ExchangeError) as caught:
        read_annotations(tmp_path / "f.json")
    assert caught.value.reason == reason
