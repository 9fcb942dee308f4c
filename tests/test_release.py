"""Releases: versions by the recipe, history that is never lost, refusals, release records that
cannot be bent, the great-expectations gate, and files that are the same bytes every time."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import (
    FIRST_RELEASE_DAY,
    TODAY,
    corrected,
    minimal_case,
    record,
    snapshot,
    write_case,
)
from transforms.build import build
from transforms.cli import main as saydo
from transforms.release.diff import diff_paths
from transforms.release.records import ReleaseRecordError, read_releases
from validations.gate import ReleaseRefused, load_bounds
from validations.problems import InputError

BIN = Path(sys.executable).parent


def _release(tmp_path: Path, case: dict, gate: bool = False) -> Path:
    """Build the case and record it as a release, as `saydo release` does: the first release
    on FIRST_RELEASE_DAY, later ones on TODAY."""
    write_case(tmp_path / "datasets", case)
    record(tmp_path, TODAY if (tmp_path / "releases").exists() else FIRST_RELEASE_DAY, gate)
    return tmp_path / "dist"


def _version(out: Path) -> str:
    return json.loads((out / "manifest.json").read_text())["version"]


def _quote_corrected(on: str) -> dict:
    """The minimal case with the denial's quote corrected on `on`."""
    return corrected(
        minimal_case(),
        "quote",
        "We never did that.",
        previous="We never did it.",
        on=on,
        reason="The first transcription misquoted the statement; checked against the video.",
    )


def _files_retracted(case: dict) -> dict:
    """`case` with the files (its first piece of evidence) retracted on 1 April."""
    case["evidence"][0]["retracted_on"] = "2024-04-01"
    case["evidence"][0]["retraction_reason"] = "The files were shown to be forged."
    return case


def _corrected_and_retracted() -> dict:
    return _files_retracted(_quote_corrected("2024-03-01"))


def _changes_after_the_first(tmp_path: Path, case: dict, table: str):
    """Release the hand-made case, then `case` over it: the second release's
    dist/changes/<table>.parquet as a polars frame."""
    import polars as pl

    _release(tmp_path, minimal_case())
    second = _release(tmp_path, case)
    return pl.read_parquet(second / "changes" / f"{table}.parquet")


def test_saydo_release_records_a_verifiable_chained_release(tmp_path: Path, capsys) -> None:
    """The real command, on the real calendar: what a new release adds is dated today. Release
    1.0.0 is the hand-made case recorded by `record` (record_release, the function the command
    runs, shared with the other tests); the command records 1.0.1 over it, then nothing."""
    today = dt.date.today().isoformat()
    datasets = tmp_path / "datasets"
    write_case(datasets, minimal_case())
    record(tmp_path)
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == [
        "1.0.0.json",
        "1.0.0.parquet",
    ]
    (first,) = read_releases(tmp_path / "releases")
    assert (first.version, first.format, first.released_on) == ("1.0.0", 2, FIRST_RELEASE_DAY)
    assert first.tables["claims"]["rows"] == 2
    assert (
        (tmp_path / "CHANGELOG.md").read_text().startswith("# Changelog\n\n## 1.0.0 (2024-01-10)")
    )

    args = [
        "release",
        "--datasets",
        str(datasets),
        "--out",
        str(tmp_path / "dist"),
        "--releases",
        str(tmp_path / "releases"),
        "--changelog",
        str(tmp_path / "CHANGELOG.md"),
        "--quiet",
        "--no-gate",
    ]
    write_case(datasets, _quote_corrected(today))
    assert saydo(args) == 0
    assert "Recorded release 1.0.1" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == [
        "1.0.0.json",
        "1.0.0.parquet",
        "1.0.1.json",
        "1.0.1.parquet",
    ]
    releases = read_releases(tmp_path / "releases")
    assert [(r.version, r.format, r.released_on.isoformat()) for r in releases] == [
        ("1.0.0", 2, "2024-01-10"),
        ("1.0.1", 2, today),
    ]
    chained = json.loads((tmp_path / "releases" / "1.0.1.json").read_text())
    assert chained["previous"]["version"] == "1.0.0"
    # The new section on top, dated by what it adds: the correction made today.
    changelog = (tmp_path / "CHANGELOG.md").read_text()
    assert changelog.startswith(f"# Changelog\n\n## 1.0.1 ({today})")
    assert "\n## 1.0.0 (2024-01-10)" in changelog
    # Nothing changed: no new record.
    assert saydo(args) == 0
    assert "Nothing changed since 1.0.1" in capsys.readouterr().out
    assert len(list((tmp_path / "releases").glob("*.json"))) == 2


