"""Fixtures for the class server: every test runs on SQLite and on a throwaway PostgreSQL.

The PostgreSQL cluster is made once per session with initdb/pg_ctl in a temporary
folder (as the ``postgres`` user when the tests run as root: PostgreSQL refuses
root) and each test gets a fresh database in it. Without PostgreSQL the
PostgreSQL half is skipped, except in CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    # Starlette 1.x asks for its httpx fork here; the team's client is httpx itself.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from annotate.server.app import create_app
from annotate.server.auth import NewClass, create_class

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
ANNO = "http://www.w3.org/ns/anno.jsonld"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True):
        return Path(candidate).parent
    return None


@dataclass
class Cluster:
    """A PostgreSQL server of our own: start and stop it to test outages."""

    bin: Path
    data: Path
    port: int
    as_postgres: bool
    _names: Iterator[int] = field(default_factory=itertools.count)

    def run(self, tool: str, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run(
            [*prefix, str(self.bin / tool), *args], check=True, capture_output=True, timeout=120
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} "
            "-c fsync=off -c max_connections=200"  # fsync off: tests, not the server, crash
        )
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.data / "log"),
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster for the session."""
    bindir = _pg_bin()
    if bindir is None:
        message = "PostgreSQL (pg_ctl) is not installed: apt-get install postgresql"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    root = os.geteuid() == 0
    top = Path(tempfile.mkdtemp(prefix="annotate-pg-"))
    top.chmod(0o755)
    data = top / "data"
    data.mkdir()
    if root:
        shutil.chown(data, "postgres", "postgres")
    cluster = Cluster(bindir, data, free_port(), root)
    cluster.run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
        shutil.rmtree(top, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    cluster: Cluster = request.getfixturevalue("postgres")
    return cluster.new_database()


@dataclass
class Klass:
    """A class made for a test, and a client that speaks to the app in-process."""

    client: TestClient
    made: NewClass

    @property
    def container(self) -> str:
        return f"/classes/{self.made.class_id}/annotations/"

    @property
    def container_iri(self) -> str:
        return "http://testserver" + self.container

    @property
    def teacher(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.made.teacher_token}"}

    def join(self, name: str) -> dict[str, str]:
        r = self.client.post("/join", json={"code": self.made.join_code, "name": name})
        assert r.status_code == 201, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def post(self, who: dict[str, str], **fields: Any) -> dict[str, Any]:
        r = self.client.post(self.container, json=note(**fields), headers=who)
        assert r.status_code == 201, r.text
        data: dict[str, Any] = r.json()
        return data

    def ids(self, who: dict[str, str], source: str | None = None) -> list[str]:
        params = {"source": source} if source else {}
        r = self.client.get(self.container, headers=who, params=params)
        assert r.status_code == 200, r.text
        first = r.json().get("first", {"items": []})
        return [a["id"] for a in first["items"]]


def note(
    text: str = "a note",
    source: str = "urn:annotate:demo:page1",
    audience: str | None = None,
    reply_to: str | None = None,
    motivation: str | None = None,
) -> dict[str, Any]:
    """W3C JSON for a note on "cat" (or a reply to ``reply_to``)."""
    data: dict[str, Any] = {
        "@context": ANNO,
        "type": "Annotation",
        "body": [{"type": "TextualBody", "value": text, "purpose": "commenting"}],
        "target": reply_to
        or {
            "source": source,
            "selector": [
                {"type": "TextQuoteSelector", "exact": "cat", "prefix": "The ", "suffix": " sat"},
                {"type": "TextPositionSelector", "start": 4, "end": 7},
            ],
        },
    }
    if audience:
        data["audience"] = {"type": "schema:Audience", "schema:audienceType": audience}
    if motivation:
        data["motivation"] = motivation
    return data


@pytest.fixture
def app(db_url: str) -> Iterator[Any]:
    application = create_app(db_url, page_size=3)
    yield application
    application.state.db.dispose()


@pytest.fixture
def klass(app: Any) -> Iterator[Klass]:
    """A class with a teacher, served in-process (pages of 3 to see paging)."""
    with TestClient(app, base_url="http://testserver") as client:
        yield Klass(client, create_class(app.state.db, "Period 3"))


@pytest.fixture
def after_own(app: Any) -> Iterator[Klass]:
    """A class whose students see classmates' notes on a page once they posted there."""
    with TestClient(app, base_url="http://testserver") as client:
        yield Klass(client, create_class(app.state.db, "Period 4", reveal="after-own"))


@dataclass
class Server:
    """``annotate serve`` running in a child process on 127.0.0.1."""

    process: subprocess.Popen[bytes]
    url: str
    db: str
    log: Any  # the server's stderr, a temporary file, read when it fails


def serve(db: str, workers: int = 1, env: dict[str, str] | None = None) -> Server:
    """Start ``annotate serve`` and wait until it answers."""
    import httpx

    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("annotate")),
            "serve",
            "--db",
            db,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,  # signals to its process group leave the test runner alone
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(url + "/openapi.json", timeout=1)
            return Server(process, url, db, log)
        except httpx.TransportError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    process.wait()
    log.seek(0)
    message = log.read().decode(errors="replace")
    log.close()
    raise RuntimeError(f"annotate serve did not start:\n{message}")


def stop(server: Server) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, 15)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, 9)
        server.process.wait()
    server.log.close()
