"""The book layer in Chromium: paint 1,000 imported highlights; the layer's size.

Run: ``.venv/bin/python benchmarks/html_layer.py [--html _build/html] [--count 1000]``.
Prints figures; asserts nothing. Goal (issue 14): 1,000 highlights imported into the
article page in <= 150 ms, with the time split into the layer's phases and the
floor (the browser laying out the same marks put in by a minimal script).

Without ``--html`` the book is built into a temporary folder first. The
highlights are random spans of the article text (seeded), written as W3C JSON by
the Python package and imported through the layer's own import path, so the time
covers parsing, validation, anchoring, storing, painting and the browser's
layout of the page up to the next frame. A reload then paints
the same highlights from localStorage.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from annotate import Annotation, load_article  # noqa: E402
from annotate.exchange import collection  # noqa: E402
from annotate.sphinxext.booklayer import SHARED_FILES  # noqa: E402

# The layer's start-up: read storage, anchor, paint every stored highlight, list
# them (script); then the browser's style and layout up to the next frame.
STARTUP = """() => new Promise((done) => requestAnimationFrame(() => setTimeout(() => {
  const [start] = performance.getEntriesByName('annotate-layer-start');
  const [painted] = performance.getEntriesByName('annotate-layer-painted');
  done({script: painted.startTime - start.startTime,
        frame: performance.now() - start.startTime});
}, 0)))"""


# One import, timed by the layer's own phases (AnnotateUI.phase: measures named
# annotate:NAME); "layout" is what the browser takes after the script, up to the
# next frame. "JSON.parse" alone is timed on the same text, to split parsing from
# validation inside "parse".
IMPORT = """(data) => {
  performance.clearMeasures();
  let t = performance.now();
  JSON.parse(data);
  const json = performance.now() - t;
  t = performance.now();
  annotateLayer.importText('bench.json', data);
  const script = performance.now() - t;
  return new Promise((done) => requestAnimationFrame(() => setTimeout(() => {
    const out = {json, script, total: performance.now() - t};
    for (const m of performance.getEntriesByType('measure')) {
      const name = m.name.slice(9);
      if (m.name.startsWith('annotate:')) out[name] = (out[name] || 0) + m.duration;
    }
    done(out);
  }, 0)));
}"""

BLOCKS = "'article h1, div.annotate-article > p'"
# The painted article: each block's HTML with its marks (the floor's input).
PAINTED = f"""() => Array.from(document.querySelectorAll({BLOCKS}), (p) => p.innerHTML)"""

# The floor: the same marks put in by a minimal script (no layer), to the next frame,
# with the text as narrow as beside the open panel (the layer's CSS is on the page).
FLOOR = f"""(html) => {{
  const blocks = Array.from(document.querySelectorAll({BLOCKS}));
  const t = performance.now();
  blocks.forEach((p, i) => {{ p.innerHTML = html[i]; }});
  document.body.classList.add('annotate-layer-open');
  const script = performance.now() - t;
  return new Promise((done) => requestAnimationFrame(
    () => setTimeout(() => done({{script, total: performance.now() - t}}), 0)));
}}"""

PHASES = ("parse", "place", "store", "paint", "notes", "panel", "open")


def floor(browser: object, url: str, painted: list[str]) -> dict[str, float]:
    """The same page and marks without the layer: the browser's own cost."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = ctx.new_page()
    # The layer's scripts are blocked: only the page and the minimal script run.
    page.route("**/annotate-layer.js*", lambda route: route.abort())
    page.goto(url)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))")
    result: dict[str, float] = page.evaluate(FLOOR, painted)
    ctx.close()
    return result


def annotations(count: int) -> str:
    article = load_article(ROOT / "chapters" / "article.md")
    rng = random.Random(7)
    out = []
    for _ in range(count):
        start = rng.randrange(0, len(article.text) - 40)
        end = start + rng.randrange(3, 40)
        out.append(
            Annotation.new(
                source=article.source,
                text=article.text,
                start=start,
                end=end,
                claim_type=rng.choice(["factual", "framing", "opinion", None]),
                note="note " * rng.randrange(0, 5),
                creator="bench",
            )
        )
    return json.dumps(collection(out))


def build() -> Path:
    out = Path(tempfile.mkdtemp(prefix="annotate-bench-"))
    jb = Path(sys.executable).with_name("jupyter-book")
    subprocess.run(
        [str(jb), "build", str(ROOT), "--path-output", str(out)], check=True, capture_output=True
    )
    return out / "_build" / "html"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, help="a built book (default: build one)")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    html = args.html or build()
    url = (html / "chapters" / "article.html").resolve().as_uri()
    payload = annotations(args.count)

    from playwright.sync_api import sync_playwright

    imports, reloads, empties = [], [], []
    phases: list[dict[str, float]] = []
    floors: list[dict[str, float]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(args.repeat):
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            page.goto(url)
            page.wait_for_function("window.annotateLayer !== undefined")
            empties.append(page.evaluate(STARTUP))
            run = page.evaluate(IMPORT, payload)
            imports.append(run["total"])
            phases.append(run)
            marks = page.locator("mark.annotate-hl").count()
            painted = page.evaluate(PAINTED)
            floors.append(floor(browser, url, painted))
            page.reload()
            page.wait_for_function("window.annotateLayer !== undefined")
            # The layer's start-up: read storage, anchor, paint every stored
            # highlight, list them; then the browser's layout up to the next frame.
            reloads.append(page.evaluate(STARTUP))
            ctx.close()
        browser.close()
    static = html / "_static"
    size = sum((static / n).stat().st_size for n in SHARED_FILES)
    size += sum((static / n).stat().st_size for n in ("annotate-layer.js", "annotate-layer.css"))
    print(f"highlights: {args.count} ({marks} <mark> pieces painted), runs: {args.repeat}")
    print(
        f"import + anchor + store + paint: median {statistics.median(imports):.0f} ms "
        f"(min {min(imports):.0f}, max {max(imports):.0f})  goal <= 150 ms"
    )
    med = lambda key, rows=phases: statistics.median(r.get(key, 0.0) for r in rows)  # noqa: E731
    layout = med("total") - med("script")
    print(
        "  phases (median ms): "
        + ", ".join(f"{name} {med(name):.0f}" for name in PHASES)
        + f"; layout to the next frame {layout:.0f}"
    )
    print(
        f"  of parse: JSON.parse {med('json'):.0f}, the rest is validation (and the depth check)"
        f"; script in all {med('script'):.0f}"
    )
    print(
        f"floor: the same {marks} marks put in by a minimal script (no layer), to the next "
        f"frame: median {med('total', floors):.0f} ms (script {med('script', floors):.0f})"
    )
    script = statistics.median(r["script"] for r in reloads)
    frame = statistics.median(r["frame"] for r in reloads)
    base = statistics.median(r["frame"] for r in empties)
    print(
        f"page load with {args.count} stored highlights: layer script {script:.0f} ms; "
        f"to the next frame {frame:.0f} ms, of which {frame - base:.0f} ms more than "
        f"with none stored ({base:.0f} ms)  goal <= 150 ms"
    )
    print(f"layer JS+CSS: {size / 1024:.1f} KiB uncompressed")


if __name__ == "__main__":
    main()
