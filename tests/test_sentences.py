"""One sentence rule: Python (annotate.sentences) and the browser (annotator.js) agree."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate import load_article
from annotate.frontend import CORE_DIR
from annotate.sentences import sentences

from .conftest import ROOT

TRICKY = [
    "Gen. Smith said so. Did he?",
    "U.S. officials said the talks went well. Japan agreed.",
    "He said: “We will.” Then he left! Why? Nobody knows...",
    "e.g. this one. i.e. that one. Mr. Ito and Dr. No. vs. them",
    "First paragraph ends here.\n\nSecond one (with a clause.) Ends.",
    "Trailing space. ",
    "Ends with a newline.\n",
    "Three\n\n\nnewlines. And more.",
    "Astral 😀 text. After 😀😀 it. Ok?",
    "No stop at all",
    "Non\u00a0breaking. Space\u2003em. Tab\tthere.",
    "",
    "  ",
    "A. B. C. Done.",
]

SPLIT = """(texts) => texts.map((t) => AnnotateUI.sentences(t).map((s) => [s.start, s.end]))"""


@pytest.fixture(scope="module")
def js_sentences(browser: Any) -> Any:
    page = browser.new_page()
    page.set_content("<!DOCTYPE html><html><body></body></html>")
    page.add_script_tag(path=str(CORE_DIR / "annotator.js"))

    def split(texts: list[str]) -> list[list[tuple[int, int]]]:
        return [[(a, b) for a, b in spans] for spans in page.evaluate(SPLIT, texts)]

    yield split
    page.close()


@pytest.mark.browser
def test_the_browser_splits_like_python(js_sentences: Any) -> None:
    texts = [*TRICKY, load_article(ROOT / "chapters" / "article.md").text]
    assert js_sentences(texts) == [sentences(t) for t in texts]


@pytest.mark.browser
@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Gen.",
                "U.S.",
                "said",
                "“Yes.”",
                "no!",
                "why?",
                "a",
                "😀",
                "\n\n",
                " ",
                ".",
                "e.g.",
                "Mr.",
                "(so.)",
                "\u00a0",
                "end.",
                "B.",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_random_texts_split_alike(js_sentences: Any, text: str) -> None:
    assert js_sentences([text]) == [sentences(text)]
