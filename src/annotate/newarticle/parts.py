"""The parts of a news file that are not the article's text, and the layout they name.

A press release's opening line, an aggregator's summary above its headline,
bylines, "Updated" lines, photo captions and a trailing footer each become a
:class:`Part` with its role; which of them a file has names its layout
(``wire``, ``aggregator``, ``press-release``, ``blog``...). The words of every
part stay exactly as written.

>>> take_parts([["By Ana Lee"], ["PORTO — Three ships sailed."], ["Copyright 2026"]])
([['PORTO — Three ships sailed.']], [Part(role='byline', text='By Ana Lee'), \
Part(role='footer', text='Copyright 2026')])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DATELINE",
    "DEK_MAX",
    "RELEASE",
    "Part",
    "Role",
    "name_layout",
    "summary_lines",
    "take_parts",
]

Role = Literal["summary", "byline", "updated", "caption", "release", "footer"]
DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .,'()]{1,40}"
    r"|[A-Z][A-Za-z .']{1,30}, [A-Z][A-Za-z.]{1,12}\.?(?:,? [^\u2014\u2013-]{3,30})?)"
    r"(?: \([A-Za-z]{2,12}\))? ?(?:/[^/]{2,30}/ )?[\u2014\u2013-]{1,2} "
)
DEK_MAX = 200
_BYLINE = re.compile(
    r"^[*_]*(?:By|BY|Written by|Posted by|Reporting by|Words by) [A-Z\u00c0-\u024f][^.!?]{1,100}$"
    r"|^Posted (?:on|by) .{3,80}$"
)
_UPDATED = re.compile(
    r"^[*_]*(?:Updated|UPDATED|Last updated|Published|First published|Posted on):? (?:on )?"
    r"(?:\d|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
)
_CAPTION = re.compile(
    r"^[*_]*(?:Photo|PHOTO|Photos|Image|IMAGE|Picture|Caption|Credit|Photograph|Pictured)"
    r"(?: by| credit)?\s*[:/|]"
    r"|\((?:AP|Reuters|AFP|Getty|EPA)[^()]{0,40}(?:Photo|Images?)[^()]{0,60}\)$"
    r"|^(?:Photo|Image) (?:by|courtesy of) "
)
RELEASE = re.compile(
    r"^(?:FOR IMMEDIATE RELEASE|For Immediate Release|PRESS RELEASE|NEWS RELEASE)\b"
)
_FOOTER = re.compile(
    r"^(?:Copyright\b|©|\(c\) \d|All rights reserved|Follow (?:us|[A-Z].{0,60} on )"
    r"|Share this\b|Tags?:|Filed under\b|Media [Cc]ontact|Press [Cc]ontact|Contact:|#{3}\s*$"
    r"|-30-\s*$|Related:|Read more\b|Sign up for\b)"
)


@dataclass(frozen=True)
class Part:
    """A part of the file that is not the article's text: ``role`` says which."""

    role: Role
    text: str


def summary_lines(lines: list[str], layout: str) -> int:
    """How many lines before the headline are an aggregator's summary (0: none).

    An aggregator repeats its headline: a line seen again in the next lines is
    the headline, and the lines before it summarise the story.
    """
    if layout not in ("auto", "aggregator"):
        return 0
    top = [line.strip() for line in lines[:12]]
    for i in range(1, min(4, len(top))):
        if top[i] and top[i] in top[i + 1 :] and len(top[0]) > 0:
            return i
    return 1 if layout == "aggregator" and len(top) > 1 else 0


def take_parts(blocks: list[list[str]]) -> tuple[list[list[str]], list[Part]]:
    """The blocks without bylines, "Updated" lines, captions and a trailing footer."""
    parts: list[Part] = []
    flat = [(i, line) for i, block in enumerate(blocks) for line in block]
    footer_at = len(flat)
    for k in range(len(flat) - 1, -1, -1):
        if _FOOTER.match(flat[k][1]):
            footer_at = k
        elif footer_at == len(flat) and k < len(flat) - 3:
            break  # only the last few lines can start a footer
    # A press release ends at "###": all after it is boilerplate and contacts.
    mark = next((k for k, (_, line) in enumerate(flat) if re.fullmatch(r"#{3}|-30-", line)), None)
    if mark is not None and mark > 0:
        footer_at = min(footer_at, mark)
    kept: list[list[str]] = [[] for _ in blocks]
    front = True
    for k, (i, line) in enumerate(flat):
        if k >= footer_at:
            parts.append(Part("footer", line))
        elif front and _BYLINE.match(line):
            parts.append(Part("byline", line))
        elif _UPDATED.match(line) and len(line) <= 120:
            parts.append(Part("updated", line))
        elif _CAPTION.search(line) and len(line) <= 300:
            parts.append(Part("caption", line))
        else:
            kept[i].append(line)
            front = front and len(line) <= DEK_MAX and not DATELINE.match(line)
    return [b for b in kept if b], parts


def name_layout(
    is_html: bool,
    markdown_heading: bool,
    parts: list[Part],
    repeated: bool,
    dateline: bool,
    per_line: bool,
) -> str:
    roles = {p.role for p in parts}
    if is_html:
        return "html"
    if "summary" in roles or repeated:
        return "aggregator"
    if "release" in roles or any(p.role == "footer" and p.text.strip() == "###" for p in parts):
        return "press-release"
    if markdown_heading:
        return "markdown"
    if dateline and "byline" in roles:
        return "wire"
    if roles & {"byline", "updated", "footer"}:
        return "blog"
    return "lines" if per_line else "paragraphs"
