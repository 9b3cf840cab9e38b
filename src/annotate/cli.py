"""The ``annotate`` command: export, import, list orphans, re-attach, and more.

Every subcommand takes ``--store PATH`` (else ``ANNOTATE_STORE``, else
``~/.annotate/annotations.db``). A user mistake gets one line naming the file
and the reason and exit status 1; usage errors exit 2; nothing is half-done.
This module only parses the arguments; what each command does is
:mod:`annotate.commands`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from .article import ArticleError
from .commands import (
    export_command,
    feedback_command,
    import_command,
    merge_command,
    new_article_command,
    orphans_command,
    reattach_command,
    report_command,
)
from .exchange import ExchangeError
from .model import AnnotationError
from .newarticle import CONTROL, LAYOUTS, SLUG
from .store import StoreError

__all__ = ["main"]

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="PATH",
        help="annotation database (default: $ANNOTATE_STORE or "
        "~/.annotate/annotations.db; never on NFS)",
    )


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
    p.set_defaults(func=export_command)

    p = sub.add_parser(
        "import",
        help="read annotation files into the store",
        description="Read W3C or Hypothesis JSON files, re-anchor them on the "
        "chapters' current text and save them. A bad file changes nothing.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--chapter", metavar="PATH", help="anchor every annotation to this chapter")
    _store_option(p)
    p.set_defaults(func=import_command)

    p = sub.add_parser(
        "orphans",
        help="list annotations whose words were not found",
        description="List orphans: kept, never deleted silently.",
    )
    p.add_argument("--chapter", metavar="PATH", help="only this chapter's orphans")
    _store_option(p)
    p.set_defaults(func=orphans_command)

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
    p.set_defaults(func=reattach_command)

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
    p.set_defaults(func=merge_command)

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
    p.set_defaults(func=report_command)

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
    p.set_defaults(func=feedback_command)

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
    p.set_defaults(func=new_article_command)

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
