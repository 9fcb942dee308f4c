"""Feeds (`datasets/feeds/<table>/<name>.csv` or `.parquet`, made by machines) streamed
straight into DuckDB.

A feed holds a table's authored columns; dates are full ISO dates with an explicit
`*_date_precision` column. Before a row is read, the file's shape is checked: its header (no
duplicate, unknown or missing column) and, for Parquet, each column's type. A nested column
(struct, list, map), an integer where a date belongs (saydo does not guess days since 1970), a
timestamp for a date, or a number where text belongs (a ticker would lose its leading zeros) is
refused by name. Values are then converted in SQL; a value that cannot be converted is reported
against its row and left empty, and only those rows' lines are looked up.

A feed's path is never handed to DuckDB as a pattern: DuckDB reads it through a link with a plain
name, so a file called `claims[1].csv` or `*.csv` is read as itself."""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from schemas.registry import AUTHORING, Table
from schemas.types import BOOLEAN, DATE, INTEGER, NUMBER, STRING, WHITE_SPACE_RE2
from transforms.ingest.files import InputFile, UnreadableFile
from transforms.ingest.origins import FeedFile, Origins, csv_header
from transforms.ingest.yaml_reader import CONTROL_CHARACTER as _CONTROL
from transforms.ingest.yaml_reader import control_character_words
from validations.problems import Problem, printable

# Plain decimal numbers: no nan, inf, hex or thousands separators.
_DECIMAL = r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?"
# Every character Python's str.strip() removes from a case file's text (str.isspace: Unicode's
# White_Space and the separators \x1c-\x1f), as RE2 spells it: a no-break or ideographic space
# around an id or an allowed value is trimmed at both doors. One regexp_replace strips it faster
# than DuckDB's trim() stripped six ASCII characters.
_SPACE = rf"[{WHITE_SPACE_RE2}\x{{1c}}-\x{{1f}}]"
_FIRST_DAY, _LAST_DAY = "DATE '0001-01-01'", "DATE '9999-12-31'"


@dataclass
class FeedResult:
    problems: list[Problem]
    # (table, origin, field) whose value could not be converted and was left empty.
    rejected: set[tuple[str, int, str]]
    rows: int = 0


def _problem(file: InputFile, message: str, hint: str = "", field: str = "", line=None) -> Problem:
    return Problem(file.display, line, "header" if field else "", field, message, hint, "feed")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _plain_path(path: Path, workdir: Path, number: int) -> str:
    """A link with a plain name to `path`, for DuckDB, which reads [, *, ? as a pattern."""
    link = workdir / f"feed-{number}{path.suffix.lower()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(path.resolve(), link)
    return str(link)


# --- the file's shape ----------------------------------------------------------------------------
def _csv_columns(file: InputFile) -> list[str]:
    head = read_capped_head(file.path)
    return [name.strip() for name in csv_header(head)]


def read_capped_head(path: Path, size: int = 1 << 16) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)


def _parquet_types(file: InputFile) -> dict[str, pa.DataType] | list[str]:
    schema = pq.read_schema(file.path)
    names = list(schema.names)
    if len(set(names)) != len(names):
        return names  # duplicates are reported by the caller
    return {f.name: f.type for f in schema}


def _column_problems(file: InputFile, names: list[str], table: Table) -> list[Problem]:
    authored = {c.name for c in table.columns if not c.derived} | {"is_synthetic"}
    problems = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            problems.append(
                _problem(
                    file, "appears twice in the header.", "keep one column of each name.", name, 1
                )
            )
        seen.add(name)
    for name in names:
        if name not in authored:
            problems.append(
                _problem(
                    file,
                    f"is not a column of {table.name}.",
                    "see the data dictionary for the table's columns.",
                    printable(name),
                    1,
                )
            )
    for column in table.columns:
        if column.required and not column.derived and column.name not in seen:
            problems.append(
                _problem(
                    file,
                    "required column is missing.",
                    f"add a '{column.name}' column.",
                    column.name,
                    1,
                )
            )
    return problems


