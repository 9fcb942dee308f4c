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

from transforms.db import connect_locked
from transforms.store import live_views_sql
from validations.problems import printable

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


def json_text(columns: list[str], rows: list[tuple]) -> str:
    """A JSON list of records in which every character a terminal could act on (C0 and C1
    controls, bidi overrides) is written as a \\u escape: the same data, inert to print."""
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    text = json.dumps(records, ensure_ascii=False, indent=1, default=str)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\n" else _json_escape(c) for c in text)


def _json_escape(character: str) -> str:
    return json.dumps(character)[1:-1]  # \u001b; astral characters as a surrogate pair


def save_csv(columns: list[str], rows: list[tuple], path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        write_csv(columns, rows, handle)


def table_text(
    columns: list[str], rows: list[tuple], limit: int = 200, width: int | None = 60
) -> str:
    """Rows as an aligned table for a person at a terminal. Values longer than `width` are cut
    with "…" and a last line says so; `width=None` (saydo query --wide) never cuts."""
    # A control character in a value (chr(27) from SQL) is shown as its escape, never run.
    columns = [printable(c) for c in columns]
    shown = [
        [printable(("" if v is None else str(_cell(v))).replace("\n", " ")) for v in row]
        for row in rows[:limit]
    ]
    natural = [max([len(c)] + [len(r[i]) for r in shown]) for i, c in enumerate(columns)]
    widths = natural if width is None else [min(width, n) for n in natural]
    cut = widths != natural

    def fit(cell: str, w: int) -> str:
        return cell if len(cell) <= w else cell[: w - 1] + "…"

    def line(cells: list[str]) -> str:
        return " | ".join(fit(c, w).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(columns), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in shown]
    out.append(
        f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
        + (f", first {limit} shown" if len(rows) > limit else "")
        + (
            f"; values longer than {width} characters cut with …: --wide shows them whole"
            if cut
            else ""
        )
        + ")"
    )
    return "\n".join(out)


def _open(db: Path):
    """The package at `db`, verified against its release's SHA256SUMS, locked for reading."""
    from transforms.release.package import verify_release_folder

    if not db.exists():
        raise FileNotFoundError(
            2, f"{db} does not exist; run `make build` (or `saydo build`) first", str(db)
        )
    if db.is_symlink() or not db.is_file():
        from transforms.cli import UsageError

        raise UsageError(
            f"{db} is not the package's DuckDB file (it is a folder or a link); give the file, "
            f"such as --db dist/saydo.duckdb."
        )
    if (db.parent / "SHA256SUMS").is_file():
        verify_release_folder(db.parent, (db.name,))
    return connect_locked(db)


def make_live(con) -> None:
    """In a private copy where weights and records may change: every score is computed afresh,
    never read from the scores stored at build time."""
    con.execute("delete from internal.stored_scores")
    con.execute(live_views_sql())


def run(
    db: Path, sql: str, parameters: list | None = None, what_if: bool = False
) -> tuple[list[str], list[tuple]]:
    """Columns and rows of `sql` (the last statement's, for a script) on the package at `db`,
    opened read-only with no access to any other file or the network. With `what_if`, the SQL
    runs on a private copy that may be changed (UPDATE score_weights ...) and is then thrown
    away; the package is never touched."""
    if not what_if:
        con = _open(db)
        try:
            return _last_result(con, sql, parameters)
        finally:
            con.close()
    import shutil
    import tempfile

    _open(db).close()  # verified, before it is copied
    with tempfile.TemporaryDirectory(prefix="saydo-what-if-") as folder:
        copy = Path(folder) / "what-if.duckdb"
        shutil.copyfile(db, copy)
        con = connect_locked(copy, writable=True)
        make_live(con)
        try:
            return _last_result(con, sql, parameters)
        finally:
            con.close()


def _last_result(con, sql: str, parameters: list | None) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(sql, parameters or [])
    columns = [d[0] for d in cursor.description] if cursor.description else []
    return columns, cursor.fetchall() if cursor.description else []


def save_parquet(db: Path, sql: str, path: Path) -> int:
    con = _open(db)
    try:
        table = con.sql(sql).to_arrow_table()
    finally:
        con.close()
    import pyarrow.parquet as pq  # only for --format parquet: 0.15 s of every query's start

    pq.write_table(table, path, compression="zstd")
    return table.num_rows


# timeline_of picks the stored story or the records from as_of before the query runs.
_AS_OF_KNOWN_BEFORE = (
    "a table function's arguments, and timeline_of's as_of, must be known before the query "
    "runs: a date (DATE '2023-06-30'), current_date, a variable or NULL, not a subquery or "
    "another table's column. For a date the package holds: SET VARIABLE day = (SELECT "
    "max(data_date) FROM releases); then as_of := getvariable('day'). For a story at each "
    "of many dates, timeline_from_records takes the same arguments and any as_of."
)

# Dead ends a journalist meets, each with what to do instead (DuckDB's own message comes first).
_HINTS = (
    (
        "read-only mode",
        "the package opens read-only. To try other weights, run the same SQL with "
        "`saydo query --what-if`, which opens a private copy in which score_weights can be "
        "changed.",
    ),
    (
        "~~(DATE",
        "dates are DATE values, not text: write year(claim_date) = 2021, or claim_date "
        "BETWEEN DATE '2021-01-01' AND DATE '2021-12-31'.",
    ),
    (
        "date field format",
        "write dates as DATE 'YYYY-MM-DD'. A date known only to the month or year is stored as "
        "its first day with a *_date_precision column: for March 2023, claim_date = DATE "
        "'2023-03-01' AND claim_date_precision = 'month'.",
    ),
    (
        "Permission Error",
        "saydo query reads only the package: it cannot read or write other files, attach "
        "databases, install extensions or change settings.",
    ),
    (
        "Table function cannot contain subqueries",
        _AS_OF_KNOWN_BEFORE,
    ),
    (
        "does not support lateral join column parameters",
        _AS_OF_KNOWN_BEFORE,
    ),
    (
        'Table "current" does not have a column named',
        "a temporary table or view named like one of the package's (claims, evidence, ...) "
        "hides it, in the views and macros too: list them with SELECT table_name FROM "
        "duckdb_tables() WHERE temporary, and drop or rename yours.",
    ),
    (
        "UNNEST() can only be applied to lists",
        "companies := takes a list of company ids, even for one: companies := ['hikvision'].",
    ),
    (
        "does not exist",
        "list what the package holds with: SELECT table_name, comment FROM duckdb_tables() "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE NOT internal.",
    ),
)


def explain(error: Exception) -> str:
    """DuckDB's message, and saydo's hint when it is one of the common dead ends."""
    text = str(error).strip()
    hints = [hint for marker, hint in _HINTS if marker in text]
    if "Cannot change configuration option" in text or "disabled" in text.lower():
        hints.append(_HINTS[3][1])
    return text + ("\nHint: " + " ".join(dict.fromkeys(hints)) if hints else "")
