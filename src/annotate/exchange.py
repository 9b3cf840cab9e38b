"""Annotation files in and out: W3C collections, Hypothesis exports, CSV.

Reading is strict and whole: one bad item refuses the whole file, with an
``ExchangeError`` naming the file, the item and the reason. Hypothesis's rows are
mapped in :mod:`annotate.hypothesis_rows`, the CSV written by :mod:`annotate.csv_export`.

>>> from annotate.model import Annotation
>>> a = Annotation.new(source="urn:x", text="The cat sat.", start=4, end=7, creator="Ana")
>>> collection([a])["first"]["items"][0]["target"]["selector"][0]["exact"]
'cat'
>>> neutralise("=HYPERLINK(1)")
"'=HYPERLINK(1)"
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .csv_export import CSV_COLUMNS as CSV_COLUMNS  # importable here, as it always was
from .csv_export import neutralise, write_csv
from .hypothesis_rows import from_hypothesis, is_hypothesis, is_page_note
from .model import CONTEXT, Annotation, AnnotationError

if TYPE_CHECKING:
    from .placement import PlacedOn

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "ExchangeError",
    "collection",
    "dump_collection",
    "neutralise",
    "parse_document",
    "read_annotations",
    "write_csv",
]

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 64


class ExchangeError(ValueError):
    """A file that cannot be imported; ``str()`` names the file, item and reason.

    ``code`` is the ``AnnotationError`` code of a bad item (see ``model.ERROR_CODES``),
    ``file`` for a file that is unreadable as a whole.
    """

    def __init__(
        self, path: str | Path, reason: str, item: str | None = None, code: str = "file"
    ) -> None:
        self.path, self.reason, self.item, self.code = str(path), reason, item, code
        where = f"{self.path}: {item}: " if item else f"{self.path}: "
        super().__init__(where + reason)


def _depth(data: Any) -> int:
    """The deepest nesting of arrays/objects in parsed JSON, level by level.

    >>> _depth({"a": [1, {"b": "]]]["}]})
    3
    """
    level = [data] if isinstance(data, (dict, list)) else []
    depth = 0
    while level and depth <= MAX_DEPTH:
        depth += 1
        level = [
            child
            for node in level
            for child in (node.values() if type(node) is dict else node)
            if type(child) is dict or type(child) is list
        ]
    return depth


def read_annotations(
    path: str | Path,
    *,
    trust_seal: bool = False,
    left_out: list[str] | None = None,
    placed_on: dict[str, PlacedOn] | None = None,
) -> list[Annotation]:
    """Every annotation in the file at ``path``; ``ExchangeError`` if any is bad.

    ``trust_seal``: a class file whose seal is intact (:mod:`annotate.seal`) is read
    without checking again what merge checked. Only the teacher's own tools (report,
    feedback, ClassView) read a class file so; files that come from anyone else
    (``annotate import``, merge's inputs) are checked in full, seal or not.

    ``left_out``: Hypothesis page notes (on a whole page: they quote no words, so
    nothing can place them), and replies to them, are named in this list and left
    out instead of refusing the file. Without it they are errors like any other.

    ``placed_on``: given, from a class file whose seal is trusted, the chapter texts
    merge placed its notes on (:func:`annotate.placement.placed_on`): the report does
    not look again for the notes of a chapter whose text is still the same.
    """
    path = Path(path)
    if not path.exists():
        raise ExchangeError(path, "no such file")
    if path.is_dir():
        raise ExchangeError(path, "is a directory, not a file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ExchangeError(path, f"is {size} bytes; the limit is 256 MB")
    if size == 0:
        raise ExchangeError(path, "is empty")
    try:
        # Bytes, not text: orjson checks the UTF-8 as it parses, and a class file
        # decoded to str would take twice its size again (and its UTF-8 kept beside).
        data = path.read_bytes()
    except OSError as err:
        raise ExchangeError(path, f"cannot be read ({err.strerror})") from err
    return parse_document(data, path, trust_seal=trust_seal, left_out=left_out, placed_on=placed_on)


def _keepable(data: Any, path: str | Path) -> None:
    """Refuse what the standard library reads but no file, page or database can keep.

    A lone escaped surrogate (``"\\ud800"``) is no text: it could be read, then
    never written again (the class file, the report and the store would fail
    later, far from the cause). ``NaN`` and ``Infinity`` are not JSON to a browser,
    which refuses the file: Python refuses it too.
    """
    try:
        json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except UnicodeEncodeError as err:
        reason = "holds a lone surrogate escape (\\ud800-\\udfff), not text"
        raise ExchangeError(path, reason) from err
    except ValueError as err:
        raise ExchangeError(path, "holds NaN or Infinity, which is not JSON") from err


def parse_document(
    text: str | bytes,
    path: str | Path = "<input>",
    *,
    trust_seal: bool = False,
    left_out: list[str] | None = None,
    placed_on: dict[str, PlacedOn] | None = None,
) -> list[Annotation]:
    """Annotations in a JSON document (any format this kit reads), text or UTF-8 bytes.

    ``trust_seal``, ``left_out`` and ``placed_on``: see :func:`read_annotations`.
    """
    # isspace stops at the first other character: strip() would copy a 40 MB file.
    if not text or text.isspace():
        raise ExchangeError(path, "is empty")
    # The shape this kit writes is read in one pass (annotate.shapes), a sealed class
    # file without checking again what merge checked; anything else the long way.
    # Imported here: msgspec is a fifth of the widget's import, and the widget reads no file.
    from . import shapes
    from .seal import checking  # hashlib: OpenSSL, loaded only for a class file

    sealed = trust_seal and checking(text if isinstance(text, bytes) else text.encode("utf-8"))
    if sealed:
        # Read while the seal is checked; thrown away if it is broken.
        said: dict[str, PlacedOn] = {}
        trusted = shapes.read(text, checked=False, placed_on=said)
        if sealed() and trusted is not None:
            if placed_on is not None:
                placed_on.update(said)
            return trusted
    made = shapes.read(text)
    if made is not None:
        return made
    import orjson  # the long way only (msgspec read the rest)

    too_deep = f"JSON is nested deeper than {MAX_DEPTH} levels"
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        # What orjson refuses (bytes that are not UTF-8, a lone escaped surrogate, NaN,
        # a number past 64 bits, a broken document) gets the standard library's
        # verdict and its message.
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as err:
                raise ExchangeError(path, f"is not UTF-8 text (byte {err.start})") from err
            if not text.strip():  # only Unicode spaces
                raise ExchangeError(path, "is empty") from None
        try:
            data = json.loads(text)
        except RecursionError as err:  # the decoder's own guard, far deeper than ours
            raise ExchangeError(path, too_deep) from err
        except json.JSONDecodeError as err:
            raise ExchangeError(path, f"is not JSON ({err.msg} at line {err.lineno})") from err
        _keepable(data, path)
    if _depth(data) > MAX_DEPTH:
        raise ExchangeError(path, too_deep)
    items = _items(data, path)
    out = []
    page_notes: set[str] = set()
    for n, item in enumerate(items, start=1):
        ident = item.get("id") if isinstance(item, dict) else None
        label = f"item {n}" + (f" ({ident})" if isinstance(ident, str) else "")
        if left_out is not None and is_page_note(item):
            left_out.append(f"{path}: {label}")
            page_notes.add(f"urn:hypothesis:{ident}")
            continue
        try:
            out.append(from_hypothesis(item) if is_hypothesis(item) else Annotation.from_w3c(item))
        except AnnotationError as err:
            raise ExchangeError(path, str(err), label, err.code) from err
    if page_notes and left_out is not None:
        # A reply to a page note left out would answer nothing here.
        left_out += [f"{path}: a reply ({a.id})" for a in out if a.reply_to in page_notes]
        out = [a for a in out if a.reply_to not in page_notes]
    return out


def _items(data: Any, path: str | Path) -> list[Any]:
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise ExchangeError(path, "holds neither an annotation nor a list of them")
    kinds = data.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "AnnotationCollection" in kinds:
        first = data.get("first")
        if first is None and data.get("total") == 0:
            return []
        if not isinstance(first, dict):
            raise ExchangeError(path, "AnnotationCollection has no embedded first page")
        return _items(first, path)
    if "AnnotationPage" in kinds:
        items = data.get("items")
        if not isinstance(items, list):
            raise ExchangeError(path, "AnnotationPage has no items list")
        return items
    if "Annotation" in kinds or is_hypothesis(data):
        return [data]
    if isinstance(data.get("annotations"), list):  # Hypothesis's export file
        return list(data["annotations"])
    if isinstance(data.get("rows"), list):  # Hypothesis's search API answer
        return list(data["rows"])
    raise ExchangeError(path, "holds neither an annotation nor a list of them")


def collection(annotations: list[Annotation], label: str | None = None) -> dict[str, Any]:
    """A W3C AnnotationCollection with its one AnnotationPage embedded."""
    items = [a.to_w3c() for a in annotations]
    for item in items:
        item.pop("@context", None)  # the collection's @context covers them
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "AnnotationCollection",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    if label:
        data["label"] = label
    return data


def dump_collection(annotations: list[Annotation], label: str | None = None) -> str:
    """:func:`collection` as JSON text, one annotation per line.

    Readable in an editor and a diff, and written by the C encoder: an indented
    dump of 60,000 annotations takes Python's slow pure-Python path.

    >>> print(dump_collection([]))  # doctest: +NORMALIZE_WHITESPACE
    {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationCollection",
     "total": 0, "first": {"type": "AnnotationPage", "startIndex": 0, "items": []}}
    """
    data = collection(annotations, label)
    page = data.pop("first")
    items = page.pop("items")
    head = json.dumps(data, ensure_ascii=False)[:-1]
    page_head = json.dumps(page, ensure_ascii=False)[:-1]
    lines = ",\n".join(json.dumps(item, ensure_ascii=False) for item in items)
    body = f"\n{lines}\n" if items else ""
    return f'{head}, "first": {page_head}, "items": [{body}]}}}}\n'