def _type_problem(file: InputFile, name: str, found: pa.DataType, wanted: str) -> Problem | None:
    """A Parquet column whose type cannot hold the registry's type without guessing."""
    if pa.types.is_nested(found) or (
        pa.types.is_dictionary(found) and pa.types.is_nested(found.value_type)
    ):
        return _problem(
            file,
            f"is a nested column ({found}); saydo's columns hold single values.",
            "flatten it into one column per value.",
            name,
        )
    if pa.types.is_dictionary(found):
        found = found.value_type
    text = pa.types.is_string(found) or pa.types.is_large_string(found)
    ok = {
        STRING: text,
        DATE: text or pa.types.is_date(found),
        BOOLEAN: text or pa.types.is_boolean(found),
        INTEGER: text or pa.types.is_integer(found),
        NUMBER: text
        or pa.types.is_integer(found)
        or pa.types.is_floating(found)
        or pa.types.is_decimal(found),
    }[wanted]
    if ok or pa.types.is_null(found):
        return None
    hint = {
        DATE: "write dates as Parquet dates or as text YYYY-MM-DD; saydo does not guess what a "
        "number or a timestamp means as a date.",
        STRING: "write it as text (a number loses leading zeros, as in tickers).",
    }.get(wanted, f"write it as {wanted}.")
    return _problem(
        file, f"has the Parquet type {found}, but the column is a {wanted}.", hint, name
    )


# --- converting values in SQL --------------------------------------------------------------------
def _conversion(name: str, wanted: str, text_source: bool) -> str:
    """SQL turning the source column into the registry type; NULL where it cannot."""
    col = _quoted(name)
    if wanted == STRING:
        return _trimmed(f"nfc_normalize({col})")
    if not text_source:
        if wanted == NUMBER:
            return f"case when isfinite({col}::double) then {col}::double end"
        if wanted == DATE:
            return _real_day(f"{col}::DATE")
        return f"{col}::{ {BOOLEAN: 'BOOLEAN', INTEGER: 'BIGINT'}[wanted] }"
    value = _trimmed(col)
    return {
        DATE: _real_day(
            f"case when regexp_full_match({value}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
            f"then try_cast({value} as DATE) end"
        ),
        BOOLEAN: f"case lower({value}) when 'true' then true when 'false' then false end",
        INTEGER: f"case when regexp_full_match({value}, '[-+]?[0-9]+') "
        f"then try_cast({value} as BIGINT) end",
        # A decimal too large for a double (1e400) is read as infinity: refused, as inf is.
        NUMBER: f"case when regexp_full_match({value}, '{_DECIMAL}') "
        f"and isfinite(try_cast({value} as DOUBLE)) then try_cast({value} as DOUBLE) end",
    }[wanted]


def _trimmed(text_sql: str) -> str:
    return f"regexp_replace({text_sql}, '^{_SPACE}+|{_SPACE}+$', '', 'g')"


def _real_day(date_sql: str) -> str:
    """A date from year 1 to 9999, the days a case file's date can name: DuckDB reads
    0000-01-01 as 1 BC, and a Parquet date can hold any year."""
    return f"case when ({date_sql}) between {_FIRST_DAY} and {_LAST_DAY} then ({date_sql}) end"


def _select_list(table: Table, present: dict[str, bool], feed_name: str) -> list[tuple[str, str]]:
    """(column, SQL) for every registry column, from a source whose `present` columns are text
    (True) or typed (False)."""
    out = []
    for column in table.columns:
        name = column.name
        if name == "case_id":
            sql = f"'feed:{feed_name}'"
        elif name == "is_synthetic" and name not in present:
            sql = "false"
        elif name not in present:
            sql = "NULL"
        else:
            sql = _conversion(name, column.type, present[name])
        out.append((name, sql))
    return out


