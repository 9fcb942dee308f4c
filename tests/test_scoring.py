"""The gap score (method 2.1) on small hand-made cases, with every number worked out by hand in
the test, and its properties checked on generated cases.

In the fixture, acme-denial (Acme's own English words, verbatim, verified: claim certainty
1.0 x 1.0 = 1.0) is refuted by acme-files: a third party's finding in an investigative report
(voice third_party 0.7, first-hand: relay 1.0), verified (certainty 1.0), high confidence (1.0),
refutes (1.0). Strength 0.7 x 1.0 x 1.0 x 1.0 x 1.0 = 0.7; gap 100 x 0.7 x 1.0 = 70.0."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import (
    ID_FIELDS,
    REPO,
    TODAY,
    corrected,
    examples,
    identify,
    minimal_case,
    once_per_run,
    record,
    variant_name,
    write_case,
    write_variant,
)
from transforms.build import build
from transforms.db import dict_rows
from transforms.exporters.query import make_live
from transforms.store import PACKAGE_NAMES


def _claim(con, claim_id: str, as_of: str | None = None, clock: str = "published") -> dict:
    source = (
        "claim_gap" if as_of is None else f"claim_gap_as_of(DATE '{as_of}', clock := '{clock}')"
    )
    rows = dict_rows(con, f"select * from {source} where claim_id = ?", [claim_id])
    return rows[0] if rows else {}


# What a claim's and a link's score rest on, compared between a release and the released clock.
_GAP_COLUMNS = (
    "claim_review_status",
    "claim_certainty",
    "contradiction_strength",
    "gap_score",
    "status",
)
_LINK_COLUMNS = ("evidence_review_status", "relay", "certainty_weight", "strength")


def _first(con, source: str, where: str, columns: tuple[str, ...]) -> dict:
    """The `columns` of the first row of `source` that meets `where`."""
    return dict_rows(con, f"select {', '.join(columns)} from {source} where {where}")[0]


def _company(con, company_id: str, as_of: str | None = None) -> dict:
    source = "company_gap" if as_of is None else f"company_gap_as_of(DATE '{as_of}')"
    return dict_rows(con, f"select * from {source} where company_id = ?", [company_id])[0]


def _source(source_id: str, source_type: str, **extra) -> dict:
    return {
        "source_id": source_id,
        "publisher": f"Publisher of {source_id}",
        "source_lang": "en",
        "source_type": source_type,
        "review_status": "verified",
        **extra,
    }


def _evidence(evidence_id: str, source_id: str, voice: str, **extra) -> dict:
    return {
        "evidence_id": evidence_id,
        "company_id": "acme",
        "source_id": source_id,
        "evidence_date": "2023-05-02",
        "evidence_type": "investigative_finding",
        "voice": voice,
        "summary": f"Evidence {evidence_id}.",
        "review_status": "verified",
        "review_note": "No wording in this fixture.",
        **extra,
    }


def _link(claim_id: str, evidence_id: str, relation: str, confidence: str = "high") -> dict:
    return {
        "claim_id": claim_id,
        "evidence_id": evidence_id,
        "relation": relation,
        "confidence": confidence,
        "rationale": "Fixture link.",
    }


def test_base_case_scores_as_worked_out(built: Path) -> None:
    con = duckdb.connect(str(built / "saydo.duckdb"))  # a copy of the hand-made case's build
    denial = _claim(con, "acme-denial")
    assert (denial["claim_wording"], denial["claim_review_status"], denial["claim_certainty"]) == (
        "verbatim",
        "verified",
        1.0,
    )
    assert (denial["contradiction_strength"], denial["gap_score"], denial["status"]) == (
        0.7,
        70.0,
        "contradicted",
    )
    assert denial["refuting_evidence_ids"] == ["acme-files"]
    (link,) = dict_rows(con, "select * from link_scores")
    assert (link["voice"], link["relay"], link["voice_weight"], link["relay_weight"]) == (
        "third_party",
        "first_hand",
        0.7,
        1.0,
    )
    assert (link["strength"], link["counted"], link["counted_strength"]) == (0.7, True, 0.7)
    arabic = _claim(con, "acme-arabic")
    assert (arabic["gap_score"], arabic["status"]) == (0.0, "unverified")
    company = _company(con, "acme")
    # One tested claim at 70.0: the mean is 70.0, from 50 the band is high (75 is severe).
    assert (company["tested_claims"], company["gap_score"], company["band"]) == (1, 70.0, "high")
    assert company["method_version"] == "2.1"


# --- variants of the hand-made case, scored together in one build --------------------------
# Each variant below is a function that returns a whole case; the module's one build holds
# them all, each in its own file with its ids prefixed by its name (conftest.write_variant), so
# no two meet: a claim's score reads only its own links and a company's only its own claims.
VARIANTS: dict[str, Callable[[], dict]] = {}


def variant(make_case: Callable[[], dict]) -> Callable[[], dict]:
    name = variant_name(make_case.__name__)
    # A name that began another's (context, context-only) would read the other's rows as its own.
    assert not any(f"{name}-".startswith(f"{other}-") for other in VARIANTS), name
    assert not any(f"{other}-".startswith(f"{name}-") for other in VARIANTS), name
    VARIANTS[name] = make_case
    return make_case


def _bare(value, prefix: str):
    """`value` with `prefix` taken off wherever it appears (ids, lists of ids, and the ids a
    message or a merge reason names)."""
    if isinstance(value, str):
        return value.replace(prefix, "")
    if isinstance(value, list):
        return [_bare(item, prefix) for item in value]
    return value


@dataclass(frozen=True)
class Scored:
    """One variant's rows in the shared build, with its prefix taken off every value, so a
    test reads them as if its case had been built alone."""

    con: duckdb.DuckDBPyConnection
    name: str

    def id(self, bare_id: str) -> str:
        return f"{self.name}-{bare_id}"

    def rows(self, sql: str, parameters: list | None = None) -> list[dict]:
        """The rows of `sql` that belong to this variant. Each row must carry an id of some
        variant: a row that belongs to none (an id lost or unprefixed) fails here rather than
        go unseen."""
        mine = []
        for row in dict_rows(self.con, sql, parameters):
            ids = [row[column] for column in row if column in ID_FIELDS]
            assert ids, f"no id column to tell the variants apart in: {sql}"
            owners = {
                name
                for name in VARIANTS
                if any(isinstance(i, str) and i.startswith(f"{name}-") for i in ids)
            }
            assert len(owners) == 1, f"a row of no one variant: {row}"
            if owners == {self.name}:
                mine.append(self._bare_row(row))
        return mine

    def pairs(self, sql: str) -> dict:
        """This variant's rows of a two-column `sql` (an id, then a value) as a dict."""
        return {first: second for first, second in (row.values() for row in self.rows(sql))}

    def claim(self, claim_id: str, as_of: str | None = None, clock: str = "published") -> dict:
        return self._bare_row(_claim(self.con, self.id(claim_id), as_of, clock))

    def company(self, company_id: str) -> dict:
        return self._bare_row(_company(self.con, self.id(company_id)))

    def _bare_row(self, row: dict) -> dict:
        return {column: _bare(value, self.id("")) for column, value in row.items()}


@pytest.fixture(scope="module")
def variants() -> Iterator[Callable[..., Scored]]:
    """Every variant built once for the run; called with a variant's function, its Scored
    rows."""

    def make(folder: Path) -> None:
        for name, make_case in VARIANTS.items():
            write_variant(folder / "datasets", make_case(), name)
        build(folder / "datasets", folder / "dist", today=TODAY, gate=False)

    folder = once_per_run("scoring-variants", make)
    con = duckdb.connect(str(folder / "dist" / "saydo.duckdb"), read_only=True)
    yield lambda make_case: Scored(con, variant_name(make_case.__name__))
    con.close()


@variant
def _independent_pieces() -> dict:
    case = minimal_case()
    case["sources"] += [
        _source("src-order", "regulator_action"),
        _source("src-research", "research_report"),
    ]
    case["evidence"] += [
        _evidence("acme-order", "src-order", "government"),
        _evidence("acme-audit", "src-research", "third_party"),
    ]
    # The denial twice in one package (a claim's score reads only its own links): refuted by
    # the files and the order; the copy refuted by both as well, and supported by the audit.
    case["claims"].append(dict(case["claims"][0], claim_id="acme-denial-supported"))
    case["links"] += [
        _link("acme-denial", "acme-order", "refutes", "medium"),
        _link("acme-denial-supported", "acme-files", "refutes"),
        _link("acme-denial-supported", "acme-order", "refutes", "medium"),
        _link("acme-denial-supported", "acme-audit", "supports", "medium"),
    ]
    return case


def test_independent_pieces_combine_and_support_pulls_down(variants) -> None:
    scored = variants(_independent_pieces)
    # The order: government 0.9 x first-hand 1.0 x medium 0.6 x verified 1.0 = 0.54.
    # Two independent pieces: 1 - (1 - 0.7)(1 - 0.54) = 1 - 0.3 x 0.46 = 0.862: gap 86.2.
    denial = scored.claim("acme-denial")
    assert (denial["contradiction_strength"], denial["gap_score"]) == (0.862, 86.2)
    assert denial["refuting_evidence_ids"] == ["acme-files", "acme-order"]  # strongest first

    # Support: third_party 0.7 x first-hand 1.0 x medium 0.6 = 0.42, offset 0.5:
    # 100 x 0.862 x (1 - 0.5 x 0.42) = 86.2 x 0.79 = 68.098: gap 68.1, and refuted and
    # supported is 'disputed'.
    supported = scored.claim("acme-denial-supported")
    assert (
        supported["contradiction_strength"],
        supported["support_strength"],
        supported["gap_score"],
        supported["status"],
    ) == (0.862, 0.42, 68.1, "disputed")


@variant
def _two_supporting_pieces() -> dict:
    case = minimal_case()
    case["sources"] += [
        _source("src-research", "research_report"),
        _source("src-audit", "research_report"),
    ]
    case["evidence"] += [
        _evidence("acme-research", "src-research", "third_party"),
        _evidence("acme-audit", "src-audit", "third_party"),
    ]
    case["links"] += [
        _link("acme-denial", "acme-research", "supports", "medium"),
        _link("acme-denial", "acme-audit", "supports", "medium"),
        _link("acme-arabic", "acme-research", "supports", "medium"),
    ]
    return case


def test_two_supporting_pieces_combine_by_noisy_or_and_support_alone_is_supported(variants) -> None:
    scored = variants(_two_supporting_pieces)
    # Each support: third_party 0.7 x first-hand 1.0 x medium 0.6 x verified 1.0 = 0.42.
    # Two independent ones: 1 - (1 - 0.42)(1 - 0.42) = 1 - 0.3364 = 0.6636 (max would be 0.42).
    # Gap: 100 x 0.7 x (1 - 0.5 x 0.6636) = 70 x 0.6682 = 46.774: 46.8, refuted and supported.
    denial = scored.claim("acme-denial")
    assert (denial["support_strength"], denial["gap_score"], denial["status"]) == (
        0.6636,
        46.8,
        "disputed",
    )
    # Supported and refuted by nothing: 'supported', a gap of 0.0.
    arabic = scored.claim("acme-arabic")
    assert (arabic["support_strength"], arabic["gap_score"], arabic["status"]) == (
        0.42,
        0.0,
        "supported",
    )
    # Both are tested (any refuting or supporting evidence), so the supported claim's 0.0
    # counts in Acme's mean: (46.8 + 0.0) / 2 = 23.4, below 25: low; the highest claim is 46.8.
    company = scored.company("acme")
    assert (
        company["tested_claims"],
        company["gap_score"],
        company["band"],
        company["max_claim_gap_score"],
    ) == (2, 23.4, "low", 46.8)


