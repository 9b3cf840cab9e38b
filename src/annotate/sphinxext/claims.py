"""Editor-marked claims: the ``{claim}`` role, its explanation and the claim index.

In MyST::

    Hegseth {claim}`concluded a visit on Sunday <visit-sunday:factual>` ...

    :::{claim-explanation} visit-sunday
    :status: Supported
    Why the editor marked it.
    :::

    ```{claim-index}
    ```

The marked words stay exactly as they were (a ``<mark>``); the label beside them is
drawn by CSS from a ``data-label`` attribute, so it adds nothing to the page's text
and the article still reads verbatim to a script, a copy-paste or an annotation.
A claim without an explanation, an explanation without a claim, an unknown type
or status, and an id used twice are build warnings (errors under ``-W``).
What the build remembers of each mark and note: :mod:`annotate.sphinxext.claim_records`.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.parsers.rst.states import Inliner
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxTranslator

from ..vocabulary import CLAIM_TYPES, STATUSES, claim_type, status
from .claim_records import (
    ClaimRecord,
    ExplanationRecord,
    check,
    claims_of,
    explanations_of,
    merge,
    purge,
)

__all__ = ["ClaimRecord", "claim_explanation", "claim_index", "claim_mark", "claim_role"]

logger = logging.getLogger(__name__)

_ROLE = re.compile(r"^(?P<words>.+?)\s*<(?P<id>[A-Za-z0-9][\w-]*):(?P<type>[\w-]+)>$", re.DOTALL)


class claim_mark(nodes.Inline, nodes.TextElement):
    """Marked words; ``refuri`` (to the explanation) is filled in when resolved."""


class claim_explanation(nodes.General, nodes.Element):
    """The editor's note on one claim."""


class claim_index(nodes.General, nodes.Element):
    """Placeholder replaced by the table of every marked claim."""


def claim_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Inliner,
    options: dict[str, Any] | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """``{claim}`words <id:type>```: mark ``words`` as claim ``id`` of a vocabulary type."""
    document = inliner.document
    env: BuildEnvironment = document.settings.env
    match = _ROLE.match(text)
    if match is None:
        msg = document.reporter.error(
            f"claim role needs `words <id:type>`, got {text!r}", line=lineno
        )
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    try:
        kind = claim_type(match["type"])
    except KeyError:
        known = ", ".join(CLAIM_TYPES)
        msg = document.reporter.error(
            f"claim {match['id']!r}: unknown type {match['type']!r} (use one of {known})",
            line=lineno,
        )
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    claim_id = match["id"]
    claims = claims_of(env)
    # A page being read again was purged first: any record left is a second use,
    # on this page or another (two id="mark-…" on one page break every link to it).
    if claim_id in claims:
        logger.warning(
            "claim id %r is already used in %s (line %s)",
            claim_id,
            claims[claim_id]["docname"],
            claims[claim_id]["lineno"],
            location=(env.docname, lineno),
        )
    # Nested markup (a glossary term inside a claim) is parsed like any inline text.
    children, messages = inliner.parse(
        match["words"], lineno, inliner, getattr(inliner, "parent", document)
    )
    node = claim_mark(rawtext, "", *children, claim_id=claim_id, claim_type=kind.key)
    node["ids"] = [f"mark-{claim_id}"]
    serial = sum(1 for c in claims.values() if c["docname"] == env.docname)
    claims[claim_id] = ClaimRecord(
        docname=env.docname, serial=serial, words=node.astext(), type=kind.key, lineno=lineno
    )
    return [node], messages


