"""Putting annotations on the current text: the one rule every surface follows.

``place`` finds an annotation's words in a text (``annotate.locate``) and says
what happened: ``anchored`` (the words and their context are where the
annotation says), ``moved`` (found elsewhere, or edited: the selectors are
described anew from the text) or ``orphaned`` (not found: the annotation keeps
the selectors it came with and is marked ``orphan``, never given a made-up
position). ``Annotation.at`` re-describes an annotation at new offsets; the
command line, the class merge, the store, the widget and (in
``frontend/core/anchoring.js``) the book layer all go through these two.

>>> from annotate.model import Annotation
>>> a = Annotation.new(source="urn:x", text="The cat sat.", start=4, end=7, creator="Ana")
>>> placed = place(a, "A dog ran. The cat sat.")
>>> placed.outcome, placed.annotation.start
('moved', 15)
>>> place(a, "A dog barked.").annotation.orphan
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

from .anchoring import in_place, locate
from .article import Article
from .model import Annotation

__all__ = [
    "OUTCOMES",
    "Outcome",
    "Placed",
    "PlacedOn",
    "place",
    "place_again",
    "place_all",
    "placed_on",
    "text_digest",
]

Outcome = Literal["anchored", "moved", "orphaned", "reply"]
# Every placement ends in one of these; a reply (its target is another
# annotation, not words) is left as it is and counted apart, as "reply".
OUTCOMES: tuple[Outcome, ...] = ("anchored", "moved", "orphaned")


@dataclass(frozen=True)
class Placed:
    """An annotation on the current text, and how it got there."""

    annotation: Annotation
    outcome: Outcome


def place(ann: Annotation, text: str, source: str | None = None) -> Placed:
    """Anchor ``ann`` in ``text`` (whose source IRI is ``source``, default: the annotation's).

    The annotation comes back unchanged (the same object) when it is already
    where it says, with its context; an orphan keeps its selectors.
    """
    if ann.reply_to is not None:
        return Placed(ann, "reply")  # it follows its thread's root, wherever that is
    source = ann.source if source is None else source
    found = locate(text, ann.selectors())
    if found is None:
        return Placed(
            ann
            if ann.orphan and ann.source == source
            else replace(ann, orphan=True, source=source),
            "orphaned",
        )
    same = found.how == "exact" and (found.start, found.end) == (ann.start, ann.end)
    if same and not ann.orphan and ann.source == source and _in_place(ann, text):
        return Placed(ann, "anchored")
    moved = ann.at(text, found.start, found.end)
    if moved.source != source:
        moved = replace(moved, source=source)
    return Placed(moved, "anchored" if same else "moved")


def place_all(
    annotations: Iterable[Annotation], article_of: Callable[[str], Article | None]
) -> tuple[list[Annotation], dict[str, int]]:
    """``place`` each annotation on the article its source names; count the outcomes.

    ``article_of(source)`` gives the article (``None``: no such chapter, the
    annotation becomes an orphan). Anchoring runs once per distinct target: a
    class highlights the same words many times over.
    """
    counts: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
    done: dict[tuple[str, str, str, str, int, int, bool], Placed] = {}
    articles: dict[str, Article | None] = {}
    out: list[Annotation] = []
    for ann in annotations:
        if ann.reply_to is not None:
            out.append(ann)
            counts["reply"] = counts.get("reply", 0) + 1
            continue
        if ann.source not in articles:
            articles[ann.source] = article_of(ann.source)
        article = articles[ann.source]
        # Where it says, with its context: what ``place`` says of it, for a third less.
        if (
            article is not None
            and not ann.orphan
            and ann.source == article.source
            and _in_place(ann, article.text)
        ):
            out.append(ann)
            counts["anchored"] += 1
            continue
        key = (ann.source, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end, ann.orphan)
        hit = done.get(key)
        if hit is None:
            if article is None:
                hit = Placed(ann if ann.orphan else replace(ann, orphan=True), "orphaned")
            else:
                hit = place(ann, article.text, article.source)
            done[key] = hit
            out.append(hit.annotation)
        else:
            out.append(_like(ann, hit.annotation))
        counts[hit.outcome] = counts.get(hit.outcome, 0) + 1
    return out, counts


class PlacedOn(NamedTuple):
    """A chapter's text, as annotations were placed on it (a class file keeps it)."""

    text: str
    """The text's :func:`text_digest`."""
    orphans: frozenset[str]
    """The ids of the chapter's annotations whose words the text did not hold."""


def text_digest(text: str) -> str:
    """The digest that names a chapter's text.

    >>> text_digest("The cat sat.")[:14]
    'sha256:84549cf'
    """
    import hashlib  # OpenSSL: only for a class file

    return f"sha256:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


def placed_on(placed: Iterable[Annotation], articles: Iterable[Article]) -> dict[str, PlacedOn]:
    """What ``placed`` (``place_all``'s annotations on ``articles``) were placed on.

    By chapter source IRI: the text, and the annotations orphaned on it. The rest
    of the chapter's annotations are where they say, with their context.
    """
    texts = {a.source: text_digest(a.text) for a in articles}
    orphans: dict[str, set[str]] = {source: set() for source in texts}
    for ann in placed:
        if ann.orphan and ann.reply_to is None and ann.source in orphans:
            orphans[ann.source].add(ann.id)
    return {s: PlacedOn(texts[s], frozenset(orphans[s])) for s in sorted(texts)}


def place_again(
    annotations: list[Annotation],
    article_of: Callable[[str], Article | None],
    before: Mapping[str, PlacedOn],
) -> list[Annotation]:
    """``place_all``'s annotations, for annotations placed once already.

    ``before`` is what they were placed on (:func:`placed_on`; a sealed class
    file's ``annotate:placedOn``). On a chapter whose text has not changed since,
    nothing is looked for: its orphans are orphans again, every other annotation
    stays where it is, as ``place_all`` would leave them (the tests hold it to that).
    """
    same = {
        source
        for source, was in before.items()
        if (article := article_of(source)) is not None
        and article.source == source
        and text_digest(article.text) == was.text
    }
    if not same:
        return place_all(annotations, article_of)[0]

    def kept(a: Annotation) -> bool:
        return a.source in same and a.reply_to is None

    rest = iter(place_all([a for a in annotations if not kept(a)], article_of)[0])
    return [
        next(rest)
        if not kept(a)
        else replace(a, orphan=True)
        if not a.orphan and a.id in before[a.source].orphans
        else a
        for a in annotations
    ]


def _in_place(ann: Annotation, text: str) -> bool:
    """Whether ``ann`` is where it says in ``text``, with its context (``in_place``)."""
    return (
        ann.positioned
        and ann.end - ann.start == len(ann.exact)
        and in_place(text, ann.start, ann.exact, ann.prefix, ann.suffix)
    )


def _like(ann: Annotation, rep: Annotation) -> Annotation:
    """``ann`` where ``rep`` (placed from the same target) was put."""
    # Most notes were made on the current text: nothing to copy, and a copy of a
    # frozen dataclass is the costliest step of a large merge.
    where = (rep.source, rep.start, rep.end, rep.orphan, rep.positioned)
    words = (rep.exact, rep.prefix, rep.suffix)
    if where == (ann.source, ann.start, ann.end, ann.orphan, ann.positioned) and words == (
        ann.exact,
        ann.prefix,
        ann.suffix,
    ):
        return ann
    # ``positioned`` too: a note that came without a position has one once found.
    return replace(
        ann,
        source=rep.source,
        start=rep.start,
        end=rep.end,
        exact=rep.exact,
        prefix=rep.prefix,
        suffix=rep.suffix,
        orphan=rep.orphan,
        positioned=rep.positioned,
    )
