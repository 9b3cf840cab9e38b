"""``annotate class create`` and ``annotate db upgrade`` on each database."""

from __future__ import annotations

import json

import pytest

from annotate.cli import main
from annotate.server.db import Database
from annotate.server.migrate import HEAD, revision


def test_db_upgrade_brings_the_schema_to_head(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert main(["db", "upgrade", "--db", db_url]) == 0  # twice is harmless
    assert f"revision {HEAD}" in capsys.readouterr().out
    db = Database.open(db_url)
    assert revision(db) == HEAD
    db.dispose()


def test_class_create_prints_its_secrets_once(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["class", "create", "Period 3", "--db", db_url, "--reveal", "after-own", "--json"]
    assert main(args) == 0
    made = json.loads(capsys.readouterr().out)
    assert set(made) == {"class_id", "teacher_token", "join_code", "container", "link"}
    assert made["container"] == f"http://127.0.0.1:8765/classes/{made['class_id']}/annotations/"
    db = Database.open(db_url)
    with db.read() as conn:
        stored = " ".join(
            str(v) for row in conn.exec_driver_sql("SELECT * FROM members") for v in row
        )
        stored += " ".join(
            str(v) for row in conn.exec_driver_sql("SELECT * FROM classes") for v in row
        )
    db.dispose()
    assert made["teacher_token"] not in stored
    assert made["join_code"].replace("-", "") not in stored.replace("-", "")