@variant
def _context() -> dict:
    case = minimal_case()
    case["evidence"].append(_evidence("acme-background", "src-report", "third_party"))
    case["links"].append(_link("acme-denial", "acme-background", "context"))
    return case


def test_context_is_shown_but_does_not_score(variants) -> None:
    scored = variants(_context)
    denial = scored.claim("acme-denial")
    assert (denial["context_evidence_ids"], denial["gap_score"]) == (["acme-background"], 70.0)
    (context,) = scored.rows("select * from link_scores where relation = 'context'")
    assert (context["strength"], context["counted"], context["counted_strength"]) == (
        0.0,
        False,
        0.0,
    )


@variant
def _own_words_relayed() -> dict:
    case = minimal_case()
    case["sources"].append(_source("src-news", "news_report"))
    brochure = _evidence(
        "acme-brochure",
        "src-news",
        "company",
        quote="We track everyone.",
        quote_lang="en",
        quote_kind="verbatim",
    )
    # The same brochure once as checked and once read only at second hand, each refuting its
    # own copy of the denial (a link's strength reads only its own claim and evidence).
    second_hand = dict(brochure, evidence_id="acme-brochure-second-hand")
    second_hand["review_status"] = "secondary_only"
    case["evidence"] = [brochure, second_hand, case["evidence"][1]]
    case["claims"].append(dict(case["claims"][0], claim_id="acme-denial-again"))
    case["links"] = [
        _link("acme-denial", "acme-brochure", "refutes"),
        _link("acme-denial-again", "acme-brochure-second-hand", "refutes"),
    ]
    case["responses"] = []
    return case


def test_the_companys_own_words_relayed_weigh_as_its_words_discounted_for_the_relay(
    variants,
) -> None:
    scored = variants(_own_words_relayed)
    links = {link["evidence_id"]: link for link in scored.rows("select * from link_scores")}
    assert set(links) == {"acme-brochure", "acme-brochure-second-hand"}
    link = links["acme-brochure"]
    # The company 1.0, relayed by a news report 0.7, high 1.0, verified 1.0: 0.7.
    assert (link["voice_weight"], link["relay"], link["relay_weight"], link["strength"]) == (
        1.0,
        "news_report",
        0.7,
        0.7,
    )
    # Read only at second hand, the relay is not discounted twice: secondary_only 0.6 does it.
    link = links["acme-brochure-second-hand"]
    assert (link["relay"], link["relay_weight"], link["certainty_weight"], link["strength"]) == (
        "read_at_second_hand",
        1.0,
        0.6,
        0.6,
    )


@variant
def _same_primary_material() -> dict:
    case = minimal_case()
    case["sources"] += [
        _source(
            "src-recording",
            "leaked_document",
            review_status="secondary_only",
            review_note="Known only through the reports.",
        ),
        _source("src-news", "news_report"),
    ]
    recording = {"primary_source_id": "src-recording"}
    case["evidence"] = [
        _evidence("acme-tape-report", "src-report", "company_agent", **recording),
        _evidence("acme-tape-news", "src-news", "company_agent", **recording),
        case["evidence"][1],
    ]
    case["links"] = [
        _link("acme-denial", "acme-tape-report", "refutes"),
        _link("acme-denial", "acme-tape-news", "refutes"),
    ]
    case["responses"] = []
    return case


def test_pieces_on_the_same_primary_material_count_once(variants) -> None:
    scored = variants(_same_primary_material)
    links = {r["evidence_id"]: r for r in scored.rows("select * from link_scores")}
    # Both rest on the recording, which saydo knows only second-hand: each piece's effective
    # review status is secondary_only (0.6), so neither is relay-discounted again.
    # company_agent 0.9 x 1.0 x high 1.0 x 0.6 = 0.54 each; one counts (a tie goes to the first
    # id), the other merges into it.
    assert {e: (r["strength"], r["counted"]) for e, r in links.items()} == {
        "acme-tape-news": (0.54, True),
        "acme-tape-report": (0.54, False),
    }
    assert links["acme-tape-report"]["merged_into"] == "acme-tape-news"
    assert "src-recording" in links["acme-tape-report"]["merged_because"]
    # Counted once: 54.0, not 1 - 0.46 x 0.46 = 0.7884.
    assert scored.claim("acme-denial")["gap_score"] == 54.0


@variant
def _translation_of_the_report() -> dict:
    case = minimal_case()
    case["sources"].append(
        _source(
            "src-translation",
            "investigative_journalism",
            source_lang="ar",
            based_on_source_id="src-report",
        )
    )
    case["evidence"].append(_evidence("acme-files-ar", "src-translation", "third_party"))
    case["links"].append(_link("acme-denial", "acme-files-ar", "refutes"))
    return case


def test_a_translation_is_not_independent_of_its_original(variants) -> None:
    scored = variants(_translation_of_the_report)
    denial = scored.claim("acme-denial")
    # Both trace to src-report: one piece of strength 0.7, not 1 - 0.3 x 0.3 = 0.91.
    assert (denial["refuting_evidence_count"], denial["gap_score"]) == (2, 70.0)


@variant
def _claim_without_wording() -> dict:
    case = minimal_case()
    claim = case["claims"][0]
    for field in ("quote", "quote_lang", "quote_kind"):
        claim.pop(field)
    claim["review_note"] = "Known only as described."
    return case


def test_a_claim_without_wording_is_never_contradicted(variants) -> None:
    scored = variants(_claim_without_wording)
    denial = scored.claim("acme-denial")
    # Claim certainty: no wording 0.5 x verified 1.0 = 0.5; gap 100 x 0.7 x 0.5 = 35.0, and
    # the status says the claim itself needs confirming.
    assert (denial["claim_wording"], denial["claim_certainty"], denial["gap_score"]) == (
        "none",
        0.5,
        35.0,
    )
    assert denial["status"] == "unconfirmed"
    assert scored.company("acme")["unconfirmed_claims"] == 1


@variant
def _claims_that_need_confirming() -> dict:
    """Three refuted claims the package cannot confirm as the company's own words: one known
    only as described (also supported), one whose own review needs it, one whose quote kind
    says verbatim but whose words were not kept."""
    case = minimal_case()
    denial = case["claims"][0]
    described = {k: v for k, v in denial.items() if k not in ("quote", "quote_lang", "quote_kind")}
    case["claims"] += [
        {**described, "claim_id": "acme-described", "review_note": "Known only as described."},
        {
            **denial,
            "claim_id": "acme-unread",
            "review_status": "needs_review",
            "review_note": "Unread.",
        },
        {
            **{k: v for k, v in denial.items() if k not in ("quote", "quote_lang")},
            "claim_id": "acme-unkept",
            "review_note": "The words were not kept.",
        },
    ]
    case["evidence"].append(_evidence("acme-support", "src-report", "third_party"))
    case["links"] += [
        _link("acme-described", "acme-files", "refutes"),
        _link("acme-described", "acme-support", "supports"),
        _link("acme-unread", "acme-files", "refutes"),
        _link("acme-unkept", "acme-files", "refutes"),
    ]
    return case


def test_a_claim_not_confirmed_as_the_companys_words_is_unconfirmed_first(variants) -> None:
    scored = variants(_claims_that_need_confirming)
    # Refuted and supported, but known only as described: 'unconfirmed' comes before
    # 'disputed', since what the company said is itself in doubt.
    assert scored.claim("acme-described")["status"] == "unconfirmed"
    # (claim certainty, gap score, status), refuted by the files (0.7) alone:
    expected = {
        # verbatim, its own review needs_review: certainty 1.0 x 0.5, gap 100 x 0.7 x 0.5 = 35.0,
        # below 50, and still 'unconfirmed', not 'questioned';
        "acme-unread": (0.5, 35.0, "unconfirmed"),
        # said to be verbatim with no words kept: certainty 1.0 x verified 1.0, gap 70.0, over
        # 50, yet never 'contradicted' on words the package does not hold.
        "acme-unkept": (1.0, 70.0, "unconfirmed"),
    }
    for claim_id, figures in expected.items():
        claim = scored.claim(claim_id)
        assert (claim["claim_certainty"], claim["gap_score"], claim["status"]) == figures


def test_a_supporting_piece_is_never_merged_into_a_refuting_one_from_the_same_report(
    variants,
) -> None:
    # acme-described is refuted by the files and supported by acme-support, both read in
    # src-report. Pieces count once per claim, relation and material: the refutation and the
    # support are not the same finding twice, so both count. Each is third_party 0.7 x
    # first-hand 1.0 x high 1.0 x verified 1.0 = 0.7; no wording 0.5 x verified 1.0 = 0.5:
    # 100 x 0.7 x (1 - 0.5 x 0.7) x 0.5 = 100 x 0.7 x 0.65 x 0.5 = 22.75, half up 22.8 (were
    # the support merged into the refutation, 100 x 0.7 x 0.5 = 35.0).
    described = variants(_claims_that_need_confirming).claim("acme-described")
    assert (
        described["contradiction_strength"],
        described["support_strength"],
        described["claim_certainty"],
        described["gap_score"],
    ) == (0.7, 0.7, 0.5, 22.8)


# Certainty: the wording weight x verified 1.0; paraphrase: gap 100 x 0.7 x 0.8 = 56.0, over
# the threshold of 50, yet not the company's words, so never 'contradicted'. The company's words
# as a source translated them do confirm it: 100 x 0.7 x 1.0.
WORDING_EXPECTED = {
    "paraphrase": (0.8, 56.0, "unconfirmed"),
    "back_translation": (0.8, 56.0, "unconfirmed"),
    "headline": (0.6, 42.0, "unconfirmed"),
    "translation": (1.0, 70.0, "contradicted"),
}


@variant
def _kinds_of_wording() -> dict:
    # The denial copied once per kind of wording, each refuted by the same files (a claim's
    # score reads only its own links, so the copies do not touch each other).
    case = minimal_case()
    denial, refutation = case["claims"][0], case["links"][0]
    for quote_kind in WORDING_EXPECTED:
        claim_id = f"acme-denial-{quote_kind.replace('_', '-')}"
        case["claims"].append(dict(denial, claim_id=claim_id, quote_kind=quote_kind))
        case["links"].append(dict(refutation, claim_id=claim_id))
    return case


