"""Static files of the book layer: registered for HTML builders only.

The claim colours and cues are written from :mod:`annotate.vocabulary` into
``annotate-vocabulary.css`` at build time, so no stylesheet spells a claim type
out by hand.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from ..vocabulary import CLAIM_TYPES, STATUSES

__all__ = ["STATIC_DIR", "vocabulary_css", "write_if_changed"]

STATIC_DIR = Path(__file__).parent / "static"
_GENERATED = "annotate-vocabulary.css"


def vocabulary_css() -> str:
    """CSS rules for each claim type and status, from the vocabulary.

    >>> ".annotate-type--quotation" in vocabulary_css()
    True
    """
    rules = ["/* Generated from annotate.vocabulary: edit that, not this. */"]
    for t in CLAIM_TYPES.values():
        line = "underline overline" if t.underline == "overline" else "underline"
        style = "solid" if t.underline == "overline" else t.underline
        rules.append(
            f".annotate-type--{t.key} {{ --annotate-colour: {t.colour};"
            f" --annotate-line: {line}; --annotate-line-style: {style}; }}"
        )
    for s in STATUSES.values():
        rules.append(f".annotate-status--{s.key} {{ --annotate-status-symbol: '{s.symbol}'; }}")
    return "\n".join(rules) + "\n"


def _register(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    app.config.html_static_path.append(str(STATIC_DIR))
    app.add_css_file(_GENERATED)
    app.add_css_file("annotate-book.css")
    app.add_js_file("annotate-glossary.js", loading_method="defer")


def _write_generated(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    write_if_changed(Path(app.outdir) / "_static" / _GENERATED, vocabulary_css().encode())


def write_if_changed(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` only if it differs: an unchanged rebuild touches nothing."""
    if not target.exists() or target.read_bytes() != data:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def setup(app: Sphinx) -> None:
    """Hook the assets into the HTML build."""
    app.connect("builder-inited", _register)
    app.connect("build-finished", _write_generated)
