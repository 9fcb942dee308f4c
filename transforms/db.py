"""The one way saydo opens DuckDB: built-in extensions only (parquet, json, icu, core
functions), so no query can make DuckDB try to download one. The build needs no network."""

from __future__ import annotations

from pathlib import Path

import duckdb

OFFLINE = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the file at `path` (in memory when None)."""
    target = ":memory:" if path is None else str(path)
    con = duckdb.connect(target, read_only=read_only, config=dict(OFFLINE))
    # DuckDB's own bar would mix into `saydo query` output on a terminal.
    con.execute("SET enable_progress_bar = false")
    return con
