"""The synthetic generator: deterministic, valid against the schemas, realistic in shape,
marked synthetic, and never released."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import TODAY, made_once, record
from transforms.build import SYNTHETIC_VERSION, build, check
from transforms.cli import main as saydo
from transforms.dev.synth import generate, write_feed
from validations.gate import ReleaseRefused


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.parquet"))
    }


def test_same_arguments_give_the_same_bytes(tmp_path: Path) -> None:
    for run in ("a", "b"):
        assert (
            saydo(
                [
                    "synth",
                    "--companies",
                    "50",
                    "--claims",
                    "2000",
                    "--links-per-claim",
                    "3",
                    "--seed",
                    "7",
                    "--out",
                    str(tmp_path / run),
                ]
            )
            == 0
        )
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    write_feed(tmp_path / "c", generate(50, 2000, 3, seed=8))
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_generated_feed_is_valid_marked_and_shaped(tmp_path: Path) -> None:
    frames = generate(200, 5000, 3, seed=1)
    write_feed(tmp_path / "datasets", frames)
    counts = check(tmp_path / "datasets", today=TODAY)
    assert counts["claims"] == 5000 and counts["companies"] == 200
    assert 14_000 <= counts["claim_evidence"] <= 15_000  # three links, fewer for tiny companies
    for name, frame in frames.items():
        assert frame["is_synthetic"].all(), name
    claims = frames["claims"]
    per_company = claims.group_by("company_id").len().sort("len", descending=True)
    top_tenth = per_company.head(20)["len"].sum()
    assert top_tenth > 0.4 * claims.height  # skewed: a tenth of companies say >40%
    relations = frames["claim_evidence"]["relation"].value_counts()
    assert set(relations["relation"]) == {"refutes", "supports", "context"}
    years = claims["claim_date"].dt.year()
    assert years.max() - years.min() >= 14
    assert frames["companies"]["parent_company_id"].drop_nulls().len() >= 15
    assert set(claims["claim_date_precision"]) == {"day", "month"}


@pytest.mark.slow
def test_a_release_refuses_synthetic_rows(tmp_path: Path) -> None:
    write_feed(tmp_path / "datasets", generate(20, 300, 2, seed=3))
    with pytest.raises(ReleaseRefused) as caught:
        build(tmp_path / "datasets", tmp_path / "dist", today=TODAY, releases=tmp_path / "releases")
    assert any("claims.synthetic_rows" in f for f in caught.value.failures)
    assert not (tmp_path / "dist").exists()
    # Built without the gate (for a benchmark), its manifest says it is synthetic.
    result = build(
        tmp_path / "datasets",
        tmp_path / "dist",
        today=TODAY,
        releases=tmp_path / "releases",
        gate=False,
    )
    assert result.summary["version"] == SYNTHETIC_VERSION
    manifest = json.loads((tmp_path / "dist" / "manifest.json").read_text())
    assert manifest["version"] == SYNTHETIC_VERSION
    # And it is never recorded as a release.
    with pytest.raises(Exception, match="never recorded as a release"):
        record(tmp_path, TODAY)
    assert not (tmp_path / "releases").exists()
    claims = pl.read_parquet(tmp_path / "dist" / "parquet" / "claims.parquet")
    assert claims["is_synthetic"].all()


@pytest.fixture(scope="module")
def synthetic() -> tuple[Path, dict[str, float]]:
    """A generated feed built once for the run: its Parquet folder and saydo's company scores."""
    from transforms.db import connect

    def make(folder: Path) -> tuple[Path, dict[str, float]]:
        write_feed(folder / "datasets", generate(40, 2000, 3, seed=5))
        build(folder / "datasets", folder / "dist", today=TODAY, gate=False)
        con = connect(folder / "dist" / "saydo.duckdb", read_only=True)
        scores = dict(
            con.execute(
                "select company_id, gap_score from company_gap where gap_score is not null"
            ).fetchall()
        )
        con.close()
        return folder / "dist" / "parquet", scores

    return made_once("synthetic", make)


def _within_a_tenth(saydo_scores: dict[str, float], other: dict[str, float]) -> None:
    assert saydo_scores.keys() == other.keys() and len(other) >= 30
    for company, score in saydo_scores.items():
        # saydo rounds each claim's score to one decimal before averaging (the mean moves by up
        # to 0.05), and both round the mean: at most one step of 0.1 apart.
        assert abs(score - other[company]) <= 0.1 + 1e-9, company


def test_benchmark_floor_computes_the_same_scores_as_saydo(synthetic) -> None:
    """The floor in docs/performance.md is only a floor if it computes what saydo computes."""
    from transforms.db import connect
    from transforms.dev.bench import floor_query

    parquet, saydo_scores = synthetic
    _within_a_tenth(saydo_scores, dict(connect().execute(floor_query(parquet)).fetchall()))


def test_benchmark_output_floor_writes_what_the_release_holds(synthetic, tmp_path: Path) -> None:
    """The output floor measures this release's output only if it copies every stored score
    row and column and writes every Parquet file of the release with its rows and columns, and
    leaves the package as it was."""
    import hashlib

    import pyarrow.parquet as pq

    from schemas.registry import release_file
    from transforms.db import connect
    from transforms.dev.bench import output_floor
    from transforms.store import STORED_VIEWS, TABLE_FILES, VIEW_FILES

    dist = synthetic[0].parent
    package = dist / "saydo.duckdb"
    before = hashlib.sha256(package.read_bytes()).hexdigest()
    figures = output_floor(dist, tmp_path / "floor")
    assert hashlib.sha256(package.read_bytes()).hexdigest() == before
    assert figures["scores_copy_seconds"] > 0 and figures["parquet_copy_seconds"] > 0
    copied = connect(tmp_path / "floor" / "copy.duckdb", read_only=True)
    stored = connect(package, read_only=True)
    for name in STORED_VIEWS:
        (rows,) = stored.execute(f"select count(*) from internal.{name}_stored").fetchall()[0]
        assert rows > 0
        assert copied.execute(f"select count(*) from {name}").fetchall()[0][0] == rows, name
        columns = f"select column_name from duckdb_columns() where table_name = '{name}%s'"
        assert [c for (c,) in copied.execute(columns % "").fetchall()] == [
            c for (c,) in stored.execute(columns % "_stored").fetchall()
        ], name
    names = TABLE_FILES + VIEW_FILES
    assert {p.stem for p in (tmp_path / "floor").glob("*.parquet")} == set(names)
    released = set(dist.glob("*/*.parquet"))
    assert released == {dist / release_file(name, "parquet") for name in names}
    for name in names:
        copy = pq.ParquetFile(tmp_path / "floor" / f"{name}.parquet")
        release = pq.ParquetFile(dist / release_file(name, "parquet"))
        assert copy.metadata.num_rows == release.metadata.num_rows, name
        assert copy.schema_arrow.names == release.schema_arrow.names, name


def test_benchmark_peer_computes_the_same_scores_as_saydo(synthetic) -> None:
    """The peer is a fair comparison only if its pandas code computes saydo's scores."""
    import pandas as pd

    from transforms.dev.bench import peer_scores

    parquet, saydo_scores = synthetic
    frames = {
        name: pd.read_parquet(parquet / f"{name}.parquet")
        for name in ("sources", "companies", "claims", "evidence", "claim_evidence")
    }
    _within_a_tenth(saydo_scores, peer_scores(frames).to_dict())