def test_correction_and_retraction_keep_history_and_bump_patch(tmp_path: Path) -> None:
    first = _release(tmp_path, minimal_case())
    assert _version(first) == "1.0.0"
    old = tmp_path / "old-dist"
    shutil.copytree(first, old)

    second = _release(tmp_path, _corrected_and_retracted())
    assert _version(second) == "1.0.1"  # corrections and retractions are a PATCH

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
    con.close()

    changes = diff_paths(old, second).as_json()
    assert changes["from"] == "1.0.0" and changes["to"] == "1.0.1"
    assert changes["tables"]["claims"]["changed"] == {"acme-denial": ["quote", "quote_en"]}
    assert changes["tables"]["evidence"]["retracted"] == ["acme-files"]
    assert changes["tables"]["corrections"]["added"] == ["claims/acme-denial/quote/2024-03-01"]
    changelog = (second / "CHANGELOG.md").read_text()
    assert changelog.startswith("## 1.0.1 (2024-04-01)")
    assert "corrected `acme-denial`: quote" in changelog
    assert "retracted `acme-files`" in changelog

    # A third release adds one claim and nothing else: its changes are that claim alone. The
    # quote corrected in 1.0.1 and the files retracted then are not listed again.
    case = _corrected_and_retracted()
    case["claims"].append(
        {**case["claims"][0], "claim_id": "acme-third-denial", "recorded_on": TODAY.isoformat()}
    )
    third = _release(tmp_path, case)
    assert _version(third) == "1.1.0"
    with duckdb.connect(str(third / "saydo.duckdb"), read_only=True) as con:
        assert con.execute(
            "select changed_table, changed_record_id, operation from changes "
            "where release = '1.1.0'"
        ).fetchall() == [("claims", "acme-third-denial", "added")]


def test_a_retraction_alone_bumps_patch(tmp_path: Path) -> None:
    # Nothing corrected and nothing added: the evidence's retraction is the whole change, and
    # a retraction is a new fact a reader must be able to cite by version.
    assert _version(_release(tmp_path, minimal_case())) == "1.0.0"
    second = _release(tmp_path, _files_retracted(minimal_case()))
    assert _version(second) == "1.0.1"
    changelog = (second / "CHANGELOG.md").read_text()
    assert changelog.startswith("## 1.0.1 (2024-04-01)") and "retracted `acme-files`" in changelog


def test_diff_command_prints_a_table_and_json(tmp_path: Path, capsys) -> None:
    first = _release(tmp_path, minimal_case())
    old = tmp_path / "old-dist"
    shutil.copytree(first, old)
    _release(tmp_path, _corrected_and_retracted())
    assert saydo(["diff", str(tmp_path / "releases" / "1.0.0.json"), str(tmp_path / "dist")]) == 0
    table = capsys.readouterr().out
    assert "saydo diff 1.0.0 -> 1.0.1" in table
    # The corrected field with its value before and after and why; the English follows it.
    assert "changed acme-denial: quote_en" in table
    assert (
        "changed acme-denial: quote: 'We never did it.' -> 'We never did that.' "
        "(The first transcription misquoted the statement; checked against the video.)" in table
    )
    assert "retracted acme-files" in table
    # A retraction is listed as one, not also as a change to its retracted_on and reason.
    assert "changed acme-files" not in table
    # The refuting evidence was retracted: the claim's score moved, and the diff says so.
    assert "claim_gap acme-denial: 70.0 contradicted -> 0.0 unverified" in table
    assert saydo(["diff", str(old), str(tmp_path / "dist"), "--json"]) == 0
    evidence = json.loads(capsys.readouterr().out)["tables"]["evidence"]
    assert (evidence["retracted"], evidence["changed"]) == (["acme-files"], {})
    # A release beside itself: the files were retracted before it, so nothing is retracted
    # again, and the table says there is nothing, rather than printing its header alone.
    assert saydo(["diff", str(tmp_path / "dist"), str(tmp_path / "dist")]) == 0
    title, _columns, *rest = capsys.readouterr().out.splitlines()
    assert (title, rest) == ("saydo diff 1.0.1 -> 1.0.1", ["(no changes)"])


