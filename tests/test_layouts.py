"""annotate new-article on news files as they arrive: each layout's parts get their roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate.article import load_article
from annotate.cli import main
from annotate.newarticle import Part, SourceArticle, chapter_markdown, parse_article

from .conftest import ROOT

SEED = ROOT / "seeds" / "hegseth-japan-2025-03.txt"

LEDE = (
    "TOKYO (AP) — Japan and the United States agreed on Sunday to speed up plans for a joint"
    " command, officials said, as both governments weigh China's growing military reach."
)
SECOND = (
    "The talks, held at the Defense Ministry, lasted two hours and ended with a short statement"
    " that promised closer work on missiles, ships and the exchange of intelligence."
)

WIRE = (
    "\ufeffJapan and US agree to speed up joint command\r\n"
    "By Jane Reporter, Associated Press\r\n\r\n"
    f"{LEDE}\r\n\r\n{SECOND}\r\n\r\n"
    "Copyright 2025 The Associated Press. All rights reserved.\r\n"
)
AGGREGATOR = (
    "Officials agree on a faster timetable for the joint command.\n"
    "Japan and US agree to speed up joint command\n\n"
    "Japan and US agree to speed up joint command\n"
    "The two allies set a new date for a headquarters in Tokyo.\n"
    f"{LEDE.removeprefix('TOKYO (AP) — ')}\n{SECOND}\n"
)
PRESS_RELEASE = (
    "FOR IMMEDIATE RELEASE\n\n"
    "Acme Shipyards Wins Navy Contract for Four Patrol Boats\n\n"
    "PORTLAND, Maine — March 3, 2025 — Acme Shipyards said today that it has won a contract"
    " worth $120 million to build four patrol boats, the largest order in its history.\n\n"
    "“This contract secures 300 jobs on the waterfront for a decade,” said Chief Executive"
    " Dana Ruiz in a statement released by the company on Monday.\n\n"
    "###\n\n"
    "About Acme Shipyards: a builder of small ships since 1921.\n"
    "Media contact: press@acme.example\n"
)
BLOG = (
    "Why the joint command matters\n"
    "Posted on March 31, 2025 by Kenji Sato\n\n"
    "I have followed the alliance for twenty years, and this week's news is the biggest change"
    " to how the two militaries work together since the treaty was revised in 1960.\n\n"
    "Photo: Defense ministers at the Tokyo meeting (Kenji Sato)\n\n"
    "The short version: there will be one headquarters where there were two, and that changes"
    " who answers to whom when something goes wrong in the waters around Japan.\n\n"
    "Share this: Facebook, X, Email\n"
)
PLAIN = (
    "Council approves new bus routes\n\n"
    "The city council approved three new bus routes on Tuesday, adding service to the"
    "\nnorthern suburbs for the first time in a decade.\n\n"
    "The routes start in May. Riders had asked for them at four public meetings last year,"
    "\nand the transit agency said the buses would run every 20 minutes at rush hour.\n"
)
PER_LINE = (
    "Council approves new bus routes\n"
    "The city council approved three new bus routes on Tuesday, adding service to the northern"
    " suburbs for the first time in a decade.\n"
    "The routes start in May, and the buses will run every 20 minutes at rush hour.\n"
    "Riders had asked for them at four public meetings last year.\n"
)
MARKDOWN = (
    "# Council approves new bus routes\n\n"
    "## Service reaches the northern suburbs for the first time in a decade\n\n"
    "*By Ana Lee*\n\n"
    "Updated March 4, 2025 at 9:00 a.m.\n\n"
    "The city council approved three new bus routes on Tuesday after a two-hour debate.\n\n"
    "Riders had asked for them at four public meetings last year.\n"
)
HTML = (
    "<!DOCTYPE html><html><head><title>Bus routes | City News</title>"
    "<script>var x = 1;</script></head><body><nav>Home | News</nav><article>"
    "<h1>Council approves new bus routes</h1>"
    "<p>The city council approved three new bus routes on Tuesday &amp; the buses start"
    " in May.</p>\n<p>Riders had asked for them at four public meetings last year, the"
    " transit agency said in a statement.</p></article></body></html>\n"
)


def test_the_seed_comes_out_as_the_hand_made_chapter() -> None:
    art = parse_article(SEED.read_text(encoding="utf-8"))
    chapter = load_article(ROOT / "chapters" / "article.md")
    assert art.text == chapter.text
    assert [b.kind for b in chapter.blocks] == ["headline", "dek"] + ["paragraph"] * 4
    assert art.dek is not None and len(art.paragraphs) == 4
    assert art.parts == (Part("summary", SEED.read_text(encoding="utf-8").splitlines()[0]),)
    assert art.repeated_headline
    assert art.recognised == "aggregator: headline, dek, summary, 4 paragraphs, repeated headline"


def test_the_seed_chapter_shows_the_summary_and_says_the_headline_repeats(
    tmp_path: Path,
) -> None:
    art = parse_article(SEED.read_text(encoding="utf-8"))
    markdown, _ = chapter_markdown(art, "seed", "seeds/seed.txt")
    note = markdown.split(":::{admonition} About this article")[1].split(":::")[0]
    assert "- a summary: “The Secretary's visit comes amid concerns" in note
    assert "the headline a second time" in note
    assert "::::{article}\n:seed: seeds/seed.txt\n\nU.S. Defense Secretary" in markdown


def test_wire_byline_is_not_the_dek() -> None:
    art = parse_article(WIRE)
    assert art.headline == "Japan and US agree to speed up joint command"
    assert art.dek is None
    assert art.paragraphs == (LEDE, SECOND)
    assert [p.role for p in art.parts] == ["byline", "footer"]
    assert art.dateline
    assert art.layout == "wire"


def test_aggregator_summary_repeat_and_subhead() -> None:
    art = parse_article(AGGREGATOR)
    assert art.headline == "Japan and US agree to speed up joint command"
    assert art.dek == "The two allies set a new date for a headquarters in Tokyo."
    assert len(art.paragraphs) == 2
    assert art.parts[0] == Part(
        "summary", "Officials agree on a faster timetable for the joint command."
    )
    assert art.repeated_headline and art.layout == "aggregator"


def test_press_release_keeps_its_boilerplate_out_of_the_article() -> None:
    art = parse_article(PRESS_RELEASE)
    assert art.headline == "Acme Shipyards Wins Navy Contract for Four Patrol Boats"
    assert art.dek is None and art.dateline
    assert len(art.paragraphs) == 2 and art.paragraphs[1].startswith("“This contract")
    roles = [p.role for p in art.parts]
    assert roles == ["release", "footer", "footer", "footer"]
    assert art.layout == "press-release"


def test_blog_byline_caption_and_share_footer() -> None:
    art = parse_article(BLOG)
    assert art.headline == "Why the joint command matters"
    assert [p.role for p in art.parts] == ["byline", "caption", "footer"]
    assert len(art.paragraphs) == 2 and art.dek is None
    assert art.layout == "blog"


def test_plain_paragraphs_are_joined_and_have_no_parts() -> None:
    art = parse_article(PLAIN)
    assert art.parts == () and art.layout == "paragraphs"
    assert art.blocks[0].startswith("The city council approved") and len(art.blocks) == 2
    assert "\n" not in art.blocks[0]


def test_one_paragraph_per_line() -> None:
    art = parse_article(PER_LINE)
    assert art.layout == "lines" and art.parts == ()
    assert len(art.blocks) == 3


def test_markdown_subhead_byline_and_update_line() -> None:
    art = parse_article(MARKDOWN, markdown=True)
    assert art.headline == "Council approves new bus routes"
    assert art.dek == "Service reaches the northern suburbs for the first time in a decade"
    assert [p.role for p in art.parts] == ["byline", "updated"]
    assert len(art.paragraphs) == 2 and art.layout == "markdown"


def test_html_saved_as_text_reads_headings_and_paragraphs() -> None:
    art = parse_article(HTML)
    assert art.headline == "Council approves new bus routes"
    assert art.blocks[0].endswith("on Tuesday & the buses start in May.")
    assert len(art.blocks) == 2 and art.layout == "html"
    assert "var x" not in art.text and "Home | News" not in art.text


@pytest.mark.parametrize("layout", ["paragraphs", "lines"])
def test_layout_override_reads_every_line_as_the_article(layout: str) -> None:
    art = parse_article(WIRE, layout=layout)
    assert art.parts == () and art.layout == layout
    assert art.blocks[0] == "By Jane Reporter, Associated Press"


def test_every_layout_round_trips_through_the_chapter(tmp_path: Path) -> None:
    for n, text in enumerate([WIRE, AGGREGATOR, PRESS_RELEASE, BLOG, PLAIN, PER_LINE, HTML]):
        art = parse_article(text)
        markdown, _ = chapter_markdown(art, f"x{n}", f"seeds/x{n}.txt")
        path = tmp_path / "chapters" / f"x{n}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(markdown, encoding="utf-8")
        chapter = load_article(path)
        assert chapter.text == art.text, art.layout
        assert [b.kind == "dek" for b in chapter.blocks[1:2]] == [art.dek is not None]


def _book(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "_config.yml").write_text("title: T\n", encoding="utf-8")
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n- file: chapters/a\n", encoding="utf-8"
    )
    return book


def test_command_prints_what_it_recognised_and_keeps_the_seed_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _book(tmp_path)
    source = tmp_path / "wire.txt"
    source.write_bytes(WIRE.encode("utf-8"))
    assert main(["new-article", str(source), "--title", "Wire", "--book", str(book)]) == 0
    out = capsys.readouterr().out
    assert (
        out.splitlines()[0] == "recognised wire: headline, byline, dateline, 2 paragraphs, footer"
    )
    assert (book / "seeds" / "wire.txt").read_bytes() == WIRE.encode("utf-8")
    chapter = load_article(book / "chapters" / "wire.md")
    assert [b.kind for b in chapter.blocks] == ["headline", "paragraph", "paragraph"]


def test_command_layout_option_overrides(tmp_path: Path) -> None:
    book = _book(tmp_path)
    source = tmp_path / "wire.txt"
    source.write_text(WIRE, encoding="utf-8")
    args = ["new-article", str(source), "--title", "W", "--book", str(book), "--layout", "lines"]
    assert main(args) == 0
    text = load_article(book / "chapters" / "w.md").text
    assert "By Jane Reporter" in text and "Copyright 2025" in text


def test_source_article_defaults_keep_old_callers() -> None:
    art = SourceArticle("H", None, ("Body.",), "test")
    assert art.parts == () and art.recognised == "test: headline, 1 paragraph"
