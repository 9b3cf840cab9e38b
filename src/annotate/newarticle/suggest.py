"""Claim suggestions: words in a paragraph that an editor may want to mark as a claim.

>>> [(s.words, s.type) for s in suggest_claims("Officials said 3 ships will sail.", "s-p1")]
[('Officials said', 'attribution'), ('3 ships', 'factual'), ('will sail', 'prediction')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Suggestion", "suggest_claims"]


@dataclass(frozen=True)
class Suggestion:
    """A proposed claim: ``paragraph[start:end]`` are its words."""

    id: str
    type: str
    start: int
    end: int
    words: str
    reason: str


_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.|Feb\.|Mar\.|Apr\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
# Widening stops before these: "will take" rather than "will take about four".
_SMALL_WORDS = frozenset(
    {"a", "about", "after", "ago", "an", "and", "are", "as", "at", "before", "but", "by"}
    | {"each", "for", "from", "in", "into", "is", "last", "more", "next", "of", "on", "or"}
    | {"over", "per", "since", "than", "that", "the", "this", "to", "under", "until", "was"}
    | {"were", "which", "while", "who", "with", "against", "amid", "among", "across", "around"}
    | {"between", "despite", "during", "through", "toward", "towards", "within", "without"}
)
_ABBREVIATION = re.compile(r"(?:\w\.){2,}|Mr\.|Mrs\.|Ms\.|Dr\.|St\.|Gen\.|Sen\.|Rep\.|Gov\.")
# A clause's subject starts after these: "fears that [U.S. policy might lead]".
_CLAUSE_WORDS = frozenset(
    {"that", "which", "who", "whom", "if", "when", "because", "while", "as", "but", "so"}
    | {"where", "although", "though", "said", "says", "after", "before", "until"}
)
# Who may say something: the word before "said" must be one of these, a pronoun or a name.
_SPEAKERS = frozenset(
    {"official", "officials", "minister", "ministry", "spokesman", "spokeswoman", "spokesperson"}
    | {"spokesperson", "chair", "chairman", "chairwoman", "president", "secretary", "mayor"}
    | {"police", "experts", "analysts", "authorities", "sources", "government", "statement"}
    | {"report", "researchers", "residents", "leader", "leaders", "director", "chief", "aide"}
    | {"aides", "lawyer", "lawyers", "agency", "department", "company", "member", "members"}
    | {"critics", "observers", "he", "she", "they", "we", "i", "witnesses", "officer", "ceo"}
)
_CLAUSE_END = '"“”\u2018\u2019()[]\u2014\u2013,.;:!?'
_QUOTE_END = '"”\u2019'


@dataclass(frozen=True)
class _Rule:
    """Words that suggest a claim; ``before``/``after``: words to widen it by."""

    pattern: re.Pattern[str]
    type: str
    reason: str
    before: int = 0
    after: int = 0
    small_words_end: bool = False
    speaker: bool = False
    subject: bool = False


# Earlier rules win where two would overlap, so a "will" inside a quotation stays
# part of the speaker's words rather than becoming the reporter's prediction.
_RULES = (
    _Rule(re.compile(r"“[^“”]+”|\"[^\"]+\""), "quotation", "quotation"),
    _Rule(
        re.compile(
            r"\b(?:[Aa]nalysts|[Ee]xperts|[Cc]ritics|[Oo]bservers|[Ss]ources|[Ss]ome|[Mm]any)"
            r" (?:say|said|argue|argued|believe|believed|fear|feared|warn|warned|suggest"
            r"|suggested|note|noted|claim|claimed)\b"
        ),
        "attribution",
        "vague source",
    ),
    _Rule(
        re.compile(r"\braised (?:eyebrows|alarms|concerns) among\b"),
        "attribution",
        "vague source",
        after=8,
    ),
    _Rule(
        re.compile(r"\b(?:[Cc]ritics|[Oo]bservers|reportedly|[Ii]t is (?:said|believed))\b"),
        "attribution",
        "vague source",
    ),
    _Rule(re.compile(r"\b[Aa]ccording to\b"), "attribution", "attribution", after=4),
    _Rule(re.compile(r"\b(?:said|says)\b"), "attribution", "attribution", before=3, speaker=True),
    _Rule(
        re.compile(r"\b(?:told|tells)\b"),
        "attribution",
        "attribution",
        before=3,
        after=1,
        speaker=True,
    ),
    _Rule(
        re.compile(
            r"(?<!\bthe )(?<!\bpolitical )\bwill\b|\bwon[\u2019']t\b|\b(?:plans|planned) to\b"
            r"|\b(?:we|they|I) plan to\b|\b(?:is|are|was|were) (?:expected|set|likely) to\b"
            r"|\bintends? to\b"
        ),
        "prediction",
        "prediction",
        before=7,
        after=3,
        small_words_end=True,
        subject=True,
    ),
    _Rule(
        re.compile(
            rf"\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?(?!\d)|\b\d{{1,2}} {_MONTH}"
            rf"(?: \d{{4}})?\b|\b{_MONTH} \d{{4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
            r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
        ),
        "factual",
        "date",
    ),
    _Rule(
        re.compile(
            r"(?<![\w.,#-])[$€£¥]?\d+(?:[.,]\d+)*(?![\w\]])"
            r"(?: ?%| (?:percent|per cent|million|billion|trillion|thousand|hundred)\b)?"
        ),
        "factual",
        "number",
        after=1,
        small_words_end=True,
    ),
)


def _word_before(text: str, lo: int, start: int) -> re.Match[str] | None:
    """The whole word just before ``start`` (not before ``lo``), if no clause break parts them."""
    word = re.search(r"(\S+) +$", text[lo:start])
    if word is None or word.group(1)[0] in _CLAUSE_END:
        return None
    if word.group(1)[-1] in _CLAUSE_END and not _ABBREVIATION.fullmatch(word.group(1)):
        return None
    return word


def _is_speaker(word: str) -> bool:
    core = word.strip(_CLAUSE_END)
    return core[:1].isupper() or core.lower() in _SPEAKERS


def _widen(
    text: str, span: tuple[int, int], rule: _Rule, lo: int, hi: int
) -> tuple[int, int] | None:
    """Widen ``span`` by whole words within ``text[lo:hi]``, up to a clause break.

    ``None``: the words claim nothing (a "said" with no one who says it).
    """
    start, end = span
    if rule.reason == "number" and re.fullmatch(r"(1[89]|20)\d\d", text[start:end]):
        return span  # a bare year takes no noun
    first = _word_before(text, lo, start)
    speaker_before = first is not None and _is_speaker(first.group(1))
    for _ in range(rule.before if speaker_before or not rule.speaker else 0):
        word = _word_before(text, lo, start)
        if word is None:
            break
        if rule.subject and (
            word.group(1).lower() in _CLAUSE_WORDS or word.group(1).endswith("ing")
        ):
            break  # "emphasizing [the front they will present]": the subject starts after
        start = lo + word.start(1)
    after = rule.after
    if rule.speaker and not speaker_before:
        # ", said the minister": no speaker before the verb, so take the one after.
        if not re.search(rf"[{_QUOTE_END}] +$", text[:start]):
            return None
        names = re.match(r"((?: +(?:the +)?[A-Z][\w.\u2019'-]*){1,3})", text[end:hi])
        return (start, end + len(names.group(1))) if names else None
    for _ in range(after):
        word = re.match(r" +(\S+)", text[end:hi])
        if word is None or word.group(1)[0] in _CLAUSE_END:
            break
        core = word.group(1).rstrip(_CLAUSE_END)
        if rule.small_words_end and (core.lower() in _SMALL_WORDS or not core.isalpha()):
            break
        end += word.start(1) + len(core)
        if core != word.group(1):
            break
    return start, end


def suggest_claims(paragraph: str, prefix: str) -> list[Suggestion]:
    """Claims worth marking in one paragraph, none overlapping, in reading order.

    Ids are ``<prefix>-<type>-<k>``, counting each type from 1.

    >>> [s.id for s in suggest_claims('“We will win,” she said.', "x-p1")]
    ['x-p1-quotation-1', 'x-p1-attribution-1']
    """
    cores: list[tuple[int, int, _Rule]] = []
    for rule in _RULES:
        for match in rule.pattern.finditer(paragraph):
            start, end = match.span()
            if rule.reason == "number" and start == 0 and paragraph[end : end + 1] in ".)":
                continue  # "1. " opening a paragraph numbers it; it claims nothing
            if all(end <= s or start >= e for s, e, _ in cores):
                cores.append((start, end, rule))
    cores.sort(key=lambda c: c[0])
    counts: dict[str, int] = {}
    found: list[Suggestion] = []
    for i, (start, end, rule) in enumerate(cores):
        lo = found[-1].end if found else 0
        hi = cores[i + 1][0] if i + 1 < len(cores) else len(paragraph)
        widened = _widen(paragraph, (start, end), rule, lo, hi)
        if widened is None:
            continue
        start, end = widened
        counts[rule.type] = counts.get(rule.type, 0) + 1
        claim_id = f"{prefix}-{rule.type}-{counts[rule.type]}"
        found.append(Suggestion(claim_id, rule.type, start, end, paragraph[start:end], rule.reason))
    return found
