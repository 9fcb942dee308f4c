"""Releases: versions, history that is never lost, refusals, the great-expectations gate,
and files that are the same bytes every time."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import TODAY, minimal_case, snapshot, write_case
from transforms.build import build
from transforms.cli import main as saydo
from transforms.problems import InputError
from validations.release_gate import BOUNDS, ReleaseRefused

BIN = Path(sys.executable).parent


def _release(tmp_path: Path, case: dict, gate: bool = False, **kwargs) -> Path:
    """Build the case as a release and record its manifest, as `saydo release` does."""
    datasets, out, releases = tmp_path / "datasets", tmp_path / "dist", tmp_path / "releases"
    write_case(datasets, case)
    result = build(datasets, out, today=TODAY, releases=releases, gate=gate, **kwargs)
    releases.mkdir(exist_ok=True)
    version = result.summary["version"]
    shutil.copyfile(out / "manifest.json", releases / f"{version}.json")
    return out


def _corrected_and_retracted() -> dict:
    case = minimal_case()
    case["claims"][0]["quote"] = "We never did that."
    case["corrections"] = [
        {
            "table_name": "claims",
            "record_id": "acme-denial",
            "field_name": "quote",
            "previous_value": "We never did it.",
            "corrected_on": "2024-03-01",
            "reason": "The first transcription misquoted the statement; checked against the video.",
        }
    ]
    case["evidence"][0]["retracted_on"] = "2024-04-01"
    case["evidence"][0]["retraction_reason"] = "The files were shown to be forged."
    return case


def test_correction_and_retraction_keep_history_and_bump_patch(tmp_path: Path) -> None:
    first = _release(tmp_path, minimal_case())
    assert json.loads((first / "manifest.json").read_text())["version"] == "1.0.0"
    old = tmp_path / "old-dist"
    shutil.copytree(first, old)

    second = _release(tmp_path, _corrected_and_retracted())
    manifest = json.loads((second / "manifest.json").read_text())
    assert manifest["version"] == "1.0.1"  # corrections and retractions are a PATCH

    con = duckdb.connect(str(second / "saydo.duckdb"), read_only=True)
    versions = con.execute(
        "select version, quote, quote_en, valid_from::varchar, valid_to::varchar, change "
        "from claims_history where claim_id = 'acme-denial' order by version"
    ).fetchall()
    assert versions == [
        (1, "We never did it.", "We never did it.", "2024-01-10", "2024-03-01", "recorded"),
        (2, "We never did that.", "We never did that.", "2024-03-01", None, "corrected"),
    ]
    evidence = con.execute(
        "select version, retracted_on::varchar, valid_from::varchar, valid_to::varchar, change, "
        "change_reason from evidence_history where evidence_id = 'acme-files' order by version"
    ).fetchall()
    assert evidence == [
        (1, None, "2024-01-10", "2024-04-01", "recorded", None),
        (2, "2024-04-01", "2024-04-01", None, "retracted", "The files were shown to be forged."),
    ]
    # The retracted id is still published.
    assert con.execute(
        "select count(*) from evidence where evidence_id = 'acme-files'"
    ).fetchall() == [(1,)]

    def gap(as_of: str | None) -> tuple:
        source = "claim_gap" if as_of is None else f"claim_gap_as_of(DATE '{as_of}')"
        return con.execute(
            f"select gap_score, status from {source} where claim_id = 'acme-denial'"
        ).fetchall()[0]

    # Before the retraction the evidence counted; after it, it does not.
    assert gap("2024-02-01") == (70.0, "contradicted")
    assert gap("2024-05-01") == (0.0, "unverified")
    assert gap(None) == (0.0, "unverified")
    # The as-of query reads the quote as it stood then.
    assert con.execute(
        "select quote from claims_history where claim_id = 'acme-denial' "
        "and valid_from <= DATE '2024-02-01' and (valid_to is null or "
        "valid_to > DATE '2024-02-01')"
    ).fetchall() == [("We never did it.",)]

    # The diff, from the old release folder to the new one.
    from transforms.release import diff, read_manifest

    changes = diff(read_manifest(old), read_manifest(second)).as_json()
    assert changes["from"] == "1.0.0" and changes["to"] == "1.0.1"
    assert changes["tables"]["claims"]["changed"] == {"acme-denial": ["quote", "quote_en"]}
    assert changes["tables"]["evidence"]["retracted"] == ["acme-files"]
    assert changes["tables"]["corrections"]["added"] == ["claims/acme-denial/quote/2024-03-01"]
    changelog = (second / "CHANGELOG.md").read_text()
    assert changelog.startswith("## 1.0.1 (2024-04-01)")
    assert "corrected `acme-denial`: quote, quote_en" in changelog
    assert "retracted `acme-files`" in changelog


def test_diff_command_prints_a_table_and_json(tmp_path: Path, capsys) -> None:
    first = _release(tmp_path, minimal_case())
    old = tmp_path / "old-dist"
    shutil.copytree(first, old)
    _release(tmp_path, _corrected_and_retracted())
    assert saydo(["diff", str(tmp_path / "releases" / "1.0.0.json"), str(tmp_path / "dist")]) == 0
    table = capsys.readouterr().out
    assert "saydo diff 1.0.0 -> 1.0.1" in table
    assert "changed acme-denial: quote, quote_en" in table
    assert "retracted acme-files" in table
    assert saydo(["diff", str(old), str(tmp_path / "dist"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tables"]["evidence"]["retracted"] == ["acme-files"]


def test_new_records_bump_minor(tmp_path: Path) -> None:
    _release(tmp_path, minimal_case())
    case = minimal_case()
    case["claims"].append({**case["claims"][0], "claim_id": "acme-second"})
    out = _release(tmp_path, case)
    assert json.loads((out / "manifest.json").read_text())["version"] == "1.1.0"


def test_published_id_disappearing_is_refused(tmp_path: Path) -> None:
    first = _release(tmp_path, minimal_case())
    before = snapshot(first)
    case = minimal_case()
    case["claims"] = [c for c in case["claims"] if c["claim_id"] != "acme-arabic"]
    write_case(tmp_path / "datasets", case)
    with pytest.raises(InputError) as caught:
        build(tmp_path / "datasets", first, today=TODAY, releases=tmp_path / "releases", gate=False)
    (problem,) = caught.value.problems
    assert problem.record == "claims acme-arabic"
    assert "was published in release 1.0.0 and is missing now" in problem.message
    assert "retracted_on" in problem.hint
    assert snapshot(first) == before


def test_published_value_changed_without_correction_is_refused(tmp_path: Path) -> None:
    _release(tmp_path, minimal_case())
    case = minimal_case()
    case["claims"][0]["summary"] = "Acme denied everything."
    write_case(tmp_path / "datasets", case)
    with pytest.raises(InputError) as caught:
        build(
            tmp_path / "datasets",
            tmp_path / "dist",
            today=TODAY,
            releases=tmp_path / "releases",
            gate=False,
        )
    (problem,) = caught.value.problems
    assert (problem.record, problem.field) == ("claims acme-denial", "summary")
    assert "without a correction record" in problem.message
    assert "previous_value" in problem.hint


@pytest.mark.slow
def test_release_gate_refuses_a_failing_expectation(tmp_path: Path) -> None:
    out = _release(tmp_path, minimal_case(), gate=True)
    checks = json.loads((out / "validation" / "release-checks.json").read_text())
    assert checks["success"] is True
    assert {s["suite"] for s in checks["suites"]} >= {"claims", "claim_gap", "company_gap"}
    before = snapshot(out)

    # Every evidence row must have a quote: the fixture's other-files has none.
    strict = json.loads(json.dumps(BOUNDS))
    strict["fill"]["evidence"]["quote"] = 1.0
    with pytest.raises(ReleaseRefused) as caught:
        build(
            tmp_path / "datasets", out, today=TODAY, releases=tmp_path / "releases", bounds=strict
        )
    assert any(
        "evidence.fill_quote: expect_column_values_to_be_between failed (observed 0.5" in f
        for f in caught.value.failures
    )
    assert snapshot(out) == before


@pytest.mark.slow
def test_synthetic_rows_never_ship(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    write_case(datasets, minimal_case())
    feed = datasets / "feeds" / "companies" / "synthetic.csv"
    feed.parent.mkdir(parents=True)
    feed.write_text(
        "company_id,name,source_id,review_status,recorded_on,is_synthetic\n"
        "synthetic-co,Synthetic Co,src-company,verified,2024-01-10,true\n",
        encoding="utf-8",
    )
    with pytest.raises(ReleaseRefused) as caught:
        build(datasets, tmp_path / "dist", today=TODAY, releases=tmp_path / "releases")
    assert any("companies.synthetic_rows" in f for f in caught.value.failures)
    assert not (tmp_path / "dist").exists()


@pytest.mark.slow
def test_release_validates_with_frictionless_and_sha256sum(tmp_path: Path) -> None:
    out = _release(tmp_path, minimal_case(), gate=True)
    package = json.loads((out / "datapackage.json").read_text())
    assert package["version"] == "1.0.0"
    assert package["saydo"] == {"data_date": "2024-01-10", "method_version": "1.0"}
    assert {r["name"] for r in package["resources"]} >= {
        "claims",
        "claims-history",
        "claim-gap",
        "company-gap",
    }
    frictionless = subprocess.run(
        [str(BIN / "frictionless"), "validate", "datapackage.json"],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert frictionless.returncode == 0, frictionless.stdout[-3000:]
    sums = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True
    )
    assert sums.returncode == 0, sums.stdout
    listed = {line.split("  ", 1)[1] for line in (out / "SHA256SUMS").read_text().splitlines()}
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert listed == files - {"SHA256SUMS"}


@pytest.mark.slow
def test_two_clean_builds_are_byte_identical(tmp_path: Path, datasets: Path) -> None:
    for run in ("one", "two"):
        build(datasets, tmp_path / run, today=TODAY, releases=tmp_path / "releases")
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert one == two
    assert {
        "saydo.duckdb",
        "datapackage.json",
        "SHA256SUMS",
        "parquet/claims.parquet",
        "validation/release-checks.json",
    } <= set(one)
