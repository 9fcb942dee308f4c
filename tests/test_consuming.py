"""The release as a rating pipeline consumes it (docs/consuming.md): every file loads in pyarrow,
polars and pandas; JSON Lines hold the same rows as Parquet; and the scores can be recomputed
from the Parquet files alone, with polars and without DuckDB, following docs/methodology.md."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

from schemas.registry import PUBLISHED_ORDER, release_file
from schemas.views import VIEWS
from tests.conftest import REPO

NAMES = [*PUBLISHED_ORDER, *VIEWS]


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Categorical (dictionary-encoded) columns as text, to compare with JSON."""
    return frame.with_columns(pl.col(pl.Categorical).cast(pl.String))


def test_every_file_loads_in_pyarrow_polars_and_pandas(real_release: Path) -> None:
    for name in NAMES:
        path = real_release / release_file(name, "parquet")
        arrow = pq.read_table(path)
        frame = pl.read_parquet(path)
        pandas = pd.read_parquet(path)
        assert arrow.num_rows == frame.height == len(pandas), name
        assert list(pandas.columns) == frame.columns == arrow.schema.names, name
        keys = arrow.schema.metadata[b"saydo.primary_key"].decode().split(",")
        assert frame.select(keys).is_unique().all(), f"{name}: its key is not unique"


def test_json_lines_hold_the_same_rows_as_parquet(real_release: Path) -> None:
    for name in NAMES:
        parquet = _plain(pl.read_parquet(real_release / release_file(name, "parquet")))
        with gzip.open(real_release / release_file(name, "jsonl"), "rt", encoding="utf-8") as f:
            lines = f.read()
        if parquet.is_empty():
            assert lines == "", name
            continue
        records = [json.loads(line) for line in lines.splitlines()]
        assert len(records) == parquet.height, name
        assert list(records[0]) == parquet.columns, name
        for record, row in zip(records, parquet.iter_rows(named=True), strict=True):
            for column, value in row.items():
                if hasattr(value, "isoformat"):
                    value = value.isoformat()
                assert record[column] == value, (name, column)


