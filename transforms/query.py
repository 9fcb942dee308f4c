"""`saydo query`: run SQL against the built package, read-only, and print or save the result.

The package is opened read-only, so no query can change it. Output is a table, CSV, JSON or
Parquet. CSV is made safe to open in a spreadsheet: a text cell that begins with =, +, -, @, tab
or carriage return would run as a formula in Excel, LibreOffice or Google Sheets, so it gets a
leading apostrophe (OWASP's advice); the file is UTF-8 with a byte-order mark so spreadsheets
read Arabic and Chinese correctly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow.parquet as pq

from transforms.db import connect

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would read as a formula, made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: object) -> object:
    if isinstance(value, list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_csv(columns: list[str], rows: list[tuple], target: io.TextIOBase) -> None:
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        writer.writerow([neutralise(_cell(v)) for v in row])


def csv_text(columns: list[str], rows: list[tuple]) -> str:
    buffer = io.StringIO()
    write_csv(columns, rows, buffer)
    return buffer.getvalue()


def save_csv(columns: list[str], rows: list[tuple], path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        write_csv(columns, rows, handle)


def table_text(columns: list[str], rows: list[tuple], limit: int = 200) -> str:
    shown = [
        [("" if v is None else str(_cell(v))).replace("\n", " ") for v in row]
        for row in rows[:limit]
    ]
    widths = [min(60, max([len(c)] + [len(r[i]) for r in shown])) for i, c in enumerate(columns)]

    def line(cells: list[str]) -> str:
        return " | ".join(c[:w].ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(columns), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in shown]
    out.append(
        f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
        + (f", first {limit} shown" if len(rows) > limit else "")
        + ")"
    )
    return "\n".join(out)


def run(db: Path, sql: str, parameters: list | None = None) -> tuple[list[str], list[tuple]]:
    """Columns and rows of `sql` on the package at `db`, opened read-only."""
    if not db.exists():
        raise FileNotFoundError(f"{db} does not exist; run `make build` (or `saydo build`) first.")
    con = connect(db, read_only=True)
    try:
        cursor = con.execute(sql, parameters or [])
        columns = [d[0] for d in cursor.description] if cursor.description else []
        return columns, cursor.fetchall()
    finally:
        con.close()


def save_parquet(db: Path, sql: str, path: Path) -> int:
    con = connect(db, read_only=True)
    try:
        table = con.sql(sql).to_arrow_table()
    finally:
        con.close()
    pq.write_table(table, path, compression="zstd")
    return table.num_rows
