"""Reading and writing annotation files, and the W3C model's wire format."""

from __future__ import annotations

import csv
import getpass
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotate.exchange import (
    ExchangeError,
    collection,
    dump_collection,
    neutralise,
    parse_document,
    read_annotations,
    write_csv,
)
from annotate.model import Annotation, AnnotationError, reader_name

TEXT = "Hegseth met Nakatani in Tokyo on Sunday and spoke of a joint command."


def make(**kw: object) -> Annotation:
    args: dict[str, object] = {
        "source": "urn:annotate:t:a",
        "text": TEXT,
        "start": 12,
        "end": 20,
        "creator": "Ana",
    }
    args.update(kw)
    return Annotation.new(**args)  # type: ignore[arg-type]


def test_w3c_round_trip_keeps_everything() -> None:
    a = make(claim_type="quotation", status="disputed", note="Who said it?")
    data = a.to_w3c()
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["id"].startswith("urn:uuid:")
    assert data["motivation"] == "commenting"
    assert data["created"].endswith("Z")
    assert data["creator"] == {"type": "Person", "name": "Ana"}
    values = {b["value"]: b["purpose"] for b in data["body"]}
    assert values == {"Who said it?": "commenting", "Quotation": "tagging", "Disputed": "tagging"}
    sel = data["target"]["selector"]
    assert sel[0] == {
        "type": "TextQuoteSelector",
        "exact": "Nakatani",
        "prefix": "Hegseth met ",
        "suffix": " in Tokyo on Sunday and spoke of",
    }
    assert sel[1] == {"type": "TextPositionSelector", "start": 12, "end": 20}
    assert Annotation.from_w3c(json.loads(json.dumps(data))) == a


def test_reader_name_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANNOTATE_READER", raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    assert reader_name("Configured") == "Configured"
    assert reader_name() == "hubuser"
    monkeypatch.delenv("JUPYTERHUB_USER")
    monkeypatch.setattr(getpass, "getuser", lambda: "login")
    assert reader_name() == "login"
    assert reader_name("   ") == "login"  # a blank name is no name


def test_reader_name_without_a_login_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANNOTATE_READER", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)

    def no_user() -> str:
        raise KeyError("uid not found")  # e.g. a container's uid with no passwd entry

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert reader_name() == "reader"


@pytest.mark.parametrize(
    "shape",
    ["single", "list", "page", "collection"],
)
def test_every_container_shape_is_read(tmp_path: Path, shape: str) -> None:
    items = [make(note="one").to_w3c(), make(start=0, end=7).to_w3c()]
    doc: object = {
        "single": items[0],
        "list": items,
        "page": {"type": "AnnotationPage", "items": items},
        "collection": collection([Annotation.from_w3c(i) for i in items]),
    }[shape]
    path = tmp_path / "in.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    read = read_annotations(path)
    assert [a.exact for a in read] == (
        ["Nakatani"] if shape == "single" else ["Nakatani", "Hegseth"]
    )


def test_hypothesis_export_is_read() -> None:
    row = {
        "id": "abc123",
        "uri": "https://example.org/article",
        "text": "Check this",
        "tags": ["Factual claim", "Supported", "class-7"],
        "user": "acct:maria@hypothes.is",
        "created": "2025-04-01T10:00:00.000000+00:00",
        "updated": "2025-04-01T10:05:00.000000+00:00",
        "target": [
            {
                "source": "https://example.org/article",
                "selector": [
                    {"type": "RangeSelector", "startContainer": "/p[1]"},
                    {"type": "TextPositionSelector", "start": 12, "end": 20},
                    {
                        "type": "TextQuoteSelector",
                        "exact": "Nakatani",
                        "prefix": "met ",
                        "suffix": " in",
                    },
                ],
            }
        ],
    }
    for doc in ({"export_date": "2025-04-02", "annotations": [row]}, [row], {"rows": [row]}):
        (a,) = parse_document(json.dumps(doc))
        assert (a.id, a.creator, a.note) == ("urn:hypothesis:abc123", "maria", "Check this")
        assert (a.claim_type, a.status, a.tags) == ("factual", "supported", ("class-7",))


BAD = {
    "not-json.json": (b"{not json", "is not JSON"),
    "latin1.json": ('{"note": "caf\xe9"}'.encode("latin-1"), "not UTF-8"),
    "empty.json": (b"", "is empty"),
    "blank.json": (b"  \n", "is empty"),
    "number.json": (b"42", "neither an annotation"),
    "deep.json": (b"[" * 5000 + b"]" * 5000, "nested deeper"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_are_refused_with_file_and_reason(tmp_path: Path, name: str) -> None:
    content, reason = BAD[name]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ExchangeError, match=reason) as err:
        read_annotations(path)
    assert name in str(err.value)


def test_missing_file_and_directory_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExchangeError, match="no such file"):
        read_annotations(tmp_path / "nope.json")
    with pytest.raises(ExchangeError, match="directory"):
        read_annotations(tmp_path)


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        f.truncate(256 * 1024 * 1024 + 1)  # sparse: costs no disk
    with pytest.raises(ExchangeError, match="256 MB"):
        read_annotations(path)