def ingest_feed(
    con: duckdb.DuckDBPyConnection,
    file: InputFile,
    table: Table,
    origins: Origins,
    workdir: Path,
) -> FeedResult:
    """Check one feed's shape and insert its rows into `table` (with `_origin`)."""
    fmt = file.path.suffix.lower().lstrip(".")
    try:
        if fmt == "csv":
            names = _csv_columns(file)
            types = None
        else:
            found = _parquet_types(file)
            names = found if isinstance(found, list) else list(found)
            types = None if isinstance(found, list) else found
    except (OSError, UnreadableFile, pa.ArrowException, csv.Error) as error:
        return FeedResult(
            [_problem(file, f"cannot be read: {printable(error)}", _FORMAT_HINT)], set()
        )
    problems = _column_problems(file, names, table)
    if types:
        problems += [
            p
            for name, found in types.items()
            if name in table.fields
            if (p := _type_problem(file, name, found, table.column(name).type))
        ]
    if problems:
        return FeedResult(problems, set())

    feed = FeedFile(file.path, file.display, table.name, fmt)
    first = origins.add_feed(feed)
    plain = _plain_path(file.path, workdir, len(origins.feeds))
    if fmt == "csv":
        spec = "{" + ", ".join(f"{_sql_text(n)}: 'VARCHAR'" for n in names) + "}"
        source = "(select rowid as _row, * from _raw_feed)"
        try:
            con.execute("drop table if exists _raw_feed")
            con.execute(
                f"create temp table _raw_feed as select * from read_csv({_sql_text(plain)}, "
                f"header = true, auto_detect = false, columns = {spec}, delim = ',', "
                f"quote = '\"', escape = '\"', strict_mode = true, null_padding = false)"
            )
        except duckdb.Error as error:
            return FeedResult(
                [_problem(file, f"cannot be read as CSV: {_first_line(error)}", _FORMAT_HINT)],
                set(),
            )
        present = {n: True for n in names}
    else:
        source = (
            f"(select file_row_number as _row, * from "
            f"read_parquet({_sql_text(plain)}, file_row_number = true))"
        )
        present = {
            n: pa.types.is_string(t)
            or pa.types.is_large_string(t)
            or (pa.types.is_dictionary(t) and pa.types.is_string(t.value_type))
            for n, t in (types or {}).items()
        }
    feed_name = file.path.stem
    selected = _select_list(table, present, feed_name)
    result = FeedResult([], set())
    result.problems, result.rejected = _conversion_failures(
        con, source, table, selected, present, first, origins
    )
    # Text holding a control character is left empty, as a case file's reader leaves it; the
    # check runs only on the columns where one was found.
    refused_text = {f for _, _, f in result.rejected if f in present}
    selected = [
        (name, f"case when not regexp_matches({_quoted(name)}, '{_CONTROL}') then {sql} end")
        if name in refused_text and table.column(name).type == STRING
        else (name, sql)
        for name, sql in selected
    ]
    columns = ", ".join(name for name, _ in selected)
    expressions = ", ".join(f"{sql} as {name}" for name, sql in selected)
    con.execute(
        f"insert into {table.name} ({columns}, _origin) "
        f"select {expressions}, {first} + _row from {source}"
    )
    result.rows = con.execute(f"select count(*) from {source}").fetchall()[0][0]
    if fmt == "csv":
        con.execute("drop table if exists _raw_feed")
    return result


_FORMAT_HINT = "feeds are UTF-8 CSV with a header row, or Parquet."


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _first_line(error: Exception) -> str:
    return printable(str(error).strip().splitlines()[0] if str(error).strip() else error)


def _conversion_failures(
    con: duckdb.DuckDBPyConnection,
    source: str,
    table: Table,
    selected: list[tuple[str, str]],
    present: dict[str, bool],
    first: int,
    origins: Origins,
) -> tuple[list[Problem], set[tuple[str, int, str]]]:
    """A problem for every value the conversion left empty."""
    checks = [(name, sql) for name, sql in selected if name in present]
    if not checks:
        return [], set()
    flags = ", ".join(
        f"case when {_failing(name, sql, table.column(name).type)} "
        f"then [{_sql_text(name)}, {_quoted(name)}::varchar] end"
        for name, sql in checks
    )
    labels = [f for f in AUTHORING[table.name].label_fields if f in present]
    found = f"list_filter([{flags}], lambda x: x is not null)"
    label_sql = (
        " || ' -> ' || ".join(f"coalesce({_quoted(f)}::varchar, '?')" for f in labels) or "''"
    )
    rows = con.execute(
        f"select _row, {label_sql} as label, {found} as bad "
        f"from {source} where len({found}) > 0 "
        f"order by _row limit 1000"
    ).fetchall()
    problems, rejected = [], set()
    noun = AUTHORING[table.name].noun
    for row, label, bad in rows:
        origin = origins.origin(first + row, noun, label)
        for name, value in bad:
            rejected |= {
                (table.name, first + row, name),
                (table.name, first + row, f"{name}_precision"),
            }
            if table.column(name).type == STRING:
                problems.append(origin.problem(name, *_control_words(value), "type"))
                continue
            problems.append(
                origin.problem(
                    name,
                    f"{printable(repr(value))} is not a valid {table.column(name).type}.",
                    "dates are YYYY-MM-DD with a *_date_precision column; booleans true/false; "
                    "numbers plain decimals.",
                    "type",
                )
            )
    return problems, rejected


def _failing(name: str, sql: str, wanted: str) -> str:
    """SQL true when the source value cannot be taken: text holding a control character (a
    case file's reader refuses it), any other value that converts to nothing."""
    if wanted == STRING:
        return f"regexp_matches({_quoted(name)}, '{_CONTROL}')"
    return f"{_quoted(name)} is not null and ({sql}) is null"


def _control_words(value: str) -> tuple[str, str]:
    """What a case file's reader says of text holding a control character."""
    found = re.search(_CONTROL, value)
    return control_character_words(found.group() if found else "\x00")