def test_new_records_bump_minor(tmp_path: Path) -> None:
    _release(tmp_path, minimal_case())
    case = minimal_case()
    case["claims"].append({**case["claims"][0], "claim_id": "acme-second-denial"})
    # And a claim new in this release and already retracted: still new, so MINOR, and listed
    # among the retractions as well as the additions, where a reader looking for either finds it:
    # in the changes table, the changelog and `saydo diff`.
    case["claims"].append(
        {
            **case["claims"][0],
            "claim_id": "acme-withdrawn",
            "retracted_on": "2024-06-01",
            "retraction_reason": "Not Acme's words.",
        }
    )
    out = _release(tmp_path, case)
    assert _version(out) == "1.1.0"
    con = duckdb.connect(str(out / "saydo.duckdb"), read_only=True)
    changes = con.execute(
        "select changed_record_id, operation, change_note, changed_on::varchar from changes "
        "where release = '1.1.0' order by all"
    ).fetchall()
    assert changes == [
        ("acme-second-denial", "added", None, "2024-01-10"),
        ("acme-withdrawn", "added", None, "2024-01-10"),
        ("acme-withdrawn", "retracted", "Not Acme's words.", "2024-06-01"),
    ]
    con.close()
    changelog = (out / "CHANGELOG.md").read_text()
    assert "- `claims`: 2 added; 1 retracted.\n  - retracted `acme-withdrawn`\n" in changelog
    claims = diff_paths(tmp_path / "releases" / "1.0.0.json", out).as_json()["tables"]["claims"]
    assert claims["added"] == ["acme-second-denial", "acme-withdrawn"]
    assert claims["retracted"] == ["acme-withdrawn"]


def test_published_id_disappearing_is_refused(tmp_path: Path) -> None:
    first = _release(tmp_path, minimal_case())
    before = snapshot(first)
    case = minimal_case()
    case["links"] = []
    write_case(tmp_path / "datasets", case)
    with pytest.raises(InputError) as caught:
        build(tmp_path / "datasets", first, today=TODAY, releases=tmp_path / "releases", gate=False)
    (problem,) = [p for p in caught.value.problems if p.rule == "published_id"]
    assert problem.record == "claim_evidence acme-denial/acme-files"
    assert "released id never disappears" in problem.message and "retract" in problem.hint
    assert snapshot(first) == before


def test_changed_value_without_correction_is_refused_at_its_line(tmp_path: Path) -> None:
    _release(tmp_path, minimal_case())
    case = minimal_case()
    case["claims"][0]["summary"] = "Acme denied everything."
    path = write_case(tmp_path / "datasets", case)
    with pytest.raises(InputError) as caught:
        build(
            tmp_path / "datasets",
            tmp_path / "dist",
            today=TODAY,
            releases=tmp_path / "releases",
            gate=False,
        )
    (problem,) = caught.value.problems
    assert (problem.record, problem.field, problem.rule) == (
        "claims acme-denial",
        "summary",
        "published_value",
    )
    assert "without a correction" in problem.message
    # At the case file's line, and naming the release record it was compared with.
    assert problem.message.endswith("(see releases/1.0.0.json)")
    assert problem.file == "datasets/cases/acme.yaml"
    assert path.read_text().splitlines()[problem.line - 1].strip().startswith("summary:")