def test_a_paraphrase_or_back_translation_never_confirms_a_claim(variants) -> None:
    scored = variants(_kinds_of_wording)
    for quote_kind, (certainty, gap, status) in WORDING_EXPECTED.items():
        claim = scored.claim(f"acme-denial-{quote_kind.replace('_', '-')}")
        assert (claim["claim_certainty"], claim["gap_score"], claim["status"]) == (
            certainty,
            gap,
            status,
        ), quote_kind


@variant
def _report_resting_on_an_unread_order() -> dict:
    case = minimal_case()
    case["sources"] += [
        _source(
            "src-unread-order",
            "regulator_action",
            review_status="needs_review",
            review_note="Not read.",
        ),
    ]
    case["sources"][0]["based_on_source_id"] = "src-unread-order"
    return case


def test_review_status_reaches_every_record_resting_on_a_source(variants) -> None:
    scored = variants(_report_resting_on_an_unread_order)
    status = scored.pairs("select evidence_id, effective_review_status from evidence")
    assert status["acme-files"] == "needs_review"  # its source rests on an unread order
    assert scored.rows("select claim_id, effective_review_status from claim_evidence") == [
        {"claim_id": "acme-denial", "effective_review_status": "needs_review"}
    ]
    # 0.7 x certainty needs_review 0.3 = 0.21: gap 21.0, below 50: questioned.
    denial = scored.claim("acme-denial")
    assert (denial["gap_score"], denial["status"]) == (21.0, "questioned")
    # Questioned is not contradicted, in Acme's own figures or its group's (Acme and Acme Sub).
    company = scored.company("acme")
    assert (
        company["tested_claims"],
        company["contradicted_claims"],
        company["group_tested_claims"],
        company["group_contradicted_claims"],
    ) == (1, 0, 1, 0)


def test_changing_a_weight_changes_scores_as_the_formula_says(built: Path) -> None:
    con = duckdb.connect(str(built / "saydo.duckdb"))  # a copy of the hand-made case's build
    fingerprint = _claim(con, "acme-denial")["weights_fingerprint"]
    con.execute(
        "update score_weights set weight = 0.5 where factor = 'voice' and level = 'third_party'"
    )
    # The shipped views hold the scores of the default weights: once the weights change they
    # refuse, saying what to read instead, rather than show out-of-date numbers ...
    with pytest.raises(duckdb.InvalidInputException, match=r"read claim_gap_as_of\(NULL\)"):
        _claim(con, "acme-denial")
    # ... and the macros compute with the new weights at once, as the views do in a what-if.
    assert dict_rows(con, "select claim_id, gap_score from claim_gap_as_of(NULL) order by 1") == [
        {"claim_id": "acme-arabic", "gap_score": 0.0},
        {"claim_id": "acme-denial", "gap_score": 50.0},
    ]
    # Acme's one tested claim is the denial: its company score follows, 50.0, high.
    assert dict_rows(
        con, "select gap_score, band from company_gap_as_of(NULL, companies := ['acme'])"
    ) == [{"gap_score": 50.0, "band": "high"}]
    make_live(con)
    denial = _claim(con, "acme-denial")
    # 0.5 x 1.0 x 1.0 x 1.0 = 0.5: gap 50.0, exactly the threshold: contradicted (>= 50).
    assert (denial["gap_score"], denial["status"]) == (50.0, "contradicted")
    assert denial["weights_fingerprint"] != fingerprint
    con.execute(
        "update score_weights set weight = 0.49 where factor = 'voice' and level = 'third_party'"
    )
    assert _claim(con, "acme-denial")["status"] == "questioned"
    # A weight above 1 cannot push a strength past 1.
    con.execute(
        "update score_weights set weight = 5 where factor = 'voice' and level = 'third_party'"
    )
    assert _claim(con, "acme-denial")["gap_score"] == 100.0
    # The relation's weight scales every refuting link: 0.7 x refutes 0.5 = 0.35: 35.0.
    con.execute(
        "update score_weights set weight = 0.7 where factor = 'voice' and level = 'third_party'"
    )
    con.execute(
        "update score_weights set weight = 0.5 where factor = 'relation' and level = 'refutes'"
    )
    assert _claim(con, "acme-denial")["gap_score"] == 35.0


def test_bands_start_at_their_thresholds(built: Path) -> None:
    con = duckdb.connect(str(built / "saydo.duckdb"))  # a copy of the hand-made case's build
    expected = {
        24.9: "low",
        25.0: "moderate",
        49.9: "moderate",
        50.0: "high",
        74.9: "high",
        75.0: "severe",
        None: "untested",
    }
    for score, band in expected.items():
        assert con.execute("select gap_band(?, 25, 50, 75)", [score]).fetchall() == [(band,)], score


def test_time_decay_is_off_by_default_and_halves_per_half_life(built: Path) -> None:
    con = duckdb.connect(str(built / "saydo.duckdb"))  # a copy of the hand-made case's build
    assert con.execute(
        "select weight from score_weights where factor = 'time_decay'"
    ).fetchall() == [(None,)]
    con.execute("update score_weights set weight = 365 where factor = 'time_decay'")
    make_live(con)
    # 2023-05-02 to 2024-05-01 is 365 days: strength 0.7 x 0.5 = 0.35.
    assert _claim(con, "acme-denial", "2024-05-01")["gap_score"] == 35.0
    # The view (as_of NULL) measures to the data date, the day the last record entered
    # (2024-01-10), never to the day it is read: from 2023-05-02 that is 29 days of May, then
    # 30 + 31 + 31 + 30 + 31 + 30 + 31 and 10 of January: 253. At a half-life of 253 days the
    # files weigh 0.7 x 0.5 = 0.35 on every day the same data is read.
    assert con.execute("select max(data_date)::varchar from releases").fetchall() == [
        ("2024-01-10",)
    ]
    con.execute("update score_weights set weight = 253 where factor = 'time_decay'")
    assert _claim(con, "acme-denial")["gap_score"] == 35.0


def test_a_live_copy_tells_the_current_story_from_its_records(built: Path) -> None:
    con = duckdb.connect(str(built / "saydo.duckdb"))  # a copy of the hand-made case's build
    con.execute("update claims set summary = 'Changed in a copy.' where claim_id = 'acme-denial'")
    told = "select summary from timeline_of(['acme']) where item_id = 'acme-denial'"
    # The package's current story is the one stored at build time ...
    assert con.execute(told).fetchall() == [("Acme denied it.",)]
    # ... and a what-if copy, whose records may change, tells it from the records.
    make_live(con)
    assert con.execute(told).fetchall() == [("Changed in a copy.",)]
    # Its timeline_of passes on every argument: this build was never released, so the released
    # clock knows nothing on a day the published clock knows Acme's own story (its two claims
    # and its reply; the files are its subsidiary's).
    on_a_day = "select item_id from timeline_of(['acme'], as_of := DATE '2024-06-30'{})"
    assert sorted(con.execute(on_a_day.format("")).fetchall()) == [
        ("acme-arabic",),
        ("acme-denial",),
        ("acme-reply",),
    ]
    assert con.execute(on_a_day.format(", clock := 'released'")).fetchall() == []
    assert con.execute("select summary from timeline where item_id = 'acme-denial'").fetchall() == [
        ("Changed in a copy.",)
    ]


# Each as-of macro on the hand-made case, on a date and now, stored and computed.
_MACRO_CALLS = (
    "link_scores_as_of(DATE '2024-06-30')",
    "claim_gap_as_of(DATE '2024-06-30')",
    "company_gap_as_of(NULL, companies := ['acme'])",
    "timeline_of(['acme'], as_of := DATE '2024-06-30')",
    "timeline_of(['acme'])",
)


def _sorted_rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """The rows of `sql`, which the macros return unordered, in one order for comparing."""
    return sorted(con.execute(sql).fetchall(), key=repr)


def test_a_query_of_its_own_named_like_a_table_changes_no_macro_answer(built: Path) -> None:
    """A journalist's `WITH claims AS (...)` or `WITH score_weights AS (...)` before a macro
    call is their own query: the macros read the package's tables, never a CTE of the caller's
    that shares a name (DuckDB expands a table macro inside the caller's query)."""
    con = duckdb.connect(str(built / "saydo.duckdb"))  # a copy of the hand-made case's build
    calls = _MACRO_CALLS
    # Every published table and view, empty, under its own name.
    shadows = ", ".join(f"{name} as (from main.{name} limit 0)" for name in PACKAGE_NAMES)
    # With the stored scores, then computed afresh from the records as in a what-if.
    for live in (False, True):
        if live:
            make_live(con)
        for call in calls:
            expected = _sorted_rows(con, f"select * from {call}")
            assert expected, call
            assert _sorted_rows(con, f"with {shadows} select * from {call}") == expected, call


def test_a_temporary_table_named_like_the_packages_stops_every_macro(built: Path) -> None:
    """DuckDB reads a temporary table before the package's own of the same name, `main.claims`
    included, in views and macros too: a macro would score the journalist's rows. It stops
    instead, and names what to drop."""
    con = duckdb.connect(str(built / "saydo.duckdb"), read_only=True)  # temp tables still allowed
    calls = (*_MACRO_CALLS, "timeline_from_records(['acme'])")
    answers = {call: _sorted_rows(con, f"select * from {call}") for call in calls}
    con.execute("create temp table evidence as from evidence where voice = 'government'")
    for call in calls:
        with pytest.raises(duckdb.Error, match="temporary table or view named evidence hides"):
            con.execute(f"select * from {call}").fetchall()
    con.execute("drop table temp.main.evidence")
    # Of another shape, it stops them too, if with one of DuckDB's binder errors instead.
    con.execute("create temp table evidence as select 1 as x")
    for call in calls:
        with pytest.raises(duckdb.Error):
            con.execute(f"select * from {call}").fetchall()
    con.execute("drop table temp.main.evidence")
    assert {call: _sorted_rows(con, f"select * from {call}") for call in calls} == answers
    # Every table and view of the package's, as the catalog lists them, is guarded.
    names = [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'main' union all select view_name from duckdb_views() "
            "where database_name = current_database() and schema_name = 'main'"
        ).fetchall()
    ]
    assert sorted(names) == list(PACKAGE_NAMES)
    for name in names:
        con.execute(f"create temp view {name} as select 1 as x")
        with pytest.raises(duckdb.Error, match=f"named {name} hides"):
            con.execute("select * from timeline_of(['acme'])").fetchall()
        con.execute(f"drop view temp.main.{name}")


@variant
def _evidence_dated_by_month() -> dict:
    case = minimal_case()
    case["evidence"][0]["evidence_date"] = "2023-05"  # month precision: public from 31 May
    case["responses"][0]["response_date"] = "2023-05-15"  # answers the files before they are
    return case


def _nothing_known(scored, day: str, refused: str) -> None:
    """Asked for Acme's claims on `day`, claim_gap_as_of stops with an error matching `refused`."""
    with pytest.raises(duckdb.Error, match=refused):
        scored.con.execute(
            f"select * from claim_gap_as_of(DATE '{day}', companies := [?])", [scored.id("acme")]
        ).fetchall()


