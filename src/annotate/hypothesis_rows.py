"""Hypothesis's annotation rows (its export file, its search API), in this kit's model.

Apart from :mod:`annotate.exchange`, which reads whole files: this is one foreign
format's mapping onto the W3C model, field by field.

>>> row = {"id": "abc", "uri": "https://book.example/ch1.html", "user": "acct:ana@hypothes.is",
...        "created": "2025-01-01T00:00:00Z", "text": "Which cat?", "tags": ["pets"],
...        "target": [{"source": "https://book.example/ch1.html",
...                    "selector": [{"type": "TextQuoteSelector", "exact": "cat"}]}]}
>>> a = from_hypothesis(row)
>>> is_hypothesis(row), a.id, a.creator, a.note, a.tags
(True, 'urn:hypothesis:abc', 'ana', 'Which cat?', ('pets',))
"""

from __future__ import annotations

from typing import Any

from .model import CONTEXT, Annotation, AnnotationError

__all__ = ["from_hypothesis", "is_hypothesis", "is_page_note"]


def is_hypothesis(item: Any) -> bool:
    """A Hypothesis row: it names its page (``uri``) and has no W3C ``type``."""
    return isinstance(item, dict) and "uri" in item and "type" not in item


def is_page_note(item: Any) -> bool:
    """A Hypothesis page note: a note on a whole page, quoting none of its words."""
    if not is_hypothesis(item) or item.get("references"):
        return False
    target = item.get("target")
    if not isinstance(target, list) or len(target) != 1 or not isinstance(target[0], dict):
        return False
    selector = target[0].get("selector", [])
    selectors = selector if isinstance(selector, list) else [selector]
    return not any(isinstance(s, dict) and s.get("type") == "TextQuoteSelector" for s in selectors)


def from_hypothesis(row: dict[str, Any]) -> Annotation:
    """A Hypothesis annotation row, in this kit's model."""
    target = row.get("target")
    if not isinstance(target, list) or not target or not isinstance(target[0], dict):
        raise AnnotationError("Hypothesis target must be a list with one object")
    user = row.get("user", "")
    if not isinstance(user, str):
        raise AnnotationError("Hypothesis user must be text")
    name = user.removeprefix("acct:").split("@", 1)[0]
    info = row.get("user_info")
    if isinstance(info, dict) and isinstance(info.get("display_name"), str):
        name = info["display_name"] or name
    tags = row.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise AnnotationError("Hypothesis tags must be a list of text")
    text = row.get("text", "")
    if not isinstance(text, str):
        raise AnnotationError("Hypothesis text must be text")
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": t} for t in tags
    ]
    if text:
        body.insert(
            0,
            {"type": "TextualBody", "purpose": "commenting", "value": text, "format": "text/plain"},
        )
    group = row.get("group")
    if isinstance(group, str) and group:
        # Kept as a tag: which Hypothesis group (a class, "__world__" for public) it was in.
        body.append({"type": "TextualBody", "purpose": "tagging", "value": f"group:{group}"})
    ident = row.get("id")
    page = target[0].get("source") or row.get("uri")
    references = row.get("references") or []
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        raise AnnotationError("Hypothesis references must be a list of annotation ids")
    w3c = {
        "@context": CONTEXT,
        "id": f"urn:hypothesis:{ident}" if isinstance(ident, str) and ident else "",
        "type": "Annotation",
        "created": row.get("created"),
        "modified": row.get("updated") or row.get("created"),
        "creator": {"type": "Person", "name": name or "unknown"},
        "body": body,
        # A reply answers the last annotation it references; a note keeps the page it
        # was made on as its scope, wherever placement puts it.
        "target": f"urn:hypothesis:{references[-1]}"
        if references
        else {
            "source": page,
            "scope": page if isinstance(page, str) and page else None,
            "selector": target[0].get("selector", []),
        },
    }
    return Annotation.from_w3c(w3c)
