"""Precision of ``annotate new-article``'s claim suggestions on the seed.

A suggestion is right when it overlaps a claim the editor marked in
``chapters/article.md`` with the same type. Prints precision (right suggestions
over all) and how many of the editor's claims some right suggestion touches.

    .venv/bin/python benchmarks/suggestions.py              # the working tree
    .venv/bin/python benchmarks/suggestions.py --ref 7d1390a  # a past commit, to compare
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotate.article import load_article
from annotate.newarticle import parse_article, suggest_claims

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "hegseth-japan-2025-03.txt"
CHAPTER = ROOT / "chapters" / "article.md"


Pipeline = tuple[Callable[[str], Any], Callable[[str, str], list[Any]]]


def _pipeline_at(ref: str) -> Pipeline:
    """``parse_article`` and ``suggest_claims`` as they were at the git commit ``ref``."""
    found: dict[str, Any] = {}
    for path in (
        "src/annotate/newarticle/source.py",
        "src/annotate/newarticle/suggest.py",
        "src/annotate/newarticle.py",
    ):
        shown = subprocess.run(
            ["git", "show", f"{ref}:{path}"], cwd=ROOT, capture_output=True, text=True
        )
        if shown.returncode == 0:
            module = types.ModuleType(f"at_{ref}_{Path(path).stem}")
            sys.modules[module.__name__] = module  # dataclasses look their module up
            exec(compile(shown.stdout, path, "exec"), module.__dict__)
            found |= {k: v for k, v in module.__dict__.items() if k in _NAMES}
    if set(found) != _NAMES:
        raise SystemExit(f"no parse_article and suggest_claims at {ref}")
    return found["parse_article"], found["suggest_claims"]


_NAMES = {"parse_article", "suggest_claims"}


def measure(pipeline: Pipeline) -> tuple[int, int, int, int, float]:
    """(right suggestions, suggestions, editor claims touched, editor claims, fit).

    ``fit`` is the mean share of words a right suggestion and its editor claim have
    in common (intersection over union of their characters): 1.0 for whole phrases.

    Each of the seed's blocks is found in the chapter's text; suggestions on a
    block the chapter does not hold (a misread summary or headline) are wrong.
    """
    parse, suggest = pipeline
    article = parse(SEED.read_text(encoding="utf-8"))
    chapter = load_article(CHAPTER)
    right = total = 0
    fits: list[float] = []
    touched: set[str] = set()
    for kind in article.blocks:
        at = chapter.text.find(kind, chapter.blocks[1].start)
        for s in suggest(kind, "seed"):
            start, end = at + s.start, at + s.end
            hits = [
                c
                for c in chapter.claims
                if at >= 0 and c.type == s.type and c.start < end and start < c.end
            ]
            total += 1
            right += bool(hits)
            touched.update(c.id for c in hits)
            fits += [
                (min(end, c.end) - max(start, c.start)) / (max(end, c.end) - min(start, c.start))
                for c in hits[:1]
            ]
            mark = "+" if hits else "-"
            print(f"  {mark} {s.type:<12} {s.words!r}")
    return right, total, len(touched), len(chapter.claims), sum(fits) / max(1, len(fits))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", help="measure the suggestions of this git commit instead")
    args = parser.parse_args()
    pipeline = _pipeline_at(args.ref) if args.ref else (parse_article, suggest_claims)
    right, total, touched, claims, fit = measure(pipeline)
    print(
        f"precision {right}/{total} = {right / total if total else 0:.0%}; "
        f"editor claims touched {touched}/{claims}; phrase fit {fit:.2f}"
    )


if __name__ == "__main__":
    main()
