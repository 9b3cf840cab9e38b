r"""annotate: read a news article closely and annotate it in class.

>>> import annotate
>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.md").write_text("# Ships\n\n::::{article}\nThe navy sent three ships.\n::::\n")
>>> article = annotate.load_article(folder / "a.md")
>>> spans = annotate.describe(article.text, 7, 15)
>>> spans[0]["exact"], annotate.anchor("Breaking. " + article.text, spans)
('The navy', (17, 25))
"""

from .anchoring import anchor, describe, locate
from .article import Article, ArticleError, load_article
from .exchange import ExchangeError, collection, read_annotations
from .model import Annotation, AnnotationError, reader_name
from .store import Store, StoreError, default_store_path
from .vocabulary import CLAIM_TYPES, STATUSES, ClaimType, Status, claim_type, status

__version__ = "0.1.0"

__all__ = [
    "CLAIM_TYPES",
    "STATUSES",
    "Annotation",
    "AnnotationError",
    "Article",
    "ArticleError",
    "ClaimHighlighter",
    "ClaimType",
    "ClassView",
    "ExchangeError",
    "ReaderNotes",
    "Status",
    "Store",
    "StoreError",
    "anchor",
    "claim_type",
    "collection",
    "default_store_path",
    "describe",
    "load_article",
    "locate",
    "read_annotations",
    "reader_name",
    "status",
]


def __getattr__(name: str) -> object:
    # The widgets import anywidget/ipywidgets: load them only when asked for, so
    # the command line and the Sphinx extension start fast.
    if name == "ClaimHighlighter":
        from .jupyter.highlighter import ClaimHighlighter

        return ClaimHighlighter
    if name == "ClassView":
        from .jupyter.classview import ClassView

        return ClassView
    if name == "ReaderNotes":
        from .jupyter.notes import ReaderNotes

        return ReaderNotes
    raise AttributeError(f"module 'annotate' has no attribute {name!r}")
