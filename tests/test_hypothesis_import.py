"""Hypothesis notes made on the hosted book: mapped to their chapter, fields carried over.

The rows follow Hypothesis' search API (``GET /api/search``: ``{"total": n, "rows": [...]}``);
each selector list holds a RangeSelector, a TextPositionSelector (counted in the hosted
page's text) and a TextQuoteSelector, as the Hypothesis client writes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotate.article import find_chapter, load_article
from annotate.classroom.merge import merge
from annotate.cli import main
from annotate.exchange import ExchangeError, parse_document, read_annotations

HEADLINE = "Harbor plan approved"
PARAGRAPH = "The port authority voted on Tuesday to deepen the channel, officials said."
CHAPTER = f"# {HEADLINE}\n\n::::{{article}}\n:no-dek:\n\n{PARAGRAPH}\n::::\n"
TEXT = f"{HEADLINE}\n\n{PARAGRAPH}"
PAGE = "https://school.example.org/harbor-book/chapters/article.html"


def make_book(root: Path, config: str = "title: T\n", extra: tuple[str, ...] = ()) -> Path:
    (root / "chapters").mkdir(parents=True)
    (root / "_config.yml").write_text(config, encoding="utf-8")
    (root / "_toc.yml").write_text("format: jb-book\nroot: chapters/article\n", encoding="utf-8")
    for docname in ("chapters/article", *extra):
        path = root / f"{docname}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(CHAPTER, encoding="utf-8")
    return root


def row(ident: str, exact: str, **extra: Any) -> dict[str, Any]:
    """One annotation as Hypothesis' API returns it."""
    at = TEXT.index(exact) + 120  # the hosted page has a menu before the article
    data: dict[str, Any] = {
        "id": ident,
        "created": "2025-04-01T09:00:00.000000+00:00",
        "updated": "2025-04-01T09:05:00.000000+00:00",
        "user": "acct:ana_lima@hypothes.is",
        "uri": PAGE,
        "text": "Which officials?",
        "tags": ["Attribution", "needs checking", "homework"],
        "group": "Kz9w1pQ",
        "permissions": {"read": ["group:Kz9w1pQ"]},
        "target": [
            {
                "source": PAGE,
                "selector": [
                    {
                        "type": "RangeSelector",
                        "endOffset": 70,
                        "startOffset": 55,
                        "endContainer": "/main[1]/div[1]/p[1]",
                        "startContainer": "/main[1]/div[1]/p[1]",
                    },
                    {"type": "TextPositionSelector", "start": at, "end": at + len(exact)},
                    {
                        "type": "TextQuoteSelector",
                        "exact": exact,
                        "prefix": TEXT[max(0, TEXT.index(exact) - 20) : TEXT.index(exact)],
                        "suffix": TEXT[TEXT.index(exact) + len(exact) :][:20],
                    },
                ],
            }
        ],
        "document": {"title": ["Harbor plan approved — Harbor book"]},
        "links": {"html": f"https://hypothes.is/a/{ident}"},
        "user_info": {"display_name": "Ana Lima"},
        "flagged": False,
        "hidden": False,
    }
    return data | extra


def export(*rows: dict[str, Any]) -> str:
    return json.dumps({"total": len(rows), "rows": list(rows)})


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_search_api_row_carries_its_fields_over() -> None:
    [a] = parse_document(export(row("abc123", "officials said")))
    assert a.id == "urn:hypothesis:abc123"
    assert a.creator == "Ana Lima"
    assert (a.claim_type, a.status) == ("attribution", "needs-checking")
    assert a.tags == ("homework", "group:Kz9w1pQ")
    assert a.note == "Which officials?"
    assert a.scope == PAGE and a.source == PAGE


def test_a_single_row_is_read_and_a_reply_becomes_a_reply() -> None:
    reply = row("rep1", "officials said", references=["abc123"], text="The port's own.")
    reply["target"] = [{"source": PAGE}]
    [a] = parse_document(json.dumps(reply))
    assert a.reply_to == "urn:hypothesis:abc123"
    assert a.note == "The port's own."


def test_a_row_without_display_name_uses_the_account_name() -> None:
    data = row("x1", "officials said")
    del data["user_info"]
    [a] = parse_document(json.dumps(data))
    assert a.creator == "ana_lima"


