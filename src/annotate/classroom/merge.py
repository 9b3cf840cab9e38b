"""A class's annotations in one file: what ``annotate merge PATH… -o class.json`` does.

Every student exports their notes (W3C JSON from this kit, or a Hypothesis
export) and the teacher merges the files, or folders of them, into one W3C
AnnotationCollection. Each annotation keeps its creator; an id seen twice counts
once (the later ``modified`` wins); every annotation is re-anchored on the
chapter's current text. A file that cannot be read is skipped and named with
its reason, never dropped silently, and the rest is merged.

>>> from annotate.model import Annotation
>>> a = Annotation.new(source="urn:x", text="The cat sat.", start=4, end=7, creator="Ana")
>>> from dataclasses import replace
>>> newer = replace(a, note="Which cat?", modified="2099-01-01T00:00:00Z")
>>> [x.note for x in keep_latest([a, newer, a])]
['Which cat?']
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import multiprocessing
import os
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..article import Chapters, book_root
from ..beside import forkable
from ..exchange import ExchangeError, read_annotations
from ..model import Annotation
from ..placement import PlacedOn, place_all, placed_on
from .class_file import CLASS_LABEL, Written, _item_json, write_atomic, write_class

__all__ = [
    "CLASS_LABEL",
    "Merged",
    "Placement",
    "Skipped",
    "book_folder",
    "find_files",
    "keep_latest",
    "merge",
    "write_atomic",
    "write_class",
]

_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)
_FILES_PER_WORKER = 32  # fewer files per core are read faster than a worker starts


@dataclass(frozen=True)
class Skipped:
    """A file (or folder) left out of the merge, and why."""

    path: str
    reason: str


@dataclass
class Merged:
    """What ``merge`` made: the annotations, where they came from, what was left out."""

    annotations: list[Annotation]
    files: list[Path]
    skipped: list[Skipped]
    duplicates: int
    counts: dict[str, int]
    unplaced: dict[str, int] = field(default_factory=dict)
    """Sources no chapter of the book answers to, with how many annotations name each."""
    left_out: list[str] = field(default_factory=list)
    """Hypothesis page notes (and replies to them), which quote no words: each named."""
    texts: Written = field(default_factory=dict, repr=False, compare=False)
    """Each annotation read, as the class file writes it (for :func:`write_class`)."""
    placed_on: dict[str, PlacedOn] = field(default_factory=dict)
    """The chapters the annotations were placed on (for :func:`write_class`)."""


class Placement(Chapters):
    """Chapters found under a book ``root``, loaded once per source IRI.

    ``place`` fills it; the report reads the articles back from it. A source
    naming a page without an article gets ``None``: its notes become orphans.
    """


def book_folder(option: str | Path | None) -> Path:
    """The book root for ``--book DIR``; without it, the book around the current folder.

    >>> book_folder(".") == (book_root(".") or Path(".").resolve())
    True
    """
    if option is None:
        return book_root(Path.cwd()) or Path.cwd()
    folder = Path(option)
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such book folder", str(option))
    return book_root(folder) or folder.resolve()


def find_files(
    paths: Iterable[str | Path], exclude: Path | None = None
) -> tuple[list[Path], list[Skipped]]:
    """The files to merge: each file named, and every ``*.json`` under each folder.

    Folders are searched without following links to other folders.

    A file reached twice is read once. ``exclude`` (the merge's own output) is
    left out of folder walks, and said so; named explicitly, it is merged.
    """
    found: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()
    avoid = exclude.resolve() if exclude else None
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # os.walk does not follow links to folders: a link to / in an unpacked
            # archive must not turn the merge into a walk of the whole disk.
            inside = sorted(
                Path(folder, name)
                for folder, _, names in os.walk(path)
                for name in names
                if name.lower().endswith(".json") and Path(folder, name).is_file()
            )
            if not inside:
                skipped.append(Skipped(str(path), "holds no .json file"))
            if avoid is not None and any(p.resolve() == avoid for p in inside):
                skipped.append(
                    Skipped(str(exclude), "is this merge's output (name it to merge it too)")
                )
        else:
            inside = [path]  # a missing file is named by read_annotations, with the others
        for p in inside:
            key = p.resolve()
            if key in seen or (key == avoid and path.is_dir()):
                continue
            seen.add(key)
            found.append(p)
    return found, skipped


def _when(stamp: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return _NEVER  # an unreadable time loses to any readable one
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def keep_latest(annotations: Iterable[Annotation]) -> list[Annotation]:
    """One annotation per id: the one modified last (the first seen, on a tie)."""
    kept: dict[str, Annotation] = {}
    for ann in annotations:
        old = kept.get(ann.id)
        if old is None or (
            ann.modified != old.modified and _when(ann.modified) > _when(old.modified)
        ):
            kept[ann.id] = ann
    return list(kept.values())


def _read(path: Path) -> tuple[list[Annotation], list[bytes], list[str]] | Skipped:
    """A file's annotations and each one's JSON in the class file, or why it was skipped.

    Written here, in the worker that read the file, a note that placement leaves as
    it is is not described or serialised again by the merge itself.
    """
    left_out: list[str] = []
    try:
        # A student's file is checked in full, whatever seal it carries.
        annotations = read_annotations(path, left_out=left_out)
    except ExchangeError as err:
        return Skipped(str(path), f"{err.item}: {err.reason}" if err.item else err.reason)
    return annotations, [_item_json(a).encode("utf-8") for a in annotations], left_out


def _readers(files: int, workers: int | None) -> ProcessPoolExecutor | None:
    """Processes to read ``files`` files, or ``None``: read them in this one.

    Parsing and checking is most of a merge, and each file stands alone: with many
    files they are read by one process per core. Only a forked worker starts at no
    cost, and forking is safe only while this process runs a single thread (so the
    pool starts before the progress bar's thread).
    """
    if workers is None:
        workers = min(os.cpu_count() or 1, files // _FILES_PER_WORKER)
    if workers < 2 or not forkable():
        return None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


def merge(
    paths: Iterable[str | Path],
    root: Path,
    *,
    output: Path | None = None,
    workers: int | None = None,
) -> Merged:
    """Read, de-duplicate and re-anchor the annotations in ``paths``.

    A file that cannot be read is listed in ``skipped`` with its reason. The
    progress bar shows on a terminal only (``disable=None``). ``workers``: how
    many processes read the files (default: one per core when there are many).
    """
    files, skipped = find_files(paths, exclude=output)
    read: list[Annotation] = []
    texts: Written = {}
    merged: list[Path] = []
    left_out: list[str] = []
    with contextlib.ExitStack() as stack:
        pool = _readers(len(files), workers)
        results: Iterable[tuple[list[Annotation], list[bytes], list[str]] | Skipped] = map(
            _read, files
        )
        where = Placement(root)
        if pool is not None:
            stack.enter_context(pool)
            # In the order of ``files``; submitted at once, so the workers fork now. Small
            # chunks (6 of 300 files): the last one leaves the other core idle less long.
            results = pool.map(_read, files, chunksize=max(1, len(files) // 48))
            where.prepare()  # while the workers read their first files
        from tqdm import tqdm  # here: the report and feedback import this module, not the bar

        class Bar(tqdm):  # type: ignore[misc]  # (tqdm has no type hints)
            # No monitor thread: it outlives the bar, and a process with a second
            # thread forks no worker later (annotate.beside.forkable).
            monitor_interval = 0

        progress = Bar(
            results, total=len(files), desc="merging", unit="file", disable=None, leave=False
        )
        for path, result in zip(files, progress, strict=True):
            if isinstance(result, Skipped):
                skipped.append(result)
                continue
            annotations, jsons, left = result
            left_out += left
            read += annotations
            pairs = zip(annotations, jsons, strict=True)
            texts.update(zip(map(id, annotations), pairs, strict=True))
            merged.append(path)
    unique = keep_latest(read)
    placed, counts = place_all(unique, where.article)
    placed.sort(key=lambda a: (a.source, a.start, a.end, a.creator, a.id))
    missing = {source for source, article in where.articles.items() if article is None}
    unplaced = Counter(a.source for a in placed if a.source in missing)
    chapters = [article for article in where.articles.values() if article is not None]
    return Merged(
        placed,
        merged,
        skipped,
        len(read) - len(unique),
        counts,
        dict(unplaced),
        left_out,
        texts,
        placed_on(placed, chapters),
    )
