"""The build: read `datasets/`, validate at every door, write DuckDB and Parquet, publish.

    datasets/ --load--> frames --pandera--> --integrity SQL--> staging/ --swap--> dist/

Nothing reaches `dist/` unless every check passed; problems are reported all at once."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from schemas.generate import arrow_schema, duckdb_ddl, method_ddl, view_comments
from schemas.method import METHOD_VERSION, VIEWS
from schemas.registry import PUBLISHED_ORDER, PUBLISHED_TABLES, TABLE_ORDER
from transforms.db import connect
from transforms.history import build_history
from transforms.load import Loaded, load_datasets
from transforms.problems import InputError
from transforms.publish import build_lock, publish, staging_dir
from transforms.release import (
    Diff,
    changelog_section,
    datapackage,
    diff,
    latest_manifest,
    manifest,
    next_version,
    normalize_duckdb_file,
    published_problems,
    write_checksums,
)
from validations.door import validate_frames
from validations.integrity import check_integrity
from validations.release_gate import run_gate

DUCKDB_FILE = "saydo.duckdb"
PARQUET_DIR = "parquet"
SQL_DIR = Path(__file__).parent / "sql"
SYNTHETIC_VERSION = "0.0.0-synthetic"
# The stages of a build, in order (the progress bar and the benchmark name them).
BUILD_STAGES = (
    "read",
    "validate",
    "history",
    "compare",
    "load",
    "write parquet",
    "release checks",
    "package",
    "publish",
)


@dataclass
class BuildResult:
    out: Path
    row_counts: dict[str, int]
    summary: dict[str, object]
    stage_seconds: dict[str, float] = field(default_factory=dict)
    changes: Diff | None = None

    def render(self) -> str:
        lines = [f"saydo built {self.out}/ ({DUCKDB_FILE}, {PARQUET_DIR}/*.parquet)"]
        lines.append("  rows: " + ", ".join(f"{t} {n}" for t, n in self.row_counts.items()))
        for label, value in self.summary.items():
            lines.append(f"  {label}: {value}")
        return "\n".join(lines)


class _Stages:
    def __init__(self, progress: Callable[[str], None] | None):
        self.seconds: dict[str, float] = {}
        self.progress = progress

    def run(self, name: str, step: Callable, *args):
        if self.progress:
            self.progress(name)
        start = time.perf_counter()
        result = step(*args)
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
        return result


def validate(loaded: Loaded, today: dt.date) -> dict[str, pl.DataFrame]:
    """All three layers at the door; raises InputError with every problem found."""
    frames = loaded.frames()
    origins = {name: loaded.origins(name) for name in frames}
    problems = list(loaded.problems)
    problems += validate_frames(frames, origins, loaded.rejected_values)
    problems += check_integrity(frames, origins, today, loaded.rejected_values)
    if problems:
        raise InputError(problems)
    return frames


def sorted_frame(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in primary-key order, so files are byte-identical across builds."""
    return frame.sort(list(PUBLISHED_TABLES[name].primary_key))


