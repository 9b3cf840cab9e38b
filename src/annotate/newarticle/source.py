"""Reading an article's source file and recognising its layout.

News files arrive in a handful of layouts: a wire story (headline, byline,
``TOKYO (AP) —`` lede), an aggregator's copy (a one-line summary, the headline
twice, a subhead), a press release, a blog post, plain paragraphs, one paragraph
per line, Markdown or an HTML page saved as text. ``parse_article`` gives each
part its role (which lines are parts, and the layout they name:
:mod:`annotate.newarticle.parts`); the words of every part stay exactly as written.

>>> art = parse_article("Ships sail\\nBy Ana Lee\\n\\nPORTO — Three ships sailed.\\n")
>>> art.headline, art.dek, art.paragraphs, art.parts
('Ships sail', None, ('PORTO — Three ships sailed.',), (Part(role='byline', text='By Ana Lee'),))
>>> art.recognised
'wire: headline, byline, dateline, 1 paragraph'
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .parts import (
    DATELINE,
    DEK_MAX,
    RELEASE,
    Part,
    name_layout,
    summary_lines,
    take_parts,
)

__all__ = [
    "CONTROL",
    "LAYOUTS",
    "NewArticleError",
    "Part",
    "SourceArticle",
    "parse_article",
    "read_source",
]

# "auto" recognises the layout; the others force one (``annotate new-article --layout``).
LAYOUTS = (
    "auto",
    "wire",
    "aggregator",
    "press-release",
    "blog",
    "markdown",
    "html",
    "paragraphs",
    "lines",
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_ANY_SPACE = re.compile(r"\s+")
# Lines no longer than this may be hard-wrapped prose; a longer one never is.
_WRAP_WIDTH = 100
_SENTENCE_END = re.compile(r"[.!?][\"'”\u2019)]*$")
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?$")
_SETEXT = re.compile(r"(=+|-+)")
_HTML = re.compile(r"<(?:html|body|h1|p|article|div)\b[^>]*>", re.IGNORECASE)


class NewArticleError(Exception):
    """A refusal: the message names the file and the reason."""


@dataclass(frozen=True)
class SourceArticle:
    """An article as read from its file: paragraphs have their whitespace runs folded.

    ``parts`` are the file's other lines (summary, byline, captions, footer...),
    shown in the chapter's note; ``repeated_headline`` says the headline was in
    the file twice and is shown once.
    """

    headline: str
    dek: str | None
    paragraphs: tuple[str, ...]
    layout: str
    parts: tuple[Part, ...] = ()
    repeated_headline: bool = False
    dateline: bool = False

    @property
    def blocks(self) -> tuple[str, ...]:
        """The dek (if any) and paragraphs: the ``{article}`` directive's paragraphs."""
        return (self.dek, *self.paragraphs) if self.dek is not None else self.paragraphs

    @property
    def text(self) -> str:
        """The text a reader sees, as ``annotate.article.load_article`` reads it."""
        return "\n\n".join(_ANY_SPACE.sub(" ", b).strip() for b in (self.headline, *self.blocks))

    @property
    def recognised(self) -> str:
        """What was recognised, in one line: ``wire: headline, byline, dateline, 4 paragraphs``."""
        seen = ["headline"]
        if self.dek is not None:
            seen.append("dek")
        roles = [p.role for p in self.parts]
        for role in ("summary", "release", "byline", "updated"):
            if role in roles:
                seen.append(role)
        if self.dateline:
            seen.append("dateline")
        n = len(self.paragraphs)
        seen.append(f"{n} paragraph{'s' if n != 1 else ''}")
        if self.repeated_headline:
            seen.append("repeated headline")
        if (captions := roles.count("caption")) > 0:
            seen.append(f"{captions} caption{'s' if captions != 1 else ''}")
        if "footer" in roles:
            seen.append("footer")
        return f"{self.layout}: " + ", ".join(seen)


