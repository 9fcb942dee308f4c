"""Read all of `datasets/` into DuckDB: the first stage of a build.

Two doors lead into the same tables:
- case files, `datasets/cases/<case_id>.yaml`, written by hand (and each adapter's own source
  records, in `datasets/adapters/<name>/adapter.yaml`);
- feeds, `datasets/feeds/<table>/<name>.csv` or `.parquet`, made by machines.

Every table of the registry is created in the work database with one more column, `_origin`,
which says where each row came from (see `transforms.ingest.origins`). Nothing else is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from schemas.generate import polars_schema, typed_columns_sql
from schemas.registry import TABLES, Table
from transforms.ingest import adapters as adapter_folders
from transforms.ingest.cases import CaseRows, read_case
from transforms.ingest.feeds import ingest_feed
from transforms.ingest.files import CASE_SUFFIXES, FEED_SUFFIXES, display_name, list_inputs
from transforms.ingest.origins import Origins
from transforms.ingest.parsed_cache import ParsedCaseFiles
from validations.problems import InputError, Problem


@dataclass
class Ingested:
    origins: Origins
    problems: list[Problem]
    # (table, origin, field) whose value was rejected and left empty, so it is reported once.
    rejected: set[tuple[str, int, str]]
    cases: dict[str, dict]
    adapters: list[adapter_folders.Adapter]
    # The rows read from hand-written files, for pandera at the door.
    case_frames: dict[str, pl.DataFrame] = field(default_factory=dict)
    feed_rows: int = 0


def work_table_ddl(table: Table) -> str:
    """The table as the work database holds it: the registry's columns, untyped constraints
    (the door checks them and says where), and `_origin`."""
    return (
        f"create table {table.name} ({typed_columns_sql(table.columns)}, _origin BIGINT NOT NULL)"
    )


def _case_frames(rows: CaseRows) -> dict[str, pl.DataFrame]:
    frames = {}
    for name, table in TABLES.items():
        schema = {**polars_schema(table), "_origin": pl.Int64}
        frames[name] = (
            pl.DataFrame(rows.rows[name], schema=schema)
            if rows.rows[name]
            else pl.DataFrame(schema=schema)
        )
    return frames


def read_datasets(
    datasets: Path, con: duckdb.DuckDBPyConnection, workdir: Path, cache: Path | None = None
) -> Ingested:
    """Read every case file, adapter file and feed under `datasets` into `con`. With a cache
    folder, a case file parsed before (the same text) is not parsed again (parsed_cache)."""
    if datasets.is_symlink() or not datasets.is_dir():
        what = "is not a folder" if datasets.exists() else "does not exist"
        raise InputError(
            [
                Problem(
                    str(datasets),
                    None,
                    "",
                    "",
                    f"{what}; saydo reads its input from a datasets folder.",
                    "run saydo from the repository's top folder, or give --datasets PATH.",
                    "read",
                )
            ]
        )
    root = datasets.parent
    origins = Origins()
    rows = CaseRows()
    case_files, problems = list_inputs(datasets / "cases", CASE_SUFFIXES, root)
    rows.problems += problems
    parsed = ParsedCaseFiles(cache) if cache is not None else None
    parse = parsed.parse if parsed else None
    for file in case_files:
        read_case(file, file.path.stem, origins, rows, parse=parse)
    adapters, problems = adapter_folders.discover(datasets)
    rows.problems += problems
    for adapter in adapters:
        rows.cases[adapter.feed_id] = {
            "file": adapter.file.display,
            "title": adapter.meta.get("title"),
            "summary": None,
            "recorded_on": None,
        }
        read_case(
            adapter.file,
            adapter.feed_id,
            origins,
            rows,
            sections=adapter_folders.RECORD_SECTIONS,
            meta_keys=("adapter",),
            parse=parse,
        )
    if parsed:
        parsed.save()
    frames = _case_frames(rows)
    for name, table in TABLES.items():
        con.execute(work_table_ddl(table))
        if frames[name].height:
            con.register("incoming", frames[name].to_arrow())
            con.execute(f"insert into {name} by name select * from incoming")
            con.unregister("incoming")
    ingested = Ingested(origins, rows.problems, rows.rejected, rows.cases, adapters, frames)
    _read_feeds(datasets, con, workdir, ingested)
    return ingested


def _read_feeds(
    datasets: Path, con: duckdb.DuckDBPyConnection, workdir: Path, ingested: Ingested
) -> None:
    feeds = datasets / "feeds"
    if not feeds.is_dir():
        return
    root = datasets.parent
    for folder in sorted(feeds.iterdir()):
        if folder.name.startswith("."):
            continue
        if not folder.is_dir() or folder.is_symlink():
            continue
        table = TABLES.get(folder.name)
        files, problems = list_inputs(folder, FEED_SUFFIXES, root)
        ingested.problems += problems
        if table is None:
            if files:
                ingested.problems.append(
                    Problem(
                        display_name(folder, root),
                        None,
                        "",
                        "",
                        f"is a folder named '{folder.name}', which is not a table.",
                        f"feeds go in datasets/feeds/<table>/, tables: {', '.join(TABLES)}.",
                        "feed",
                    )
                )
            continue
        for file in files:
            result = ingest_feed(con, file, table, ingested.origins, workdir)
            ingested.problems += result.problems
            ingested.rejected |= result.rejected
            ingested.feed_rows += result.rows
