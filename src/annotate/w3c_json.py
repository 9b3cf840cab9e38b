"""W3C Web Annotation JSON, typed: its ``@context`` and the shape this kit writes.

The wire format's description, apart from :mod:`annotate.model` (the ``Annotation``
that writes and reads it) and :mod:`annotate.wire` (the rules that read its parts):
types only, for readers of the format and for mypy.

>>> selector: TextQuoteSelector = {"type": "TextQuoteSelector", "exact": "cat",
...                                "prefix": "The ", "suffix": " sat"}
>>> sorted(W3CAnnotation.__required_keys__)  # "body" may be left out
['@context', 'created', 'creator', 'id', 'modified', 'motivation', 'target', 'type']
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

__all__ = [
    "CONTEXT",
    "Agent",
    "Target",
    "TextPositionSelector",
    "TextQuoteSelector",
    "TextualBody",
    "W3CAnnotation",
]

CONTEXT = "http://www.w3.org/ns/anno.jsonld"


class TextQuoteSelector(TypedDict):
    type: Literal["TextQuoteSelector"]
    exact: str
    prefix: str
    suffix: str


class TextPositionSelector(TypedDict):
    type: Literal["TextPositionSelector"]
    start: int
    end: int


class TextualBody(TypedDict):
    type: Literal["TextualBody"]
    value: str
    purpose: str
    format: NotRequired[str]


class Target(TypedDict):
    source: str
    selector: list[TextQuoteSelector | TextPositionSelector]


class Agent(TypedDict):
    type: str
    name: str


W3CAnnotation = TypedDict(
    "W3CAnnotation",
    {
        "@context": str,
        "id": str,
        "type": str,
        "motivation": str,
        "created": str,
        "modified": str,
        "creator": Agent,
        "body": NotRequired[list[TextualBody]],
        "target": Target,
    },
)
"""The wire format: what ``Annotation.to_w3c`` writes and ``from_w3c`` reads."""
