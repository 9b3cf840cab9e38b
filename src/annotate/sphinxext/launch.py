"""``{open-in-jupyter}``: how to open a notebook chapter where its widgets run.

Widgets need a live kernel, so the static book shows a picture of them and this
note. ``annotate_jupyter_url`` (set in ``_config.yml``) is a link template such
as ``http://localhost:8888/lab/tree/{path}``; ``{path}`` becomes the chapter's
path in the book. Empty (the default): the note gives the command to run instead.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
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


def setup(app: Sphinx) -> None:
    """Register the config value and the directive."""
    app.add_config_value("annotate_jupyter_url", "", "env", types=[str])
    app.add_directive("open-in-jupyter", OpenInJupyterDirective)
