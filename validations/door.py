"""Validation at the door: every column's type, requiredness, allowed values, pattern and range,
declared once in the registry and checked twice over, by the same words:

- pandera (polars) on the rows of every table read from hand-written files;
- the same checks generated as SQL on the rows of every feed, in one pass per table inside
  DuckDB, so a feed of millions of rows never has to leave it.

A test runs the catalogue of bad values through both doors and compares the problems."""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

from schemas.generate import pandera_schema, sql_string
from schemas.registry import TABLES, Field, authoring
from schemas.types import WHITE_SPACE_RE2
from transforms.cache import keep
from transforms.ingest.origins import FEED_SHIFT, Origins
from validations.light_imports import pandera_imported_lightly
from validations.problems import Origin, Problem, printable, unusual_characters

# Checks, named as pandera names them.
REQUIRED = "not_nullable"
ENUM = "isin"
PATTERN = "str_matches"
MINIMUM = "greater_than_or_equal_to"
MAXIMUM = "less_than_or_equal_to"


def words(column: Field, check: str, value: object) -> tuple[str, str]:
    """The message and the fix for a value that fails a check."""
    shown = printable(repr(value))
    if check == REQUIRED:
        return "is required but missing or empty.", f"add '{column.name}: ...' to the record."
    if check.startswith(ENUM):
        return f"{shown} is not an allowed value.", f"use one of: {', '.join(column.enum or ())}."
    if check.startswith(PATTERN) and column.semantic:
        pointer = unusual_characters(value)
        message = f"{shown} {column.semantic.message}" + (f" {pointer}" if pointer else "")
        return message, column.semantic.hint
    if check.startswith((MINIMUM, MAXIMUM, "greater_than", "less_than", "in_range")):
        low = "" if column.minimum is None else f"at least {column.minimum:g}"
        high = "" if column.maximum is None else f"at most {column.maximum:g}"
        bounds = " and ".join(b for b in (low, high) if b)
        return f"{_number(value, shown)} is out of range.", f"{column.name} is {bounds}."
    if check == "dtype":
        return f"has the wrong type ({shown}).", f"expected {column.type}."
    return f"{shown} fails {check}.", column.description


