"""Merge and report times for a large class: 300 students x 200 annotations, then 2x.

Run: ``.venv/bin/python benchmarks/classroom.py [--students 300 600] [--per-student 200]
[--reference DIR]``. Prints figures; asserts nothing about time. Goals (issue 14):
``annotate merge`` + ``annotate report`` on 300 x 200 in <= 3 s together, <= 2x the
time orjson alone takes to parse the same files (the floor, printed), growing
linearly up to 600 x 200, peak memory printed.

Each student's export is written as ``annotate export`` writes it (a W3C
AnnotationCollection, indented) into a temporary folder, half the highlights on
the editor's claims (a class marks the same claims) and half on random runs of
words of the real article. Some students made their notes on an older text (their
notes move), some quote words the article no longer holds (orphans), some hand in
twice (the later edit wins), and a few files are bad (refused, each named).
``annotate merge`` and ``annotate report`` then run in a child process each, so
every figure belongs to that command alone: wall time inside the command, CPU
time of the process and any worker processes it ran (``wait4``), peak resident
memory of its largest process.

Results stay identical: ``--reference DIR`` saves the class file, the report page,
its CSV and the commands' messages of the first class size into DIR, or, when DIR
already holds them, compares them byte for byte (the temporary folder's path in
the messages is written as ``TMP``; the class file is compared without its seal,
``annotate.seal``, and without what it says its notes were placed on
(``annotate:placedOn``), so a reference saved before either still holds; the
commands run with ``PYTHONHASHSEED=0``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import orjson

from annotate.article import Article, load_article
from annotate.exchange import collection
from annotate.model import Annotation
from annotate.seal import unsealed
from annotate.vocabulary import CLAIM_TYPES, STATUSES

ROOT = Path(__file__).resolve().parents[1]
# The class file's last member before its seal: {"<source>": {"text": ..., "orphans": [...]}}.
_PLACED_ON = re.compile(rb', "annotate:placedOn": \{.*\}(?=\}\n\Z)', re.DOTALL)
NOTES = (
    "",
    "",
    "Who says so?",
    "Is there a source for this number?",
    "This word choice makes it sound worse than it is.",
    "Compare with the ministry's statement.",
)
# A few bad files per class, each refused with its reason: not JSON, not UTF-8,
# empty, an id that is no IRI, a position that is no span.
BAD_FILES = {
    "zz-bad-not-json.json": b'{"type": "AnnotationCollection", "first": ',
    "zz-bad-latin1.json": '{"note": "caf\u00e9"}'.encode("latin-1"),
    "zz-bad-empty.json": b"",
}


def _student(
    rng: random.Random, article: Article, words: list[tuple[int, int]], s: int, per_student: int
) -> list[Annotation]:
    kinds = [None, *CLAIM_TYPES]
    states = [None, *STATUSES]
    stamp = "2026-03-20T10:00:00.000Z"
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
        prefix = article.text[max(0, start - 32) : start]
        if s % 25 == 7 and k % 10 == 0:
            start, end = start + 17, end + 17  # made on an older text: the note moves
        if s % 25 == 11 and k % 20 == 0:
            quote = f"words the article no longer holds {k}"  # an orphan
            end = start + len(quote)
        anns.append(
            Annotation(
                id=f"urn:uuid:bench-{s:04d}-{k:04d}",
                source=article.source,
                exact=quote,
                prefix=prefix,
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
    return anns


def _dump(anns: list[Annotation]) -> str:
    return json.dumps(collection(anns), ensure_ascii=False, indent=2)


def write_class(folder: Path, article: Article, students: int, per_student: int) -> None:
    """One export file per student under ``folder``, a second one from some, a few bad."""
    rng = random.Random(students)
    words = [m.span() for m in re.finditer(r"\S+", article.text)]
    for s in range(students):
        anns = _student(rng, article, words, s, per_student)
        (folder / f"student-{s:04d}.json").write_text(_dump(anns), encoding="utf-8")
        if s % 50 == 3:  # handed in again: every tenth note edited later
            later = "2026-03-21T09:00:00.000Z"
            again = [
                replace(a, note="Second thoughts.", modified=later) if k % 10 == 0 else a
                for k, a in enumerate(anns)
            ]
            (folder / f"student-{s:04d}-again.json").write_text(_dump(again), encoding="utf-8")
    good = json.loads((folder / "student-0000.json").read_text(encoding="utf-8"))
    items = good["first"]["items"]
    items[5]["id"] = "not an iri"
    (folder / "zz-bad-id.json").write_text(json.dumps(good), encoding="utf-8")
    items[5]["id"] = "urn:uuid:bad-offset"
    items[7]["target"]["selector"][1]["start"] = -4
    (folder / "zz-bad-offset.json").write_text(json.dumps(good), encoding="utf-8")
    for name, data in BAD_FILES.items():
        (folder / name).write_bytes(data)


def floor(folder: Path) -> tuple[float, float]:
    """Wall and CPU seconds to read and parse every file in ``folder`` with orjson."""
    t, cpu = time.perf_counter(), time.process_time()
    for path in sorted(folder.iterdir()):
        with contextlib.suppress(orjson.JSONDecodeError):
            orjson.loads(path.read_bytes())
    return time.perf_counter() - t, time.process_time() - cpu


_CHILD = """
import contextlib, io, json, sys, time
from annotate.cli import main

