"""Editing ``_toc.yml``: the new chapter's entry added, every other line kept as is.

>>> toc = "chapters:\\n- file: a\\n"
>>> print(add_to_toc(toc, "b", "B")[0], end="")
chapters:
- file: a
- file: b
  title: "B"
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import yaml

from .source import NewArticleError

__all__ = ["add_to_toc", "entry_files", "titles"]


def _mappings(node: yaml.Node) -> Iterator[yaml.MappingNode]:
    if isinstance(node, yaml.MappingNode):
        yield node
        for _, value in node.value:
            yield from _mappings(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _mappings(item)


def _get(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next((v for k, v in node.value if getattr(k, "value", None) == key), None)


def _last_scalar(node: yaml.Node) -> yaml.Node:
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


def _after_line(toc: str, node: yaml.Node) -> int:
    """Where the line holding the end of ``node`` ends (after its newline)."""
    newline = toc.find("\n", _last_scalar(node).end_mark.index)
    return len(toc) if newline < 0 else newline + 1


def entry_files(toc: str) -> dict[str, yaml.MappingNode]:
    """The entries of ``toc`` by docname (the ``file:`` without its suffix)."""
    try:
        root = yaml.compose(toc)
    except yaml.YAMLError as err:
        raise NewArticleError(f"_toc.yml: is not valid YAML ({err})") from err
    if not isinstance(root, yaml.MappingNode):
        raise NewArticleError("_toc.yml: is not a table of contents (no mapping)")
    found = {}
    for node in _mappings(root):
        file = _get(node, "file")
        if isinstance(file, yaml.ScalarNode):
            found[str(file.value).removesuffix(".md").removesuffix(".ipynb")] = node
    return found


def titles(toc: str) -> set[str]:
    """Every title and caption in ``toc``, case-folded."""
    found = set()
    root = yaml.compose(toc)
    for node in _mappings(root) if root is not None else ():
        for key in ("title", "caption"):
            value = _get(node, key)
            if isinstance(value, yaml.ScalarNode):
                found.add(str(value.value).strip().casefold())
    return found


def add_to_toc(
    toc: str, docname: str, title: str, is_article: frozenset[str] = frozenset()
) -> tuple[str, str]:
    """``toc`` (the text of ``_toc.yml``) with ``docname`` added, and where it went.

    The entry goes into the "Read" part after its last chapter in ``is_article``
    (else at its end), or into a new "Articles" part; every other line is kept as is.
    An existing entry for ``docname`` only gets the new title.

    >>> toc = "parts:\\n- caption: Read\\n  chapters:\\n  - file: a\\n"
    >>> print(add_to_toc(toc, "b", "B")[0], end="")
    parts:
    - caption: Read
      chapters:
      - file: a
      - file: b
        title: "B"
    """
    quoted = json.dumps(title, ensure_ascii=False)
    nl = "\r\n" if "\r\n" in toc else "\n"
    if toc and not toc.endswith("\n"):
        toc += nl
    existing = entry_files(toc).get(docname)
    root = yaml.compose(toc)
    assert isinstance(root, yaml.MappingNode)
    if existing is not None:
        value = _get(existing, "title")
        if isinstance(value, yaml.ScalarNode):
            at, end = value.start_mark.index, value.end_mark.index
            new, where = toc[:at] + quoted + toc[end:], "its existing entry"
        else:
            at = _after_line(toc, existing.value[0][1])
            col = existing.start_mark.column
            new, where = (
                toc[:at] + f"{' ' * col}title: {quoted}{nl}" + toc[at:],
                "its existing entry",
            )
    else:
        new, where = _insert_entry(toc, root, docname, quoted, is_article, nl)
    _check_toc(new, docname, title)
    return new, where


def _insert_entry(
    toc: str,
    root: yaml.MappingNode,
    docname: str,
    quoted: str,
    is_article: frozenset[str],
    nl: str,
) -> tuple[str, str]:
    parts = _get(root, "parts")
    if isinstance(parts, yaml.SequenceNode) and parts.value:
        captions = {}
        for part in parts.value:
            if isinstance(part, yaml.MappingNode):
                caption = _get(part, "caption")
                captions[getattr(caption, "value", None)] = part
        for name in ("Read", "Articles"):
            chapters = _get(captions[name], "chapters") if name in captions else None
            if isinstance(chapters, yaml.SequenceNode) and chapters.value:
                anchor = chapters.value[-1]
                for item in chapters.value:
                    file = _get(item, "file") if isinstance(item, yaml.MappingNode) else None
                    if file is not None and str(file.value).removesuffix(".md") in is_article:
                        anchor = item
                return _entry_at(toc, chapters, anchor, docname, quoted, nl), f'part "{name}"'
        dash = parts.start_mark.column
        key = parts.value[0].start_mark.column
        at = _after_line(toc, parts.value[-1])
        entry = (
            f"{' ' * dash}- caption: Articles{nl}{' ' * key}chapters:{nl}"
            f"{' ' * (key + 2)}- file: {docname}{nl}{' ' * (key + 4)}title: {quoted}{nl}"
        )
        return toc[:at] + entry + toc[at:], 'new part "Articles"'
    chapters = _get(root, "chapters")
    if isinstance(chapters, yaml.SequenceNode) and chapters.value:
        return _entry_at(toc, chapters, chapters.value[-1], docname, quoted, nl), "chapters"
    raise NewArticleError("_toc.yml: has no parts or chapters to add the article to")


def _entry_at(
    toc: str, seq: yaml.SequenceNode, anchor: yaml.Node, docname: str, quoted: str, nl: str
) -> str:
    dash = seq.start_mark.column
    key = seq.value[0].start_mark.column if isinstance(seq.value[0], yaml.MappingNode) else dash + 2
    at = _after_line(toc, anchor)
    entry = f"{' ' * dash}- file: {docname}{nl}{' ' * key}title: {quoted}{nl}"
    return toc[:at] + entry + toc[at:]


def _check_toc(new: str, docname: str, title: str) -> None:
    # A toc in a layout this editor does not foresee must fail here, not in the build.
    try:
        entry = entry_files(new).get(docname)
    except NewArticleError:
        entry = None
    shown = _get(entry, "title") if entry is not None else None
    if shown is None or getattr(shown, "value", None) != title:
        raise NewArticleError(
            f"_toc.yml: cannot add {docname} safely to this layout; add it by hand"
        )
