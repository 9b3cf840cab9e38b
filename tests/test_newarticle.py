"""annotate new-article: verbatim chapters, claim suggestions, toc entries, refusals."""

from __future__ import annotations

import doctest
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate import newarticle
from annotate.article import load_article
from annotate.cli import main as cli_main
from annotate.newarticle import (
    SourceArticle,
    add_to_toc,
    chapter_markdown,
    escape,
    escape_markdown,
    parse_article,
    slugify,
    source,
    suggest,
    suggest_claims,
    toc,
)
from annotate.vocabulary import CLAIM_TYPES

from .conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
HARBOR = FIXTURES / "harbor-dredging.txt"
COUNCIL = FIXTURES / "council-budget.md"
TRICKY = FIXTURES / "tricky-markup.txt"
BOOK_FILES = ("_config.yml", "_toc.yml", "chapters", "seeds", "references.bib")
SUGGESTION = re.compile(r"^% suggest \{claim\}(`+)(?P<words>.+) <(?P<id>[\w-]+):(?P<type>\w+)>\1")

HARBOR_TEXT = "\n\n".join(
    [
        "Port Authority Approves $1.2 Billion Plan to Deepen Eastport Harbor",
        "Dredging is meant to let larger container ships dock, but fishermen fear for the bay.",
        "The Eastport Port Authority voted 7 to 2 on Tuesday to approve a $1.2 billion plan to"
        " deepen the city\u2019s main shipping channel, a project its backers call “the most"
        " important investment in the waterfront in a generation.”",
        "Work is expected to begin in March 2026 and will take about four years, according to"
        " port officials. The channel would be dug from 12 metres to 16 metres, enough for the"
        " largest ships now calling at rival ports.",
        "“We either dredge or we watch the cargo go somewhere else,” said Maria Okafor, the"
        " authority\u2019s chair. She told reporters that 3,400 jobs depend on the port.",
        "Critics say the plan has been rushed. The decision raised eyebrows among local"
        " environmental groups, and some say the bay\u2019s oyster beds will not survive the silt."
        " Analysts say shipping volumes have fallen 8% since 2023.",
        "The authority plans to publish an environmental review by June 30, 2025.",
    ]
)


def make_book(tmp_path: Path) -> Path:
    """A copy of this checkout's book (only what a build reads)."""
    book = tmp_path / "book"
    book.mkdir(parents=True)
    for name in BOOK_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, book / name)
        elif src.is_file():
            shutil.copy2(src, book / name)
    return book


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def main(argv: list[str]) -> int:
    """``annotate new-article ARGV``: its exit status, usage errors (2) included."""
    try:
        return cli_main(["new-article", *argv])
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2


def run(book: Path, *args: str | Path) -> int:
    return main([*map(str, args), "--book", str(book)])


def write_chapter(book: Path, article: SourceArticle, slug: str = "x") -> Path:
    markdown, _ = chapter_markdown(article, slug, f"seeds/{slug}.txt")
    path = book / "chapters" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the two layouts