def _number(value: object, shown: str) -> str:
    """A number as a reader wrote it (-5, 2.5), not as the text pandera hands it back in
    ('-5.0'); anything that is not a number, as `shown`."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return shown
    try:
        number = float(value)
    except ValueError:
        return shown
    return f"{number:g}" if math.isfinite(number) else shown


# --- pandera, on the rows of hand-written files --------------------------------------------------
def pandera_problems(
    frames: dict[str, pl.DataFrame],
    origins: Origins,
    already_reported: set[tuple[str, int, str]],
    cache: Path | None = None,
    refused_as_written: set[tuple[str, int, str]] | None = None,
) -> list[Problem]:
    """Validate each table's rows (with `_origin`) against its pandera model. With a cache
    folder, rows pandera passed before under the same model are not judged again (pandera's
    checks look at one row at a time, so a row's verdict depends on nothing else); the
    verdicts of the rows seen now replace what the cache held."""
    known = KnownValidRows.load(cache) if cache is not None else None
    problems: list[Problem] = []
    passed: dict[str, pl.Series] = {}
    for name, frame in frames.items():
        if frame.is_empty():
            continue
        hashes = row_digests(frame) if known is not None else None
        if hashes is not None:
            unseen = ~hashes.is_in(known.digests(name).implode())
            judged = frame.filter(unseen)
            judged_hashes = hashes.filter(unseen)
            passed[name] = hashes.filter(~unseen)
        else:
            judged, judged_hashes = frame, None
        failing_rows: set[int] = set()
        if not judged.is_empty():
            with pandera_imported_lightly():
                problems += _pandera_table(
                    name, judged, origins, already_reported, failing_rows, refused_as_written
                )
        if judged_hashes is not None:
            keep = [i for i in range(judged.height) if i not in failing_rows]
            passed[name] = pl.concat([passed[name], judged_hashes.gather(keep)])
    if known is not None:
        known.save(passed)
    return problems


def _pandera_table(
    name: str,
    frame: pl.DataFrame,
    origins: Origins,
    already_reported: set[tuple[str, int, str]],
    failing_rows: set[int],
    refused_as_written: set[tuple[str, int, str]] | None = None,
) -> list[Problem]:
    import pandera.errors

    table = TABLES[name]
    problems: list[Problem] = []
    try:
        # pandera runs a polars query per check and column, on the few rows of hand-written
        # files: polars' in-memory engine answers each in about a third of the time its
        # default engine takes (pandera's whole door on the hand-made case: 0.33 s -> 0.15 s).
        with pl.Config(engine_affinity="in-memory"):
            pandera_schema(table).validate(frame.drop("_origin"), lazy=True)
    except pandera.errors.SchemaErrors as errors:
        row_origins = frame["_origin"].to_list()
        for case in errors.failure_cases.iter_rows(named=True):
            row, column, check = case["index"], case["column"], str(case["check"])
            if row is None:  # a table-level failure (wrong columns): a bug in a reader
                failing_rows.update(range(frame.height))
                problems.append(
                    Problem(name, None, name, str(column), f"fails {check}: {case['failure_case']}")
                )
                continue
            failing_rows.add(row)
            origin_id = row_origins[row]
            if refused_as_written is not None and check != REQUIRED:
                refused_as_written.add((name, origin_id, column))
            if (name, origin_id, column) in already_reported:
                continue
            message, hint = words(table.column(column), check, case["failure_case"])
            problems.append(origins.case[origin_id].problem(column, message, hint, check))
    return problems


def row_digests(frame: pl.DataFrame) -> pl.Series:
    """A SHA-256 per row of every column but `_origin`: what pandera's verdict on the row
    depends on. Cryptographic, so a row cannot be written to pass for one already judged."""
    return pl.Series(
        "row_digest",
        [
            hashlib.sha256(repr(row).encode("utf-8")).hexdigest()
            for row in frame.drop("_origin").iter_rows()
        ],
        pl.String,
    )


@functools.cache
def _model_code() -> bytes:
    """The code that turns declarations into pandera models, read once per process."""
    import schemas.generate

    return Path(schemas.generate.__file__).read_bytes()


@functools.cache
def _library_versions() -> tuple[str, str]:
    """The installed pandera and polars: reading a package's metadata costs milliseconds, and
    a verdict's key needs them for every table."""
    from importlib.metadata import version

    return version("pandera"), version("polars")


class KnownValidRows:
    """Rows pandera has passed, by table, as row digests, in `.saydo-cache/`. Keyed by
    everything a verdict depends on: each table's declared columns and checks, the code that
    turns them into pandera models, the versions of pandera and polars, and pandera's switches
    in the environment. A cache that cannot be read or written is passed over; `saydo release`
    never uses one."""

    FILE = "door-rows.parquet"

    def __init__(self, folder: Path, known: dict[str, pl.Series]):
        self.folder = folder
        self.known = known

    @staticmethod
    def fingerprint(name: str) -> str:
        table = TABLES[name]
        declared = [
            (c.name, c.type, c.required, c.enum, c.pattern, c.minimum, c.maximum)
            for c in table.columns
        ]
        switches = sorted((k, v) for k, v in os.environ.items() if k.startswith("PANDERA_"))
        model_code = _model_code()
        text = repr((declared, *_library_versions(), switches))
        return hashlib.sha256(text.encode("utf-8") + model_code).hexdigest()

    @classmethod
    def load(cls, folder: Path) -> KnownValidRows:
        known: dict[str, pl.Series] = {}
        path = folder / cls.FILE
        try:
            if path.is_file() and not path.is_symlink():
                stored = pl.read_parquet(path)
                for name in TABLES:
                    rows = stored.filter(
                        (pl.col("table") == name) & (pl.col("fingerprint") == cls.fingerprint(name))
                    )
                    known[name] = rows["row_digest"].cast(pl.String)
        except (Exception, pl.exceptions.PanicException):
            # A broken cache costs a full validation, never a wrong verdict.
            known = {}
        return cls(folder, known)

    def digests(self, name: str) -> pl.Series:
        return self.known.get(name, pl.Series("row_digest", [], pl.String))

    def save(self, passed: dict[str, pl.Series]) -> None:
        schema = {"table": pl.String, "fingerprint": pl.String, "row_digest": pl.String}
        parts = [
            pl.DataFrame({"row_digest": digests.rename("row_digest")}).select(
                pl.lit(name).alias("table"),
                pl.lit(self.fingerprint(name)).alias("fingerprint"),
                pl.col("row_digest"),
            )
            for name, digests in passed.items()
        ]
        stored = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
        written = io.BytesIO()
        stored.write_parquet(written)
        keep(self.folder, self.FILE, written.getvalue())


# --- the same checks as SQL, on the rows of feeds ------------------------------------------------
# Without it a feed's text of no-break spaces passed as text, and a URL with a no-break space in
# it as a URL, where a case file's were refused.
_RE2_SPACE = WHITE_SPACE_RE2


def re2_pattern(pattern: str) -> str:
    r"""A registry pattern as DuckDB (RE2) must be given it to mean what it means to polars:
    `\s` and `\S` are Unicode-aware there and ASCII-only in RE2."""
    pattern = pattern.replace(r"[\s\S]", "(?s:.)")  # any character, line breaks included
    out, in_class, i = [], False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            escape = pattern[i + 1]
            if escape == "s":
                out.append(_RE2_SPACE if in_class else f"[{_RE2_SPACE}]")
            elif escape == "S":
                if in_class:  # pragma: no cover - guards the registry
                    raise ValueError(f"write {pattern!r} without \\S inside a class")
                out.append(f"[^{_RE2_SPACE}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        out.append(c)
        i += 1
    return "".join(out)


def _sql_checks(column: Field) -> list[tuple[str, str]]:
    """(check, SQL that is true when the value fails it) for one column."""
    name = column.name
    checks = []
    if column.required:
        checks.append((REQUIRED, f"{name} is null"))
    if column.enum:
        allowed = ", ".join(sql_string(v) for v in column.enum)
        checks.append((ENUM, f"{name} not in ({allowed})"))
    if column.pattern:
        checks.append(
            (PATTERN, f"not regexp_full_match({name}, {sql_string(re2_pattern(column.pattern))})")
        )
    if column.minimum is not None:
        checks.append((MINIMUM, f"{name} < {column.minimum}"))
    if column.maximum is not None:
        checks.append((MAXIMUM, f"{name} > {column.maximum}"))
    return checks


def feed_door_sql(table_name: str) -> str:
    """One query over a table's feed rows: each failing row with its failures as
    [column, check, value] triples."""
    table = TABLES[table_name]
    flags = []
    for column in table.columns:
        for check, failing in _sql_checks(column):
            guard = "" if check == REQUIRED else f"{column.name} is not null and "
            flags.append(
                f"case when {guard}{failing} then [{sql_string(column.name)}, "
                f"{sql_string(check)}, {column.name}::varchar] end"
            )
    if not flags:
        return ""
    found = f"list_filter([{', '.join(flags)}], lambda x: x is not null)"
    return (
        f"select _origin, {found} as failures from {table_name} "
        f"where _origin >= {1 << FEED_SHIFT} and len({found}) > 0 order by _origin limit 10000"
    )


def feed_problems(
    con: duckdb.DuckDBPyConnection,
    origins: Origins,
    already_reported: set[tuple[str, int, str]],
    label_of: Callable[[str, list[int]], dict[int, str]],
    refused_as_written: set[tuple[str, int, str]] | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    fed = {
        name
        for (name,) in con.execute(
            " union all ".join(
                f"select '{name}' from (select 1 from {name} where _origin >= {1 << FEED_SHIFT} "
                f"limit 1)"
                for name in TABLES
            )
        ).fetchall()
    }
    for name, table in TABLES.items():
        # Planning the door's query costs more than running it on a few rows; skip empty feeds.
        sql = feed_door_sql(name) if name in fed else ""
        found = con.execute(sql).fetchall() if sql else []
        labels = label_of(name, [origin for origin, _ in found])
        noun = authoring(name).noun
        for origin_id, failures in found:
            origin: Origin = origins.origin(origin_id, noun, labels.get(origin_id, ""))
            for column, check, value in failures:
                if refused_as_written is not None and check != REQUIRED:
                    refused_as_written.add((name, origin_id, column))
                if (name, origin_id, column) in already_reported:
                    continue
                message, hint = words(table.column(column), check, value)
                problems.append(origin.problem(column, message, hint, check))
    return problems
