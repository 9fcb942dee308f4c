"""The release gate's expectations, measured on real built files: rows that shrink or grow past
the bounds, a mean score that drifts, a reference that does not resolve. These tests judge the
measures against each suite's bounds directly (great-expectations judges the same rows in
tests/test_release.py, marked slow), so a bound the gate forgets fails here in seconds."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from schemas.method import METHOD_VERSION
from tests.conftest import TODAY, minimal_case, write_case
from transforms.build import build
from validations.gate import ReleaseRefused, _measure, load_bounds, suites


def _previous(rows: dict[str, int], mean: float | None = None, method: str = METHOD_VERSION):
    """What the gate reads of the previous release: rows per table and the mean claim score."""
    return SimpleNamespace(
        tables={name: {"rows": n} for name, n in rows.items()},
        scores={} if mean is None else {"claim_gap_mean": mean},
        method_version=method,
    )


def _unmet(folder: Path, previous, bounds: dict | None = None) -> dict[str, object]:
    """Each expectation the release in `folder` fails, as suite.measure: observed value."""
    specs = suites(folder, previous, bounds or load_bounds())
    failed = {}
    for spec, measures in zip(specs, _measure(folder, specs), strict=True):
        for column, least, most in spec.bounds:
            value = measures[column]
            if (least is not None and value < least) or (most is not None and value > most):
                failed[f"{spec.name}.{column}"] = value
    return failed


def test_a_good_release_meets_every_expectation(built: Path) -> None:
    # The hand-made case: 2 claims scoring 70.0 and 0.0, a mean of 35.0.
    assert _unmet(built, _previous({"claims": 2, "evidence": 2}, mean=35.0)) == {}


def test_rows_may_not_shrink_nor_grow_past_the_bound(built: Path) -> None:
    # Shrinking: 3 claims released before, 2 now (a released id disappeared).
    assert _unmet(built, _previous({"claims": 3})) == {"claims.rows": 2}
    # Growing: 2 claims now over 1 before, allowed at most int(1 x 1.0 + 0) = 1.
    tight = load_bounds() | {"max_growth_factor": 1.0, "max_growth_rows": 0}
    assert _unmet(built, _previous({"claims": 1}), tight) == {"claims.rows": 2}
    # The default bound allows int(1 x 5.0 + 500) = 505.
    assert _unmet(built, _previous({"claims": 1})) == {}


def test_the_mean_score_may_not_drift_past_the_bound(built: Path) -> None:
    shift = load_bounds()["max_mean_gap_shift"]
    assert shift == 25.0
    # The mean now is (70.0 + 0.0) / 2 = 35.0: a previous 60.0 is within 25, 60.1 is not.
    assert _unmet(built, _previous({}, mean=60.0)) == {}
    assert _unmet(built, _previous({}, mean=60.1)) == {"claim_gap.mean_gap": 35.0}
    assert _unmet(built, _previous({}, mean=9.9)) == {"claim_gap.mean_gap": 35.0}
    # A new method may move every score: drift is not judged across methods.
    assert _unmet(built, _previous({}, mean=90.0, method="0.9")) == {}


def test_an_unresolved_reference_in_a_shipped_file_is_refused(built: Path, tmp_path: Path) -> None:
    folder = tmp_path / "tampered"
    shutil.copytree(built, folder)
    path = folder / "parquet" / "claims.parquet"
    table = pq.read_table(path)
    ghost = pc.if_else(
        pc.equal(table["claim_id"], "acme-arabic"), "ghost", table["company_id"].cast("string")
    )
    table = table.set_column(table.schema.get_field_index("company_id"), "company_id", ghost)
    pq.write_table(table, path)
    assert _unmet(folder, None) == {"claims.unresolved_company_id": 1}


@pytest.mark.slow
def test_a_rebuild_reuses_each_suites_verdict_on_the_same_measures_and_a_release_never_does(
    tmp_path: Path,
) -> None:
    import json

    datasets, out, cache = tmp_path / "datasets", tmp_path / "dist", tmp_path / ".saydo-cache"
    write_case(datasets, minimal_case())
    build(datasets, out, today=TODAY)  # judged by great-expectations, each suite's verdict kept

    def mark_kept() -> None:
        # A rebuild shows the mark in each suite whose kept verdict it reused.
        for kept in cache.glob("gate-*.json"):
            verdict = json.loads(kept.read_text(encoding="utf-8"))
            kept.write_text(json.dumps(verdict | {"reused": True}), encoding="utf-8")

    def reused() -> dict[str, bool]:
        shipped = json.loads((out / "validation" / "release-checks.json").read_text("utf-8"))
        assert shipped["success"] is True
        return {suite["suite"]: suite.get("reused", False) for suite in shipped["suites"]}

    suite_names = [spec.name for spec in suites(out, None, load_bounds())]
    assert sorted(p.name.split("-")[1] for p in cache.glob("gate-*.json")) == sorted(suite_names)
    mark_kept()
    build(datasets, out, today=TODAY)
    assert reused() == dict.fromkeys(suite_names, True)
    # The same measures under other bounds are judged again: half the evidence quotes a source
    # (acme-files does, other-files does not), below a floor of 0.9.
    stricter = load_bounds()
    stricter["fill"]["evidence"]["quote"] = 0.9
    with pytest.raises(ReleaseRefused, match=r"evidence\.fill_quote"):
        build(datasets, out, today=TODAY, bounds=stricter)
    # Without the Arabic claim, which no evidence is linked to and which scores 0 (untested):
    # claims has one row fewer, and claim_gap's lowest score is the denial's 70, not 0. No link
    # goes, and Acme's company score is the mean of its tested claims, the denial's 70, before
    # and after: every other suite's measures are the same, and only these two are judged.
    case = minimal_case()
    assert case["claims"].pop()["claim_id"] == "acme-arabic"
    write_case(datasets, case)
    build(datasets, out, today=TODAY)
    fresh = {"claims", "claim_gap"}
    assert {name for name, was_reused in reused().items() if not was_reused} == fresh
    assert len(list(cache.glob("gate-*.json"))) == len(suite_names) + len(fresh)
    # A release is always judged afresh.
    mark_kept()
    write_case(datasets, minimal_case())
    build(datasets, out, today=TODAY, released_on=TODAY)
    assert not any(reused().values())
    # A kept verdict that cannot be read, or that is of other measures, or a cache that cannot
    # be written, costs a judgement, never a build (each failed it before).
    for number, verdict in enumerate(sorted(cache.glob("gate-*.json"))):
        if number % 2:
            verdict.write_text("{not json", encoding="utf-8")
        else:
            kept = json.loads(verdict.read_text(encoding="utf-8"))
            verdict.write_text(json.dumps(kept | {"measures": {}}), encoding="utf-8")
    build(datasets, out, today=TODAY)
    assert not any(reused().values())
    shutil.rmtree(cache)
    cache.write_text("not a folder", encoding="utf-8")
    assert build(datasets, out, today=TODAY).summary["version"]


def test_the_cache_keeps_the_last_verdicts_used_of_each_suite_and_forgets_the_rest(
    tmp_path: Path,
) -> None:
    import json
    import os

    from validations.gate import (
        VERDICTS_KEPT_PER_SUITE,
        Suite,
        _kept_verdict,
        _suite_key,
        forget_old_verdicts,
    )

    cache = tmp_path / ".saydo-cache"
    cache.mkdir()

    def kept(name: str, used_at: int, text: str = "{}") -> Path:
        path = cache / name
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(used_at, used_at))
        return path

    # Six verdicts each of claims and company_gap, used at times 1 to 6 seconds; one in the
    # shape of before verdicts were kept per suite; and files the gate does not own.
    claims = [kept(f"gate-claims-{n:064x}.json", n * 10**9) for n in range(1, 7)]
    companies = [kept(f"gate-company_gap-{n:064x}.json", n * 10**9) for n in range(1, 7)]
    old_shape = kept(f"gate-{7:064x}.json", 7 * 10**9)
    others = [kept(name, 10**9) for name in ("door-rows.parquet", "gate-notes.json")]
    assert VERDICTS_KEPT_PER_SUITE == 4
    # A build that judged claims forgets its two verdicts used longest ago (times 1 and 2) and
    # the old shape; company_gap, not judged, keeps all six.
    forget_old_verdicts(cache, ["claims"])
    assert [p.exists() for p in claims] == [False, False, True, True, True, True]
    assert all(p.exists() for p in companies + others) and not old_shape.exists()
    # A verdict used again counts as used now: reused from the cache, the oldest of
    # company_gap's is kept over the four after it when the suite is next judged.
    spec = Suite("company_gap", "", [("max_gap", 0, 100)])
    measures = {"max_gap": 70.0}
    key = _suite_key(spec, measures, "1.0")
    verdict = {
        "suite": "company_gap",
        "measures": measures,
        "success": True,
        "expectations": [
            {"expectation": "x", "kwargs": {"column": "max_gap"}, "success": True, "observed": 70}
        ],
    }
    reused = kept(f"gate-company_gap-{key}.json", 0, json.dumps(verdict))
    assert _kept_verdict(cache, spec, measures, key) == verdict
    forget_old_verdicts(cache, ["company_gap"])
    assert reused.exists()
    assert [p.exists() for p in companies] == [False, False, False, True, True, True]
