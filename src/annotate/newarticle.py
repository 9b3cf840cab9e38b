"""Bring any article into the book: ``annotate new-article FILE --title TITLE``.

Reads a plain-text or Markdown article, finds its headline, dek and paragraphs,
and writes ``chapters/<slug>.md`` in the shape of the seed's article chapter:
the words escaped so MyST shows them exactly as written, with claim
*suggestions* as ``%`` comment lines an editor can accept. The source is copied
byte for byte to ``seeds/`` and the chapter is added to ``_toc.yml``. Nothing is
written until every check has passed, and then each file is replaced whole.

>>> art = parse_article("# Ships sail\\n\\nOfficials said 3 ships will sail.\\n")
>>> art.headline, art.dek, art.paragraphs
('Ships sail', None, ('Officials said 3 ships will sail.',))
>>> [(s.words, s.type) for s in suggest_claims(art.paragraphs[0], "ships-p1")]
[('Officials said', 'attribution'), ('3 ships', 'factual'), ('will sail', 'prediction')]
>>> escape_markdown("1. *Not* a list")
'1\\\\. \\\\*Not\\\\* a list'
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = [
    "Imported",
    "NewArticleError",
    "SourceArticle",
    "Suggestion",
    "add_to_toc",
    "chapter_markdown",
    "escape_markdown",
    "main",
    "new_article",
    "parse_article",
    "register",
    "slugify",
    "suggest_claims",
]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_ANY_SPACE = re.compile(r"\s+")
# Lines no longer than this may be hard-wrapped prose; a longer one never is.
_WRAP_WIDTH = 100
_SENTENCE_END = re.compile(r"[.!?][\"'”\u2019)]*$")
_DATELINE = re.compile(r"^[A-Z][A-Z .,'()]{1,40} [\u2014\u2013-]{1,2} ")
_DEK_MAX = 200
# Markdown/MyST reads these anywhere in a line; a backslash makes each literal.
_INLINE_SPECIAL = frozenset("\\*_`[]<>|{}$~")
# ... and these only where a line starts (headings, lists, quotes, comments, fences,
# definition lists, targets, block breaks, setext underlines).
_LINE_START_SPECIAL = frozenset("#>-+=%:~(")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ORDERED_MARKER = re.compile(r"^[0-9]{1,9}(?=[.)](?:\s|$))")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
_ACCEPT_HELP = """\
% Imported with `annotate new-article`. The `% suggest` lines under a paragraph are
% claims the kit proposes; readers never see them. To accept one, wrap the same words
% in the paragraph with the role shown, e.g. {claim}`according to officials <ID:attribution>`,
% add a {claim-explanation} with that ID (here or on the claims page), and delete the line.
% If the article's first paragraph is not a dek (a one-sentence summary), add `:no-dek:`
% under `:seed:`; if it is, remove `:no-dek:`.
"""


class NewArticleError(Exception):
    """A refusal: the message names the file and the reason."""


@dataclass(frozen=True)
class SourceArticle:
    """An article as read from its file: paragraphs have their whitespace runs folded."""

    headline: str
    dek: str | None
    paragraphs: tuple[str, ...]
    layout: str

    @property
    def blocks(self) -> tuple[str, ...]:
        """The dek (if any) and paragraphs: the ``{article}`` directive's paragraphs."""
        return (self.dek, *self.paragraphs) if self.dek is not None else self.paragraphs

    @property
    def text(self) -> str:
        """The text a reader sees, as ``annotate.article.load_article`` reads it."""
        return "\n\n".join(_ANY_SPACE.sub(" ", b).strip() for b in (self.headline, *self.blocks))


@dataclass(frozen=True)
class Suggestion:
    """A proposed claim: ``paragraph[start:end]`` are its words."""

    id: str
    type: str
    start: int
    end: int
    words: str
    reason: str


@dataclass(frozen=True)
class Imported:
    """What ``new_article`` wrote."""

    chapter: Path
    seed: Path
    toc_part: str
    article: SourceArticle
    suggestions: int


