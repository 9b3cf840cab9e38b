"""``annotate report`` and ``ClassView``: counts, escaping, pseudonyms, filters in Chromium."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import os
import random
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

import annotate
from annotate.article import Article, load_article
from annotate.classroom import build_report
from annotate.classroom.pseudonyms import pseudonyms
from annotate.classroom.report_csv import _cell
from annotate.classroom.report_data import coverage
from annotate.classroom.report_page import script_json
from annotate.cli import main
from annotate.exchange import collection, read_annotations
from annotate.frontend import FRONTEND_DIR
from annotate.model import Annotation
from annotate.vocabulary import CLAIM_TYPES, STATUSES

from .conftest import ROOT, serve_folder
from .test_classroom import make_book, mark, save

HOSTILE = "</script><script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
SVG = "<svg onload=window.__pwned=3>"
NAMES = ("Zorana Petrović", "Quentin Blackwood", "Mireille Okonkwo")
STATIC = FRONTEND_DIR


@pytest.fixture()
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Article:
    root = tmp_path / "book"
    root.mkdir()
    monkeypatch.chdir(root)
    return make_book(root)


def class_file(path: Path, annotations: list[Annotation]) -> Path:
    return save(path, collection(annotations))


def report(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["report", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def the_class(book: Article) -> list[Annotation]:
    """Overlapping highlights by four students, one own overlap, one orphan."""
    zo, qu, mi, ha = (*NAMES, "Hamid")
    lost = mark(book, "port", ha, note="lost")
    orphan = replace(lost, exact="submarines", prefix="x", suffix="y", start=500, end=510)
    return [
        mark(
            book,
            "three ships will sail",
            zo,
            claim_type="prediction",
            status="disputed",
            note=f"{NAMES[1]} thinks so too",
        ),
        mark(book, "ships will sail on Monday", zo, claim_type="factual"),  # her own overlap
        mark(book, "three ships", qu, claim_type="factual", status="supported"),
        mark(book, "ships will sail on Monday, and the port", mi, claim_type="prediction"),
        mark(book, "The navy plans", qu, note="Plans are not facts."),
        mark(book, "confirmed the plan", mi, claim_type="factual", status="needs-checking"),
        mark(book, "rushed and costly", qu, claim_type="opinion"),
        orphan,
    ]


def expected_counts(article: Article, annotations: list[Annotation]) -> list[int]:
    """Distinct students per character, counted the slow, obvious way."""
    placed = [a for a in annotations if article.text[a.start : a.end] == a.exact]
    return [
        len({a.creator for a in placed if a.start <= i < a.end}) for i in range(len(article.text))
    ]


def open_report(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """The report in Chromium from file://, and every request that left the file."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def watch(route: Any) -> None:
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", watch)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector(".annotate-report-root")
    assert errors == []
    return page, outside


HEAT_JS = """() => Array.from(document.querySelectorAll(
    '.annotate-report-article > h3, .annotate-report-article > p')).map((block) => {
  const counts = [];
  for (const node of block.childNodes) {
    const n = node.nodeType === 1 && node.dataset.count ? Number(node.dataset.count) : 0;
    for (const _ of Array.from(node.textContent)) counts.push(n);
  }
  return [block.textContent, counts];
})"""


# ---------------------------------------------------------------- the page in Chromium


@pytest.mark.browser
def test_heatmap_counts_distinct_students_per_character(
    browser: Any, book: Article, capsys: pytest.CaptureFixture[str], artifacts: Path
) -> None:
    anns = the_class(book)
    class_file(Path("class.json"), anns)
    assert report(["class.json", "-o", "report.html"], capsys)[0] == 0

    page, outside = open_report(browser, Path("report.html").resolve())
    blocks = page.evaluate(HEAT_JS)
    page.screenshot(path=str(artifacts / "report-tiny.png"), full_page=True)

    want = expected_counts(book, anns)
    assert [text for text, _ in blocks] == [book.block_text(b) for b in book.blocks]
    assert [counts for _, counts in blocks] == [want[b.start : b.end] for b in book.blocks]
    assert max(want) == 3  # "ships" was marked by three students; Zorana's two marks count once
    assert page.locator("mark[data-peak='3']").count() == 1
    assert outside == []
    page.close()


