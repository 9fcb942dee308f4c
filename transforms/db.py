"""The ways saydo opens DuckDB.

Every connection uses built-in extensions only (parquet, json, icu, core functions), so no query
can make DuckDB try to download one; the build needs no network. A connection for reading the
published package (`saydo query`, the report) is read-only with external access switched off and
its configuration locked: no SQL string, however hostile, can write a file, read one outside the
package, attach a new database, install an extension or undo those settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import polars as pl

# The package file is written in the oldest storage format that keeps every feature saydo uses,
# so DuckDB clients from 1.1 on open it (the CLI, DBeaver, R and Python a newsroom already has).
# DuckDB 1.4.0 and 1.4.1 open it but lose the CTEs of its table macros, a DuckDB bug fixed in
# 1.4.2 (duckdb/duckdb#19489); docs/consuming.md states the supported range.
PACKAGE_STORAGE_VERSION = "v1.0.0"

OFFLINE = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}
# DuckDB's default, said out loud because the build relies on it: a table read without ORDER
# BY returns its rows in the order they were inserted, so the record tables and stored score
# views are written to their files without a sort (transforms.store.stored_in_order) and the
# records file's parts are joined in order.
KEEP_INSERTION_ORDER = {"preserve_insertion_order": True}


def connect(
    path: Path | str | None = None,
    read_only: bool = False,
    memory_limit: str | None = None,
    temp_directory: Path | None = None,
    storage_version: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection to the file at `path` (in memory when None); a new file is written in
    `storage_version` when given."""
    target = ":memory:" if path is None else str(path)
    config: dict = {**OFFLINE, **KEEP_INSERTION_ORDER}
    if storage_version:
        config["storage_compatibility_version"] = storage_version
    if memory_limit:
        config["memory_limit"] = memory_limit
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    con = duckdb.connect(target, read_only=read_only, config=config)
    # DuckDB's own bar would mix into `saydo query` output on a terminal.
    con.execute("SET enable_progress_bar = false")
    return con


def connect_locked(path: Path, writable: bool = False) -> duckdb.DuckDBPyConnection:
    """The package at `path`, for reading only: read-only, no access to any other file or the
    network, and every setting locked so a query cannot change it. `writable` is for a private
    copy (what-if): its own tables may change, nothing else can."""
    config: dict = {**OFFLINE, "enable_external_access": False}
    con = duckdb.connect(str(path), read_only=not writable, config=config)
    con.execute("SET enable_progress_bar = false")
    con.execute("SET lock_configuration = true")
    return con


def register_rows(
    con: duckdb.DuckDBPyConnection, name: str, rows: list[dict], schema: dict[str, pl.DataType]
) -> None:
    """Python rows as the relation `name`, typed by `schema` (polars types, e.g. from
    schemas.generate.polars_schema). Through polars, not pyarrow's from_pylist: that imports
    pandas, 0.6 s of a new process, only to check the rows are not a DataFrame. polars is
    imported here, not with this module: `saydo query` opens the package through this module
    and needs no frames (0.14 s of each query's start)."""
    import polars as pl

    con.register(name, pl.DataFrame(rows, schema=schema))


def dict_rows(
    con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None
) -> list[dict]:
    """The result of `sql` as one dict per row, keyed by column name."""
    cursor = con.execute(sql, parameters or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Statements committed together: for the many small statements of a schema (a commit each
    costs more than the statement). Large inserts go outside one, so their rows are written out
    as they come rather than held until the end."""
    con.execute("begin")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