def test_the_published_clock_never_sees_the_future(variants) -> None:
    scored = variants(_evidence_dated_by_month)
    public = scored.pairs("select claim_id, public_from::varchar from claims")
    # acme-denial is dated 2023-03 (month): public from the month's last day.
    assert public == {"acme-denial": "2023-03-31", "acme-arabic": "2023-12-31"}
    # Before the claim's month is over, the package knows no claim of Acme's: an error that
    # says when the first one was public, never an empty answer.
    acme = scored.id("acme")
    _nothing_known(scored, "2023-03-30", rf"knows no claim of {acme} on 2023-03-30.*2023-03-31")
    # On 31 March itself the denial is known, to the scores and to the story (the Arabic claim,
    # dated 2023, waits for the year's end; the reply of 15 May for its day).
    assert scored.claim("acme-denial", "2023-03-31")["status"] == "unverified"
    assert scored.rows(
        "select company_id, item_id from timeline_of([?], as_of := DATE '2023-03-31')", [acme]
    ) == [{"company_id": "acme", "item_id": "acme-denial"}]
    # The claim is known, the evidence not yet (its month ends on 31 May): untested.
    assert scored.claim("acme-denial", "2023-05-30")["status"] == "unverified"
    assert scored.claim("acme-denial", "2023-05-31")["gap_score"] == 70.0
    # The evidence's source, published 2023-05-02, does not make it known earlier than its month.
    link = scored.rows("select evidence_id, public_from::varchar as day from claim_evidence")
    assert link == [{"evidence_id": "acme-files", "day": "2023-05-31"}]
    # The story on those days says the same: the refutation is named from the day it is known.
    story = {
        day: scored.rows(
            "select company_id, item_id, refuted_by_evidence_ids "
            "from timeline_of([?], as_of := ?::date) "
            "where item_kind = 'claim'",
            [acme, day],
        )
        for day in ("2023-05-30", "2023-05-31")
    }
    denial = {"company_id": "acme", "item_id": "acme-denial"}
    assert story["2023-05-30"] == [{**denial, "refuted_by_evidence_ids": []}]
    assert story["2023-05-31"] == [{**denial, "refuted_by_evidence_ids": ["acme-files"]}]
    # A reply public before the files it answers names them only from the day they are known.
    replies = {
        day: scored.rows(
            "select company_id, item_id, responds_to_id from timeline_of([?], as_of := ?::date) "
            "where item_kind = 'response'",
            [acme, day],
        )
        for day in ("2023-05-30", "2023-05-31")
    }
    reply = {"company_id": "acme", "item_id": "acme-reply"}
    assert replies["2023-05-30"] == [{**reply, "responds_to_id": None}]
    assert replies["2023-05-31"] == [{**reply, "responds_to_id": "acme-files"}]


@variant
def _undated_claims_known_by_their_publications() -> dict:
    # Both claims undated (each with the note an undated claim needs): the denial read in the
    # report of 2 May 2023 and said in Acme's statement of March 2023; the Arabic commitment
    # said in its Arabic statement of 2023 and read nowhere else.
    case = minimal_case()
    denial, arabic = case["claims"]
    for claim in (denial, arabic):
        claim.pop("claim_date")
        claim["review_note"] = "No source dates it."
    denial.update(source_id="src-report", said_in_source_id="src-company")
    return case


def test_an_undated_claim_is_public_once_the_company_had_published_it(variants) -> None:
    scored = variants(_undated_claims_known_by_their_publications)
    # The denial: the statement it was said in ran to 31 March (2023-03, a month), before the
    # report of 2 May that it was read in. The commitment: its statement's year ran to 31
    # December. Neither is public on its own recorded_on (2024-01-10).
    assert scored.pairs("select claim_id, public_from::varchar from claims") == {
        "acme-denial": "2023-03-31",
        "acme-arabic": "2023-12-31",
    }


@variant
def _reply_before_the_claim() -> dict:
    # Acme's reply of 1 June 2023 answers its Arabic commitment, dated by the year 2023 alone
    # and so public only from 31 December.
    case = minimal_case()
    reply = case["responses"][0]
    reply.pop("evidence_id")
    reply["claim_id"] = "acme-arabic"
    return case


def test_a_reply_names_the_claim_it_answers_only_once_that_is_public(variants) -> None:
    scored = variants(_reply_before_the_claim)
    answered = {
        day: scored.rows(
            "select company_id, item_id, responds_to_id from timeline_of([?], as_of := ?::date) "
            "where item_kind = 'response'",
            [scored.id("acme"), day],
        )
        for day in ("2023-12-30", "2023-12-31")
    }
    reply = {"company_id": "acme", "item_id": "acme-reply"}
    assert answered == {
        "2023-12-30": [{**reply, "responds_to_id": None}],
        "2023-12-31": [{**reply, "responds_to_id": "acme-arabic"}],
    }


@variant
def _first_claim_retracted() -> dict:
    case = minimal_case()
    case["claims"][0].update(retracted_on="2024-06-01", retraction_reason="Misattributed.")
    case["links"] = []
    return case


def test_the_earliest_day_named_is_of_a_claim_still_standing(variants) -> None:
    # acme-denial (public 2023-03-31) is retracted: on every date it is as if never said, so
    # the first day Acme is known is acme-arabic's, the end of 2023.
    scored = variants(_first_claim_retracted)
    _nothing_known(scored, "2023-06-30", r"earliest claim was public on 2023-12-31\.")
    assert scored.claim("acme-arabic", "2023-12-31")["status"] == "unverified"


@variant
def _every_claim_retracted() -> dict:
    case = minimal_case()
    for claim in case["claims"]:
        claim.update(retracted_on="2024-06-01", retraction_reason="Misattributed.")
    case["links"] = []
    return case


def test_a_company_whose_every_claim_was_retracted_has_none_on_any_date(variants) -> None:
    # Both of Acme's claims are retracted, so on the published clock Acme is a company that never
    # made a claim: on any date, before the retraction or after, the answer is that it has none
    # (no claim rows, a company row of 0 claims), not "saydo knows no claim", which would send a
    # reader looking for a day on which one was known.
    scored = variants(_every_claim_retracted)
    acme = scored.id("acme")
    for day in ("2023-12-31", "2024-06-30"):
        claims = scored.con.execute(
            "select claim_id from claim_gap_as_of(?::date, companies := [?])", [day, acme]
        ).fetchall()
        assert claims == [], day
        company = scored.rows(
            "select company_id, claims, tested_claims, gap_score, band "
            "from company_gap_as_of(?::date, companies := [?])",
            [day, acme],
        )
        assert company == [
            {
                "company_id": "acme",
                "claims": 0,
                "tested_claims": 0,
                "gap_score": None,
                "band": "untested",
            }
        ], day


def test_a_company_the_package_does_not_hold_is_an_error_not_an_empty_answer(
    built: Path,
) -> None:
    # ['Acme'] (the name, not the id) would otherwise read as "nothing found about Acme".
    con = duckdb.connect(str(built / "saydo.duckdb"))
    calls = (
        "link_scores_as_of({at}, companies := {listed})",
        "claim_gap_as_of({at}, companies := {listed})",
        "company_gap_as_of({at}, companies := {listed})",
        "timeline_of({listed}, as_of := {at})",
        "timeline_from_records({listed}, as_of := {at})",
    )
    # (companies listed, the first the package does not hold, the id it suggests)
    refusals = (
        # The id in other letters: Acme Sub's name is not its id, so only the id suggests it.
        ("['acme', 'Acme-Sub']", "Acme-Sub", "did you mean 'acme-sub'\\? "),
        ("['other co']", "other co", "did you mean 'other'\\? "),  # Other Co's name, in lower case
        ("['nobody']", "nobody", ""),  # like none: no guess, only where the ids are
    )
    for call in calls:
        for at in ("NULL", "DATE '2024-06-30'"):
            for listed, unknown, suggestion in refusals:
                asked = call.format(at=at, listed=listed)
                refused = f"no company with the id '{unknown}': {suggestion}ids are lowercase"
                with pytest.raises(duckdb.Error, match=refused):
                    con.execute(f"select * from {asked}").fetchall()
            # The ids it holds are answered as before.
            held = call.format(at=at, listed="['acme']")
            assert con.execute(f"select * from {held}").fetchall(), held


def test_a_clock_is_one_of_two_and_a_date_may_be_written_as_text(built: Path) -> None:
    con = duckdb.connect(str(built / "saydo.duckdb"))
    calls = [
        "link_scores_as_of({as_of}, clock := {clock})",
        "claim_gap_as_of({as_of}, clock := {clock})",
        "company_gap_as_of({as_of}, clock := {clock})",
        "timeline_of(NULL, as_of := {as_of}, clock := {clock})",
    ]
    # An unset variable (NULL) or a misspelling is an error on every path, the stored rows'
    # included, never an empty answer or a label the rows do not mean.
    for call in calls:
        for as_of in ("NULL", "DATE '2024-06-30'"):
            for clock in ("NULL", "'relased'"):
                refused = f"clock must be 'published' or 'released', not {clock}"
                with pytest.raises(duckdb.Error, match=refused):
                    con.execute(f"select * from {call.format(as_of=as_of, clock=clock)}").fetchall()
    # '2024-06-30' is read as the date it names, by every macro.
    published = "'published'"
    for call in calls:
        as_text, as_date = (
            con.execute(
                f"select * from {call.format(as_of=as_of, clock=published)} order by all"
            ).fetchall()
            for as_of in ("'2024-06-30'", "DATE '2024-06-30'")
        )
        assert as_text == as_date and as_date, call
    # The clock may come from a subquery, as any value may, in the scores' macros.
    for call in calls[:3]:
        from_subquery, constant = (
            con.execute(
                f"select * from {call.format(as_of=as_of, clock=clock)} order by all"
            ).fetchall()
            for as_of, clock in [
                ("DATE '2024-06-30'", "(select 'published')"),
                ("DATE '2024-06-30'", "'published'"),
            ]
        )
        assert from_subquery == constant and constant, call
    # Today's scores are the same whichever clock is asked for, and say so alike, stored or
    # computed (a changed weight makes the macros compute).
    stored = con.execute("select distinct clock from claim_gap_as_of(NULL, clock := 'released')")
    assert stored.fetchall() == [("published",)]
    con.execute("update score_weights set weight = 0.5 where factor = 'voice'")
    computed = con.execute("select distinct clock from claim_gap_as_of(NULL, clock := 'released')")
    assert computed.fetchall() == [("published",)]