def test_a_made_up_previous_value_is_refused(tmp_path: Path) -> None:
    _release(tmp_path, minimal_case())
    case = _corrected_and_retracted()
    case["corrections"][0]["previous_value"] = "Something we never published."
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
    assert (
        problem.field == "quote"
        and "previous_value is not what release 1.0.0 published" in problem.message
    )


def test_a_correction_covers_only_its_own_field(tmp_path: Path) -> None:
    _release(tmp_path, minimal_case())
    case = _corrected_and_retracted()
    case["claims"][0]["summary"] = "Acme denied everything."  # an unrelated change beside it
    write_case(tmp_path / "datasets", case)
    with pytest.raises(InputError) as caught:
        build(
            tmp_path / "datasets",
            tmp_path / "dist",
            today=TODAY,
            releases=tmp_path / "releases",
            gate=False,
        )
    assert [(p.record, p.field) for p in caught.value.problems] == [
        ("claims acme-denial", "summary")
    ]
    # Reported as a change with no correction, not as a correction with a wrong previous value.
    (problem,) = caught.value.problems
    assert problem.message.startswith("changed since release 1.0.0 without a correction record.")


def test_the_version_follows_what_changed_in_the_columns_and_the_rows(tmp_path: Path) -> None:
    """MAJOR when a column goes or changes type, MINOR when one is added, PATCH for a
    correction alone; worked out from a real first release's columns."""
    import dataclasses

    from transforms.release.manifest import Comparison, _columns_diff
    from transforms.release.version import next_version

    _release(tmp_path, minimal_case())
    (first,) = read_releases(tmp_path / "releases")
    claims = first.columns["claims"]

    def bump(columns: list[list], **changes) -> tuple[str, Comparison]:
        previous = dataclasses.replace(first, columns={**first.columns, "claims": columns})
        comparison = Comparison(previous.version)
        _columns_diff("claims", previous, comparison)
        for name, value in changes.items():
            getattr(comparison, name)["claims"] = value
        return next_version(previous, comparison), comparison

    # 1.0.0 had a column this build lacks: removed, so 2.0.0.
    version, comparison = bump([*claims, ["legacy_note", "string", None]])
    assert (version, comparison.columns_removed["claims"]) == ("2.0.0", ["legacy_note"])
    # 1.0.0 typed summary as an integer: retyped, so 2.0.0, even beside new rows.
    retyped = [[n, "integer" if n == "summary" else t, e] for n, t, e in claims]
    version, comparison = bump(retyped, added=["acme-new"])
    assert (version, comparison.columns_retyped["claims"]) == ("2.0.0", ["summary"])
    # 1.0.0 lacked review_note: a column added, so 1.1.0.
    version, comparison = bump([c for c in claims if c[0] != "review_note"])
    assert (version, comparison.columns_added["claims"]) == ("1.1.0", ["review_note"])
    # The same columns: a new row is 1.1.0, a correction alone 1.0.1, nothing 1.0.0.
    assert bump(claims, added=["acme-new"])[0] == "1.1.0"
    assert bump(claims, corrected={"acme-denial": ["quote"]})[0] == "1.0.1"
    assert bump(claims)[0] == "1.0.0"
    # 1.0.0 allowed a topic this build no longer allows: a reader filtering on it finds
    # nothing now, so the changelog lists topic's allowed values as changed.
    retired = [[n, t, [*e, "retired_topic"] if n == "topic" else e] for n, t, e in claims]
    assert bump(retired)[1].values_changed["claims"] == ["topic"]
    # 1.0.0 allowed one topic fewer: a value added takes nothing from a reader.
    fewer = [[n, t, e[:-1] if n == "topic" else e] for n, t, e in claims]
    assert bump(fewer)[1].values_changed["claims"] == []


