"""WCAG 2.2 AA on the class report: axe in every state, keys only, colour, display.

The report is built from twelve students' marks on the real article
(``test_report.real_class``) and opened from ``file://`` as a teacher would. axe
needs its script injected past the page's own Content-Security-Policy, so the
browser context bypasses CSP (the page's policy is tested in test_report.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from annotate.cli import main

from .conftest import audit
from .test_a11y import contrast, overflow
from .test_report import class_file, real_class

pytestmark = pytest.mark.browser

CSS = (Path(__file__).resolve().parents[1] / "src/annotate/frontend/report.css").read_text()


@pytest.fixture()
def report_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    root = tmp_path / "real"
    root.mkdir()
    monkeypatch.chdir(root)
    _, anns = real_class(root)
    class_file(Path("class.json"), anns)
    assert main(["report", "class.json", "-o", "report.html"]) == 0
    capsys.readouterr()
    return (root / "report.html").resolve()


@pytest.fixture()
def open_page(browser: Any, report_file: Path) -> Iterator[Any]:
    """``open_page(**context options)``: the report in a fresh context; closed at the end."""
    contexts: list[Any] = []

    def opener(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        ctx = browser.new_context(bypass_csp=True, **options)
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(report_file.as_uri(), wait_until="load")
        page.wait_for_selector(".annotate-report-root")
        return page

    yield opener
    for ctx in contexts:
        ctx.close()


def test_no_violations_as_loaded_filtered_in_agreement_and_opened(
    open_page: Any, axe: Path
) -> None:
    page = open_page()
    found = {"as loaded": audit(page, axe)}
    page.get_by_role("checkbox", name=re.compile("Prediction")).uncheck()
    page.get_by_role("checkbox", name=re.compile("Disputed")).uncheck()
    page.get_by_label("Student").select_option(label="Ben")
    found["filtered"] = audit(page, axe)
    page.get_by_role("button", name="Show everything").click()
    page.get_by_role("radio", name="Agreement").check()
    found["agreement"] = audit(page, axe)
    page.get_by_role("radio", name="How many").check()
    page.get_by_role("button", name=re.compile("^Show all")).first.click()
    assert page.get_by_role("button", name="Show fewer notes").count() == 1
    found["notes opened"] = audit(page, axe)
    assert {k: v for k, v in found.items() if v} == {}


# ---- Keys only: every control the report offers, reached with Tab and worked with keys.


def focused(page: Any) -> str:
    """What has focus: its role and name, as a reader of the page would tell it."""
    return str(
        page.evaluate(
            """() => { const e = document.activeElement;
              const label = e.labels && e.labels[0] ? e.labels[0].textContent
                : e.caption ? e.caption.textContent : '';
              return `${e.tagName.toLowerCase()}:${e.type || e.getAttribute('role') || ''}:`
                + (e.getAttribute('aria-label') || label || e.textContent).trim(); }"""
        )
    )


def tab_to(page: Any, pattern: str, limit: int = 200) -> str:
    """Tab until the focused element matches ``pattern``; fail if it never does."""
    here = ""
    for _ in range(limit):
        page.keyboard.press("Tab")
        here = focused(page)
        if re.search(pattern, here):
            assert page.evaluate(
                "() => { const r = document.activeElement.getBoundingClientRect();"
                " return r.bottom > 0 && r.top < innerHeight && r.width > 0; }"
            ), f"{here} has focus out of sight"
            return here
    raise AssertionError(f"Tab never reached {pattern}; last: {here}")


def showing(page: Any) -> str:
    return str(page.locator(".annotate-report-showing").inner_text())


def test_every_control_by_keyboard(open_page: Any, artifacts: Path) -> None:
    page = open_page()
    total = re.search(r"of (\d+)", showing(page))
    assert total
    everyone = f"Showing {total[1]} of {total[1]} annotations."

    # The heatmap toggle: a radio group, arrows move between How many and Agreement.
    tab_to(page, r"^input:radio:How many")
    page.keyboard.press("ArrowDown")
    assert focused(page).startswith("input:radio:Agreement")
    assert page.locator("mark.annotate-agree").count() > 0
    assert page.locator("mark.annotate-heat").count() == 0
    page.keyboard.press("ArrowUp")
    assert page.locator("mark.annotate-heat").count() > 0

    # Claim type and status: Space unticks a box.
    tab_to(page, r"^input:checkbox:.*Prediction")
    page.screenshot(path=str(artifacts / "report-keyboard-filter.png"))
    page.keyboard.press("Space")
    assert page.get_by_role("checkbox", name=re.compile("Prediction")).is_checked() is False
    assert showing(page) != everyone
    tab_to(page, r"^input:checkbox:.*Disputed")
    page.keyboard.press("Space")
    assert page.get_by_role("checkbox", name=re.compile("Disputed")).is_checked() is False

    # Student: the select takes arrow keys.
    tab_to(page, r"^select:select-one:")
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Student").input_value() == "0"
    first = page.evaluate("() => document.querySelector('select').options[1].textContent")
    names = page.locator(".annotate-report-article .annotate-report-student").all_inner_texts()
    assert names and set(names) == {first}

    # The editor's outline, then Show everything puts every filter back.
    tab_to(page, r"^input:checkbox:.*Outline the editor")
    page.keyboard.press("Space")
    assert page.locator(".annotate-report-article .annotate-report-claimed").count() == 0
    tab_to(page, r"^button:button:Show everything")
    page.keyboard.press("Enter")
    assert showing(page) == everyone
    assert page.get_by_role("checkbox", name=re.compile("Prediction")).is_checked()

    # Each paragraph's notes: every "Show all" is a stop, and Enter opens the list.
    more = page.get_by_role("button", name=re.compile("^Show all"))
    wanted = more.count()
    assert wanted > 0
    opened = 0
    while page.get_by_role("button", name=re.compile("^Show all")).count():
        tab_to(page, r"^button:button:Show all \d+ notes")
        page.keyboard.press("Enter")
        opened += 1
        # The list is redrawn in place: focus is on the new list's "Show fewer" button.
        assert focused(page) == "button:button:Show fewer notes"
    assert opened == wanted

    # The tables: each a stop named by its caption (arrow keys scroll its box when wide).
    for name in (
        "The editor's claims and what the class found",
        "Each student against the editor's claims",
        "Annotations by student",
    ):
        tab_to(page, re.escape(f"table::{name}"))


def test_contested_passages_are_read_in_order_with_each_side(open_page: Any) -> None:
    # Nothing in them is interactive: a keyboard reader scrolls to them under the
    # article; every side's count and notes are text in its list, not in a colour.
    page = open_page()
    items = page.locator(".annotate-report-contested-item")
    assert items.count() > 0
    first = items.first.inner_text()
    assert re.search(r"\d+ students? · \u03b1 = ", first)
    heads = items.first.locator(".annotate-report-side-head").all_inner_texts()
    assert all(re.search(r"\d+ students?$", h) for h in heads)


# ---- Colour: the heatmap's shades, edges and counts.


def css_var(name: str) -> str:
    found = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS)
    assert found, name
    return found[1]


SHADES = [f"heat-{i}" for i in range(1, 6)] + [f"agree-{i}" for i in range(5)]
EDGES = ["heat-edge", "agree-edge-split", "agree-edge-agree", "agree-edge-none"]


@pytest.mark.parametrize("shade", SHADES)
def test_text_on_every_shade_is_legible(shade: str) -> None:
    assert contrast("#1b1b1b", css_var(shade)) >= 4.5


@pytest.mark.parametrize("edge", EDGES)
def test_every_shaded_passage_has_an_edge_that_stands_out(edge: str) -> None:
    for page_colour in ("#ffffff", "#faf9f6", "#f4f4f1"):
        assert contrast(css_var(edge), page_colour) >= 3


def test_every_count_and_alpha_is_text_not_only_a_shade(open_page: Any) -> None:
    page = open_page()
    unlabeled = page.evaluate(
        """() => { const runs = new Map();
          for (const m of document.querySelectorAll('mark.annotate-heat')) {
            const label = getComputedStyle(m, '::after').content;
            if (label !== 'none') runs.set(m, label);
          }
          // Every mark is followed, within its run, by a part that says the count.
          const bad = [];
          for (const m of document.querySelectorAll('mark.annotate-heat')) {
            let n = m;
            while (n && !runs.has(n) && n.nextSibling && n.nextSibling.dataset
                   && n.nextSibling.dataset.count === m.dataset.count) n = n.nextSibling;
            if (!runs.has(n) || runs.get(n) !== `"${m.dataset.count}"`) bad.push(m.textContent);
          }
          return bad; }"""
    )
    assert unlabeled == []
    page.get_by_role("radio", name="Agreement").check()
    labels = page.locator("mark.annotate-agree").evaluate_all(
        "ms => ms.map(m => getComputedStyle(m, '::after').content)"
    )
    assert labels and all(re.fullmatch(r'"\u03b1 (\u2013|-?\d\.\d\d)"', x) for x in labels)


# ---- Display: 320 px, 200 % zoom, forced colours. Look at the screenshots.


@pytest.mark.parametrize(
    ("name", "viewport", "scale"),
    [("320px", {"width": 320, "height": 640}, 1), ("zoom-200", {"width": 640, "height": 450}, 2)],
)
def test_nothing_lost_at_320px_or_200_percent(
    open_page: Any, axe: Path, artifacts: Path, name: str, viewport: dict[str, int], scale: int
) -> None:
    page = open_page(viewport=viewport, device_scale_factor=scale)
    assert overflow(page) == 0
    # Nothing wider than the page but the tables, and those scroll in their own box.
    wide = page.evaluate(
        """() => [...document.querySelectorAll('.annotate-report-root *')]
          .filter((e) => !e.closest('.annotate-report-scroll'))
          .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
          .map((e) => e.tagName + '.' + e.className)"""
    )
    assert wide == []
    page.screenshot(path=str(artifacts / f"report-a11y-{name}.png"))
    page.locator(".annotate-report-article").screenshot(
        path=str(artifacts / f"report-a11y-{name}-article.png")
    )
    assert audit(page, axe) == []


def test_forced_colors(open_page: Any, axe: Path, artifacts: Path) -> None:
    page = open_page()
    page.emulate_media(forced_colors="active")
    page.locator(".annotate-report-article").screenshot(
        path=str(artifacts / "report-a11y-forced-colors.png")
    )
    style = page.evaluate(
        """() => { const m = document.querySelector('mark.annotate-heat');
          const s = getComputedStyle(m), after = getComputedStyle(m, '::after');
          return {mark: s.backgroundColor, page: getComputedStyle(m.parentElement).backgroundColor,
                  edge: s.borderBottomStyle, label: after.content,
                  labelEdge: after.borderTopStyle}; }"""
    )
    assert style["mark"] != style["page"]
    assert style["edge"] == "solid"
    assert style["label"] != "none" and style["labelEdge"] == "solid"
    page.get_by_role("radio", name="Agreement").check()
    page.locator(".annotate-report-layout").screenshot(
        path=str(artifacts / "report-a11y-forced-colors-agreement.png")
    )
    assert audit(page, axe) == []
