"""pandera's verdicts on unchanged rows are kept in `.saydo-cache/` and never hide a problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import validations.door as door
from tests.conftest import FIRST_RELEASE_DAY, TODAY, minimal_case, write_case
from transforms.build import build
from validations.problems import InputError


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
    out = tmp_path / "dist"
    build(datasets, out, today=TODAY, gate=False)
    # The minimal case as written: 3 sources, 3 companies, 1 other name, 2 claims, 2 pieces of
    # evidence, 1 link, 1 response (empty tables are never judged).
    assert dict(judged) == {
        "sources": 3,
        "companies": 3,
        "company_names": 1,
        "claims": 2,
        "evidence": 2,
        "claim_evidence": 1,
        "responses": 1,
    }
    assert (tmp_path / ".saydo-cache" / door.KnownValidRows.FILE).is_file()

    judged.clear()
    build(datasets, out, today=TODAY, gate=False)
    assert judged == []  # nothing new to judge

    case = minimal_case()
    case["claims"][0]["claim_type"] = "boast"
    write_case(datasets, case)
    for _ in range(2):  # refused, and refused again: a failing row is never remembered
        judged.clear()
        with pytest.raises(InputError, match="'boast' is not an allowed value"):
            build(datasets, out, today=TODAY, gate=False)
        assert judged == [("claims", 1)]

    write_case(datasets, minimal_case())
    judged.clear()
    build(datasets, out, today=TODAY, gate=False)
    # The claim as it was is judged again: the cache keeps only the rows of the last build.
    assert judged == [("claims", 1)]


def test_a_broken_cache_costs_a_full_validation_and_a_release_never_reads_it(
    tmp_path: Path, datasets: Path, judged: list[tuple[str, int]]
) -> None:
    from transforms.release.recording import record_release

    out = tmp_path / "dist"
    build(datasets, out, today=TODAY, gate=False)
    everything = list(judged)
    cache = tmp_path / ".saydo-cache" / door.KnownValidRows.FILE
    cache.write_bytes(b"PAR1 not parquet at all")
    judged.clear()
    build(datasets, out, today=TODAY, gate=False)
    assert judged == everything
    assert cache.read_bytes().startswith(b"PAR1") and len(cache.read_bytes()) > 100  # rewritten

    # `saydo release`'s own path, with a good cache beside it: every row is judged afresh.
    judged.clear()
    record_release(
        datasets,
        out,
        tmp_path / "releases",
        tmp_path / "CHANGELOG.md",
        FIRST_RELEASE_DAY,
        gate=False,
    )
    assert judged == everything

    # A cache that cannot be written only costs time.
    shutil.rmtree(tmp_path / ".saydo-cache")
    (tmp_path / ".saydo-cache").write_text("not a folder")
    judged.clear()
    build(datasets, out, today=TODAY, gate=False)
    assert judged == everything