out, err = io.StringIO(), io.StringIO()
t = time.perf_counter()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    rc = main(sys.argv[1:])
messages = out.getvalue() + err.getvalue()
print(json.dumps({"wall": time.perf_counter() - t, "rc": rc, "messages": messages}))
"""


# Where each command's time goes, phase by phase, in one process (the cyclic GC paused
# as the commands pause it); CPU seconds of this process and of its workers (merge's readers,
# the report's agreement: counted once each has ended).
_PHASES = """
import gc, json, os, resource, sys, time
from pathlib import Path
gc.disable()
t0 = time.perf_counter(), time.process_time()
from annotate.cli import main  # every module the commands import
import orjson
from annotate.classroom import build_report, report_csv, report_html, write_class
from annotate.classroom.merge import merge
from annotate.beside import worker
from annotate.classroom.agreement import load_alpha
from annotate.exchange import read_annotations
from annotate.model import assemble
exports, out, html = sys.argv[1:]
phases = {}
def cpu():
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime
def phase(name, since):
    phases[name] = (time.perf_counter() - since[0], cpu() - since[1])
    return time.perf_counter(), cpu()
t = phase("start-up: python and imports", t0)
merged = merge([exports], Path("."), output=Path(out))
t = phase("merge: read, check (workers), de-duplicate, place", t)
write_class(out, merged.annotations, merged.texts, merged.placed_on)
t = phase("merge: write the class file", t)
del merged
with worker(load_alpha) as pool:  # as annotate report does: the agreement beside
    placed_on = {}
    notes = read_annotations(out, trust_seal=True, placed_on=placed_on)
    t = phase("report: read the sealed class file", t)
    data = build_report(notes, Path("."), pool=pool, placed_on=placed_on)
t = phase("report: build (notes; agreement beside)", t)  # the worker's CPU too
page = report_html(data)
t = phase("report: the page", t)
sheet = report_csv(data)
t = phase("report: the CSV", t)
Path(html).write_text(page, encoding="utf-8")
Path(html + ".csv").write_text(sheet, encoding="utf-8")
t = phase("report: write the page and the CSV", t)
raw = Path(out).read_bytes()
t = phase("floor: read the class file's bytes", t)
items = orjson.loads(raw)["first"]["items"]
t = phase("floor: orjson parses the class file", t)
orjson.dumps(items)
t = phase("floor: orjson writes the class file's items", t)
keys = "id source exact prefix suffix start end creator created modified".split()
row = {k: getattr(notes[0], k) for k in keys}
made = [assemble(row) for _ in notes]
t = phase("floor: one Annotation object per note, no checks", t)
print(json.dumps(phases))
"""


def phases(book: Path, exports: Path, out: Path, html: Path) -> dict[str, list[float]]:
    """Wall and CPU seconds of each phase of merge and report, and of their floors."""
    argv = [sys.executable, "-c", _PHASES, str(exports), str(out), str(html)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(argv, cwd=book, env=env, capture_output=True, text=True, check=True)
    result: dict[str, list[float]] = json.loads(done.stdout.splitlines()[-1])
    return result


def run(argv: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """Run ``annotate ARGV`` in a child: wall s, CPU s (with workers), peak MB, messages."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, *argv],
        cwd=cwd,
        stdout=subprocess.PIPE,
        text=True,
        # A sentence's labels are counted from a set of strings, so the last digit of
        # its entropy depends on string hashing: one seed makes the report comparable.
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    result = json.loads(out)
    if result["rc"] != 0 or os.waitstatus_to_exitcode(status):
        raise SystemExit(f"annotate {' '.join(argv)} failed (exit {result['rc']})")
    cpu = usage.ru_utime + usage.ru_stime
    return result["wall"], cpu, usage.ru_maxrss / 1024, result["messages"]  # Linux: kB


