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

from schemas.generate import comments_ddl, polars_schema, record_id_sql, typed_columns_sql
from schemas.registry import (
    DATE,
    FIELDS,
    HISTORY_TABLES,
    INTEGER,
    NUMBER,
    TABLES,
    VERSIONED_TABLES,
    Table,
    history_name,
)
from schemas.types import parse_partial_date
from transforms.db import dict_rows, register_rows

# The sources each kind of record rests on, besides its own review_status: a record's
# effective_review_status is the weakest of these (each with the sources it is based on).
RESTS_ON = {
    "claims": ("source_id", "said_in_source_id"),
    "evidence": ("source_id", "primary_source_id"),
    "responses": ("source_id",),
}


def parse_previous(table: Table, field: str, text: str | None) -> object:
    """A correction's previous value, as the column's type."""
    if text is None:
        return None
    kind = table.column(field).type
    if kind == DATE:
        parsed = parse_partial_date(text)
        return parsed[0] if parsed else dt.date.fromisoformat(text)
    if kind == NUMBER:
        return float(text)
    if kind == INTEGER:
        return int(text)
    return text


def undo(table: Table, row: dict, fix: dict) -> None:
    """Put back in `row` the value a correction replaced, with the columns that follow it: a
    date's precision (written in previous_value as 2023-04-17, 2023-04 or 2023), and an English
    quote's quote_en and quote_en_origin, which the reader fills from the quote itself."""
    field, text = fix["field_name"], fix["previous_value"]
    row[field] = parse_previous(table, field, text)
    precision = f"{field}_precision"
    if table.column(field).type == DATE and precision in table.fields:
        parsed = parse_partial_date(text) if text is not None else None
        row[precision] = parsed[1] if parsed else None
    if field == "quote" and row.get("quote_en_origin") == "original":
        row["quote_en"] = row["quote"]
        if row["quote"] is None:
            row["quote_en_origin"] = None


def followers(table: Table, field: str) -> tuple[str, ...]:
    """Columns a correction of `field` changes with it (see undo)."""
    out: tuple[str, ...] = ()
    if table.column(field).type == DATE and f"{field}_precision" in table.fields:
        out += (f"{field}_precision",)
    if field == "quote":
        out += ("quote_en", "quote_en_origin")
    return out


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
            undo(table, previous, fix)
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


