"""The ``annotate`` command: export, import, list orphans, re-attach, and more.

Every subcommand takes ``--store PATH`` (else ``ANNOTATE_STORE``, else
``~/.annotate/annotations.db``). A user mistake gets one line naming the file
and the reason and exit status 1; usage errors exit 2; nothing is half-done.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from .article import ArticleError, Chapters, book_root, load_article
from .beside import worker
from .classroom import (
    book_folder,
    build_report,
    report_csv,
    report_html,
    write_atomic,
    write_class,
)
from .classroom.agreement import load_alpha
from .classroom.feedback import student_feedback
from .classroom.merge import merge
from .exchange import ExchangeError, dump_collection, read_annotations, write_csv
from .model import Annotation, AnnotationError, reader_name
from .newarticle import CONTROL, LAYOUTS, SLUG, NewArticleError, new_article
from .placement import place_all
from .store import Store, StoreError

__all__ = ["main"]

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="PATH",
        help="annotation database (default: $ANNOTATE_STORE or "
        "~/.annotate/annotations.db; never on NFS)",
    )


def _left_out(names: list[str]) -> None:
    """Say which Hypothesis page notes were left out, and why (a few named, the count)."""
    if names:
        shown = "; ".join(names[:5]) + (f"; and {len(names) - 5} more" if len(names) > 5 else "")
        print(
            f"annotate: note: left out {len(names)} Hypothesis page note(s) or their replies "
            f"(a note on a whole page quotes no words to place): {shown}",
            file=sys.stderr,
        )


def _import(args: argparse.Namespace) -> int:
    pending: list[Annotation] = []
    left_out: list[str] = []
    for name in args.files:
        # Every file read and checked before any is saved.
        pending += read_annotations(name, left_out=left_out)
    _left_out(left_out)
    chapter = load_article(args.chapter) if args.chapter else None
    chapters = Chapters(book_root(Path.cwd()) or Path.cwd())
    placed, counts = place_all(pending, (lambda _: chapter) if chapter else chapters.article)
    me = reader_name()
    with Store(args.store) as store:
        # Only the reader's own notes go up to a class: a classmate's file stays here.
        store.add_many(placed, share=lambda a: a.creator == me)
    print(
        f"imported {len(placed)} annotation(s) from {len(args.files)} file(s): "
        f"{counts['anchored']} anchored, {counts['moved']} moved, {counts['orphaned']} orphaned"
        + (f", {counts['reply']} replies" if counts.get("reply") else "")
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


@contextlib.contextmanager
def _bulk() -> Iterator[None]:
    """The cyclic garbage collector paused: a class's notes are a million acyclic objects
    (freed by reference counting all the same), and every full collection walks them all."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_bulk()
def _merge_command(args: argparse.Namespace) -> int:
    output = Path(args.output)
    root = book_folder(args.book)
    result = merge(args.paths, root, output=output)
    for skip in result.skipped:
        print(f"annotate: skipped {skip.path}: {skip.reason}", file=sys.stderr)
    _left_out(result.left_out)
    for source, n in sorted(result.unplaced.items()):
        print(
            f"annotate: note: no chapter in {root} for {source}: "
            f"its {n} annotation(s) are kept as orphans (--book DIR names the book)",
            file=sys.stderr,
        )
    if not result.files:
        print(
            f"annotate: error: no file could be merged ({len(result.skipped)} skipped); "
            f"{output} not written",
            file=sys.stderr,
        )
        return 1
    write_class(output, result.annotations, result.texts)
    c = result.counts
    print(
        f"merged {len(result.annotations)} annotation(s) from {len(result.files)} file(s) "
        f"into {output} ({result.duplicates} duplicate(s) counted once); "
        f"skipped {len(result.skipped)} file(s); "
        f"{c['anchored']} anchored, {c['moved']} moved, {c['orphaned']} orphaned"
        + (f", {c['reply']} replies" if c.get("reply") else "")
    )
    return 0


@_bulk()
def _report_command(args: argparse.Namespace) -> int:
    # A second process works out the agreement (numpy loads there while the file is
    # read here), while this one lays out the notes.
    with worker(load_alpha) as pool:
        annotations = read_annotations(args.class_file, trust_seal=True)
        root = book_folder(args.book)
        data = build_report(annotations, root, anonymize=args.anonymize, pool=pool)
    for chapter in data["chapters"]:
        if chapter["text"] is None:
            print(
                f"annotate: note: no chapter in {root} for {chapter['source']}: the report "
                "shows its quotes only (--book DIR names the book)",
                file=sys.stderr,
            )
    write_atomic(args.output, report_html(data))
    wrote = [args.output]
    if args.csv:
        # A byte-order mark, so spreadsheet programs read the names as UTF-8.
        write_atomic(args.csv, "\ufeff" + report_csv(data))
        wrote.append(args.csv)
    t = data["totals"]
    print(
        f"wrote {' and '.join(wrote)}: {t['annotations']} annotation(s) by "
        f"{t['students']} student(s), {t['orphaned']} orphaned"
        + (", names replaced by pseudonyms" if args.anonymize else "")
    )
    return 0


