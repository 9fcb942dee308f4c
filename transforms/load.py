"""Read `datasets/` into one polars frame per table, remembering where every row came from.

Two doors lead into the same tables:
- case files, `datasets/cases/<case_id>.yaml`, written by hand (see `saydo new-case`);
- feeds, `datasets/feeds/<table>/<name>.csv` or `.parquet`, made by machines.

Each value is converted to its registry type here, so a wrong type is reported against the
exact file, record and field. Constraints (enums, patterns, keys) are checked next by pandera
(`validations.door`), and cross-table rules after that (`validations.integrity`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from schemas.generate import polars_schema
from schemas.registry import (
    BOOLEAN,
    DATE,
    INTEGER,
    NUMBER,
    STRING,
    TABLES,
    Field,
    Table,
    table_for_case_key,
)
from transforms.case_files import Mapping, read_case_file
from transforms.problems import Origin, Origins, Problem

CASE_KEYS = ("case", *(t.case_file_key for t in TABLES.values()))
_CASE_HEADER_KEYS = ("title", "summary", "recorded_on")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass
class LoadedTable:
    table: Table
    rows: list[dict] = field(default_factory=list)
    origins: Origins = field(default_factory=Origins)
    frames: list[pl.DataFrame] = field(default_factory=list)

    def frame(self) -> pl.DataFrame:
        schema = polars_schema(self.table)
        parts = [pl.DataFrame(self.rows, schema=schema)] if self.rows else []
        parts += [f.select(list(schema)) for f in self.frames]
        if not parts:
            return pl.DataFrame(schema=schema)
        return pl.concat(parts, how="vertical") if len(parts) > 1 else parts[0]


@dataclass
class Loaded:
    tables: dict[str, LoadedTable]
    problems: list[Problem]
    cases: dict[str, dict]
    # (table, row, field) whose value the loader rejected and left empty.
    rejected_values: set[tuple[str, int, str]] = field(default_factory=set)

    def frames(self) -> dict[str, pl.DataFrame]:
        return {name: loaded.frame() for name, loaded in self.tables.items()}

    def origins(self, table: str) -> Origins:
        return self.tables[table].origins


def parse_partial_date(text: str) -> tuple[dt.date, str] | None:
    """'2023-03-15' -> (2023-03-15, day); '2023-03' -> (2023-03-01, month); '2023' -> year.
    None when the text is not a date (including impossible days such as 2023-02-30)."""
    match = _PARTIAL_DATE.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        value = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return value, "day" if day else "month" if month else "year"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class _RecordReader:
    """Turns one case-file record into a row of the table, collecting problems."""

    def __init__(self, table: Table, file: str, case_id: str, defaults: dict):
        self.table = table
        self.file = file
        self.case_id = case_id
        self.defaults = defaults

    def label(self, record: Mapping) -> str:
        ids = [str(record.get(f)) for f in self.table.label_fields if record.get(f) is not None]
        noun = self.table.noun
        return f"{noun} {' -> '.join(ids)}" if ids else f"{noun} (no id)"

    def read(self, record: Mapping) -> tuple[dict, Origin, list[Problem]]:
        origin = Origin(self.file, record.line, self.label(record), tuple(record.key_lines.items()))
        problems: list[Problem] = []
        given = dict(record)
        row: dict = {}
        for column in self.table.columns:
            name = column.name
            if column.derived:
                if name in given:
                    problems.append(
                        origin.problem(
                            name, "is set by saydo, not written in a case file.", "remove the line."
                        )
                    )
                    given.pop(name)
                continue
            if name.endswith("_date_precision"):
                continue  # derived from the date's own form, below
            value = given.pop(name, None)
            if value is None and name in self.defaults:
                value = self.defaults[name]
            if column.type == DATE:
                row.update(self._date(column, value, given, origin, problems))
            else:
                row[name] = self._convert(column, value, origin, problems)
        row["case_id"] = self.case_id
        row["is_synthetic"] = False
        for unknown in given:
            known = [c.name for c in self.table.columns if not c.derived]
            guess = difflib.get_close_matches(str(unknown), known, n=1)
            problems.append(
                origin.problem(
                    str(unknown),
                    f"is not a field of {self.table.name}.",
                    f"did you mean '{guess[0]}'?" if guess else f"fields are: {', '.join(known)}.",
                )
            )
        self._fill_english(row)
        return row, origin, problems

    def _convert(self, column: Field, value, origin: Origin, problems: list[Problem]):
        if value is None:
            return None
        expected = {STRING: str, BOOLEAN: bool, INTEGER: int, NUMBER: (int, float)}[column.type]
        if (isinstance(value, bool) and column.type != BOOLEAN) or not isinstance(value, expected):
            what = {
                STRING: "text",
                BOOLEAN: "true or false",
                INTEGER: "a whole number",
                NUMBER: "a number",
            }[column.type]
            hint = "put it in quotes." if column.type == STRING else f"write {what}."
            if column.type == STRING and isinstance(value, int | float):
                hint = "put it in quotes (numbers lose leading zeros, as in tickers)."
            problems.append(
                origin.problem(
                    column.name,
                    f"expected {what}, got {type(value).__name__} {value!r}.",
                    hint,
                    "type",
                )
            )
            return None
        if column.type == STRING:
            return _nfc(value).strip()
        return float(value) if column.type == NUMBER else value

    def _date(self, column: Field, value, given: dict, origin: Origin, problems: list[Problem]):
        name = column.name
        precision_name = f"{name}_precision"
        has_precision = precision_name in {c.name for c in self.table.columns}
        stated_precision = given.pop(precision_name, None) if has_precision else None
        result = {name: None}
        if has_precision:
            result[precision_name] = None
        if value is None:
            if stated_precision is not None:
                problems.append(
                    origin.problem(
                        precision_name, "is given but the date is empty.", f"fill in {name}."
                    )
                )
            return result
        text = str(value).strip()
        parsed = parse_partial_date(text)
        if parsed is None:
            problems.append(
                origin.problem(
                    name,
                    f"{text!r} is not a real date.",
                    "write YYYY-MM-DD, YYYY-MM (month precision) or YYYY (year precision).",
                    "date",
                )
            )
            return result
        date, precision = parsed
        if not has_precision and precision != "day":
            problems.append(
                origin.problem(name, f"{text!r} needs a full date (YYYY-MM-DD).", "", "date")
            )
            return result
        if stated_precision is not None and stated_precision != precision:
            problems.append(
                origin.problem(
                    precision_name,
                    f"says {stated_precision!r} but {name} {text!r} is written at {precision} "
                    f"precision.",
                    "write the date as precisely as it is known and drop the precision line "
                    "(2023-03 means month precision).",
                    "date_precision",
                )
            )
        result[name] = date
        if has_precision:
            result[precision_name] = precision
        return result

    @staticmethod
    def _fill_english(row: dict) -> None:
        """An English quote is its own translation: authors need not write it twice."""
        if "quote_en" not in row or not row.get("quote"):
            return
        if (row.get("quote_lang") or "").split("-")[0] == "en":
            if row.get("quote_en") is None:
                row["quote_en"] = row["quote"]
            if row.get("quote_en_origin") is None:
                row["quote_en_origin"] = "original"


def _read_case(path: Path, display: str, loaded: Loaded) -> None:
    document, problems = read_case_file(path, display)
    loaded.problems.extend(problems)
    if document is None:
        return
    case_id = path.stem
    if not re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", case_id):
        loaded.problems.append(
            Problem(
                display,
                None,
                "",
                "",
                "the file name must be a lowercase slug such as hikvision-uyghurs.yaml.",
                "",
                "case_file",
            )
        )
        return
    if not isinstance(document, Mapping):
        loaded.problems.append(
            Problem(
                display,
                None,
                "",
                "",
                f"a case file must be a mapping with the keys {', '.join(CASE_KEYS)}.",
                "start from `saydo new-case`.",
                "case_file",
            )
        )
        return
    header = document.get("case") or Mapping()
    defaults: dict = {}
    if not isinstance(header, Mapping):
        loaded.problems.append(
            Problem(
                display,
                document.key_lines.get("case"),
                "case",
                "",
                "must be a mapping with title, summary, recorded_on.",
            )
        )
        header = Mapping()
    for key in header:
        if key not in _CASE_HEADER_KEYS:
            loaded.problems.append(
                Problem(
                    display,
                    header.key_lines.get(key),
                    "case",
                    str(key),
                    "is not a case header field.",
                    f"fields are: {', '.join(_CASE_HEADER_KEYS)}.",
                )
            )
    if header.get("recorded_on") is not None:
        defaults["recorded_on"] = header["recorded_on"]
    loaded.cases[case_id] = {"file": display, **{k: header.get(k) for k in _CASE_HEADER_KEYS}}

    for key, records in document.items():
        if key == "case":
            continue
        table = table_for_case_key(key)
        line = document.key_lines.get(key)
        if table is None:
            guess = difflib.get_close_matches(str(key), CASE_KEYS, n=1)
            loaded.problems.append(
                Problem(
                    display,
                    line,
                    "",
                    str(key),
                    "is not a section of a case file.",
                    f"did you mean '{guess[0]}'?"
                    if guess
                    else f"sections: {', '.join(CASE_KEYS)}.",
                )
            )
            continue
        if records is None:
            continue
        if not isinstance(records, list):
            loaded.problems.append(
                Problem(
                    display,
                    line,
                    key,
                    "",
                    "must be a list of records (each starting with '- ').",
                    "",
                    "case_file",
                )
            )
            continue
        reader = _RecordReader(table, display, case_id, defaults)
        target = loaded.tables[table.name]
        for record in records:
            if not isinstance(record, Mapping):
                loaded.problems.append(
                    Problem(
                        display,
                        line,
                        key,
                        "",
                        f"holds {record!r}, not a record of fields.",
                        "each record is a set of 'field: value' lines under '- '.",
                        "case_file",
                    )
                )
                continue
            row, origin, problems = reader.read(record)
            loaded.problems.extend(problems)
            for problem in problems:
                # A rejected date also leaves its derived precision empty.
                for rejected in (problem.field, f"{problem.field}_precision"):
                    loaded.rejected_values.add((table.name, len(target.rows), rejected))
            target.rows.append(row)
            target.origins.append(origin)


def _read_feed(path: Path, display: str, table: Table, loaded: Loaded) -> None:
    """A feed holds the table's authored columns; dates are full ISO dates with their
    precision column. Values are cast to the registry types; a cast that fails is reported
    against the feed's row (CSV line numbers count the header as line 1)."""
    schema = polars_schema(table)
    authored = [c.name for c in table.columns if not c.derived]
    try:
        if path.suffix == ".parquet":
            raw = pl.read_parquet(path)
        else:
            raw = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except Exception as error:  # polars raises many kinds; all mean "cannot read this file"
        loaded.problems.append(
            Problem(
                display,
                None,
                "",
                "",
                f"cannot be read: {error}",
                "feeds are UTF-8 CSV with a header row, or Parquet.",
                "read",
            )
        )
        return
    missing = [c for c in authored if c not in raw.columns and table.column(c).required]
    unknown = [c for c in raw.columns if c not in schema]
    for name in missing:
        loaded.problems.append(
            Problem(
                display,
                1,
                "header",
                name,
                "required column is missing.",
                f"add a '{name}' column.",
                "feed",
            )
        )
    for name in unknown:
        loaded.problems.append(
            Problem(display, 1, "header", name, f"is not a column of {table.name}.", "", "feed")
        )
    if missing or unknown:
        return
    feed_name = f"feed:{path.stem}"
    offset = 2 if path.suffix != ".parquet" else 1
    casts = []
    for name, dtype in schema.items():
        if name == "case_id":
            casts.append(pl.lit(feed_name).alias(name))
        elif name == "is_synthetic" and name not in raw.columns:
            casts.append(pl.lit(False).alias(name))
        elif name not in raw.columns:
            casts.append(pl.lit(None, dtype).alias(name))
        elif raw.schema[name] == pl.String and dtype == pl.String:
            casts.append(pl.col(name).str.normalize("NFC").str.strip_chars().alias(name))
        elif raw.schema[name] == pl.String and dtype == pl.Boolean:
            casts.append(
                pl.col(name)
                .str.to_lowercase()
                .replace_strict(
                    {"true": True, "false": False}, default=None, return_dtype=pl.Boolean
                )
                .alias(name)
            )
        elif raw.schema[name] == pl.String and dtype == pl.Date:
            casts.append(pl.col(name).str.to_date("%Y-%m-%d", strict=False).alias(name))
        else:
            casts.append(pl.col(name).cast(dtype, strict=False).alias(name))
    frame = raw.select(casts)
    labels = list(table.label_fields)
    target = loaded.tables[table.name]
    base = sum(len(f) for f in target.frames) + len(target.rows)
    # A value the cast could not read becomes empty: find those columns in one pass.
    lost = raw.select(
        (pl.col(name).is_not_null() & frame[name].is_null()).any().alias(name)
        for name in raw.columns
    ).row(0, named=True)
    for name in [n for n, any_lost in lost.items() if any_lost]:
        failed = raw.select(pl.int_range(pl.len()).alias("i"), pl.col(name)).filter(
            pl.col(name).is_not_null() & frame[name].is_null()
        )
        for i, value in failed.iter_rows():
            loaded.rejected_values.update(
                {(table.name, base + i, name), (table.name, base + i, f"{name}_precision")}
            )
            record = " -> ".join(str(raw[label][i]) for label in labels if label in raw.columns)
            loaded.problems.append(
                Problem(
                    display,
                    i + offset,
                    f"{table.noun} {record}",
                    name,
                    f"{value!r} is not a valid {schema[name]}.",
                    "dates are YYYY-MM-DD with a *_date_precision column; booleans true/false.",
                    "type",
                )
            )
    target.frames.append(frame)
    target.origins.add_feed(display, offset, table.noun, frame.select(labels))


def load_datasets(datasets: Path) -> Loaded:
    """Read every case file and feed under `datasets` (in a stable order)."""
    loaded = Loaded({name: LoadedTable(t) for name, t in TABLES.items()}, [], {})
    root = datasets.parent

    def display(path: Path) -> str:
        try:
            return str(path.relative_to(root))
        except ValueError:
            return str(path)

    for path in sorted((datasets / "cases").glob("*.y*ml")):
        _read_case(path, display(path), loaded)
    feeds = datasets / "feeds"
    for path in sorted(feeds.glob("*/*")) if feeds.is_dir() else []:
        if path.suffix not in (".csv", ".parquet") or path.name.startswith("."):
            continue
        table = TABLES.get(path.parent.name)
        if table is None:
            loaded.problems.append(
                Problem(
                    display(path),
                    None,
                    "",
                    "",
                    f"is in a folder named '{path.parent.name}', which is not a table.",
                    f"feeds go in datasets/feeds/<table>/, tables: {', '.join(TABLES)}.",
                    "feed",
                )
            )
            continue
        _read_feed(path, display(path), table, loaded)
    return loaded
