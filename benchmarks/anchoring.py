"""Anchoring speed: how long ``annotate.locate`` takes per annotation, by case.

Run: ``.venv/bin/python benchmarks/anchoring.py [--count 2000]``. Prints figures;
asserts nothing. The cases are what re-anchoring meets after a rebuild: the words
where they were, words moved by an edit before them, words edited (fuzzy), and
words deleted (an orphan: every strategy is tried before giving up). The text is
the real article, and the same article repeated 20 times (a long chapter).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from annotate import describe, load_article, locate

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
    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        locate(long_text, describe(text, 10, 40))
        samples.append(time.perf_counter() - t0)
    print(f"one locate on the long text: median {statistics.median(samples) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