def _title(value: str) -> str:
    if not value.strip() or CONTROL.search(value) or "\n" in value:
        raise argparse.ArgumentTypeError("must be one line of text")
    return value.strip()


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a slug: use lowercase letters, digits and hyphens"
        )
    return value


def _new_article(args: argparse.Namespace) -> int:
    try:
        done = new_article(
            args.file,
            args.title,
            slug=args.slug,
            book=args.book,
            force=args.force,
            layout=args.layout,
        )
    except NewArticleError as err:
        print(f"annotate new-article: error: {err}", file=sys.stderr)
        return 1
    art = done.article
    print(
        f"recognised {art.recognised}\n"
        f"wrote {done.chapter} ({len(art.blocks)} paragraphs, "
        f"{'a dek' if art.dek is not None else 'no dek'}, {done.suggestions} claim suggestions)\n"
        f"copied {args.file} to {done.seed}\nadded it to _toc.yml ({done.toc_part})"
    )
    return 0


def _feedback_command(args: argparse.Namespace) -> int:
    annotations = read_annotations(args.class_file, trust_seal=True)
    result = student_feedback(
        annotations, book_folder(args.book), args.student, anonymize=args.anonymize
    )
    write_atomic(args.output, dump_collection(result.annotations, result.label))
    print(f"wrote {args.output}: {len(result.annotations)} annotation(s). {result.label}")
    return 0


def _parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser; a plugin's subcommands only when ``argv`` needs them."""
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

    p = sub.add_parser(
        "merge",
        help="merge a class's annotation files into one class file",
        description="Merge students' W3C or Hypothesis exports (files, or folders searched "
        "for *.json) into one W3C AnnotationCollection, re-anchored on the book's current "
        "text. A file that cannot be read is skipped and named; the rest is merged.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="export files or folders")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the class file")
    p.add_argument(
        "--book",
        metavar="DIR",
        help="the book whose chapters to anchor on (default: the book around this folder)",
    )
    p.set_defaults(func=_merge_command)

    p = sub.add_parser(
        "report",
        help="write a class file as one HTML page (and CSV) for the teacher",
        description="Write a self-contained HTML report of a class file: the article "
        "with a heatmap of what students highlighted, filters, notes and summaries.",
    )
    p.add_argument("class_file", metavar="CLASS_FILE", help="the file `annotate merge` wrote")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the HTML page")
    p.add_argument("--csv", metavar="FILE", help="also write one CSV row per annotation")
    p.add_argument("--anonymize", action="store_true", help="replace student names with pseudonyms")
    p.add_argument(
        "--book",
        metavar="DIR",
        help="the book whose chapters to show (default: the book around this folder)",
    )
    p.set_defaults(func=_report_command)

    p = sub.add_parser(
        "feedback",
        help="write one student's feedback: the editor's claims against their highlights",
        description="Write W3C annotations (motivation 'assessing', by the editor) that "
        "compare one student's highlights in a class file with the editor's claims: each "
        "claim found or missed, each highlight the editor did not mark, and the figures. "
        "The student imports the file into the book or the widget.",
    )
    p.add_argument("class_file", metavar="CLASS_FILE", help="the file `annotate merge` wrote")
    p.add_argument("--student", required=True, metavar="NAME", help="the student, by name")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the feedback file")
    p.add_argument(
        "--anonymize",
        action="store_true",
        help="name the student by their pseudonym (--student may then be the pseudonym)",
    )
    p.add_argument(
        "--book",
        metavar="DIR",
        help="the book whose chapters to compare on (default: the book around this folder)",
    )
    p.set_defaults(func=_feedback_command)

    description = "Bring an article (plain text, Markdown or HTML) into the book as a chapter."
    p = sub.add_parser("new-article", help=description.lower().rstrip("."), description=description)
    p.add_argument("file", type=Path, help="the article: a UTF-8 text, Markdown or HTML file")
    p.add_argument("--title", required=True, type=_title, help="its title in the contents")
    p.add_argument("--slug", type=_slug, help="file name of the chapter (from the title)")
    p.add_argument("--book", type=Path, default=Path("."), help="the book's folder (.)")
    p.add_argument("--force", action="store_true", help="replace a chapter of that name")
    p.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="auto",
        help="how the file is laid out (default: recognised); paragraphs and lines "
        "read every line after the headline as the article",
    )
    p.set_defaults(func=_new_article)

    # The server's subcommands import FastAPI and SQLAlchemy, a third of a second:
    # a command of the kit's own is parsed without them.
    if argv is None or not argv or argv[0] not in sub.choices:
        for register in _plugins():
            register(sub)
    return parser


def _plugins() -> list[Register]:
    """Subcommands that live in their own packages."""
    from .server.cli import register as server
    from .sync.cli import register as sync

    return [server, sync]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parser(argv).parse_args(argv)
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
