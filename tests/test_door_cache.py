"""pandera's verdicts on unchanged rows are kept in `.saydo-cache/` and never hide a problem.

The cache is read and written by the build's validate stage (`transforms.build.validate`, given
`.saydo-cache/` beside `dist/` by a plain build and nothing by a release), so most steps here run
that stage on a work database read as the build reads it; a refused build and a recorded release
show, end to end, that a build reads and writes the cache beside its dist/ and a release never
reads it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import validations.door as door
from tests.conftest import (
    FIRST_RELEASE_DAY,
    TODAY,
    minimal_case,
    validate_stage,
    write_case,
)
from transforms.build import build
from validations.problems import InputError

# The minimal case as written, table by table in the order they are read: 3 sources,
# 3 companies, 1 other name, 2 claims, 2 pieces of evidence, 1 link, 1 response (empty tables
# are never judged).
EVERY_ROW = [
    ("sources", 3),
    ("companies", 3),
    ("company_names", 1),
    ("claims", 2),
    ("evidence", 2),
    ("claim_evidence", 1),
    ("responses", 1),
]


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """(table, rows) for every table pandera is asked to judge, in order."""
    seen: list[tuple[str, int]] = []
    real = door._pandera_table

    def watch(name, frame, *args):
        seen.append((name, frame.height))
        return real(name, frame, *args)

    monkeypatch.setattr(door, "_pandera_table", watch)
    return seen


def test_unchanged_rows_are_not_judged_again_and_a_bad_value_is_always_refused(
    tmp_path: Path, datasets: Path, judged: list[tuple[str, int]]
) -> None:
    cache = tmp_path / ".saydo-cache"  # where a build into tmp_path/dist keeps it
    validate_stage(datasets, cache)
    assert judged == EVERY_ROW
    assert (cache / door.KnownValidRows.FILE).is_file()

    judged.clear()
    validate_stage(datasets, cache)
    assert judged == []  # nothing new to judge

    case = minimal_case()
    case["claims"][0]["claim_type"] = "boast"
    write_case(datasets, case)
    # The build itself, into tmp_path/dist: refused, having judged only the changed row (it read
    # the verdicts beside its dist/), and it keeps this build's verdicts there.
    kept = (cache / door.KnownValidRows.FILE).read_bytes()
    judged.clear()
    with pytest.raises(InputError, match="'boast' is not an allowed value"):
        build(datasets, tmp_path / "dist", today=TODAY, gate=False)
    assert judged == [("claims", 1)]
    assert (cache / door.KnownValidRows.FILE).read_bytes() != kept
    assert not (tmp_path / "dist").exists()
    # Refused again: a failing row is never remembered.
    judged.clear()
    with pytest.raises(InputError, match="'boast' is not an allowed value"):
        validate_stage(datasets, cache)
    assert judged == [("claims", 1)]

    write_case(datasets, minimal_case())
    judged.clear()
    validate_stage(datasets, cache)
    # The claim as it was is judged again: the cache keeps only the rows of the last build.
    assert judged == [("claims", 1)]


def test_a_broken_cache_costs_a_full_validation_and_a_release_never_reads_it(
    tmp_path: Path, datasets: Path, judged: list[tuple[str, int]]
) -> None:
    from transforms.release.recording import record_release

    cache = tmp_path / ".saydo-cache" / door.KnownValidRows.FILE
    cache.parent.mkdir()
    cache.write_bytes(b"PAR1 not parquet at all")
    validate_stage(datasets, cache.parent)
    assert judged == EVERY_ROW
    assert cache.read_bytes().startswith(b"PAR1") and len(cache.read_bytes()) > 100  # rewritten

    # `saydo release`'s own path, into tmp_path/dist with a good cache beside it (it holds every
    # row, as the stage just wrote it): every row is judged afresh.
    judged.clear()
    record_release(
        datasets,
        tmp_path / "dist",
        tmp_path / "releases",
        tmp_path / "CHANGELOG.md",
        FIRST_RELEASE_DAY,
        gate=False,
    )
    assert judged == EVERY_ROW

    # A cache that cannot be written only costs time. (A whole build with the gate beside such a
    # cache: test_gate's test_a_rebuild_reuses_the_verdict_on_the_same_measures_...)
    shutil.rmtree(tmp_path / ".saydo-cache")
    (tmp_path / ".saydo-cache").write_text("not a folder")
    judged.clear()
    validate_stage(datasets, tmp_path / ".saydo-cache")
    assert judged == EVERY_ROW


def test_a_verdict_kept_under_other_checks_code_libraries_or_switches_is_not_used(
    tmp_path: Path,
    datasets: Path,
    judged: list[tuple[str, int]],
) -> None:
    # A row pandera passed is passed again only while everything its verdict rested on is the
    # same: a tightened check must judge the rows it passed before, or a value it now refuses
    # would ship from the cache.
    import dataclasses

    cache = tmp_path / ".saydo-cache"
    claims = door.TABLES["claims"]
    # The hand-made claims are both about human_rights; governance is allowed no more.
    narrower = {k: v for k, v in claims.column("topic").enum.items() if k != "governance"}
    changes = {
        "a narrower list of allowed topics for claims": (
            lambda changed: changed.setitem(
                door.TABLES, "claims", dataclasses.replace(claims, enums={"topic": narrower})
            ),
            [("claims", 2)],  # only the claims' verdicts rested on it
        ),
        "other code turning declarations into pandera models": (
            lambda changed: changed.setattr(door, "_model_code", lambda: b"other code"),
            EVERY_ROW,
        ),
        "another pandera or polars": (
            lambda changed: changed.setattr(door, "_library_versions", lambda: ("0.0", "0.0")),
            EVERY_ROW,
        ),
        "a pandera switch in the environment": (
            lambda changed: changed.setenv("PANDERA_VALIDATION_DEPTH", "SCHEMA_AND_DATA"),
            EVERY_ROW,
        ),
    }
    for change, (make, expected) in changes.items():
        validate_stage(datasets, cache)  # every row kept as things are
        judged.clear()
        validate_stage(datasets, cache)
        assert judged == [], change
        with pytest.MonkeyPatch.context() as changed:
            make(changed)
            validate_stage(datasets, cache)
        assert judged == expected, change
