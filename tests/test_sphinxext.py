"""The Sphinx extension on tiny books built in tmp_path."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

CONF = """
extensions = ["myst_parser", "annotate.sphinxext"]
myst_enable_extensions = ["colon_fence"]
smartquotes = False
annotate_book_id = "tiny"
"""


def build(tmp_path: Path, pages: dict[str, str]) -> tuple[Path, str]:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    toc = "\n".join(name for name in pages if name != "index")
    pages = {"index": f"# Tiny\n\n```{{toctree}}\n{toc}\n```\n", **pages}
    for name, text in pages.items():
        (src / f"{name}.md").write_text(text, encoding="utf-8")
    warnings = io.StringIO()
    # A fresh docutils registry per build: nodes and roles don't leak between tests.
    with docutils_namespace():
        app = Sphinx(
            str(src),
            str(src),
            str(tmp_path / "out"),
            str(tmp_path / "doctrees"),
            "html",
            status=None,
            warning=warnings,
            freshenv=True,
        )
        app.build()
    return tmp_path / "out", warnings.getvalue()


ARTICLE = """# Headline here

:::{article}
The dek, with a {claim}`marked phrase <c1:opinion>`.

Body “quoted” paragraph.
:::

:::{claim-explanation} c1
:status: Disputed
Why.
:::
"""


def test_claim_renders_mark_and_css_label_without_changing_text(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, {"a": ARTICLE})
    html = (out / "a.html").read_text(encoding="utf-8")
    assert warnings == ""
    assert 'data-claim-type="Opinion"' in html
    assert '<mark class="annotate-claim annotate-type--opinion"' in html
    assert 'data-label="Op"' in html
    assert 'href="#claim-c1"' in html
    assert "The dek, with a <mark" in html and "marked phrase</mark><a " in html
    assert "Body “quoted” paragraph." in html  # smart quotes off, text kept
    assert 'data-annotate-source="urn:annotate:tiny:a"' in html
    assert "Disputed" in html


def test_unknown_claim_type_is_an_error_naming_the_types(tmp_path: Path) -> None:
    _, warnings = build(tmp_path, {"a": ARTICLE.replace("c1:opinion", "c1:rumour")})
    assert "unknown type 'rumour'" in warnings
    assert "factual, quotation" in warnings


def test_claim_without_explanation_warns(tmp_path: Path) -> None:
    page = ARTICLE.split(":::{claim-explanation}")[0]
    _, warnings = build(tmp_path, {"a": page})
    assert "claim 'c1' has no {claim-explanation}" in warnings


def test_explanation_without_claim_warns(tmp_path: Path) -> None:
    page = ARTICLE + "\n:::{claim-explanation} ghost\nNothing.\n:::\n"
    _, warnings = build(tmp_path, {"a": page})
    assert "'ghost' explains no marked claim" in warnings


def test_claim_id_used_twice_on_one_page_warns(tmp_path: Path) -> None:
    page = ARTICLE.replace("Body “quoted” paragraph.", "Body {claim}`again <c1:factual>`.")
    out, warnings = build(tmp_path, {"a": page})
    assert "claim id 'c1' is already used in a" in warnings
    html = (out / "a.html").read_text(encoding="utf-8")
    assert html.count('id="mark-c1"') == 2  # the warning is what fails a -W build


def test_claim_id_used_on_two_pages_warns(tmp_path: Path) -> None:
    other = "# Other\n\n:::{article}\nA {claim}`second <c1:factual>` use.\n:::\n"
    _, warnings = build(tmp_path, {"a": ARTICLE, "b": other})
    assert "claim id 'c1' is already used in a" in warnings


def test_bad_status_is_an_error(tmp_path: Path) -> None:
    _, warnings = build(tmp_path, {"a": ARTICLE.replace("Disputed", "Probably")})
    assert "unknown status 'Probably'" in warnings


@pytest.mark.parametrize("role", ["{claim}`no target`", "{claim}`words <only-id>`"])
def test_malformed_role_is_an_error(tmp_path: Path, role: str) -> None:
    _, warnings = build(
        tmp_path, {"a": ARTICLE.replace("{claim}`marked phrase <c1:opinion>`", role)}
    )
    assert "claim role needs `words <id:type>`" in warnings


def test_claim_index_lists_claims_across_pages(tmp_path: Path) -> None:
    second = ARTICLE.replace("c1", "c2").replace("opinion", "prediction")
    index = "# Claims\n\n```{claim-index}\n```\n"
    out, warnings = build(tmp_path, {"a": ARTICLE, "b": second, "claims": index})
    assert warnings == ""
    html = (out / "claims.html").read_text(encoding="utf-8")
    assert html.index('href="a.html#mark-c1"') < html.index('href="b.html#mark-c2"')
    assert "Op Opinion" in html and "Pr Prediction" in html


def test_nested_term_inside_claim_keeps_words(tmp_path: Path) -> None:
    glossary = "# G\n\n:::{glossary}\nThing\n  A thing, defined.\n:::\n"
    page = ARTICLE.replace(
        "{claim}`marked phrase <c1:opinion>`",
        "{claim}``marked {term}`thing <Thing>` phrase <c1:opinion>``",
    )
    out, warnings = build(tmp_path, {"a": page, "g": glossary})
    assert warnings == ""
    html = (out / "a.html").read_text(encoding="utf-8")
    assert 'title="A thing, defined."' in html
    assert "annotate-term" in html


def test_an_incremental_build_refreshes_our_static_files(tmp_path: Path) -> None:
    """Sphinx keeps a static file the output already has: ours must not go stale."""
    from annotate.frontend import BOOK_DIR

    out, _ = build(tmp_path, {"a": ARTICLE})
    stale = out / "_static" / "annotate-book.css"
    stale.write_text("/* an older version */", encoding="utf-8")
    with docutils_namespace():
        app = Sphinx(
            str(tmp_path / "src"),
            str(tmp_path / "src"),
            str(out),
            str(tmp_path / "doctrees"),
            "html",
            status=None,
            warning=io.StringIO(),
        )
        app.build()
    assert stale.read_bytes() == (BOOK_DIR / "annotate-book.css").read_bytes()
