"""ClaimHighlighter in Chromium: from display to painted, with 500 stored annotations.

Run: ``.venv/bin/python benchmarks/widget.py [--count 500]``. Prints figures;
asserts nothing. Goal (issue 4): <= 300 ms.

A real widget is built in Python over a store holding ``--count`` annotations
(random spans of the article, seeded); its synced state (text, blocks,
vocabulary, highlights, editor claims) and its front-end module (``_esm``, with
``_css``) are then loaded into a blank Chromium page with a stand-in for the
anywidget model, and ``render`` is timed up to the next drawn frame. What this
leaves out is Jupyter's own part: the comm round trip that delivers the state.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from annotate import Annotation, ClaimHighlighter, Store, load_article  # noqa: E402

RENDER = """async ([esm, css, state]) => {
  const style = document.createElement('style');
  style.textContent = css + (window.__extra || '');
  document.head.appendChild(style);
  const url = URL.createObjectURL(new Blob([esm], {type: 'text/javascript'}));
  const mod = (await import(url)).default;
  const model = {get: (k) => state[k], on: () => {}, send: () => {}};
  const el = document.createElement('div');
  document.body.appendChild(el);
  const t0 = performance.now();
  mod.render({model, el});
  const script = performance.now() - t0;
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return {script, frame: performance.now() - t0,
          marks: el.querySelectorAll('mark.annotate-hl').length};
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    article = load_article(ROOT / "chapters" / "article.md")
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        anns = []
        for _ in range(args.count):
            start = rng.randrange(0, len(article.text) - 40)
            anns.append(
                Annotation.new(
                    source=article.source,
                    text=article.text,
                    start=start,
                    end=start + rng.randrange(3, 40),
                    claim_type=rng.choice(["factual", "quotation", "framing", None]),
                    note="a note",
                    creator="bench",
                )
            )
        store.add_many(anns)
        widget = ClaimHighlighter(article, store=store)
        state = {
            name: getattr(widget, name)
            for name in ("text", "blocks", "vocabulary", "highlights", "editor_claims")
        }
        state["show_editor_claims"] = True
        esm, css = widget._esm, widget._css
        store.close()

    from playwright.sync_api import sync_playwright

    runs = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(args.repeat):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto("about:blank")
            runs.append(page.evaluate(RENDER, [esm, css, state]))
            page.close()
        browser.close()
    script = statistics.median(r["script"] for r in runs)
    frame = statistics.median(r["frame"] for r in runs)
    print(f"annotations: {args.count} ({runs[0]['marks']} <mark> pieces), runs: {args.repeat}")
    print(
        f"render to painted: median {script:.0f} ms; to the next frame drawn: "
        f"median {frame:.0f} ms (min {min(r['frame'] for r in runs):.0f})  goal <= 300 ms"
    )


if __name__ == "__main__":
    main()
