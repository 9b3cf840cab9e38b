"""The report's second process (``annotate.beside``): the same report with it as without.

``annotate report`` works out the sentences' agreement in a worker process while it
lays out the notes. Whether the worker runs, is missing (another thread runs, or no
fork) or dies on the way, the report is the same, to the byte.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from concurrent.futures import Executor
from pathlib import Path

import pytest

from annotate.article import Article
from annotate.beside import HERE, forkable, worker
from annotate.classroom import build_report, report_csv, report_html
from annotate.classroom.merge import write_class
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


# Run in a fresh interpreter: the test session runs other threads (servers, browsers),
# and a process with other threads forks no worker (forkable()).
IN_A_WORKER = """
import sys
from pathlib import Path
from annotate.beside import HERE, worker
from annotate.classroom import build_report, report_csv, report_html
from annotate.exchange import read_annotations
import test_beside_tasks

root, notes = Path(sys.argv[1]), read_annotations(sys.argv[2])
warm = getattr(test_beside_tasks, sys.argv[3])
with worker(warm) as pool:
    assert pool is not HERE, "no worker was forked"
    data = build_report(notes, root, pool=pool)
sys.stdout.buffer.write((report_html(data) + report_csv(data)).encode())
"""


def in_a_worker(root: Path, notes: list[Annotation], warm: str, tmp: Path) -> str:
    """The report's page and CSV, built with a worker whose first task is ``warm``."""
    write_class(tmp / "class.json", notes)
    (tmp / "test_beside_tasks.py").write_text(TASKS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", IN_A_WORKER, str(root), str(tmp / "class.json"), warm],
        cwd=tmp,
        env={**os.environ, "PYTHONPATH": str(tmp)},
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


TASKS = """
import os
from annotate.classroom.agreement import load_alpha


def die():
    os._exit(3)
"""


def test_the_report_is_the_same_with_a_worker_as_without(
    class_notes: tuple[Path, list[Annotation]], tmp_path: Path
) -> None:
    root, notes = class_notes
    assert in_a_worker(root, notes, "load_alpha", tmp_path) == "".join(pages(root, notes))


def test_a_worker_that_dies_leaves_the_work_to_this_process(
    class_notes: tuple[Path, list[Annotation]], tmp_path: Path
) -> None:
    root, notes = class_notes
    assert in_a_worker(root, notes, "die", tmp_path) == "".join(pages(root, notes))


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
    root, notes = class_notes
    write_class(tmp_path / "class.json", notes)
    out, sheet = tmp_path / "report.html", tmp_path / "report.csv"
    argv = [str(tmp_path / "class.json"), "-o", str(out), "--csv", str(sheet), "--book", str(root)]
    command = "import sys; from annotate.cli import main; sys.exit(main(sys.argv[1:]))"
    subprocess.run([sys.executable, "-c", command, "report", *argv], check=True)
    page, csv = pages(root, notes)
    assert out.read_bytes() == page.encode()
    assert sheet.read_bytes() == ("\ufeff" + csv).encode()
