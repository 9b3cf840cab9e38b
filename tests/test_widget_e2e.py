"""The claim highlighter in a real JupyterLab, driven by Chromium like a student would."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ARTIFACTS, ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SETUP = """import annotate
hl = annotate.ClaimHighlighter(annotate.load_article("chapters/article.md"), store="class.db")
hl"""
# Self-contained: a first Shift+Enter can be lost while the kernel connects.
SHOW = (
    "import json\n"
    "print(json.dumps([[a.exact, a.claim_type, a.status, a.note] for a in hl.annotations]))"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A JupyterLab server on 127.0.0.1 over a copy of the book's article chapter."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "_config.yml", root / "_config.yml")
    (root / "chapters").mkdir()
    shutil.copy(ROOT / "chapters" / "article.md", root / "chapters" / "article.md")
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "source": "import json",
            "outputs": [],
            "execution_count": None,
        },
        {
            "cell_type": "code",
            "metadata": {},
            "source": SETUP,
            "outputs": [],
            "execution_count": None,
        },
        {
            "cell_type": "code",
            "metadata": {},
            "source": SHOW,
            "outputs": [],
            "execution_count": None,
        },
    ]
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "test.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    env = {
        **os.environ,
        "ANNOTATE_READER": "Student One",
        "JUPYTER_CONFIG_DIR": str(root / ".jupyter"),
    }
    with jupyter_lab(root, env) as (base, token):
        yield {"base": base, "token": token, "root": root}


@contextlib.contextmanager
def jupyter_lab(root: Path, env: dict[str, str]) -> Iterator[tuple[str, str]]:
    """JupyterLab serving ``root`` on 127.0.0.1, until the block ends: (base URL, token)."""
    port, token = free_port(), secrets.token_hex(16)
    log = open(root / "lab.log", "w")  # noqa: SIM115 (closed when the server stops)
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("jupyter")),
            "lab",
            "--allow-root",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=root,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"JupyterLab did not start:\n{(root / 'lab.log').read_text()[-3000:]}")
    try:
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# Marks the prompt as changed on any mutation: after a restart a cell's new number
# can equal its old one, but it passes through [*] on the way.
WATCH_PROMPT = """(el) => {
  el.__ran = false;
  new MutationObserver(() => { el.__ran = true; })
    .observe(el, {childList: true, characterData: true, subtree: true});
}"""
PROMPT_RAN = "(el) => el.__ran && /\\[\\d+\\]/.test(el.textContent)"


def run_cell(page: Any, index: int) -> None:
    """Run one cell and wait until it has run (its prompt shows a number again)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputPrompt").element_handle()
    for attempt in range(3):  # a Shift+Enter sent while the kernel connects can be lost
        prompt.evaluate(WATCH_PROMPT)
        cell.locator(".jp-InputArea-editor").click()
        if attempt == 0:
            page.keyboard.press("Shift+Enter")
        else:
            # Once, on a fresh clone, no key reached the editor for three minutes (the
            # server's log shows no execution): the toolbar's Run button needs no focus.
            page.locator("[data-command='notebook:run-cell-and-select-next']").first.click()
        try:
            # Generous: on a loaded machine the first cell waits for a cold kernel.
            page.wait_for_function(PROMPT_RAN, arg=prompt, timeout=60_000)
            return
        except PlaywrightTimeout:
            continue
    page.screenshot(path=str(ARTIFACTS / f"failed-run-cell-{index}.png"))
    pytest.fail(f"cell {index} did not run (see tests/artifacts/failed-run-cell-{index}.png)")


def output_of(page: Any, index: int) -> str:
    out = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea-output")
    out.first.wait_for(timeout=30_000)
    return str(out.first.inner_text())


def select_words(page: Any, root: Any, words: str) -> None:
    """Drag the mouse over ``words`` inside ``root`` as a reader would."""
    box = root.evaluate(
        """(el, words) => {
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const i = n.data.indexOf(words);
                if (i < 0) continue;
                const r = document.createRange();
                r.setStart(n, i); r.setEnd(n, i + 1);
                const a = r.getBoundingClientRect();
                r.setStart(n, i + words.length - 1); r.setEnd(n, i + words.length);
                const b = r.getBoundingClientRect();
                return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
            }
            return null;
        }""",
        words,
    )
    assert box is not None, f"{words!r} not found in the widget"
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move(box[2], box[3], steps=8)
    page.mouse.up()


