"""The claim highlighter in JupyterLab without a mouse, and axe on the widget.

axe runs on the widget's own element (``.annotate-widget``): JupyterLab's chrome
around it is not ours. Every reader action is done with keys only: select by
sentence and by word, choose the type and status, write the note, save, edit and
delete. The notebook's cells are run as in test_widget_e2e (a click in the cell,
Shift+Enter): that is the notebook, not the widget.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import audit
from .test_widget_e2e import lab, output_of, run_cell  # noqa: F401 (lab is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDGET = ".annotate-widget"


@pytest.fixture()
def notebook(browser: Any, lab: dict[str, Any]) -> Iterator[Any]:  # noqa: F811
    """The test notebook in JupyterLab with the widget shown (cells 0 and 1 run)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    page = ctx.new_page()
    page.goto(f"{lab['base']}/lab/tree/test.ipynb?token={lab['token']}")
    page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]").wait_for(timeout=90_000)
    news = page.get_by_role("button", name="No", exact=True)
    if news.count():
        news.first.click()  # JupyterLab's "get notified about news?" toast
    page.wait_for_timeout(3000)  # the kernel connects: a cell run before is lost
    run_cell(page, 0)
    run_cell(page, 1)
    page.locator(".annotate-widget-article").wait_for(timeout=30_000)
    yield page
    ctx.close()


def focused(page: Any) -> str:
    return str(
        page.evaluate(
            "() => { const e = document.activeElement, text = e.textContent.trim().slice(0, 50);"
            " return `${e.tagName.toLowerCase()}.${e.className} ${text}`; }"
        )
    )


def tab_to(page: Any, selector: str, limit: int = 120, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    pytest.fail(f"Tab never reached {selector}; focus is on {focused(page)}")


def saved(page: Any) -> list[list[Any]]:
    run_cell(page, 2)
    return list(json.loads(output_of(page, 2)))


def test_widget_has_no_violations_and_works_by_keyboard(
    notebook: Any, axe: Path, artifacts: Path
) -> None:
    page = notebook
    assert page.locator(WIDGET).count() == 1
    found = {"as loaded": audit(page, axe, WIDGET)}

    # Into the widget with Tab: from the cell's output, the first stop is ours.
    page.locator(".jp-Notebook").press("Escape")  # command mode: Tab leaves the editor
    tab_to(page, f"{WIDGET} .annotate-keyboard")

    # By sentence: the keyboard cursor, the arrows, Enter opens the palette.
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # the headline, the dek, then the first sentence
    sentence = page.evaluate("getSelection().toString()")
    page.keyboard.press("Enter")
    palette = page.locator(f"{WIDGET} .annotate-palette")
    assert palette.is_visible()
    assert focused(page).startswith("button.annotate-type-button")
    found["palette open"] = audit(page, axe, WIDGET)
    tab_to(page, ".annotate-palette .annotate-type--quotation")
    page.keyboard.press("Space")
    tab_to(page, ".annotate-palette select")
    page.keyboard.press("ArrowDown")  # Needs checking -> Supported
    page.keyboard.press("Tab")
    page.keyboard.type("By sentence")
    tab_to(page, ".annotate-palette .annotate-save")
    page.screenshot(path=str(artifacts / "widget-a11y-palette.png"))
    page.keyboard.press("Enter")
    page.locator(f"{WIDGET} mark.annotate-hl.annotate-type--quotation").first.wait_for()

    # By word: Shift+arrows shrink the sentence a word at a time.
    page.evaluate("document.activeElement.blur()")
    page.locator(f"{WIDGET} .annotate-keyboard").focus()
    page.keyboard.press("Enter")
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    longer = page.evaluate("getSelection().toString()")
    for _ in range(2):
        page.keyboard.press("Shift+ArrowLeft")
    words = " ".join(longer.split()[:-2])
    page.keyboard.press("Enter")
    tab_to(page, ".annotate-palette .annotate-type--opinion")
    page.keyboard.press("Enter")
    tab_to(page, ".annotate-palette .annotate-save")
    page.keyboard.press("Enter")
    page.locator(f"{WIDGET} mark.annotate-hl.annotate-type--opinion").first.wait_for()
    rows = saved(page)
    assert sorted((r[0].split(), r[1], r[2], r[3]) for r in rows) == sorted(
        [
            (sentence.split(), "quotation", "supported", "By sentence"),
            (words.split(), "opinion", "needs-checking", ""),
        ]
    )
    found["two highlights"] = audit(page, axe, WIDGET)
    page.locator(WIDGET).screenshot(path=str(artifacts / "widget-a11y.png"))

    # Edit: Tab to the painted highlight, Enter opens it on its note.
    page.locator(".jp-Notebook").press("Escape")
    tab_to(page, f"{WIDGET} mark.annotate-hl.annotate-type--opinion")
    page.keyboard.press("Enter")
    assert focused(page).startswith("textarea")
    page.keyboard.type("Edited by keyboard")
    tab_to(page, ".annotate-palette .annotate-save")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.annotate-widget-panel .annotate-item-note')]"
        ".some((n) => n.textContent === 'Edited by keyboard')"
    )

    # Delete: from the panel's list entry, the palette's Delete button.
    tab_to(page, f"{WIDGET} .annotate-item-open:has(.annotate-type--opinion)")
    page.keyboard.press("Enter")
    tab_to(page, ".annotate-palette .annotate-delete")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => !document.querySelector('.annotate-widget mark.annotate-hl.annotate-type--opinion')"
    )
    # Focus is not lost with the entry: it goes to the one left (the kernel answers first).
    page.wait_for_function(
        "() => document.activeElement.matches("
        "'.annotate-widget .annotate-item-open:has(.annotate-type--quotation)')"
    )
    page.wait_for_function(
        "() => document.querySelector('.annotate-widget .annotate-root > [role=status]')"
        ".textContent === 'Highlight deleted.'"
    )
    assert [r[1] for r in saved(page)] == ["quotation"]
    found["after delete"] = audit(page, axe, WIDGET)
    assert {k: v for k, v in found.items() if v} == {}
