"""What each ``annotate`` subcommand does, once :mod:`annotate.cli` has parsed it.

Each ``*_command`` takes the parsed arguments, calls the module that does the
work, prints what it did in a line and returns the exit status. A user mistake
is raised (``annotate.cli.main`` prints it in one line, exit status 1) or, where
the command names it itself, printed with status 1.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .article import Chapters, book_root, load_article
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
from .exchange import dump_collection, read_annotations, write_csv
from .model import Annotation, AnnotationError, reader_name
from .newarticle import NewArticleError, new_article
from .placement import PlacedOn, place_all
from .store import Store

if TYPE_CHECKING:  # the commands are given parsed arguments; cli.py parses them
    from argparse import Namespace

__all__ = [
    "export_command",
    "feedback_command",
    "import_command",
    "merge_command",
    "new_article_command",
    "orphans_command",
    "reattach_command",
    "report_command",
]


def _left_out(names: list[str]) -> None:
    """Say which Hypothesis page notes were left out, and why (a few named, the count)."""
    if names:
        shown = "; ".join(names[:5]) + (f"; and {len(names) - 5} more" if len(names) > 5 else "")
        print(
            f"annotate: note: left out {len(names)} Hypothesis page note(s) or their replies "
            f"(a note on a whole page quotes no words to place): {shown}",
            file=sys.stderr,
        )


def import_command(args: Namespace) -> int:
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


def export_command(args: Namespace) -> int:
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


def orphans_command(args: Namespace) -> int:
    with Store(args.store) as store:
        source = load_article(args.chapter).source if args.chapter else None
        lost = store.orphans(source)
    for a in lost:
        print(f"{a.id}\t{a.source}\t{a.exact[:60]!r}\t{a.note[:60]!r}")
    print(f"{len(lost)} orphan(s)", file=sys.stderr)
    return 0


def reattach_command(args: Namespace) -> int:
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
def merge_command(args: Namespace) -> int:
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
    write_class(output, result.annotations, result.texts, result.placed_on)
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
def report_command(args: Namespace) -> int:
    # A second process works out the agreement (numpy loads there while the file is
    # read here), while this one lays out the notes.
    with worker(load_alpha) as pool:
        placed_on: dict[str, PlacedOn] = {}
        annotations = read_annotations(args.class_file, trust_seal=True, placed_on=placed_on)
        root = book_folder(args.book)
        data = build_report(
            annotations, root, anonymize=args.anonymize, pool=pool, placed_on=placed_on
        )
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


def new_article_command(args: Namespace) -> int:
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


def feedback_command(args: Namespace) -> int:
    placed_on: dict[str, PlacedOn] = {}
    annotations = read_annotations(args.class_file, trust_seal=True, placed_on=placed_on)
    result = student_feedback(
        annotations,
        book_folder(args.book),
        args.student,
        anonymize=args.anonymize,
        placed_on=placed_on,
    )
    write_atomic(args.output, dump_collection(result.annotations, result.label))
    print(f"wrote {args.output}: {len(result.annotations)} annotation(s). {result.label}")
    return 0
