"""Bring any article into the book: ``annotate new-article FILE --title TITLE``.

Reads a news file (``source``: its layout recognised, each part given its role),
and writes ``chapters/<slug>.md`` in the shape of the seed's article chapter:
the words escaped so MyST shows them exactly as written (``escape``), with claim
*suggestions* (``suggest``) as ``%`` comment lines an editor can accept. The
source is copied byte for byte to ``seeds/`` and the chapter is added to
``_toc.yml`` (``toc``). Nothing is written until every check has passed, and
then each file is replaced whole.

>>> art = parse_article("# Ships sail\\n\\nOfficials said 3 ships will sail.\\n")
>>> art.headline, art.dek, art.paragraphs
('Ships sail', None, ('Officials said 3 ships will sail.',))
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from .escape import claim_role, escape_markdown, escaped_chars
from .source import (
    CONTROL,
    LAYOUTS,
    NewArticleError,
    Part,
    SourceArticle,
    parse_article,
    read_source,
)
from .suggest import Suggestion, suggest_claims
from .toc import add_to_toc, entry_files, titles

__all__ = [
    "CONTROL",
    "LAYOUTS",
    "SLUG",
    "Imported",
    "NewArticleError",
    "Part",
    "SourceArticle",
    "Suggestion",
    "add_to_toc",
    "chapter_markdown",
    "escape_markdown",
    "new_article",
    "parse_article",
    "slugify",
    "suggest_claims",
]

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
_ACCEPT_HELP = """\
% Imported with `annotate new-article`. The `% suggest` lines under a paragraph are
% claims the kit proposes; readers never see them. To accept one, wrap the same words
% in the paragraph with the role shown, e.g. {claim}`according to officials <ID:attribution>`,
% add a {claim-explanation} with that ID (here or on the claims page), and delete the line.
% If the article's first paragraph is not a dek (a one-sentence summary), add `:no-dek:`
% under `:seed:`; if it is, remove `:no-dek:`.
"""
_ROLE_NAMES = {
    "summary": "a summary",
    "release": "a release line",
    "byline": "a byline",
    "updated": "a date line",
    "caption": "a photo caption or credit",
    "footer": "a footer line",
}


@dataclass(frozen=True)
class Imported:
    """What ``new_article`` wrote."""

    chapter: Path
    seed: Path
    toc_part: str
    article: SourceArticle
    suggestions: int


def _note(article: SourceArticle, seed: str) -> str:
    """The "About this article" box: where the words come from, and what was left out."""
    lines = [
        ":::{admonition} About this article\n:class: tip\n\n"
        f"The article below is reproduced word for word from the source file `{seed}`,\n"
        "imported with `annotate new-article`. Nothing in it has been changed.\n"
    ]
    others = [
        f"- {_ROLE_NAMES[p.role]}: “{escape_markdown(_ASCII_SPACE.sub(' ', p.text).strip())}”\n"
        for p in article.parts
    ]
    if article.repeated_headline:
        others.append("- the headline a second time (shown once above)\n")
    if others:
        lines.append("\nThe source file also carries, outside the article's text:\n\n")
        lines += others
    return "".join(lines) + ":::\n"


def chapter_markdown(article: SourceArticle, slug: str, seed: str) -> tuple[str, int]:
    """The chapter's MyST source and how many suggestions it holds.

    ``seed`` is the seed copy's path from the book's folder.
    """
    headline = _ASCII_SPACE.sub(" ", article.headline).strip(" ")
    out = [_ACCEPT_HELP, f"# {escape_markdown(headline, heading=True)}\n", _note(article, seed)]
    options = f":seed: {seed}\n" + ("" if article.dek is not None else ":no-dek:\n")
    body = []
    total = 0
    lines: list[str] = []
    for n, block in enumerate(article.blocks, start=1):
        # Leading spaces would make code; line breaks could start a list or heading.
        paragraph = _ASCII_SPACE.sub(" ", block).strip(" ")
        pieces = escaped_chars(paragraph)
        body.append("".join(pieces) + "\n")
        lines = []
        for s in suggest_claims(paragraph, f"{slug}-p{n}"):
            words = "".join(pieces[s.start : s.end])
            lines.append(f"% suggest {claim_role(words, s.id, s.type)} ({s.reason})\n")
        if lines:
            # Blank lines around the comments keep the paragraphs apart and whole.
            body.append("".join(lines))
            total += len(lines)
    end = "\n" if lines else ""
    out.append("::::{article}\n" + options + "\n" + "\n".join(body) + end + "::::\n")
    return "\n".join(out), total


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
    layout: str = "auto",
) -> Imported:
    """Add the article in ``source`` to the book in ``book`` as ``chapters/<slug>.md``.

    ``layout`` (one of ``LAYOUTS``) forces how the file is read. Raises
    ``NewArticleError`` (message names the file) before writing anything.
    """
    book = Path(book)
    source = Path(source)
    for name in ("_config.yml", "_toc.yml"):
        if not (book / name).is_file():
            raise NewArticleError(
                f"{book / name}: not found; run in the book's folder or pass --book"
            )
    data, article = read_source(source, layout)
    title = " ".join(title.split())
    if not title:
        raise NewArticleError(f"{source}: the title is empty")
    slug = slug or slugify(title)
    if not SLUG.match(slug):
        raise NewArticleError(f"{source}: cannot make a slug from title {title!r}; pass --slug")
    suffix = source.suffix.lower() if _SUFFIX.match(source.suffix) else ".txt"
    toc_path = book / "_toc.yml"
    try:
        toc = toc_path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise NewArticleError(f"{toc_path}: cannot be read ({err})") from err
    docname = f"chapters/{slug}"
    entries = entry_files(toc)
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
        if title.strip().casefold() in titles(toc):
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
