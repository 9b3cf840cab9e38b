"""The ``{article}`` directive: marks the words that annotations count positions in.

The HTML book layer rebuilds :attr:`annotate.Article.text` from what this
renders: the headline (the ``h1`` directly inside the element whose id the
div's ``data-annotate-headline`` names), then each paragraph that is a direct
child of ``div.annotate-article``, joined by blank lines. Margin notes and other
directives nested inside are not direct-child paragraphs, so they stay out.
"""

from __future__ import annotations

from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective, SphinxTranslator

from ..article import source_iri

__all__ = ["ArticleDirective", "article_block"]


class article_block(nodes.General, nodes.Element):
    """The article's dek and paragraphs."""


class ArticleDirective(SphinxDirective):
    """``{article}``: the article itself; its first paragraph is the dek unless ``:no-dek:``."""

    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {  # type: ignore[misc]  # docutils is untyped
        "seed": directives.unchanged,
        "no-dek": directives.flag,
    }

    def run(self) -> list[nodes.Node]:
        node = article_block(
            source=source_iri(self.config.annotate_book_id, self.env.docname),
            seed=self.options.get("seed", ""),
        )
        node["classes"] += ["annotate-article"]
        self.set_source_info(node)
        self.state.nested_parse(self.content, self.content_offset, node)
        first = next((c for c in node.children if isinstance(c, nodes.paragraph)), None)
        if first is not None and "no-dek" not in self.options:
            first["classes"].append("annotate-dek")
        return [node]


def _link_headline(app: Sphinx, doctree: nodes.document) -> None:
    # The theme prints the page title more than once (a print-only copy among
    # them): naming the article's own section lets a script find the right one.
    for node in doctree.findall(article_block):
        section = node.parent
        while section is not None and not isinstance(section, nodes.section):
            section = section.parent
        if section is not None and section["ids"]:
            node["headline"] = section["ids"][0]


def _visit_html(self: SphinxTranslator, node: article_block) -> None:
    attrs = {"data-annotate-source": node["source"]}
    if node.get("headline"):
        attrs["data-annotate-headline"] = node["headline"]
    if node["seed"]:
        attrs["data-annotate-seed"] = node["seed"]
    self.body.append(self.starttag(node, "div", "", **attrs))  # type: ignore[attr-defined]


def _depart_html(self: SphinxTranslator, node: article_block) -> None:
    self.body.append("</div>\n")  # type: ignore[attr-defined]


def _pass(self: SphinxTranslator, node: nodes.Node) -> None:
    """Other builders show the paragraphs as they are."""


def setup(app: Sphinx) -> None:
    """Register the node and the directive."""
    others: dict[str, Any] = {f: (_pass, _pass) for f in ("latex", "text", "man", "texinfo")}
    app.add_node(article_block, html=(_visit_html, _depart_html), **others)
    app.add_directive("article", ArticleDirective)
    app.connect("doctree-read", _link_headline)