def parse_article(text: str, *, markdown: bool = False, layout: str = "auto") -> SourceArticle:
    """Headline, dek, paragraphs and the other parts of an article's text.

    The headline is a leading ``# `` heading or else the first line (after an
    aggregator's summary or a release line). Paragraphs are separated by blank
    lines; a block whose lines are long or each end a sentence holds one paragraph
    per line. ``markdown`` skips a YAML front matter block. ``layout`` (one of
    ``LAYOUTS``) forces a reading: ``paragraphs`` and ``lines`` recognise no parts.

    >>> parse_article("Title\\nA short dek.\\nA longer first paragraph here.").dek
    'A short dek.'
    """
    if layout not in LAYOUTS:
        raise NewArticleError(f"unknown layout {layout!r}; known: {', '.join(LAYOUTS)}")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    is_html = layout == "html" or (layout == "auto" and _looks_like_html(text))
    lines = _html_lines(text) if is_html else [line.rstrip() for line in text.split("\n")]
    if markdown and lines and lines[0] == "---" and "---" in lines[1:]:
        lines = lines[lines.index("---", 1) + 1 :]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise NewArticleError("holds no text")
    plain = layout in ("paragraphs", "lines")
    parts: list[Part] = []
    if not plain and RELEASE.match(lines[0].strip()):
        parts.append(Part("release", lines.pop(0).strip()))
        while lines and not lines[0].strip():
            lines.pop(0)
    summary = summary_lines(lines, layout)
    if summary:
        parts.append(Part("summary", " ".join(line.strip() for line in lines[:summary])))
        del lines[:summary]
    if not lines:
        raise NewArticleError("holds no text")
    first = lines.pop(0).strip()
    heading = _MARKDOWN_HEADING.match(first)
    headline = _ASCII_SPACE.sub(" ", heading.group(2) if heading else first).strip()
    if lines and _SETEXT.fullmatch(lines[0].strip()) and len(lines[0].strip()) >= 3:
        lines.pop(0)  # a setext underline belongs to the headline
    repeated = False
    if not plain:
        lines, repeated = _without_repeat(lines, headline)
    blocks = _blocks(lines)
    subhead = None
    if not plain:
        blocks, found = take_parts(blocks)
        parts += found
        if blocks and blocks[0] and (sub := _MARKDOWN_HEADING.match(blocks[0][0])):
            subhead = _ASCII_SPACE.sub(" ", sub.group(2)).strip()
            blocks[0] = blocks[0][1:]
            blocks = [b for b in blocks if b]
    paragraphs = _paragraphs(blocks, per_line=layout == "lines")
    if subhead is not None:
        paragraphs.insert(0, subhead)
    if not headline or not paragraphs:
        raise NewArticleError("has a headline but no paragraphs")
    dek = paragraphs[0] if subhead is not None or _is_dek(paragraphs) else None
    body = tuple(paragraphs[1:] if dek is not None else paragraphs)
    dateline = bool(body and DATELINE.match(body[0]))
    name = layout
    if layout == "auto":
        name = name_layout(is_html, bool(heading), parts, repeated, dateline, _per_line(blocks))
    return SourceArticle(headline, dek, body, name, tuple(parts), repeated, dateline)


def _looks_like_html(text: str) -> bool:
    return len(_HTML.findall(text[:20_000])) >= 2


class _TextBlocks(HTMLParser):
    """Headings and paragraphs of an HTML page, one line each, blank lines between."""

    _BLOCK = frozenset({"h1", "h2", "h3", "p", "li", "figcaption", "blockquote", "div", "br"})
    _SKIP = frozenset({"script", "style", "head", "nav", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._now: list[str] = []
        self._skipping = 0

    def _flush(self, prefix: str = "") -> None:
        words = _ASCII_SPACE.sub(" ", "".join(self._now)).strip()
        if words:
            self.lines += [prefix + words, ""]
        self._now = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in ("h1", "h2"):
            self._flush("#" * int(tag[1]) + " ")
        elif tag in self._BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._now.append(data)


def _html_lines(text: str) -> list[str]:
    parser = _TextBlocks()
    parser.feed(text)
    parser.close()
    parser._flush()
    # A heading's own '#' characters must not be read as Markdown markers.
    return [html.unescape(line) for line in parser.lines]


def _without_repeat(lines: list[str], headline: str) -> tuple[list[str], bool]:
    """``lines`` without the headline's second copy near the top, and whether it was there."""
    for i, line in enumerate(lines[:6]):
        if _ASCII_SPACE.sub(" ", line.strip().lstrip("#").strip()) == headline:
            return lines[:i] + lines[i + 1 :], True
    return lines, False


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _per_line(blocks: list[list[str]]) -> bool:
    return any(len(b) > 1 and _one_per_line(b) for b in blocks)


def _paragraphs(blocks: list[list[str]], *, per_line: bool) -> list[str]:
    paragraphs: list[str] = []
    for block in blocks:
        if per_line or (len(block) > 1 and _one_per_line(block)):
            paragraphs += [_ASCII_SPACE.sub(" ", line) for line in block]
        else:
            paragraphs.append(_ASCII_SPACE.sub(" ", " ".join(block)))
    return paragraphs


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
        and len(first) <= DEK_MAX
        and len(first) < len(paragraphs[1])
        and not DATELINE.match(first)
    )


def read_source(path: Path, layout: str = "auto") -> tuple[bytes, SourceArticle]:
    """The file's bytes and the article in them; ``NewArticleError`` names the file."""
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
    if bad := CONTROL.search(text):
        raise NewArticleError(
            f"{path}: looks like a binary file (control character U+{ord(bad.group()):04X})"
        )
    markdown = path.suffix.lower() in (".md", ".markdown")
    try:
        article = parse_article(text, markdown=markdown, layout=layout)
    except NewArticleError as err:
        raise NewArticleError(f"{path}: {err}") from None
    return data, article
