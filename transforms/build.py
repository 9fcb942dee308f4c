"""The build: read `datasets/` into DuckDB, validate at every door, keep history, write the
package and its Parquet files, compare with the previous release, gate, publish.

    datasets/ --read--> work.duckdb --validate--> --history--> saydo.duckdb --parquet-->
        --compare with releases/--> --release checks--> --package--> staging/ --swap--> dist/

Nothing reaches `dist/` unless every check passed; problems are reported all at once. The data
stays in DuckDB from the door to the Parquet files: only what a person must read (problems, the
few records that were corrected) comes into Python."""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from schemas.generate import record_id_sql, sql_string
from schemas.method import METHOD_VERSION
from schemas.registry import TABLE_ORDER, TABLES, authoring
from transforms.db import connect
from transforms.derive import Candidate, derive
from transforms.ingest.read import Ingested, read_datasets
from transforms.publish import build_lock, check_output_folder, publish, staging_dir
from transforms.release import manifest as release_manifest
from transforms.release.changes import store_changes
from transforms.release.package import (
    DATA_LICENCE,
    changelog_section,
    datapackage,
    normalize_duckdb_file,
    write_checksums,
)
from transforms.release.records import ReleaseRecordError, read_releases
from transforms.release.version import next_version
from transforms.store import (
    FUNCTIONS_FILE,
    TABLE_FILES,
    VIEW_FILES,
    lay_out_package,
    open_package,
    release_metadata,
    run_sql_files,
    score,
    write_package,
    write_table_files,
)
from validations.door import feed_problems, pandera_problems
from validations.problems import InputError
from validations.rules import key_problems, rule_problems

DUCKDB_FILE = "saydo.duckdb"
PARQUET_DIR = "parquet"
SYNTHETIC_VERSION = "0.0.0-synthetic"
MEMORY_LIMIT = "3GB"


@dataclass(frozen=True)
class Stage:
    name: str
    says: str


# The stages of a build, in order: the progress display and the benchmark read this list.
STAGES: tuple[Stage, ...] = (
    Stage("read", "reading datasets/"),
    Stage("validate", "checking every value and rule"),
    Stage("compare", "comparing with the last release"),
    Stage("derive", "release stamps, history, effective review"),
    Stage("store", "writing the DuckDB file"),
    Stage("score", "computing the scores once"),
    Stage("write files", "writing Parquet and JSON Lines files"),
    Stage("release checks", "great-expectations release gate"),
    Stage("package", "checksums, data package, changelog"),
    Stage("publish", "putting the release in place"),
)
STAGE_NAMES = tuple(s.name for s in STAGES)


@dataclass
class BuildResult:
    out: Path
    row_counts: dict[str, int]
    summary: dict[str, object]
    stage_seconds: dict[str, float] = field(default_factory=dict)
    comparison: release_manifest.Comparison | None = None

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
        if name not in STAGE_NAMES:  # pragma: no cover - guards the stage list
            raise ValueError(f"unknown stage {name}")
        if self.progress:
            self.progress(name)
        start = time.perf_counter()
        result = step(*args)
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
        _return_freed_memory()
        return result


