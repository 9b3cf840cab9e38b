"""The claim highlighter in a real JupyterLab after ``annotate join``, against ``annotate serve``.

The student joins through the CLI (``ANNOTATE_HOME`` a temporary folder, handed to
the Jupyter server), highlights with the mouse, sees a classmate's highlight posted
over HTTP, replies in its thread, and restarts the kernel: nothing is lost and
nothing goes up twice.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from annotate.article import load_article
from annotate.model import Annotation
from annotate.sync import ClassClient

from .conftest import ROOT
from .sync_fixtures import Live, live_server
from .test_widget_e2e import jupyter_lab, output_of, run_cell, select_words

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SETUP = """import annotate
hl = annotate.ClaimHighlighter(annotate.load_article("chapters/article.md"), store="class.db")
hl"""
SHOW = (
    "import json\n"
    "from annotate.sync import ClassClient, Syncer\n"
    "hl.sync_now()\n"
    "with ClassClient(hl._class.membership) as c:\n"
    "    waiting = Syncer(hl._store, c).waiting()\n"
    "print(json.dumps([[[a.exact, a.note, a.audience] for a in hl.annotations], waiting]))"
)
THEIRS = "who traveled to Japan after discussions in the Philippines"
MINE = "Hegseth pledged to expedite the establishment of a joint U.S.-Japan military command"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    request = type("Param", (), {"param": "sqlite"})()
    yield from live_server(request, tmp_path_factory.mktemp("server"))  # type: ignore[arg-type]


def notebook(*sources: str) -> str:
    cells = [
        {"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
        for s in sources
    ]
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return json.dumps(
        {"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, server: Live) -> Iterator[dict[str, Any]]:
    """A class (Ana joined through the CLI, Ben over HTTP) and JupyterLab for Ana."""
    root = tmp_path_factory.mktemp("lab")
    home = root / ".annotate-home"
    shutil.copy(ROOT / "_config.yml", root / "_config.yml")
    (root / "chapters").mkdir()
    shutil.copy(ROOT / "chapters" / "article.md", root / "chapters" / "article.md")
    (root / "test.ipynb").write_text(notebook("import json", SETUP, SHOW), encoding="utf-8")
    made = server.new_class()
    env = {**os.environ, "ANNOTATE_HOME": str(home), "ANNOTATE_READER": "Ana"}
    joined = subprocess.run(
        [
            str(Path(sys.executable).with_name("annotate")),
            "join",
            f"{server.url}/#join={made.join_code}",
            "--name",
            "Ana",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert made.join_code not in joined.stdout and "token" not in joined.stdout.lower()
    lab_env = {**env, "JUPYTER_CONFIG_DIR": str(root / ".jupyter")}
    with jupyter_lab(root, lab_env) as (base, token):
        yield {"base": base, "token": token, "root": root, "class": made}


def eventually(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail("the class server never saw the change")
        time.sleep(0.3)


def test_the_widget_syncs_in_jupyterlab_and_survives_a_restart(
    browser: Any, lab: dict[str, Any], server: Live, artifacts: Path
) -> None:
    ben = server.student(lab["class"], "Ben")
    text = load_article(ROOT / "chapters" / "article.md")
    start = text.text.index(THEIRS)
    theirs = Annotation.new(
        source=text.source,
        text=text.text,
        start=start,
        end=start + len(THEIRS),
        note="Manila first?",
    )
    with ClassClient(ben) as client:
        ben_iri, _, _ = client.create(theirs.to_w3c())

    def ours() -> list[dict[str, Any]]:
        with ClassClient(ben) as client:
            return [i for i in client.list(None) if i["id"] != ben_iri]

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab['base']}/lab/tree/test.ipynb?token={lab['token']}")
    page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]").wait_for(timeout=90_000)
    news = page.get_by_role("button", name="No", exact=True)
    if news.count():
        news.first.click()
    page.wait_for_timeout(2000)  # a first Shift+Enter can be lost while the kernel connects
    try:
        run_cell(page, 0)
    except BaseException:
        page.screenshot(path=str(artifacts / "widget-jupyterlab-class-failed.png"))
        raise
    run_cell(page, 1)
    widget = page.locator(".annotate-widget-article")
    widget.wait_for(timeout=30_000)
    # Ben's highlight arrives from the class, drawn apart.
    page.locator("mark.annotate-classmate").first.wait_for(timeout=20_000)
    assert "Manila first?" in page.locator(".annotate-widget-classmates").inner_text()

    select_words(page, widget, MINE)
    palette = page.locator(".annotate-palette:not([hidden])")
    palette.wait_for()
    palette.get_by_role("button", name="Factual claim").click()
    palette.get_by_label("Note", exact=True).fill("Which command?")
    palette.get_by_label("Who can read this note").select_option("class")
    palette.get_by_role("button", name="Save").click()
    widget.locator("mark.annotate-hl.annotate-type--factual").first.wait_for()
    eventually(lambda: [Annotation.from_w3c(i).note for i in ours()] == ["Which command?"])

    # A reply in Ben's thread goes up too.
    classmates = page.locator(".annotate-widget-classmates")
    classmates.get_by_label("Reply", exact=True).fill("The Philippines, then Japan.")
    classmates.get_by_role("button", name="Post reply").click()
    classmates.get_by_text("The Philippines, then Japan.").wait_for()
    eventually(lambda: len(ours()) == 2)
    page.locator(".annotate-widget-sync").get_by_text("Synced with your class").wait_for()
    # Tall enough for the whole widget: the notebook scrolls inside the page.
    page.set_viewport_size({"width": 1400, "height": 2000})
    output = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-OutputArea-output")
    output.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(artifacts / "widget-jupyterlab-class.png"))

    run_cell(page, 2)
    saved = json.loads(output_of(page, 2))
    assert saved == [[[MINE, "Which command?", "class"]], 0]

    # Restart the kernel: the same highlight, nothing waiting, nothing sent twice.
    page.locator(".jp-Notebook").click()
    page.keyboard.press("Escape")
    page.keyboard.press("0")
    page.keyboard.press("0")
    dialog = page.locator(".jp-Dialog")
    dialog.locator(".jp-mod-accept").click()
    dialog.wait_for(state="detached")
    page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]").wait_for(timeout=60_000)
    run_cell(page, 0)
    run_cell(page, 1)
    widget.locator("mark.annotate-hl.annotate-type--factual").first.wait_for()
    run_cell(page, 2)
    assert json.loads(output_of(page, 2)) == saved
    replies = [i for i in ours() if i.get("motivation") == "replying"]
    assert len(ours()) == 2 and [r["target"] for r in replies] == [ben_iri]
    page.close()
