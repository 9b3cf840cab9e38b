"""What importing the widget costs, against importing anywidget alone.

Run: ``.venv/bin/python benchmarks/import_time.py [--runs 15]``. Each import runs
in a fresh interpreter (no module cached); the figures are medians of wall-clock
time, with and without the interpreter's own start-up (``python -c pass``).
Goal (issue 10/14): the widget costs at most 1.2x ``import anywidget``.
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import time
from pathlib import Path

CASES = {
    "python -c pass": "pass",
    "import anywidget": "import anywidget",
    "annotate.ClaimHighlighter": "import annotate; annotate.ClaimHighlighter",
    "import annotate (CLI, Sphinx)": "import annotate",
}


def timed(code: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    # Bytecode for the kit's own modules, as installing a wheel writes it: an editable
    # install compiles them on first import, and not even then where
    # PYTHONDONTWRITEBYTECODE is set, so every fresh interpreter would compile them again.
    import annotate

    compileall.compile_dir(Path(annotate.__file__).parent, quiet=1)
    for code in CASES.values():
        timed(code)  # warm the disk cache
    runs: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.runs):
        for name, code in CASES.items():  # interleaved: machine load hits every case alike
            runs[name].append(timed(code))
    median = {name: statistics.median(v) for name, v in runs.items()}
    base = median["python -c pass"]
    print(f"median of {args.runs} fresh interpreters")
    for name, m in median.items():
        print(f"  {name:32s} {m * 1000:7.1f} ms   ({(m - base) * 1000:6.1f} ms after start-up)")
    widget, anywidget = median["annotate.ClaimHighlighter"], median["import anywidget"]
    print(
        f"widget / anywidget: {widget / anywidget:.2f}x with start-up, "
        f"{(widget - base) / (anywidget - base):.2f}x imports only (goal <= 1.2x)"
    )


if __name__ == "__main__":
    main()
