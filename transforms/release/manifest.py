"""What a release publishes, kept small enough to commit, and the comparison with the previous
release that lets nothing published change unseen.

The records file (`manifest.parquet` in a build, `releases/<version>.parquet` once released)
has one row per published record: its table, its id, whether it is retracted, and digests of
its values, one per column (the authored columns; not `case_id`, so a record may move to another
file). Two sizes:
- a table of up to 4,096 records (every real table so far) gets a digest per record and column:
  the first 64 bits of the MD5 of the value's canonical text, stable across DuckDB versions, so
  a changed value is named to the record and the field;
- a larger table is cut into 4,096 runs of records in id order; each run's first row carries,
  per column, the XOR of DuckDB's 64-bit hash of (id, value) over the run. A change is still
  found, and named to the field and the run of ids. That hash belongs to the DuckDB version
  that made it (`hash_engine` in the envelope); a build with another DuckDB says so.
Scores are kept beside the records (claim and company gap scores and statuses), so the next
release can say how each moved.

The comparison rebuilds what the previous release published from today's records: every
correction and retraction made since is undone. If that does not reproduce the previous
release's digests, a published value changed without a correction (or a correction's
previous_value is not what was published), and the build refuses, naming the record and field.
"""

from __future__ import annotations

import math
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from schemas.generate import polars_schema, polars_types, record_id_sql, sql_string
from schemas.registry import (
    BOOLEAN,
    DATE,
    INTEGER,
    NUMBER,
    STRING,
    TABLES,
    Field,
    Table,
)
from schemas.views import STRING_LIST
from transforms.db import register_rows
from transforms.history import followers, undo
from transforms.release.records import Release
from validations.problems import Problem, printable

PER_RECORD_LIMIT = 4096
RUNS = 4096
HASH_ENGINE = f"duckdb-{duckdb.__version__}"
# Tables whose records the manifest lists: every authored table.
MANIFEST_TABLES = tuple(TABLES)


def digest_columns(table: Table) -> list[Field]:
    """The columns whose values a release vouches for: the authored ones (not case_id, so a
    record may move to another file, nor what saydo derives)."""
    return [c for c in table.columns if not c.derived]


def _canonical(column: Field, expr: str) -> str:
    """The value as text that means the same in every DuckDB version."""
    kind = column.type
    text = {
        DATE: f"strftime({expr}, '%Y-%m-%d')",
        NUMBER: f"printf('%.17g', {expr})",
        INTEGER: f"{expr}::varchar",
        BOOLEAN: f"case when {expr} then 'true' else 'false' end",
    }.get(kind, expr)
    return f"coalesce({text}, chr(0) || 'null')"


