"""Real HTTP against ``annotate serve`` (uvicorn) on 127.0.0.1: conformance and faults."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import ANNO, Cluster, Server, free_port, note, serve, stop

ANNO_TYPE = f'application/ld+json; profile="{ANNO}"'
CONTAINER_TYPE = '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"'
CONSTRAINED = (
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)
RESOURCE_TYPE = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'

pytestmark = pytest.mark.slow


def create_class(db: str, url: str, *extra: str) -> dict[str, str]:
    """``annotate class create --json``, as a teacher runs it."""
    annotate = Path(sys.executable).with_name("annotate")
    out = subprocess.run(
        [str(annotate), "class", "create", "Period 3", "--db", db, "--url", url, "--json", *extra],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    made: dict[str, str] = json.loads(out)
    return made


@pytest.fixture
def server(db_url: str) -> Iterator[Server]:
    running = serve(db_url, workers=2)
    yield running
    stop(running)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_protocol_conformance(server: Server) -> None:
    """Every MUST of the Annotation Protocol the issue lists, over HTTP."""
    made = create_class(server.db, server.url + "/")
    container = made["container"]
    assert container.endswith("/") and container.startswith(server.url)
    with httpx.Client(timeout=30) as http:
        student = http.post(server.url + "/join", json={"code": made["join_code"], "name": "Ana"})
        assert student.status_code == 201
        assert student.json()["container"] == container
        ana = bearer(student.json()["token"])
        teacher = bearer(made["teacher_token"])
        # Containers: GET, HEAD, OPTIONS with Allow; type, ETag, Vary, Link, Content-Location.
        for method in ("GET", "HEAD", "OPTIONS"):
            r = http.request(method, container, headers=ana)
            assert r.status_code == 200 and "POST" in r.headers["allow"], method
        r = http.get(container, headers=ana)
        assert r.headers["content-type"] == ANNO_TYPE
        assert r.headers["etag"] and "Accept" in r.headers["vary"]
        assert CONTAINER_TYPE in r.headers["link"] and CONSTRAINED in r.headers["link"]
        doc = r.json()
        assert doc["id"] == r.headers["content-location"] == container
        assert {"BasicContainer", "AnnotationCollection"} <= set(doc["type"])
        # POST: 201, Location = id, under the container; canonical preserved.
        body = {**note(), "canonical": "urn:uuid:5c5d3c1c-1f0b-4a8e-b1b2-7b2f1e6e0a01"}
        created = http.post(
            container, content=json.dumps(body), headers={**ana, "Content-Type": ANNO_TYPE}
        )
        assert created.status_code == 201
        iri = created.headers["location"]
        assert created.json()["id"] == iri and iri.startswith(container)
        assert created.json()["canonical"] == body["canonical"]
        # Annotations: GET, HEAD, OPTIONS with Allow; type, ETag, Vary, Link.
        for method in ("GET", "HEAD", "OPTIONS"):
            r = http.request(method, iri, headers=ana)
            assert r.status_code == 200 and "PUT" in r.headers["allow"], method
        r = http.get(iri, headers=ana)
        assert r.headers["content-type"] == ANNO_TYPE and r.headers["link"] == RESOURCE_TYPE
        assert r.headers["etag"] == created.headers["etag"] and "Accept" in r.headers["vary"]
        # PUT with If-Match; 412 stale, 428 without.
        tag = r.headers["etag"]
        assert http.put(iri, json=note("b"), headers=ana).status_code == 428
        assert http.put(iri, json=note("b"), headers={**ana, "If-Match": tag}).status_code == 200
        assert http.put(iri, json=note("c"), headers={**ana, "If-Match": tag}).status_code == 412
        # Pages: partOf, next, prev, over a container of more than one page.
        burst = [note(f"n{i}") for i in range(200)]
        for item in burst:
            assert http.post(container, json=item, headers=ana).status_code == 201
        doc = http.get(container, headers=ana).json()
        assert doc["total"] == 201
        first = doc["first"]
        assert first["partOf"]["id"] == container and "next" in first and "prev" not in first
        second = http.get(first["next"], headers=ana).json()
        assert second["type"] == "AnnotationPage" and second["prev"] == first["id"]
        assert second["id"] == doc["last"] and "next" not in second
        # Prefer: minimal container, IRIs only.
        minimal = http.get(
            container,
            headers={
                **ana,
                "Prefer": 'return=representation;include="http://www.w3.org/ns/ldp#PreferMinimalContainer"',
            },
        ).json()
        assert isinstance(minimal["first"], str) and minimal["total"] == 201
        iris = http.get(
            container,
            headers={
                **ana,
                "Prefer": 'return=representation;include="http://www.w3.org/ns/oa#PreferContainedIRIs"',
            },
        ).json()
        assert all(isinstance(i, str) for i in iris["first"]["items"])
        # DELETE: 204, gone for everyone.
        assert http.delete(iri, headers=teacher).status_code == 204
        assert http.get(iri, headers=ana).status_code == 404


def test_events_reach_subscribers_whichever_worker_wrote(server: Server) -> None:
    made = create_class(server.db, server.url + "/")
    teacher = bearer(made["teacher_token"])
    received: list[str] = []
    events = f"{server.url}/classes/{made['class_id']}/events"
    with httpx.Client(timeout=30) as http:
        start = http.get(events, params={"seconds": 0}, headers=teacher).text
        last = [ln[4:] for ln in start.splitlines() if ln.startswith("id: ")][-1]

    def listen() -> None:
        with httpx.stream(
            "GET",
            events,
            params={"seconds": 6},
            headers={**teacher, "Last-Event-ID": last},
            timeout=30,
        ) as r:
            received.extend(ln for ln in r.iter_lines() if ln.startswith("event: "))

    thread = threading.Thread(target=listen)
    thread.start()
    for _ in range(8):  # a fresh connection each: the workers share the writes
        with httpx.Client(timeout=30) as http:
            assert http.post(made["container"], json=note(), headers=teacher).status_code == 201
    thread.join()
    assert received == ["event: create"] * 8


async def _burst(container: str, token: str, count: int, killer: Any) -> list[str]:
    created: list[str] = []
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:

        async def one(i: int) -> None:
            if i == count // 3:
                killer()
            try:
                r = await http.post(container, json=note(f"n{i}"), headers=bearer(token))
            except httpx.TransportError:
                return  # the worker died with this request: not acknowledged, not counted
            if r.status_code == 201:
                created.append(r.headers["location"])

        await asyncio.gather(*(one(i) for i in range(count)))
    return created


def _workers(server: Server) -> list[int]:
    """uvicorn's worker processes (not multiprocessing's resource tracker)."""
    out = subprocess.run(
        ["ps", "-ww", "-o", "pid=,args=", "--ppid", str(server.process.pid)],
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return [int(line.split()[0]) for line in out if "spawn_main" in line]


def test_sigkill_a_worker_mid_burst_loses_no_acknowledged_write(server: Server) -> None:
    made = create_class(server.db, server.url + "/")
    for _ in range(100):
        if len(_workers(server)) >= 2:
            break
        time.sleep(0.1)
    victims = _workers(server)
    assert victims, "no uvicorn worker processes found"

    def kill() -> None:
        os.kill(victims[0], signal.SIGKILL)
        killed.append(victims[0])

    killed: list[int] = []
    created = asyncio.run(_burst(made["container"], made["teacher_token"], 300, kill))
    assert created and killed, "no write was acknowledged, or no worker killed"
    assert victims[0] not in _workers(server)
    # The supervisor replaces the dead worker; whichever answers must have every 201.
    stored: set[str] = set()
    with httpx.Client(timeout=30) as http:
        for _ in range(100):
            try:
                r = http.get(
                    made["container"],
                    headers={
                        **bearer(made["teacher_token"]),
                        "Prefer": 'return=representation;include="http://www.w3.org/ns/oa#PreferContainedIRIs"',
                    },
                )
                break
            except httpx.TransportError:
                time.sleep(0.1)
        total = r.json()["total"]
        page: dict[str, Any] = r.json().get("first", {"items": []})
        stored.update(page["items"])
        while "next" in page:
            page = http.get(page["next"], headers=bearer(made["teacher_token"])).json()
            stored.update(page["items"])
    assert total == len(stored)
    assert set(created) <= stored


def test_postgres_outage_is_503_then_recovers(postgres: Cluster) -> None:
    db = postgres.new_database()
    running = serve(db, workers=1)
    try:
        made = create_class(db, running.url + "/")
        teacher = bearer(made["teacher_token"])
        with httpx.Client(timeout=30) as http:
            assert http.post(made["container"], json=note(), headers=teacher).status_code == 201
            postgres.stop()
            try:
                r = http.post(made["container"], json=note(), headers=teacher)
                assert r.status_code == 503, r.text
                assert int(r.headers["retry-after"]) > 0
                assert r.headers["content-type"] == "application/problem+json"
                assert http.get(made["container"], headers=teacher).status_code == 503
            finally:
                postgres.start()
            for _ in range(100):
                r = http.post(made["container"], json=note(), headers=teacher)
                if r.status_code != 503:
                    break
                time.sleep(0.2)
            assert r.status_code == 201
            assert http.get(made["container"], headers=teacher).json()["total"] == 2
    finally:
        stop(running)


def test_serve_uses_the_default_sqlite_file(tmp_path: Path) -> None:
    port = free_port()
    annotate = Path(sys.executable).with_name("annotate")
    env = {**os.environ, "ANNOTATE_HOME": str(tmp_path / "home")}
    env.pop("ANNOTATE_SERVER_DB", None)
    process = subprocess.Popen(
        [str(annotate), "serve", "--port", str(port)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert (tmp_path / "home" / "server.db").exists()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
