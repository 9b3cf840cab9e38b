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

The goal's figure is an import into a page that has settled (its fonts loaded and
the browser idle once), as a reader's import is: it comes from a file chooser,
seconds after the page opened. An import made the moment the page has painted
(still loading the theme's fonts and scripts) is printed too.

``--results FILE`` writes what the first import left (the painted marks, the notes
the marks point at, the panel, the stored JSON and Chromium's accessibility tree,
random element ids normalised) and ``--compare FILE`` compares a run with such a
file: run it with ``--results`` before a change and ``--compare`` after, to show that
a faster layer leaves the same page, storage and accessibility tree.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

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
# next frame; phases run after that frame, while the browser is idle, are "idle NAME".
# "JSON.parse" alone is timed on the same text, to split parsing from validation
# inside "parse".
IMPORT = """(data) => {
  performance.clearMeasures();
  let t = performance.now();
  JSON.parse(data);
  const json = performance.now() - t;
  performance.mark('bench-start');
  t = performance.now();
  annotateLayer.importText('bench.json', data);
  const script = performance.now() - t;
  return new Promise((done) => requestAnimationFrame(() => setTimeout(() => {
    performance.mark('bench-frame');
    const frame = performance.now();
    const out = {json, script, total: frame - t};
    // Work the layer puts off until the browser is idle (the notes) is summed apart.
    requestIdleCallback(() => setTimeout(() => {
      for (const m of performance.getEntriesByType('measure')) {
        if (!m.name.startsWith('annotate:')) continue;
        const name = (m.startTime >= frame ? 'idle ' : '') + m.name.slice(9);
        out[name] = (out[name] || 0) + m.duration;
      }
      done(out);
    }, 100), {timeout: 2000});
  }, 0)));
}"""

BLOCKS = "'article h1, div.annotate-article > p'"
# The painted article: each block's HTML with its marks (the floor's input).
PAINTED = f"""() => Array.from(document.querySelectorAll({BLOCKS}), (p) => p.innerHTML)"""

# The floor: the same marks put in by a minimal script (no layer), to the next frame,
# with the text as narrow as beside the open panel (the layer's CSS is on the page).
FLOOR = f"""(html) => {{
  const blocks = Array.from(document.querySelectorAll({BLOCKS}));
  performance.mark('bench-start');
  const t = performance.now();
  blocks.forEach((p, i) => {{ p.innerHTML = html[i]; }});
  document.body.classList.add('annotate-layer-open');
  const script = performance.now() - t;
  return new Promise((done) => requestAnimationFrame(() => setTimeout(() => {{
    performance.mark('bench-frame');
    done({{script, total: performance.now() - t}});
  }}, 0)));
}}"""

# A page that has settled: its fonts loaded and the browser idle once.
SETTLE = """() => document.fonts.ready.then(() => new Promise(
  (done) => requestIdleCallback(() => done(), {timeout: 2000})))"""

# What an import leaves, once the browser is idle (work put off until then included):
# the painted blocks, the notes, the panel and the stored JSON. The highlighter's
# element ids carry a random part (two highlighters on a page never clash): normalised.
RESULTS = f"""() => new Promise((done) => requestIdleCallback(() => setTimeout(() => {{
  const fix = (s) => s.replace(/annotate-(note|status)-[a-z0-9]+/g, 'annotate-$1-N');
  const stored = {{}};
  for (let i = 0; i < localStorage.length; i++) {{
    const k = localStorage.key(i);
    if (k.startsWith('annotate:')) stored[k] = JSON.parse(localStorage.getItem(k));
  }}
  done({{
    blocks: Array.from(document.querySelectorAll({BLOCKS}), (p) => fix(p.innerHTML)),
    notes: fix(document.querySelector('.annotate-notes').innerHTML),
    panel: fix(document.getElementById('annotate-layer-panel').innerHTML),
    stored,
  }});
}}, 100), {{timeout: 2000}}))"""

PHASES = ("parse", "place", "store", "paint", "notes", "panel", "open")


# Chromium's own work, from a trace of the renderer's main thread: recalculating
# style, layout, pre-paint and paint.
RENDERING = ("UpdateLayoutTree", "Layout", "PrePaint", "Paint")


def traced(browser: object, page: object, script: str, arg: object) -> dict[str, float]:
    """Run `script` in a trace: Chromium's rendering work (ms) up to the next frame,
    by kind, and after it ("after the frame": work put off until idle)."""
    browser.start_tracing(page=page, categories=["devtools.timeline", "blink.user_timing"])  # type: ignore[attr-defined]
    page.evaluate(script, arg)  # type: ignore[attr-defined]
    page.evaluate(  # type: ignore[attr-defined]
        "() => new Promise((done) => requestIdleCallback(() => setTimeout(done, 100)))"
    )
    events = json.loads(browser.stop_tracing())["traceEvents"]  # type: ignore[attr-defined]
    at = {e["name"]: e for e in events if e.get("name") in ("bench-start", "bench-frame")}
    pid, tid = at["bench-start"]["pid"], at["bench-start"]["tid"]
    start, frame = at["bench-start"]["ts"], at["bench-frame"]["ts"]
    out = dict.fromkeys((*RENDERING, "after the frame"), 0.0)
    ends: dict[str, float] = {}
    for e in sorted(events, key=lambda e: e.get("ts", 0)):
        if e.get("ph") != "X" or e["name"] not in RENDERING or (e["pid"], e["tid"]) != (pid, tid):
            continue
        if e["ts"] < start or e["ts"] < ends.get(e["name"], 0):  # before, or inside one counted
            continue
        ends[e["name"]] = e["ts"] + e["dur"]
        out[e["name"] if e["ts"] < frame else "after the frame"] += e["dur"] / 1000
    return out


def floor(browser: object, url: str, painted: list[str], trace: bool = False) -> dict[str, float]:
    """The same page and marks without the layer: the browser's own cost."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = ctx.new_page()
    # The layer's scripts are blocked: only the page and the minimal script run.
    page.route("**/annotate-layer.js*", lambda route: route.abort())
    page.goto(url)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))")
    if trace:
        page.evaluate(SETTLE)
        result = traced(browser, page, FLOOR, painted)
    else:
        result = page.evaluate(FLOOR, painted)
    ctx.close()
    return result


def related(prop: dict[str, Any]) -> list[dict[str, Any]]:
    """The nodes an accessibility property points at (aria-details: the notes)."""
    nodes: list[dict[str, Any]] = prop["value"].get("relatedNodes", [])
    return nodes


def accessibility_tree(ctx: object, page: object) -> list[list[object]]:
    """Chromium's accessibility tree of the page: each node's role, name and properties."""
    cdp = ctx.new_cdp_session(page)  # type: ignore[attr-defined]
    cdp.send("Accessibility.enable")
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.send("Accessibility.disable")
    tree = []
    for node in nodes:
        if node.get("ignored"):
            continue
        props = {
            p["name"]: p["value"].get("value", [r.get("idref") for r in related(p)])
            for p in node.get("properties", [])
            if p["name"] not in ("focused",)
        }
        role = node.get("role", {}).get("value")
        name = node.get("name", {}).get("value")
        tree.append([role, name, json.dumps(props, sort_keys=True)])
    # Ids as in RESULTS; links to the book's pages wherever the book was built.
    book = page.url.rsplit("/chapters/", 1)[0]  # type: ignore[attr-defined]
    out = re.sub(r"annotate-(note|status)-[a-z0-9]+", r"annotate-\1-N", json.dumps(tree))
    normalised: list[list[object]] = json.loads(out.replace(book, "BOOK"))
    return normalised


def compare(mine: dict[str, object], path: Path) -> None:
    """Print whether this run's results are those saved in `path`, part by part."""
    theirs = json.loads(path.read_text("utf-8"))
    for part in ("blocks", "notes", "panel", "stored", "accessibility"):
        a, b = mine.get(part), theirs.get(part)
        if a == b:
            print(f"  {part}: identical")
            continue
        if isinstance(a, list) and isinstance(b, list):
            pairs = enumerate(zip(a, b, strict=False))
            at = next((i for i, (x, y) in pairs if x != y), min(len(a), len(b)))
            print(
                f"  {part}: DIFFERENT ({len(a)} vs {len(b)} entries; first at {at}: "
                f"{str(a[at : at + 1])[:300]} vs {str(b[at : at + 1])[:300]})"
            )
        else:
            print(f"  {part}: DIFFERENT")


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
    data = collection(out)
    # Fixed ids and times (one second apart, as a class's notes are), so that two runs
    # store the same JSON and can be compared.
    for i, item in enumerate(data["first"]["items"]):
        item["id"] = f"urn:uuid:00000000-0000-4000-8000-{i:012d}"
        item["created"] = item["modified"] = (
            f"2026-03-12T{10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
        )
    return json.dumps(data)


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
    parser.add_argument("--results", type=Path, help="write what the first import left here")
    parser.add_argument("--compare", type=Path, help="compare what the first import left with this")
    args = parser.parse_args()
    html = args.html or build()
    url = (html / "chapters" / "article.html").resolve().as_uri()
    payload = annotations(args.count)

    from playwright.sync_api import sync_playwright

    imports, reloads, empties, early = [], [], [], []
    results: dict[str, object] = {}
    phases: list[dict[str, float]] = []
    floors: list[dict[str, float]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in range(args.repeat):
            # The moment the page has painted: the theme still loading.
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            page.goto(url)
            page.wait_for_function("window.annotateLayer !== undefined")
            page.evaluate(STARTUP)
            early.append(page.evaluate(IMPORT, payload)["total"])
            ctx.close()
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            page.goto(url)
            page.wait_for_function("window.annotateLayer !== undefined")
            page.evaluate(STARTUP)
            # Reloaded, as the page with highlights is below: both with the browser's caches warm.
            page.reload()
            page.wait_for_function("window.annotateLayer !== undefined")
            empties.append(page.evaluate(STARTUP))
            page.evaluate(SETTLE)
            run = page.evaluate(IMPORT, payload)
            imports.append(run["total"])
            phases.append(run)
            marks = page.locator("mark.annotate-hl").count()
            if n == 0 and (args.results or args.compare):
                results = page.evaluate(RESULTS)
                results["accessibility"] = accessibility_tree(ctx, page)
            painted = page.evaluate(PAINTED)
            floors.append(floor(browser, url, painted))
            page.reload()
            page.wait_for_function("window.annotateLayer !== undefined")
            # The layer's start-up: read storage, anchor, paint every stored
            # highlight, list them; then the browser's layout up to the next frame.
            reloads.append(page.evaluate(STARTUP))
            ctx.close()
        # One more import of each, traced: where the time to the frame goes in Chromium.
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.goto(url)
        page.wait_for_function("window.annotateLayer !== undefined")
        page.evaluate(SETTLE)
        layer_work = traced(browser, page, IMPORT, payload)
        ctx.close()
        floor_work = floor(browser, url, painted, trace=True)
        browser.close()
    static = html / "_static"
    size = sum((static / n).stat().st_size for n in SHARED_FILES)
    size += sum((static / n).stat().st_size for n in ("annotate-layer.js", "annotate-layer.css"))
    print(f"highlights: {args.count} ({marks} <mark> pieces painted), runs: {args.repeat}")
    print(
        f"import + anchor + store + paint: median {statistics.median(imports):.0f} ms "
        f"(min {min(imports):.0f}, max {max(imports):.0f})  goal <= 150 ms"
    )
    print(
        f"  the same import the moment the page has painted (fonts and theme still "
        f"loading): median {statistics.median(early):.0f} ms (min {min(early):.0f})"
    )
    med = lambda key, rows=phases: statistics.median(r.get(key, 0.0) for r in rows)  # noqa: E731
    layout = med("total") - med("script")
    print(
        "  phases (median ms): "
        + ", ".join(f"{name} {med(name):.0f}" for name in PHASES)
        + f"; layout to the next frame {layout:.0f}"
    )
    later = sorted({k for r in phases for k in r if k.startswith("idle ")})
    if later:
        print(
            "  after the frame, while the browser is idle (median ms): "
            + ", ".join(f"{k[5:]} {med(k):.0f}" for k in later)
        )
    print(
        f"  of parse: JSON.parse {med('json'):.0f}, the rest is validation (and the depth check)"
        f"; script in all {med('script'):.0f}"
    )
    print(
        f"floor: the same {marks} marks put in by a minimal script (no layer), to the next "
        f"frame: median {med('total', floors):.0f} ms (script {med('script', floors):.0f})"
    )
    names = dict(zip(RENDERING, ("style", "layout", "pre-paint", "paint"), strict=True))
    for who, work in (("the layer's import", layer_work), ("the floor", floor_work)):
        print(
            f"  Chromium's rendering in {who} (one traced run, ms): "
            + ", ".join(f"{names[k]} {work[k]:.0f}" for k in RENDERING)
            + f" = {sum(work[k] for k in RENDERING):.0f} before the frame"
            + (f"; {work['after the frame']:.0f} after it" if work["after the frame"] >= 1 else "")
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
    if args.results:
        args.results.write_text(json.dumps(results), "utf-8")
        print(f"results written to {args.results}")
    if args.compare:
        print(f"results compared with {args.compare}:")
        compare(results, args.compare)


if __name__ == "__main__":
    main()