def compare(reference: Path, made: dict[str, bytes]) -> None:
    """Save ``made`` into ``reference``, or compare it with what is saved there."""
    if not reference.is_dir() or not any(reference.iterdir()):
        reference.mkdir(parents=True, exist_ok=True)
        for name, data in made.items():
            (reference / name).write_bytes(data)
        print(f"reference saved in {reference}")
        return
    for name, data in made.items():
        saved = (reference / name).read_bytes()
        if saved == data:
            print(f"  {name}: identical to the reference ({len(data)} bytes)")
        else:
            (reference / f"{name}.new").write_bytes(data)
            print(f"  {name}: DIFFERENT from the reference: see {reference / name}.new")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[300, 600])
    parser.add_argument("--per-student", type=int, default=200)
    parser.add_argument("--reference", type=Path, help="save or compare the outputs here")
    args = parser.parse_args()
    article = load_article(ROOT / "chapters" / "article.md")
    print(f"article: {len(article.text)} characters, {len(article.claims)} editor claims")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the start")
    print(
        f"{'students':>8} {'notes':>6} {'files':>5} {'MB':>5} | {'floor':>5} {'cpu':>5} | "
        f"{'merge':>5} {'cpu':>5} {'peak':>5} | {'report':>6} {'cpu':>5} {'peak':>5} | "
        f"{'both':>5} {'cpu':>5} | {'/floor':>6} {'cpu':>5}"
    )
    first: tuple[int, float, float] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book"
        (book / "chapters").mkdir(parents=True)
        shutil.copy(ROOT / "_config.yml", book / "_config.yml")
        shutil.copy(ROOT / "chapters" / "article.md", book / "chapters" / "article.md")
        for students in args.students:
            exports = Path(tmp) / f"exports-{students}"
            exports.mkdir()
            write_class(exports, article, students, args.per_student)
            files = list(exports.iterdir())
            size = sum(p.stat().st_size for p in files) / 1e6
            base = floor(exports)
            out = Path(tmp) / f"class-{students}.json"
            html = Path(tmp) / f"report-{students}.html"
            merge = run(["merge", str(exports), "-o", str(out)], book)
            report = run(
                ["report", str(out), "-o", str(html), "--csv", str(html.with_suffix(".csv"))],
                book,
            )
            wall, cpu = merge[0] + report[0], merge[1] + report[1]
            print(
                f"{students:>8} {students * args.per_student:>6} {len(files):>5} {size:>5.0f} | "
                f"{base[0]:>5.2f} {base[1]:>5.2f} | "
                f"{merge[0]:>5.2f} {merge[1]:>5.2f} {merge[2]:>5.0f} | "
                f"{report[0]:>6.2f} {report[1]:>5.2f} {report[2]:>5.0f} | "
                f"{wall:>5.2f} {cpu:>5.2f} | {wall / base[0]:>6.2f} {cpu / base[1]:>5.2f}",
                flush=True,
            )
            if first is None:
                first = (students, wall, cpu)
                print(f"  where the time goes ({students} students, one process, seconds):")
                print(f"  {'phase':<56} {'wall':>5} {'cpu':>5}")
                split = phases(book, exports, Path(tmp) / "phases.json", Path(tmp) / "p.html")
                for name, (w, c) in split.items():
                    print(f"  {name:<56} {w:>5.2f} {c:>5.2f}")
                bound = 2 * split["start-up: python and imports"][1] + sum(
                    c for name, (_, c) in split.items() if name.startswith("floor")
                )
                print(
                    f"  the least the two commands can cost (two start-ups, the inputs and "
                    f"the class file parsed and written by orjson, the notes made): "
                    f"{bound + base[1]:.2f} s CPU = {(bound + base[1]) / base[1]:.1f}x the floor"
                )
                if args.reference:
                    messages = (merge[3] + report[3]).replace(tmp, "TMP")
                    compare(
                        args.reference,
                        {
                            "class.json": _PLACED_ON.sub(b"", unsealed(out.read_bytes())),
                            "report.html": html.read_bytes(),
                            "report.csv": html.with_suffix(".csv").read_bytes(),
                            "messages.txt": messages.encode("utf-8"),
                        },
                    )
            else:
                n = students / first[0]
                print(
                    f"  growth {first[0]} -> {students} students (x{n:g}): "
                    f"wall x{wall / first[1]:.2f}, CPU x{cpu / first[2]:.2f} (linear: x{n:g})"
                )
            shutil.rmtree(exports)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end")
    print("seconds: wall (inside the command) and cpu (the process and its workers);")
    print("floor: reading and parsing every input file with orjson, one process;")
    print("both: merge + report; /floor: both against the floor; peak: resident MB of")
    print("the command's largest process")


if __name__ == "__main__":
    main()
