"""The report's second process (``annotate.beside``): the same report with it as without.

``annotate report`` works out the sentences' agreement in a worker process while it
lays out the notes. Whether the worker runs, is missing (another thread runs, or no
fork) or dies on the way, the report is the same, to the byte.
"""

from __future__ import annotations

import os
import random
import threading
from concurrent.futures import Executor
from pathlib import Path

import pytest

from annotate.article import Article
from annotate.beside import HERE, forkable, worker
from annotate.classroom import build_report, report_csv, report_html
from annotate.classroom.agreement import load_alpha
from annotate.cli import main
from annotate.model import Annotation
from annotate.vocabulary import CLAIM_TYPES

from .test_classroom import make_book


@pytest.fixture(scope="module")
def class_notes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Annotation]]:
    """A book, and 40 students' highlights on its article: some sentences contested."""
    root = tmp_path_factory.mktemp("book")
    article: Article = make_book(root)
    rng = random.Random(7)
    kinds = [None, *CLAIM_TYPES]
    notes = []
    for s in range(40):
        for _ in range(8):
            start = rng.randrange(len(article.text) - 30)
            notes.append(
                Annotation.new(
                    source=article.source,
                    text=article.text,
                    start=start,
                    end=start + rng.randrange(3, 30),
                    creator=f"Student {s}",
                    claim_type=rng.choice(kinds),
                    note=rng.choice(["", "Who says?", "A longer note here."]),
                )
            )
    return root, notes


def pages(root: Path, notes: list[Annotation], pool: Executor = HERE) -> tuple[str, str]:
    data = build_report(notes, root, pool=pool)
    assert any(s["alpha"] is not None for s in data["chapters"][0]["sentences"])
    return report_html(data), report_csv(data)


def test_the_report_is_the_same_with_a_worker_as_without(
    class_notes: tuple[Path, list[Annotation]],
) -> None:
    root, notes = class_notes
    alone = pages(root, notes)
    assert forkable()
    with worker(load_alpha) as pool:
        assert pool is not HERE
        assert pages(root, notes, pool) == alone


def _die() -> None:
    os._exit(3)


def test_a_worker_that_dies_leaves_the_work_to_this_process(
    class_notes: tuple[Path, list[Annotation]],
) -> None:
    root, notes = class_notes
    alone = pages(root, notes)
    with worker(_die) as pool:
        assert pages(root, notes, pool) == alone


def test_no_worker_is_forked_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forkable()
        with worker() as pool:
            assert pool is HERE
            assert pool.submit(sum, [1, 2]).result() == 3
    finally:
        stop.set()
        thread.join()


def test_an_error_in_a_task_here_comes_from_its_result() -> None:
    done = HERE.submit(int, "not a number")
    with pytest.raises(ValueError):
        done.result()


def test_the_report_command_gives_the_same_files_as_the_report_alone(
    class_notes: tuple[Path, list[Annotation]], tmp_path: Path
) -> None:
    from annotate.classroom.merge import write_class

    root, notes = class_notes
    write_class(tmp_path / "class.json", notes)
    out = tmp_path / "report.html"
    argv = ["report", str(tmp_path / "class.json"), "-o", str(out), "--book", str(root)]
    assert main([*argv, "--csv", str(tmp_path / "report.csv")]) == 0
    page, sheet = pages(root, notes)
    assert out.read_bytes() == page.encode()
    assert (tmp_path / "report.csv").read_bytes() == ("\ufeff" + sheet).encode()