def test_hosted_page_url_maps_by_its_path(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book")
    assert find_chapter(PAGE, book) == (book / "chapters" / "article.md").resolve()
    assert find_chapter(PAGE + "?x=1#intro", book) is not None


def test_two_docnames_that_fit_leave_it_unplaced(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book", extra=("harbor-book/chapters/article",))
    assert find_chapter(PAGE, book) is None


def test_book_url_decides_when_set(tmp_path: Path) -> None:
    config = (
        "title: T\nsphinx:\n  config:\n"
        "    annotate_book_url: https://school.example.org/harbor-book/\n"
    )
    book = make_book(tmp_path / "book", config, extra=("harbor-book/chapters/article",))
    assert find_chapter(PAGE, book) == (book / "chapters" / "article.md").resolve()
    assert find_chapter("https://other.example.org/chapters/article.html", book) is None


def test_html_baseurl_is_the_book_url_without_annotate_book_url(tmp_path: Path) -> None:
    config = "title: T\nhtml:\n  baseurl: https://school.example.org/harbor-book\n"
    book = make_book(tmp_path / "book", config)
    assert find_chapter(PAGE, book) is not None


def test_a_hypothesis_export_of_the_hosted_book_lands_on_its_chapter(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book")
    path = write(tmp_path / "hyp.json", export(row("a1", "officials said"), row("a2", "Tuesday")))
    result = merge([path, path], book)
    article = load_article(book / "chapters" / "article.md")
    assert result.counts["orphaned"] == 0 and result.unplaced == {}
    for a in result.annotations:
        assert a.source == article.source and a.scope == PAGE
        assert article.text[a.start : a.end] == a.exact


def test_merging_the_same_export_twice_counts_each_note_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = make_book(tmp_path / "book")
    first = write(tmp_path / "one.json", export(row("a1", "officials said")))
    second = write(tmp_path / "two.json", export(row("a1", "officials said")))
    out = tmp_path / "class.json"
    args = ["merge", str(first), str(second), "-o", str(out), "--book", str(book)]
    assert main(args) == 0
    assert len(read_annotations(out)) == 1
    assert "1 duplicate(s) counted once" in capsys.readouterr().out


def test_an_orphan_without_a_position_gets_none(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book")
    lost = row("o1", "officials said")
    lost["target"][0]["selector"] = [
        {"type": "TextQuoteSelector", "exact": "words that are not in the article"}
    ]
    out = tmp_path / "class.json"
    assert main(["merge", str(write(tmp_path / "h.json", export(lost))), "-o", str(out),
                 "--book", str(book)]) == 0  # fmt: skip
    item = json.loads(out.read_text(encoding="utf-8"))["first"]["items"][0]
    kinds = [s["type"] for s in item["target"]["selector"]]
    assert kinds == ["TextQuoteSelector"]
    assert item["target"]["scope"] == PAGE


def test_an_orphan_keeps_the_position_it_came_with(tmp_path: Path) -> None:
    book = make_book(tmp_path / "book")
    lost = row("o2", "officials said")
    quote = lost["target"][0]["selector"][2]
    quote["exact"], quote["prefix"], quote["suffix"] = "gone words here", "", ""
    lost["target"][0]["selector"][1] |= {"start": 500, "end": 515}
    [a] = merge([write(tmp_path / "h.json", export(lost))], book).annotations
    assert a.orphan and (a.start, a.end) == (500, 515)
    position = [s for s in a.to_w3c()["target"]["selector"] if s["type"] != "TextQuoteSelector"]
    assert position == [{"type": "TextPositionSelector", "start": 500, "end": 515}]


def test_a_bad_hypothesis_export_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = row("b1", "officials said", references="abc")
    path = write(tmp_path / "bad.json", export(bad))
    assert main(["import", str(path), "--store", str(tmp_path / "s.db")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and "references" in err


def page_note(ident: str, text: str) -> dict[str, Any]:
    """A Hypothesis page note: on the whole page, with no selector at all."""
    note = row(ident, "officials said", text=text)
    note["target"] = [{"source": PAGE}]
    return note


def test_page_notes_are_left_out_and_named_not_the_whole_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = make_book(tmp_path / "book")
    rows = (
        row("a1", "officials said"),
        page_note("p1", "A note on the whole page"),
        row("r1", "officials said", text="A reply to the page note", references=["p1"]),
        row("a2", "Tuesday"),
    )
    path = write(tmp_path / "hyp.json", export(*rows))
    out = tmp_path / "class.json"
    assert main(["merge", str(path), "-o", str(out), "--book", str(book)]) == 0
    assert sorted(a.id for a in read_annotations(out)) == [
        "urn:hypothesis:a1",
        "urn:hypothesis:a2",
    ]
    err = capsys.readouterr().err
    assert "left out 2 Hypothesis page note(s) or their replies" in err
    assert "item 2 (p1)" in err and "urn:hypothesis:r1" in err and str(path) in err
    # The student's own import does the same: the highlights come in, the page note is named.
    store = tmp_path / "s.db"
    assert main(["import", str(path), "--store", str(store), "--chapter",
                 str(book / "chapters" / "article.md")]) == 0  # fmt: skip
    assert "imported 2 annotation(s)" in capsys.readouterr().out
    # Read without a list to name them in, a page note is an error like any other.
    with pytest.raises(ExchangeError, match="TextQuoteSelector"):
        read_annotations(path)
