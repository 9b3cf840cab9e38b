"""The SQLite store: round trips, migrations, concurrency and a killed writer."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from annotate.model import Annotation
from annotate.store import SCHEMA_VERSION, Store, StoreError, default_store_path

TEXT = "Hegseth met Nakatani in Tokyo on Sunday and spoke of a joint command."


def make(start: int = 12, end: int = 20, note: str = "") -> Annotation:
    return Annotation.new(
        source="urn:annotate:t:a", text=TEXT, start=start, end=end, note=note, creator="Ana"
    )


def test_add_get_list_delete(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        a, b = make(note="first"), make(0, 7)
        store.add_many([a, b])
        assert store.get(a.id) == a
        assert [x.exact for x in store.list("urn:annotate:t:a")] == ["Hegseth", "Nakatani"]
        assert store.list("urn:other") == []
        assert store.delete(a.id) is True
        assert store.delete(a.id) is False
        assert store.count() == 1


def test_update_keeps_created_and_sets_modified(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        a = store.add(make(note="old"))
        time.sleep(0.01)
        saved = store.update(a.touched(note="new", created="1999-01-01T00:00:00Z"))
        assert saved.created == a.created
        assert saved.modified > a.modified
        assert store.get(a.id).note == "new"  # type: ignore[union-attr]
        with pytest.raises(KeyError):
            store.update(make())


def test_orphans_are_kept_listed_and_reattached(tmp_path: Path) -> None:
    from dataclasses import replace

    with Store(tmp_path / "s.db") as store:
        lost = store.add(replace(make(), orphan=True))
        store.add(make(0, 7))
        assert [a.id for a in store.orphans()] == [lost.id]
        back = store.reattach(lost.id, 24, 29, TEXT)
        assert (back.exact, back.orphan) == ("Tokyo", False)
        assert store.orphans() == []


def test_env_chooses_the_default_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATE_STORE", str(tmp_path / "x.db"))
    assert default_store_path() == tmp_path / "x.db"
    monkeypatch.delenv("ANNOTATE_STORE")
    assert default_store_path() == Path.home() / ".annotate" / "annotations.db"


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    Store(tmp_path / "s.db").close()
    db = sqlite3.connect(tmp_path / "s.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_version_1_database_is_migrated_in_place(tmp_path: Path) -> None:
    a = make(note="from v1")
    db = sqlite3.connect(tmp_path / "old.db")
    db.executescript(
        """CREATE TABLE annotations (id TEXT PRIMARY KEY, source TEXT NOT NULL,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, created TEXT NOT NULL,
        modified TEXT NOT NULL, creator TEXT NOT NULL, json TEXT NOT NULL);
        PRAGMA user_version = 1;"""
    )
    import json

    db.execute(
        "INSERT INTO annotations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (a.id, a.source, a.start, a.end, a.created, a.modified, a.creator, json.dumps(a.to_w3c())),
    )
    db.commit()
    db.close()
    with Store(tmp_path / "old.db") as store:
        assert store.get(a.id) == a
        assert store.orphans() == []


def test_version_2_store_upgrades_and_queues_its_notes_for_a_class(tmp_path: Path) -> None:
    import json

    a, b = make(note="before joining"), make(0, 7)
    db = sqlite3.connect(tmp_path / "v2.db")
    db.executescript(
        """CREATE TABLE annotations (id TEXT PRIMARY KEY, source TEXT NOT NULL,
        start INTEGER NOT NULL, "end" INTEGER NOT NULL, created TEXT NOT NULL,
        modified TEXT NOT NULL, creator TEXT NOT NULL, json TEXT NOT NULL,
        orphan INTEGER NOT NULL DEFAULT 0);
        PRAGMA user_version = 2;"""
    )
    for x in (a, b):
        db.execute(
            "INSERT INTO annotations VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (
                x.id,
                x.source,
                x.start,
                x.end,
                x.created,
                x.modified,
                x.creator,
                json.dumps(x.to_w3c()),
            ),
        )
    db.commit()
    db.close()
    with Store(tmp_path / "v2.db") as store:
        assert (store.get(a.id), store.get(b.id), store.count()) == (a, b, 2)
        with store.transaction() as conn:
            queued = sorted(conn.execute("SELECT annotation_id, op FROM sync_outbox"))
        assert queued == sorted([(a.id, "put"), (b.id, "put")])


def test_each_change_leaves_one_outbox_entry_with_the_change(tmp_path: Path) -> None:
    from dataclasses import replace

    from annotate.store import LOCAL_ONLY_TAG

    with Store(tmp_path / "s.db") as store:
        a = store.add(make(note="one"))
        store.update(a.touched(note="two"))
        store.add(replace(make(0, 7), tags=(LOCAL_ONLY_TAG,)))  # a conflict copy: never sent
        with store.transaction() as conn:
            assert conn.execute(
                "SELECT annotation_id, op, version FROM sync_outbox"
            ).fetchall() == [(a.id, "put", 2)]
        store.delete(a.id)
        with store.transaction() as conn:
            assert conn.execute("SELECT op FROM sync_outbox").fetchall() == [("delete",)]


def test_newer_schema_is_refused_with_the_file_name(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "new.db")
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreError, match=r"new\.db"):
        Store(tmp_path / "new.db")


def _writer(path: str, worker: int, count: int) -> None:
    with Store(path) as store:
        for n in range(count):
            store.add(make(note=f"{worker}-{n}"))


def test_thirty_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    Store(path).close()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, w, 20)) for w in range(30)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with Store(path) as store:
        notes = {a.note for a in store.list()}
    assert notes == {f"{w}-{n}" for w in range(30) for n in range(20)}


def _committer(path: str, log: str) -> None:
    with Store(path) as store, open(log, "a", encoding="utf-8") as out:
        n = 0
        while True:
            batch = [make(note=f"{n}-{k}") for k in range(50)]
            store.add_many(batch)
            out.write("\n".join(a.id for a in batch) + "\n")
            out.flush()
            os.fsync(out.fileno())
            n += 1


def test_a_killed_writer_leaves_every_committed_annotation(tmp_path: Path) -> None:
    path, log = str(tmp_path / "k.db"), str(tmp_path / "committed.txt")
    Store(path).close()
    proc = mp.get_context("spawn").Process(target=_committer, args=(path, log))
    proc.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if Path(log).exists() and Path(log).stat().st_size > 20_000:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # mid-write: no chance to clean up
    proc.join()
    committed = set(Path(log).read_text(encoding="utf-8").split())
    assert committed
    with Store(path) as store:
        ids = {a.id for a in store.list()}
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert committed <= ids
    # Whole batches only: a transaction is all or nothing.
    assert len(ids) % 50 == 0


def test_store_is_usable_from_another_thread(tmp_path: Path) -> None:
    # Jupyter delivers widget messages on a kernel subshell: another thread.
    import threading

    store = Store(tmp_path / "s.db")
    text = "Hegseth met Nakatani in Tokyo."
    errors: list[BaseException] = []

    def write() -> None:
        try:
            store.add(Annotation.new(source="urn:x", text=text, start=0, end=7))
        except BaseException as err:  # reported below
            errors.append(err)

    worker = threading.Thread(target=write)
    worker.start()
    worker.join()
    assert errors == []
    assert store.count() == 1