def test_the_released_clock_sees_only_what_was_released(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    write_case(datasets, minimal_case())
    record(tmp_path)
    # What 1.0.0 itself published about the denial and the link that refutes it, before
    # anything is corrected: the released clock must give these back, whatever came later.
    first_release = duckdb.connect(str(tmp_path / "dist" / "saydo.duckdb"), read_only=True)
    as_released = {
        "claim": _first(first_release, "claim_gap", "claim_id = 'acme-denial'", _GAP_COLUMNS),
        "link": _first(first_release, "link_scores", "claim_id = 'acme-denial'", _LINK_COLUMNS),
    }
    first_release.close()
    # A second build adds evidence that refutes the Arabic claim, renames Acme, puts Other Co
    # under it and gives the company's source an address; none of it is released. And it
    # lowers two review statuses: the company's statement (the denial's source) to
    # needs_review, and the files' own to partially_verified.
    case = minimal_case()
    case["evidence"].append(
        _evidence("acme-audit", "src-report", "third_party", recorded_on="2024-06-01")
    )
    case["links"].append(
        {**_link("acme-arabic", "acme-audit", "refutes"), "recorded_on": "2024-06-01"}
    )
    # And links the Arabic claim to the files, both released in 1.0.0, the link not.
    case["links"].append(
        {**_link("acme-arabic", "acme-files", "refutes"), "recorded_on": "2024-06-01"}
    )
    # And Other Co's first claim, not released either.
    case["claims"].append({**case["claims"][0], "claim_id": "other-pledge", "company_id": "other"})
    case["companies"][0]["name"] = "Acme Renamed"
    case["companies"][2].update(parent_company_id="acme", parent_relationship="subsidiary")
    case["sources"][1]["url"] = "https://example.org/acme-statement"
    case["corrections"] = [
        {
            "table_name": table,
            "record_id": record_id,
            "field_name": field,
            "previous_value": previous,
            "corrected_on": "2024-06-01",
            "reason": "A later change, not released.",
        }
        for table, record_id, field, previous in [
            ("companies", "acme", "name", "Acme"),
            ("companies", "other", "parent_company_id", None),
            ("companies", "other", "parent_relationship", None),
            ("sources", "src-company", "url", None),
            ("sources", "src-company", "review_status", "verified"),
            ("evidence", "acme-files", "review_status", "verified"),
        ]
    ]
    case["sources"][1]["review_status"] = "needs_review"
    case["evidence"][0]["review_status"] = "partially_verified"
    write_case(datasets, case)
    build(datasets, tmp_path / "dist", today=TODAY, releases=tmp_path / "releases", gate=False)
    con = duckdb.connect(str(tmp_path / "dist" / "saydo.duckdb"), read_only=True)
    assert con.execute(
        "select release, released_on::varchar from releases order by 1"
    ).fetchall() == [
        ("1.0.0", "2024-01-10"),
        ("1.1.0", None),
    ]
    first = "no release published by then held one; the first after it was published on 2024-01-10"
    with pytest.raises(duckdb.Error, match=first):
        con.execute(
            "select * from claim_gap_as_of(DATE '2024-01-09', clock := 'released')"
        ).fetchall()
    # A company asked about before it was released is the same error, not an empty answer.
    with pytest.raises(duckdb.Error, match=f"knows no claim of acme on 2024-01-09.*{first}"):
        con.execute(
            "select * from company_gap_as_of(DATE '2024-01-09', companies := ['acme'], "
            "clock := 'released')"
        ).fetchall()
    # What 1.0.0 said, a year on: the new evidence is not released, so the Arabic claim is
    # untested on the released clock, and refuted on the published clock.
    assert _claim(con, "acme-arabic", "2024-12-31", "released")["status"] == "unverified"
    assert _claim(con, "acme-arabic", "2024-12-31", "published")["gap_score"] == 70.0
    stamps = dict(con.execute("select evidence_id, first_release from evidence").fetchall())
    assert stamps == {"acme-files": "1.0.0", "other-files": "1.0.0", "acme-audit": "1.1.0"}
    # Every macro tells 1.0.0's story on the released clock, today's on the published one: the
    # unreleased refutation, name, parent and address are not in the first.
    story = {
        clock: {
            row["item_id"]: row
            for row in dict_rows(
                con,
                "select * from timeline_of(NULL, as_of := DATE '2024-12-31', clock := ?)",
                [clock],
            )
        }
        for clock in ("released", "published")
    }
    assert story["released"]["acme-arabic"]["refuted_by_evidence_ids"] == []
    assert story["published"]["acme-arabic"]["refuted_by_evidence_ids"] == [
        "acme-audit",
        "acme-files",
    ]
    assert story["released"]["acme-files"]["refutes_claim_ids"] == ["acme-denial"]
    assert story["published"]["acme-files"]["refutes_claim_ids"] == ["acme-arabic", "acme-denial"]
    assert "acme-audit" not in story["released"]
    assert story["published"]["acme-audit"]["refutes_claim_ids"] == ["acme-arabic"]
    assert story["released"]["other-files"]["group_company_id"] == "other"
    assert story["published"]["other-files"]["group_company_id"] == "acme"
    assert story["released"]["acme-denial"]["source_url"] is None
    assert story["published"]["acme-denial"]["source_url"] == "https://example.org/acme-statement"
    assert _claim(con, "acme-denial", "2024-12-31", "released")["company_name"] == "Acme"
    # Today's rows are as of the data date of the latest build (1.1.0's: its corrections and
    # records entered on 2024-06-01), not of 1.0.0 (2024-01-10).
    assert [_claim(con, "acme-denial")["as_of"], _company(con, "acme")["as_of"]] == [
        dt.date(2024, 6, 1),
        dt.date(2024, 6, 1),
    ]
    assert _claim(con, "acme-denial", "2024-12-31", "published")["company_name"] == "Acme Renamed"
    # The statuses as 1.0.0 published them on the released clock, today's on the published one:
    # the denial rests on the company's statement, now needs_review (the weakest status along
    # what a record rests on is its effective one); the files are partially_verified.
    on_date = "DATE '2024-12-31', clock := 'released'"
    assert (
        _first(con, f"claim_gap_as_of({on_date})", "claim_id = 'acme-denial'", _GAP_COLUMNS)
        == (as_released["claim"])
    )
    assert (
        _first(con, f"link_scores_as_of({on_date})", "claim_id = 'acme-denial'", _LINK_COLUMNS)
        == as_released["link"]
    )
    assert as_released["claim"]["claim_review_status"] == "verified"
    assert as_released["link"]["evidence_review_status"] == "verified"
    assert _claim(con, "acme-denial", "2024-12-31", "published")["claim_review_status"] == (
        "needs_review"
    )
    statuses = {
        clock: {
            item: (
                story[clock][item]["review_status"],
                story[clock][item]["effective_review_status"],
            )
            for item in ("acme-denial", "acme-files")
        }
        for clock in story
    }
    assert statuses == {
        "released": {
            "acme-denial": ("verified", "verified"),
            "acme-files": ("verified", "verified"),
        },
        "published": {
            "acme-denial": ("verified", "needs_review"),
            "acme-files": ("partially_verified", "partially_verified"),
        },
    }
    # And their link: the weaker of its two ends, verified as released, needs_review today.
    link_status = (
        "select coalesce(released.effective_review_status, link.effective_review_status) "
        "from known_rows('claim_evidence', DATE '2024-12-31', 'released') as link "
        "left join released_review('claim_evidence', DATE '2024-12-31', 'released') as released "
        "on released.record_id = link.claim_id || '/' || link.evidence_id "
        "where link.claim_id = 'acme-denial'"
    )
    assert con.execute(link_status).fetchall() == [("verified",)]
    assert con.execute(
        "select effective_review_status from claim_evidence where claim_id = 'acme-denial'"
    ).fetchall() == [("needs_review",)]
    # Asked on the released clock, Other Co has no claim that any release held: the message does
    # not name 1.0.0, which held none of its claims.
    with pytest.raises(duckdb.Error, match="no release after it holds one yet"):
        con.execute(
            "select * from claim_gap_as_of(DATE '2024-12-31', companies := ['other'], "
            "clock := 'released')"
        ).fetchall()
    # Acme's group as released (itself and Acme Sub), and as it stands (Other Co joined).
    group_size = {
        clock: dict_rows(
            con,
            "select group_companies from company_gap_as_of(DATE '2024-12-31', "
            "companies := ['acme'], clock := ?)",
            [clock],
        )
        for clock in ("released", "published")
    }
    assert group_size == {
        "released": [{"group_companies": 2}],
        "published": [{"group_companies": 3}],
    }


def _with_chains_and_a_second_hand_statement() -> dict:
    """The hand-made case with a mirror of the report (based on it), a piece of evidence read
    in that mirror, and a claim said in a company statement known only at second hand, which
    the files refute too."""
    case = minimal_case()
    case["sources"] += [
        _source("src-mirror", "investigative_journalism", based_on_source_id="src-report"),
        _source(
            "src-company-2",
            "company_statement",
            review_status="secondary_only",
            review_note="Known from a report of it.",
        ),
    ]
    case["evidence"].append(_evidence("acme-mirror", "src-mirror", "third_party"))
    case["claims"].append(
        {**case["claims"][0], "claim_id": "acme-said", "said_in_source_id": "src-company-2"}
    )
    case["links"].append(_link("acme-said", "acme-files", "refutes"))
    return case


def test_the_released_clock_keeps_a_release_s_statuses_when_only_sources_were_corrected(
    tmp_path: Path,
) -> None:
    # 1.0.0 is released; then only two sources are corrected, the report (verified) and the
    # second-hand company statement (secondary_only), both to needs_review. On the released
    # clock, before any later release, every record reads as 1.0.0 published it: the weakest
    # status of the record and of every source up its chains, as they stood then.
    datasets = tmp_path / "datasets"
    write_case(datasets, _with_chains_and_a_second_hand_statement())
    record(tmp_path)
    case = _with_chains_and_a_second_hand_statement()
    fixes = {"src-report": "verified", "src-company-2": "secondary_only"}
    for source in case["sources"]:
        if source["source_id"] in fixes:
            source["review_status"] = "needs_review"
    case["corrections"] = _corrected(
        "2024-06-01",
        "Checked again.",
        [("sources", source, "review_status", previous) for source, previous in fixes.items()],
    )
    write_case(datasets, case)
    build(datasets, tmp_path / "dist", today=TODAY, releases=tmp_path / "releases", gate=False)
    con = duckdb.connect(str(tmp_path / "dist" / "saydo.duckdb"), read_only=True)
    story = dict(
        con.execute(
            "select item_id, effective_review_status from timeline_of(NULL, "
            "as_of := DATE '2024-12-31', clock := 'released')"
        ).fetchall()
    )
    assert {item: story[item] for item in ("acme-files", "acme-mirror", "acme-reply")} == {
        "acme-files": "verified",  # read in the report, verified then
        "acme-mirror": "verified",  # read in the mirror, based on the report
        "acme-reply": "verified",  # a response resting on the report
    }
    assert story["other-files"] == "needs_review"  # its own status, whatever it rests on
    assert story["acme-said"] == "secondary_only"  # said in the second-hand statement
    links = dict(
        con.execute(
            "select claim_id || '/' || evidence_id, evidence_review_status "
            "from link_scores_as_of(DATE '2024-12-31', clock := 'released')"
        ).fetchall()
    )
    assert links["acme-denial/acme-files"] == "verified"
    released_links = dict(
        con.execute(
            "select record_id, effective_review_status "
            "from released_review('claim_evidence', DATE '2024-12-31', 'released')"
        ).fetchall()
    )
    # Today both links read needs_review (the report is); as released, the denial's link is
    # verified and the second-hand claim's is as weak as its weaker end, secondary_only.
    assert released_links == {
        "acme-denial/acme-files": "verified",
        "acme-said/acme-files": "secondary_only",
    }


def test_a_release_s_statuses_end_where_the_next_release_begins(tmp_path: Path) -> None:
    # 1.0.0 (2024-01-10) published the report verified; 1.0.1, released on 2024-03-01 (a
    # correction alone is a PATCH), lowers it to partially_verified. On the released clock the
    # files read in that report, and the denial's link to them (the weaker of its ends; the
    # denial stays verified), are verified while 1.0.0 is the last release, up to 29 February,
    # and partially_verified from 1 March, when 1.0.1 took its place.
    datasets = tmp_path / "datasets"
    write_case(datasets, minimal_case())
    record(tmp_path)
    case = minimal_case()
    case["sources"][0]["review_status"] = "partially_verified"
    case["corrections"] = _corrected(
        "2024-03-01", "Checked again.", [("sources", "src-report", "review_status", "verified")]
    )
    write_case(datasets, case)
    record(tmp_path, dt.date(2024, 3, 1))
    con = duckdb.connect(str(tmp_path / "dist" / "saydo.duckdb"), read_only=True)
    assert con.execute("select release, released_on::varchar from releases").fetchall() == [
        ("1.0.0", "2024-01-10"),
        ("1.0.1", "2024-03-01"),
    ]
    expected = {
        "2024-02-29": "verified",
        "2024-03-01": "partially_verified",
        "2024-12-31": "partially_verified",
    }
    for day, status in expected.items():
        on_day = "?::date, clock := 'released'"
        files = con.execute(
            f"select item_id, effective_review_status from timeline_of(NULL, as_of := {on_day}) "
            "where item_id = 'acme-files'",
            [day],
        ).fetchall()
        assert files == [("acme-files", status)], day
        link = con.execute(
            "select claim_id, evidence_id, evidence_review_status "
            f"from link_scores_as_of({on_day})",
            [day],
        ).fetchall()
        assert link == [("acme-denial", "acme-files", status)], day


def test_a_record_dated_before_the_last_release_is_refused(tmp_path: Path) -> None:
    from validations.problems import InputError

    datasets = tmp_path / "datasets"
    write_case(datasets, minimal_case())
    # Released on 1 June, five months after its records were recorded.
    record(tmp_path, dt.date(2024, 6, 1))
    # New since 1.0.0 and dated in March: a piece of evidence, a correction and a retraction.
    case = corrected(
        minimal_case(),
        "quote",
        "We never did that.",
        previous="We never did it.",
        on="2024-03-01",
        reason="Checked against the video.",
    )
    case["evidence"].append(
        _evidence("acme-late", "src-report", "third_party", recorded_on="2024-03-01")
    )
    case["evidence"][1].update(retracted_on="2024-03-01", retraction_reason="Forged.")
    write_case(datasets, case)
    with pytest.raises(InputError) as caught:
        build(datasets, tmp_path / "dist", today=TODAY, releases=tmp_path / "releases", gate=False)
    found = sorted((p.field, p.rule, p.record) for p in caught.value.problems)
    assert [(field, rule) for field, rule, _ in found] == [
        ("corrected_on", "dated_before_release"),
        ("recorded_on", "dated_before_release"),
        ("retracted_on", "dated_before_release"),
    ], found
    assert found[1][2] == "evidence acme-late" and found[2][2] == "evidence other-files"
    for problem in caught.value.problems:
        assert "2024-03-01 is before 2024-06-01, when release 1.0.0 was published" in (
            problem.message
        )


@variant
def _subsidiary_pledge() -> dict:
    case = minimal_case()
    case["links"] = [_link("acme-sub-pledge", "acme-files", "refutes")]
    case["claims"].append(
        {**case["claims"][0], "claim_id": "acme-sub-pledge", "company_id": "acme-sub"}
    )
    return case


@variant
def _identified() -> dict:
    """Acme with a ticker and its exchange, a current ISIN, and an LEI retracted as wrong."""
    case = minimal_case()
    identify(case, "ticker", "ACME")
    identify(case, "isin", "US0378331005")
    identify(case, "lei", "7LTWFZYICNSX8D621K86")
    case["company_identifiers"][0]["issuer"] = "NYSE"
    case["company_identifiers"][2] |= {
        "retracted_on": "2024-06-01",
        "retraction_reason": "The LEI is another company's.",
    }
    return case


def test_a_company_carries_its_current_identifiers_and_a_ticker_its_exchange(variants) -> None:
    # companies.stock_ticker is issuer:identifier; the retracted LEI is no longer Acme's.
    assert variants(_identified).rows(
        "select company_id, lei, isin, stock_ticker from companies order by company_id"
    ) == [
        {"company_id": "acme", "lei": None, "isin": "US0378331005", "stock_ticker": "NYSE:ACME"},
        {"company_id": "acme-sub", "lei": None, "isin": None, "stock_ticker": None},
        {"company_id": "other", "lei": None, "isin": None, "stock_ticker": None},
    ]


def test_subsidiary_counts_in_the_group_not_in_the_parent(variants) -> None:
    scored = variants(_subsidiary_pledge)
    parent = scored.company("acme")
    assert (parent["claims"], parent["tested_claims"], parent["gap_score"], parent["band"]) == (
        2,
        0,
        None,
        "untested",
    )
    assert (
        parent["group_companies"],
        parent["group_claims"],
        parent["group_tested_claims"],
        parent["group_contradicted_claims"],
        parent["group_gap_score"],
        parent["group_band"],
    ) == (2, 3, 1, 1, 70.0, "high")
    # Asked for the parent alone, on a date (computed from the records), the group is still
    # scored from every member's claims, not from the companies listed.
    (alone,) = dict_rows(
        scored.con,
        "select * from company_gap_as_of(?::date, companies := [?])",
        [TODAY, scored.id("acme")],
    )
    assert (
        alone["group_companies"],
        alone["group_claims"],
        alone["group_tested_claims"],
        alone["group_gap_score"],
    ) == (2, 3, 1, 70.0)
    child = scored.company("acme-sub")
    assert (child["gap_score"], child["group_gap_score"], child["group_companies"]) == (
        70.0,
        70.0,
        1,
    )


@variant
def _three_generations() -> dict:
    """Acme, Acme Sub below it, and a grandchild below Acme Sub whose pledge the files refute."""
    case = minimal_case()
    case["companies"].append(
        {
            **case["companies"][1],
            "company_id": "acme-grandchild",
            "name": "Acme Grandchild",
            "parent_company_id": "acme-sub",
        }
    )
    case["claims"].append(
        {**case["claims"][0], "claim_id": "acme-grandchild-pledge", "company_id": "acme-grandchild"}
    )
    case["links"] = [_link("acme-grandchild-pledge", "acme-files", "refutes")]
    return case


def test_a_group_reaches_every_generation_below_it(variants) -> None:
    # The grandchild's pledge, refuted by the files alone: 0.7, gap 70.0, contradicted. It
    # counts in Acme Sub's group and in Acme's, two steps up, and in neither one's own figures.
    scored = variants(_three_generations)
    figures = (
        "claims",
        "gap_score",
        "group_companies",
        "group_claims",
        "group_tested_claims",
        "group_contradicted_claims",
        "group_gap_score",
        "group_band",
    )
    expected = {
        # Acme's own two claims are untested; its group is itself, Acme Sub and the grandchild.
        "acme": (2, None, 3, 3, 1, 1, 70.0, "high"),
        "acme-sub": (0, None, 2, 1, 1, 1, 70.0, "high"),
        "acme-grandchild": (1, 70.0, 1, 1, 1, 1, 70.0, "high"),
    }
    for company_id, values in expected.items():
        company = scored.company(company_id)
        assert tuple(company[figure] for figure in figures) == values, company_id
    # The story files the grandchild's pledge under the top of its group, Acme.
    assert scored.rows(
        "select company_id, item_id, group_company_id from timeline where item_id = ?",
        [scored.id("acme-grandchild-pledge")],
    ) == [
        {
            "company_id": "acme-grandchild",
            "item_id": "acme-grandchild-pledge",
            "group_company_id": "acme",
        }
    ]


@variant
def _chain_of_three_sources() -> dict:
    """A regulator's order saydo has not read, a translation of it, and a news digest of the
    translation, in which a piece of evidence refuting the denial is read. The translation and
    the digest carry dates earlier than the order's own."""
    case = minimal_case()
    case["sources"] += [
        _source(
            "src-order",
            "regulator_action",
            published_date="2023-06-15",
            review_status="needs_review",
            review_note="Not read.",
        ),
        _source(
            "src-order-translation",
            "investigative_journalism",
            source_lang="fr",
            published_date="2023-06-01",
            based_on_source_id="src-order",
        ),
        _source(
            "src-digest",
            "news_report",
            published_date="2023-05-20",
            based_on_source_id="src-order-translation",
        ),
    ]
    case["evidence"].append(_evidence("acme-order-finding", "src-digest", "government"))
    case["links"] = [_link("acme-denial", "acme-order-finding", "refutes")]
    return case


def test_a_source_rests_on_its_whole_chain_for_its_status_and_its_day(variants) -> None:
    scored = variants(_chain_of_three_sources)
    # The finding is read in the digest, which rests on the translation, which rests on the
    # unread order: it is as checked as the weakest of the three, needs_review, and public only
    # once all three are out: the latest of 2023-05-20, 2023-06-01 and 2023-06-15 (and of its
    # own date, 2023-05-02) is 2023-06-15.
    assert scored.rows(
        "select evidence_id, effective_review_status, public_from::varchar as public_from "
        "from evidence where evidence_id = ?",
        [scored.id("acme-order-finding")],
    ) == [
        {
            "evidence_id": "acme-order-finding",
            "effective_review_status": "needs_review",
            "public_from": "2023-06-15",
        }
    ]
    # A government's finding relayed by a news report: 0.9 x news_report 0.7 x high 1.0 x
    # needs_review 0.3 = 0.189; counted as the order it traces to. Gap 100 x 0.189 = 18.9,
    # below 50: questioned; on the day before the order, the denial is untested.
    (link,) = scored.rows("select * from link_scores")
    assert (link["relay"], link["strength"], link["counts_as_source_id"]) == (
        "news_report",
        0.189,
        "src-order",
    )
    denial = scored.claim("acme-denial")
    assert (denial["gap_score"], denial["status"]) == (18.9, "questioned")
    assert scored.claim("acme-denial", "2023-06-14")["status"] == "unverified"
    assert scored.claim("acme-denial", "2023-06-15")["gap_score"] == 18.9


# (evidence id, voice, type of the source it is read in, the relay it weighs as, its strength):
# each piece verified and linked high, so its strength is voice x relay.
SPEAKERS = (
    # A company's agent speaks first-hand in leaked material (its own review, leaked).
    ("acme-agent-leak", "company_agent", "leaked_document", "first_hand", 0.9),
    # A government first-hand in its order, its list or a committee's report.
    ("acme-gov-order", "government", "regulator_action", "first_hand", 0.9),
    ("acme-gov-list", "government", "government_list", "first_hand", 0.9),
    ("acme-gov-committee", "government", "legislative_report", "first_hand", 0.9),
    # A court first-hand only in its own document: in a regulator's, relayed, 0.9 x 0.9.
    ("acme-court-judgment", "court", "court_action", "first_hand", 0.9),
    ("acme-court-in-order", "court", "regulator_action", "regulator_action", 0.81),
    # A third party first-hand in its investigation, research or leaked material; relayed by
    # a law firm's summary, 0.7 x 0.7.
    ("acme-ngo-research", "third_party", "research_report", "first_hand", 0.7),
    ("acme-ngo-leak", "third_party", "leaked_document", "first_hand", 0.7),
    ("acme-ngo-in-commentary", "third_party", "legal_commentary", "legal_commentary", 0.49),
)


@variant
def _speakers() -> dict:
    case = minimal_case()
    case["links"] = []
    for evidence_id, voice, source_type, _, _ in SPEAKERS:
        source_id = f"src-{evidence_id}"
        case["sources"].append(_source(source_id, source_type))
        case["evidence"].append(_evidence(evidence_id, source_id, voice))
        case["links"].append(_link("acme-denial", evidence_id, "refutes"))
    return case


def test_each_voice_speaks_first_hand_in_its_own_kind_of_publication(variants) -> None:
    weighed = {
        row.pop("evidence_id"): list(row.values())
        for row in variants(_speakers).rows(
            "select evidence_id, voice, read_in_source_type, relay, strength from link_scores"
        )
    }
    assert weighed == {evidence_id: rest for evidence_id, *rest in SPEAKERS}


# --- the real package ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def real(real_release: Path) -> duckdb.DuckDBPyConnection:
    """The real datasets, built once for the run (conftest.real_release)."""
    return duckdb.connect(str(real_release / "saydo.duckdb"), read_only=True)


def test_claim_gap_is_recomputed_from_link_scores_alone(real) -> None:
    weights = dict(
        real.execute("select factor || '/' || level, weight from score_weights").fetchall()
    )
    links: dict[str, list[dict]] = {}
    for row in dict_rows(real, "select * from link_scores"):
        links.setdefault(row["claim_id"], []).append(row)
    claims = dict_rows(real, "select * from claim_gap")
    assert len(claims) >= 10
    for claim in claims:
        refuting, supporting = 1.0, 1.0
        for link in links.get(claim["claim_id"], []):
            product = (
                link["voice_weight"]
                * link["relay_weight"]
                * link["confidence_weight"]
                * link["certainty_weight"]
                * link["relation_weight"]
                * link["decay"]
            )
            if link["relation"] == "context":
                assert link["strength"] == 0
                continue
            assert link["strength"] == round(min(max(product, 0), 1), 4)
            if link["relation"] == "refutes":
                refuting *= 1 - link["counted_strength"]
            else:
                supporting *= 1 - link["counted_strength"]
        contradiction, support = round(1 - refuting, 4), round(1 - supporting, 4)
        assert (claim["contradiction_strength"], claim["support_strength"]) == (
            contradiction,
            support,
        )
        certainty = round(
            weights[f"claim_wording/{claim['claim_wording']}"]
            * weights[f"claim_review/{claim['claim_review_status']}"],
            4,
        )
        assert claim["claim_certainty"] == certainty
        # Multiplied in exact decimals and rounded half up, as methodology.md says.
        exact = (
            Decimal(100)
            * Decimal(str(contradiction))
            * (1 - Decimal(str(weights["support/offset"])) * Decimal(str(support)))
            * Decimal(str(certainty))
        )
        expected = float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        assert claim["gap_score"] == expected, claim["claim_id"]


def test_methodology_worked_example_matches_the_view(real) -> None:
    doc = (REPO / "docs" / "methodology.md").read_text(encoding="utf-8")
    claim_id = re.search(r"Worked example: `([a-z0-9-]+)`", doc).group(1)
    expected_gap = float(re.search(r"gap_score = \*\*([0-9.]+)\*\*", doc).group(1))
    counted = [
        float(s)
        for s in re.findall(r"^\| `[a-z0-9-]+` \|.*\| \*\*([0-9.]+)\*\* \|$", doc, re.MULTILINE)
    ]
    certainty = float(re.search(r"claim_certainty = [^=]*= \*\*([0-9.]+)\*\*", doc).group(1))
    row = _claim(real, claim_id)
    assert row["gap_score"] == expected_gap and row["claim_certainty"] == certainty
    # The view lists the refuting pieces as the example's table does: those that count,
    # strongest first (0.42, then 0.324), then those merged into them (a tie, by id).
    example = doc.split("## Worked example", 1)[1].split("```", 1)[0]
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", example, re.MULTILINE)
    assert row["refuting_evidence_ids"] == listed
    product = 1.0
    for strength in counted:
        product *= 1 - strength
    assert round(100 * round(1 - product, 4) * certainty, 1) == expected_gap
    assert sorted(counted) == sorted(
        r[0]
        for r in real.execute(
            "select counted_strength from link_scores"
            " where claim_id = ? and counted and relation = 'refutes'",
            [claim_id],
        ).fetchall()
    )


def test_hikvision_at_the_end_of_2021_worked_by_hand(real) -> None:
    """What had been published by 2021-12-31 about Hikvision, on the published clock.

    Claims public by then: the 2019 spokesperson statement (2019-10-08), the 2020 statement on
    minority recognition (year 2020: public from 2020-12-31), the review finding (2021-04-28),
    and the two sentences of the 2021-08-10 letter. The denial and the investigator claim are
    undated; their source, the article, is dated 2023-04-18: not yet public.

    The 2019 statement (verbatim, partially_verified: certainty 1.0 x 0.9 = 0.9) is refuted,
    by three IPVM reports of 2018-2019, each its own source: two findings of IPVM's (third_party
    0.7, first-hand 1.0, verified 1.0), each low 0.3 since an editor's read: the Pishan contract
    (a 2018 procurement record against a general statement of 2019), 0.21, and a camera in
    footage of a camp, 0.21; and Hikvision's own product page as IPVM showed it (company 1.0,
    relayed by investigative journalism 0.85, medium 0.6: 0.51).
    1 - 0.79 x 0.79 x 0.49 = 1 - 0.305809 = 0.694191 -> 0.6942; gap 100 x 0.6942 x 0.9 =
    62.478 -> 62.5, contradicted.
    The review finding (verbatim, effective partially_verified: 0.9) is refuted, medium, by
    IPVM's 2021-06-29 argument (0.42); the recording's pieces are from 2023: 100 x 0.42 x 0.9 =
    37.8, questioned.
    The 2021 'respects human rights' sentence (verified: 1.0) is refuted only by the 2023
    recording: untested. The minority and arbiter statements, and the April 2019 ESG report's
    word of an internal review (public from the end of April 2019), have context links only.
    Hikvision's gap: the mean of its tested claims in whole tenths, (625 + 378) / 2 = 501.5,
    rounded half up: 50.2, band high (from 50)."""
    rows = {
        r["claim_id"]: r
        for r in dict_rows(
            real, "select * from claim_gap_as_of(DATE '2021-12-31', companies := ['hikvision'])"
        )
    }
    assert set(rows) == {
        "hikvision-entity-list-statement-2019-10-08",
        "hikvision-esg-2019-internal-review-commissioned",
        "hikvision-minority-recognition-discontinued-2020",
        "hikvision-xinjiang-review-finding-2021",
        "hikvision-not-competent-arbiter-2021",
        "hikvision-respects-human-rights-2021-08-10",
    }
    statement = rows["hikvision-entity-list-statement-2019-10-08"]
    assert (statement["contradiction_strength"], statement["gap_score"], statement["status"]) == (
        0.6942,
        62.5,
        "contradicted",
    )
    finding = rows["hikvision-xinjiang-review-finding-2021"]
    assert (finding["gap_score"], finding["status"]) == (37.8, "questioned")
    assert rows["hikvision-respects-human-rights-2021-08-10"]["status"] == "unverified"
    company = dict_rows(
        real, "select * from company_gap_as_of(DATE '2021-12-31', companies := ['hikvision'])"
    )[0]
    assert (company["tested_claims"], company["gap_score"], company["band"]) == (2, 50.2, "high")


def _scoped_equals_views(real, companies: list[str]) -> None:
    """companies := [...] is a faster way to the same answer, never a different one."""
    pairs = [
        (
            "select * from claim_gap where company_id = $c",
            "select * from claim_gap_as_of(NULL, companies := [$c])",
        ),
        (
            "select * from link_scores where company_id = $c",
            "select * from link_scores_as_of(NULL, companies := [$c])",
        ),
        (
            "select * from company_gap where company_id = $c",
            "select * from company_gap_as_of(NULL, companies := [$c])",
        ),
        ("select * from timeline where company_id = $c", "select * from timeline_of([$c])"),
    ]
    for company in companies:
        for view, scoped in pairs:
            expected = sorted(real.execute(view, {"c": company}).fetchall(), key=repr)
            assert sorted(real.execute(scoped, {"c": company}).fetchall(), key=repr) == expected
    # On a past date, computed from the records: the whole package once, then one company each.
    everyone = real.execute("select * from company_gap_as_of(DATE '2026-11-29')").fetchall()
    for company in companies:
        scoped = real.execute(
            "select * from company_gap_as_of(DATE '2026-11-29', companies := [$c])", {"c": company}
        ).fetchall()
        assert scoped == [row for row in everyone if row[0] == company]
    # The story on a past date is read from the records (never the stored rows): every claim
    # and piece of evidence of the company public by then and not retracted, each once.
    for company in companies:
        told = real.execute(
            "select item_kind, item_id from timeline_of([$c], as_of := DATE '2026-11-29')",
            {"c": company},
        ).fetchall()
        for kind, table, key in (
            ("claim", "claims", "claim_id"),
            ("evidence", "evidence", "evidence_id"),
        ):
            expected = real.execute(
                f"select {key} from {table} where company_id = $c "
                "and public_from <= DATE '2026-11-29' and retracted_on is null",
                {"c": company},
            ).fetchall()
            assert sorted(item for k, item in told if k == kind) == sorted(r[0] for r in expected)


def test_scoped_macros_return_exactly_the_views_rows(real) -> None:
    # A group with affiliates, a company with claims alone, a listed entity with none.
    _scoped_equals_views(real, ["hikvision", "keurig-canada", "baoding-lyszd-trade-and-business"])


@pytest.mark.slow
def test_scoped_macros_return_exactly_the_views_rows_for_every_company_that_matters(real) -> None:
    # Every company with claims, and every company in a group (where scoping could go wrong);
    # the listed entities with no claim and no group read like the one above.
    companies = [
        r[0]
        for r in real.execute(
            "select company_id from companies where company_id in (select company_id from "
            "claims) or parent_company_id is not null or company_id in (select "
            "parent_company_id from companies) order by company_id"
        ).fetchall()
    ]
    assert len(companies) >= 30
    _scoped_equals_views(real, companies)


# --- properties, on generated cases --------------------------------------------------------
VOICES = ("company", "company_agent", "government", "court", "third_party")
SOURCE_TYPES = (
    "investigative_journalism",
    "news_report",
    "regulator_action",
    "company_report",
    "research_report",
    "legal_commentary",
)
STATUSES = ("verified", "partially_verified", "secondary_only", "needs_review")


piece = st.fixed_dictionaries(
    {
        "voice": st.sampled_from(VOICES),
        "source_type": st.sampled_from(SOURCE_TYPES),
        "status": st.sampled_from(STATUSES),
        "confidence": st.sampled_from(("high", "medium", "low")),
        "relation": st.sampled_from(("refutes", "supports", "context")),
        "primary": st.sampled_from((None, "p1", "p2")),
    }
)


def _scores(con, pieces_of: dict[str, list[dict]], quoted: bool = True) -> dict[str, dict]:
    """A copy of acme-denial per key of `pieces_of`, each scored against its own pieces (each
    piece a source and evidence of its own), all in one reading of claim_gap. Each table's new
    rows go in with one statement, their values as lists unnested side by side."""
    con.execute(
        "delete from claim_evidence; delete from evidence where evidence_id like 'gen-%';"
        "delete from sources where source_id like 'gen-%'; "
        "delete from claims where claim_id like 'gen-%'"
    )
    sources = [("gen-p1", "leaked_document"), ("gen-p2", "leaked_document")]
    evidence, links = [], []
    for name, pieces in pieces_of.items():
        for i, p in enumerate(pieces):
            sid, eid = f"gen-{name}-s{i}", f"gen-{name}-e{i}"
            primary = None if p["primary"] is None else f"gen-{p['primary']}"
            sources.append((sid, p["source_type"]))
            evidence.append((eid, sid, primary, p["voice"], p["status"]))
            links.append((f"gen-{name}", eid, p["relation"], p["confidence"], p["status"]))

    def unnested(*names: str) -> str:
        return ", ".join(f"unnest(${i + 1}::varchar[]) as {n}" for i, n in enumerate(names))

    def columns(rows: list[tuple], width: int) -> list[list]:
        return [[row[i] for row in rows] for i in range(width)]

    con.execute(
        "insert into sources by name select source_id, 'en' as source_lang, source_type, "
        "'verified' as review_status, DATE '2024-01-10' as recorded_on, 'x' as case_id, "
        f"false as is_synthetic from (select {unnested('source_id', 'source_type')})",
        columns(sources, 2),
    )
    con.execute(
        "insert into claims by name select claim.* replace (gen.claim_id as claim_id, "
        "$2 as quote, $3 as quote_kind) from claims as claim, "
        "(select unnest($1::varchar[]) as claim_id) as gen where claim.claim_id = 'acme-denial'",
        [
            [f"gen-{name}" for name in pieces_of],
            *(["We never did it.", "verbatim"] if quoted else [None, None]),
        ],
    )
    names = ("evidence_id", "source_id", "primary_source_id", "voice", "review_status")
    con.execute(
        "insert into evidence by name select evidence_id, 'acme' as company_id, source_id, "
        "primary_source_id, DATE '2023-05-02' as evidence_date, "
        "'day' as evidence_date_precision, 'investigative_finding' as evidence_type, "
        "voice, 'x' as summary, review_status, review_status as effective_review_status, "
        "DATE '2023-05-02' as public_from, DATE '2024-01-10' as recorded_on, "
        f"'x' as case_id, false as is_synthetic from (select {unnested(*names)})",
        columns(evidence, 5),
    )
    names = ("claim_id", "evidence_id", "relation", "confidence", "effective_review_status")
    con.execute(
        "insert into claim_evidence by name select claim_id, evidence_id, relation, "
        "confidence, 'x' as rationale, DATE '2024-01-10' as recorded_on, 'x' as case_id, "
        "false as is_synthetic, effective_review_status, DATE '2023-05-02' as public_from "
        f"from (select {unnested(*names)})",
        columns(links, 5),
    )
    rows = dict_rows(con, "select * from claim_gap where claim_id like 'gen-%'")
    scored = {row["claim_id"].removeprefix("gen-"): row for row in rows}
    assert sorted(scored) == sorted(pieces_of)
    return scored


@pytest.fixture(scope="module")
def properties_db(minimal_release: Path, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the hand-made case's build whose links the properties replace, example by
    example."""
    copy = tmp_path_factory.mktemp("properties") / "saydo.duckdb"
    shutil.copyfile(minimal_release / "saydo.duckdb", copy)
    con = duckdb.connect(str(copy))
    # These tests edit records in a copy: the scores stored at build time no longer apply.
    make_live(con)
    yield con
    con.close()


@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pieces=st.lists(piece, min_size=1, max_size=5), extra=piece)
def test_an_independent_refutation_never_lowers_a_score(properties_db, pieces, extra) -> None:
    independent = {**extra, "relation": "refutes", "primary": None}
    scored = _scores(properties_db, {"before": pieces, "after": [*pieces, independent]})
    assert scored["after"]["contradiction_strength"] >= scored["before"]["contradiction_strength"]


@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(first=piece, second=piece)
def test_a_second_piece_on_the_same_material_never_raises_it_above_the_stronger(
    properties_db, first, second
) -> None:
    first = {**first, "relation": "refutes", "primary": "p1"}
    second = {**second, "relation": "refutes", "primary": "p1"}
    scored = _scores(properties_db, {"first": [first], "second": [second], "both": [first, second]})
    strength = {name: row["contradiction_strength"] for name, row in scored.items()}
    assert strength["both"] == max(strength["first"], strength["second"])


@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pieces=st.lists(piece, min_size=1, max_size=5))
def test_a_claim_without_wording_is_never_contradicted_whatever_refutes_it(
    properties_db, pieces
) -> None:
    row = _scores(properties_db, {"unquoted": pieces}, quoted=False)["unquoted"]
    assert row["status"] != "contradicted"
    assert 0 <= row["gap_score"] <= 50


# --- the released clock against each release's own package ------------------------------------
# Three builds: two recorded releases and a build after them, each correcting statuses, sources
# and chains. On the released clock, the last package must give back, for each release's day,
# exactly what that release's own package said (written by a reviewer as an oracle test).


def _said(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> dict:
    """Every status and score a package gives: now (as_of None), or on the released clock."""
    at = "NULL" if as_of is None else f"DATE '{as_of}'"
    on = f"{at}, clock := 'released'"
    said: dict = {}
    for kind, item, status in con.execute(
        f"select item_kind, item_id, effective_review_status from timeline_of(NULL, as_of := {on}) "
        "where retracted_on is null"
    ).fetchall():
        said[("story", kind, item)] = status
    for claim, status, gap_score in con.execute(
        f"select claim_id, claim_review_status, gap_score from claim_gap_as_of({on})"
    ).fetchall():
        said[("claim", claim)] = (status, gap_score)
    for claim, evidence, status, strength in con.execute(
        "select claim_id, evidence_id, evidence_review_status, strength "
        f"from link_scores_as_of({on})"
    ).fetchall():
        said[("link score", claim, evidence)] = (status, strength)
    # A link's own status, which no score shows: known_rows, with released_review on a date.
    for claim, evidence, status in con.execute(
        "select link.claim_id, link.evidence_id, "
        "coalesce(released.effective_review_status, link.effective_review_status) "
        f"from known_rows('claim_evidence', {at}, 'released') as link "
        f"left join released_review('claim_evidence', {at}, 'released') as released "
        "on released.record_id = link.claim_id || '/' || link.evidence_id"
    ).fetchall():
        said[("link", claim, evidence)] = status
    return said


def _corrected(day: str, reason: str, fixes: list[tuple[str, str, str, str | None]]) -> list[dict]:
    return [
        {
            "table_name": table,
            "record_id": record_id,
            "field_name": field,
            "previous_value": previous,
            "corrected_on": day,
            "reason": reason,
        }
        for table, record_id, field, previous in fixes
    ]


def _first_release_case() -> dict:
    case = minimal_case()
    case["sources"] += [
        _source("src-leak", "leaked_document", review_status="verified", review_note="Read."),
        _source(
            "src-company-2",
            "company_statement",
            review_status="needs_review",
            review_note="Unread.",
        ),
        _source(
            "src-leak-origin",
            "leaked_document",
            review_status="secondary_only",
            review_note="Second-hand.",
        ),
    ]
    case["evidence"].append(
        _evidence("acme-leak", "src-report", "company_agent", primary_source_id="src-leak")
    )
    case["links"].append(_link("acme-denial", "acme-leak", "refutes", "medium"))
    return case


def _second_release_case() -> dict:
    case = _first_release_case()
    # The denial's source corrected to a statement not yet read in full; a new claim, first
    # released here; the report lowered to partially_verified.
    case["claims"][0]["source_id"] = "src-company-2"
    case["claims"].append(
        {
            **case["claims"][0],
            "claim_id": "acme-new",
            "source_id": "src-company",
            "recorded_on": "2024-03-01",
        }
    )
    case["links"].append(
        {**_link("acme-new", "acme-files", "refutes"), "recorded_on": "2024-03-01"}
    )
    case["sources"][0]["review_status"] = "partially_verified"
    case["corrections"] = _corrected(
        "2024-03-01",
        "Second release.",
        [
            ("claims", "acme-denial", "source_id", "src-company"),
            ("sources", "src-report", "review_status", "verified"),
        ],
    )
    return case


def _after_the_releases_case() -> dict:
    case = _second_release_case()
    # Not released: two statements' statuses swapped, the leak now based on a second-hand
    # source, the Arabic claim retracted, the files' own status lowered.
    case["sources"][1]["review_status"] = "needs_review"
    case["sources"][4]["review_status"] = "verified"
    case["sources"][3]["based_on_source_id"] = "src-leak-origin"
    case["claims"][1].update(retracted_on="2024-06-01", retraction_reason="Wrong.")
    case["evidence"][0]["review_status"] = "secondary_only"
    case["corrections"] += _corrected(
        "2024-06-01",
        "After the releases.",
        [
            ("sources", "src-company", "review_status", "verified"),
            ("sources", "src-company-2", "review_status", "needs_review"),
            ("sources", "src-leak", "based_on_source_id", None),
            ("evidence", "acme-files", "review_status", "verified"),
        ],
    )
    return case


@pytest.mark.slow
def test_the_released_clock_gives_back_what_each_release_said(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    first, second = dt.date(2024, 1, 10), dt.date(2024, 3, 1)
    said = {}
    for day, case in ((first, _first_release_case()), (second, _second_release_case())):
        write_case(datasets, case)
        record(tmp_path, day)
        with duckdb.connect(str(tmp_path / "dist" / "saydo.duckdb"), read_only=True) as con:
            said[day] = _said(con)
    write_case(datasets, _after_the_releases_case())
    build(datasets, tmp_path / "dist", today=TODAY, releases=tmp_path / "releases", gate=False)
    con = duckdb.connect(str(tmp_path / "dist" / "saydo.duckdb"), read_only=True)
    # The corrections did change today's answers, so the comparison below can fail.
    assert _said(con) != said[second]
    for day, asked in ((first, first), (second, second), (second, dt.date(2024, 12, 31))):
        assert _said(con, asked) == said[day], asked
