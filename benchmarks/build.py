"""Build times of the book: cold, no-change rebuild, one chapter touched, extension off.

Run: ``.venv/bin/python benchmarks/build.py [--repeat N]``. Prints figures; asserts
nothing. Goals (issues 2 and 14): a no-change ``make book`` <= 0.35 x a cold one,
counting everything it does; the annotate extension adds <= 1.15 x to a cold build.
``make book`` is timed in this checkout (its ``_build`` is rebuilt); the other
figures come from copies of the book in a temporary folder, built with
``jupyter-book build``, whose own start-up is the floor of its no-change rebuild.

"Extension off" builds the same book with a stand-in that registers the same role
and directives as plain containers, so the baseline parses the same pages and
only annotate's own work (claims, index, glossary titles, assets) is left out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JB = Path(sys.executable).with_name("jupyter-book")
SOURCES = ["_config.yml", "_toc.yml", "references.bib", "chapters", "seeds"]

STAND_IN = """
from docutils import nodes
from docutils.parsers.rst import Directive, directives


class Plain(Directive):
    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = {"seed": directives.unchanged, "status": directives.unchanged,
                   "no-dek": directives.flag}

    def run(self):
        node = nodes.container()
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


def claim(name, rawtext, text, lineno, inliner, options=None, content=None):
    words = text.rsplit("<", 1)[0].strip()
    children, messages = inliner.parse(words, lineno, inliner, getattr(inliner, "parent", None))
    return [nodes.inline(rawtext, "", *children)], messages


def setup(app):
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.plain import Style

    # The book names annotate's bibliography style; plain stands in for it.
    register_plugin("pybtex.style.formatting", "annotate", Style, force=True)
    app.add_config_value("annotate_book_id", "book", "env")
    app.add_config_value("annotate_jupyter_url", "", "env")
    app.add_config_value("annotate_highlight_pages", [], "html")
    app.add_role("claim", claim)
    for name in ("article", "claim-explanation", "claim-index", "claim-vocabulary",
                 "open-in-jupyter"):
        app.add_directive(name, Plain)
    return {"parallel_read_safe": True}
"""


def copy_book(dest: Path, extension_off: bool = False) -> Path:
    dest.mkdir(parents=True)
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.exists():
            shutil.copy2(src, dest / name)
    if extension_off:
        (dest / "annotate_stand_in.py").write_text(STAND_IN, encoding="utf-8")
        config = dest / "_config.yml"
        config.write_text(
            config.read_text(encoding="utf-8").replace("annotate.sphinxext", "annotate_stand_in"),
            encoding="utf-8",
        )
    return dest


# Times the build after jupyter-book's imports: in this environment importing
# jsonschema compiles rfc3987 grammars (about 2 s) before any book work starts.
DRIVER = """
import sys, time
from jupyter_book.cli.main import main
import jupyter_book.sphinx  # noqa: F401  (imported lazily by main otherwise)
start = time.perf_counter()
main(["build", sys.argv[1]], standalone_mode=False)
print(f"BUILD-SECONDS {time.perf_counter() - start}")
"""


def build(book: Path) -> tuple[float, float]:
    """(whole process, build after imports) in seconds."""
    env = {**os.environ, "PYTHONPATH": str(book)}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, str(book)], capture_output=True, text=True, env=env, cwd=book
    )
    whole = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"build of {book} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    inner = float(proc.stdout.rsplit("BUILD-SECONDS", 1)[1])
    return whole, inner


def measure(repeat: int) -> dict[str, list[tuple[float, float]]]:
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in LABELS}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            book = copy_book(Path(tmp) / "on")
            times["cold"].append(build(book))
            times["nochange"].append(build(book))
            (book / "chapters" / "context" / "signal.md").touch()
            times["touched"].append(build(book))
            times["off"].append(build(copy_book(Path(tmp) / "off", extension_off=True)))
    return times


LABELS = {
    "cold": "cold build",
    "nochange": "no-change rebuild",
    "touched": "one chapter touched",
    "off": "cold build, extension off",
}


def make_book(repeat: int) -> dict[str, float]:
    """Median wall-clock seconds of ``make book``: cold (no ``_build``) and no-change."""
    cold, nochange = [], []
    for _ in range(repeat):
        shutil.rmtree(ROOT / "_build", ignore_errors=True)
        for runs in (cold, nochange):
            start = time.perf_counter()
            subprocess.run(["make", "-s", "book"], cwd=ROOT, check=True, capture_output=True)
            runs.append(time.perf_counter() - start)
    return {"cold": statistics.median(cold), "nochange": statistics.median(nochange)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="builds of each kind (median)")
    args = parser.parse_args()
    times = measure(args.repeat)
    whole = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
    inner = {k: statistics.median(i for _, i in v) for k, v in times.items()}
    print(f"{'':28} {'process':>9} {'build':>9}")
    for key, label in LABELS.items():
        print(f"{label:28} {whole[key]:8.2f}s {inner[key]:8.2f}s")
    for name, t in (("process", whole), ("build", inner)):
        print(
            f"{name:8} no-change/cold {t['nochange'] / t['cold']:.2f} (goal <= 0.35)"
            f"   touched/cold {t['touched'] / t['cold']:.2f}"
            f"   extension overhead {t['cold'] / t['off']:.2f} x (goal <= 1.15)"
        )
    print(f"median of {args.repeat}; 'build' excludes jupyter-book's import time")
    made = make_book(args.repeat)
    print(
        f"make book: cold {made['cold']:.2f}s, no-change {made['nochange']:.3f}s, "
        f"no-change/cold {made['nochange'] / made['cold']:.3f} (goal <= 0.35)"
    )


if __name__ == "__main__":
    main()