# ---------------------------------------------------------------- reading


def parse_article(text: str, *, markdown: bool = False) -> SourceArticle:
    """Headline, dek and paragraphs of an article's text.

    The headline is a leading ``# `` heading or else the first line. Paragraphs are
    separated by blank lines; a block whose lines are long or each end a sentence
    holds one paragraph per line. ``markdown`` skips a YAML front matter block.

    >>> parse_article("Title\\nA short dek.\\nA longer first paragraph here.").dek
    'A short dek.'
    """
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip() for line in lines]
    if markdown and lines and lines[0] == "---" and "---" in lines[1:]:
        lines = lines[lines.index("---", 1) + 1 :]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise NewArticleError("holds no text")
    first = lines.pop(0).strip()
    heading = re.match(r"^#[ \t]+(.*?)(?:[ \t]+#+)?$", first)
    headline = _ASCII_SPACE.sub(" ", heading.group(1) if heading else first).strip()
    if lines and re.fullmatch(r"(=+|-+)", lines[0].strip()) and len(lines[0].strip()) >= 3:
        lines.pop(0)  # a setext underline belongs to the headline
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    paragraphs: list[str] = []
    per_line = False
    for block in filter(None, blocks):
        if len(block) > 1 and _one_per_line(block):
            per_line = True
            paragraphs += [_ASCII_SPACE.sub(" ", line) for line in block]
        else:
            paragraphs.append(_ASCII_SPACE.sub(" ", " ".join(block)))
    if not headline or not paragraphs:
        raise NewArticleError("has a headline but no paragraphs")
    dek = paragraphs[0] if _is_dek(paragraphs) else None
    body = tuple(paragraphs[1:] if dek is not None else paragraphs)
    layout = "one paragraph per line" if per_line else "blank-line-separated paragraphs"
    return SourceArticle(headline, dek, body, layout)


def _one_per_line(block: list[str]) -> bool:
    # Hard-wrapped prose never has long lines and rarely ends every line on a sentence.
    return any(len(line) > _WRAP_WIDTH for line in block) or all(
        _SENTENCE_END.search(line) for line in block
    )


def _is_dek(paragraphs: list[str]) -> bool:
    # A dek is a short summary over a longer story; a lede with a dateline is not one.
    first = paragraphs[0]
    return (
        len(paragraphs) >= 2
        and len(first) <= _DEK_MAX
        and len(first) < len(paragraphs[1])
        and not _DATELINE.match(first)
    )