@pytest.mark.browser
def test_hostile_text_stays_text(
    browser: Any, book: Article, capsys: pytest.CaptureFixture[str], artifacts: Path
) -> None:
    anns = [
        mark(book, "three ships", HOSTILE, note=IMG, claim_type="factual"),
        mark(book, "the port", IMG, note=HOSTILE),
        replace_tags(mark(book, "rushed", SVG, note="&lt;b&gt; & \u2028 \u2029"), (SVG, HOSTILE)),
    ]
    class_file(Path("class.json"), anns)
    assert report(["class.json", "-o", "report.html", "--csv", "r.csv"], capsys)[0] == 0
    html = Path("report.html").read_text(encoding="utf-8")
    assert html.count("<script") == 2  # the data block and the module: no third one

    page, outside = open_report(browser, Path("report.html").resolve())
    page.wait_for_timeout(200)  # an onerror would have fired by now
    assert page.evaluate("window.__pwned") is None
    assert sorted(texts(page, ".annotate-report-note-text")) == sorted(
        [IMG, HOSTILE, "&lt;b&gt; & \u2028 \u2029"]
    )
    assert sorted(texts(page, ".annotate-report-note .annotate-report-student")) == sorted(
        [HOSTILE, IMG, SVG]
    )
    assert sorted(texts(page, ".annotate-report-tag")) == sorted([SVG, HOSTILE])
    assert page.locator(".annotate-report img, .annotate-report svg").count() == 0
    page.screenshot(path=str(artifacts / "report-hostile.png"), full_page=True)
    assert outside == []
    page.close()


def replace_tags(a: Annotation, tags: tuple[str, ...]) -> Annotation:
    return replace(a, tags=tags)


def texts(page: Any, selector: str) -> list[str]:
    """The exact text of each element (``inner_text`` would fold whitespace)."""
    return list(page.locator(selector).evaluate_all("els => els.map(e => e.textContent)"))


def real_class(root: Path) -> tuple[Article, list[Annotation]]:
    """Twelve students on the real article: half their marks on the editor's claims."""
    shutil.copy(ROOT / "_config.yml", root / "_config.yml")
    (root / "chapters").mkdir()
    shutil.copy(ROOT / "chapters" / "article.md", root / "chapters" / "article.md")
    article = load_article(root / "chapters" / "article.md")
    rng = random.Random(6)
    words = [m.span() for m in re.finditer(r"\S+", article.text)]
    names = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jude", "Kai"]
    notes = ["", "", "Who says so?", "Source?", "Loaded word.", "Check the ministry's statement."]
    anns = []
    for name in names:
        for _ in range(rng.randrange(4, 10)):
            if rng.random() < 0.6 and article.claims:
                claim = rng.choice(article.claims)
                start, end = claim.start, claim.end
            else:
                i = rng.randrange(len(words) - 6)
                start, end = words[i][0], words[i + rng.randrange(0, 5)][1]
            anns.append(
                Annotation.new(
                    source=article.source,
                    text=article.text,
                    start=start,
                    end=end,
                    creator=name,
                    claim_type=rng.choice([None, *CLAIM_TYPES]),
                    status=rng.choice([None, *STATUSES]),
                    note=rng.choice(notes),
                )
            )
    return article, anns