def test_foreign_keys_resolve_across_the_parquet_files(real_release: Path) -> None:
    package = json.loads((real_release / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["name"]: r["path"] for r in package["resources"]}
    for resource in package["resources"]:
        frame = pl.read_parquet(real_release / resource["path"])
        for fk in resource["schema"].get("foreignKeys", []):
            target = pl.read_parquet(real_release / paths[fk["reference"]["resource"]])
            own = frame.select(fk["fields"]).drop_nulls().unique()
            known = target.select(fk["reference"]["fields"]).unique()
            known.columns = fk["fields"]
            missing = own.join(known, on=fk["fields"], how="anti")
            assert missing.is_empty(), (resource["name"], fk, missing.head(3))


# --- the scores, recomputed from the Parquet files with polars (docs/methodology.md) ----------
def _weights(release: Path) -> dict[tuple[str, str], float | None]:
    frame = _plain(pl.read_parquet(release / release_file("score_weights", "parquet")))
    return {(r["factor"], r["level"]): r["weight"] for r in frame.iter_rows(named=True)}


def _weight_text(weight: float | None) -> str:
    # DuckDB's text for a DOUBLE: the shortest form that reads back exactly, as Python's repr.
    return "" if weight is None else repr(float(weight))


def test_the_weights_fingerprint_recomputes_from_score_weights(real_release: Path) -> None:
    weights = _weights(real_release)
    text = ";".join(
        f"{factor}:{level}={_weight_text(weight)}"
        for (factor, level), weight in sorted(weights.items())
    )
    fingerprint = hashlib.md5(text.encode("utf-8")).hexdigest()
    for name in ("link_scores", "claim_gap", "company_gap"):
        frame = pl.read_parquet(real_release / release_file(name, "parquet"))
        assert set(frame["weights_fingerprint"]) == {fingerprint}, name
        stamp = pq.read_schema(real_release / release_file(name, "parquet")).metadata
        assert stamp[b"saydo.weights_fingerprint"].decode() == fingerprint


def test_link_strengths_recompute_from_their_levels_and_the_weights(real_release: Path) -> None:
    weights = _weights(real_release)
    links = _plain(pl.read_parquet(real_release / release_file("link_scores", "parquet")))
    assert links.height > 20
    assert weights[("time_decay", "half_life_days")] is None  # decay is off by default: 1.0
    for link in links.iter_rows(named=True):
        factors = {
            "voice": weights.get(("voice", link["voice"]), 0.0),
            "relay": weights.get(("relay", link["relay"]), 0.0),
            "confidence": weights.get(("confidence", link["confidence"]), 0.0),
            "certainty": weights.get(("certainty", link["evidence_review_status"]), 0.0),
            "relation": weights.get(("relation", link["relation"]), 0.0),
        }
        for factor, weight in factors.items():
            assert link[f"{factor}_weight"] == round(weight, 4), (link["evidence_id"], factor)
        strength = 0.0
        if link["relation"] != "context":
            product = 1.0
            for weight in factors.values():
                product *= weight
            strength = min(max(product, 0.0), 1.0)
        assert link["strength"] == round(strength, 4), link["evidence_id"]


def _claim_scores(release: Path) -> pl.DataFrame:
    """claim_gap's numbers from link_scores, score_weights and claim_gap's own wording and
    review columns, each rounded where methodology.md says (half up: polars rounds half to even
    unless told otherwise)."""
    weights = _weights(release)
    links = _plain(pl.read_parquet(release / release_file("link_scores", "parquet")))
    claims = _plain(pl.read_parquet(release / release_file("claim_gap", "parquet")))
    offset = weights[("support", "offset")] or 0.0

    def noisy_or(relation: str) -> pl.Expr:
        kept = pl.when(pl.col("relation") == relation).then(1 - pl.col("counted_strength"))
        return (
            (1 - kept.otherwise(1.0).product()).round(4, mode="half_away_from_zero").alias(relation)
        )

    strengths = links.group_by("claim_id").agg(noisy_or("refutes"), noisy_or("supports"))
    certainty = pl.struct("claim_wording", "claim_review_status").map_elements(
        lambda c: round(
            (weights.get(("claim_wording", c["claim_wording"])) or 0.0)
            * (weights.get(("claim_review", c["claim_review_status"])) or 0.0),
            4,
        ),
        return_dtype=pl.Float64,
    )

    def gap(row: dict) -> float:
        # In exact decimals, rounded half up, as methodology.md says.
        value = (
            Decimal(100)
            * Decimal(str(row["refutes"]))
            * (1 - Decimal(str(offset)) * Decimal(str(row["supports"])))
            * Decimal(str(row["certainty"]))
        )
        return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    scored = (
        claims.select("claim_id", "company_id", "claim_wording", "claim_review_status")
        .with_columns(certainty.alias("certainty"))
        .join(strengths, on="claim_id", how="left")
        .with_columns(pl.col("refutes", "supports").fill_null(0.0))
    )
    return scored.with_columns(
        pl.struct("refutes", "supports", "certainty")
        .map_elements(gap, return_dtype=pl.Float64)
        .alias("gap_score")
    )


def test_claim_scores_recompute_from_the_parquet_files_alone(real_release: Path) -> None:
    recomputed = _claim_scores(real_release)
    published = pl.read_parquet(real_release / release_file("claim_gap", "parquet"))
    joined = published.join(recomputed, on="claim_id", suffix="_recomputed")
    assert joined.height == published.height >= 10
    for row in joined.iter_rows(named=True):
        assert row["contradiction_strength"] == row["refutes"], row["claim_id"]
        assert row["support_strength"] == row["supports"], row["claim_id"]
        assert row["claim_certainty"] == row["certainty"], row["claim_id"]
        assert row["gap_score"] == row["gap_score_recomputed"], row["claim_id"]


def test_company_scores_recompute_from_the_claim_scores(real_release: Path) -> None:
    claims = _plain(pl.read_parquet(real_release / release_file("claim_gap", "parquet")))
    tested = claims.filter(pl.col("status") != "unverified")
    # The mean in whole tenths, rounded half up (methodology.md): exact, unlike a float mean.
    tenths = (pl.col("gap_score") * 10).round(0).cast(pl.Int64)
    own = tested.group_by("company_id").agg(
        ((2 * tenths.sum() + pl.len().cast(pl.Int64)) // (2 * pl.len().cast(pl.Int64)))
        .cast(pl.Int64)
        .alias("tenths")
    )
    companies = pl.read_parquet(real_release / release_file("company_gap", "parquet"))
    joined = companies.join(own, on="company_id", how="left")
    assert joined.filter(pl.col("gap_score").is_not_null()).height >= 5
    for row in joined.iter_rows(named=True):
        # Compared in tenths: polars divides by 10 as a multiplication by 0.1, one bit away.
        published = None if row["gap_score"] is None else round(row["gap_score"] * 10)
        assert published == row["tenths"], row["company_id"]


# --- old and new DuckDB clients ----------------------------------------------------------------
CLIENTS = ("1.1.3", "1.4.2", "1.5.6")
_CLIENT_SCRIPT = """
import json, sys
import duckdb
db, recipes = sys.argv[1], json.loads(open(sys.argv[2]).read())
con = duckdb.connect(db, read_only=True)
out = {}
for number, statements in recipes.items():
    for statement in statements[:-1]:
        con.execute(statement)
    out[number] = len(con.execute(statements[-1]).fetchall())
print(json.dumps({"version": duckdb.__version__, "rows": out}))
"""


def _client(version: str) -> Path:
    """A scratch environment with DuckDB `version`, made once and kept under ~/.cache."""
    home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    folder = home / "saydo-duckdb-clients" / version
    python = folder / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"duckdb=={version}"],
            check=True,
        )
    return python


@pytest.mark.slow
@pytest.mark.parametrize("version", CLIENTS)
def test_the_duckdb_file_answers_the_cookbook_in_older_clients(
    real_release: Path, tmp_path: Path, version: str
) -> None:
    """The oldest supported DuckDB, the first 1.4 without the macro bug, and the newest 1.x run
    every read-only cookbook recipe and get the rows the pinned DuckDB gets."""
    from transforms.exporters.docs import recipes, run_recipe, statements

    db = real_release / "saydo.duckdb"
    found = [r for r in recipes((REPO / "docs" / "cookbook.md").read_text()) if not r.writable]
    expected = {r.number: len(run_recipe(db, r)[1]) for r in found}
    spec = tmp_path / "recipes.json"
    spec.write_text(json.dumps({r.number: statements(r.sql) for r in found}))
    script = tmp_path / "client.py"
    script.write_text(_CLIENT_SCRIPT)
    result = subprocess.run(
        [str(_client(version)), str(script), str(db), str(spec)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout)
    assert answer["version"] == version
    assert answer["rows"] == expected