def _return_freed_memory() -> None:
    """Give the memory a stage freed back to the system (glibc keeps it otherwise), so the
    next stage's peak does not stand on the last one's: 1-2 GiB at 10 million claims."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _label_of(con: duckdb.DuckDBPyConnection) -> Callable[[str, list[int]], dict[int, str]]:
    """Looks up how feed rows are named (their label fields), only for rows a problem names."""

    def label_of(table: str, origin_ids: list[int]) -> dict[int, str]:
        if not origin_ids:
            return {}
        fields = authoring(table).label_fields
        label = " || ' -> ' || ".join(f"coalesce({f}::varchar, '?')" for f in fields)
        return dict(
            con.execute(
                f"select _origin, {label} from {table} where _origin in (select unnest(?))",
                [origin_ids],
            ).fetchall()
        )

    return label_of


def validate(
    con: duckdb.DuckDBPyConnection,
    ingested: Ingested,
    today: dt.date,
    cache: Path | None = None,
) -> None:
    """Every door on the work database; raises InputError with every problem found. With a
    cache folder, rows pandera passed before are not judged again (validations.door)."""
    label_of = _label_of(con)
    problems = list(ingested.problems)
    # A value the door refused as written (its pattern, allowed values or bounds) is to the
    # rules what one the reader refused is: named once, and not read again as if it held.
    refused_as_written: set[tuple[str, int, str]] = set()
    problems += pandera_problems(
        ingested.case_frames,
        ingested.origins,
        ingested.rejected,
        cache=cache,
        refused_as_written=refused_as_written,
    )
    problems += feed_problems(
        con, ingested.origins, ingested.rejected, label_of, refused_as_written
    )
    duplicates = key_problems(con, ingested.origins, label_of)
    problems += duplicates
    problems += rule_problems(
        con,
        ingested.origins,
        today,
        ingested.rejected | refused_as_written,
        label_of,
        keys_unique=not duplicates,
    )
    problems += _adapter_problems(con, ingested)
    if problems:
        raise InputError(problems)


def _adapter_problems(con: duckdb.DuckDBPyConnection, ingested: Ingested) -> list:
    from transforms.ingest.adapters import assertion_rules
    from validations.problems import Problem

    problems = []
    for adapter, table, sql, least, most in assertion_rules(ingested.adapters):
        rows = con.execute(sql).fetchall()[0][0]
        if (least is not None and rows < least) or (most is not None and rows > most):
            problems.append(
                Problem(
                    adapter.file.display,
                    None,
                    f"adapter {adapter.name}",
                    table,
                    f"the feed holds {rows} {table} rows; the adapter expects between "
                    f"{least if least is not None else 0} and "
                    f"{most if most is not None else 'any number'}.",
                    f"rerun `saydo feed {adapter.name} FILE` on the list as published, or change "
                    f"the assertion in adapter.yaml if the list really changed that much.",
                    "adapter_assertion",
                )
            )
    return problems


def _place_problems(con: duckdb.DuckDBPyConnection, ingested: Ingested, comparison) -> list:
    """Point each release problem at the file and line of the record it names."""
    from validations.problems import Problem

    placed = []
    for problem in comparison.problems:
        table, _, record = problem.record.partition(" ")
        if table in TABLES and record and " " not in record:
            found = con.execute(
                f"select _origin from {table} where {record_id_sql(TABLES[table])} = ?", [record]
            ).fetchall()
            if found:
                origin = ingested.origins.origin(found[0][0], authoring(table).noun, record)
                placed.append(
                    Problem(
                        origin.file,
                        origin.line_of(problem.field),
                        problem.record,
                        problem.field,
                        f"{problem.message} (see {problem.file})",
                        problem.hint,
                        problem.rule,
                    )
                )
                continue
        placed.append(problem)
    return placed


def _summary(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, int], dict[str, object]]:
    counts = {
        name: con.execute(f"select count(*) from {name}").fetchall()[0][0] for name in TABLE_ORDER
    }
    refuted = con.execute(
        "select count(distinct claim_id) from claim_evidence where relation = 'refutes'"
    ).fetchall()[0][0]
    cases = con.execute(
        "select count(distinct case_id) from claims where case_id not like 'feed:%'"
    ).fetchall()[0][0]
    return counts, {
        "companies": counts["companies"],
        "claims with refuting evidence": f"{refuted} of {counts['claims']}",
        "case files with claims": cases,
    }


def _cited_sources(con: duckdb.DuckDBPyConnection) -> list[dict]:
    cursor = con.execute(
        "select publisher, title, url, archived_url, rights, licence from sources "
        "where retracted_on is null order by source_id"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _scores(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    contradicted, mean_gap = con.execute(
        "select count(*) filter (where status = 'contradicted'), "
        "coalesce(round(avg(gap_score), 4), 0) from claim_gap"
    ).fetchall()[0]
    return {"contradicted claims": contradicted, "claim_gap_mean": mean_gap}


def data_date_of(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The latest day anything entered the package (a record, a correction, a retraction):
    the release's data date."""
    parts = [
        f"select max({column}) from {name}"
        for name, table in TABLES.items()
        for column in ("recorded_on", "retracted_on", "corrected_on")
        if column in table.fields
    ]
    found = con.execute(f"select max(d) from ({' union all '.join(parts)}) as t(d)").fetchall()[0][
        0
    ]
    return found or dt.date(1970, 1, 1)


