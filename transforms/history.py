"""Every version of every record, with the interval in which it was current.

A record's first version starts on its `recorded_on`. Each correction (the `corrections` table:
record, column, previous value, date, reason) starts a new version on its `corrected_on`; a
retraction starts a last version on `retracted_on`. Walking back from the current record and
putting each previous value back gives the earlier versions, so nothing that was published is
lost, and point-in-time queries read the version that was current on their date.

`<table>_history` has the table's columns plus the registry's HISTORY_FIELDS (version,
valid_from, valid_to, change, change_reason).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import polars as pl

from schemas.generate import polars_schema
from schemas.registry import (
    DATE,
    HISTORY_TABLES,
    INTEGER,
    NUMBER,
    TABLES,
    VERSIONED_TABLES,
    Table,
)

# Columns a correction may change: not the key, nor what the package itself keeps.
UNCORRECTABLE = {"recorded_on", "case_id", "is_synthetic", "retracted_on", "retraction_reason"}


def history_name(table: str) -> str:
    return f"{table}_history"


def record_ids(table: Table, frame: pl.DataFrame) -> pl.Series:
    """The text form of each row's primary key, as corrections.record_id writes it."""
    return frame.select(
        pl.concat_str([pl.col(k).cast(pl.String) for k in table.primary_key], separator="/")
    ).to_series()


def record_id_sql(table: Table, alias: str = "") -> str:
    """The same record id as a SQL expression (`alias` qualifies the columns)."""
    prefix = f"{alias}." if alias else ""
    return " || '/' || ".join(f"{prefix}{k}::varchar" for k in table.primary_key)


def correctable_fields(table: Table) -> list[str]:
    return [
        c.name
        for c in table.columns
        if c.name not in UNCORRECTABLE and c.name not in table.primary_key and not c.derived
    ]


def followers(field: str, row: dict) -> tuple[str, ...]:
    """Columns that change with `field`: an English quote is its own translation, so
    correcting the quote corrects quote_en with it."""
    if field == "quote" and row.get("quote_en_origin") == "original":
        return ("quote_en",)
    return ()


def parse_previous(table: Table, field: str, text: str | None) -> object:
    """A correction's previous value, as the column's type."""
    if text is None:
        return None
    kind = table.column(field).type
    if kind == DATE:
        return dt.date.fromisoformat(text)
    if kind == NUMBER:
        return float(text)
    if kind == INTEGER:
        return int(text)
    return text


def _versions_of(table: Table, row: dict, corrections: list[dict]) -> list[dict]:
    """Oldest first. `corrections` are this record's, any order."""
    by_date: dict[dt.date, list[dict]] = defaultdict(list)
    for correction in corrections:
        by_date[correction["corrected_on"]].append(correction)
    boundaries: list[tuple[dt.date, str, str | None, list[dict]]] = [
        (day, "corrected", "; ".join(c["reason"] for c in fixes), fixes)
        for day, fixes in by_date.items()
    ]
    if row.get("retracted_on") is not None:
        boundaries.append((row["retracted_on"], "retracted", row["retraction_reason"], []))
    # Walk back from the current version, undoing one change at a time.
    boundaries.sort(key=lambda b: (b[0], b[1] == "retracted"))
    versions: list[dict] = []
    current = dict(row)
    valid_to = None
    for day, change, reason, fixes in reversed(boundaries):
        versions.append(
            {
                **current,
                "valid_from": day,
                "valid_to": valid_to,
                "change": change,
                "change_reason": reason,
            }
        )
        previous = dict(current)
        if change == "retracted":
            previous["retracted_on"] = None
            previous["retraction_reason"] = None
        for fix in fixes:
            value = parse_previous(table, fix["field_name"], fix["previous_value"])
            previous[fix["field_name"]] = value
            for follower in followers(fix["field_name"], current):
                previous[follower] = value
        current, valid_to = previous, day
    versions.append(
        {
            **current,
            "valid_from": row["recorded_on"],
            "valid_to": valid_to,
            "change": "recorded",
            "change_reason": None,
        }
    )
    versions.reverse()
    for number, version in enumerate(versions, start=1):
        version["version"] = number
    return versions


def build_history(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """`<table>_history` for every versioned table, from frames already in key order. Records
    with no correction and no retraction take the fast path: one version, current since
    recorded_on."""
    corrections = frames["corrections"]
    histories = {}
    for name in VERSIONED_TABLES:
        table = TABLES[name]
        frame = frames[name]
        ids = record_ids(table, frame)
        fixes = corrections.filter(pl.col("table_name") == name)
        changed_ids = set(fixes["record_id"].to_list())
        changed = frame.filter(ids.is_in(list(changed_ids)) | pl.col("retracted_on").is_not_null())
        unchanged = frame.filter(
            ~ids.is_in(list(changed_ids)) & pl.col("retracted_on").is_null()
        ).with_columns(
            pl.lit(1, pl.Int64).alias("version"),
            pl.col("recorded_on").alias("valid_from"),
            pl.lit(None, pl.Date).alias("valid_to"),
            pl.lit("recorded").alias("change"),
            pl.lit(None, pl.String).alias("change_reason"),
        )
        fixes_by_id: dict[str, list[dict]] = defaultdict(list)
        for fix in fixes.iter_rows(named=True):
            fixes_by_id[fix["record_id"]].append(fix)
        versions = []
        for row, record_id in zip(
            changed.iter_rows(named=True), record_ids(table, changed), strict=True
        ):
            versions += _versions_of(table, row, fixes_by_id.get(record_id, []))
        schema = polars_schema(HISTORY_TABLES[history_name(name)])
        parts = [unchanged.select(list(schema))]
        if versions:
            parts.append(pl.DataFrame(versions, schema=schema).select(list(schema)))
        if len(parts) == 1:
            # No record changed: the table is already in key order, one version each.
            histories[history_name(name)] = parts[0]
        else:
            histories[history_name(name)] = pl.concat(parts).sort([*table.primary_key, "version"])
    return histories
