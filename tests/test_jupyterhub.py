"""``annotate serve --hub`` under a real JupyterHub: signed in by the Hub, a class per group.

The Hub runs on 127.0.0.1 with the DummyAuthenticator (a password), the
SimpleLocalProcessSpawner and configurable-http-proxy from npm (tests/.chp,
installed by tests/setup-browser.sh). The Hub starts the service itself, on SQLite.
ana and ben are students of group period3, tess teaches (group teachers), otto is
in another group.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError

from annotate.article import load_article
from annotate.model import Annotation

from .conftest import ROOT, Book, missing
from .test_book_layer import Reader
from .test_book_sync import Student
from .test_widget_e2e import free_port, run_cell, select_words

pytestmark = pytest.mark.slow

CHP = ROOT / "tests" / ".chp" / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "classroom"
ANNO_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
NOTEBOOK = "annotate-in-jupyter.ipynb"  # the book's notebook chapter, as students open it


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, book: Book) -> Iterator[dict[str, Any]]:
    """A JupyterHub with the annotate service; yields its URL, the admin token, a folder."""
    if not CHP.exists() or shutil.which("node") is None:
        missing("configurable-http-proxy", "run `bash tests/setup-browser.sh` (needs node, npm)")
    tmp = tmp_path_factory.mktemp("hub")
    # The service's --book: this book's sources, and the HTML the session built.
    source = tmp / "book"
    (source / "_build").mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml", "references.bib"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "chapters", source / "chapters")
    (source / "_build" / "html").symlink_to(book.html, target_is_directory=True)
    bin_dir = Path(sys.executable).parent
    port, hub_port, api_port, service_port = (free_port() for _ in range(4))
    admin = os.urandom(16).hex()
    for name in ("ana", "ben", "tess"):
        home = tmp / "home" / name
        (home / "chapters").mkdir(parents=True)
        shutil.copy(ROOT / "_config.yml", home / "_config.yml")
        shutil.copy(ROOT / "chapters" / "article.md", home / "chapters" / "article.md")
        shutil.copy(ROOT / "chapters" / NOTEBOOK, home / "chapters" / NOTEBOOK)
    service_cmd = [
        str(bin_dir / "annotate"),
        "serve",
        "--hub",
        "--db",
        str(tmp / "annotate.db"),
        "--class",
        "period3",
        "--teachers",
        "teachers",
        "--book",
        str(source),
    ]
    config = f"""
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.public_url = "http://127.0.0.1:{port}/"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]
c.JupyterHub.db_url = "sqlite:///{tmp}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{tmp}/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{tmp}/home/{{username}}"
c.Spawner.cmd = [{str(bin_dir / "jupyterhub-singleuser")!r}]
c.Spawner.args = ["--allow-root", "--LabApp.news_url=",
                  "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
c.Spawner.environment = {{"PATH": {str(bin_dir)!r} + ":/usr/bin:/bin"}}
c.Spawner.server_token_scopes = [
    "users:activity!user", "access:servers!server", "access:services!service=annotate",
]
c.JupyterHub.load_groups = {{
    "period3": {{"users": ["ana", "ben"]}},
    "teachers": {{"users": ["tess"]}},
    "period4": {{"users": ["otto"]}},
}}
c.JupyterHub.services = [
    {{"name": "annotate", "url": "http://127.0.0.1:{service_port}",
      "command": {service_cmd!r}, "oauth_no_confirm": True,
      "environment": {{"ANNOTATE_HUB_CACHE": "1"}}}},
    {{"name": "tester", "api_token": {admin!r}}},
]
c.JupyterHub.load_roles = [
    {{"name": "annotate-service", "services": ["annotate"],
      "scopes": ["read:users:name", "read:users:groups", "read:roles:users"]}},
    {{"name": "user", "scopes": ["self", "access:services"]}},
    {{"name": "admin", "services": ["tester"]}},
]
"""
    (tmp / "jupyterhub_config.py").write_text(config, encoding="utf-8")
    log = open(tmp / "hub.log", "w")  # noqa: SIM115 (closed when the Hub stops)
    proc = subprocess.Popen(
        [str(bin_dir / "jupyterhub"), "-f", str(tmp / "jupyterhub_config.py")],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"},
    )
    base = f"http://127.0.0.1:{port}"
    api = httpx.Client(
        base_url=f"{base}/hub/api", headers={"Authorization": f"token {admin}"}, timeout=60
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if (
                api.get("/").status_code == 200
                and httpx.get(f"{base}/services/annotate/me").status_code == 401
            ):
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            log.close()
            pytest.fail(f"JupyterHub did not start:\n{(tmp / 'hub.log').read_text()[-4000:]}")
        time.sleep(0.5)
    yield {"base": base, "api": api, "tmp": tmp, "log": tmp / "hub.log"}
    api.close()
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def token(hub: dict[str, Any], user: str, **extra: Any) -> str:
    """A new API token of ``user`` (as ``jupyterhub token`` makes), with its id kept."""
    r = hub["api"].post(f"/users/{user}/tokens", json={"note": "test", **extra})
    assert r.status_code == 201, r.text
    data = r.json()
    hub.setdefault("token_ids", {})[data["token"]] = data["id"]
    return str(data["token"])


def service(hub: dict[str, Any], secret: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{hub['base']}/services/annotate",
        headers={"Authorization": f"Bearer {secret}", "Accept": ANNO_TYPE},
        timeout=20,
    )


def note_on(words: str, note: str) -> dict[str, Any]:
    article = load_article(ROOT / "chapters" / "article.md")
    start = article.text.index(words)
    ann = Annotation.new(
        source=article.source,
        text=article.text,
        start=start,
        end=start + len(words),
        claim_type="factual",
        status=None,
        note=note,
        creator="whoever",
    )
    return ann.to_w3c()


def notes(items: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """``(author, note)`` of each annotation listed."""
    return {
        (i["creator"]["name"], b["value"])
        for i in items
        for b in i["body"]
        if b.get("purpose") == "commenting"
    }


def test_classmates_see_each_other_and_the_outsider_gets_nothing(hub: dict[str, Any]) -> None:
    ana, ben, tess, otto = (token(hub, u) for u in ("ana", "ben", "tess", "otto"))
    with service(hub, ana) as a:
        me = a.get("/me").json()
        assert me["name"] == "ana"
        assert [(c["class_id"], c["role"]) for c in me["classes"]] == [("hub-period3", "student")]
        container = me["classes"][0]["container"]
        assert container == f"{hub['base']}/services/annotate/classes/hub-period3/annotations/"
        body = json.dumps(note_on("Pete Hegseth", "ana's note"))
        r = a.post(container, content=body, headers={"Content-Type": ANNO_TYPE})
        assert r.status_code == 201, r.text
        assert r.headers["location"].startswith(container)
    # The Hub's own clients send "Authorization: token ...": the same credential.
    with httpx.Client(headers={"Authorization": f"token {ben}"}, timeout=20) as b:
        listed = b.get(container).json()
    items = listed["first"]["items"]
    assert notes(items) == {("ana", "ana's note")}
    assert ana not in json.dumps(listed)  # a user's token never reaches another's page
    with service(hub, tess) as t:
        roster = t.get("/classes/hub-period3/members").json()["members"]
    assert {(m["name"], m["role"]) for m in roster} == {
        ("ana", "student"),
        ("ben", "student"),
        ("tess", "teacher"),
    }
    with service(hub, otto) as o:
        assert o.get("/me").json()["classes"] == []
        assert o.get(container).status_code == 404
        r = o.post(container, content=body, headers={"Content-Type": ANNO_TYPE})
        assert r.status_code == 404
        assert o.get("/classes/hub-period3/events?seconds=0").status_code == 404
    with service(hub, ben) as b:
        assert len(b.get(container).json()["first"]["items"]) == 1  # otto added nothing


def test_expired_revoked_and_missing_tokens_are_refused(hub: dict[str, Any]) -> None:
    short = token(hub, "ben", expires_in=1)
    revoked = token(hub, "ben")
    with service(hub, revoked) as b:
        assert b.get("/me").status_code == 200
    r = hub["api"].delete(f"/users/ben/tokens/{hub['token_ids'][revoked]}")
    assert r.status_code == 204
    time.sleep(2.1)  # past the expiry and the service's cache of the Hub's answers (1 s)
    for secret in (short, revoked, "not-a-token"):
        with service(hub, secret) as b:
            r = b.get("/classes/hub-period3/annotations/")
            assert r.status_code == 401, (secret, r.text)
            assert r.headers["content-type"] == "application/problem+json"
    assert httpx.get(f"{hub['base']}/services/annotate/me").status_code == 401


def test_a_service_without_the_hub_says_so_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
    proc = subprocess.run(
        [
            str(Path(sys.executable).with_name("annotate")),
            "serve",
            "--hub",
            "--class",
            "period3",
            "--db",
            str(tmp_path / "x.db"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "not started by JupyterHub" in lines[0], proc.stderr


def open_chapter(hub: dict[str, Any], browser: Any, artifacts: Path, user: str) -> Any:
    """``user`` signed in at the Hub, in their JupyterLab, the notebook chapter's widget run."""
    r = hub["api"].post(f"/users/{user}/server")
    assert r.status_code in (201, 202), r.text
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{hub['base']}/hub/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{hub['base']}/user/{user}/lab/tree/chapters/{NOTEBOOK}")
    page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]").wait_for(timeout=90_000)
    news = page.get_by_role("button", name="No", exact=True)
    if news.count():
        news.first.click()
    page.wait_for_timeout(1500)
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        page.screenshot(path=str(artifacts / f"jupyterhub-dialog-{user}.png"))
        pytest.fail(f"JupyterLab shows a dialog: {dialog.first.inner_text()}")
    run_cell(page, 2)  # the chapter's first code cell: ClaimHighlighter(article), no set-up
    page.locator(".annotate-widget-article").wait_for(timeout=30_000)
    return page


