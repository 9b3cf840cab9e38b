"""Agreement figures on classes whose answers were worked out by hand."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from annotate.article import Article, EditorClaim
from annotate.classroom.agreement import (
    MATCH_RULE,
    Mark,
    Scores,
    cohen_kappa,
    compare,
    contested_order,
    matches,
    sentence_agreement,
    sentences,
)
from annotate.classroom.feedback import EDITOR
from annotate.classroom.pseudonyms import pseudonyms
from annotate.classroom.report_data import build_report
from annotate.classroom.report_views import ReportData, StudentScoreView
from annotate.cli import main
from annotate.exchange import collection
from annotate.model import Annotation

from .conftest import SHARED
from .test_classroom import CHAPTER, make_book, mark, save

CLAIMS = (
    EditorClaim("a", "factual", 0, 10),
    EditorClaim("b", "opinion", 20, 30),
    EditorClaim("c", "prediction", 40, 50),
)


def scores(marks: list[Mark], claims: tuple[EditorClaim, ...] = CLAIMS) -> Scores:
    return Scores.of([compare(marks, claims)])


# ---------------------------------------------------------------- span matching


def test_match_needs_half_of_the_shorter_span() -> None:
    assert matches((0, 10), (5, 100))  # overlap 5 = half of 10
    assert not matches((0, 10), (6, 100))  # overlap 4
    assert matches((2, 4), (0, 100))  # a short highlight inside a long claim
    assert not matches((0, 10), (10, 20))  # touching is not overlapping


# ---------------------------------------------------------------- against the editor


def test_identical_to_the_editor_scores_one() -> None:
    s = scores([Mark(c.start, c.end, c.type) for c in CLAIMS])
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)
    assert s.kappa == 1.0 and s.type_agreement == 1.0
    assert s.feedback() == "Found 3 of the editor's 3 claims; gave 3 of them the same type."


def test_no_overlap_gives_recall_zero() -> None:
    s = scores([Mark(11, 19, "factual"), Mark(31, 39, "opinion")])
    assert s.recall == 0.0 and s.precision == 0.0 and s.f1 == 0.0
    assert s.kappa is None and s.kappa_note == "no claim found to compare types on"
    assert s.feedback() == (
        "Found 0 of the editor's 3 claims; 2 highlights mark passages the editor did not"
        " — worth discussing."
    )


def test_partial_scores_by_hand() -> None:
    # Claim a found (as opinion: another type), b found twice (once exactly, as opinion),
    # c missed; one highlight off every claim. Precision 3/4, recall 2/3, F1 = 12/17.
    marks = [
        Mark(0, 8, "opinion"),
        Mark(20, 30, "opinion"),
        Mark(22, 28, "factual"),
        Mark(60, 70, None),
    ]
    s = scores(marks)
    assert (s.on_claim, s.highlights, s.found, s.claims) == (3, 4, 2, 3)
    assert s.precision == 0.75 and s.recall == pytest.approx(2 / 3)
    assert s.f1 == pytest.approx(12 / 17)
    # Pairs (factual, opinion), (opinion, opinion): p_o = 1/2, p_e = (1*0 + 1*2)/4 = 1/2.
    assert s.kappa == 0.0 and s.type_agreement == 0.5
    assert s.feedback() == (
        "Found 2 of the editor's 3 claims; gave 1 of them the same type; 1 highlight marks a"
        " passage the editor did not — worth discussing."
    )


def test_kappa_by_hand() -> None:
    pairs = [("F", "F"), ("O", "O"), ("F", "O"), ("P", "P")]
    # p_o = 3/4; p_e = (2*1 + 1*2 + 1*1)/16 = 5/16; kappa = (12/16 - 5/16)/(11/16) = 7/11.
    kappa, note = cohen_kappa(pairs)
    assert kappa == pytest.approx(7 / 11) and note == ""


def test_kappa_undefined_when_both_use_one_type() -> None:
    kappa, note = cohen_kappa([("factual", "factual")] * 3)
    assert kappa is None and "only one type" in note


def test_no_editor_claims() -> None:
    s = scores([Mark(0, 10, "factual")], ())
    assert s.recall is None and s.f1 is None and s.precision == 0.0
    assert s.feedback() == "The editor marked no claims here, so there is nothing to compare with."


def test_a_student_with_no_highlights() -> None:
    s = scores([])
    assert s.precision is None and s.f1 is None and s.recall == 0.0
    assert s.kappa is None
    assert s.feedback() == "Made no highlights; the editor marked 3 claims."


# ---------------------------------------------------------------- sentences


def test_sentences_follow_the_keyboard_rule() -> None:
    text = "U.S. Defense Secretary Gen. Smith met Mr. Ito. “Will it hold?” he asked.\n\nNew para"
    assert [text[a:b] for a, b in sentences(text)] == [
        "U.S. Defense Secretary Gen. Smith met Mr. Ito.",
        "“Will it hold?”",
        "he asked.",
        "New para",
    ]


def test_sentences_of_a_block_count_from_the_text() -> None:
    text = "Headline\n\nOne. Two."
    assert sentences(text, 10, len(text)) == [(10, 14), (15, 19)]


# ---------------------------------------------------------------- across the class

TEXT = "A b c d."  # four words: "A", "b", "c", "d."


def whole(kind: str | None) -> list[Mark]:
    return [Mark(0, len(TEXT), kind)]


def test_identical_labels_give_alpha_one() -> None:
    # Three students mark "A b" as factual: every word gets one value from all three.
    found = sentence_agreement(TEXT, 0, len(TEXT), {i: [Mark(0, 3, "factual")] for i in range(3)})
    assert found.alpha == 1.0
    assert found.labels == {"factual": 3} and found.entropy == 0.0


def test_a_split_class_gives_the_alpha_worked_by_hand() -> None:
    # Students 0 and 1 mark the whole sentence factual (F); student 2 marks "A b" as
    # opinion (O), leaving "c d." unmarked (U). Units (words) and values:
    #   A: F F O   b: F F O   c: F F U   d.: F F U
    # Coincidences: o_FF = 4, o_FO = o_OF = 2, o_FU = o_UF = 2 (each unit weighs 1/(3-1)).
    # n_F = 8, n_O = 2, n_U = 2, n = 12. D_o = 8/12 = 2/3.
    # D_e = (12^2 - 8^2 - 2^2 - 2^2) / (12 * 11) = 72/132 = 6/11.
    # alpha = 1 - (2/3)/(6/11) = 1 - 11/9 = -2/9.
    marks = {0: whole("factual"), 1: whole("factual"), 2: [Mark(0, 3, "opinion")]}
    found = sentence_agreement(TEXT, 0, len(TEXT), marks)
    assert found.alpha == pytest.approx(-2 / 9)
    assert found.labels == {"factual": 2, "opinion": 1}
    # Entropy of (2/3, 1/3) in bits.
    assert found.entropy == pytest.approx(-(2 / 3) * math.log2(2 / 3) - (1 / 3) * math.log2(1 / 3))


def test_an_even_split_over_whole_sentences() -> None:
    # Two factual, two opinion, each over all four words: per unit o_FF = o_OO = 2/3 and
    # o_FO = o_OF = 4/3; over w = 4 units n = 16, D_o = (32/3)/16 = 2/3,
    # D_e = 2 * 8 * 8 / (16 * 15) = 8/15, alpha = 1 - (2/3)(15/8) = -1/4.
    marks = {0: whole("factual"), 1: whole("factual"), 2: whole("opinion"), 3: whole("opinion")}
    found = sentence_agreement(TEXT, 0, len(TEXT), marks)
    assert found.alpha == pytest.approx(-1 / 4)
    assert found.entropy == 1.0


def test_a_sentence_nobody_marked_is_undefined_never_nan() -> None:
    found = sentence_agreement(TEXT, 0, len(TEXT), {0: [], 1: [Mark(20, 30, "factual")]})
    assert found.alpha is None and found.entropy is None and found.students == 0
    assert found.alpha_note == "undefined: nobody marked this sentence"
    json.dumps(found.__dict__, allow_nan=False)  # would raise on NaN


def test_one_student_or_no_variation_is_undefined() -> None:
    one = sentence_agreement(TEXT, 0, len(TEXT), {0: whole("factual")})
    assert one.alpha is None and "only one student" in one.alpha_note
    same = sentence_agreement(TEXT, 0, len(TEXT), {0: whole("factual"), 1: whole("factual")})
    assert same.alpha is None and "full agreement" in same.alpha_note
    assert same.entropy == 0.0


def test_contested_passages_most_split_first() -> None:
    split = sentence_agreement(
        TEXT, 0, len(TEXT), {0: whole("factual"), 1: whole("factual"), 2: whole("opinion")}
    )
    evenly = sentence_agreement(
        TEXT,
        0,
        len(TEXT),
        {0: whole("factual"), 1: whole("factual"), 2: whole("opinion"), 3: whole("opinion")},
    )
    agreed = sentence_agreement(TEXT, 0, len(TEXT), {0: whole("factual"), 1: whole("factual")})
    # Two against one scores the lower alpha (-3/8: the small-sample correction weighs
    # more with three coders), yet the two-against-two split is the more divided.
    assert split.alpha == pytest.approx(-3 / 8) and evenly.alpha == pytest.approx(-1 / 4)
    assert contested_order([split, agreed, evenly]) == [evenly, split]


# ---------------------------------------------------------------- in the report and feedback


@pytest.fixture()
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Article:
    root = tmp_path / "book"
    root.mkdir()
    monkeypatch.chdir(root)
    return make_book(root)


def as_editor(book: Article, creator: str) -> list[Annotation]:
    """Exactly the editor's claims, with the editor's types."""
    return [
        Annotation.new(
            source=book.source,
            text=book.text,
            start=c.start,
            end=c.end,
            claim_type=c.type,
            creator=creator,
        )
        for c in book.claims
    ]


def the_class(book: Article) -> list[Annotation]:
    return [
        *as_editor(book, "Ana"),
        *as_editor(book, "Ben"),
        mark(book, "bigger fleet", "Cy", claim_type="opinion", note="Bigger than what?"),
        mark(book, "rushed and costly", "Ana", claim_type="opinion", note="Critics' words."),
        mark(book, "rushed and costly", "Ben", claim_type="attribution", note="Who are they?"),
        mark(book, "rushed and costly", "Cy", claim_type="opinion", note="An opinion, quoted."),
    ]


def scores_of(data: ReportData) -> dict[str, StudentScoreView]:
    return {data["students"][s["student"]]: s for s in data["agreement"]["byStudent"]}


def test_report_scores_each_student_against_the_editor(book: Article) -> None:
    data = build_report(the_class(book), book.path.parent.parent)
    got = scores_of(data)
    # Ana: both claims exactly, both types; plus "rushed and costly", which no claim covers.
    assert (got["Ana"]["recall"], got["Ana"]["kappa"], got["Ana"]["typeAgreement"]) == (1, 1, 1)
    assert got["Ana"]["precision"] == pytest.approx(2 / 3) and got["Ana"]["f1"] == 0.8
    assert got["Cy"]["recall"] == 0.0 and got["Cy"]["f1"] == 0.0 and got["Cy"]["kappa"] is None
    assert got["Cy"]["feedback"] == (
        "Found 0 of the editor's 2 claims; 2 highlights mark passages the editor did not"
        " — worth discussing."
    )
    assert data["agreement"]["matchRule"] == MATCH_RULE
    json.dumps(data, allow_nan=False)  # undefined figures are null, never NaN


def test_report_identical_to_editor_gives_f1_and_kappa_one(book: Article) -> None:
    data = build_report(as_editor(book, "Ana") + as_editor(book, "Ben"), book.path.parent.parent)
    for s in scores_of(data).values():
        assert (s["precision"], s["recall"], s["f1"], s["kappa"]) == (1, 1, 1, 1)


def test_report_sentences_and_contested_passages(book: Article) -> None:
    data = build_report(the_class(book), book.path.parent.parent)
    (chapter,) = data["chapters"]
    by_text = {book.text[s["start"] : s["end"]]: s for s in chapter["sentences"]}
    nobody = by_text["Ships sail at dawn"]
    assert (
        nobody["alpha"] is None and nobody["alphaNote"] == "undefined: nobody marked this sentence"
    )
    assert nobody["entropy"] is None and nobody["labels"] == {}
    (contested,) = chapter["contested"]
    assert contested["text"] == "Critics called it rushed and costly."
    assert [(s["label"], s["students"]) for s in contested["sides"]] == [
        ("opinion", 2),
        ("attribution", 1),
    ]
    said = [[chapter["notes"][i]["note"] for i in s["notes"]] for s in contested["sides"]]
    assert said == [["An opinion, quoted.", "Critics' words."], ["Who are they?"]]


def test_report_with_no_editor_claims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    plain = make_book(tmp_path, CHAPTER.replace("{claim}", "{term}"))
    assert plain.claims == ()
    data = build_report([mark(plain, "port", "Ana", claim_type="factual")], tmp_path)
    (s,) = data["agreement"]["byStudent"]
    assert s["recall"] is None and s["f1"] is None and s["precision"] == 0.0
    assert s["feedback"] == "The editor marked no claims here, so there is nothing to compare with."


def test_report_a_student_with_no_placed_highlights(book: Article) -> None:
    lost = replace(mark(book, "port", "Dee"), exact="submarines", start=500, end=510)
    data = build_report([*as_editor(book, "Ana"), lost], book.path.parent.parent)
    dee = scores_of(data)["Dee"]
    assert dee["highlights"] == 0 and dee["precision"] is None and dee["recall"] == 0.0
    assert dee["feedback"] == "Made no highlights; the editor marked 2 claims."


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_feedback_file_says_what_the_student_missed(
    book: Article, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    anns = [
        mark(book, "three ships will sail on Monday", "Cy", claim_type="factual"),
        mark(book, "bigger fleet", "Cy", claim_type="opinion"),
        *as_editor(book, "Ana"),
    ]
    save(Path("class.json"), collection(anns))
    code, out, _ = run(["feedback", "class.json", "--student", "Cy", "-o", "cy.json"], capsys)
    assert code == 0, out
    summary = (
        "Found 1 of the editor's 2 claims; gave it another type; 1 highlight marks a passage"
        " the editor did not — worth discussing."
    )
    data = json.loads(Path("cy.json").read_text(encoding="utf-8"))
    assert data["label"] == f"Feedback for Cy: {summary}"
    items = data["first"]["items"]
    assert {i["motivation"] for i in items} == {"assessing"}
    assert {i["creator"]["name"] for i in items} == {EDITOR}
    got = {Annotation.from_w3c(i).exact: Annotation.from_w3c(i).note for i in items}
    assert got == {
        "Ships sail at dawn": f"Your reading against the editor's claims: {summary} {MATCH_RULE}",
        "three ships will sail": "The editor marked this as a claim: Prediction. You found it"
        " and gave it another type: Factual claim.",
        "confirmed the plan": "The editor marked this as a claim: Factual claim. You did not"
        " mark it.",
        "bigger fleet": "You marked this; the editor did not mark it as a claim. Worth discussing.",
    }

    # The W3C checker passes the file, and the student can import it.
    checker = SHARED / "tools" / "w3c_check.py"
    if checker.exists():
        proc = subprocess.run([sys.executable, str(checker), "cy.json"], capture_output=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    code, out, _ = run(["import", "cy.json", "--store", str(tmp_path / "cy.db")], capsys)
    assert code == 0
    assert "imported 4 annotation(s) from 1 file(s): 4 anchored, 0 moved, 0 orphaned" in out


def test_anonymized_feedback_uses_the_pseudonym(
    book: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    save(Path("class.json"), collection(the_class(book)))
    alias = pseudonyms(["Ana", "Ben", "Cy"])["Ana"]
    argv = ["feedback", "class.json", "--anonymize", "-o"]
    assert run([*argv, "by-name.json", "--student", "Ana"], capsys)[0] == 0
    assert run([*argv, "by-alias.json", "--student", alias], capsys)[0] == 0
    for name in ("by-name.json", "by-alias.json"):
        text = Path(name).read_text(encoding="utf-8")
        assert "Ana" not in text
        assert json.loads(text)["label"].startswith(f"Feedback for {alias}: Found 2 of")


def test_feedback_for_an_unknown_student_is_a_one_line_error(
    book: Article, capsys: pytest.CaptureFixture[str]
) -> None:
    save(Path("class.json"), collection(the_class(book)))
    code, _, err = run(["feedback", "class.json", "--student", "Zed", "-o", "z.json"], capsys)
    assert code == 1
    assert err == "annotate: error: no annotations by 'Zed' in the class file\n"
    assert not Path("z.json").exists()


def test_the_report_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """Entropy is a float sum: summed in a set's order it changed in its last digit."""
    import subprocess
    import sys

    code = (
        "from annotate.classroom.agreement import Mark, sentence_agreement\n"
        "marks = {s: [Mark(0, 20, t)] for s, t in enumerate("
        "['factual', 'opinion', 'framing', 'quotation', 'prediction', 'attribution', 'factual'])}\n"
        "print(repr(sentence_agreement('A sentence of words.', 0, 20, marks).entropy))"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("0", "1", "2", "3", "4", "5")
    }
    assert len(outs) == 1, outs