@pytest.mark.browser
def test_filters_change_what_is_shown(
    browser: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    artifacts: Path,
) -> None:
    root = tmp_path / "real"
    root.mkdir()
    monkeypatch.chdir(root)
    article, anns = real_class(root)
    class_file(Path("class.json"), anns)
    assert report(["class.json", "-o", "report.html"], capsys)[0] == 0
    page, outside = open_report(browser, Path("report.html").resolve())
    page.screenshot(path=str(artifacts / "report.png"))
    page.screenshot(path=str(artifacts / "report-full.png"), full_page=True)
    showing = page.locator(".annotate-report-showing")
    assert showing.inner_text() == f"Showing {len(anns)} of {len(anns)} annotations."

    # Claim type: untick Prediction; its notes leave and the heatmap is counted again.
    page.get_by_role("checkbox", name=re.compile("Prediction")).uncheck()
    rest = [a for a in anns if a.claim_type != "prediction"]
    assert showing.inner_text() == f"Showing {len(rest)} of {len(anns)} annotations."
    counts = [c for _, block in page.evaluate(HEAT_JS) for c in block]
    want = expected_counts(article, rest)
    assert counts == [want[i] for b in article.blocks for i in range(b.start, b.end)]
    assert (
        page.locator(".annotate-report-note .annotate-report-chip", has_text="Prediction").count()
        == 0
    )

    # Status and student: only Ben's notes, at most one student per word.
    page.get_by_role("checkbox", name=re.compile("Disputed")).uncheck()
    rest = [a for a in rest if a.status != "disputed"]
    assert showing.inner_text() == f"Showing {len(rest)} of {len(anns)} annotations."
    page.get_by_label("Student").select_option(label="Ben")
    bens = [a for a in rest if a.creator == "Ben"]
    assert 0 < len(bens) < len(rest)
    assert showing.inner_text() == f"Showing {len(bens)} of {len(anns)} annotations."
    more = page.get_by_role("button", name=re.compile("^Show all"))
    while more.count():
        more.first.click()
    assert set(
        page.locator(".annotate-report-note .annotate-report-student").all_inner_texts()
    ) == {"Ben"}
    assert {
        int(c)
        for c in page.locator("mark.annotate-heat").evaluate_all(
            "ms => ms.map(m => m.dataset.count)"
        )
    } <= {1}
    page.screenshot(path=str(artifacts / "report-filtered.png"))

    page.get_by_role("button", name="Show everything").click()
    assert showing.inner_text() == f"Showing {len(anns)} of {len(anns)} annotations."
    assert outside == []
    page.close()


# ---------------------------------------------------------------- the page's bytes


def test_no_external_url_in_the_page(book: Article, capsys: pytest.CaptureFixture[str]) -> None:
    a = mark(book, "port", "Ana", note="see https://example.org/x and <a href='https://evil'>")
    class_file(Path("class.json"), [a])
    assert report(["class.json", "-o", "report.html"], capsys)[0] == 0
    soup = BeautifulSoup(Path("report.html").read_text(encoding="utf-8"), "html.parser")
    links = [v for tag in soup.find_all(True) for k, v in tag.attrs.items() if k in ("src", "href")]
    assert links == []
    assert soup.find("link") is None
    assert [s.get("type") for s in soup.find_all("script")] == ["application/json", "module"]
    css = "".join(s.get_text() for s in soup.find_all("style"))
    assert "url(" not in css and "@import" not in css
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert policy is not None and "default-src 'none'" in str(policy["content"])


