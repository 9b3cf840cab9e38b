"""The ``annotate`` command line: export, import, orphans, reattach; errors and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotate.article import load_article
from annotate.cli import main
from annotate.exchange import collection
from annotate.model import Annotation
from annotate.store import Store

from .conftest import ROOT


@pytest.fixture()
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the book's article chapter to run the command in."""
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "chapters").mkdir()
    shutil.copy(ROOT / "chapters" / "article.md", tmp_path / "chapters" / "article.md")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANNOTATE_STORE", str(tmp_path / "store.db"))
    return tmp_path


def highlight(words: str, note: str = "") -> Annotation:
    art = load_article(ROOT / "chapters" / "article.md")
    start = art.text.index(words)
    return Annotation.new(
        source=art.source,
        text=art.text,
        start=start,
        end=start + len(words),
        note=note,
        claim_type="factual",
        creator="Ana",
    )


def write(path: Path, annotations: list[Annotation]) -> Path:
    path.write_text(json.dumps(collection(annotations)), encoding="utf-8")
    return path


def test_import_then_export_round_trips(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    anns = [
        highlight("growing Chinese assertiveness", "why growing?"),
        highlight("war-fighting headquarters"),
    ]
    assert main(["import", str(write(book / "in.json", anns))]) == 0
    assert (
        "2 annotation(s) from 1 file(s): 2 anchored, 0 moved, 0 orphaned" in capsys.readouterr().out
    )
    assert main(["export", "-o", str(book / "out.json")]) == 0
    out = json.loads((book / "out.json").read_text(encoding="utf-8"))
    assert out["type"] == "AnnotationCollection" and out["total"] == 2
    exacts = {i["target"]["selector"][0]["exact"] for i in out["first"]["items"]}
    assert exacts == {"growing Chinese assertiveness", "war-fighting headquarters"}


def test_import_reanchors_on_edited_chapter(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    anns = [
        highlight("growing Chinese assertiveness"),
        highlight("notably refrained from commenting"),
        highlight("has raised eyebrows among defense analysts and allies alike"),
    ]
    chapter = book / "chapters" / "article.md"
    text = chapter.read_text(encoding="utf-8")
    text = text.replace(
        "Secretary of Defense Pete Hegseth {claim}",
        "Earlier this year, Secretary of Defense Pete Hegseth {claim}",
    )
    text = text.replace(
        "{claim}`notably refrained from commenting <notably-refrained:framing>`", "declined"
    )
    chapter.write_text(text, encoding="utf-8")
    assert main(["import", str(write(book / "in.json", anns))]) == 0
    assert "0 anchored, 2 moved, 1 orphaned" in capsys.readouterr().out
    with Store() as store:
        (orphan,) = store.orphans()
        assert orphan.exact == "notably refrained from commenting"
    assert main(["orphans"]) == 0
    assert "notably refrained" in capsys.readouterr().out
    assert main(["reattach", orphan.id, "--chapter", str(chapter), "--quote", "declined"]) == 0
    with Store() as store:
        assert store.orphans() == []
        assert store.get(orphan.id).exact == "declined"  # type: ignore[union-attr]


def test_chapter_option_anchors_whatever_the_source(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    art = load_article(book / "chapters" / "article.md")
    data = highlight("Striking a determined tone").to_w3c()
    data["target"]["source"] = "https://elsewhere.example/copy-of-the-article"
    (book / "h.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["import", str(book / "h.json"), "--chapter", "chapters/article.md"]) == 0
    with Store() as store:
        (saved,) = store.list()
    assert saved.source == art.source and not saved.orphan


def test_unknown_source_is_kept_as_orphan(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = highlight("Striking a determined tone").to_w3c()
    data["target"]["source"] = "urn:annotate:other-book:chapters/gone"
    (book / "h.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["import", str(book / "h.json")]) == 0
    assert "1 orphaned" in capsys.readouterr().out


def test_a_bad_file_changes_nothing_and_says_why(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(book / "good.json", [highlight("Striking a determined tone")])
    bad = highlight("growing Chinese assertiveness").to_w3c()
    bad["target"]["selector"][1].update(start=50, end=10)
    (book / "bad.json").write_text(json.dumps([bad]), encoding="utf-8")
    assert main(["import", str(good), str(book / "bad.json")]) == 1
    err = capsys.readouterr().err
    assert "bad.json: item 1" in err and "after end" in err
    assert "Traceback" not in err
    with Store() as store:
        assert store.count() == 0


def test_csv_export(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    anns = [highlight("war-fighting headquarters", "=1+1")]
    assert main(["import", str(write(book / "in.json", anns))]) == 0
    capsys.readouterr()
    assert main(["export", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "'=1+1" in lines[1]


def test_store_option_beats_environment(book: Path) -> None:
    other = book / "other.db"
    main(
        ["import", "--store", str(other), str(write(book / "in.json", [highlight("war-fighting")]))]
    )
    assert Store(other).count() == 1
    assert not (book / "store.db").exists() or Store(book / "store.db").count() == 0


@pytest.mark.parametrize("argv", [["import"], ["export", "--format", "pdf"], ["frobnicate"], []])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as err:
        main(argv)
    assert err.value.code == 2


@pytest.mark.parametrize("command", ["export", "import", "orphans", "reattach", "new-article"])
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as err:
        main([command, "--help"])
    assert err.value.code == 0
    assert "usage: annotate" in capsys.readouterr().out


def test_console_script_runs(book: Path) -> None:
    exe = Path(sys.executable).with_name("annotate")
    proc = subprocess.run(
        [str(exe), "import", str(book / "missing.json")], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "missing.json: no such file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_import_keeps_notes_on_pages_without_an_article(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A context note highlighted in the book: the page exists but holds no {article}.
    (book / "chapters" / "context").mkdir()
    (book / "chapters" / "context" / "alliance.md").write_text(
        "# The alliance\n\nThe treaty was signed in 1960.\n", encoding="utf-8"
    )
    text = "The alliance\n\nThe treaty was signed in 1960."
    note = Annotation.new(
        source="urn:annotate:hegseth-japan-2025:chapters/context/alliance",
        text=text,
        start=text.index("1960"),
        end=text.index("1960") + 4,
        note="when exactly?",
    )
    mixed = [highlight("war-fighting headquarters"), note]
    assert main(["import", str(write(book / "in.json", mixed))]) == 0
    assert "1 anchored, 0 moved, 1 orphaned" in capsys.readouterr().out
    stored = {a.exact: a for a in Store(book / "store.db").list()}
    assert stored["1960"].note == "when exactly?" and stored["1960"].orphan


def test_import_sends_only_the_readers_own_notes_to_a_class(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A classmate's file kept here must never go up to the class under this reader's name."""
    import sqlite3
    from dataclasses import replace

    monkeypatch.setenv("ANNOTATE_READER", "Ana")
    mine = replace(highlight("war-fighting headquarters", "mine"), creator="Ana")
    theirs = replace(highlight("war-fighting headquarters", "theirs"), creator="Ben")
    theirs = replace(theirs, id="urn:uuid:00000000-0000-4000-8000-00000000000b")
    assert main(["import", str(write(book / "in.json", [mine, theirs]))]) == 0
    with Store() as store:
        assert store.count() == 2
        path = store.path
    queued = sqlite3.connect(path).execute("SELECT annotation_id FROM sync_outbox").fetchall()
    assert queued == [(mine.id,)]
