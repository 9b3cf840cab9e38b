"""The reader's highlighting layer in the built HTML book: offline, no account.

Pages that hold an ``{article}``, and pages whose docname matches one of
``annotate_highlight_pages`` (globs, e.g. ``chapters/context/*``), get the layer:
the shared highlighter (``annotator.js``), the anchoring and W3C model in the
browser (``anchoring.js``, ``model.js``, the same rules as the Python package)
and the host script ``annotate-layer.js``, which keeps highlights in
``localStorage`` and exports/imports W3C JSON. Configuration reaches the script
through ``data-*`` attributes on its tag (among them ``data-pages``, the pages
that hold highlights, so an import never files notes under a page the book does
not have). ``annotate_server_url`` presets a class server (``annotate serve``): the
layer then takes a bare join code, and a reader who joins syncs with that server
only (``class.js``); a reader who never joins fetches nothing.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from ..article import source_iri
from ..frontend import CORE_DIR, write_if_changed
from ..model import NOTE_LIMIT
from ..vocabulary import vocabulary_json
from .pages import article_block

__all__ = ["SHARED_FILES", "has_layer"]

# Front-end files the widget uses too; copied into the book's _static.
SHARED_FILES = (
    "annotator.js",
    "annotator.css",
    "anchoring.js",
    "model.js",
    "class.js",
    "class.css",
)
# The pages with the layer, per build: found once all pages are read, before any is
# written (worker processes that write pages inherit it).
_LAYER_PAGES: dict[int, str] = {}


def has_layer(app: Sphinx, docname: str, doctree: nodes.document | None) -> bool:
    """Whether readers may highlight on ``docname``."""
    if not app.config.annotate_layer or doctree is None:
        return False
    if any(True for _ in doctree.findall(article_block)):
        return True
    return any(fnmatch.fnmatchcase(docname, p) for p in app.config.annotate_highlight_pages)


def _find_layer_pages(app: Sphinx, env: BuildEnvironment) -> None:
    pages = [d for d in sorted(env.found_docs) if has_layer(app, d, env.get_doctree(d))]
    _LAYER_PAGES[id(app)] = json.dumps(pages, separators=(",", ":"))


def _page_context(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    if app.builder.format != "html" or not has_layer(app, pagename, doctree):
        return
    # Added inside html-page-context, these files go on this page only.
    app.add_css_file("annotator.css")
    app.add_css_file("class.css")
    app.add_css_file("annotate-layer.css")
    for name in ("annotator.js", "anchoring.js", "model.js", "class.js"):
        app.add_js_file(name, loading_method="defer")
    app.add_js_file(
        "annotate-layer.js",
        loading_method="defer",
        **{
            "data-annotate-layer": "",
            "data-book": app.config.annotate_book_id,
            "data-page": pagename,
            "data-source": source_iri(app.config.annotate_book_id, pagename),
            "data-pages": _LAYER_PAGES.get(id(app), "[]"),
            "data-server": app.config.annotate_server_url,
            # The model's note limit travels with the vocabulary: the browser
            # refuses a note Python would refuse.
            "data-vocabulary": json.dumps(
                {**vocabulary_json(), "noteLimit": NOTE_LIMIT}, separators=(",", ":")
            ),
        },
    )


def _copy_shared(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html" or not app.config.annotate_layer:
        return
    for name in SHARED_FILES:
        write_if_changed(Path(app.outdir) / "_static" / name, (CORE_DIR / name).read_bytes())


def setup(app: Sphinx) -> None:
    """Register the layer's configuration and hooks."""
    app.add_config_value("annotate_layer", True, "html", types=[bool])
    app.add_config_value("annotate_highlight_pages", [], "html", types=[list])
    # A class server readers may join from the panel (annotate serve), e.g.
    # http://192.168.1.20:8765 ; empty: they paste the class link their teacher gives.
    app.add_config_value("annotate_server_url", "", "html", types=[str])
    app.connect("env-updated", _find_layer_pages)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _copy_shared)
