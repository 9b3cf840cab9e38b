"""The built book: verbatim article, glossary, citations, claims, offline pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from annotate.article import load_article

from .conftest import ROOT, Book

SEED = ROOT / "seeds" / "hegseth-japan-2025-03.txt"
EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def toc_docnames() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = {toc["root"]}
    for part in toc["parts"]:
        names |= {c["file"] for c in part["chapters"]}
    return names


def page_text_as_browser_reads(page: BeautifulSoup) -> str:
    """The article text as the book layer rebuilds it from the DOM."""
    article = page.select_one("div.annotate-article")
    assert article is not None
    h1 = page.select_one(f"#{article['data-annotate-headline']} > h1")
    assert h1 is not None
    for link in h1.select(".headerlink"):
        link.decompose()
    blocks = [h1.get_text()] + [p.get_text() for p in article.find_all("p", recursive=False)]
    return "\n\n".join(" ".join(b.split()) for b in blocks)


def test_every_seed_paragraph_appears_verbatim(book: Book) -> None:
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    text = " ".join(soup(book.page("chapters/article")).get_text().split())
    for line in lines:
        assert line in text, f"seed line missing from the article page: {line[:60]}…"


def test_article_text_from_page_equals_load_article(book: Book) -> None:
    seed = SEED.read_text(encoding="utf-8").splitlines()
    expected = "\n\n".join([seed[3], *seed[4:9]])
    page = page_text_as_browser_reads(soup(book.page("chapters/article")))
    assert page == expected
    assert load_article(ROOT / "chapters" / "article.md").text == expected


def test_smart_quotes_left_alone(book: Book) -> None:
    text = soup(book.page("chapters/article")).get_text()
    assert "Secretary's visit" in text  # straight apostrophe, as in the seed
    assert "“America first does not mean America alone,”" in text


def test_glossary_terms_defined_once_and_all_links_resolve(book: Book) -> None:
    glossary = soup(book.page("chapters/glossary"))
    terms = [dt.get("id") for dt in glossary.select("dl.glossary dt")]
    assert len(terms) >= 25
    assert len(terms) == len(set(terms)), "a glossary term is defined twice"
    linked: set[str] = set()
    for html in book.html.rglob("*.html"):
        for a in soup(html).select("a.reference.internal"):
            if a.select_one(".std-term") is None:
                continue
            target = a["href"].rpartition("#")[2]
            assert target in terms, f"{html.name}: term link to unknown {target}"
            assert a.get("title"), f"{html.name}: term link {target} has no definition"
            linked.add(target)
    assert set(terms) <= linked, f"terms nobody links to: {sorted(set(terms) - linked)}"


def test_every_citation_resolves_and_sources_have_dates(book: Book) -> None:
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    entries = re.split(r"\n@", "\n" + bib)[1:]
    assert len(entries) >= 10
    for entry in entries:
        key = entry.split("{", 1)[1].split(",", 1)[0]
        assert re.search(r"\b(date|year)\s*=", entry), f"{key} has no date"
        assert re.search(r"\burl\s*=", entry), f"{key} has no url"
    bibliography = soup(book.page("chapters/bibliography"))
    anchors = {tag.get("id") for tag in bibliography.select("[id]")}
    cited = 0
    for html in book.html.rglob("*.html"):
        page = soup(html)
        for a in page.select("a[href*='bibliography.html#id'], a[href^='#id']"):
            cited += 1
            assert a["href"].rpartition("#")[2] in anchors, f"{html.name}: dangling citation"
        assert "[?]" not in page.get_text()
    assert cited >= 10


def test_claim_index_lists_every_marked_claim(book: Book) -> None:
    source = (ROOT / "chapters" / "article.md").read_text(encoding="utf-8")
    marked = re.findall(
        r"<([\w-]+):(factual|quotation|attribution|framing|opinion|prediction)>``?", source
    )
    assert len(marked) >= 8
    page = soup(book.page("chapters/claims"))
    index = page.select_one("table.annotate-claim-index")
    assert index is not None
    listed = [a["href"].rpartition("#mark-")[2] for a in index.select("a[href*='#mark-']")]
    assert listed == [claim_id for claim_id, _ in marked]
    article = soup(book.page("chapters/article"))
    for claim_id, _ in marked:
        mark = article.select_one(f"mark#mark-{claim_id}")
        assert mark is not None and mark["data-claim-type"]
        label = mark.find_next_sibling("a")
        assert label is not None and label["href"].endswith(f"claims.html#claim-{claim_id}")
        assert page.select_one(f"#claim-{claim_id}") is not None, f"no note for {claim_id}"


def test_no_page_loads_anything_from_outside(book: Book) -> None:
    offenders = []
    for html in book.html.rglob("*.html"):
        page = soup(html)
        for tag, attr in (("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src")):
            for el in page.find_all(tag):
                if el.get(attr) and EXTERNAL.match(el[attr]):
                    offenders.append(f"{html.name}: <{tag} {attr}={el[attr]}>")
        for el in page.find_all("link"):
            if EXTERNAL.match(el.get("href", "")) and set(el.get("rel", [])) & {
                "stylesheet",
                "preload",
                "icon",
                "modulepreload",
                "preconnect",
                "prefetch",
            }:
                offenders.append(f"{html.name}: <link href={el['href']}>")
        for style in page.find_all("style"):
            if re.search(r"url\(\s*['\"]?(https?:)?//|@import", style.get_text()):
                offenders.append(f"{html.name}: <style> loads from outside")
    for css in book.html.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
            if EXTERNAL.match(url):
                offenders.append(f"{css.name}: url({url})")
        if re.search(r"@import\s+(url\()?['\"]?(https?:)?//", text):
            offenders.append(f"{css.name}: @import from outside")
    assert offenders == []


def test_only_toc_pages_are_built(book: Book) -> None:
    built = {
        p.relative_to(book.html).with_suffix("").as_posix()
        for p in book.html.rglob("*.html")
        if not p.relative_to(book.html).parts[0].startswith("_")
    }
    assert not any(".venv" in b or "_build" in b or "site-packages" in b for b in built)
    assert built - {"genindex", "search", "index"} == toc_docnames()


def test_build_log_has_no_warning(book: Book) -> None:
    assert "WARNING" not in book.log
    assert "ERROR" not in book.log


@pytest.mark.parametrize("docname", ["chapters/article", "chapters/claims"])
def test_vocabulary_css_is_generated_and_linked(book: Book, docname: str) -> None:
    page = soup(book.page(docname))
    hrefs = [link.get("href", "") for link in page.find_all("link")]
    assert any(h.endswith("annotate-vocabulary.css") for h in hrefs)
    assert (book.html / "_static" / "annotate-vocabulary.css").exists()