def _read_source(path: Path) -> tuple[bytes, SourceArticle]:
    if not path.exists():
        raise NewArticleError(f"{path}: no such file")
    if path.is_dir():
        raise NewArticleError(f"{path}: is a directory, not an article file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise NewArticleError(f"{path}: cannot be read ({err.strerror})") from err
    if not data.strip():
        raise NewArticleError(f"{path}: is empty")
    if b"\x00" in data:
        raise NewArticleError(f"{path}: looks like a binary file (it holds NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise NewArticleError(
            f"{path}: is not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})"
        ) from err
    if bad := _CONTROL.search(text):
        raise NewArticleError(
            f"{path}: looks like a binary file (control character U+{ord(bad.group()):04X})"
        )
    try:
        article = parse_article(text, markdown=path.suffix.lower() in (".md", ".markdown"))
    except NewArticleError as err:
        raise NewArticleError(f"{path}: {err}") from None
    return data, article


# ---------------------------------------------------------------- escaping


def _escaped_chars(text: str, *, heading: bool = False) -> list[str]:
    """``text`` one piece per character, each escaped so MyST shows it as written."""
    out = []
    for i, char in enumerate(text):
        if (
            char in _INLINE_SPECIAL
            or (char == "#" and heading)
            or (char == "&" and _ENTITY.match(text, i))
        ):
            out.append("\\" + char)
        else:
            out.append(char)
    if out and not heading:
        if text[0] in _LINE_START_SPECIAL:
            out[0] = "\\" + text[0]
        elif marker := _ORDERED_MARKER.match(text):
            out[marker.end()] = "\\" + text[marker.end()]
    return out


def escape_markdown(text: str, *, heading: bool = False) -> str:
    """One line of text as MyST source that shows exactly ``text``.

    ``heading`` is for the text after ``# `` (a trailing ``#`` would close it).

    >>> escape_markdown("% of the *vote* <b>")
    '\\\\% of the \\\\*vote\\\\* \\\\<b\\\\>'
    """
    return "".join(_escaped_chars(text, heading=heading))


# ---------------------------------------------------------------- suggestions

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
# Widening stops before these: "will take" rather than "will take about four".
_SMALL_WORDS = frozenset(
    {"a", "about", "after", "ago", "an", "and", "are", "as", "at", "before", "but", "by"}
    | {"each", "for", "from", "in", "into", "is", "last", "more", "next", "of", "on", "or"}
    | {"over", "per", "since", "than", "that", "the", "this", "to", "under", "until", "was"}
    | {"were", "which", "while", "who", "with"}
)
_CLAUSE_END = '"“”\u2018\u2019()[]\u2014\u2013,.;:!?'
_QUOTE_END = '"”\u2019'


@dataclass(frozen=True)
class _Rule:
    """Words that suggest a claim; ``before``/``after``: words to widen it by."""

    pattern: re.Pattern[str]
    type: str
    reason: str
    before: int = 0
    after: int = 0
    small_words_end: bool = False


# Earlier rules win where two would overlap, so a "will" inside a quotation stays
# part of the speaker's words rather than becoming the reporter's prediction.
_RULES = (
    _Rule(re.compile(r"“[^“”]+”|\"[^\"]+\""), "quotation", "quotation"),
    _Rule(
        re.compile(
            r"\b(?:[Aa]nalysts|[Ee]xperts|[Cc]ritics|[Oo]bservers|[Ss]ources|[Ss]ome|[Mm]any)"
            r" (?:say|said|argue|argued|believe|believed|fear|feared|warn|warned|suggest"
            r"|suggested|note|noted|claim|claimed)\b"
        ),
        "attribution",
        "vague source",
    ),
    _Rule(
        re.compile(r"\braised (?:eyebrows|alarms|concerns) among\b"),
        "attribution",
        "vague source",
        after=3,
    ),
    _Rule(
        re.compile(r"\b(?:[Cc]ritics|[Oo]bservers|reportedly|[Ii]t is (?:said|believed))\b"),
        "attribution",
        "vague source",
    ),
    _Rule(re.compile(r"\b[Aa]ccording to\b"), "attribution", "attribution", after=4),
    _Rule(re.compile(r"\b(?:said|says)\b"), "attribution", "attribution", before=3),
    _Rule(re.compile(r"\b(?:told|tells)\b"), "attribution", "attribution", before=3, after=1),
    _Rule(
        re.compile(
            r"(?<!\bthe )(?<!\bpolitical )\bwill\b|\bwon[\u2019']t\b|\b(?:plans|planned) to\b"
            r"|\b(?:we|they|I) plan to\b|\b(?:is|are|was|were) (?:expected|set|likely) to\b"
            r"|\bintends? to\b"
        ),
        "prediction",
        "prediction",
        after=3,
        small_words_end=True,
    ),
    _Rule(
        re.compile(
            rf"\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?(?!\d)|\b\d{{1,2}} {_MONTH}"
            rf"(?: \d{{4}})?\b|\b{_MONTH} \d{{4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
            r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
        ),
        "factual",
        "date",
    ),
    _Rule(
        re.compile(
            r"(?<![\w.,#-])[$€£¥]?\d+(?:[.,]\d+)*(?![\w\]])"
            r"(?: ?%| (?:percent|per cent|million|billion|trillion|thousand|hundred)\b)?"
        ),
        "factual",
        "number",
        after=1,
        small_words_end=True,
    ),
)


def _widen(text: str, span: tuple[int, int], rule: _Rule, lo: int, hi: int) -> tuple[int, int]:
    """Widen ``span`` by whole words within ``text[lo:hi]``, up to a clause break."""
    start, end = span
    if rule.reason == "number" and re.fullmatch(r"(1[89]|20)\d\d", text[start:end]):
        return span  # a bare year takes no noun
    for _ in range(rule.before):
        word = re.search(r"(\S+) +$", text[lo:start])
        if word is None or word.group(1)[-1] in _CLAUSE_END or word.group(1)[0] in _CLAUSE_END:
            break
        start = lo + word.start(1)
    after = rule.after
    if start == span[0] and rule.before and re.search(rf"[{_QUOTE_END}] +$", text[:start]):
        after = 3  # ", said the minister": no speaker before the verb, so take the one after
    for _ in range(after):
        word = re.match(r" +(\S+)", text[end:hi])
        if word is None or word.group(1)[0] in _CLAUSE_END:
            break
        core = word.group(1).rstrip(_CLAUSE_END)
        if rule.small_words_end and (core.lower() in _SMALL_WORDS or not core.isalpha()):
            break
        end += word.start(1) + len(core)
        if core != word.group(1):
            break
    return start, end


def suggest_claims(paragraph: str, prefix: str) -> list[Suggestion]:
    """Claims worth marking in one paragraph, none overlapping, in reading order.

    Ids are ``<prefix>-<type>-<k>``, counting each type from 1.

    >>> [s.id for s in suggest_claims('“We will win,” she said.', "x-p1")]
    ['x-p1-quotation-1', 'x-p1-attribution-1']
    """
    cores: list[tuple[int, int, _Rule]] = []
    for rule in _RULES:
        for match in rule.pattern.finditer(paragraph):
            start, end = match.span()
            if rule.reason == "number" and start == 0 and paragraph[end : end + 1] in ".)":
                continue  # "1. " opening a paragraph numbers it; it claims nothing
            if all(end <= s or start >= e for s, e, _ in cores):
                cores.append((start, end, rule))
    cores.sort(key=lambda c: c[0])
    counts: dict[str, int] = {}
    found: list[Suggestion] = []
    for i, (start, end, rule) in enumerate(cores):
        lo = found[-1].end if found else 0
        hi = cores[i + 1][0] if i + 1 < len(cores) else len(paragraph)
        start, end = _widen(paragraph, (start, end), rule, lo, hi)
        counts[rule.type] = counts.get(rule.type, 0) + 1
        claim_id = f"{prefix}-{rule.type}-{counts[rule.type]}"
        found.append(Suggestion(claim_id, rule.type, start, end, paragraph[start:end], rule.reason))
    return found


# ---------------------------------------------------------------- the chapter


def _role(words: str, claim_id: str, kind: str) -> str:
    ticks = "`" * (max((len(r) for r in re.findall("`+", words)), default=0) + 1)
    return f"{{claim}}{ticks}{words} <{claim_id}:{kind}>{ticks}"


def chapter_markdown(article: SourceArticle, slug: str, seed: str) -> tuple[str, int]:
    """The chapter's MyST source and how many suggestions it holds.

    ``seed`` is the seed copy's path from the book's folder.
    """
    headline = _ASCII_SPACE.sub(" ", article.headline).strip(" ")
    out = [_ACCEPT_HELP, f"# {escape_markdown(headline, heading=True)}\n"]
    out.append(
        ":::{admonition} About this article\n:class: tip\n\n"
        f"The article below is reproduced word for word from the source file `{seed}`,\n"
        "imported with `annotate new-article`. Nothing in it has been changed.\n:::\n"
    )
    options = f":seed: {seed}\n" + ("" if article.dek is not None else ":no-dek:\n")
    body = []
    total = 0
    for n, block in enumerate(article.blocks, start=1):
        # Leading spaces would make code; line breaks could start a list or heading.
        paragraph = _ASCII_SPACE.sub(" ", block).strip(" ")
        pieces = _escaped_chars(paragraph)
        body.append("".join(pieces) + "\n")
        lines = []
        for s in suggest_claims(paragraph, f"{slug}-p{n}"):
            words = "".join(pieces[s.start : s.end])
            lines.append(f"% suggest {_role(words, s.id, s.type)} ({s.reason})\n")
        if lines:
            # Blank lines around the comments keep the paragraphs apart and whole.
            body.append("".join(lines))
            total += len(lines)
    end = "\n" if lines else ""
    out.append("::::{article}\n" + options + "\n" + "\n".join(body) + end + "::::\n")
    return "\n".join(out), total


# ---------------------------------------------------------------- the table of contents


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


def _entry_files(toc: str) -> dict[str, yaml.MappingNode]:
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


def _titles(toc: str) -> set[str]:
    titles = set()
    root = yaml.compose(toc)
    for node in _mappings(root) if root is not None else ():
        for key in ("title", "caption"):
            value = _get(node, key)
            if isinstance(value, yaml.ScalarNode):
                titles.add(str(value.value).strip().casefold())
    return titles


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
    existing = _entry_files(toc).get(docname)
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
        entry = _entry_files(new).get(docname)
    except NewArticleError:
        entry = None
    shown = _get(entry, "title") if entry is not None else None
    if shown is None or getattr(shown, "value", None) != title:
        raise NewArticleError(
            f"_toc.yml: cannot add {docname} safely to this layout; add it by hand"
        )


# ---------------------------------------------------------------- writing


def slugify(title: str) -> str:
    """A slug from a title: lowercase ASCII words joined by hyphens.

    >>> slugify("Défense: Japan & the U.S., 2025!")
    'defense-japan-the-u-s-2025'
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:60].rstrip("-")


def _commit(files: list[tuple[Path, bytes, Path | None]]) -> None:
    """Write each file to a temporary sibling, then rename them all into place.

    If any step fails, files already renamed get their old contents back (or go).
    """
    made: list[Path] = []
    temps: list[tuple[Path, Path]] = []
    previous: list[tuple[Path, bytes | None]] = []
    try:
        for target, data, mode_from in files:
            if not target.parent.is_dir():
                target.parent.mkdir(parents=True)
                made.append(target.parent)
            # A dot-name: the book's exclude patterns skip it if a build runs meanwhile.
            tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
            temps.append((tmp, target))
            with tmp.open("xb") as fh:
                fh.write(data)
            if mode_from is not None:
                shutil.copymode(mode_from, tmp)
        for tmp, target in temps:
            old = target.read_bytes() if target.is_file() else None
            os.replace(tmp, target)
            previous.append((target, old))
    except OSError as err:
        for target, old in reversed(previous):
            if old is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(old)
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        for folder in reversed(made):
            if not any(folder.iterdir()):
                folder.rmdir()
        raise NewArticleError(
            f"{err.filename or 'book'}: cannot be written ({err.strerror})"
        ) from err


def new_article(
    source: str | Path,
    title: str,
    *,
    slug: str | None = None,
    book: str | Path = ".",
    force: bool = False,
) -> Imported:
    """Add the article in ``source`` to the book in ``book`` as ``chapters/<slug>.md``.

    Raises ``NewArticleError`` (message names the file) before writing anything.
    """
    book = Path(book)
    source = Path(source)
    for name in ("_config.yml", "_toc.yml"):
        if not (book / name).is_file():
            raise NewArticleError(
                f"{book / name}: not found; run in the book's folder or pass --book"
            )
    data, article = _read_source(source)
    title = " ".join(title.split())
    if not title:
        raise NewArticleError(f"{source}: the title is empty")
    slug = slug or slugify(title)
    if not _SLUG.match(slug):
        raise NewArticleError(f"{source}: cannot make a slug from title {title!r}; pass --slug")
    suffix = source.suffix.lower() if _SUFFIX.match(source.suffix) else ".txt"
    toc_path = book / "_toc.yml"
    try:
        toc = toc_path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise NewArticleError(f"{toc_path}: cannot be read ({err})") from err
    docname = f"chapters/{slug}"
    entries = _entry_files(toc)
    chapter = book / "chapters" / f"{slug}.md"
    seed = book / "seeds" / f"{slug}{suffix}"
    root = yaml.safe_load(toc).get("root")
    if isinstance(root, str) and root.removesuffix(".md") == docname:
        raise NewArticleError(
            f"{toc_path}: {docname} is the book's root page; choose another --slug"
        )
    for other in (".ipynb", ".rst"):
        # Replacing it with a .md would give two sources one docname, even with --force.
        if (book / "chapters" / f"{slug}{other}").exists():
            raise NewArticleError(f"{book / 'chapters' / slug}{other}: already exists")
    if not force:
        for path in (chapter, seed):
            if path.exists():
                raise NewArticleError(f"{path}: already exists; pass --force to replace it")
        if docname in entries:
            raise NewArticleError(f"{toc_path}: already lists {docname}; pass --force")
        if title.strip().casefold() in _titles(toc):
            raise NewArticleError(f"{toc_path}: already has the title {title!r}; pass --force")
    articles = frozenset(name for name in entries if _holds_article(book, name))
    new_toc, where = add_to_toc(toc, docname, title, articles)
    seed_ref = seed.relative_to(book).as_posix()
    markdown, count = chapter_markdown(article, slug, seed_ref)
    _commit(
        [
            (seed, data, None),
            (chapter, markdown.encode("utf-8"), None),
            (toc_path, new_toc.encode("utf-8"), toc_path),
        ]
    )
    return Imported(chapter, seed, where, article, count)


def _holds_article(book: Path, docname: str) -> bool:
    try:
        return "{article}" in (book / f"{docname}.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


# ---------------------------------------------------------------- command line


def _title(value: str) -> str:
    if not value.strip() or _CONTROL.search(value) or "\n" in value:
        raise argparse.ArgumentTypeError("must be one line of text")
    return value.strip()


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a slug: use lowercase letters, digits and hyphens"
        )
    return value


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the article: UTF-8 plain text or Markdown")
    parser.add_argument("--title", required=True, type=_title, help="its title in the contents")
    parser.add_argument("--slug", type=_slug, help="file name of the chapter (from the title)")
    parser.add_argument("--book", type=Path, default=Path("."), help="the book's folder (.)")
    parser.add_argument("--force", action="store_true", help="replace a chapter of that name")
    parser.set_defaults(func=_handle)


def _handle(args: argparse.Namespace) -> int:
    try:
        done = new_article(args.file, args.title, slug=args.slug, book=args.book, force=args.force)
    except NewArticleError as err:
        print(f"annotate new-article: error: {err}", file=sys.stderr)
        return 1
    art = done.article
    print(
        f"wrote {done.chapter} ({art.layout}; {len(done.article.blocks)} paragraphs, "
        f"{'a dek' if art.dek is not None else 'no dek'}, {done.suggestions} claim suggestions)\n"
        f"copied {args.file} to {done.seed}\nadded it to _toc.yml ({done.toc_part})"
    )
    return 0


_DESCRIPTION = "Bring an article (plain text or Markdown) into the book as a chapter."


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``new-article`` to a CLI; ``args.func(args)`` runs it and returns the exit status."""
    parser = subparsers.add_parser(
        "new-article", help=_DESCRIPTION.lower().rstrip("."), description=_DESCRIPTION
    )
    _add_arguments(parser)


def main(argv: Sequence[str] | None = None) -> int:
    """``annotate new-article`` on its own: ``main(["a.txt", "--title", "A"])`` returns 0.

    Usage errors return 2, as argparse exits.
    """
    parser = argparse.ArgumentParser(prog="annotate new-article", description=_DESCRIPTION)
    _add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