def test_highlight_with_mouse_and_keyboard_survives_restart(
    browser: Any, lab: dict[str, Any], artifacts: Path
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab['base']}/lab/tree/test.ipynb?token={lab['token']}")
    page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]").wait_for(timeout=90_000)
    news = page.get_by_role("button", name="No", exact=True)
    if news.count():
        news.first.click()  # JupyterLab's "get notified about news?" toast
    run_cell(page, 0)
    run_cell(page, 1)
    widget = page.locator(".annotate-widget-article")
    widget.wait_for(timeout=30_000)

    # Mouse: drag over a sentence, choose a type, write a note, Save.
    words = "Hegseth pledged to expedite the establishment of a joint U.S.-Japan military command"
    select_words(page, widget, words)
    palette = page.locator(".annotate-palette:not([hidden])")
    palette.wait_for()
    palette.get_by_role("button", name="Factual claim").click()
    palette.get_by_label("Status").select_option("supported")
    palette.get_by_label("Note", exact=True).fill(
        "Check the joint statement <img src=x onerror=alert(1)>"
    )
    palette.get_by_role("button", name="Save").click()
    mark = widget.locator("mark.annotate-hl.annotate-type--factual")
    mark.first.wait_for()
    assert "".join(mark.all_inner_texts()) == words
    # The note shows as text in the panel, never as an element.
    panel = page.locator(".annotate-widget-panel")
    assert "<img src=x onerror=alert(1)>" in panel.inner_text()
    assert panel.locator("img").count() == 0

    # Keyboard: sentence mode, arrows, Enter, then the palette by Tab and Enter.
    page.get_by_role("button", name="Highlight with the keyboard").click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    palette.wait_for()
    page.keyboard.press("Tab")  # Factual claim has focus first: move to Quotation
    page.keyboard.press("Enter")
    for _ in range(12):  # on through the other types and the status, to the Note box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "TEXTAREA":
            break
    page.screenshot(path=str(artifacts / "widget-keyboard.png"))
    assert page.evaluate("document.activeElement.labels[0].textContent") == "Note"
    page.keyboard.type("typed without a mouse")
    page.keyboard.press("Tab")  # Save
    page.keyboard.press("Enter")
    widget.locator("mark.annotate-hl.annotate-type--quotation").first.wait_for()
    page.screenshot(path=str(artifacts / "widget-jupyterlab.png"))

    run_cell(page, 2)
    saved = json.loads(output_of(page, 2))
    assert [
        words,
        "factual",
        "supported",
        "Check the joint statement <img src=x onerror=alert(1)>",
    ] in saved
    typed = [row for row in saved if row[1] == "quotation"]
    assert len(typed) == 1 and typed[0][3] == "typed without a mouse"

    # Restart the kernel: the same highlights come back from the store.
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
    page.locator(
        ".annotate-widget-article mark.annotate-hl.annotate-type--factual"
    ).first.wait_for()
    run_cell(page, 2)
    assert json.loads(output_of(page, 2)) == saved
    page.screenshot(path=str(artifacts / "widget-after-restart.png"))
    page.close()


def test_notebook7_highlight_is_saved(browser: Any, lab: dict[str, Any], artifacts: Path) -> None:
    """The same widget in Notebook 7's interface (served by the same server)."""
    root = lab["root"]
    notebook = json.loads((root / "test.ipynb").read_text(encoding="utf-8"))
    notebook["cells"][1]["source"] = SETUP.replace("class.db", "nb7.db")
    (root / "nb7.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab['base']}/notebooks/nb7.ipynb?token={lab['token']}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=90_000)
    page.wait_for_timeout(2000)  # the kernel starts
    run_cell(page, 0)
    run_cell(page, 1)
    widget = page.locator(".annotate-widget-article")
    widget.wait_for(timeout=60_000)
    words = "who traveled to Japan after discussions in the Philippines"
    select_words(page, widget, words)
    palette = page.locator(".annotate-palette")
    palette.wait_for()
    palette.get_by_role("button", name="Factual claim").click()
    palette.get_by_label("Note", exact=True).fill("Manila first, then Iwo Jima?")
    palette.get_by_role("button", name="Save").click()
    widget.locator("mark.annotate-hl.annotate-type--factual").first.wait_for()
    page.screenshot(path=str(artifacts / "widget-notebook7.png"))
    run_cell(page, 2)
    assert json.loads(output_of(page, 2)) == [
        [words, "factual", "needs-checking", "Manila first, then Iwo Jima?"]
    ]
    page.close()
