"""One parse rule: Python and the browser accept or refuse the same annotations, alike.

``tests/fixtures/annotation-cases.json`` holds valid and invalid W3C annotations
(limits, offsets, tags, times, missing parts, odd ids), each with what must come
of it: the fields read, or the error code (``model.ERROR_CODES``). Both
``annotate.model``/``annotate.exchange`` and ``frontend/core/model.js`` are held to it.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from annotate.exchange import ExchangeError, parse_document
from annotate.model import ERROR_CODES, NOTE_LIMIT, Annotation, AnnotationError, instant
from annotate.vocabulary import vocabulary_json

from .conftest import ROOT

CASES: list[dict[str, Any]] = json.loads(
    (ROOT / "tests" / "fixtures" / "annotation-cases.json").read_text(encoding="utf-8")
)
MODEL_JS = ROOT / "src" / "annotate" / "frontend" / "core" / "model.js"
# Python's attribute for each field name the fixture (and the browser's record) uses.
FIELDS = {"claimType": "claim_type", "replyTo": "reply_to"}
FIELD_NAMES = (
    "id",
    "start",
    "end",
    "orphan",
    "positioned",
    "claimType",
    "status",
    "note",
    "creator",
    "audience",
    "replyTo",
    "canonical",
)


def python_outcome(data: Any) -> dict[str, Any]:
    try:
        ann = Annotation.from_w3c(data)
    except AnnotationError as err:
        return {"error": err.code}
    # from_w3c builds without the dataclass's own checks (model.assemble): they hold all
    # the same, and the dataclass's __init__ makes the very same annotation.
    assert vars(dataclasses.replace(ann)) == vars(ann)
    record = {name: getattr(ann, FIELDS.get(name, name)) for name in FIELD_NAMES}
    return {
        "ok": {**record, "tags": list(ann.tags), "created": ann.created, "modified": ann.modified}
    }


def agrees(outcome: dict[str, Any], expected: dict[str, Any]) -> bool:
    if "error" in expected:
        return outcome == expected
    return "ok" in outcome and all(outcome["ok"][k] == v for k, v in expected["ok"].items())


def test_the_cases_cover_every_error_code_and_both_outcomes() -> None:
    codes = {c["expected"].get("error") for c in CASES}
    assert codes - {None} == set(ERROR_CODES)
    assert None in codes
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_python_reads_each_case_as_the_fixture_says(case: dict[str, Any]) -> None:
    outcome = python_outcome(case["annotation"])
    assert agrees(outcome, case["expected"]), outcome


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_a_file_of_one_case_is_refused_with_the_same_code(case: dict[str, Any]) -> None:
    text = json.dumps([case["annotation"]], ensure_ascii=False)
    if "error" in case["expected"]:
        with pytest.raises(ExchangeError) as err:
            parse_document(text)
        assert err.value.code == case["expected"]["error"]
        assert err.value.item and err.value.item.startswith("item 1")
    else:
        assert len(parse_document(text)) == 1


@pytest.fixture(scope="module")
def model_page(browser: Any) -> Any:
    page = browser.new_page()
    page.add_script_tag(path=str(MODEL_JS))
    yield page
    page.close()


@pytest.mark.browser
def test_the_browser_reads_every_case_as_python_does(model_page: Any) -> None:
    outcomes = model_page.evaluate(
        """([cases, vocabulary]) => cases.map((c) => {
             try {
               const r = AnnotateModel.fromW3C(c.annotation, vocabulary);
               return {ok: r};
             } catch (err) {
               return err instanceof AnnotateModel.AnnotationError ? {error: err.code}
                 : {crash: String(err)};
             }
           })""",
        [CASES, {**vocabulary_json(), "noteLimit": NOTE_LIMIT}],
    )
    wrong = [
        (case["name"], got)
        for case, got in zip(CASES, outcomes, strict=True)
        if not agrees(got, case["expected"])
    ]
    assert wrong == []
    # Beyond the fixture's expectations: everything both read, they read alike.
    for case, got in zip(CASES, outcomes, strict=True):
        py = python_outcome(case["annotation"])
        if "ok" in py and "created" in case["annotation"] and case["annotation"]["created"]:
            assert {k: got["ok"][k] for k in py["ok"]} == py["ok"], case["name"]


@pytest.mark.browser
def test_error_codes_and_times_are_the_same_in_the_browser(model_page: Any) -> None:
    assert model_page.evaluate("AnnotateModel.ERROR_CODES") == list(ERROR_CODES)
    times = [
        "2025-03-30T12:00:00Z",
        "2025-03-30T12:00:00.5Z",
        "2025-03-30T12:00:00.123456789123Z",
        "2025-03-30T21:00:00+09:00",
        "2025-03-30T06:30:00-05:30",
        "2025-03-30T12:00:00",
        "1969-12-31T23:59:59.999Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "2000-02-29T00:00:00Z",
    ]
    js = model_page.evaluate("(ts) => ts.map((t) => AnnotateModel.instant(t))", times)
    assert [tuple(x) for x in js] == [instant(t) for t in times]
    # Instants, not strings: a zone, or milliseconds, change the order strings would give.
    assert (
        model_page.evaluate(
            "AnnotateModel.compareTimes('2025-03-30T13:00:00+02:00', '2025-03-30T12:00:00Z')"
        )
        == -1
    )
    assert (
        model_page.evaluate(
            "AnnotateModel.compareTimes('2025-03-30T12:00:00Z', '2025-03-30T12:00:00.001Z')"
        )
        == -1
    )
    assert model_page.evaluate("AnnotateModel.now()").endswith("Z")
    assert "." in model_page.evaluate("AnnotateModel.now()")  # milliseconds kept