def _exact_digests(columns: list[Field], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return (
        "["
        + ", ".join(f"md5_number_lower({_canonical(c, prefix + c.name)})" for c in columns)
        + "]"
    )


def _run_digests(columns: list[Field], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return (
        "["
        + ", ".join(f"bit_xor(hash({prefix}_record_id, {prefix}{c.name}))" for c in columns)
        + "]"
    )


@dataclass
class TableManifest:
    name: str
    rows: int
    mode: str  # record or run
    run_length: int
    columns: list[str]


def envelope_tables(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Per table: its columns (name, type, allowed values), row count and digest layout."""
    out = {}
    for name in MANIFEST_TABLES:
        table = TABLES[name]
        rows = con.execute(f"select count(*) from {name}").fetchall()[0][0]
        run = 1 if rows <= PER_RECORD_LIMIT else math.ceil(rows / RUNS)
        out[name] = {
            "columns": [[c.name, c.type, list(c.enum) if c.enum else None] for c in table.columns],
            "digest_columns": [c.name for c in digest_columns(table)],
            "rows": rows,
            "run_length": run,
        }
    return out


def records_parts(tables: dict[str, dict]) -> dict[str, str]:
    """Per table, SQL for its rows of the candidate's records file, from the package database,
    whose tables are stored in key order (so rowid counts records in id order). The scores'
    two tables are parts too."""
    parts = {}
    for name in MANIFEST_TABLES:
        table = TABLES[name]
        columns = digest_columns(table)
        run = tables[name]["run_length"]
        retracted = "retracted_on is not null" if "retracted_on" in table.fields else "false"
        key = record_id_sql(table)
        if run == 1:
            rows = (
                f"select '{name}' as table_name, {key} as record_id, {retracted} as retracted, "
                f"rowid as run, {_exact_digests(columns)} as digests from {name}"
            )
        else:
            rows = f"""select '{name}' as table_name, rows.record_id, rows.retracted, rows.run,
                       case when rows.rowid % {run} = 0 then runs.digests end as digests
                from (select {key} as record_id, {retracted} as retracted, rowid,
                             rowid // {run} as run from {name}) as rows
                join (select rowid // {run} as run, {_run_digests(columns)} as digests
                      from (select *, {key} as _record_id from {name}) group by all) as runs
                  using (run)"""
        parts[name] = (
            f"select table_name, record_id, retracted, run, digests, NULL::DOUBLE as gap_score, "
            f"NULL::VARCHAR as status from ({rows})"
        )
    for name, key, status in (
        ("claim_gap", "claim_id", "status"),
        ("company_gap", "company_id", "band"),
    ):
        parts[name] = (
            f"select '{name}' as table_name, {key} as record_id, false as retracted, "
            f"NULL::BIGINT as run, NULL::UBIGINT[] as digests, gap_score, {status} as status "
            f"from {name}"
        )
    return parts


# Records (every table's rows, not counting the scores' rows) up to which the records file is
# sorted in one statement; above it, a table at a time.
ONE_SORT_RECORDS = 1_000_000


def write_records(
    con: duckdb.DuckDBPyConnection, tables: dict[str, dict], path: Path, scratch: Path
) -> None:
    """The records file: every record with its digests, and the scores, in table and id order.
    A small package is sorted in one statement. A large one is sorted a table at a time, each
    part written in `scratch` (never beside the release's files), and the parts are joined in
    table order: one sort of every record at once ran out of memory at 10 million claims."""
    options = "(format parquet, compression zstd, row_group_size 1000000)"
    parts_sql = sorted(records_parts(tables).items())
    if sum(table["rows"] for table in tables.values()) <= ONE_SORT_RECORDS:
        # Small enough to sort at once: one statement instead of a file per table, the same
        # rows in the same order.
        every_record = " union all ".join(f"({sql})" for _, sql in parts_sql)
        con.execute(
            f"copy (select * from ({every_record}) order by table_name, record_id) "
            f"to {sql_string(str(path))} {options}"
        )
        return
    folder = scratch / f"{path.stem}.parts"
    folder.mkdir()
    try:
        parts = []
        for name, sql in parts_sql:
            part = folder / f"{name}.parquet"
            con.execute(f"copy ({sql} order by 2) to {sql_string(str(part))} {options}")
            parts.append(sql_string(str(part)))
        # Insertion order is kept (transforms.db.connect): files in list order, rows in file order.
        con.execute(
            f"copy (select * from read_parquet([{', '.join(parts)}])) "
            f"to {sql_string(str(path))} {options}"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- comparing with the previous release ----------------------------------------------------------
@dataclass
class Comparison:
    previous: str | None
    added: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    retracted: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # table -> record -> fields corrected since the previous release
    corrected: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(dict))
    removed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    columns_added: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    columns_removed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    columns_retyped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    values_changed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    problems: list[Problem] = field(default_factory=list)


def _previous_records(con: duckdb.DuckDBPyConnection, previous: Release) -> None:
    """The previous release's records as the table `previous_records`."""
    con.execute("drop table if exists previous_records")
    if previous.format == 2:
        con.execute(
            f"create temp table previous_records as select * from "
            f"read_parquet({sql_string(str(previous.records_path))}) "
            f"where table_name not in ('claim_gap', 'company_gap')"
        )
        return
    # Format 1: a hash of every value; retracted when retracted_on's hash is not null's.
    null_hash = "74234e98afe7"  # sha256 of the JSON null, as format 1 wrote it
    rows = []
    for name, records in previous.values.items():
        columns = [c for c, _, _ in previous.columns[name]]
        position = columns.index("retracted_on") if "retracted_on" in columns else None
        for record_id, hashes in records.items():
            retracted = position is not None and hashes[position] != null_hash
            rows.append(
                {
                    "table_name": name,
                    "record_id": record_id,
                    "retracted": retracted,
                    "run": None,
                    "value_hashes": hashes,
                }
            )
    types = polars_types()
    schema = {
        "table_name": types[STRING],
        "record_id": types[STRING],
        "retracted": types[BOOLEAN],
        "run": types[INTEGER],
        "value_hashes": types[STRING_LIST],
    }
    register_rows(con, "previous_incoming", rows, schema)
    con.execute("create temp table previous_records as select * from previous_incoming")
    con.unregister("previous_incoming")


def _columns_diff(table: str, previous: Release, comparison: Comparison) -> None:
    before = {c[0]: c for c in previous.columns.get(table, [])}
    now = {c.name: c for c in TABLES[table].columns}
    comparison.columns_added[table] = [c for c in now if c not in before]
    comparison.columns_removed[table] = [c for c in before if c not in now]
    comparison.columns_retyped[table] = [
        c for c in now if c in before and before[c][1] != now[c].type
    ]
    comparison.values_changed[table] = [
        c
        for c in now
        if c in before
        and before[c][2] is not None
        and now[c].enum is not None
        and set(before[c][2]) - set(now[c].enum)
    ]


def _new_corrections(con: duckdb.DuckDBPyConnection, previous_ids: set[str]) -> list[dict]:
    cursor = con.execute(
        "select table_name, record_id, field_name, corrected_on, previous_value, reason "
        "from corrections order by corrected_on desc, field_name"
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    return [
        r
        for r in rows
        if "/".join(
            [r["table_name"], r["record_id"], r["field_name"], r["corrected_on"].isoformat()]
        )
        not in previous_ids
    ]


def _as_previously_published(
    con: duckdb.DuckDBPyConnection, name: str, fixes: list[dict], retracted_since: set[str]
) -> list[dict]:
    """The records of `name` changed since the previous release, as that release published
    them: every newer correction undone (newest first), and a newer retraction undone."""
    table = TABLES[name]
    by_id: dict[str, list[dict]] = defaultdict(list)
    for fix in fixes:
        by_id[fix["record_id"]].append(fix)
    ids = sorted(set(by_id) | retracted_since)
    if not ids:
        return []
    key = record_id_sql(table)
    cursor = con.execute(
        f"select {', '.join(table.fields)}, {key} as _record_id from {name} "
        f"where {key} in (select unnest(?))",
        [ids],
    )
    names = [d[0] for d in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        for fix in by_id.get(row["_record_id"], []):
            undo(table, row, fix)
        if row["_record_id"] in retracted_since:
            row["retracted_on"] = None
            row["retraction_reason"] = None
        rows.append(row)
    return rows


def _previous_view(con: duckdb.DuckDBPyConnection, name: str, changed: list[dict]) -> str:
    """A relation of `name` as the previous release published it (records it held only)."""
    table = TABLES[name]
    key = record_id_sql(table)
    schema = {**polars_schema(table), "_record_id": polars_types()[STRING]}
    register_rows(con, f"changed_{name}", changed, schema)
    fields = ", ".join(table.fields)
    return f"""(select {fields}, {key} as _record_id from {name}
               where {key} not in (select _record_id from changed_{name})
               union all select {fields}, _record_id from changed_{name})"""


def _mismatches(
    con: duckdb.DuckDBPyConnection, name: str, relation: str, previous: Release
) -> list[tuple[str, str, str]]:
    """(first record id, last record id, column) where the rebuilt previous release does not
    reproduce its digests."""
    table = TABLES[name]
    if previous.format == 1:
        recorded = [c[0] for c in previous.columns.get(name, [])]
        columns = [c for c in digest_columns(table) if c.name in recorded]
        hashes = ", ".join(
            f"substr(sha256(coalesce(to_json(view.{c.name})::varchar, 'null')), 1, 12)"
            for c in columns
        )
        positions = ", ".join(str(recorded.index(c.name) + 1) for c in columns)
        found = con.execute(
            f"""select view._record_id, [{hashes}] as now,
                       list_select(previous.value_hashes, [{positions}]) as was
                from {relation} as view
                join previous_records as previous
                  on previous.table_name = '{name}' and previous.record_id = view._record_id
                where [{hashes}] != list_select(previous.value_hashes, [{positions}])"""
        ).fetchall()
        return [
            (record, record, columns[i].name)
            for record, now, was in found
            for i in range(len(columns))
            if now[i] != was[i]
        ]
    envelope_columns = _envelope_digest_columns(previous, name)
    columns = [table.column(c) for c in envelope_columns if c in table.fields]
    if len(columns) != len(envelope_columns):
        return []  # a column was removed: that is a MAJOR change, reported as such
    per_record = _run_length(previous, name) == 1
    if per_record:
        found = con.execute(
            f"""select view._record_id, {_exact_digests(columns, "view")} as now, previous.digests
                from {relation} as view
                join previous_records as previous
                  on previous.table_name = '{name}' and previous.record_id = view._record_id
                where {_exact_digests(columns, "view")} != previous.digests"""
        ).fetchall()
        return [
            (record, record, columns[i].name)
            for record, now, was in found
            for i in range(len(columns))
            if now[i] != was[i]
        ]
    found = con.execute(
        f"""with rebuilt as (
                select previous.run, min(view._record_id) as first_id,
                       max(view._record_id) as last_id, {_run_digests(columns, "view")} as now
                from {relation} as view
                join previous_records as previous
                  on previous.table_name = '{name}' and previous.record_id = view._record_id
                group by previous.run
            )
            select rebuilt.first_id, rebuilt.last_id, rebuilt.now, published.digests
            from rebuilt
            join previous_records as published
              on published.table_name = '{name}' and published.run = rebuilt.run
             and published.digests is not null
            where rebuilt.now != published.digests"""
    ).fetchall()
    return [
        (first, last, columns[i].name)
        for first, last, now, was in found
        for i in range(len(columns))
        if now[i] != was[i]
    ]


def _envelope_digest_columns(previous: Release, name: str) -> list[str]:
    return previous.tables[name]["digest_columns"]


def _run_length(previous: Release, name: str) -> int:
    return previous.tables[name]["run_length"]


def compare(con: duckdb.DuckDBPyConnection, previous: Release | None) -> Comparison:
    """What changed since `previous`, and the problems that stop a release."""
    comparison = Comparison(previous.version if previous else None)
    if previous is None:
        for name in MANIFEST_TABLES:
            comparison.added[name] = [
                r[0]
                for r in con.execute(
                    f"select {record_id_sql(TABLES[name])} from {name} order by 1"
                ).fetchall()
            ]
        return comparison
    if (
        previous.format == 2
        and previous.hash_engine != HASH_ENGINE
        and any(_run_length(previous, n) > 1 for n in previous.tables)
    ):
        comparison.problems.append(
            Problem(
                previous.display,
                None,
                "",
                "",
                f"was digested by {previous.hash_engine}, "
                f"and this build runs {HASH_ENGINE}, whose hash differs.",
                "build with the DuckDB version pinned when that release was made.",
                "release_record",
            )
        )
        return comparison
    _previous_records(con, previous)
    previous_corrections = {
        r[0]
        for r in con.execute(
            "select record_id from previous_records where table_name = 'corrections'"
        ).fetchall()
    }
    fixes = _new_corrections(con, previous_corrections)
    release = f"release {previous.version}"
    for name in MANIFEST_TABLES:
        table = TABLES[name]
        key = record_id_sql(table)
        _columns_diff(name, previous, comparison)
        retracted = "retracted_on is not null" if "retracted_on" in table.fields else "false"
        current = f"(select {key} as record_id, {retracted} as retracted from {name})"
        comparison.removed[name] = [
            r[0]
            for r in con.execute(
                f"select record_id from previous_records where table_name = '{name}' "
                f"and record_id not in (select record_id from {current}) order by 1"
            ).fetchall()
        ]
        comparison.added[name] = [
            r[0]
            for r in con.execute(
                f"select record_id from {current} where record_id not in "
                f"(select record_id from previous_records where table_name = '{name}') order by 1"
            ).fetchall()
        ]
        # Retracted since the previous release: records it held unretracted, and records new
        # in this one and already retracted, which the changes table and `saydo diff` list too.
        retracted = con.execute(
            f"select now.record_id, was.record_id is null as new from {current} as now "
            f"left join previous_records as was "
            f"on was.table_name = '{name}' and was.record_id = now.record_id "
            f"where now.retracted and not coalesce(was.retracted, false)"
        ).fetchall()
        retracted_since = {record_id for record_id, new in retracted if not new}
        comparison.retracted[name] = sorted(record_id for record_id, _ in retracted)
        own_fixes = [f for f in fixes if f["table_name"] == name]
        for fix in own_fixes:
            fields = comparison.corrected[name].setdefault(fix["record_id"], [])
            if fix["field_name"] not in fields:
                fields.append(fix["field_name"])
        if name == "corrections":
            continue
        changed = _as_previously_published(con, name, own_fixes, retracted_since)
        relation = _previous_view(con, name, changed)
        corrected_fields = {(f["record_id"], f["field_name"]) for f in own_fixes}
        # A correction covers the columns that follow its field (a date's precision, an English
        # quote's quote_en); a wrong previous value shows in both and is reported once.
        following = {
            (r, follower): f for r, f in corrected_fields for follower in followers(table, f)
        }
        mismatches = _mismatches(con, name, relation, previous)
        wrong = {(first, column) for first, _, column in mismatches}
        for first, last, column in mismatches:
            leader = following.get((first, column))
            if leader and (first, leader) in wrong:
                continue
            if leader:
                corrected_fields.add((first, column))
            which = first if first == last else f"one of {first} .. {last}"
            if (first, column) in corrected_fields:
                message = (
                    f"the correction's previous_value is not what {release} published "
                    f"for this field."
                )
                hint = (
                    f"set previous_value to the value {release} published (see its Parquet files)."
                )
            else:
                message = f"changed since {release} without a correction record."
                hint = (
                    f"add to the case file's corrections: table_name: {name}, record_id: "
                    f"{first}, field_name: {column}, previous_value (what {release} said), "
                    f"corrected_on and reason."
                )
            comparison.problems.append(
                Problem(
                    previous.display,
                    None,
                    f"{name} {printable(which)}",
                    column,
                    message,
                    hint,
                    "published_value",
                )
            )
        con.unregister(f"changed_{name}")
    for name, ids in comparison.removed.items():
        for record in ids:
            comparison.problems.append(
                Problem(
                    previous.display,
                    None,
                    f"{name} {printable(record)}",
                    "",
                    f"was published in {release} and is missing now; a released id never "
                    f"disappears.",
                    "restore the record and retract it: set retracted_on and retraction_reason.",
                    "published_id",
                )
            )
    return comparison


def previous_scores(
    con: duckdb.DuckDBPyConnection, previous: Release | None
) -> dict[str, dict[str, tuple]]:
    """The previous release's claim and company scores: kind -> id -> (gap_score, status)."""
    out: dict[str, dict[str, tuple]] = {"claim_gap": {}, "company_gap": {}}
    if previous is None or previous.format < 2:
        return out
    rows = con.execute(
        f"select table_name, record_id, gap_score, status from "
        f"read_parquet({sql_string(str(previous.records_path))}) "
        f"where table_name in ('claim_gap', 'company_gap')"
    ).fetchall()
    for kind, record_id, score, status in rows:
        out[kind][record_id] = (score, status)
    return out
