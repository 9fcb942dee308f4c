"""Validation at the door: each table's pandera model, with every failure mapped back to the
file, record and field it came from, in words an author can act on."""

from __future__ import annotations

import polars as pl

from schemas.generate import pandera_schema
from schemas.languages import LANGUAGE_TAG_PATTERN
from schemas.registry import NON_BLANK_PATTERN, SLUG_PATTERN, TABLES, URL_PATTERN
from transforms.problems import Origin, Problem

_PATTERN_WORDS = {
    NON_BLANK_PATTERN: ("is empty or only whitespace.", "write the text, or remove the field."),
    SLUG_PATTERN: (
        "must be a lowercase slug of letters, digits and single hyphens.",
        "for example hikvision-denial-2019-10-08.",
    ),
    URL_PATTERN: ("is not a valid http(s) URL.", "write the full address, https://..."),
    LANGUAGE_TAG_PATTERN: (
        "is not a known BCP-47 language tag.",
        "use an ISO 639-1 code with optional script and region: ar, en, en-GB, zh-Hans.",
    ),
}


def _words(table_name: str, column: str, check: str, value: object) -> tuple[str, str]:
    declared = TABLES[table_name].column(column)
    if check == "not_nullable":
        return "is required but missing or empty.", f"add '{column}: ...' to the record."
    if check.startswith("isin"):
        allowed = ", ".join(declared.enum or ())
        return f"{value!r} is not an allowed value.", f"use one of: {allowed}."
    if check.startswith("str_matches") and declared.pattern in _PATTERN_WORDS:
        message, hint = _PATTERN_WORDS[declared.pattern]
        return f"{value!r} {message}", hint
    if check.startswith("str_matches"):
        return f"{value!r} does not match {declared.pattern}.", declared.description
    if check.startswith(("greater_than", "less_than", "in_range")):
        return f"{value!r} is out of range ({check}).", declared.description
    if check == "dtype":
        return f"has the wrong type ({value}).", f"expected {declared.type}."
    return f"{value!r} fails {check}.", declared.description


def validate_frames(
    frames: dict[str, pl.DataFrame],
    origins: dict[str, list[Origin]],
    already_reported: set[tuple[str, int, str]] = frozenset(),
) -> list[Problem]:
    """Validate every table; return the problems (empty when all pass).

    Primary-key duplicates are left to `validations.integrity`, which names both places a
    duplicate was written. `already_reported` holds (table, row, field) the loader has reported
    (a wrong type becomes an empty value here, which would be reported twice)."""
    import pandera.errors

    problems: list[Problem] = []
    for name, frame in frames.items():
        try:
            pandera_schema(TABLES[name]).validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as errors:
            failures = errors.failure_cases
            for case in failures.iter_rows(named=True):
                check = str(case["check"])
                if check == "multiple_fields_uniqueness":
                    continue
                row, column = case["index"], case["column"]
                if row is None:  # a table-level failure (wrong columns): a bug in a feed reader
                    problems.append(
                        Problem(
                            name, None, name, str(column), f"fails {check}: {case['failure_case']}"
                        )
                    )
                    continue
                if (name, row, column) in already_reported:
                    continue
                message, hint = _words(name, column, check, case["failure_case"])
                problems.append(origins[name][row].problem(column, message, hint, check))
    return problems
