"""The class file's seal: read back unchecked only what merge wrote, exactly as checked.

``annotate.seal`` lets the report skip the checks merge already made. These tests
hold its reading (``annotate.shapes.read(data, checked=False)``) to
``Annotation.from_w3c`` on the shared parse cases (``tests/fixtures/annotation-cases.json``)
and on annotations of every kind, and show that any edit, or a seal on a student's
file, gets the full checks.
"""

from __future__ import annotations

import calendar
import copy
import dataclasses
import json
import pickle
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate import shapes, wire
from annotate.classroom.merge import CLASS_LABEL, _item_json, merge, write_class
from annotate.cli import main
from annotate.exchange import ExchangeError, collection, parse_document, read_annotations
from annotate.model import Annotation, AnnotationError
from annotate.seal import checking, intact, seal, sealing, unsealed
from annotate.vocabulary import CLAIM_TYPES, STATUSES

from .conftest import ROOT

CASES: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "fixtures" / "annotation-cases.json").read_text(encoding="utf-8")
)
VALID = [c for c in CASES if "ok" in c["expected"]]
BASE = Annotation(
    id="urn:uuid:base",
    source="urn:annotate:book:chapters/article",
    exact="cat",
    prefix="The ",
    suffix=" sat",
    start=4,
    end=7,
    creator="Ana",
    created="2026-03-20T10:00:00.000Z",
    modified="2026-03-20T10:00:00.000Z",
)


def fields(a: Annotation) -> dict[str, Any]:
    """Every field, those equality leaves out (motivation, positioned) too."""
    return dataclasses.asdict(a)


def kinds() -> list[Annotation]:
    """One annotation of each kind the class file holds."""
    r = dataclasses.replace
    return [
        BASE,
        r(BASE, id="urn:uuid:typed", claim_type="factual", status="disputed", note="Who?"),
        r(BASE, id="urn:uuid:tags", tags=("Factual claim", "group:__world__", " framing ")),
        r(BASE, id="urn:uuid:two-notes", note="One.\n\nTwo.", motivation="assessing"),
        r(BASE, id="urn:uuid:orphan", orphan=True, positioned=False, start=0, end=0),
        r(BASE, id="urn:uuid:off", start=4, end=9),  # a position the quote disagrees with
        r(BASE, id="urn:uuid:scope", scope="https://book.example/article.html"),
        r(BASE, id="urn:uuid:aud", audience="teacher", canonical="urn:uuid:canon"),
        r(BASE, id="urn:uuid:astral", exact="c\U0001f431t", end=7),
        r(
            BASE,
            id="urn:uuid:reply",
            source="urn:uuid:base",
            exact="",
            prefix="",
            suffix="",
            start=0,
            end=0,
            reply_to="urn:uuid:base",
            positioned=False,
            note="Agreed.",
        ),
        r(BASE, id="urn:uuid:untimed", created="", modified=""),
    ]


