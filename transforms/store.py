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
from schemas.method import METHOD_VERSION, SCORE_WEIGHTS_TABLE, WEIGHTS
from schemas.registry import (
    DERIVED_TABLES,
    PUBLISHED_ORDER,
    PUBLISHED_TABLES,
    TABLES,
    VERSIONED_TABLES,
)
from schemas.views import VIEWS
from transforms.history import create_history

SQL_DIR = Path(__file__).parent / "sql"
PARQUET_ROW_GROUP = 1_000_000
BATCH_ROWS = 250_000


def _sql_value(value: object) -> str:
    return "NULL" if value is None else sql_string(value) if isinstance(value, str) else repr(value)


def method_ddl() -> str:
    """score_weights with its default rows and comments, and score_method_version()."""
    rows = ",\n".join(
        f"    ({sql_string(w.factor)}, {sql_string(w.level)}, {_sql_value(w.weight)}, "
        f"{sql_string(w.why)})"
        for w in WEIGHTS
    )
    statements = [
        "CREATE TABLE score_weights (\n    factor VARCHAR NOT NULL,\n"
        "    level VARCHAR NOT NULL,\n    weight DOUBLE,\n    description VARCHAR NOT NULL,\n"
        "    PRIMARY KEY (factor, level)\n);",
        f"INSERT INTO score_weights VALUES\n{rows};",
        f"COMMENT ON TABLE score_weights IS {sql_string(SCORE_WEIGHTS_TABLE['description'])};",
        *(
            f"COMMENT ON COLUMN score_weights.{name} IS {sql_string(text)};"
            for name, text in SCORE_WEIGHTS_TABLE["columns"].items()
        ),
        f"CREATE OR REPLACE MACRO score_method_version() AS {sql_string(METHOD_VERSION)};",
    ]
    return "\n".join(statements)


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


def _schema(name: str) -> pa.Schema:
    return arrow_schema(VIEWS[name] if name in VIEWS else PUBLISHED_TABLES[name])


def write_parquet_file(con: duckdb.DuckDBPyConnection, name: str, target: Path) -> int:
    """One table or view as a ZSTD Parquet file with the registry's schema (its descriptions in
    the field metadata), streamed from DuckDB in batches so it never sits whole in memory."""
    schema = _schema(name)
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


def write_parquet(con: duckdb.DuckDBPyConnection, folder: Path, names: tuple[str, ...]) -> None:
    folder.mkdir(exist_ok=True)
    for name in names:
        write_parquet_file(con, name, folder / f"{name}.parquet")


TABLE_FILES = PUBLISHED_ORDER
VIEW_FILES = tuple(VIEWS)
