"""annotate's Sphinx extension: the article block, editor-marked claims, glossary hovers.

Load it from a Jupyter Book's ``_config.yml``::

    sphinx:
      extra_extensions: [annotate.sphinxext]
      config:
        annotate_book_id: my-book   # names the book in every annotation's source IRI
        annotate_book_url: https://school.example.org/my-book/  # where it is hosted (optional)

MyST it adds: ``{article}`` (the article's dek and paragraphs), the
``{claim}`words <id:type>``` role, ``{claim-explanation} id``, ``{claim-index}``,
``{claim-vocabulary}`` and ``{open-in-jupyter}``; and the readers' highlighting layer
(:mod:`annotate.sphinxext.booklayer`).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

__all__ = ["setup"]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension (Sphinx calls this)."""
    from . import assets, booklayer, claims, glossary, launch, pages, sources

    app.add_config_value("annotate_book_id", "book", "env", types=[str])
    # Where the book is hosted (else html_baseurl): `annotate merge` maps a Hypothesis
    # note's page URL under it to its chapter.
    app.add_config_value("annotate_book_url", "", "env", types=[str])
    pages.setup(app)
    claims.setup(app)
    glossary.setup(app)
    assets.setup(app)
    launch.setup(app)
    booklayer.setup(app)
    sources.setup()
    from .. import __version__

    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
