"""Shared fixtures: the repository, the built book (once per session), Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# In CI (``CI`` set) the property tests replay the same examples on every run: a
# failure there blocks a submission and must not depend on the draw. Locally they
# keep exploring new examples.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class Book:
    """A built copy of the book: its HTML folder and the build's log."""

    def __init__(self, html: Path, log: str) -> None:
        self.html = html
        self.log = log

    def page(self, docname: str) -> Path:
        return self.html / f"{docname}.html"


@pytest.fixture(scope="session")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    """The book built from this checkout with -W (any warning fails the build)."""
    out = tmp_path_factory.mktemp("book")
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run(
        [str(jb), "build", str(ROOT), "--path-output", str(out), "-W", "--keep-going"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f"jupyter-book build failed:\n{log[-6000:]}")
    return Book(out / "_build" / "html", log)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests save screenshots (look at them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def missing(what: str, how: str) -> None:
    """Skip for a missing tool, except in CI (``CI`` set), where nothing may skip for that."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing, and in CI nothing skips for that: {how}")
    pytest.skip(f"{what} is missing: {how} to enable")


@pytest.fixture(scope="session")
def w3c_checker() -> Path:
    """``../shared/tools/w3c_check.py``, the W3C annotation-model MUSTs (CI: required)."""
    checker = SHARED / "tools" / "w3c_check.py"
    if not checker.exists():
        missing("../shared/tools/w3c_check.py", "check out ../shared beside this repository")
    return checker


@pytest.fixture(autouse=True)
def _own_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real ~/.annotate (keys, config, the default store)."""
    home = tmp_path_factory.mktemp("annotate-home")
    monkeypatch.setenv("ANNOTATE_HOME", str(home))
    monkeypatch.setenv("ANNOTATE_STORE", str(home / "annotations.db"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright; skipped when it is not installed (failed in CI)."""
    if not Path(CHROMIUM).exists():
        missing("chromium", "run `apt-get install chromium` (as root: `make test` does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1, as `python -m http.server` would serve it."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def served(book: Book) -> Iterator[str]:
    """The built book over HTTP on 127.0.0.1."""
    with serve_folder(book.html) as url:
        yield url


@pytest.fixture(autouse=True)
def _no_page_errors(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Fail a browser test on any uncaught script error in a page it opened.

    Every page made through the ``browser`` fixture (``new_page`` or a context's
    pages) is watched; the errors are reported when the test ends.
    """
    errors: list[str] = []
    if "browser" not in request.fixturenames:
        yield errors
        return
    browser = request.getfixturevalue("browser")
    record = lambda err: errors.append(f"{err}\n{getattr(err, 'stack', '')}")  # noqa: E731

    def new_page(*args: Any, **kwargs: Any) -> Any:
        page = real_page(*args, **kwargs)
        page.on("pageerror", record)
        return page

    def new_context(*args: Any, **kwargs: Any) -> Any:
        ctx = real_context(*args, **kwargs)
        ctx.on("page", lambda page: page.on("pageerror", record))
        return ctx

    real_page, real_context = browser.new_page, browser.new_context
    browser.new_page, browser.new_context = new_page, new_context
    try:
        yield errors
    finally:
        browser.new_page, browser.new_context = real_page, real_context
    errors = [e for e in errors if not _from_jupyter(e)]
    if errors:
        pytest.fail("uncaught errors in the page:\n" + "\n".join(errors))


# Errors thrown inside JupyterLab's or Notebook 7's own bundles (e.g. Notebook 7
# reading a settings schema that is not there yet) are theirs, not ours: our
# widget's code runs from anywidget's module, never from these paths.
_JUPYTER_BUNDLES = ("/static/notebook/", "/static/lab/", "/lab/extensions/")


def _from_jupyter(error: str) -> bool:
    frames = [line for line in error.splitlines() if line.strip().startswith("at ")]
    return bool(frames) and any(b in frames[0] for b in _JUPYTER_BUNDLES)


# ---- Accessibility: axe-core, installed from npm by tests/setup-browser.sh.

AXE = ROOT / "tests" / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def axe() -> Path:
    """axe-core's browser script (CI: required)."""
    if not AXE.exists():
        missing("axe-core", "run `bash tests/setup-browser.sh` (npm installs it into tests/.axe)")
    return AXE


def audit(page: Any, axe: Path, include: str | None = None) -> list[str]:
    """The WCAG 2.2 A/AA violations axe finds in ``page`` (or in ``include``), one line each.

    Measured once every CSS transition has ended (a spinner's endless animation is no
    transition): the theme's buttons fade their colour in (Bootstrap's ``.btn``), and a
    contrast read halfway is no colour a reader is left with.
    """
    page.wait_for_function(
        "document.getAnimations().every((a) => !(a instanceof CSSTransition)"
        " || a.playState !== 'running')",
        timeout=5000,
    )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    result = page.evaluate(
        """([tags, include]) => axe.run(include ? document.querySelector(include) : document,
             {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [WCAG_TAGS, include],
    )
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node['failureSummary']}".replace("\n", " ")
        for v in result["violations"]
        for node in v["nodes"]
    ]
