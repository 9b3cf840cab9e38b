"""``annotate join``, ``annotate sync`` and ``annotate class export`` against a real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotate.cli import main
from annotate.exchange import read_annotations
from annotate.model import Annotation
from annotate.store import Store
from annotate.sync import ClassClient, Membership

from .server.conftest import postgres  # noqa: F401  # the cluster fixture, for PostgreSQL
from .sync_fixtures import Live, live_server

TEXT = "Hegseth met Nakatani in Tokyo on Sunday and spoke of a joint command."
SOURCE = "urn:annotate:demo:article"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    yield from live_server(request, tmp_path_factory.mktemp("server"))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("ANNOTATE_HOME", str(folder))
    monkeypatch.setenv("ANNOTATE_STORE", str(tmp_path / "reader.db"))
    return folder


def test_join_sync_export(
    live: Live, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = live.new_class()
    with Store() as store:  # a note made before joining
        store.add(Annotation.new(source=SOURCE, text=TEXT, start=12, end=20, note="early"))
    assert main(["join", f"{live.url}/#join={made.join_code}", "--name", "Ana"]) == 0
    out = capsys.readouterr()
    config = home / "class.json"
    saved = Membership.load()
    assert saved is not None and saved.class_id == made.class_id
    assert saved.token not in out.out + out.err
    assert oct(config.stat().st_mode & 0o777) == "0o600"

    assert main(["sync"]) == 0
    line = capsys.readouterr().out
    assert line.count("\n") == 1 and line.startswith("sent 1 change(s)")
    assert main(["sync"]) == 0
    assert capsys.readouterr().out.startswith("sent 0 change(s)")

    with ClassClient(live.teacher(made)) as teacher:
        assert [Annotation.from_w3c(i).note for i in teacher.list(SOURCE)] == ["early"]
    out_file = tmp_path / "class.json"
    assert main(["class", "export", made.class_id, "-o", str(out_file), "--db", live.db_url]) == 0
    got = read_annotations(out_file)
    assert [(a.creator, a.note, a.exact) for a in got] == [("Ana", "early", "Nakatani")]
    assert saved.token not in out_file.read_text()
    assert main(["report", str(out_file), "-o", str(tmp_path / "r.html")]) == 0


def test_a_server_that_is_down_is_one_line_and_keeps_the_changes(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Membership(
        "http://127.0.0.1:9", "c", "http://127.0.0.1:9/classes/c/annotations/", "t", "Ana"
    ).save()
    with Store() as store:
        store.add(Annotation.new(source=SOURCE, text=TEXT, start=0, end=7))
    assert main(["sync"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "1 change(s) kept" in err
    with Store() as store, store.transaction() as db:
        assert db.execute("SELECT count(*) FROM sync_outbox").fetchone()[0] == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["join", "not a link", "--name", "Ana"],
        ["join", "ABCD-EFGH", "--name", "Ana"],  # a bare code needs --server
        ["join", "http://127.0.0.1:9/#join=ABCD", "--name", "Ana"],  # nobody there
        ["sync"],  # no class joined
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    argv: list[str], home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("annotate: error:")


def test_a_wrong_join_code_and_an_unknown_class(
    live: Live, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["join", "ZZZZ-ZZZZ", "--server", live.url, "--name", "Ana"]) == 1
    assert "404" in capsys.readouterr().err
    args = ["class", "export", "nosuchclass", "-o", str(tmp_path / "x.json"), "--db", live.db_url]
    assert main(args) == 1
    assert capsys.readouterr().err.count("\n") == 1
    assert not (tmp_path / "x.json").exists()


def test_class_create_prints_the_class_link(live: Live, capsys: pytest.CaptureFixture[str]) -> None:
    url = live.url + "/"
    assert main(["class", "create", "P4", "--db", live.db_url, "--url", url, "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["link"] == f"{url}#join={made['join_code']}"