@pytest.mark.browser
def test_widget_in_a_hub_users_lab_syncs_without_a_code(
    hub: dict[str, Any], browser: Any, artifacts: Path
) -> None:
    with service(hub, token(hub, "ben")) as b:
        container = b.get("/me").json()["classes"][0]["container"]
        words = "military cooperation with Japan"
        body = json.dumps(note_on(words, "ben: which agreements?"))
        assert b.post(container, content=body, headers={"Content-Type": ANNO_TYPE}).is_success
    # ana's own highlight made in the book: hers in the notebook too, not a classmate's.
    with service(hub, token(hub, "ana")) as a:
        body = json.dumps(
            {
                **note_on("traveled to Japan", "ana, made in the book"),
                "canonical": f"urn:uuid:{uuid.uuid4()}",
            }
        )
        assert a.post(container, content=body, headers={"Content-Type": ANNO_TYPE}).is_success
    page = open_chapter(hub, browser, artifacts, "ana")
    widget = page.locator(".annotate-widget-article")
    theirs = widget.locator("mark.annotate-classmate")
    theirs.first.wait_for(timeout=30_000)
    # The class also holds what earlier tests of this module posted: ben's words among them.
    assert words in "".join(theirs.all_inner_texts())
    listing = page.locator(".annotate-widget-classmates")
    assert "ben: which agreements?" in listing.inner_text()
    page.locator(".annotate-list", has_text="ana, made in the book").wait_for(timeout=30_000)
    assert "ana, made in the book" not in listing.inner_text()

    mine = "concluded a significant visit"
    select_words(page, widget, mine)
    palette = page.locator(".annotate-palette:not([hidden])")
    palette.wait_for()
    palette.get_by_role("button", name="Factual claim").click()
    palette.get_by_role("textbox", name="Note").fill("ana, from JupyterLab on the Hub")
    palette.get_by_role("button", name="Save").click()
    widget.locator("mark.annotate-hl.annotate-type--factual").first.wait_for()
    status = page.locator(".annotate-widget-status, [class*=sync]").first
    page.wait_for_function(
        "() => /Synced with your class/.test(document.body.innerText)", timeout=30_000
    )
    # ben's highlight in the text, ana's above it. A sync may repaint the article at any
    # moment (the mark found is then detached): find it again.
    for _attempt in range(5):
        try:
            theirs.first.scroll_into_view_if_needed(timeout=5_000)
            break
        except PlaywrightError:
            page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "jupyterhub-widget-classmate.png"))
    assert "waiting" not in status.inner_text()

    with service(hub, token(hub, "ben")) as b:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            items = b.get(container).json()["first"]["items"]
            if ("ana", "ana, from JupyterLab on the Hub") in notes(items):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"ana's highlight never reached the class: {notes(items)}")


