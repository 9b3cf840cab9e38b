r"""The article of a chapter, as a reader sees it.

A chapter holds its article in an ``{article}`` directive under the page's
``# headline``. The article's *text* is the headline, then each paragraph of the
directive (the first is the dek), joined by blank lines, with markup reduced to
the words it shows: ``{term}`Tokyo <Tokyo (city)>``` reads "Tokyo". Every
surface counts positions in this one string: the widget, the HTML book layer
(which rebuilds it from the page) and the store.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.md").write_text("# Ships\n\n::::{article}\nThe navy sent three ships.\n::::\n")
>>> art = load_article(folder / "a.md")
>>> art.text, [b.kind for b in art.blocks]
('Ships\n\nThe navy sent three ships.', ['headline', 'dek'])
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote, urlsplit, urlunsplit

if TYPE_CHECKING:  # markdown-it and PyYAML load when a chapter is read, not on import
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = [
    "Article",
    "ArticleError",
    "Block",
    "Chapters",
    "EditorClaim",
    "book_root",
    "find_chapter",
    "load_article",
    "source_iri",
]

BlockKind = Literal["headline", "dek", "paragraph"]

# ``words <target>``: the shape of roles whose shown text is not their content.
_EXPLICIT_TITLE = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
_DIRECTIVE_OPTION = re.compile(r"^:[\w-]+:.*$")
_SPACE = re.compile(r"\s+")
_CLAIM_TARGET = re.compile(r"^(?P<id>[A-Za-z0-9][\w-]*):(?P<type>[\w-]+)$")
# Private-use characters bracket editor-marked claims while the text is built,
# so their offsets survive whitespace folding; they never reach Article.text.
_OPEN, _CLOSE = "\ue000", "\ue001"
_CHAPTER_SUFFIXES = (".md", ".ipynb")


class ArticleError(ValueError):
    """A chapter that holds no readable article (message names the file)."""


@dataclass(frozen=True)
class Block:
    """A headline, dek or paragraph: ``text[start:end]`` is its text."""

    kind: BlockKind
    start: int
    end: int


@dataclass(frozen=True)
class EditorClaim:
    """A claim the editor marked with ``{claim}``: ``text[start:end]`` are its words."""

    id: str
    type: str
    start: int
    end: int


@dataclass(frozen=True)
class Article:
    """A chapter's article: the text positions count in, and its IRI."""

    path: Path
    source: str
    title: str
    text: str
    blocks: tuple[Block, ...]
    claims: tuple[EditorClaim, ...] = ()

    def block_text(self, block: Block) -> str:
        """The words of one block."""
        return self.text[block.start : block.end]


def book_root(path: str | Path) -> Path | None:
    """The nearest folder at or above ``path`` holding a ``_config.yml``."""
    here = Path(path).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file():
            return folder
    return None


@cache
def _book_id(root: Path) -> str:
    import yaml

    try:
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return "book"
    sphinx = config.get("sphinx") or {}
    value = (sphinx.get("config") or {}).get("annotate_book_id")
    return str(value) if value else "book"


def source_iri(book_id: str, docname: str) -> str:
    """The IRI that names a chapter's article, wherever the book is served.

    >>> source_iri("hegseth-japan-2025", "chapters/article")
    'urn:annotate:hegseth-japan-2025:chapters/article'
    """
    return f"urn:annotate:{book_id}:{docname}"


@cache
def _book_url(root: Path) -> str | None:
    """Where the book at ``root`` is hosted: ``annotate_book_url``, else ``html_baseurl``."""
    import yaml

    try:
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    sphinx = (config.get("sphinx") or {}).get("config") or {}
    html = config.get("html") or {}
    for value in (sphinx.get("annotate_book_url"), sphinx.get("html_baseurl"), html.get("baseurl")):
        if isinstance(value, str) and value.strip():
            return value.strip().rstrip("/") + "/"
    return None


_SKIPPED_FOLDERS = frozenset({"_build", "node_modules", "site-packages", "seeds", "tests"})


