"""Glossary hovers without a CDN: each term link carries its definition.

Sphinx writes a reference's ``reftitle`` as the link's ``title``. We set it to the
term's definition, so the hover works with no script at all; the small
``annotate-glossary.js`` turns it into a tooltip that also opens on keyboard
focus (a plain ``title`` never does).
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

__all__ = ["definitions"]

_MAX_CHARS = 600


def definitions(env: BuildEnvironment) -> dict[str, tuple[str, str]]:
    """Glossary definitions by term anchor: ``{"term-Taiwan": (docname, text)}``."""
    if not hasattr(env, "annotate_terms"):
        env.annotate_terms = {}  # type: ignore[attr-defined]
    return env.annotate_terms  # type: ignore[attr-defined, no-any-return]


def _definition_text(definition: nodes.Element) -> str:
    copy = definition.deepcopy()
    # Citations show as keys before they are resolved: a hover reads better without them.
    for xref in list(copy.findall(addnodes.pending_xref)):
        if xref.get("refdomain") == "cite" or xref.get("reftype", "").startswith("cite"):
            xref.parent.remove(xref)
    text = " ".join(copy.astext().split())
    text = text.replace(" .", ".").replace(" ,", ",").replace("()", "").strip()
    return text if len(text) <= _MAX_CHARS else text[: _MAX_CHARS - 1].rstrip() + "…"


def _collect(app: Sphinx, doctree: nodes.document) -> None:
    table = definitions(app.env)
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            definition = next(iter(item.findall(nodes.definition)), None)
            if definition is None:
                continue
            text = _definition_text(definition)
            for term in item.findall(nodes.term):
                for term_id in term["ids"]:
                    table[term_id] = (app.env.docname, text)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    table = definitions(env)
    for key in [k for k, (doc, _) in table.items() if doc == docname]:
        del table[key]


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    definitions(env).update(definitions(other))


def _titles(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    table = definitions(app.env)
    for ref in doctree.findall(nodes.reference):
        inner = ref.children[0] if ref.children else None
        if not isinstance(inner, nodes.inline) or "std-term" not in inner["classes"]:
            continue
        anchor = ref.get("refuri", "").rpartition("#")[2] or ref.get("refid", "")
        found = table.get(anchor)
        if found is not None:
            ref["reftitle"] = found[1]
            ref["classes"].append("annotate-term")


def setup(app: Sphinx) -> None:
    """Collect definitions as pages are read; title term links as pages are written."""
    app.connect("doctree-read", _collect)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-resolved", _titles)
