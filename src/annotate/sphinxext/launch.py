"""``{open-in-jupyter}``: how to open a notebook chapter where its widgets run.

Widgets need a live kernel, so the static book shows a picture of them and this
note. ``annotate_jupyter_url`` (set in ``_config.yml``) is a link template such
as ``http://localhost:8888/lab/tree/{path}``; ``{path}`` becomes the chapter's
path in the book. Empty (the default): the note gives the command to run instead.

Two page-script failures of the theme are kept off every page here too. Jupyter
Book always loads sphinx-thebe, whose inline ``const THEBE_JS_URL`` Sphinx 7
writes twice (a body-only script added after the builder starts is re-added
under another name), so every page threw; with ``launch_buttons.thebe`` off its
scripts are dropped. And sphinx-book-theme's margin-note observer assumes a
right-hand sidebar that pydata-sphinx-theme leaves out of pages without
sections: those pages get an empty, never-shown stand-in for it.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

__all__ = ["OpenInJupyterDirective"]


class OpenInJupyterDirective(SphinxDirective):
    """The note and (when configured) the link that opens this page in Jupyter."""

    def run(self) -> list[nodes.Node]:
        path = self.env.doc2path(self.env.docname, base=False)
        rel = str(path).replace("\\", "/")
        note = nodes.admonition(classes=["tip", "annotate-launch"])
        note += nodes.title("", "Open this page in Jupyter")
        template = self.config.annotate_jupyter_url
        if template:
            url = template.replace("{path}", rel)
            para = nodes.paragraph("", "The widgets below need a running kernel: ")
            para += nodes.reference("", f"open {rel} in Jupyter", refuri=url)
            para += nodes.Text(".")
        else:
            para = nodes.paragraph(
                "",
                "The widgets below need a running kernel. In the book's folder run ",
            )
            para += nodes.literal("", f".venv/bin/jupyter lab {rel}")
            para += nodes.Text(" and run the cells; the pictures show what you will see.")
        note += para
        return [note]


def _is_thebe(filename: str | None, body: str) -> bool:
    return (filename or "").endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body


def _drop_thebe(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    options = app.config.html_theme_options or {}
    if (options.get("launch_buttons") or {}).get("thebe"):
        return
    app.registry.js_files[:] = [
        (name, attrs)
        for name, attrs in app.registry.js_files
        if not _is_thebe(name, str(attrs.get("body", "")))
    ]
    # sphinx-thebe added them to the running builder too (a list Sphinx keeps private).
    scripts: list[Any] | None = getattr(app.builder, "_js_files", None)
    if scripts is not None:
        scripts[:] = [
            s
            for s in scripts
            if not _is_thebe(getattr(s, "filename", ""), str(s.attributes.get("body", "")))
        ]


SIDEBAR_STAND_IN = (
    '<div class="bd-sidebar-secondary" style="display:none" aria-hidden="true"></div>'
)


def _sidebar_stand_in(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    if app.builder.format != "html" or "body" not in context:
        return
    if not context.get("secondary_sidebar_items"):
        context["body"] += SIDEBAR_STAND_IN


def setup(app: Sphinx) -> None:
    """Register the config value, the directive and the page-script repairs."""
    app.add_config_value("annotate_jupyter_url", "", "env", types=[str])
    app.add_directive("open-in-jupyter", OpenInJupyterDirective)
    # After sphinx-thebe (500) has added its scripts.
    app.connect("env-before-read-docs", _drop_thebe, priority=900)
    # After pydata-sphinx-theme (500) has chosen the sidebar's items.
    app.connect("html-page-context", _sidebar_stand_in, priority=900)