@cache
def _docnames(root: Path) -> tuple[str, ...]:
    """Every page source under ``root`` as a docname (``chapters/article``)."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIPPED_FOLDERS]
        for name in files:
            if name.endswith(_CHAPTER_SUFFIXES):
                found.append(Path(folder, name).relative_to(root).with_suffix("").as_posix())
    return tuple(sorted(found))


def _docname_of_url(url: str, root: Path) -> str | None:
    """The docname a hosted page's URL names (``…/chapters/article.html``), if one fits.

    Under the book's URL (``_book_url``) the rest of the path is the docname; else the
    path must end in exactly one of the book's docnames.
    """
    parts = urlsplit(url)
    path = unquote(parts.path).removesuffix(".html").removesuffix("/")
    base = _book_url(root)
    if base is not None:
        page = urlunsplit(parts._replace(query="", fragment=""))
        if not page.startswith(base):
            return None
        docname = unquote(page[len(base) :]).removesuffix(".html").removesuffix("/")
        return docname if docname in _docnames(root) else None
    fits = [d for d in _docnames(root) if path == f"/{d}" or path.endswith(f"/{d}")]
    return fits[0] if len(fits) == 1 else None


def find_chapter(source: str, root: str | Path) -> Path | None:
    """The chapter file under the book ``root`` that ``source`` names, if any.

    ``source`` is a chapter's IRI (``source_iri``) or the URL of its page where the
    book is hosted (a Hypothesis note names that).

    >>> find_chapter("https://example.org/x", ".") is None
    True
    """
    prefix = "urn:annotate:"
    base = Path(root).resolve()
    if source.startswith(("https://", "http://")):
        found = _docname_of_url(source, base)
        if found is None:
            return None
        docname = found
    elif source.startswith(prefix):
        _, _, docname = source[len(prefix) :].partition(":")
    else:
        return None
    for suffix in _CHAPTER_SUFFIXES:
        candidate = (base / docname).with_suffix(suffix)
        if candidate.is_file() and base in candidate.resolve().parents:
            return candidate
    return None


@cache
def _parser() -> MarkdownIt:
    # The same parser settings MyST gives Sphinx, so roles and fences split alike.
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(enable_extensions={"colon_fence"}), RendererHTML)


def _shown(children: list[Token]) -> str:
    """The words an inline token list shows a reader."""
    out: list[str] = []
    for tok in children:
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif tok.type == "myst_role":
            match = _EXPLICIT_TITLE.match(tok.content)
            inner = match.group("title") if match else tok.content
            shown = _inline_text(inner)
            claim = _CLAIM_TARGET.match(match.group("target")) if match else None
            if tok.meta.get("name") == "claim" and claim:
                shown = f"{_OPEN}{claim['id']}:{claim['type']}{_CLOSE}{shown}{_CLOSE}"
            out.append(shown)
        elif tok.children:
            out.append(_shown(tok.children))
    return "".join(out)


def _inline_text(source: str) -> str:
    tokens = _parser().parseInline(source)
    return _SPACE.sub(" ", _shown(tokens[0].children or [] if tokens else [])).strip()


def _paragraphs(markdown: str) -> list[str]:
    """Top-level paragraphs of a markdown fragment; nested directives are skipped."""
    found = []
    tokens = _parser().parse(markdown)
    for i, tok in enumerate(tokens):
        if tok.type == "inline" and tok.level == 1 and tokens[i - 1].type == "paragraph_open":
            found.append(_SPACE.sub(" ", _shown(tok.children or [])).strip())
    return [p for p in found if p]


def _markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (ValueError, KeyError, TypeError) as err:
            raise ArticleError(f"{path}: not a readable notebook ({err})") from err
        parts = []
        for cell in cells:
            if cell.get("cell_type") == "markdown":
                src = cell.get("source", "")
                parts.append("".join(src) if isinstance(src, list) else str(src))
        return "\n\n".join(parts)
    return path.read_text(encoding="utf-8")


def load_article(path: str | Path) -> Article:
    """The article of a chapter (``.md`` or ``.ipynb``) as a reader sees it.

    Raises ``ArticleError`` naming the file when it cannot be read or holds no
    ``{article}`` directive.
    """
    path = Path(path)
    try:
        markdown = _markdown_of(path)
    except (OSError, UnicodeDecodeError) as err:
        raise ArticleError(f"{path}: cannot read the chapter ({err})") from err
    tokens = _parser().parse(markdown)
    headline = next(
        (
            _SPACE.sub(" ", _shown(tokens[i + 1].children or [])).strip()
            for i, t in enumerate(tokens)
            if t.type == "heading_open" and t.tag == "h1"
        ),
        None,
    )
    fence = next(
        (t for t in tokens if t.type in ("colon_fence", "fence") and _is_article(t.info)), None
    )
    if headline is None or fence is None:
        raise ArticleError(f"{path}: no '# headline' followed by an {{article}} directive")
    body = fence.content.splitlines()
    while body and (_DIRECTIVE_OPTION.match(body[0]) or not body[0].strip()):
        body.pop(0)
    no_dek = any(line.strip() == ":no-dek:" for line in fence.content.splitlines())
    paragraphs = _paragraphs("\n".join(body))
    if not paragraphs:
        raise ArticleError(f"{path}: the {{article}} directive holds no paragraph")
    kinds: list[BlockKind] = ["headline"]
    kinds += ["dek" if i == 0 and not no_dek else "paragraph" for i in range(len(paragraphs))]
    text, claims = _take_claims("\n\n".join([headline, *paragraphs]))
    blocks, start = [], 0
    for kind, piece in zip(kinds, text.split("\n\n"), strict=True):
        blocks.append(Block(kind, start, start + len(piece)))
        start += len(piece) + 2
    root = book_root(path.parent) or path.parent.resolve()
    docname = path.resolve().relative_to(root).with_suffix("").as_posix()
    return Article(
        path=path,
        source=source_iri(_book_id(root), docname),
        title=text[: blocks[0].end],
        text=text,
        blocks=tuple(blocks),
        claims=claims,
    )


def _take_claims(marked: str) -> tuple[str, tuple[EditorClaim, ...]]:
    """Strip the claim brackets from ``marked``, noting where each claim's words are."""
    out: list[str] = []
    found: list[EditorClaim] = []
    open_claims: list[tuple[str, str, int]] = []
    length = 0
    pos = 0
    for match in re.finditer(f"{_OPEN}([^{_CLOSE}]*){_CLOSE}|{_CLOSE}", marked):
        out.append(marked[pos : match.start()])
        length += match.start() - pos
        pos = match.end()
        if match.group(1) is not None:
            claim_id, _, kind = match.group(1).partition(":")
            open_claims.append((claim_id, kind, length))
        elif open_claims:
            claim_id, kind, start = open_claims.pop()
            found.append(EditorClaim(claim_id, kind, start, length))
    out.append(marked[pos:])
    return "".join(out), tuple(sorted(found, key=lambda c: (c.start, c.end)))


def _is_article(info: str) -> bool:
    return info.strip().split(maxsplit=1)[:1] == ["{article}"]


@dataclass
class Chapters:
    """The chapters under a book ``root``, each loaded once per source IRI.

    ``article(source)`` is ``None`` when no chapter answers to ``source`` or the
    chapter holds no ``{article}`` (a context note highlighted in the book): any
    file may name any page, and one such note must not stop an import or a merge.
    """

    root: Path
    articles: dict[str, Article | None] = field(default_factory=dict)

    def prepare(self) -> None:
        """Load now what reading a chapter takes (markdown-it with MyST's settings, the
        book's configuration): a caller waiting on other processes does it meanwhile."""
        _book_id(self.root)
        _parser()

    def article(self, source: str) -> Article | None:
        """The article of the chapter ``source`` names, or ``None``."""
        if source not in self.articles:
            path = find_chapter(source, self.root)
            try:
                self.articles[source] = load_article(path) if path else None
            except ArticleError:
                self.articles[source] = None
        return self.articles[source]