class ClaimExplanationDirective(SphinxDirective):
    """``{claim-explanation} id``: the editor's note on a marked claim."""

    required_arguments = 1
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {  # type: ignore[misc]  # docutils is untyped
        "status": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        claim_id = self.arguments[0]
        label = self.options.get("status", STATUSES["needs-checking"].label)
        try:
            found = status(label)
        except KeyError as err:
            raise self.error(f"claim-explanation {claim_id!r}: {err.args[0]}") from err
        node = claim_explanation(claim_id=claim_id, status=found.key)
        node["ids"] = [f"claim-{claim_id}"]
        node["names"] = [f"claim-{claim_id}"]
        node["classes"] += ["annotate-claim-note"]
        self.set_source_info(node)
        # Registers the anchor with Sphinx so pages can {ref}`... <claim-ID>` it.
        self.state.document.note_explicit_target(node, node)
        self.state.nested_parse(self.content, self.content_offset, node)
        explanations = explanations_of(self.env)
        if claim_id in explanations:
            logger.warning(
                "claim %r already has an explanation in %s",
                claim_id,
                explanations[claim_id]["docname"],
                location=node,
            )
        explanations[claim_id] = ExplanationRecord(docname=self.env.docname, status=found.key)
        return [node]


class ClaimVocabularyDirective(SphinxDirective):
    """``{claim-vocabulary}``: the claim types and statuses, with their cues."""

    def run(self) -> list[nodes.Node]:
        rows: list[tuple[nodes.Node, ...]] = [
            (_badge(t.key), nodes.Text(t.definition), nodes.Text(_cue(t.underline)))
            for t in CLAIM_TYPES.values()
        ]
        rows += [
            (
                nodes.inline("", f"{s.symbol} {s.label}", classes=["annotate-status"]),
                nodes.Text(s.definition),
                nodes.Text("Verification status"),
            )
            for s in STATUSES.values()
        ]
        return [_table(("Label", "Meaning", "Cue besides colour"), (18, 60, 22), rows)]


def _cue(underline: str) -> str:
    return "line above and below" if underline == "overline" else f"{underline} underline"


class ClaimIndexDirective(SphinxDirective):
    """``{claim-index}``: a table of every marked claim in the book."""

    def run(self) -> list[nodes.Node]:
        return [claim_index()]


def _uri(app: Sphinx, fromdoc: str, todoc: str, anchor: str) -> str:
    return f"{app.builder.get_relative_uri(fromdoc, todoc)}#{anchor}"


def _resolve(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    env = app.env
    claims, explanations = claims_of(env), explanations_of(env)
    for mark in doctree.findall(claim_mark):
        note = explanations.get(mark["claim_id"])
        if note is not None:
            mark["refuri"] = _uri(app, docname, note["docname"], f"claim-{mark['claim_id']}")
    for node in doctree.findall(claim_explanation):
        rec = claims.get(node["claim_id"])
        if rec is not None:
            node.insert(0, _note_header(app, docname, node["claim_id"], rec, node["status"]))
    for node in list(doctree.findall(claim_index)):
        node.replace_self(_index_table(app, docname, claims, explanations))


def _badge(kind: str) -> nodes.inline:
    t = CLAIM_TYPES[kind]
    return nodes.inline(
        "", f"{t.symbol} {t.label}", classes=["annotate-badge", f"annotate-type--{kind}"]
    )


def _note_header(
    app: Sphinx, docname: str, claim_id: str, rec: ClaimRecord, status_key: str
) -> nodes.paragraph:
    back = nodes.reference(
        "",
        "",
        nodes.Text(f"“{rec['words']}”"),
        refuri=_uri(app, docname, rec["docname"], f"mark-{claim_id}"),
    )
    st = STATUSES[status_key]
    return nodes.paragraph(
        "",
        "",
        _badge(rec["type"]),
        nodes.Text(" "),
        back,
        nodes.Text(" "),
        nodes.inline(
            "",
            f"{st.symbol} {st.label}",
            classes=["annotate-status", f"annotate-status--{status_key}"],
        ),
        classes=["annotate-claim-note-head"],
    )


def _table(
    headers: tuple[str, ...], widths: tuple[int, ...], rows: list[tuple[nodes.Node, ...]]
) -> nodes.table:
    table = nodes.table(classes=["annotate-table"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=w) for w in widths)
    head = nodes.thead()
    head += nodes.row("", *(nodes.entry("", nodes.paragraph("", h)) for h in headers))
    group += head
    body = nodes.tbody()
    for cells in rows:
        body += nodes.row("", *(nodes.entry("", nodes.paragraph("", "", c)) for c in cells))
    group += body
    return table


def _index_table(
    app: Sphinx,
    docname: str,
    claims: dict[str, ClaimRecord],
    explanations: dict[str, ExplanationRecord],
) -> nodes.table:
    rows: list[tuple[nodes.Node, ...]] = []
    ordered = sorted(claims.items(), key=lambda kv: (kv[1]["docname"], kv[1]["serial"]))
    for n, (claim_id, rec) in enumerate(ordered, start=1):
        words = nodes.reference(
            "", rec["words"], refuri=_uri(app, docname, rec["docname"], f"mark-{claim_id}")
        )
        note = explanations.get(claim_id)
        st = STATUSES[note["status"]] if note else STATUSES["needs-checking"]
        link: nodes.Node = (
            nodes.reference(
                "",
                f"Note on {claim_id}",
                refuri=_uri(app, docname, note["docname"], f"claim-{claim_id}"),
            )
            if note
            else nodes.Text("none yet")
        )
        rows.append(
            (
                nodes.Text(str(n)),
                words,
                _badge(rec["type"]),
                nodes.Text(f"{st.symbol} {st.label}"),
                link,
            )
        )
    table = _table(
        ("#", "Marked words", "Type", "Status", "Editor's note"), (4, 50, 16, 14, 16), rows
    )
    table["classes"].append("annotate-claim-index")
    return table


def _visit_mark_html(self: SphinxTranslator, node: claim_mark) -> None:
    t = CLAIM_TYPES[node["claim_type"]]
    self.body.append(  # type: ignore[attr-defined]
        self.starttag(  # type: ignore[attr-defined]
            node,
            "mark",
            "",
            CLASS=f"annotate-claim annotate-type--{t.key}",
            **{"data-claim-id": node["claim_id"], "data-claim-type": t.label},
        )
    )


def _depart_mark_html(self: SphinxTranslator, node: claim_mark) -> None:
    t = CLAIM_TYPES[node["claim_type"]]
    enc = self.encode  # type: ignore[attr-defined]
    # An empty link: its visible label comes from CSS (data-label) and its name
    # from aria-label, so the article's text is untouched.
    self.body.append(  # type: ignore[attr-defined]
        f'</mark><a class="annotate-claim-label annotate-type--{t.key}"'
        f' href="{enc(node.get("refuri", ""))}" data-label="{enc(t.symbol)}"'
        f' title="{enc(t.label)}: {enc(t.definition)}"'
        f' aria-label="Editor-marked {enc(t.label)}: read the note on claim'
        f' {enc(node["claim_id"])}"></a>'
    )


def _visit_note_html(self: SphinxTranslator, node: claim_explanation) -> None:
    self.body.append(self.starttag(node, "aside", ""))  # type: ignore[attr-defined]


def _depart_note_html(self: SphinxTranslator, node: claim_explanation) -> None:
    self.body.append("</aside>\n")  # type: ignore[attr-defined]


def _pass(self: SphinxTranslator, node: nodes.Node) -> None:
    """Other builders show the words and the note as plain content."""


def setup(app: Sphinx) -> None:
    """Register nodes, role, directives and the events that tie them together."""
    others: dict[str, Any] = {f: (_pass, _pass) for f in ("latex", "text", "man", "texinfo")}
    app.add_node(claim_mark, html=(_visit_mark_html, _depart_mark_html), **others)
    app.add_node(claim_explanation, html=(_visit_note_html, _depart_note_html), **others)
    app.add_node(claim_index, **others)
    app.add_role("claim", claim_role)
    app.add_directive("claim-explanation", ClaimExplanationDirective)
    app.add_directive("claim-index", ClaimIndexDirective)
    app.add_directive("claim-vocabulary", ClaimVocabularyDirective)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-check-consistency", check)
    app.connect("doctree-resolved", _resolve)
