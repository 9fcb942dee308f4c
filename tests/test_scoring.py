"""The gap score's properties, on the small hand-made case, with numbers worked out by hand.

In the fixture, acme-denial is refuted by acme-files: an investigative_journalism source (0.7),
high confidence (1.0), verified (1.0), relation refutes (1.0), so strength 0.7 and gap 70.0."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, TODAY, minimal_case, write_case
from transforms.build import build


def _build(tmp_path: Path, case: dict) -> duckdb.DuckDBPyConnection:
    write_case(tmp_path / "datasets", case)
    build(tmp_path / "datasets", tmp_path / "dist", today=TODAY, gate=False)
    return duckdb.connect(str(tmp_path / "dist" / "saydo.duckdb"))


def _claim(con, claim_id: str, as_of: str | None = None) -> dict:
    source = "claim_gap" if as_of is None else f"claim_gap_as_of(DATE '{as_of}')"
    cursor = con.execute(f"select * from {source} where claim_id = ?", [claim_id])
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return dict(zip(names, rows[0], strict=True)) if rows else {}


def _company(con, company_id: str, as_of: str | None = None) -> dict:
    source = "company_gap" if as_of is None else f"company_gap_as_of(DATE '{as_of}')"
    cursor = con.execute(f"select * from {source} where company_id = ?", [company_id])
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchall()[0], strict=True))


def _evidence(evidence_id: str, source_id: str, company_id: str = "acme", **extra) -> dict:
    return {
        "evidence_id": evidence_id,
        "company_id": company_id,
        "source_id": source_id,
        "evidence_date": "2023-05-02",
        "evidence_type": "investigative_finding",
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


def test_base_case_scores_as_worked_out(tmp_path: Path) -> None:
    con = _build(tmp_path, minimal_case())
    denial = _claim(con, "acme-denial")
    assert denial["contradiction_strength"] == pytest.approx(0.7)
    assert denial["gap_score"] == 70.0
    assert denial["status"] == "contradicted"
    assert denial["refuting_evidence_ids"] == ["acme-files"]
    assert denial["method_version"] == "1.0"
    # A claim with no refuting evidence scores 0.
    arabic = _claim(con, "acme-arabic")
    assert (arabic["gap_score"], arabic["status"]) == (0.0, "unverified")
    low, high = con.execute("select min(gap_score), max(gap_score) from claim_gap").fetchall()[0]
    assert 0 <= low <= high <= 100


def test_adding_a_refuting_link_never_lowers_the_score(tmp_path: Path) -> None:
    case = minimal_case()
    # company_statement (0.9) x medium (0.6) x verified (1.0) = 0.54.
    case["evidence"].append(_evidence("acme-admission", "src-company"))
    case["links"].append(_link("acme-denial", "acme-admission", "refutes", "medium"))
    con = _build(tmp_path, case)
    denial = _claim(con, "acme-denial")
    # 1 - (1 - 0.7)(1 - 0.54) = 1 - 0.3 x 0.46 = 0.862.
    assert denial["contradiction_strength"] == pytest.approx(0.862)
    assert denial["gap_score"] == 86.2 > 70.0
    assert denial["refuting_evidence_ids"] == ["acme-files", "acme-admission"]  # strongest first


def test_adding_a_supporting_link_never_raises_the_score(tmp_path: Path) -> None:
    case = minimal_case()
    case["evidence"].append(_evidence("acme-audit", "src-company"))
    case["links"].append(_link("acme-denial", "acme-audit", "supports", "medium"))
    con = _build(tmp_path, case)
    denial = _claim(con, "acme-denial")
    # support 0.54; gap = 100 x 0.7 x (1 - 0.5 x 0.54) = 70 x 0.73 = 51.1.
    assert denial["support_strength"] == pytest.approx(0.54)
    assert denial["gap_score"] == 51.1 < 70.0
    assert denial["status"] == "disputed"


def test_context_is_shown_but_does_not_score(tmp_path: Path) -> None:
    case = minimal_case()
    case["evidence"].append(_evidence("acme-background", "src-company"))
    case["links"].append(_link("acme-arabic", "acme-background", "context"))
    con = _build(tmp_path, case)
    arabic = _claim(con, "acme-arabic")
    assert arabic["context_evidence_ids"] == ["acme-background"]
    assert (arabic["gap_score"], arabic["status"]) == (0.0, "unverified")


def test_changing_a_weight_changes_scores_as_the_formula_says(tmp_path: Path) -> None:
    con = _build(tmp_path, minimal_case())
    before = _claim(con, "acme-denial")
    con.execute(
        "update score_weights set weight = 0.5 "
        "where factor = 'source_type' and level = 'investigative_journalism'"
    )
    after = _claim(con, "acme-denial")
    assert after["gap_score"] == 50.0  # 0.5 x 1.0 x 1.0
    assert after["status"] == "contradicted"  # 50 is the threshold, inclusive
    assert after["weights_fingerprint"] != before["weights_fingerprint"]
    con.execute(
        "update score_weights set weight = 0.3 "
        "where factor = 'review_status' and level = 'verified'"
    )
    assert _claim(con, "acme-denial")["gap_score"] == 15.0  # 0.5 x 0.3
    assert _claim(con, "acme-denial")["status"] == "questioned"
    con.execute(
        "update score_weights set weight = 20 "
        "where factor = 'status' and level = 'contradicted_min_gap'"
    )
    assert _claim(con, "acme-denial")["status"] == "questioned"  # 15 < 20
    assert _company(con, "acme")["gap_score"] == 15.0


def test_as_of_never_sees_the_future(tmp_path: Path) -> None:
    case = minimal_case()
    for record in case["claims"] + case["companies"] + case["company_names"]:
        record["recorded_on"] = "2023-04-01"
    case["sources"][1]["recorded_on"] = "2023-04-01"  # the company's statement
    case["sources"][0]["recorded_on"] = "2023-06-01"  # the report, published 2023-05-02
    case["links"][0]["recorded_on"] = "2023-07-01"
    case["evidence"][0]["recorded_on"] = "2023-07-01"  # recorded two months after its date
    con = _build(tmp_path, case)
    # The claim is dated March 2023 (month precision): unknown until the month is over.
    assert _claim(con, "acme-denial", "2023-03-15") == {}
    assert _claim(con, "acme-denial", "2023-03-31") == {}  # recorded 2023-04-01
    early = _claim(con, "acme-denial", "2023-04-30")
    assert (early["gap_score"], early["status"], early["refuting_evidence_count"]) == (
        0.0,
        "unverified",
        0,
    )
    # The evidence is dated 2023-05-02 but recorded 2023-07-01: not counted before then.
    assert _claim(con, "acme-denial", "2023-06-15")["gap_score"] == 0.0
    later = _claim(con, "acme-denial", "2023-07-01")
    assert later["gap_score"] == 70.0 and str(later["as_of"]) == "2023-07-01"
    assert _company(con, "acme", "2023-06-15")["band"] == "untested"
    assert _company(con, "acme", "2023-07-01")["gap_score"] == 70.0


def test_subsidiary_counts_in_the_group_not_in_the_parent(tmp_path: Path) -> None:
    case = minimal_case()
    case["links"] = [_link("acme-sub-pledge", "acme-files", "refutes")]
    case["claims"].append(
        {**case["claims"][0], "claim_id": "acme-sub-pledge", "company_id": "acme-sub"}
    )
    con = _build(tmp_path, case)
    parent = _company(con, "acme")
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
    child = _company(con, "acme-sub")
    assert (child["gap_score"], child["group_gap_score"], child["group_companies"]) == (
        70.0,
        70.0,
        1,
    )


def test_time_decay_is_off_by_default_and_halves_per_half_life(tmp_path: Path) -> None:
    con = _build(tmp_path, minimal_case())
    assert con.execute(
        "select weight from score_weights where factor = 'time_decay'"
    ).fetchall() == [(None,)]
    con.execute("update score_weights set weight = 365 where factor = 'time_decay'")
    # 2023-05-02 to 2024-05-01 is 365 days: strength 0.7 x 0.5 = 0.35.
    assert _claim(con, "acme-denial", "2024-05-01")["gap_score"] == 35.0


def test_a_translation_is_not_independent_of_its_original(tmp_path: Path) -> None:
    case = minimal_case()
    case["sources"].append(
        {
            "source_id": "src-translation",
            "publisher": "Translator",
            "source_lang": "ar",
            "source_type": "investigative_journalism",
            "based_on_source_id": "src-report",
            "review_status": "verified",
        }
    )
    case["evidence"].append(_evidence("acme-files-ar", "src-translation"))
    case["links"].append(_link("acme-denial", "acme-files-ar", "refutes"))
    con = _build(tmp_path, case)
    denial = _claim(con, "acme-denial")
    # Both trace to src-report: one piece of strength 0.7, not 1 - 0.3 x 0.3 = 0.91.
    assert denial["refuting_evidence_count"] == 2
    assert denial["gap_score"] == 70.0


def test_methodology_worked_example_matches_the_view(tmp_path: Path) -> None:
    doc = (REPO / "docs" / "methodology.md").read_text(encoding="utf-8")
    claim_id = re.search(r"Worked example: `([a-z0-9-]+)`", doc).group(1)
    expected_gap = float(re.search(r"gap_score = \*\*([0-9.]+)\*\*", doc).group(1))
    strengths = [
        float(s)
        for s in re.findall(r"^\| `[a-z0-9-]+` \|.*\| \*\*([0-9.]+)\*\* \|$", doc, re.MULTILINE)
    ]
    result = build(REPO / "datasets", tmp_path / "dist", gate=False)
    con = duckdb.connect(str(result.out / "saydo.duckdb"), read_only=True)
    row = _claim(con, claim_id)
    assert row["gap_score"] == expected_gap
    product = 1.0
    for strength in strengths:
        product *= 1 - strength
    assert round(100 * (1 - product), 1) == expected_gap


def test_scoped_macros_return_exactly_the_views_rows(tmp_path: Path) -> None:
    """companies := [...] is a faster way to the same answer, never a different one."""
    result = build(REPO / "datasets", tmp_path / "dist", gate=False)
    con = duckdb.connect(str(result.out / "saydo.duckdb"), read_only=True)
    companies = [r[0] for r in con.execute("select company_id from companies").fetchall()]
    assert len(companies) >= 15
    pairs = [
        (
            "select * from claim_gap where company_id = $c",
            "select * from claim_gap_as_of(NULL, companies := [$c])",
        ),
        (
            "select * from company_gap where company_id = $c",
            "select * from company_gap_as_of(NULL, companies := [$c])",
        ),
        ("select * from timeline where company_id = $c", "select * from timeline_of([$c])"),
        (
            "select * from company_gap_as_of(DATE '2026-11-29') where company_id = $c",
            "select * from company_gap_as_of(DATE '2026-11-29', companies := [$c])",
        ),
    ]
    for company in companies:
        for view, scoped in pairs:
            expected = sorted(con.execute(view, {"c": company}).fetchall(), key=repr)
            assert sorted(con.execute(scoped, {"c": company}).fetchall(), key=repr) == expected
    group = con.execute(
        "select group_claims, group_gap_score from company_gap_as_of(NULL, "
        "companies := ['hikvision'])"
    ).fetchall()
    assert group == [(6, 84.2)]
