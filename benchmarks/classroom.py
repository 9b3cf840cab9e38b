"""Merge and report times for a large class: 300 students x 200 annotations, then 2x.

Run: ``.venv/bin/python benchmarks/classroom.py [--students 300 600] [--per-student 200]``.
Prints figures; asserts nothing. Goal (issue 6): 60,000 annotations merged in
<= 3 s, growing linearly, in <= 500 MB.

Each student's export is written as ``annotate export`` writes it (a W3C
AnnotationCollection, indented) into a temporary folder, half the highlights on
the editor's claims (a class marks the same claims) and half on random runs of
words of the real article. ``annotate merge`` and ``annotate report`` then run
in a child process each, so every figure (wall time inside the command, peak
resident memory of the process) belongs to that command alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from annotate.article import Article, load_article
from annotate.exchange import collection
from annotate.model import Annotation
from annotate.vocabulary import CLAIM_TYPES, STATUSES

ROOT = Path(__file__).resolve().parents[1]
NOTES = (
    "",
    "",
    "Who says so?",
    "Is there a source for this number?",
    "This word choice makes it sound worse than it is.",
    "Compare with the ministry's statement.",
)


def write_class(folder: Path, article: Article, students: int, per_student: int) -> None:
    """One export file per student under ``folder``."""
    rng = random.Random(students)
    words = [m.span() for m in re.finditer(r"\S+", article.text)]
    kinds = [None, *CLAIM_TYPES]
    states = [None, *STATUSES]
    stamp = "2026-03-20T10:00:00.000Z"
    for s in range(students):
        name = f"Student Name {s:04d}"
        anns = []
        for k in range(per_student):
            if rng.random() < 0.5 and article.claims:
                claim = rng.choice(article.claims)
                start, end = claim.start, claim.end
            else:
                i = rng.randrange(len(words) - 12)
                start, end = words[i][0], words[i + rng.randrange(0, 12)][1]
            quote = article.text[start:end]
            anns.append(
                Annotation(
                    id=f"urn:uuid:bench-{s:04d}-{k:04d}",
                    source=article.source,
                    exact=quote,
                    prefix=article.text[max(0, start - 32) : start],
                    suffix=article.text[end : end + 32],
                    start=start,
                    end=end,
                    creator=name,
                    created=stamp,
                    modified=stamp,
                    claim_type=rng.choice(kinds),
                    status=rng.choice(states),
                    note=rng.choice(NOTES),
                )
            )
        text = json.dumps(collection(anns), ensure_ascii=False, indent=2)
        (folder / f"student-{s:04d}.json").write_text(text, encoding="utf-8")


# The child times the whole command (wall clock, and CPU time, which other work on
# a shared machine disturbs less) and, apart, the CPU time spent reading files
# (exchange.read_annotations, which the merge and the report call by name).
_CHILD = """
import contextlib, io, sys, time
import annotate.classroom.merge, annotate.cli
from annotate.cli import main

reading = 0.0

def timed(read):
    def inner(path):
        global reading
        t = time.process_time()
        try:
            return read(path)
        finally:
            reading += time.process_time() - t
    return inner

annotate.classroom.merge.read_annotations = timed(annotate.classroom.merge.read_annotations)
annotate.cli.read_annotations = timed(annotate.cli.read_annotations)
t, cpu = time.perf_counter(), time.process_time()
with contextlib.redirect_stdout(io.StringIO()):
    rc = main(sys.argv[1:])
print(time.perf_counter() - t, time.process_time() - cpu, reading, rc)
"""


def run(argv: list[str], cwd: Path) -> tuple[float, float, float, float]:
    """Run ``annotate ARGV`` in a child: wall s, CPU s, of which reading (CPU s), peak MB."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, *argv], cwd=cwd, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds, cpu, reading, rc = out.split()
    if rc != "0" or os.waitstatus_to_exitcode(status):
        raise SystemExit(f"annotate {' '.join(argv)} failed (exit {rc})")
    return float(seconds), float(cpu), float(reading), usage.ru_maxrss / 1024  # Linux: kB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[300, 600])
    parser.add_argument("--per-student", type=int, default=200)
    args = parser.parse_args()
    article = load_article(ROOT / "chapters" / "article.md")
    print(f"article: {len(article.text)} characters, {len(article.claims)} editor claims")
    print(
        f"{'students':>8} {'annotations':>11} {'input MB':>8} | {'merge':>6} {'cpu':>6} "
        f"{'reading':>7} {'peak MB':>7} | {'report':>6} {'cpu':>6} {'reading':>7} "
        f"{'peak MB':>7} {'html MB':>7}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book"
        (book / "chapters").mkdir(parents=True)
        shutil.copy(ROOT / "_config.yml", book / "_config.yml")
        shutil.copy(ROOT / "chapters" / "article.md", book / "chapters" / "article.md")
        for students in args.students:
            exports = Path(tmp) / f"exports-{students}"
            exports.mkdir()
            write_class(exports, article, students, args.per_student)
            size = sum(p.stat().st_size for p in exports.iterdir()) / 1e6
            out = Path(tmp) / f"class-{students}.json"
            html = Path(tmp) / f"report-{students}.html"
            merge = run(["merge", str(exports), "-o", str(out)], book)
            report = run(
                ["report", str(out), "-o", str(html), "--csv", str(html.with_suffix(".csv"))],
                book,
            )
            print(
                f"{students:>8} {students * args.per_student:>11} {size:>8.1f} | "
                f"{merge[0]:>6.2f} {merge[1]:>6.2f} {merge[2]:>7.2f} {merge[3]:>7.0f} | "
                f"{report[0]:>6.2f} {report[1]:>6.2f} {report[2]:>7.2f} {report[3]:>7.0f} "
                f"{html.stat().st_size / 1e6:>7.1f}",
                flush=True,
            )
            shutil.rmtree(exports)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("merge, report: wall seconds; cpu: CPU seconds; reading: CPU seconds inside")
    print("exchange.read_annotations (parsing and checking the files); peak: resident MB")


if __name__ == "__main__":
    main()
