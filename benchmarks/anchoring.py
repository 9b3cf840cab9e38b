"""The annotation core's speed: anchoring, the store, export and import.

Run: ``.venv/bin/python benchmarks/anchoring.py [--count 2000]``. Prints figures;
asserts nothing. Issue 3 asks for: re-anchoring 10,000 annotations after an edit
(exact and fuzzy paths apart), store inserts per second from 1 and from 30
processes, and export + import of 60,000 annotations.

Per-annotation anchoring, by case: The cases are what re-anchoring meets after a rebuild: the words
where they were, words moved by an edit before them, words edited (fuzzy), and
words deleted (an orphan: every strategy is tried before giving up). The text is
the real article, and the same article repeated 20 times (a long chapter).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from annotate import Annotation, Store, describe, load_article, locate

ROOT = Path(__file__).resolve().parents[1]


def spans(text: str, count: int, rng: random.Random) -> list[tuple[int, int]]:
    out = []
    while len(out) < count:
        start = rng.randrange(0, len(text) - 60)
        end = start + rng.randrange(8, 60)
        if text[start:end].strip():
            out.append((start, end))
    return out


def case(name: str, old: str, new: str, count: int, rng: random.Random) -> None:
    selectors = [describe(old, s, e) for s, e in spans(old, count, rng)]
    t0 = time.perf_counter()
    found = [locate(new, sel) for sel in selectors]
    took = time.perf_counter() - t0
    placed = sum(f is not None for f in found)
    print(
        f"{name:<28} {len(new):>7} chars  {took / count * 1e6:>9.1f} µs each"
        f"  ({placed}/{count} placed)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    text = load_article(ROOT / "chapters" / "article.md").text
    long_text = "\n\n".join(f"({i}) {text}" for i in range(20))
    for label, base in (("article", text), ("article x20", long_text)):
        rng = random.Random(3)
        print(f"-- {label}")
        case("unchanged", base, base, args.count, rng)
        case("moved (text added before)", base, "A new first line.\n\n" + base, args.count, rng)
        edited = base.replace(" the ", " a ").replace("Hegseth", "Mr. Hegseth")
        case("edited (fuzzy)", base, edited, min(args.count, 300), rng)
        case("deleted (orphan)", base, "Nothing of the article is left here.", args.count, rng)
    reanchor_10k(text)
    store_throughput(text)
    export_import(text)
    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        locate(long_text, describe(text, 10, 40))
        samples.append(time.perf_counter() - t0)
    print(f"one locate on the long text: median {statistics.median(samples) * 1e3:.2f} ms")


def reanchor_10k(text: str) -> None:
    """10,000 annotations re-anchored after an edit: exact and fuzzy paths apart."""
    rng = random.Random(5)
    edited = "Editor's note: updated. " + text.replace("military", "armed-forces")
    exact, fuzzy = [], []
    for s, e in spans(text, 10_000, rng):
        sel = describe(text, s, e)
        (fuzzy if "military" in text[max(0, s - 32) : e + 32] else exact).append(sel)
    for name, group in (("exact/moved", exact), ("fuzzy (context or words edited)", fuzzy)):
        t0 = time.perf_counter()
        placed = sum(locate(edited, sel) is not None for sel in group)
        took = time.perf_counter() - t0
        print(f"re-anchor {len(group):>5} {name:<32} {took * 1e3:>8.0f} ms  ({placed} placed)")


def _insert(args: tuple[str, str, int]) -> None:
    path, text, n = args
    store = Store(path)
    for i in range(n):
        store.add(Annotation.new(source="urn:bench", text=text, start=i % 100, end=i % 100 + 9))
    store.close()


def store_throughput(text: str) -> None:
    """Single-annotation inserts (one transaction each, as the widget saves)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "one.db")
        t0 = time.perf_counter()
        _insert((path, text, 2000))
        took = time.perf_counter() - t0
        print(f"store, 1 process:    {2000 / took:>8.0f} inserts/s")
        path = str(Path(tmp) / "thirty.db")
        Store(path).close()
        t0 = time.perf_counter()
        with mp.get_context("spawn").Pool(30) as pool:
            pool.map(_insert, [(path, text, 100)] * 30)
        took = time.perf_counter() - t0
        print(
            f"store, 30 processes: {3000 / took:>8.0f} inserts/s (3,000 in {took:.1f} s,"
            " process start-up included)"
        )


def export_import(text: str) -> None:
    """60,000 annotations: ``annotate export`` then ``annotate import``, as a user runs them."""
    rng = random.Random(9)
    anns = [
        Annotation.new(
            source="urn:annotate:bench:chapters/article",
            text=text,
            start=s,
            end=e,
            note="note",
            creator="bench",
        )
        for s, e in spans(text, 60_000, rng)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        db, out, db2 = Path(tmp) / "a.db", Path(tmp) / "all.json", Path(tmp) / "b.db"
        Store(db).add_many(anns)
        cli = [sys.executable, "-m", "annotate.cli"]
        t0 = time.perf_counter()
        subprocess.run(
            [*cli, "export", "-o", str(out), "--store", str(db)], check=True, capture_output=True
        )
        t1 = time.perf_counter()
        subprocess.run(
            [*cli, "import", str(out), "--store", str(db2)],
            check=True,
            capture_output=True,
            cwd=tmp,
        )
        t2 = time.perf_counter()
        size = out.stat().st_size / 1e6
        print(
            f"export 60,000: {t1 - t0:.1f} s ({size:.0f} MB); import 60,000: {t2 - t1:.1f} s"
            " (whole commands, Python start-up included)"
        )


if __name__ == "__main__":
    main()