def signed_in(browser: Any, hub: dict[str, Any], user: str) -> Any:
    """A browser profile of ``user``, signed in at the Hub (no server started)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{hub['base']}/hub/login?next=/hub/home")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url("**/hub/home")
    page.close()
    return context


class HubStudent(Student):
    """A student reading the book the service serves, in their Hub-signed-in profile."""

    def __init__(self, browser: Any, hub: dict[str, Any], user: str) -> None:
        self.context = signed_in(browser, hub, user)
        self.allowed = hub["base"]
        self.elsewhere: list[str] = []
        Reader.__init__(
            self, self.context, f"{hub['base']}/services/annotate/book/chapters/article.html"
        )
        self.page.on("request", self._record)


@pytest.mark.browser
def test_the_book_on_the_hub_joins_the_signed_in_users_class(
    hub: dict[str, Any], browser: Any, artifacts: Path
) -> None:
    words = "Japanese Defense Minister Gen Nakatani"
    with service(hub, token(hub, "ben")) as b:
        container = b.get("/me").json()["classes"][0]["container"]
        body = json.dumps(note_on(words, "ben, in the book: since when?"))
        assert b.post(container, content=body, headers={"Content-Type": ANNO_TYPE}).is_success
    with service(hub, token(hub, "ana")) as a:  # as if made in ana's notebook
        body = json.dumps(note_on("a critical", "ana, made in the notebook"))
        assert a.post(container, content=body, headers={"Content-Type": ANNO_TYPE}).is_success
    ana = HubStudent(browser, hub, "ana")
    try:
        # Through the Hub's sign-in and back to the page: no code, no token typed.
        assert ana.page.url.endswith("/services/annotate/book/chapters/article.html")
        ana.page.wait_for_function("annotateLayer.classState() !== null", timeout=20_000)
        ana.page.wait_for_function(
            "annotateLayer.others().some((r) => r.note === 'ben, in the book: since when?')",
            timeout=20_000,
        )
        assert ana.page.locator("mark.annotate-hl-others").count() >= 1
        # Her own note from the notebook is hers here: editable, not a classmate's.
        ana.page.wait_for_function(
            "annotateLayer.records().some((r) => r.note === 'ana, made in the notebook')",
            timeout=20_000,
        )
        assert all(r["note"] != "ana, made in the notebook" for r in ana.others())
        ana.highlight("reinforced the notion", "ana, in the book on the Hub")
        ana.synced(timeout=20_000)
        stored = ana.page.evaluate(
            "Object.keys(localStorage).filter((k) => k.endsWith('#class'))"
            ".map((k) => JSON.parse(localStorage.getItem(k))[0])[0]"
        )
        assert stored["name"] == "ana" and stored["hub"] is True
        assert stored["token"] == ""  # the Hub's token stays in an HttpOnly cookie
        assert "hubtoken" not in ana.page.content()
        ana.open_panel()
        assert "In class as ana" in ana.page.locator(".annotate-class-who").inner_text()
        assert ana.page.get_by_role("button", name="Join class").count() == 0
        ana.page.locator("#annotate-class-title").scroll_into_view_if_needed()
        ana.page.screenshot(path=str(artifacts / "jupyterhub-book-class.png"))
        assert ana.elsewhere == []

        # Her sign-in revoked at the Hub: the page offers to sign in again, and after
        # the Hub's sign-in she is back in her class, her notes as they were.
        tokens = hub["api"].get("/users/ana/tokens").json()["api_tokens"]
        ours = [t for t in tokens if "annotate" in (t.get("oauth_client") or "")]
        assert ours  # the one the service's sign-in made
        for t in ours:
            assert hub["api"].delete(f"/users/ana/tokens/{t['id']}").status_code == 204
        time.sleep(1.1)  # past the service's cache of the Hub's answers (1 s)
        ana.load()
        ana.open_panel()
        again = ana.page.get_by_role("link", name="Sign in with JupyterHub")
        again.wait_for(timeout=20_000)
        again.click()
        ana.page.wait_for_url("**/services/annotate/book/chapters/article.html")
        ana.page.wait_for_function("annotateLayer.classState() !== null", timeout=20_000)
        ana.page.wait_for_function(
            "annotateLayer.classState().online && annotateLayer.classState().error === ''",
            timeout=20_000,
        )
        assert any(r["note"] == "ana, in the book on the Hub" for r in ana.records())
    finally:
        ana.context.close()
    with service(hub, token(hub, "ben")) as b:
        items = b.get(container).json()["first"]["items"]
    assert ("ana", "ana, in the book on the Hub") in notes(items)

    otto = HubStudent(browser, hub, "otto")
    try:
        error = otto.page.locator(".annotate-class-error")
        otto.page.wait_for_function(
            "document.querySelector('.annotate-class-error').textContent.includes('no class')",
            timeout=20_000,
        )
        assert "otto" in error.inner_text()
        assert otto.page.evaluate("annotateLayer.classState()") is None
        assert otto.page.locator("mark.annotate-hl-others").count() == 0
    finally:
        otto.context.close()


@pytest.mark.browser
def test_the_teacher_opens_the_live_report_signed_in_by_the_hub(
    hub: dict[str, Any], browser: Any, artifacts: Path
) -> None:
    report = f"{hub['base']}/services/annotate/classes/hub-period3/report"
    tess = signed_in(browser, hub, "tess")
    try:
        page = tess.new_page()
        page.goto(report)
        assert page.url == report
        status = page.locator(".annotate-live-status")
        # The page's CSP allows no eval: wait on locators, not on page functions.
        page.locator(".annotate-live-status", has_text="annotations").wait_for(timeout=20_000)
        assert page.locator(".annotate-live-login").is_hidden()  # no token asked for
        assert "student" in status.inner_text()
        page.screenshot(path=str(artifacts / "jupyterhub-live-report.png"), full_page=False)
    finally:
        tess.close()
    ana = signed_in(browser, hub, "ana")
    try:
        page = ana.new_page()
        page.goto(report)
        page.get_by_role("link", name="Sign in with JupyterHub").wait_for(timeout=20_000)
        assert "did not sign you in as this class's teacher" in page.inner_text("body")
        assert page.locator("#annotate-live-report").inner_text().strip() == ""
    finally:
        ana.close()


@pytest.mark.browser
def test_a_classmate_and_the_teacher_in_their_own_notebooks(
    hub: dict[str, Any], browser: Any, artifacts: Path
) -> None:
    """ben and tess open the notebook chapter too: ben sees ana's note and adds his, tess
    (the teacher) sees both students' notes in her widget."""
    with service(hub, token(hub, "ana")) as a:
        container = a.get("/me").json()["classes"][0]["container"]
        body = json.dumps(note_on("a critical", "ana, for ben and tess"))
        assert a.post(container, content=body, headers={"Content-Type": ANNO_TYPE}).is_success
    ben = open_chapter(hub, browser, artifacts, "ben")
    try:
        listing = ben.locator(".annotate-widget-classmates")
        listing.get_by_text("ana, for ben and tess").wait_for(timeout=30_000)
        widget = ben.locator(".annotate-widget-article")
        widget.get_by_text("remains steadfast", exact=False).first.scroll_into_view_if_needed()
        select_words(ben, widget, "remains steadfast")
        palette = ben.locator(".annotate-palette:not([hidden])")
        palette.wait_for()
        palette.get_by_role("button", name="Framing").click()
        palette.get_by_role("textbox", name="Note").fill("ben, from his notebook")
        palette.get_by_role("button", name="Save").click()
        ben.wait_for_function(
            "() => /Synced with your class/.test(document.body.innerText)", timeout=30_000
        )
    finally:
        ben.close()
    tess = open_chapter(hub, browser, artifacts, "tess")
    try:
        listing = tess.locator(".annotate-widget-classmates")
        listing.get_by_text("ben, from his notebook").wait_for(timeout=30_000)
        assert "ana, for ben and tess" in listing.inner_text()
        listing.get_by_text("ben, from his notebook").scroll_into_view_if_needed()
        tess.screenshot(path=str(artifacts / "jupyterhub-teacher-notebook.png"))
    finally:
        tess.close()
