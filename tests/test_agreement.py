"""Agreement figures on classes whose answers were worked out by hand."""

from __future__ import annotations

import json
import math

import pytest

from annotate.article import EditorClaim
from annotate.classroom.agreement import (
    Mark,
    Scores,
    cohen_kappa,
    compare,
    contested_order,
    matches,
    sentence_agreement,
    sentences,
)

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