def test_a_correction_on_the_day_of_recording_is_accepted(tmp_path: Path) -> None:
    _release(tmp_path, minimal_case())
    case = _corrected_and_retracted()
    case["corrections"][0]["corrected_on"] = "2024-01-10"
    case["evidence"][0].pop("retracted_on")
    case["evidence"][0].pop("retraction_reason")
    assert _version(_release(tmp_path, case)) == "1.0.1"


def test_moving_a_record_to_another_file_needs_no_correction(tmp_path: Path) -> None:
    _release(tmp_path, minimal_case())
    case = minimal_case()
    moved = case["responses"].pop()
    write_case(tmp_path / "datasets", case)
    write_case(
        tmp_path / "datasets",
        {"case": {"recorded_on": "2024-01-10"}, "responses": [moved]},
        "replies",
    )
    out = build(
        tmp_path / "datasets",
        tmp_path / "dist",
        today=TODAY,
        releases=tmp_path / "releases",
        gate=False,
    )
    assert out.summary["version"] == "1.0.0"


def _records(tmp_path: Path) -> Path:
    _release(tmp_path, minimal_case())
    return tmp_path / "releases"


@pytest.mark.parametrize(
    ("bend", "words"),
    [
        (lambda r: (r / "notes.json").write_text("{}"), "notes.json: is not a release record"),
        (lambda r: (r / "9.9.9.json").write_text("{}"), "9.9.9.json: says it is release None"),
        (lambda r: (r / "1.0.0.json").write_text("not json"), "is not a readable release record"),
        (
            lambda r: (r / "1.0.0.json").write_text(
                (r / "1.0.0.json").read_text().replace('"rows": 2', '"rows": 3')
            ),
            "has been edited: its checksum does not match",
        ),
        (
            lambda r: (r / "1.0.0.parquet").write_bytes(
                (r / "1.0.0.parquet").read_bytes()[:-9] + b"x" * 9
            ),
            "has been altered",
        ),
        (lambda r: (r / "1.0.0.parquet").unlink(), "which is missing"),
    ],
    ids=[
        "stray file",
        "empty record",
        "broken json",
        "edited envelope",
        "edited records",
        "lost records",
    ],
)
def test_release_records_that_were_bent_stop_the_build_naming_the_file(
    tmp_path: Path, bend, words: str
) -> None:
    # The build reads its releases with read_releases and stops with its problems as they
    # are (transforms/build.py); a whole build over five bent records at once is
    # test_red_team's `bent_records`. Here each bend alone, at the reader.
    releases = _records(tmp_path)
    bend(releases)
    with pytest.raises(ReleaseRecordError) as caught:
        read_releases(releases)
    assert any(words in p.render() for p in caught.value.problems), str(caught.value)


def test_the_first_release_record_is_anchored(tmp_path: Path) -> None:
    from tests.conftest import REPO

    releases = tmp_path / "releases"
    releases.mkdir()
    text = (REPO / "releases" / "1.0.0.json").read_text()
    (releases / "1.0.0.json").write_text(text)
    assert read_releases(releases)[0].version == "1.0.0"
    # Remove one id from the record, as a red team did: refused.
    document = json.loads(text)
    document["tables"]["claims"]["records"].pop("volkswagen-clean-diesel")
    (releases / "1.0.0.json").write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    with pytest.raises(ReleaseRecordError, match="does not match the release it records"):
        read_releases(releases)


