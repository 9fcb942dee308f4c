"""Writing the package: the DuckDB file with its tables, history, weights, views and comments,
then the Parquet files, all from the work database and without a round trip through Python.

Tables are stored in primary-key order, so two builds of the same data give the same bytes and
a reader of one Parquet file can skip to a slice of ids by the row groups' statistics."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from schemas.generate import arrow_schema, comments_ddl, duckdb_ddl, sql_string
from schemas.method import METHOD_VERSION, WEIGHTS
from schemas.registry import (
    DERIVED_TABLES,
    PUBLISHED_ORDER,
    PUBLISHED_TABLES,
    TABLES,
    VERSIONED_TABLES,
    release_file,
)
from schemas.views import VIEWS
from transforms.history import create_history

SQL_DIR = Path(__file__).parent / "sql"
PARQUET_ROW_GROUP = 1_000_000
BATCH_ROWS = 250_000


def _sql_value(value: object) -> str:
    return "NULL" if value is None else sql_string(value) if isinstance(value, str) else repr(value)


def method_ddl() -> str:
    """score_weights with its default rows, and score_method_version()."""
    rows = ",\n".join(
        f"    ({sql_string(w.factor)}, {sql_string(w.level)}, {_sql_value(w.weight)}, "
        f"{sql_string(w.why)})"
        for w in WEIGHTS
    )
    return "\n".join(
        [
            duckdb_ddl(DERIVED_TABLES["score_weights"]),
            f"INSERT INTO score_weights VALUES\n{rows};",
            f"CREATE OR REPLACE MACRO score_method_version() AS {sql_string(METHOD_VERSION)};",
        ]
    )


def run_sql_files(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] | None = None) -> None:
    """The views and macros, in file order (`names` limits it to some files)."""
    for sql_file in sorted(SQL_DIR.glob("*.sql")):
        if names is None or sql_file.name in names:
            con.execute(sql_file.read_text(encoding="utf-8"))


FUNCTIONS_FILE = "00_functions.sql"


def write_package(
    con: duckdb.DuckDBPyConnection,
    work: str,
    versions: dict[str, list[dict]],
    releases: list[tuple],
) -> None:
    """Fill the package database `con` from the attached work database `work`; `releases` are
    the rows of the releases table (every release, and this build)."""
    con.execute(duckdb_ddl(DERIVED_TABLES["releases"]))
    con.executemany("insert into releases values (?, ?, ?, ?)", releases)
    # Filled by transforms.release.changes once the views exist (empty for synthetic builds).
    for name in ("changes", "score_changes"):
        con.execute(duckdb_ddl(DERIVED_TABLES[name]))
    for name, table in TABLES.items():
        con.execute(duckdb_ddl(table))
        keys = ", ".join(table.primary_key)
        columns = ", ".join(table.fields)
        con.execute(f"insert into {name} select {columns} from {work}.{name} order by {keys}")
    create_history(con, versions)
    for name in VERSIONED_TABLES:
        history = PUBLISHED_TABLES[f"{name}_history"]
        con.execute(comments_ddl("VIEW", history.name, history.description, history.columns))
    con.execute(method_ddl())
    run_sql_files(con)
    for view in VIEWS.values():
        con.execute(comments_ddl("VIEW", view.name, view.description, list(view.columns)))
    con.execute("CHECKPOINT")


def _order_sql(name: str) -> str:
    if name in VIEWS:
        return ", ".join(VIEWS[name].order_by)
    return ", ".join(PUBLISHED_TABLES[name].primary_key)


def _schema(name: str, metadata: dict[str, str] | None = None) -> pa.Schema:
    return arrow_schema(VIEWS[name] if name in VIEWS else PUBLISHED_TABLES[name], metadata)


def write_parquet_file(
    con: duckdb.DuckDBPyConnection,
    name: str,
    target: Path,
    metadata: dict[str, str] | None = None,
) -> int:
    """One table or view as a ZSTD Parquet file with the registry's schema (descriptions in the
    field metadata, the release's stamp in the file's), streamed from DuckDB in batches so it
    never sits whole in memory. A required column holding an empty value fails the cast."""
    schema = _schema(name, metadata)
    columns = ", ".join(schema.names)
    reader = con.sql(f"select {columns} from {name} order by {_order_sql(name)}").to_arrow_reader(
        BATCH_ROWS
    )
    rows = 0
    with pq.ParquetWriter(target, schema, compression="zstd", write_statistics=True) as writer:
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        for batch in reader:
            pending.append(batch.cast(schema))
            pending_rows += batch.num_rows
            if pending_rows >= PARQUET_ROW_GROUP:
                writer.write_table(
                    pa.Table.from_batches(pending, schema), row_group_size=PARQUET_ROW_GROUP
                )
                rows += pending_rows
                pending, pending_rows = [], 0
        if pending or rows == 0:
            writer.write_table(
                pa.Table.from_batches(pending, schema), row_group_size=PARQUET_ROW_GROUP
            )
            rows += pending_rows
    return rows


def release_metadata(
    con: duckdb.DuckDBPyConnection, version: str, data_date: str, licence: str
) -> dict[str, str]:
    """What every file of the release says about itself, in its key-value metadata."""
    fingerprint = con.execute("select score_weights_fingerprint()").fetchall()[0][0]
    return {
        "saydo.version": version,
        "saydo.data_date": data_date,
        "saydo.method_version": METHOD_VERSION,
        "saydo.weights_fingerprint": fingerprint,
        "saydo.licence": licence,
    }


def write_parquet(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    names: tuple[str, ...],
    metadata: dict[str, str] | None = None,
) -> None:
    """Each table and view at its place in the release folder (release_file)."""
    for name in names:
        target = folder / release_file(name, "parquet")
        target.parent.mkdir(exist_ok=True)
        write_parquet_file(con, name, target, metadata)


def write_jsonl(con: duckdb.DuckDBPyConnection, folder: Path, names: tuple[str, ...]) -> None:
    """Every table and view as JSON Lines beside its Parquet file, for consumers who stream:
    the same rows in the same order, one JSON object per line, dates as YYYY-MM-DD."""
    for name in names:
        target = folder / release_file(name, "jsonl")
        target.parent.mkdir(exist_ok=True)
        columns = ", ".join(c.name for c in (VIEWS.get(name) or PUBLISHED_TABLES[name]).columns)
        con.execute(
            f"copy (select {columns} from {name} order by {_order_sql(name)}) "
            f"to {sql_string(str(target))} (format json)"
        )


TABLE_FILES = PUBLISHED_ORDER
VIEW_FILES = tuple(VIEWS)