def _mutate(data: dict, what: str) -> dict:  # type: ignore[type-arg]
    sel = data["target"]["selector"]
    if what == "start>end":
        sel[1].update(start=20, end=12)
    elif what == "negative":
        sel[1].update(start=-3, end=5)
    elif what == "no exact":
        del sel[0]["exact"]
    elif what == "string offsets":
        sel[1]["start"] = "12"
    elif what == "huge note":
        data["body"] = [{"type": "TextualBody", "purpose": "commenting", "value": "x" * 100_001}]
    elif what == "no id":
        del data["id"]
    elif what == "wrong type":
        data["type"] = "Note"
    elif what == "target not object":
        data["target"] = 7
    return data


@pytest.mark.parametrize(
    ("what", "reason"),
    [
        ("start>end", "after end"),
        ("negative", "negative"),
        ("no exact", "exact"),
        ("string offsets", "integers"),
        ("huge note", "100 KB"),
        ("no id", "id must"),
        ("wrong type", "not 'Annotation'"),
        ("target not object", "target"),
    ],
)
def test_bad_items_name_the_item_and_reason(what: str, reason: str) -> None:
    good = make().to_w3c()
    bad = _mutate(make().to_w3c(), what)
    with pytest.raises(ExchangeError, match=reason) as err:
        parse_document(json.dumps([good, bad]), "class.json")
    assert "class.json: item 2" in str(err.value)


def test_annotation_rejects_unknown_vocabulary() -> None:
    with pytest.raises(AnnotationError, match="claim type"):
        make(claim_type="rumour")


def test_csv_has_one_row_each_and_neutralises_formulas() -> None:
    evil = make(note='=HYPERLINK("http://x")', creator="@admin")
    text = write_csv([evil, make(note="+1", claim_type="opinion")])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["id", "creator", "source"]
    assert len(rows) == 3
    assert rows[1][1] == "'@admin"
    assert rows[1][6] == '\'=HYPERLINK("http://x")'
    assert rows[2][6] == "'+1" and rows[2][3] == "Opinion"
    for cell in ("-2", "\tx", "\rx"):
        assert neutralise(cell).startswith("'")
    assert neutralise("plain") == "plain"


def test_exports_meet_every_w3c_must(tmp_path: Path, w3c_checker: Path) -> None:
    checker = w3c_checker
    annotations = [
        make(),
        make(note="n", claim_type="framing", status="supported"),
        make(start=0, end=7, claim_type="prediction"),
        make(note="emoji 🇯🇵 and 東京 and <script>"),
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(collection(annotations)), encoding="utf-8")
    single = tmp_path / "single.json"
    single.write_text(json.dumps(annotations[1].to_w3c()), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(checker), str(path), str(single)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("count", [0, 1, 3])
def test_dump_collection_is_the_collection_one_annotation_per_line(count: int) -> None:
    text = "Hegseth met Nakatani in Tokyo on Sunday."
    anns = [
        Annotation.new(source="urn:x", text=text, start=i, end=i + 7, note=f'"{i}"\n')
        for i in range(count)
    ]
    dumped = dump_collection(anns, label="class")
    assert json.loads(dumped) == collection(anns, label="class")
    assert len(dumped.splitlines()) == (count + 2 if count else 1)
    assert [a.id for a in parse_document(dumped)] == [a.id for a in anns]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ('"note": "\\ud800 alone"', "lone surrogate"),
        ('"note": "\\udfff"', "lone surrogate"),
        ('"start": NaN', "NaN or Infinity"),
        ('"start": Infinity', "NaN or Infinity"),
    ],
)
def test_values_no_file_can_keep_are_refused(tmp_path: Path, raw: str, reason: str) -> None:
    """Read, they would fail later when the class file, report or store is written."""
    path = tmp_path / "odd.json"
    path.write_text('{"type": "Annotation", ' + raw + "}", encoding="utf-8")
    with pytest.raises(ExchangeError) as caught:
        read_annotations(path)
    assert reason in str(caught.value) and "odd.json" in str(caught.value)


def test_a_surrogate_pair_escape_is_text(tmp_path: Path) -> None:
    data = make(note="emoji").to_w3c()
    text = json.dumps(data).replace("emoji", "\\ud83d\\ude00")  # one code point, escaped
    path = tmp_path / "pair.json"
    path.write_text(text, encoding="utf-8")
    assert read_annotations(path)[0].note == "\U0001f600"