def test_blank_line_layout_reads_verbatim_with_its_dek(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    assert run(book, HARBOR, "--title", "Harbor dredging") == 0
    art = load_article(book / "chapters" / "harbor-dredging.md")
    assert art.text == HARBOR_TEXT
    assert [b.kind for b in art.blocks] == ["headline", "dek"] + ["paragraph"] * 5


def test_one_line_layout_with_markdown_headline_has_no_dek(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    assert run(book, COUNCIL, "--title", "Council budget", "--slug", "budget") == 0
    chapter = book / "chapters" / "budget.md"
    lines = COUNCIL.read_text(encoding="utf-8").splitlines()
    art = load_article(chapter)
    assert art.text == "\n\n".join([lines[0].removeprefix("# "), *lines[1:]])
    assert [b.kind for b in art.blocks] == ["headline"] + ["paragraph"] * 5
    assert ":seed: seeds/budget.md\n:no-dek:\n" in chapter.read_text(encoding="utf-8")


def test_chapter_has_the_seed_chapter_shape(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    assert run(book, HARBOR, "--title", "Harbor dredging") == 0
    source = (book / "chapters" / "harbor-dredging.md").read_text(encoding="utf-8")
    assert source.startswith("% ")
    assert "{claim-explanation}" in source.split("\n# ")[0]  # how to accept one
    assert "\n# Port Authority Approves \\$1.2 Billion Plan" in source
    assert ":::{admonition} About this article\n:class: tip\n" in source
    assert "`seeds/harbor-dredging.txt`" in source
    assert "::::{article}\n:seed: seeds/harbor-dredging.txt\n\nDredging is meant" in source
    assert source.endswith("::::\n")


def test_seed_is_copied_byte_for_byte(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    crlf = tmp_path / "Windows Article.TXT"
    crlf.write_bytes(HARBOR.read_bytes().replace(b"\n", b"\r\n"))
    assert run(book, crlf, "--title", "Harbor, from Windows") == 0
    assert (book / "seeds" / "harbor-from-windows.txt").read_bytes() == crlf.read_bytes()
    assert load_article(book / "chapters" / "harbor-from-windows.md").text == HARBOR_TEXT


# ---------------------------------------------------------------- the table of contents


def toc_chapters(book: Path) -> dict[str, list[dict[str, str]]]:
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    return {part["caption"]: part["chapters"] for part in toc["parts"]}


def test_toc_gets_an_entry_in_read_after_the_article(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    before = (book / "_toc.yml").read_text(encoding="utf-8")
    assert run(book, HARBOR, "--title", "Harbor: “dredging” #1") == 0
    after = (book / "_toc.yml").read_text(encoding="utf-8")
    read = toc_chapters(book)["Read"]
    files = [c["file"] for c in read]
    assert files.index("chapters/harbor-dredging-1") == files.index("chapters/article") + 1
    assert read[files.index("chapters/harbor-dredging-1")]["title"] == "Harbor: “dredging” #1"
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(added) == 2  # the entry; every other line (comments too) is as it was
    assert [line for line in after.splitlines() if line not in added] == before.splitlines()


def test_toc_without_read_part_gets_an_articles_part(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    toc = book / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: chapters/intro\nparts:\n  # the only part\n"
        "  - caption: Reference\n    chapters:\n      - file: chapters/claims\n"
        "# trailing comment\n",
        encoding="utf-8",
    )
    assert run(book, HARBOR, "--title", "Harbor") == 0
    assert toc_chapters(book)["Articles"] == [{"file": "chapters/harbor", "title": "Harbor"}]
    assert "  # the only part\n" in toc.read_text(encoding="utf-8")
    assert run(book, COUNCIL, "--title", "Budget") == 0
    assert [c["file"] for c in toc_chapters(book)["Articles"]] == [
        "chapters/harbor",
        "chapters/budget",
    ]


def test_add_to_toc_only_retitles_an_existing_entry() -> None:
    toc = "parts:\n- caption: Read\n  chapters:\n  - file: chapters/a\n    title: Old\n"
    new, where = add_to_toc(toc, "chapters/a", "New")
    assert new == toc.replace("Old", '"New"')
    assert where == "its existing entry"


def test_force_replaces_a_chapter_and_keeps_one_toc_entry(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    assert run(book, HARBOR, "--title", "Harbor", "--slug", "port") == 0
    assert run(book, COUNCIL, "--title", "Budget", "--slug", "port", "--force") == 0
    files = [c["file"] for c in toc_chapters(book)["Read"]]
    assert files.count("chapters/port") == 1
    assert load_article(book / "chapters" / "port.md").title.startswith("City Council")


# ---------------------------------------------------------------- claim suggestions


@pytest.mark.parametrize(
    ("sentence", "words", "kind"),
    [
        (
            "He called it a “war-fighting headquarters” on Sunday.",
            "“war-fighting headquarters”",
            "quotation",
        ),
        ('The mayor called it "lean" again.', '"lean"', "quotation"),
        ("The minister said the talks went well.", "The minister said", "attribution"),
        ("“We are ready,” says Ana Lima, the chair.", "says Ana Lima", "attribution"),
        ("Rates rose, according to officials.", "according to officials", "attribution"),
        ("She told reporters nothing new.", "She told reporters", "attribution"),
        ("Analysts say the deal is weak.", "Analysts say", "attribution"),
        (
            "It raised eyebrows among defense analysts and allies.",
            "raised eyebrows among defense analysts and allies",
            "attribution",
        ),
        ("The move angered critics.", "critics", "attribution"),
        ("Observers were not surprised.", "Observers", "attribution"),
        ("Some say it was late.", "Some say", "attribution"),
        ("The bridge will close for repairs.", "The bridge will close", "prediction"),
        ("The city plans to sell the site.", "The city plans to sell", "prediction"),
        ("Prices are expected to rise.", "Prices are expected to rise", "prediction"),
        ("Sales fell 8% last year.", "8%", "factual"),
        ("It costs $1.2 billion in all.", "$1.2 billion", "factual"),
        ("About 3,400 workers struck.", "3,400 workers", "factual"),
        ("The vote is on March 30, 2025.", "March 30, 2025", "factual"),
        ("They met on Sunday in Tokyo.", "Sunday", "factual"),
        ("“Go,” said Austin during a visit.", "said Austin", "attribution"),
        ("Officials said the deal is done.", "Officials said", "attribution"),
        (
            "The front the U.S. and Japan will present against China.",
            "The front the U.S. and Japan will present",
            "prediction",
        ),
    ],
)
def test_suggests_each_kind_of_claim(sentence: str, words: str, kind: str) -> None:
    found = [(s.words, s.type) for s in suggest_claims(sentence, "p1")]
    assert (words, kind) in found


def test_a_said_with_no_speaker_is_no_suggestion() -> None:
    found = [s.words for s in suggest_claims("The first paragraph says little.", "p1")]
    assert found == []


def test_suggestions_never_overlap_and_quotes_keep_their_words() -> None:
    text = "“We will win, analysts say, by 2030,” she said, and critics said 40% will leave."
    found = suggest_claims(text, "s-p1")
    assert found[0].words == "“We will win, analysts say, by 2030,”"
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert all(text[s.start : s.end] == s.words for s in found)
    assert len({s.id for s in found}) == len(found)
    assert {s.type for s in found} <= set(CLAIM_TYPES)


def test_suggestion_comments_follow_their_paragraph_between_blank_lines(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    assert run(book, HARBOR, "--title", "Harbor") == 0
    lines = (book / "chapters" / "harbor.md").read_text(encoding="utf-8").splitlines()
    body = lines[lines.index("::::{article}") + 1 : lines.index("::::")]
    ids = []
    for i, line in enumerate(body):
        if not line.startswith("% suggest"):
            continue
        match = SUGGESTION.match(line)
        assert match, line
        ids.append(match["id"])
        assert re.fullmatch(r"harbor-p\d+-\w+-\d+", match["id"])
        assert match["type"] in CLAIM_TYPES
        group_start = i
        while body[group_start - 1].startswith("% suggest"):
            group_start -= 1
        assert body[group_start - 1] == ""
        assert match["words"] in body[group_start - 2]  # the paragraph it belongs to
        after = next(line for line in body[i + 1 :] if not line.startswith("% suggest"))
        assert after == ""
    assert len(ids) >= 15
    assert len(ids) == len(set(ids))


def test_an_accepted_suggestion_marks_its_words_and_leaves_the_text(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    assert run(book, COUNCIL, "--title", "Budget") == 0
    path = book / "chapters" / "budget.md"
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    accepted = []
    for i, block in enumerate(blocks[:-1]):
        suggestions = [SUGGESTION.match(line) for line in blocks[i + 1].splitlines()]
        if block.startswith("%") or not all(suggestions):
            continue
        # Accept every suggestion: wrap its words, in reading order, with its role.
        done, rest = "", block
        for match in filter(None, suggestions):
            before, words, rest = rest.partition(match["words"])
            assert words, f"{match['words']!r} is not in its paragraph"
            done += before + match.group().removeprefix("% suggest ")
            accepted.append(match)
        blocks[i] = done + rest
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    art = load_article(path)
    assert art.text == load_article_text_of(COUNCIL)
    assert len(art.claims) == len(accepted) >= 10
    shown = {c.id: art.text[c.start : c.end] for c in art.claims}
    for match in accepted:
        assert shown[match["id"]] == match["words"].replace("\\", "")


def load_article_text_of(path: Path) -> str:
    return parse_article(path.read_text(encoding="utf-8"), markdown=path.suffix == ".md").text


# ---------------------------------------------------------------- escaping


TRICKY_PARAGRAPHS = [
    "Stars *like this* and **bold**, snake_case_names and __dunder__ stay.",
    "Angle brackets <b>not bold</b> and <https://example.org> and <!-- not a comment -->.",
    "1. Not a numbered list.",
    "2) Nor this.",
    "- Not a bullet.",
    "+ Not a bullet either.",
    "* Nor an asterisk bullet.",
    "% Not a comment, 50 % stays.",
    "# Not a heading",
    "> Not a quote.",
    ":no-dek:",
    ":seed: seeds/other.txt",
    "::: not a fence",
    "```python",
    "~~~",
    "---",
    "***",
    "=====",
    "(label)=",
    "+++ not a block break",
    ": not a definition",
    "| a | b |",
    "{{ substitution }} and {term}`role` and {claim}`x <y:factual>`",
    "$x$ and $$ y $$ and \\(z\\)",
    "Links [text](http://x.org), ![img](y.png), footnote[^1] and [ref].",
    "Entities &amp; &#169; &#x41; &copy; but AT&T stays.",
    "A trailing backslash \\",
    "Backslash \\* before a star and \\\\ two.",
    "Emoji 🎉🇯🇵 and CJK 東京・中文、日本語。",
    'Typographic “quotes” and straight "quotes" and it\'s and \u2019tis — dashes \u2013 too...',
    "~~not struck~~ and ==not marked== and ^sup^ and H~2~O",
    "    indented four spaces",
    "\tindented with a tab",
]


@pytest.mark.parametrize("paragraph", TRICKY_PARAGRAPHS)
def test_tricky_paragraph_round_trips(tmp_path: Path, paragraph: str) -> None:
    folded = " ".join(paragraph.split())
    article = SourceArticle("Headline", "Dek", (paragraph, "After."), "test")
    art = load_article(write_chapter(tmp_path, article))
    assert art.text == f"Headline\n\nDek\n\n{folded}\n\nAfter."
    assert [b.kind for b in art.blocks] == ["headline", "dek", "paragraph", "paragraph"]


@pytest.mark.parametrize("paragraph", TRICKY_PARAGRAPHS[:12])
def test_tricky_text_round_trips_as_dek_and_headline(tmp_path: Path, paragraph: str) -> None:
    folded = " ".join(paragraph.split())
    article = SourceArticle(folded + " C#", folded, ("Body.",), "test")
    art = load_article(write_chapter(tmp_path, article))
    assert art.text == f"{folded} C#\n\n{folded}\n\nBody."


_ALPHABET = st.sampled_from(
    [*"\\*_`[]<>|{}$#%:-+=~()!&;.,\"'“”1 a", "é", "🎉", "東", "\u00a0", "\n", "\t"]
)


@settings(max_examples=150, deadline=None, database=None)
@given(st.text(_ALPHABET, min_size=1, max_size=30))
def test_any_text_round_trips(raw: str) -> None:
    if not raw.strip():
        return
    article = SourceArticle("H", None, (raw,), "test")
    with tempfile.TemporaryDirectory() as folder:
        art = load_article(write_chapter(Path(folder), article))
    assert art.text == article.text


def test_escape_markdown_leaves_plain_words_alone() -> None:
    plain = "Hegseth\u2019s visit, on Sunday (March 30), cost 3.5% more: “fine.”"
    assert escape_markdown(plain) == plain


# ---------------------------------------------------------------- reading articles


def test_hard_wrapped_paragraphs_are_joined_and_crlf_and_bom_read() -> None:
    text = "\ufeffHeadline\r\n\r\nA dek.\r\n\r\nFirst line of a paragraph\r\nwrapped here.\r\n"
    art = parse_article(text)
    assert (art.headline, art.dek, art.paragraphs) == (
        "Headline",
        "A dek.",
        ("First line of a paragraph wrapped here.",),
    )
    assert art.layout == "paragraphs"


def test_short_dek_over_longer_paragraphs_is_the_dek() -> None:
    art = parse_article("Headline\nShort dek.\nA much longer first paragraph follows it.\nEnd.")
    assert art.dek == "Short dek."
    assert art.layout == "lines"


def test_dateline_lede_is_not_a_dek() -> None:
    art = parse_article("Headline\n\nTOKYO — Talks ended.\n\nA longer second paragraph here.")
    assert art.dek is None


def test_markdown_front_matter_and_setext_headline() -> None:
    art = parse_article("---\nauthor: x\n---\nThe headline\n============\n\nBody.", markdown=True)
    assert (art.headline, art.paragraphs) == ("The headline", ("Body.",))


def test_slugify() -> None:
    assert slugify("Café: Ünïcode & “Quotes”!") == "cafe-unicode-quotes"
    assert slugify("東京") == ""


# ---------------------------------------------------------------- refusals


def refused(book: Path, capsys: pytest.CaptureFixture[str], *args: str | Path) -> str:
    before = snapshot(book)
    assert run(book, *args) == 1
    assert snapshot(book) == before, "a refusal wrote something"
    err = capsys.readouterr().err
    assert err.startswith("annotate new-article: error: ")
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty"),
        (b"  \n\n \t\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Caf\u00e9 au lait\n\nBody.".encode("latin-1"), "not UTF-8"),
        (b"Headline\x1b[31m\n\nBody.", "binary"),
        (b"# Only a headline\n", "no paragraphs"),
    ],
)
def test_unreadable_article_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    book = make_book(tmp_path)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    err = refused(book, capsys, bad, "--title", "Bad")
    assert str(bad) in err
    assert reason in err


def test_missing_path_and_directory_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = make_book(tmp_path)
    err = refused(book, capsys, tmp_path / "nope.txt", "--title", "Nope")
    assert "nope.txt: no such file" in err
    err = refused(book, capsys, tmp_path, "--title", "Folder")
    assert f"{tmp_path}: is a directory" in err


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("--title", "Another", "--slug", "article"), "chapters/article.md: already exists"),
        (("--title", "the ARTICLE"), "_toc.yml: already has the title"),
        (("--title", "Claims", "--slug", "claims"), "chapters/claims.md: already exists"),
    ],
)
def test_taken_slug_or_title_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], named: str
) -> None:
    book = make_book(tmp_path)
    err = refused(book, capsys, HARBOR, *args)
    assert named in err
    assert "--force" in err


def test_taken_toc_entry_and_seed_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = make_book(tmp_path)
    (book / "seeds" / "harbor.txt").write_text("x", encoding="utf-8")
    assert "seeds/harbor.txt: already exists" in refused(book, capsys, HARBOR, "--title", "Harbor")
    toc = book / "_toc.yml"
    toc.write_text(toc.read_text(encoding="utf-8") + "      - file: chapters/ghost\n", "utf-8")
    err = refused(book, capsys, HARBOR, "--title", "Ghost", "--slug", "ghost")
    assert "_toc.yml: already lists chapters/ghost" in err
    (book / "chapters" / "nb.ipynb").write_text("{}", encoding="utf-8")
    err = refused(book, capsys, HARBOR, "--title", "Nb", "--slug", "nb", "--force")
    assert "chapters/nb.ipynb: already exists" in err


def test_root_page_cannot_be_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = make_book(tmp_path)
    err = refused(book, capsys, HARBOR, "--title", "Intro", "--slug", "intro", "--force")
    assert "_toc.yml: chapters/intro is the book's root page" in err


def test_title_without_ascii_needs_a_slug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = make_book(tmp_path)
    assert "pass --slug" in refused(book, capsys, HARBOR, "--title", "東京")
    assert run(book, HARBOR, "--title", "東京", "--slug", "tokyo") == 0


def test_folder_without_a_book_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "_config.yml: not found" in refused(empty, capsys, HARBOR, "--title", "Harbor")


def test_failed_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book = make_book(tmp_path)
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name == "_toc.yml":
            raise PermissionError(13, "Permission denied", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(newarticle.os, "replace", replace)
    err = refused(book, capsys, HARBOR, "--title", "Harbor")
    assert "_toc.yml: cannot be written" in err


@pytest.mark.parametrize(
    "args",
    [
        ("article.txt",),
        ("article.txt", "--title", "  "),
        ("article.txt", "--title", "T", "--slug", "Not A Slug"),
        ("article.txt", "--title", "T", "--bogus"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    assert main(list(args)) == 2
    assert "usage: annotate" in capsys.readouterr().err


def test_help_names_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--title", "--slug", "--book", "--force"):
        assert option in out


@pytest.mark.parametrize("module", [newarticle, source, escape, suggest, toc])
def test_doctests_pass(module: object) -> None:
    assert doctest.testmod(module).failed == 0


# ---------------------------------------------------------------- the real build


def build(book: Path, out: Path) -> tuple[int, list[str]]:
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run(
        [str(jb), "build", str(book), "--path-output", str(out), "-W", "--keep-going"],
        capture_output=True,
        text=True,
        cwd=book,
    )
    log = proc.stdout + proc.stderr
    warnings = [
        re.sub(r"\x1b\[[0-9;]*m", "", line).replace(str(book), "BOOK")
        for line in log.splitlines()
        if "WARNING" in line or "ERROR" in line
    ]
    return proc.returncode, sorted(warnings)


def page_text(html: Path) -> tuple[str, str]:
    """The article text as the book layer reads it from the page, and its seed."""
    page = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    article = page.select_one("div.annotate-article")
    assert article is not None
    h1 = page.select_one(f"#{article['data-annotate-headline']} > h1")
    assert h1 is not None
    for link in h1.select(".headerlink"):
        link.decompose()
    blocks = [h1.get_text()] + [p.get_text() for p in article.find_all("p", recursive=False)]
    return "\n\n".join(" ".join(b.split()) for b in blocks), str(article["data-annotate-seed"])


@pytest.mark.slow
def test_book_with_new_chapters_builds_and_reads_verbatim(tmp_path: Path) -> None:
    book = make_book(tmp_path)
    imports = {"harbor": HARBOR, "budget": COUNCIL, "tricky": TRICKY}
    for slug, path in imports.items():
        assert run(book, path, "--title", f"New: {slug}", "--slug", slug) == 0
    code, warnings = build(book, tmp_path / "out")
    html = tmp_path / "out" / "_build" / "html" / "chapters"
    for slug, path in imports.items():
        text, seed = page_text(html / f"{slug}.html")
        assert text == load_article_text_of(path)
        assert text == load_article(book / "chapters" / f"{slug}.md").text
        assert (book / seed).read_bytes() == path.read_bytes()
    # The whole book, with the new chapters, builds under -W.
    assert (code, warnings) == (0, [])
