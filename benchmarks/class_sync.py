"""The book in a class: from A's Save to B's paint, with 30 classmates active; joining's cost.

Run: ``.venv/bin/python benchmarks/class_sync.py [--html _build/html] [--db URL]
[--students 30] [--samples 30]``. Prints figures; asserts nothing.

``annotate serve`` runs on 127.0.0.1 (a SQLite file by default). ``--students``
simulated students (asyncio + httpx) join and keep the class busy: each posts a
highlight on the article page every 2-4 s and reads the page now and then. Two
readers, A and B, open the built article from ``file://`` in Chromium and join
from the panel. A highlights (palette, Save) ``--samples`` times; the time is from
the Save click in A's page to the moment B's page shows the new classmate's
highlight (a MutationObserver on B's article), both read on the one machine clock.

Then page load: the article opened ``--loads`` times by a reader who never joined
and by one who joined (the class's notes on the page: the students' and A's), up to
the layer's own highlights painted and, joined, up to the classmates' painted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.server.conftest import serve, stop  # noqa: E402

ANNOTATE = str(Path(sys.executable).with_name("annotate"))
ANNO = "http://www.w3.org/ns/anno.jsonld"
SOURCE = "urn:annotate:hegseth-japan-2025:chapters/article"


def note(i: int, words: str, start: int) -> dict[str, Any]:
    return {
        "@context": ANNO,
        "type": "Annotation",
        "body": [{"type": "TextualBody", "value": f"student note {i}", "purpose": "commenting"}],
        "target": {
            "source": SOURCE,
            "selector": [
                {"type": "TextQuoteSelector", "exact": words},
                {"type": "TextPositionSelector", "start": start, "end": start + len(words)},
            ],
        },
    }


async def students(url: str, code: str, count: int, text: str, stop_at: list[float]) -> int:
    """``count`` students posting and reading until ``stop_at[0]``; returns notes posted."""
    posted = 0
    spans = [
        (m, text[m : m + 24]) for m in range(0, len(text) - 24, 37) if "\n" not in text[m : m + 24]
    ]
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def one(n: int) -> None:
            nonlocal posted
            r = await client.post("/join", json={"code": code, "name": f"Student {n}"})
            data = r.json()
            auth = {"Authorization": f"Bearer {data['token']}"}
            container = data["container"]
            rng = random.Random(n)
            while time.monotonic() < stop_at[0]:
                await asyncio.sleep(rng.uniform(2, 4))
                start, words = rng.choice(spans)
                r = await client.post(container, json=note(n, words, start), headers=auth)
                posted += r.status_code == 201
                if rng.random() < 0.3:
                    await client.get(container, params={"source": SOURCE}, headers=auth)

        await asyncio.gather(*(one(n) for n in range(count)))
    return posted


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--html", type=Path, help="a built book (default: built into a temporary folder)"
    )
    parser.add_argument("--db", help="database URL (default: a SQLite file in a temporary folder)")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--loads", type=int, default=7)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="annotate-class-sync-"))
    html = args.html
    if html is None:
        jb = Path(sys.executable).with_name("jupyter-book")
        subprocess.run(
            [str(jb), "build", str(ROOT), "--path-output", str(tmp)],
            check=True,
            capture_output=True,
        )
        html = tmp / "_build" / "html"
    page_url = (html / "chapters" / "article.html").resolve().as_uri()
    db = args.db or f"sqlite:///{tmp / 'server.db'}"
    made = json.loads(
        subprocess.run(
            [ANNOTATE, "class", "create", "Bench", "--db", db, "--json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    server = serve(db)
    link = f"{server.url}/#join={made['join_code']}"
    from playwright.sync_api import sync_playwright

    from annotate import load_article

    text = load_article(ROOT / "chapters" / "article.md").text
    stop_at = [time.monotonic() + 3600.0]
    posted: list[int] = []
    crowd = threading.Thread(
        target=lambda: posted.append(
            asyncio.run(students(server.url, made["join_code"], args.students, text, stop_at))
        ),
        daemon=True,
    )
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

            def reader(name: str) -> Any:
                ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                page = ctx.new_page()
                page.on(
                    "pageerror", lambda err: print(f"{name}: page error: {err}", file=sys.stderr)
                )
                page.goto(page_url, wait_until="load")
                page.wait_for_function("window.annotateLayer !== undefined")
                page.locator(".annotate-layer-toggle").click()
                page.get_by_label("Class link (or join code)").fill(link)
                page.get_by_label("Your name, as your teacher gave it").fill(name)
                page.get_by_role("button", name="Join class").click()
                page.wait_for_function("annotateLayer.classState() !== null")
                page.get_by_role("button", name="Close highlights panel").click()
                return ctx, page

            (ctx_a, a), (_, b) = reader("A"), reader("B")
            crowd.start()
            time.sleep(5)  # the class is busy before the first sample
            b.evaluate(
                """() => {
                  window.__seen = [];
                  const known = new Set(annotateLayer.others().map((r) => r.id));
                  new MutationObserver(() => {
                    for (const r of annotateLayer.others()) {
                      if (known.has(r.id)) continue;
                      known.add(r.id);
                      const at = performance.timeOrigin + performance.now();
                      window.__seen.push({note: r.note, at});
                    }
                  }).observe(document.querySelector('article.bd-article') || document.body,
                             {childList: true, subtree: true});
                }"""
            )
            sentences = a.evaluate("AnnotateUI.sentences(annotateLayer.text())")
            lag = []
            for i in range(args.samples):
                s = sentences[(i * 7) % len(sentences)]
                a.evaluate(
                    "([s, e]) => annotateLayer.open(s, e)",
                    [s["start"], min(s["end"], s["start"] + 40)],
                )
                if not a.locator(".annotate-palette").is_visible():
                    a.screenshot(path=str(tmp / f"palette-{i}.png"))
                    raise SystemExit(
                        f"sample {i}: the palette did not open (see {tmp}/palette-{i}.png)"
                    )
                a.locator(".annotate-palette").get_by_label("Note", exact=True).fill(
                    f"A's sample {i}"
                )
                saved = a.evaluate(
                    "() => { const t = performance.timeOrigin + performance.now();"
                    " document.querySelector('.annotate-palette .annotate-save').click();"
                    " return t; }"
                )
                b.wait_for_function(
                    f'window.__seen.some((x) => x.note === "A\'s sample {i}")', timeout=30_000
                )
                seen = b.evaluate(f'window.__seen.find((x) => x.note === "A\'s sample {i}").at')
                lag.append(seen - saved)
                time.sleep(random.uniform(0.2, 0.6))
            shown = len(b.evaluate("annotateLayer.others()"))
            stop_at[0] = time.monotonic()
            crowd.join(30)
            print(
                f"class: {args.students} simulated students posting every 2-4 s "
                f"({posted[0] if posted else '?'} notes), "
                f"B showing {shown} classmates' highlights at the end; {server.db.split(':')[0]}"
            )
            print(
                f"A's Save -> B's paint, {len(lag)} samples: p50 {pct(lag, 0.5):.0f} ms, "
                f"p95 {pct(lag, 0.95):.0f} ms, max {max(lag):.0f} ms"
            )
            ctx_a.close()

            # Page load: a reader who never joined, then B (joined) reloading.
            def load(page: Any) -> tuple[float, float | None]:
                page.goto(page_url, wait_until="load")
                page.wait_for_function(
                    "performance.getEntriesByName('annotate-layer-painted').length > 0"
                )
                layer = page.evaluate(
                    "performance.getEntriesByName('annotate-layer-painted')[0].startTime"
                )
                if not page.evaluate("annotateLayer.classState() !== null"):
                    return layer, None
                page.wait_for_function(
                    "performance.getEntriesByName('annotate-class-painted').length > 0",
                    timeout=30_000,
                )
                return layer, page.evaluate(
                    "performance.getEntriesByName('annotate-class-painted')[0].startTime"
                )

            solo_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            solo = solo_ctx.new_page()
            alone = [load(solo)[0] for _ in range(args.loads)]
            joined = [load(b) for _ in range(args.loads)]
            own = [x[0] for x in joined]
            classmates = [x[1] for x in joined if x[1] is not None]
            print(
                f"page load, never joined: own highlights painted at "
                f"{statistics.median(alone):.0f} ms (median of {args.loads})"
            )
            print(
                f"page load, joined: own highlights painted at {statistics.median(own):.0f} ms, "
                f"classmates' ({shown}) painted at {statistics.median(classmates):.0f} ms "
                f"(+{statistics.median(classmates) - statistics.median(alone):.0f} ms "
                "over never joined)"
            )
            browser.close()
    finally:
        stop_at[0] = 0.0
        stop(server)


if __name__ == "__main__":
    main()