def test_csv_has_one_row_per_annotation_with_vocabulary_labels(
    book: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    anns = the_class(book)
    class_file(Path("class.json"), anns)
    code, out, _ = report(["class.json", "-o", "r.html", "--csv", "r.csv"], capsys)
    assert code == 0
    assert "8 annotation(s) by 4 student(s), 1 orphaned" in out
    raw = Path("r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read UTF-8 names right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "student",
        "chapter",
        "claim type",
        "status",
        "quote",
        "note",
        "created",
        "anchoring",
        "editor claim matched",
        "same type as editor",
        "sentence alpha",
        "sentence entropy",
        "student precision",
        "student recall",
        "student F1",
        "student kappa",
        "student type agreement",
    ]
    assert Counter(r["student"] for r in rows) == Counter(a.creator for a in anns)
    assert Counter(r["claim type"] for r in rows) == Counter(
        CLAIM_TYPES[a.claim_type].label if a.claim_type else "" for a in anns
    )
    assert Counter(r["status"] for r in rows) == Counter(
        STATUSES[a.status].label if a.status else "" for a in anns
    )
    assert Counter(r["anchoring"] for r in rows) == {"anchored": 7, "orphaned": 1}
    assert {r["chapter"] for r in rows} == {"chapters/article"}
    assert sorted((r["student"], r["quote"], r["note"]) for r in rows) == sorted(
        (a.creator, a.exact, a.note) for a in anns
    )


def test_csv_cells_never_run_as_formulas(book: Article, capsys: pytest.CaptureFixture[str]) -> None:
    risky = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"]
    anns = [mark(book, "port", f"=cmd|' /C calc'!A{i}", note=n) for i, n in enumerate(risky)]
    class_file(Path("class.json"), anns)
    assert report(["class.json", "-o", "r.html", "--csv", "r.csv"], capsys)[0] == 0
    rows = list(csv.DictReader(io.StringIO(Path("r.csv").read_bytes().decode("utf-8-sig"))))
    assert sorted(r["note"] for r in rows) == sorted("'" + n for n in risky)
    assert all(r["student"].startswith("'=cmd") for r in rows)


def test_csv_is_what_the_standard_writer_writes(
    book: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = ['say "no", twice', "a\nnew line", "a\r\nwindows line", ",", '"', "=x,y", "plain"]
    anns = [mark(book, "port", f'Ana, "the" {i}', note=n) for i, n in enumerate(notes)]
    class_file(Path("class.json"), anns)
    assert report(["class.json", "-o", "r.html", "--csv", "r.csv"], capsys)[0] == 0
    raw = Path("r.csv").read_bytes().decode("utf-8-sig")
    again = io.StringIO()
    csv.writer(again, lineterminator="\r\n").writerows(csv.reader(io.StringIO(raw, newline="")))
    assert raw == again.getvalue()


@given(st.lists(st.text(alphabet=st.sampled_from(',"\r\n\t\x00 a\u2028\u00e9')), min_size=2))
def test_csv_cells_are_quoted_as_the_standard_writer_quotes(row: list[str]) -> None:
    again = io.StringIO()
    csv.writer(again, lineterminator="\r\n").writerow(row)
    assert ",".join(map(_cell, row)) + "\r\n" == again.getvalue()


def test_anonymize_is_complete_and_stable(
    book: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    anns = the_class(book)
    class_file(Path("class.json"), anns)
    argv = ["class.json", "-o", "r1.html", "--csv", "r1.csv", "--anonymize"]
    assert report(argv, capsys)[0] == 0
    # The same class, its items in another order: the same pseudonyms.
    class_file(Path("shuffled.json"), list(reversed(anns)))
    argv = ["shuffled.json", "-o", "r2.html", "--csv", "r2.csv", "--anonymize"]
    assert report(argv, capsys)[0] == 0

    outputs = [Path(name).read_bytes() for name in ("r1.html", "r1.csv", "r2.html", "r2.csv")]
    for name in (*NAMES, "Hamid"):
        for part in {name, *name.split()}:
            assert all(part.encode("utf-8") not in data for data in outputs), part
    assert outputs[0] == outputs[2] and outputs[1] == outputs[3]
    rows = list(csv.DictReader(io.StringIO(outputs[1].decode("utf-8-sig"))))
    mapping = pseudonyms(a.creator for a in anns)
    assert sorted(r["student"] for r in rows) == sorted(mapping[a.creator] for a in anns)
    assert f"{mapping[NAMES[1]]} thinks so too" in {r["note"] for r in rows}


def test_pseudonyms_are_keyed_stable_and_distinct() -> None:
    names = [f"Name {i}" for i in range(300)]
    key = bytes(range(32))
    a, b = pseudonyms(names, key), pseudonyms(reversed(names), key)
    assert a == b
    assert len(set(a.values())) == 300
    assert all(re.fullmatch(r"Student [A-Z2-7]{4,}", v) for v in a.values())
    # A student keeps their pseudonym whoever else is in the class.
    assert pseudonyms(names[:5], key) == {n: a[n] for n in names[:5]}


def test_pseudonyms_cannot_be_rebuilt_from_the_class_list() -> None:
    """Unsalted hashes of names could be recomputed by anyone with the list; a key cannot."""
    names = ["Ana", "Ben", "Chloé"]
    assert pseudonyms(names, bytes(32)) != pseudonyms(names, bytes([7]) * 32)
    unsalted = {n: hashlib.sha256(n.encode()).hexdigest() for n in names}
    for name, alias in pseudonyms(names, bytes(32)).items():
        assert unsalted[name][:4].upper() not in alias


def test_report_pseudonyms_use_the_teachers_key(
    book: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    anns = the_class(book)
    class_file(Path("class.json"), anns)
    assert report(["class.json", "-o", "r.html", "--csv", "r.csv", "--anonymize"], capsys)[0] == 0
    key = Path(os.environ["ANNOTATE_HOME"], "pseudonym.key")
    assert key.stat().st_mode & 0o777 == 0o600
    mine = pseudonyms((a.creator for a in anns), bytes.fromhex(key.read_text().strip()))
    rows = list(csv.DictReader(io.StringIO(Path("r.csv").read_text(encoding="utf-8-sig"))))
    assert {r["student"] for r in rows} == set(mine.values())
    assert key.read_text() not in Path("r.html").read_text(encoding="utf-8")


def test_a_class_on_an_unknown_page_shows_the_quotes(
    book: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    a = mark(book, "port", "Ana", note="elsewhere")
    w3c = a.to_w3c()
    w3c["target"]["source"] = "https://news.example/ships"
    save(Path("class.json"), [w3c])
    code, _, err = report(["class.json", "-o", "r.html"], capsys)
    assert code == 0
    assert "for https://news.example/ships: the report shows its quotes only" in err
    data = page_data(Path("r.html"))
    (chapter,) = data["chapters"]
    assert chapter["text"] is None and chapter["blocks"] == []
    assert [(n["exact"], n["orphan"]) for n in chapter["notes"]] == [("port", True)]
    assert chapter["top"]["none"][0]["text"] == "port"


def page_data(path: Path) -> Any:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    node = soup.find("script", id="annotate-report-data")
    assert node is not None
    return json.loads(node.get_text())


def test_editor_claims_beside_what_the_class_found(
    book: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    anns = the_class(book)
    class_file(Path("class.json"), anns)
    assert report(["class.json", "-o", "r.html"], capsys)[0] == 0
    claims = {c["id"]: c for c in page_data(Path("r.html"))["chapters"][0]["editorClaims"]}
    for claim in book.claims:
        hits = [
            a
            for a in anns
            if book.text[a.start : a.end] == a.exact and a.start < claim.end and a.end > claim.start
        ]
        got = claims[claim.id]
        assert got["students"] == len({a.creator for a in hits})
        kinds: Counter[str] = Counter()
        for kind in {(a.claim_type or "none", a.creator) for a in hits}:
            kinds[kind[0]] += 1
        assert got["types"] == dict(kinds)
        assert got["text"] == book.text[claim.start : claim.end]
    assert claims["ships-sail"]["students"] == 3


def test_user_mistakes_are_one_line_errors(
    book: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("bad.json").write_text("{oops", encoding="utf-8")
    Path("package.json").write_text('{"name": "x"}', encoding="utf-8")
    for name, reason in [
        ("missing.json", "no such file"),
        ("bad.json", "is not JSON"),
        ("package.json", "holds neither an annotation nor a list of them"),
    ]:
        code, _, err = report([name, "-o", "r.html"], capsys)
        assert code == 1
        assert err.startswith(f"annotate: error: {name}: {reason}")
        assert err.count("\n") == 1 and "Traceback" not in err
    assert not Path("r.html").exists()


@pytest.mark.parametrize(
    ("page", "sheet", "named"),
    [("r.html", "gone/r.csv", "gone/r.csv"), ("gone/r.html", "r.csv", "gone/r.html")],
)
def test_a_report_file_that_cannot_be_written_is_a_one_line_error(
    book: Article, capsys: pytest.CaptureFixture[str], page: str, sheet: str, named: str
) -> None:
    class_file(Path("class.json"), the_class(book))
    code, _, err = report(["class.json", "-o", page, "--csv", sheet], capsys)
    assert code == 1
    assert err.startswith(f"annotate: error: {named}: No such file or directory")
    assert err.count("\n") == 1 and "Traceback" not in err


# ---------------------------------------------------------------- pieces


@given(st.text())
def test_script_json_cannot_end_the_script(text: str) -> None:
    out = script_json({"note": text})
    assert not set(out) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(out) == {"note": text}


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.floats(-1e3, 1e3, allow_nan=False).filter(lambda x: x == 0 or abs(x) >= 1e-4)
        | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=20,
    )
)
def test_script_json_writes_what_the_standard_library_writes(data: Any) -> None:
    # Numbers below 1e-4 aside (orjson spells 1e-05 as 0.00001), the same bytes.
    want = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        want = want.replace(raw, escaped)
    want = want.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    assert script_json(data) == want


def test_the_report_page_data_is_the_report_data(
    book: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    class_file(Path("class.json"), the_class(book))
    assert report(["class.json", "-o", "r.html"], capsys)[0] == 0
    page = BeautifulSoup(Path("r.html").read_text(encoding="utf-8"), "html.parser")
    shown = page.find("script", id="annotate-report-data")
    assert shown is not None
    data = build_report(read_annotations("class.json"), Path("."))
    assert json.loads(shown.string or "") == json.loads(json.dumps(data))


@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.sampled_from("abc")), max_size=25)
)
def test_coverage_counts_distinct_owners(spans: list[tuple[int, int, str]]) -> None:
    runs = coverage(spans)
    got = [0] * 31
    for start, end, count in runs:
        assert count > 0 and end > start
        got[start:end] = [count] * (end - start)
    want = [len({o for s, e, o in spans if s <= i < e}) for i in range(31)]
    assert got == want
    assert all(a[2] != b[2] or a[1] != b[0] for a, b in itertools.pairwise(runs))


def test_class_view_holds_the_report(book: Article) -> None:
    class_file(Path("class.json"), the_class(book))
    view = annotate.ClassView("class.json", anonymize=True)
    assert view.report["totals"] == {
        "students": 4,
        "annotations": 8,
        "withNotes": 3,
        "orphaned": 1,
        "chapters": 1,
    }
    assert all(name.startswith("Student ") for name in view.report["students"])
    assert "export default" in str(view._esm)  # anywidget holds the file's text
    assert "ClassView" in annotate.__all__


@pytest.fixture()
def static_server() -> Iterator[str]:
    """The front-end files over HTTP: browsers refuse to import modules from file://."""
    with serve_folder(STATIC) as url:
        yield url


WIDGET_JS = """async ([url, first, second]) => {
  const mod = await import(url);
  const el = document.createElement("div");
  document.body.append(el);
  let data = first;
  const handlers = [];
  const model = {
    get: (name) => (name === "report" ? data : undefined),
    on: (event, f) => handlers.push([event, f]),
    off: (event, f) => handlers.splice(handlers.findIndex((h) => h[1] === f), 1),
  };
  const cleanup = mod.default.render({ model, el });
  const students = () => Array.from(el.querySelectorAll("select option"), (o) => o.textContent);
  const before = {
    showing: el.querySelector(".annotate-report-showing").textContent,
    marks: el.querySelectorAll("mark.annotate-heat").length,
    students: students(),
  };
  data = second;
  for (const [event, f] of handlers) if (event === "change:report") f();
  const after = students();
  cleanup();
  return { before, after, left: el.childElementCount, handlers: handlers.length };
}"""


@pytest.mark.browser
def test_class_view_front_end_draws_the_model(
    browser: Any, book: Article, static_server: str
) -> None:
    class_file(Path("class.json"), the_class(book))
    named = annotate.ClassView("class.json").report
    hidden = annotate.ClassView("class.json", anonymize=True).report
    page = browser.new_page()
    page.goto(f"{static_server}/report.css")
    got = page.evaluate(WIDGET_JS, [f"{static_server}/report.js", named, hidden])
    assert got["before"]["showing"] == "Showing 8 of 8 annotations."
    assert got["before"]["marks"] > 0
    assert got["before"]["students"] == ["All students", *named["students"]]
    assert got["after"] == ["All students", *hidden["students"]]  # redrawn on change
    assert got["left"] == 0 and got["handlers"] == 0  # cleanup left nothing behind
    page.close()


def test_front_end_writes_text_never_markup() -> None:
    js = (STATIC / "report.js").read_text(encoding="utf-8")
    assert js.startswith("// @ts-check")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in js


@pytest.mark.browser
def test_agreement_mode_scores_and_contested_passages(
    browser: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    artifacts: Path,
) -> None:
    root = tmp_path / "real"
    root.mkdir()
    monkeypatch.chdir(root)
    _, anns = real_class(root)
    class_file(Path("class.json"), anns)
    assert report(["class.json", "-o", "report.html"], capsys)[0] == 0
    data = page_data(Path("report.html"))
    page, outside = open_report(browser, Path("report.html").resolve())

    # Each student's scores, in the order of the data, with the rule stated.
    rows = page.locator(".annotate-report-scores tbody tr")
    assert rows.count() == len(data["students"])
    first = data["agreement"]["byStudent"][0]
    assert texts(page, ".annotate-report-scores .annotate-report-feedback")[0] == first["feedback"]
    assert (
        "overlap by at least half of the shorter"
        in page.locator(".annotate-report-scores").inner_text()
    )

    # Contested passages: the sentences the data ranks, each side with its count.
    contested = data["chapters"][0]["contested"]
    assert contested
    quotes = texts(page, ".annotate-report-contested-item > .annotate-report-quote")
    assert quotes == [f"“{c['text']}”" for c in contested]
    assert page.locator(".annotate-report-side").count() == sum(len(c["sides"]) for c in contested)

    # Agreement mode: every marked sentence shaded by its alpha; none shows NaN.
    page.get_by_role("radio", name="Agreement").check()
    marks = page.locator("mark.annotate-agree")
    marked = [s for s in data["chapters"][0]["sentences"] if s["students"]]
    assert marks.count() >= len(marked) > 0
    shown = set(marks.evaluate_all("ms => ms.map(m => m.dataset.alpha)"))
    assert "NaN" not in shown and "undefined" in shown
    assert page.locator("mark.annotate-heat").count() == 0
    assert (
        "undefined (fewer than two students" in page.locator(".annotate-report-legend").inner_text()
    )
    assert "NaN" not in page.locator(".annotate-report-root").inner_text()
    page.screenshot(path=str(artifacts / "report-agreement.png"))
    page.locator(".annotate-report-contested").screenshot(
        path=str(artifacts / "report-contested.png")
    )
    page.locator(".annotate-report-scores").screenshot(path=str(artifacts / "report-scores.png"))

    page.get_by_role("radio", name="How many").check()
    assert page.locator("mark.annotate-agree").count() == 0
    assert page.locator("mark.annotate-heat").count() > 0
    assert outside == []
    page.close()


def test_replies_are_not_chapters_or_students(book: Article) -> None:
    """A teacher's reply answers a note: it is not a highlight on some page of its own."""
    from annotate.classroom.report_data import build_report

    root = mark(book, "port", "Ana")
    reply = replace(
        root,
        id="urn:uuid:00000000-0000-4000-8000-0000000000aa",
        creator="Teacher",
        exact="",
        start=0,
        end=0,
        reply_to=root.id,
        note="Good catch.",
    )
    data = build_report([root, reply], Path("."))
    assert data["students"] == ["Ana"]
    assert [c["source"] for c in data["chapters"]] == [book.source]