def sort_frames(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Every table in primary-key order, once, for both DuckDB and Parquet."""
    return {name: sorted_frame(name, frame) for name, frame in frames.items()}


def write_duckdb(frames: dict[str, pl.DataFrame], path: Path) -> None:
    """Tables in the order given (sorted by sort_frames), then scores, views and comments."""
    con = connect(path)
    try:
        for name in PUBLISHED_ORDER:
            con.execute(duckdb_ddl(PUBLISHED_TABLES[name]))
            incoming = frames[name].to_arrow()
            con.register("incoming", incoming)
            con.execute(f"INSERT INTO {name} SELECT * FROM incoming")
            con.unregister("incoming")
        con.execute(method_ddl())
        for sql_file in sorted(SQL_DIR.glob("*.sql")):
            con.execute(sql_file.read_text(encoding="utf-8"))
        con.execute(view_comments())
        con.execute("CHECKPOINT")
    finally:
        con.close()


def write_parquet(frames: dict[str, pl.DataFrame], folder: Path) -> None:
    folder.mkdir()
    for name in PUBLISHED_ORDER:
        schema = arrow_schema(PUBLISHED_TABLES[name])
        table = frames[name].to_arrow().cast(schema)
        pq.write_table(table, folder / f"{name}.parquet", compression="zstd", write_statistics=True)


def summarize(db_path: Path, parquet: Path) -> tuple[dict[str, int], dict[str, object]]:
    """Row counts and headline figures. Scores are read from the claim_gap snapshot just
    written, not recomputed (the view rescoring the package is the costliest query)."""
    con = connect(db_path, read_only=True)
    try:
        counts = {
            name: con.execute(f"select count(*) from {name}").fetchall()[0][0]
            for name in TABLE_ORDER
        }
        refuted = con.execute(
            "select count(distinct claim_id) from claim_evidence where relation = 'refutes'"
        ).fetchall()[0][0]
        cases = con.execute(
            "select count(distinct case_id) from claims where case_id not like 'feed:%'"
        ).fetchall()[0][0]
        contradicted, mean_gap = con.execute(
            "select count(*) filter (where status = 'contradicted'), "
            "coalesce(round(avg(gap_score), 4), 0) from read_parquet(?)",
            [str(parquet / "claim_gap.parquet")],
        ).fetchall()[0]
    finally:
        con.close()
    return counts, {
        "companies": counts["companies"],
        "claims with refuting evidence": f"{refuted} of {counts['claims']}",
        "contradicted claims": contradicted,
        "case files with claims": cases,
        "scores": {"claim_gap_mean": mean_gap},
    }


def write_views(db_path: Path, folder: Path) -> None:
    """Snapshots of the scoring views with the default weights, for raters who read Parquet,
    streamed from DuckDB in batches so a view never sits whole in memory."""
    con = connect(db_path, read_only=True)
    try:
        for view, spec in VIEWS.items():
            reader = con.sql(f"select * from {view}").to_arrow_reader(batch_size=200_000)
            fields = [
                f.with_metadata({"description": spec["columns"][f.name]}) for f in reader.schema
            ]
            schema = pa.schema(fields, metadata={"description": spec["description"]})
            with pq.ParquetWriter(folder / f"{view}.parquet", schema, compression="zstd") as writer:
                for batch in reader:
                    writer.write_batch(batch.cast(schema))
    finally:
        con.close()


def data_date_of(frames: dict[str, pl.DataFrame]) -> dt.date:
    """The latest day anything entered the package (a record, a correction, a retraction):
    the release's data date."""
    days = [
        frame[column].max()
        for frame in frames.values()
        for column in ("recorded_on", "retracted_on", "corrected_on")
        if column in frame.columns
    ]
    return max((d for d in days if d is not None), default=dt.date(1970, 1, 1))


def build(
    datasets: Path,
    out: Path,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    releases: Path | None = None,
    gate: bool = True,
    bounds: dict | None = None,
) -> BuildResult:
    """Build the release from `datasets` into `out`, replacing it only if everything passed.

    `releases` holds the committed manifests of earlier releases (default: releases/ beside
    datasets/). `gate=False` skips the great-expectations release gate (quick local builds)."""
    today = today or dt.date.today()
    releases = releases or datasets.parent / "releases"
    stages = _Stages(progress)
    with build_lock(out):
        loaded = stages.run("read", load_datasets, datasets)
        frames = stages.run("validate", validate, loaded, today)
        cases = loaded.cases
        del loaded  # its frames are the unsorted copies; only the sorted ones are kept
        frames = stages.run("sort", sort_frames, frames)
        frames |= stages.run("history", build_history, frames)
        data_date = data_date_of(frames)
        synthetic = any(f["is_synthetic"].any() for n, f in frames.items() if n in TABLE_ORDER)
        if synthetic:
            # Synthetic data is for tests and benchmarks: it is never compared with, or
            # recorded as, a release (and the gate refuses it).
            previous, candidate = None, {"version": SYNTHETIC_VERSION, "tables": {}}
            changes = Diff(None, SYNTHETIC_VERSION, {})
            version = SYNTHETIC_VERSION
        else:
            previous = latest_manifest(releases)
            candidate = stages.run("compare", manifest, frames, "", data_date, METHOD_VERSION)
            changes = diff(previous, candidate)
            version = next_version(previous, changes)
            candidate["version"] = changes.new_version = version
            refused = published_problems(previous, changes, frames["corrections"])
            if refused:
                raise InputError(refused)
        staging = staging_dir(out)
        try:
            stages.run("load", write_duckdb, frames, staging / DUCKDB_FILE)
            stages.run("write parquet", write_parquet, frames, staging / PARQUET_DIR)
            stages.run("write parquet", write_views, staging / DUCKDB_FILE, staging / PARQUET_DIR)
            normalize_duckdb_file(staging / DUCKDB_FILE)
            counts, summary = summarize(staging / DUCKDB_FILE, staging / PARQUET_DIR)
            candidate["scores"] = summary.pop("scores")
            if gate:
                stages.run("release checks", run_gate, staging, previous, bounds)
            stages.run(
                "package", write_release_files, staging, candidate, changes, cases, data_date
            )
            stages.run("publish", publish, staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    summary = {"version": version, **summary}
    return BuildResult(out, counts, summary, stages.seconds, changes)


def write_release_files(
    folder: Path, candidate: dict, changes: Diff, cases: dict, data_date: dt.date
) -> None:
    (folder / "manifest.json").write_text(
        json.dumps(candidate, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    package = datapackage(folder, candidate["version"], data_date, METHOD_VERSION, cases, VIEWS)
    (folder / "datapackage.json").write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / "CHANGELOG.md").write_text(
        changelog_section(changes, data_date, METHOD_VERSION), encoding="utf-8"
    )
    write_checksums(folder)


def check(datasets: Path, today: dt.date | None = None) -> dict[str, int]:
    """Validate the sources only; nothing is written. Returns rows per table."""
    frames = validate(load_datasets(datasets), today or dt.date.today())
    return {name: frame.height for name, frame in frames.items()}