def test_a_hand_edited_release_folder_is_not_read(tmp_path: Path, capsys) -> None:
    first = _release(tmp_path, minimal_case())
    second_copy = tmp_path / "copy"
    shutil.copytree(first, second_copy)
    manifest = second_copy / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"rows": 2', '"rows": 7'))
    assert saydo(["diff", str(first), str(second_copy)]) == 1
    assert "does not match" in capsys.readouterr().err
    (first / "saydo.duckdb").write_bytes((first / "saydo.duckdb").read_bytes() + b"\0")
    assert saydo(["query", "select 1", "--db", str(first / "saydo.duckdb")]) == 1
    assert saydo(["report", "--db", str(first / "saydo.duckdb"), "--out", str(tmp_path / "r")]) == 1
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_release_gate_refuses_and_keeps_its_report_where_it_says(tmp_path: Path) -> None:
    out = _release(tmp_path, minimal_case(), gate=True)
    checks = json.loads((out / "validation" / "release-checks.json").read_text())
    assert checks["success"] is True
    assert {s["suite"] for s in checks["suites"]} >= {"claims", "claim_gap", "company_gap"}
    before = snapshot(out)

    # Every evidence row must have a quote: the fixture's other-files has none (1 of 2).
    strict = load_bounds()
    strict["fill"]["evidence"]["quote"] = 1.0
    with pytest.raises(ReleaseRefused) as caught:
        build(
            tmp_path / "datasets", out, today=TODAY, releases=tmp_path / "releases", bounds=strict
        )
    assert any("evidence.fill_quote" in f and "observed 0.5" in f for f in caught.value.failures)
    assert caught.value.report.exists(), "the message points at a report that was deleted"
    assert json.loads(caught.value.report.read_text())["success"] is False
    assert snapshot(out) == before

    # Rows may not grow past the bound: 3 claims over a previous 2 with a factor of 1 and 0.
    tight = load_bounds()
    tight["max_growth_factor"], tight["max_growth_rows"] = 1.0, 0
    case = minimal_case()
    case["claims"].append({**case["claims"][0], "claim_id": "acme-third"})
    write_case(tmp_path / "datasets", case)
    with pytest.raises(ReleaseRefused) as caught:
        build(tmp_path / "datasets", out, today=TODAY, releases=tmp_path / "releases", bounds=tight)
    assert any(f.startswith("claims.rows") and "observed 3" in f for f in caught.value.failures)


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
    # A summary on two lines too: text's pattern must pass it in frictionless as at the door.
    case = minimal_case()
    case["claims"][0]["summary"] = "Acme denied it.\nIn two lines."
    out = _release(tmp_path, case, gate=True)
    package = json.loads((out / "datapackage.json").read_text())
    assert package["version"] == "1.0.0"
    assert package["saydo"] == {"data_date": "2024-01-10", "method_version": "2.1"}
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


def test_two_corrections_in_one_release_show_what_was_published_and_what_is_now(
    tmp_path: Path,
) -> None:
    # 1.0.0 published "We never did it."; the next release corrects the quote twice, on 1 and
    # 15 March. A reader of the changes compares what 1.0.0 said with what 1.0.1 says: the
    # in-between wording was never published.
    import polars as pl

    case = _quote_corrected("2024-03-01")
    case["claims"][0]["quote"] = "We never did anything like that."
    case["corrections"].append(
        {
            **case["corrections"][0],
            "previous_value": "We never did that.",
            "corrected_on": "2024-03-15",
            "reason": "The second half of the sentence was missing.",
        }
    )
    changes = _changes_after_the_first(tmp_path, case, "changes")
    corrected = changes.filter(pl.col("operation") == "corrected")
    assert corrected.select(
        "changed_record_id", "changed_field", "old_value", "new_value", "changed_on"
    ).rows() == [
        (
            "acme-denial",
            "quote",
            "We never did it.",
            "We never did anything like that.",
            dt.date(2024, 3, 15),
        )
    ]


def test_a_status_that_moves_without_its_score_is_a_score_change(tmp_path: Path) -> None:
    # The Arabic claim has no evidence in 1.0.0: unverified, 0. The next release adds a piece
    # that supports it and none that refutes it: the contradiction stays 0, so its gap score
    # stays 0.0, but it is now 'supported'. A reader of score_changes must see that move.
    import polars as pl

    case = minimal_case()
    case["links"].append(
        {
            "claim_id": "acme-arabic",
            "evidence_id": "acme-files",
            "relation": "supports",
            "confidence": "high",
            "rationale": "The files bear the statement out.",
        }
    )
    scores = _changes_after_the_first(tmp_path, case, "score_changes")
    moved = scores.filter(pl.col("scored_id") == "acme-arabic").select(
        "score_level", "old_gap_score", "new_gap_score", "old_status", "new_status"
    )
    assert moved.rows() == [("claim", 0.0, 0.0, "unverified", "supported")]