def test_merge_seals_the_class_file_and_the_seal_covers_every_byte(tmp_path: Path) -> None:
    write_class(tmp_path / "class.json", kinds())
    data = (tmp_path / "class.json").read_bytes()
    assert intact(data)
    whole = json.dumps(collection(kinds(), label=CLASS_LABEL), ensure_ascii=False)
    assert unsealed(data) == f"{whole}\n".encode()
    for at in (0, len(data) // 2, len(data) - 90):
        changed = bytearray(data)
        changed[at] ^= 1
        assert not intact(bytes(changed))
    assert not intact(data[:-1]) and not intact(data + b" ")


def test_a_large_file_is_sealed_and_checked_beside_as_it_is_alone() -> None:
    """Past a megabyte the hash runs in a thread (while the file is written, or
    decoded): the seal and the verdict are those of ``seal`` and ``intact``."""
    parts = [b'{"type": "AnnotationCollection", "items": [', b"1, " * 400_000 + b"2", b"]}"]
    made = list(sealing(parts))
    assert made == seal(parts)
    data = b"".join(made)
    answer = checking(data)
    assert answer is not None and answer() is True
    for at in (0, len(data) // 2, len(data) - 90):
        changed = bytearray(data)
        changed[at] ^= 1
        verdict = checking(bytes(changed))
        assert (verdict() if verdict else False) is intact(bytes(changed)) is False
    assert checking(unsealed(data)) is None  # no seal: nothing to check
    before = threading.active_count()
    written = sealing(parts)
    next(written)
    written.close()  # a write that fails part-way: the hashing thread is waited for
    assert threading.active_count() == before


@pytest.mark.parametrize("ann", kinds(), ids=lambda a: a.id)
def test_a_sealed_annotation_reads_as_from_w3c_reads_it(ann: Annotation, tmp_path: Path) -> None:
    write_class(tmp_path / "class.json", [ann])
    data = (tmp_path / "class.json").read_bytes()
    fast = shapes.read(data, checked=False)
    slow = parse_document(data, trust_seal=False)
    assert fast is not None
    if not ann.created:  # a missing time is read as now(): the two readings differ in it
        fast = [dataclasses.replace(a, created="", modified="") for a in fast]
        slow = [dataclasses.replace(a, created="", modified="") for a in slow]
    assert [fields(a) for a in fast] == [fields(a) for a in slow]


def test_a_class_file_of_every_kind_reads_as_from_w3c_reads_it(tmp_path: Path) -> None:
    # One file: what the reading learns of one item's tags holds for the next ones.
    anns = [a for a in kinds() if a.created] * 2
    write_class(tmp_path / "class.json", anns)
    data = (tmp_path / "class.json").read_bytes()
    fast = shapes.read(data, checked=False)
    assert fast is not None
    assert [fields(a) for a in fast] == [fields(a) for a in parse_document(data)]


@pytest.mark.parametrize("case", VALID, ids=[c["name"] for c in VALID])
def test_each_valid_case_reads_the_same_through_the_seal(
    case: dict[str, Any], tmp_path: Path
) -> None:
    ann = Annotation.from_w3c(case["annotation"])
    write_class(tmp_path / "class.json", [ann])
    data = (tmp_path / "class.json").read_bytes()
    fast = shapes.read(data, checked=False)
    assert fast is not None
    assert [fields(a) for a in fast] == [fields(a) for a in parse_document(data, trust_seal=False)]
    assert fields(fast[0]) == fields(ann)


def _edited(tmp_path: Path, item: Any) -> Path:
    """A class file merge sealed, then hand-edited: its one item replaced by ``item``."""
    path = tmp_path / "class.json"
    write_class(path, [BASE])
    data = path.read_bytes()
    old = json.dumps(collection([BASE])["first"]["items"][0], ensure_ascii=False)
    assert old.encode() in data
    path.write_bytes(data.replace(old.encode(), json.dumps(item, ensure_ascii=False).encode()))
    return path


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_a_hand_edited_class_file_is_checked_in_full(case: dict[str, Any], tmp_path: Path) -> None:
    path = _edited(tmp_path, case["annotation"])
    assert not intact(path.read_bytes())
    expected = case["expected"]
    if "error" in expected:
        with pytest.raises(ExchangeError) as err:
            read_annotations(path, trust_seal=True)
        assert err.value.code == expected["error"] and err.value.path == str(path)
    else:
        (ann,) = read_annotations(path, trust_seal=True)
        want = Annotation.from_w3c(case["annotation"])
        if not case["annotation"].get("created"):  # read as now(): a moment apart
            ann, want = (dataclasses.replace(a, created="", modified="") for a in (ann, want))
        assert fields(ann) == fields(want)


def _forged(path: Path, item: dict[str, Any]) -> None:
    """A file sealed as merge seals, holding an ``item`` merge would never have written."""
    whole = collection([BASE])
    whole["first"]["items"] = [item]
    path.write_bytes(b"".join(seal([json.dumps(whole, ensure_ascii=False).encode()])))


def test_merge_checks_a_sealed_student_file_in_full(tmp_path: Path) -> None:
    bad = BASE.to_w3c() | {"created": "2025-02-30T12:00:00Z"}
    _forged(tmp_path / "student.json", bad)
    assert intact((tmp_path / "student.json").read_bytes())
    result = merge([tmp_path / "student.json"], tmp_path)
    assert [s.path for s in result.skipped] == [str(tmp_path / "student.json")]
    assert "is not a date-time" in result.skipped[0].reason


def test_a_seal_is_trusted_only_when_asked(tmp_path: Path) -> None:
    """``annotate import`` and merge read files from others: a seal buys them nothing."""
    _forged(tmp_path / "class.json", BASE.to_w3c() | {"created": "2025-02-30T12:00:00Z"})
    with pytest.raises(ExchangeError, match="is not a date-time"):
        read_annotations(tmp_path / "class.json")
    assert len(read_annotations(tmp_path / "class.json", trust_seal=True)) == 1


@pytest.mark.parametrize(
    "item",
    [
        {"id": "urn:uuid:x"},
        BASE.to_w3c() | {"target": {"source": "urn:x", "selector": []}},
        BASE.to_w3c() | {"creator": "Ana"},
    ],
    ids=["no target", "no selector", "creator as text"],
)
def test_a_sealed_file_the_fast_reading_cannot_follow_is_read_in_full(
    item: dict[str, Any], tmp_path: Path
) -> None:
    _forged(tmp_path / "class.json", item)
    assert shapes.read((tmp_path / "class.json").read_bytes(), checked=False) is None
    try:
        want: Any = [fields(Annotation.from_w3c(item))]
    except AnnotationError as err:
        want = err.code
    try:
        got: Any = [fields(a) for a in read_annotations(tmp_path / "class.json", trust_seal=True)]
    except ExchangeError as err:
        got = err.code
    assert got == want


def test_the_report_names_a_broken_class_file_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = BASE.to_w3c() | {"modified": "yesterday"}
    path = _edited(tmp_path, bad)
    out = tmp_path / "report.html"
    assert main(["report", str(path), "-o", str(out), "--book", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "yesterday" in err and "Traceback" not in err
    assert not out.exists()


def dumped(a: Annotation) -> str:
    """An annotation's item in the class file as ``json.dumps`` of ``to_w3c`` writes it."""
    item = a.to_w3c()
    del item["@context"]
    return json.dumps(item, ensure_ascii=False)


@pytest.mark.parametrize("ann", kinds(), ids=lambda a: a.id)
def test_each_kind_is_written_as_json_dumps_writes_it(ann: Annotation) -> None:
    assert _item_json(ann) == dumped(ann)


@pytest.mark.parametrize("case", VALID, ids=[c["name"] for c in VALID])
def test_each_valid_case_is_written_as_json_dumps_writes_it(case: dict[str, Any]) -> None:
    ann = Annotation.from_w3c(case["annotation"])
    assert _item_json(ann) == dumped(ann)


TEXT = st.text(st.characters(codec="utf-8"), max_size=12)


@given(
    st.tuples(TEXT, TEXT, TEXT, TEXT, TEXT, TEXT),
    st.integers(0, 2**53 - 20),
    st.sampled_from([None, *CLAIM_TYPES]),
    st.sampled_from([None, *STATUSES]),
    st.sampled_from(["", "commenting", "tagging", 'é"\n']),
)
def test_any_plain_note_is_written_as_json_dumps_writes_it(
    texts: tuple[str, ...], start: int, kind: str | None, state: str | None, motive: str
) -> None:
    exact, prefix, suffix, note, creator, stamp = texts
    ann = dataclasses.replace(
        BASE,
        exact=exact + "x",
        prefix=prefix,
        suffix=suffix,
        start=start,
        end=start + len(exact) + 1,
        note=note,
        creator=creator,
        created=stamp,
        claim_type=kind,
        status=state,
        motivation=motive,
    )
    assert _item_json(ann) == dumped(ann)


def in_range_as_numbers(value: str) -> bool:
    """The date-time rule with each part read as a number (as ``wire.instant`` reads it)."""
    m = re.fullmatch(
        "([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
        "(?:\\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?",
        value,
    )
    if m is None:
        return False
    year, month, day, hour, minute, second = map(int, m.groups()[:6])
    zone = m.group(8) or "Z"
    zh, zm = (0, 0) if zone == "Z" else (int(zone[1:3]), int(zone[4:6]))
    return (
        year >= 1
        and 1 <= month <= 12
        and 1 <= day <= calendar.monthrange(year, month)[1]
        and hour <= 23
        and minute <= 59
        and second <= 59
        and zh <= 23
        and zm <= 59
    )


# The edges of every part (leap years too), and any two digits besides.
DIGITS = st.one_of(
    st.sampled_from(
        [f"{n:02d}" for n in (0, 1, 9, 12, 13, 23, 24, 28, 29, 30, 31, 32, 59, 60, 99)]
    ),
    st.text("0123456789", min_size=2, max_size=2),
)


@given(
    st.sampled_from(["0000", "0001", "1900", "2000", "2024", "2025", "9999"]),
    st.tuples(DIGITS, DIGITS, DIGITS, DIGITS, DIGITS),
    st.sampled_from(["", ".5", "Z", "+", "-"]),
    st.tuples(DIGITS, DIGITS),
)
def test_a_time_is_checked_as_its_numbers_say(
    year: str, parts: tuple[str, ...], end: str, zone: tuple[str, str]
) -> None:
    month, day, hour, minute, second = parts
    tail = f"{end}{zone[0]}:{zone[1]}" if end in "+-" and end else end
    value = f"{year}-{month}-{day}T{hour}:{minute}:{second}{tail}"
    try:
        wire.time({"t": value}, "t", "")
        accepted = True
    except AnnotationError as err:
        assert err.code == "time"
        accepted = False
    assert accepted == in_range_as_numbers(value)


@pytest.mark.parametrize("ann", kinds(), ids=lambda a: a.id)
def test_an_annotation_pickles_and_copies_whole(ann: Annotation) -> None:
    """Merge's workers send annotations back pickled (``Annotation.__reduce__``)."""
    for back in (pickle.loads(pickle.dumps(ann)), copy.deepcopy(ann), copy.copy(ann)):
        assert type(back) is Annotation and fields(back) == fields(ann)
