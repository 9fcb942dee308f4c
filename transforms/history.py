"""Every version of every record, with the interval in which it was current.

A record's first version starts on its `recorded_on`. Each correction (the `corrections` table:
record, column, previous value, date, reason) starts a new version on its `corrected_on`; a
retraction starts a last version on `retracted_on`. Walking back from the current record and
putting each previous value back gives the earlier versions, so nothing that was published is
lost, and point-in-time queries read the version that was current on their date.

Most records never change: `<table>_history` is a view that gives each of them one version,
current since `recorded_on`, beside the stored versions of the few records that did change
(`internal.<table>_versions`, walked here in Python). So the history costs almost nothing to
build or store however large the table is."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import duckdb
import pyarrow as pa

from schemas.generate import arrow_schema, record_id_sql
from schemas.registry import (
    DATE,
    HISTORY_TABLES,
    INTEGER,
    NUMBER,
    TABLES,
    VERSIONED_TABLES,
    Table,
    history_name,
)


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


def versions_of(table: Table, row: dict, corrections: list[dict]) -> list[dict]:
    """Every version of one record, oldest first. `corrections` are this record's."""
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


def _rows(con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> list[dict]:
    cursor = con.execute(sql, parameters or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def changed_versions(con: duckdb.DuckDBPyConnection, name: str) -> list[dict]:
    """The versions of every record of `name` that was corrected or retracted."""
    table = TABLES[name]
    key = record_id_sql(table)
    fixes = _rows(
        con,
        "select record_id, field_name, corrected_on, previous_value, reason from corrections "
        "where table_name = ? order by corrected_on, field_name",
        [name],
    )
    by_id: dict[str, list[dict]] = defaultdict(list)
    for fix in fixes:
        by_id[fix["record_id"]].append(fix)
    columns = ", ".join(table.fields)
    changed = _rows(
        con,
        f"select {columns}, {key} as _record_id from {name} "
        f"where retracted_on is not null or {key} in (select unnest(?))",
        [list(by_id)],
    )
    versions = []
    for row in changed:
        record_id = row.pop("_record_id")
        versions += versions_of(table, row, by_id.get(record_id, []))
    return versions


def create_history(con: duckdb.DuckDBPyConnection, versions: dict[str, list[dict]]) -> None:
    """`internal.<table>_versions` for the records that changed, and the `<table>_history`
    views, in the package database `con`."""
    con.execute("create schema if not exists internal")
    for name in VERSIONED_TABLES:
        history = HISTORY_TABLES[history_name(name)]
        schema = arrow_schema(history)
        stored = f"internal.{name}_versions"
        rows = sorted(
            versions[name], key=lambda v: (*[v[k] for k in TABLES[name].primary_key], v["version"])
        )
        con.register("incoming", pa.Table.from_pylist(rows, schema=schema))
        con.execute(f"create table {stored} as select * from incoming")
        con.unregister("incoming")
        keys = TABLES[name].primary_key
        match = " and ".join(f"changed.{k} = current.{k}" for k in keys)
        fields = ", ".join(f"current.{f}" for f in TABLES[name].fields)
        con.execute(
            f"""create view {history.name} as
            select {fields}, 1::BIGINT as version, current.recorded_on as valid_from,
                   NULL::DATE as valid_to, 'recorded' as change, NULL::VARCHAR as change_reason
            from {name} as current
            where not exists (select 1 from {stored} as changed where {match})
            union all
            select * from {stored}"""
        )
