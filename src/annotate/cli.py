"""The ``annotate`` command: export, import, list orphans, re-attach, and more.

Every subcommand takes ``--store PATH`` (else ``ANNOTATE_STORE``, else
``~/.annotate/annotations.db``). A user mistake gets one line naming the file
and the reason and exit status 1; usage errors exit 2; nothing is half-done.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .anchoring import describe, locate
from .article import Article, ArticleError, Chapters, book_root, load_article
from .exchange import ExchangeError, dump_collection, read_annotations, write_csv
from .model import Annotation, AnnotationError
from .store import Store, StoreError

__all__ = ["main", "reanchor"]

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="PATH",
        help="annotation database (default: $ANNOTATE_STORE or "
        "~/.annotate/annotations.db; never on NFS)",
    )


def reanchor(
    annotations: list[Annotation], chapter: Article | None, root: Path
) -> tuple[list[Annotation], dict[str, int]]:
    """Place each annotation on its chapter's current text; count the outcomes.

    With ``chapter`` every annotation is anchored there (its source rewritten);
    otherwise each goes to the chapter its source names under ``root``. Words not
    found, or a chapter not found, make an orphan, selectors kept as they were.
    """
    counts = {"anchored": 0, "moved": 0, "orphaned": 0}
    chapters = Chapters(root)
    out = []
    for ann in annotations:
        article = chapter or chapters.article(ann.source)
        found = locate(article.text, ann.selectors()) if article else None
        if article is None or found is None:
            counts["orphaned"] += 1
            out.append(replace(ann, orphan=True, source=article.source if article else ann.source))
            continue
        same = found.how == "exact" and (found.start, found.end) == (ann.start, ann.end)
        counts["anchored" if same else "moved"] += 1
        text = article.text
        if (
            same
            and not ann.orphan
            and ann.source == article.source
            and text[max(0, ann.start - len(ann.prefix)) : ann.start] == ann.prefix
            and text[ann.end : ann.end + len(ann.suffix)] == ann.suffix
        ):
            # The words are where the note says, with their context: nothing to rewrite.
            out.append(ann)
            continue
        quote = describe(article.text, found.start, found.end)[0]
        out.append(
            replace(
                ann,
                source=article.source,
                start=found.start,
                end=found.end,
                exact=quote["exact"],
                prefix=quote["prefix"],
                suffix=quote["suffix"],
                orphan=False,
            )
        )
    return out, counts


def _import(args: argparse.Namespace) -> int:
    pending: list[Annotation] = []
    for name in args.files:
        pending += read_annotations(name)  # every file read and checked before any is saved
    chapter = load_article(args.chapter) if args.chapter else None
    root = book_root(Path.cwd()) or Path.cwd()
    placed, counts = reanchor(pending, chapter, root)
    with Store(args.store) as store:
        store.add_many(placed)
    print(
        f"imported {len(placed)} annotation(s) from {len(args.files)} file(s): "
        f"{counts['anchored']} anchored, {counts['moved']} moved, {counts['orphaned']} orphaned"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    with Store(args.store) as store:
        source = load_article(args.chapter).source if args.chapter else None
        annotations = store.list(source)
    text = write_csv(annotations) if args.format == "csv" else dump_collection(annotations)
    if args.output and args.output != "-":
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {len(annotations)} annotation(s) to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _orphans(args: argparse.Namespace) -> int:
    with Store(args.store) as store:
        source = load_article(args.chapter).source if args.chapter else None
        lost = store.orphans(source)
    for a in lost:
        print(f"{a.id}\t{a.source}\t{a.exact[:60]!r}\t{a.note[:60]!r}")
    print(f"{len(lost)} orphan(s)", file=sys.stderr)
    return 0


def _reattach(args: argparse.Namespace) -> int:
    article = load_article(args.chapter)
    if args.quote is not None:
        at = article.text.find(args.quote)
        if at == -1 or article.text.find(args.quote, at + 1) != -1:
            raise AnnotationError(f"the quote must occur exactly once in {args.chapter}")
        start, end = at, at + len(args.quote)
    else:
        start, end = args.start, args.end
        if start is None or end is None or not 0 <= start < end <= len(article.text):
            raise AnnotationError(
                f"give --quote, or --start and --end inside 0-{len(article.text)}"
            )
    with Store(args.store) as store:
        ann = store.get(args.id)
        if ann is None:
            raise AnnotationError(f"no annotation {args.id} in {store.path}")
        store.reattach(args.id, start, end, article.text)
        if ann.source != article.source:
            moved = store.get(args.id)
            assert moved is not None
            store.update(replace(moved, source=article.source))
    print(f"re-attached {args.id} to {article.text[start:end]!r}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="annotate", description="Annotate a news article in class: W3C annotations."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "export",
        help="write annotations as W3C JSON or CSV",
        description="Write the store's annotations as one W3C AnnotationCollection (or CSV).",
    )
    p.add_argument("--format", choices=("w3c", "csv"), default="w3c")
    p.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")
    p.add_argument("--chapter", metavar="PATH", help="only this chapter's annotations")
    _store_option(p)
    p.set_defaults(func=_export)

    p = sub.add_parser(
        "import",
        help="read annotation files into the store",
        description="Read W3C or Hypothesis JSON files, re-anchor them on the "
        "chapters' current text and save them. A bad file changes nothing.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--chapter", metavar="PATH", help="anchor every annotation to this chapter")
    _store_option(p)
    p.set_defaults(func=_import)

    p = sub.add_parser(
        "orphans",
        help="list annotations whose words were not found",
        description="List orphans: kept, never deleted silently.",
    )
    p.add_argument("--chapter", metavar="PATH", help="only this chapter's orphans")
    _store_option(p)
    p.set_defaults(func=_orphans)

    p = sub.add_parser(
        "reattach",
        help="put an orphan back on words you choose",
        description="Re-attach an annotation by hand to a quote or a span.",
    )
    p.add_argument("id")
    p.add_argument("--chapter", metavar="PATH", required=True)
    p.add_argument("--quote", help="words that occur once in the chapter")
    p.add_argument("--start", type=int)
    p.add_argument("--end", type=int)
    _store_option(p)
    p.set_defaults(func=_reattach)

    for register in _plugins():
        register(sub)
    return parser


def _plugins() -> list[Register]:
    """Subcommands that live in their own modules."""
    from . import classroom, newarticle, report
    from .server.cli import register as server

    return [newarticle.register, classroom.register, report.register, server]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ExchangeError, ArticleError, StoreError, AnnotationError, KeyError) as err:
        message = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"annotate: error: {message}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"annotate: error: {err.filename or ''}: {err.strerror}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
