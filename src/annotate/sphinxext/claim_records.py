"""What the build remembers of marked claims and their explanations, page by page.

Each ``{claim}`` mark and each ``{claim-explanation}`` leaves a record in the
build environment, by claim id. A page read again is purged first, pages read
in parallel are merged, and once every page is read the two tables are checked
against each other: a claim without an explanation and an explanation without
a claim are build warnings (errors under ``-W``).
"""

from __future__ import annotations

from typing import TypedDict

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

__all__ = [
    "ClaimRecord",
    "ExplanationRecord",
    "check",
    "claims_of",
    "explanations_of",
    "merge",
    "purge",
]

logger = logging.getLogger(__name__)


class ClaimRecord(TypedDict):
    """What the environment remembers of one marked claim."""

    docname: str
    serial: int
    words: str
    type: str
    lineno: int


class ExplanationRecord(TypedDict):
    docname: str
    status: str


def claims_of(env: BuildEnvironment) -> dict[str, ClaimRecord]:
    if not hasattr(env, "annotate_claims"):
        env.annotate_claims = {}  # type: ignore[attr-defined]
    return env.annotate_claims  # type: ignore[attr-defined, no-any-return]


def explanations_of(env: BuildEnvironment) -> dict[str, ExplanationRecord]:
    if not hasattr(env, "annotate_explanations"):
        env.annotate_explanations = {}  # type: ignore[attr-defined]
    return env.annotate_explanations  # type: ignore[attr-defined, no-any-return]


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    for table in (claims_of(env), explanations_of(env)):
        for key in [k for k, v in table.items() if v["docname"] == docname]:
            del table[key]


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    # Pages read in parallel were checked apart: a reuse across them shows here.
    claims = claims_of(env)
    for claim_id, rec in claims_of(other).items():
        if claim_id in claims and claims[claim_id]["docname"] != rec["docname"]:
            logger.warning(
                "claim id %r is already used in %s",
                claim_id,
                claims[claim_id]["docname"],
                location=(rec["docname"], rec["lineno"]),
            )
    claims.update(claims_of(other))
    explanations_of(env).update(explanations_of(other))


def check(app: Sphinx, env: BuildEnvironment) -> None:
    claims, explanations = claims_of(env), explanations_of(env)
    for claim_id in sorted(claims.keys() - explanations.keys()):
        rec = claims[claim_id]
        logger.warning(
            "claim %r has no {claim-explanation}",
            claim_id,
            location=(rec["docname"], rec["lineno"]),
        )
    for claim_id in sorted(explanations.keys() - claims.keys()):
        logger.warning(
            "{claim-explanation} %r explains no marked claim",
            claim_id,
            location=explanations[claim_id]["docname"],
        )
