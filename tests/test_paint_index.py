"""Painting hands back the index of the painted page: what indexText reads from it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.browser

ANNOTATOR_JS = ROOT / "src" / "annotate" / "frontend" / "core" / "annotator.js"

# White space of every kind at the edges of words, nodes and blocks; inline elements;
# code points outside the BMP; furniture (left out of the text) inside a block.
PAGE = """<main>
<h1>  A  headline\twith   tabs </h1>
<p>First   paragraph,\n  with <em>emphasis  </em>  and <a href="#">a link</a>.  </p>
<p><span class="skip">furniture  text</span>Words 😀 after\u00a0a space ,
 \U0001d518\U0001d52b\U0001d526 code.</p>
<p>   </p>
<p>Last <b> bold </b><i>italic</i>end   of\n\n text.</p>
</main>"""

CHECK = """(seed) => {
  let x = seed;
  const random = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const blocks = Array.from(document.querySelectorAll("main > h1, main > p"));
  const skip = (node) => node instanceof Element && node.matches(".skip");
  AnnotateUI.unpaint(document.querySelector("main"));
  const before = AnnotateUI.indexText(blocks, skip);
  const size = AnnotateUI.codePointAt(before.table, before.text.length);
  const highlights = [];
  for (let i = 0; i < 1 + Math.floor(random() * 12); i++) {
    const start = Math.floor(random() * size);
    const end = Math.min(size, start + 1 + Math.floor(random() * 25));
    highlights.push({id: `h${i}`, start, end, exact: "", claimType: null, status: null, note: ""});
  }
  const painted = AnnotateUI.paint(before, highlights, () => "annotate-hl");
  const fresh = AnnotateUI.indexText(blocks, skip);
  const sameMap = (a, b) => a.length === b.length && a.every((v, k) => v === b[k]);
  const same = painted.text === fresh.text && painted.nodes.length === fresh.nodes.length
    && painted.nodes.every((e, i) => e.node === fresh.nodes[i].node
      && sameMap(e.map, fresh.nodes[i].map));
  return {same, marks: document.querySelectorAll("mark").length};
}"""


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = browser.new_page()
    page.set_content(PAGE)
    page.add_script_tag(content=ANNOTATOR_JS.read_text("utf-8"))
    yield page
    page.close()


def test_the_painted_index_is_the_index_of_the_painted_page(page: Any) -> None:
    results = [page.evaluate(CHECK, seed) for seed in range(1, 301)]
    assert all(r["same"] for r in results), [i + 1 for i, r in enumerate(results) if not r["same"]]
    assert sum(r["marks"] for r in results) > 300
