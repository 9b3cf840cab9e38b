"""load_article: the article text every surface counts positions in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.article import ArticleError, find_chapter, load_article

from .conftest import ROOT

CHAPTER = """---
title: x
---
# A *headline* with {term}`Words <Term>`

Intro text outside the article.

::::{article}
:seed: seeds/x.txt

The dek with “quotes” and it's straight.

:::{margin}
Not part of the article.
:::

First paragraph {claim}``with {term}`nested <T>` role <a:factual>`` and `code`.
Second line of the same paragraph.

% a comment line
Second paragraph — with emoji 🇯🇵 and 東京.
::::

After the article.
"""


def write_book(tmp_path: Path, chapter: str = CHAPTER, suffix: str = ".md") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "_config.yml").write_text(
        "sphinx:\n  config:\n    annotate_book_id: demo\n", encoding="utf-8"
    )
    (tmp_path / "chapters").mkdir()
    path = tmp_path / "chapters" / f"one{suffix}"
    if suffix == ".ipynb":
        cells = [{"cell_type": "markdown", "metadata": {}, "source": chapter.splitlines(True)}]
        path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4}), "utf-8")
    else:
        path.write_text(chapter, encoding="utf-8")
    return path


def test_text_is_headline_dek_and_paragraphs(tmp_path: Path) -> None:
    art = load_article(write_book(tmp_path))
    assert art.text == (
        "A headline with Words\n\n"
        "The dek with “quotes” and it's straight.\n\n"
        "First paragraph with nested role and code. Second line of the same paragraph.\n\n"
        "Second paragraph — with emoji 🇯🇵 and 東京."
    )
    assert [b.kind for b in art.blocks] == ["headline", "dek", "paragraph", "paragraph"]
    assert [art.block_text(b) for b in art.blocks] == art.text.split("\n\n")
    assert art.source == "urn:annotate:demo:chapters/one"


def test_notebook_chapter_reads_the_same(tmp_path: Path) -> None:
    md = load_article(write_book(tmp_path / "md"))
    nb = load_article(write_book(tmp_path / "nb", suffix=".ipynb"))
    assert nb.text == md.text


def test_find_chapter_maps_source_back(tmp_path: Path) -> None:
    path = write_book(tmp_path)
    art = load_article(path)
    assert find_chapter(art.source, tmp_path) == path.resolve()
    assert find_chapter("urn:annotate:demo:chapters/missing", tmp_path) is None
    assert find_chapter("urn:annotate:demo:../../etc/passwd", tmp_path) is None


def test_seed_chapter_text_is_the_seed() -> None:
    seed = (ROOT / "seeds" / "hegseth-japan-2025-03.txt").read_text(encoding="utf-8").splitlines()
    art = load_article(ROOT / "chapters" / "article.md")
    assert art.text == "\n\n".join([seed[3], *seed[4:9]])
    assert art.title == seed[3]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("# Only a title\n\nNo article here.\n", "no '# headline'"),
        ("# T\n\n:::{article}\n:seed: x\n:::\n", "holds no paragraph"),
    ],
)
def test_chapter_without_article_is_refused(tmp_path: Path, content: str, reason: str) -> None:
    path = write_book(tmp_path, content)
    with pytest.raises(ArticleError, match=reason) as err:
        load_article(path)
    assert str(path) in str(err.value)


def test_missing_file_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match=r"nope\.md"):
        load_article(tmp_path / "nope.md")


def test_editor_claims_are_located_in_the_text(tmp_path: Path) -> None:
    art = load_article(write_book(tmp_path))
    assert [(c.id, c.type) for c in art.claims] == [("a", "factual")]
    claim = art.claims[0]
    assert art.text[claim.start : claim.end] == "with nested role"


def test_seed_chapter_claims_match_their_words() -> None:
    source = (ROOT / "chapters" / "article.md").read_text(encoding="utf-8")
    art = load_article(ROOT / "chapters" / "article.md")
    assert len(art.claims) >= 8
    for claim in art.claims:
        words = art.text[claim.start : claim.end]
        assert f"<{claim.id}:{claim.type}>" in source
        # The words sit right before the claim's target in the source (markup aside).
        head = source.split(f"<{claim.id}:{claim.type}>")[0]
        assert words.split()[-1].strip("“”,") in head[-120:]
