"""Case files (`datasets/cases/<case_id>.yaml`, written by hand) and adapter files
(`datasets/adapters/<name>/adapter.yaml`) into rows of the registry's tables.

Each value is converted to its registry type here, so a wrong type is reported against the
exact file, line, record and field. Constraints (enums, patterns) are checked next at the door
(pandera), and cross-table rules after that."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from schemas.registry import AUTHORING, TABLES, Field, Table, table_for_case_key
from schemas.types import BOOLEAN, DATE, INTEGER, NUMBER, STRING, is_slug, parse_partial_date
from transforms.ingest.files import InputFile
from transforms.ingest.origins import Origins
from transforms.ingest.yaml_reader import Mapping, RefusedValue, read_case_file, refused_values
from validations.problems import Origin, Problem

CASE_HEADER_KEYS = ("title", "summary", "recorded_on")
CASE_KEYS = tuple(a.case_file_key for a in AUTHORING.values())


@dataclass
class CaseRows:
    """Rows read from hand-written files, per table, each with its `_origin`."""

    rows: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in TABLES})
    problems: list[Problem] = field(default_factory=list)
    cases: dict[str, dict] = field(default_factory=dict)
    # (table, origin, field) whose value the reader rejected and left empty.
    rejected: set[tuple[str, int, str]] = field(default_factory=set)
    # Values the YAML reader refused in the file being read that a record reader has already
    # reported (a file's own: the same value on the same line of another file is its own
    # problem there).
    reported_refusals: set[RefusedValue] = field(default_factory=set)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_TYPE_WORDS = {
    STRING: "text",
    BOOLEAN: "true or false",
    INTEGER: "a whole number",
    NUMBER: "a number",
}
_PYTHON_TYPES = {STRING: str, BOOLEAN: bool, INTEGER: int, NUMBER: (int, float)}


class RecordReader:
    """Turns one record of a case file into a row of its table, collecting problems."""

    def __init__(
        self,
        table: Table,
        file: str,
        case_id: str,
        defaults: dict,
        reported_refusals: set[RefusedValue] | None = None,
    ):
        self.reported_refusals = reported_refusals if reported_refusals is not None else set()
        self.table = table
        # Worked out once per section, not per record (the registry builds them on each ask).
        self.columns = table.columns
        self.known_fields = [c.name for c in self.columns if not c.derived]
        self.authoring = AUTHORING[table.name]
        self.file = file
        self.case_id = case_id
        self.defaults = defaults

    def label(self, record: Mapping) -> str:
        ids = [str(record.get(f)) for f in self.authoring.label_fields if record.get(f) is not None]
        noun = self.authoring.noun
        return f"{noun} {' -> '.join(ids)}" if ids else f"{noun} (no id)"

    def read(self, record: Mapping) -> tuple[dict, Origin, list[Problem]]:
        origin = Origin(self.file, record.line, self.label(record), tuple(record.key_lines.items()))
        problems: list[Problem] = []
        given = dict(record)
        row: dict = {}
        for column in self.columns:
            if column.derived:
                self._refuse_derived(column.name, given, origin, problems)
            elif not column.name.endswith("_date_precision"):  # derived from the date's form
                value = given.pop(column.name, None)
                if isinstance(value, RefusedValue):
                    problems.append(self._refused(value, origin, column.name))
                    value = None
                elif value is None and column.name in self.defaults:
                    value = self.defaults[column.name]
                if column.type == DATE:
                    row.update(self._date(column, value, given, origin, problems))
                else:
                    row[column.name] = self._convert(column, value, origin, problems)
        row["case_id"] = self.case_id
        row["is_synthetic"] = False
        problems += self._unknown_fields(given, origin)
        _fill_english(row)
        return row, origin, problems

    def _refused(self, value: RefusedValue, origin: Origin, name: str) -> Problem:
        """A value the YAML reader would not read, reported against its record and field."""
        self.reported_refusals.add(value)
        return Problem(
            self.file, value.line, origin.record, name, value.message, value.hint, "yaml"
        )

    @staticmethod
    def _refuse_derived(name: str, given: dict, origin: Origin, problems: list[Problem]) -> None:
        if name in given:
            problems.append(
                origin.problem(
                    name, "is set by saydo, not written in a case file.", "remove the line."
                )
            )
            given.pop(name)

    def _unknown_fields(self, given: dict, origin: Origin) -> list[Problem]:
        known = self.known_fields
        problems = []
        for unknown in given:
            guess = difflib.get_close_matches(str(unknown), known, n=1)
            problems.append(
                origin.problem(
                    str(unknown),
                    f"is not a field of {self.table.name}.",
                    f"did you mean '{guess[0]}'?" if guess else f"fields are: {', '.join(known)}.",
                )
            )
        return problems

    def _convert(self, column: Field, value, origin: Origin, problems: list[Problem]):
        if value is None:
            return None
        expected = _PYTHON_TYPES[column.type]
        if (isinstance(value, bool) and column.type != BOOLEAN) or not isinstance(value, expected):
            what = _TYPE_WORDS[column.type]
            hint = "put it in quotes." if column.type == STRING else f"write {what}."
            if column.type == STRING and isinstance(value, int | float):
                hint = "put it in quotes (numbers lose leading zeros, as in tickers)."
            problems.append(
                origin.problem(
                    column.name,
                    f"expected {what}, got {_type_name(value)} {value!r}.",
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
        has_precision = precision_name in self.table.fields
        stated_precision = given.pop(precision_name, None) if has_precision else None
        if isinstance(stated_precision, RefusedValue):
            problems.append(self._refused(stated_precision, origin, precision_name))
            stated_precision = None
        result: dict = {name: None}
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


def _type_name(value: object) -> str:
    return {bool: "true/false", int: "number", float: "number", list: "list", dict: "mapping"}.get(
        type(value), type(value).__name__
    )


def _fill_english(row: dict) -> None:
    """An English quote is its own translation: authors need not write it twice."""
    if "quote_en" not in row or not row.get("quote"):
        return
    if (row.get("quote_lang") or "").split("-")[0] == "en":
        if row.get("quote_en") is None:
            row["quote_en"] = row["quote"]
        if row.get("quote_en_origin") is None:
            row["quote_en_origin"] = "original"


# --- one file ------------------------------------------------------------------------------------
def _file_problem(
    file: InputFile, message: str, hint: str = "", line: int | None = None
) -> Problem:
    return Problem(file.display, line, "", "", message, hint, "case_file")


def _header(document: Mapping, file: InputFile, out: CaseRows) -> dict:
    """The case header's defaults (recorded_on) after checking its keys."""
    header = document.get("case") or Mapping()
    if not isinstance(header, Mapping):
        out.problems.append(
            Problem(
                file.display,
                document.key_lines.get("case"),
                "case",
                "",
                "must be a mapping with title, summary, recorded_on.",
            )
        )
        return {}
    for key in header:
        if key not in CASE_HEADER_KEYS:
            out.problems.append(
                Problem(
                    file.display,
                    header.key_lines.get(key),
                    "case",
                    str(key),
                    "is not a case header field.",
                    f"fields are: {', '.join(CASE_HEADER_KEYS)}.",
                )
            )
    return {"recorded_on": header["recorded_on"]} if header.get("recorded_on") is not None else {}