def changed_versions(con: duckdb.DuckDBPyConnection, name: str) -> list[dict]:
    """The versions of every record of `name` that was corrected or retracted."""
    table = TABLES[name]
    key = record_id_sql(table)
    fixes = dict_rows(
        con,
        "select record_id, field_name, corrected_on, previous_value, reason from corrections "
        "where table_name = ? order by corrected_on, field_name",
        [name],
    )
    by_id: dict[str, list[dict]] = defaultdict(list)
    for fix in fixes:
        by_id[fix["record_id"]].append(fix)
    columns = ", ".join(table.fields)
    changed = dict_rows(
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


RELEASED_REVIEW_COLUMNS = [
    FIELDS[name]
    for name in (
        "table_name",
        "record_id",
        "released_from",
        "released_to",
        "effective_review_status",
    )
]


def history_ddl() -> list[str]:
    """`internal.<table>_versions`, empty, for the records that changed, and the
    `<table>_history` views with their comments, for the package database (which holds
    `releases`, the record tables and the `internal` schema). The same for every build: see
    transforms.store."""
    statements = []
    for name in VERSIONED_TABLES:
        history = HISTORY_TABLES[history_name(name)]
        stored = f"internal.{name}_versions"
        keys = TABLES[name].primary_key
        statements.append(f"create table {stored} ({typed_columns_sql(history.columns)});")
        match = " and ".join(f"changed.{k} = current.{k}" for k in keys)
        fields = ", ".join(f"current.{f}" for f in TABLES[name].fields)
        statements.append(
            f"""create view {history.name} as
            select {fields}, 1::BIGINT as version, current.recorded_on as valid_from,
                   NULL::DATE as valid_to, 'recorded' as change, NULL::VARCHAR as change_reason,
                   current.first_release as released_in, release.released_on as released_from,
                   NULL::DATE as released_to
            from {name} as current
            left join releases as release on release.release = current.first_release
            where not exists (select 1 from {stored} as changed where {match})
            union all
            select * from {stored};"""
        )
        statements.append(comments_ddl("VIEW", history.name, history.description, history.columns))
    # What each release gave as a record's effective_review_status, where today's differs
    # (fill_released_review), in the registry's columns.
    statements.append(
        f"create table internal.released_review ({typed_columns_sql(RELEASED_REVIEW_COLUMNS)});"
    )
    return statements


def fill_history(con: duckdb.DuckDBPyConnection, versions: dict[str, list[dict]]) -> None:
    """The versions of the records that changed, into `internal.<table>_versions` in key order."""
    for name in VERSIONED_TABLES:
        history = HISTORY_TABLES[history_name(name)]
        keys = TABLES[name].primary_key
        rows = sorted(versions[name], key=lambda v: (*[v[k] for k in keys], v["version"]))
        if not rows:
            continue
        register_rows(con, "incoming", rows, polars_schema(history))
        con.execute(f"insert into internal.{name}_versions select * from incoming")
        con.unregister("incoming")


def fill_released_review(con: duckdb.DuckDBPyConnection) -> None:
    """`internal.released_review` in the package: for each published release, the
    effective_review_status of each claim, piece of evidence, response and link as worked out
    from the versions that release held, where it differs from today's (the `released_review`
    macro reads it on the released clock).

    The history keeps each version's own columns as released, but the columns saydo sets as
    they are today; and a record's status also rests on its sources, which may have changed
    without it. So a status is worked out again here as transforms.derive does. Only a record
    that was itself corrected or retracted, or rests on a source with such a source up its
    chain, can differ: the others are not read, and a build with no such record skips this."""
    changed = " + ".join(
        f"(select count(*) from internal.{name}_versions)" for name in ("sources", *RESTS_ON)
    )
    if not con.execute(f"select {changed}").fetchall()[0][0]:
        return
    # In the releases' own order (the table's), each published release until the next; one
    # followed by another on the same day was never current on any day.
    days = [day for (day,) in con.execute("select released_on from releases").fetchall() if day]
    spans = [
        (day, days[at + 1] if at + 1 < len(days) else None)
        for at, day in enumerate(days)
        if at + 1 == len(days) or days[at + 1] != day
    ]
    con.execute(
        """create or replace temp table review_affected_sources as
        with source_links as (
            select source_id as node_id, based_on_source_id as parent_id from main.sources
        )
        select distinct chain.node_id as source_id
        from ancestor_chain('source_links') as chain
        where chain.ancestor_id in (select source_id from internal.sources_versions)"""
    )
    affected = []
    for name, sources in RESTS_ON.items():
        keys = TABLES[name].primary_key
        reasons = [f"{k} in (select {k} from internal.{name}_versions)" for k in keys] + [
            f"{source} in (select source_id from review_affected_sources)" for source in sources
        ]
        affected.append(
            f"select '{name}' as table_name, {record_id_sql(TABLES[name])} as record_id "
            f"from main.{name} where {' or '.join(reasons)}"
        )
    affected = "\nunion all\n".join(affected)
    con.execute(f"create or replace temp table review_affected_records as\n{affected}")
    # A version's effective_review_status in the history is today's (see above): carried
    # along, to keep only the statuses that differ.
    rested_on = "\n    union all\n".join(
        f"""    select '{name}' as table_name, {record_id_sql(TABLES[name])} as record_id,
           review_status, effective_review_status as today_status,
           unnest([{", ".join(sources)}]) as source_id
    from known_rows('{name}', $day, 'released')
    where {record_id_sql(TABLES[name])} in (
        select record_id from review_affected_records where table_name = '{name}')"""
        for name, sources in RESTS_ON.items()
    )
    link_id = record_id_sql(TABLES["claim_evidence"], "link")
    for day, until in spans:
        con.execute(
            f"""insert into internal.released_review
with
sources_then as (
    -- Retracted versions too, as in the build: a record rests on its sources whatever
    -- became of them.
    select * from sources_history
    where released_from is not null and version_current_on(released_from, released_to, $day)
),

floors as (
    select source_id, floor_rank from source_floor('sources_then')
),

rested_on as (
{rested_on}
),

records_then as (
    select
        rested_on.table_name,
        rested_on.record_id,
        review_status_of_rank(least(min(review_rank(rested_on.review_status)),
                                    coalesce(min(floors.floor_rank), 4)))
            as effective_review_status,
        any_value(rested_on.today_status) as today_status
    from rested_on
    left join floors on floors.source_id = rested_on.source_id
    group by rested_on.table_name, rested_on.record_id
),

-- A link is the weaker of its two ends, each as released then (today's, if unaffected).
links_then as (
    select
        'claim_evidence' as table_name,
        {link_id} as record_id,
        review_status_of_rank(least(
            review_rank(coalesce(claim_then.effective_review_status,
                                 claim.effective_review_status)),
            review_rank(coalesce(evidence_then.effective_review_status,
                                 evidence.effective_review_status)))) as effective_review_status,
        link.effective_review_status as today_status
    from known_rows('claim_evidence', $day, 'released') as link
    join main.claims as claim on claim.claim_id = link.claim_id
    join main.evidence as evidence on evidence.evidence_id = link.evidence_id
    left join records_then as claim_then
        on claim_then.table_name = 'claims' and claim_then.record_id = link.claim_id
    left join records_then as evidence_then
        on evidence_then.table_name = 'evidence' and evidence_then.record_id = link.evidence_id
    where claim_then.record_id is not null or evidence_then.record_id is not null
),

as_released as (
    select * from records_then
    union all
    select * from links_then
),

final as (
    select table_name, record_id, $day::date as released_from, $until::date as released_to,
           effective_review_status
    from as_released
    where effective_review_status is distinct from today_status
)

select * from final order by table_name, record_id""",
            {"day": day, "until": until},
        )
    con.execute("drop table review_affected_sources")
    con.execute("drop table review_affected_records")