def test_a_score_that_appears_or_disappears_is_a_score_change(tmp_path: Path) -> None:
    # 1.0.0 scored the denial 70.0 contradicted (the files, 0.7 x certainty 1.0) and Acme 70.0
    # high. The next release retracts the denial and adds Other Co's first claim, which nothing
    # tests: 0.0, unverified. A reader of score_changes must see the denial's score go (no new
    # score), the pledge's arrive (no old one, and saying it was not known before), and Acme's
    # fall to untested with only the Arabic claim left. Other Co stays untested: no row.
    case = minimal_case()
    case["claims"][0].update(retracted_on="2024-06-01", retraction_reason="Misattributed.")
    case["claims"].append(
        {
            **minimal_case()["claims"][0],
            "claim_id": "other-pledge",
            "company_id": "other",
            "recorded_on": "2024-06-01",
        }
    )
    scores = _changes_after_the_first(tmp_path, case, "score_changes")
    # Every column but the two naming the releases, in the registry's order.
    assert scores.drop("release", "previous_release").rows() == [
        ("claim", "acme-denial", 70.0, None, None, "contradicted", None, True),
        ("claim", "other-pledge", None, 0.0, None, None, "unverified", False),
        ("company", "acme", 70.0, None, None, "high", "untested", True),
    ]


def test_a_release_writes_its_changes_with_values_and_score_moves(tmp_path: Path) -> None:
    """dist/changes/, worked by hand for the release after the first: one correction (quote),
    one retraction (acme-files), one added correction record, and the score moves they cause."""
    import polars as pl

    _release(tmp_path, minimal_case())
    second = _release(tmp_path, _corrected_and_retracted())
    changes = pl.read_parquet(second / "changes" / "changes.parquet")
    assert changes.select(
        "changed_table",
        "changed_record_id",
        "operation",
        "changed_field",
        "old_value",
        "new_value",
        "changed_on",
    ).sort("changed_table", "operation").rows() == [
        (
            "claims",
            "acme-denial",
            "corrected",
            "quote",
            "We never did it.",
            "We never did that.",
            dt.date(2024, 3, 1),
        ),
        (
            "corrections",
            "claims/acme-denial/quote/2024-03-01",
            "added",
            None,
            None,
            None,
            dt.date(2024, 3, 1),
        ),
        ("evidence", "acme-files", "retracted", None, None, None, dt.date(2024, 4, 1)),
    ]
    assert set(changes["release"]) == {"1.0.1"} and set(changes["previous_release"]) == {"1.0.0"}
    assert changes.filter(pl.col("operation") == "retracted")["change_note"].to_list() == [
        "The files were shown to be forged."
    ]
    scores = pl.read_parquet(second / "changes" / "score_changes.parquet").sort("score_level")
    # Before: acme-files refuted the denial at 0.7 (third party, first hand, high, verified,
    # refutes 1.0) x claim certainty 1.0 = 70.0, contradicted; acme's own gap 70.0, high.
    # After the retraction nothing refutes it: 0.0 unverified; acme has no tested claim.
    assert scores.select(
        "score_level",
        "scored_id",
        "old_gap_score",
        "new_gap_score",
        "gap_score_change",
        "old_status",
        "new_status",
        "old_score_known",
    ).rows() == [
        ("claim", "acme-denial", 70.0, 0.0, -70.0, "contradicted", "unverified", True),
        ("company", "acme", 70.0, None, None, "high", "untested", True),
    ]
    # The same rows as JSON Lines, and in the DuckDB file.
    with gzip.open(second / "changes" / "changes.jsonl.gz") as lines:
        assert pl.read_ndjson(lines).height == changes.height
    con = duckdb.connect(str(second / "saydo.duckdb"), read_only=True)
    assert con.execute("select count(*) from score_changes").fetchall() == [(2,)]
    con.close()