def _section(
    key: object,
    records: object,
    document: Mapping,
    file: InputFile,
    case_id: str,
    defaults: dict,
    origins: Origins,
    out: CaseRows,
    allowed: tuple[str, ...],
) -> None:
    """One section of a file (claims:, evidence:, ...) into rows of its table."""
    line = document.key_lines.get(key)
    table = table_for_case_key(str(key)) if key in allowed else None
    if table is None:
        guess = difflib.get_close_matches(str(key), allowed, n=1)
        out.problems.append(
            Problem(
                file.display,
                line,
                "",
                str(key),
                "is not a section of this file.",
                f"did you mean '{guess[0]}'?" if guess else f"sections: {', '.join(allowed)}.",
            )
        )
        return
    if records is None:
        return
    if not isinstance(records, list):
        out.problems.append(
            _file_problem(file, "must be a list of records (each starting with '- ').", line=line)
        )
        return
    reader = RecordReader(table, file.display, case_id, defaults, out.reported_refusals)
    for record in records:
        if not isinstance(record, Mapping):
            out.problems.append(
                Problem(
                    file.display,
                    line,
                    str(key),
                    "",
                    f"holds {record!r}, not a record of fields.",
                    "each record is a set of 'field: value' lines under '- '.",
                    "case_file",
                )
            )
            continue
        row, origin, problems = reader.read(record)
        origin_id = origins.add_case(origin)
        row["_origin"] = origin_id
        out.problems.extend(problems)
        for problem in problems:
            # A rejected date also leaves its derived precision empty.
            for rejected in (problem.field, f"{problem.field}_precision"):
                out.rejected.add((table.name, origin_id, rejected))
        out.rows[table.name].append(row)


def read_case(
    file: InputFile,
    case_id: str,
    origins: Origins,
    out: CaseRows,
    sections: tuple[str, ...] = CASE_KEYS,
    meta_keys: tuple[str, ...] = ("case",),
    parse: Callable[[str], object] | None = None,
) -> Mapping | None:
    """Read one case file into `out`; returns the parsed document. An adapter file is read the
    same way with its own `sections` (its source records) and `meta_keys` (its description).
    `parse` turns the file's text into its document (read_case_file)."""
    out.reported_refusals = set()
    document, problems = read_case_file(file.path, file.display, parse)
    out.problems.extend(problems)
    if document is None:
        return None
    if not is_slug(case_id.removeprefix("feed:")):
        out.problems.append(
            _file_problem(file, "the name must be a lowercase slug such as hikvision-uyghurs.yaml.")
        )
        return None
    if not isinstance(document, Mapping):
        out.problems.append(
            _file_problem(
                file,
                f"must be a mapping with the keys {', '.join(meta_keys + sections)}.",
                "start from `saydo new-case`.",
            )
        )
        return None
    defaults = {}
    if "case" in meta_keys:
        defaults = _header(document, file, out)
        header = document.get("case") if isinstance(document.get("case"), Mapping) else {}
        out.cases[case_id] = {"file": file.display, **{k: header.get(k) for k in CASE_HEADER_KEYS}}
    for key, records in document.items():
        if key not in meta_keys:
            _section(key, records, document, file, case_id, defaults, origins, out, sections)
    out.problems += refusals_left(document, file.display, out.reported_refusals)
    return document


def refusals_left(document: object, display: str, reported: set[RefusedValue]) -> list[Problem]:
    """Refused values outside any record's fields (a header, a key, a nested value)."""
    return [
        Problem(display, r.line, "", "", r.message, r.hint, "yaml")
        for r in refused_values(document)
        if r not in reported
    ]
