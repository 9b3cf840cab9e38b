"""Static files of the book layer: registered for HTML builders only.

The claim colours and cues are written from :mod:`annotate.vocabulary` into
``annotate-vocabulary.css`` at build time, so no stylesheet spells a claim type
out by hand. ``annotate-theme.js`` and a hook here mend the theme's accessibility
where its output is wrong (see the script; bibliography entries below).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from ..frontend import BOOK_DIR, vocabulary_css, write_if_changed

__all__ = ["STATIC_DIR"]

STATIC_DIR = BOOK_DIR
_GENERATED = "annotate-vocabulary.css"


def _register(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    app.config.html_static_path.append(str(STATIC_DIR))
    app.add_css_file(_GENERATED)
    app.add_css_file("annotate-book.css")
    app.add_js_file("annotate-glossary.js", loading_method="defer")
    app.add_js_file("annotate-theme.js", loading_method="defer")


def _mend_theme(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    # docutils marks each bibliography entry role="doc-biblioentry" inside a
    # role="list": the role is deprecated (DPUB-ARIA 1.1) and not a list item.
    body = context.get("body")
    if isinstance(body, str) and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _write_generated(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    write_if_changed(static / _GENERATED, vocabulary_css().encode())
    # Sphinx 7 copies a static file only when the build has none by that name, so
    # an edited script or style sheet would stay stale in an incremental build.
    for source in STATIC_DIR.iterdir():
        if source.is_file():
            write_if_changed(static / source.name, source.read_bytes())


def setup(app: Sphinx) -> None:
    """Hook the assets into the HTML build."""
    app.connect("builder-inited", _register)
    app.connect("html-page-context", _mend_theme)
    app.connect("build-finished", _write_generated)