def is_synthetic(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the input holds synthetic rows (the generator's, for tests and benchmarks): a
    synthetic claim or a synthetic source is enough."""
    return any(
        con.execute(f"select coalesce(bool_or(is_synthetic), false) from {name}").fetchall()[0][0]
        for name in ("claims", "sources")
    )


def open_work_database(path: Path, scratch: Path) -> duckdb.DuckDBPyConnection:
    """The work database the input is read into and judged in (a build's, `check`'s), with
    saydo's functions, which the rules use, in place; it spills into `scratch`."""
    con = connect(path, memory_limit=MEMORY_LIMIT, temp_directory=scratch / "spill")
    try:
        run_sql_files(con, (FUNCTIONS_FILE,))
    except BaseException:
        con.close()
        raise
    return con


def build(
    datasets: Path,
    out: Path,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    releases: Path | None = None,
    gate: bool = True,
    bounds: dict | None = None,
    released_on: dt.date | None = None,
) -> BuildResult:
    """Build the release from `datasets` into `out`, replacing it only if everything passed.

    `releases` holds the committed records of earlier releases (default: releases/ beside
    datasets/). `gate=False` skips the great-expectations release gate (quick local builds).
    `released_on` is the day of publication when the build is recorded as a release (by
    `saydo release`); a plain build is not released, so the released clock does not see it."""
    today = today or dt.date.today()
    releases = releases or datasets.parent / "releases"
    check_output_folder(out, inputs=(datasets, releases))
    stages = _Stages(progress)
    with build_lock(out):
        staging = staging_dir(out)
        try:
            return _build_into(
                staging, datasets, out, today, releases, gate, bounds, stages, released_on
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _build_into(
    staging, datasets, out, today, releases, gate, bounds, stages, released_on
) -> BuildResult:
    scratch = staging / "scratch"
    scratch.mkdir()
    # A plain build reuses the case files it parsed before, pandera's verdicts on unchanged
    # rows, the empty package and the gate's verdict on the same measures; a release reads,
    # judges and lays out everything afresh.
    cache = None if released_on else out.parent / ".saydo-cache"
    work_path = scratch / "work.duckdb"
    work = open_work_database(work_path, scratch)
    try:
        ingested = stages.run("read", read_datasets, datasets, work, scratch, cache)
        stages.run("validate", validate, work, ingested, today, cache)
        synthetic = is_synthetic(work)
        data_date = data_date_of(work)
        if synthetic:
            # Synthetic data is for tests and benchmarks: it is never compared with, or
            # recorded as, a release (and the gate refuses it).
            history, previous, version = [], None, SYNTHETIC_VERSION
            comparison = release_manifest.Comparison(None)
        else:
            try:
                history = read_releases(releases)
            except ReleaseRecordError as error:
                raise InputError(error.problems) from None
            previous = history[-1] if history else None
            comparison = stages.run("compare", release_manifest.compare, work, previous)
            if comparison.problems:
                raise InputError(_place_problems(work, ingested, comparison))
            version = next_version(previous, comparison)
        candidate = Candidate(version, released_on, data_date, METHOD_VERSION)
        versions, late = stages.run("derive", derive, work, history, candidate, ingested.origins)
        if late:
            raise InputError(late)
        releases_rows = work.execute(
            "select release, released_on, data_date, method_version from release_list "
            "order by ordinal"
        ).fetchall()
    finally:
        work.close()

    package_path = staging / DUCKDB_FILE
    package = stages.run(
        "store", _store, package_path, cache, work_path, versions, releases_rows, scratch
    )
    try:
        stages.run("score", score, package)
        if not synthetic:
            store_changes(package, version, previous, comparison.columns_added)
        metadata = release_metadata(package, version, data_date.isoformat(), DATA_LICENCE)
        stages.run("write files", write_files, package, staging, metadata)
        counts, summary = _summary(package)
        sources = _cited_sources(package)
        envelope = _envelope(package, version, data_date)
        scores = _scores(package)
        release_manifest.write_records(
            package, envelope["tables"], staging / "manifest.parquet", scratch
        )
    finally:
        package.close()
    shutil.rmtree(scratch)
    normalize_duckdb_file(package_path)
    envelope["scores"] = {"claim_gap_mean": scores["claim_gap_mean"]}
    if gate:
        from validations.gate import run_gate

        # The verdict great-expectations gave on the same measures and bounds spares a 2-3 s
        # import on every rebuild.
        stages.run("release checks", run_gate, staging, previous, bounds, cache)
    stages.run("package", write_release_files, staging, envelope, comparison, sources, data_date)
    stages.run("publish", publish, staging, out)
    summary = {"version": version, **summary, "contradicted claims": scores["contradicted claims"]}
    return BuildResult(out, counts, summary, stages.seconds, comparison)


def _store(
    package_path: Path,
    cache: Path | None,
    work_path: Path,
    versions: dict[str, list[dict]],
    releases_rows: list[tuple],
    scratch: Path,
) -> duckdb.DuckDBPyConnection:
    """The package file laid out and filled from the work database; its connection, open."""
    lay_out_package(package_path, cache)
    package = open_package(
        package_path, memory_limit=MEMORY_LIMIT, temp_directory=scratch / "spill"
    )
    try:
        package.execute(f"attach {sql_string(str(work_path))} as work (read_only)")
        write_package(package, "work", versions, releases_rows)
        package.execute("detach work")
    except BaseException:
        package.close()
        raise
    return package


def write_files(
    package: duckdb.DuckDBPyConnection, staging: Path, metadata: dict[str, str]
) -> None:
    """The release's tables and view snapshots as Parquet, and as JSON Lines beside them."""
    write_table_files(package, staging, TABLE_FILES + VIEW_FILES, metadata)


def _envelope(con: duckdb.DuckDBPyConnection, version: str, data_date: dt.date) -> dict:
    return {
        "version": version,
        "data_date": data_date.isoformat(),
        "method_version": METHOD_VERSION,
        "hash_engine": release_manifest.HASH_ENGINE,
        "tables": release_manifest.envelope_tables(con),
    }


def write_release_files(
    folder: Path, envelope: dict, comparison, sources: list[dict], data_date: dt.date
) -> None:
    (folder / "manifest.json").write_text(
        json.dumps(envelope, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    package = datapackage(folder, envelope["version"], data_date, METHOD_VERSION, sources)
    (folder / "datapackage.json").write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / "CHANGELOG.md").write_text(
        changelog_section(comparison, envelope["version"], data_date, METHOD_VERSION),
        encoding="utf-8",
    )
    write_checksums(folder)


def check(datasets: Path, today: dt.date | None = None) -> dict[str, int]:
    """Validate the input only; nothing is written beside it (the work database lives in the
    system's temporary folder). Returns rows per table."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="saydo-check-") as folder:
        scratch = Path(folder)
        con = open_work_database(scratch / "work.duckdb", scratch)
        try:
            ingested = read_datasets(datasets, con, scratch)
            validate(con, ingested, today or dt.date.today())
            return {
                name: con.execute(f"select count(*) from {name}").fetchall()[0][0]
                for name in TABLES
            }
        finally:
            con.close()
