"""What a release changed, with values: the `changes` and `score_changes` tables of the package
(and dist/changes/), and the values `saydo diff` prints.

Every change to a published value is a correction (the build refuses any other), so the value
before is the earliest correction's previous_value since the release compared with, and the
value after is the record's value now. A record added or retracted since then is one row, and
one added and retracted since then two (a reader looking for retractions must find it too); a
column new in this release gives each record that has a value one 'changed' row. Score moves
come from the records file of the release compared with, which keeps every claim's and company's
gap score and status (release 1.0.0 kept only the mean, so its scores are 'not known')."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from schemas.generate import record_id_sql, sql_string
from schemas.registry import TABLES, VERSIONED_TABLES, correctable_fields
from transforms.release.records import Release

Relation = Callable[[str], str]


def corrected_values_sql(relation: Relation, releases_sql: str) -> str:
    """One row per (table, record, field) corrected in any release of `releases_sql` (a SQL
    list of versions): table_name, record_id, field_name, old_value, new_value, reason,
    changed_on. `relation(name)` says where a table's current rows are (a table of the package,
    or a release's Parquet file)."""
    parts = []
    for name in VERSIONED_TABLES:
        table = TABLES[name]
        values = " ".join(
            f"when {sql_string(f)} then t.{f}::varchar" for f in correctable_fields(table)
        )
        parts.append(
            f"""select fix.*, case fix.field_name {values} end as new_value
            from fixes as fix
            join {relation(name)} as t on {record_id_sql(table, "t")} = fix.record_id
            where fix.table_name = {sql_string(name)}"""
        )
    union = "\n            union all\n            ".join(parts)
    return f"""
        with fixes as (
            select
                table_name,
                record_id,
                field_name,
                -- The value published before is the one the earliest correction replaced.
                arg_min(previous_value, corrected_on) as old_value,
                string_agg(reason, ' / ' order by corrected_on) as reason,
                max(corrected_on) as changed_on
            from {relation("corrections")}
            where list_contains({releases_sql}, first_release)
            group by table_name, record_id, field_name
        )
        {union}
    """


def _entered_on(name: str) -> str:
    return "recorded_on" if "recorded_on" in TABLES[name].fields else "corrected_on"


def _new_column_sql(name: str, column: str, version: str, previous: str) -> str:
    table = TABLES[name]
    return f"""
        select {sql_string(name)}, {record_id_sql(table)}, 'changed', {sql_string(column)},
               NULL, {column}::varchar, 'a column new in release ' || {sql_string(version)},
               {_entered_on(name)}
        from {name}
        where {column} is not null and first_release != {sql_string(version)}"""


def store_changes(
    con: duckdb.DuckDBPyConnection,
    version: str,
    previous: Release | None,
    columns_added: dict[str, list[str]],
) -> None:
    """Fill `changes` and `score_changes` in the package database `con` (tables created from
    the registry), comparing this build (`version`) with `previous`."""
    before = previous.version if previous else None
    this = sql_string(version)
    previous_sql = sql_string(before) if before else "NULL"
    added = " union all ".join(
        f"""select {sql_string(name)}, {record_id_sql(TABLES[name])}, 'added', NULL, NULL, NULL,
                   NULL, {_entered_on(name)}
            from {name} where first_release = {this}"""
        for name in TABLES
    )
    retracted = " union all ".join(
        f"""select {sql_string(name)}, {record_id_sql(TABLES[name])}, 'retracted', NULL, NULL,
                   NULL, retraction_reason, retracted_on
            from {name}
            where retracted_on is not null and last_changed_release = {this}"""
        for name in VERSIONED_TABLES
    )
    new_columns = [
        _new_column_sql(name, column, version, before or "")
        for name, columns in sorted(columns_added.items())
        for column in columns
        # What saydo derives (stamps, effective review) is documented, not a change of data.
        if before
        and name in TABLES
        and column in TABLES[name].fields
        and not TABLES[name].column(column).derived
    ]
    corrected = corrected_values_sql(lambda name: name, f"[{this}]")
    con.execute(
        f"""
        insert into changes
        with found(changed_table, changed_record_id, operation, changed_field, old_value,
                   new_value, change_note, changed_on) as (
            {added}
            union all
            select table_name, record_id, 'corrected', field_name, old_value, new_value, reason,
                   changed_on
            from ({corrected})
            union all
            {retracted}
            {"".join(" union all " + sql for sql in new_columns)}
        )
        select
            {this} || '|' || changed_table || '|' || changed_record_id || '|' || operation
                || '|' || coalesce(changed_field, '') as change_id,
            {this} as release,
            {previous_sql} as previous_release,
            changed_table, changed_record_id, operation, changed_field, old_value, new_value,
            change_note, changed_on
        from found
        order by change_id
        """
    )
    _store_score_changes(con, this, previous_sql, previous)


def _store_score_changes(
    con: duckdb.DuckDBPyConnection, this: str, previous_sql: str, previous: Release | None
) -> None:
    known = previous is not None and previous.format == 2
    old_scores = (
        f"""select case table_name when 'claim_gap' then 'claim' else 'company' end as level,
                   record_id as scored_id, gap_score, status
            from read_parquet({sql_string(str(previous.records_path))})
            where table_name in ('claim_gap', 'company_gap')"""
        if known and previous is not None
        else "select NULL::varchar as level, NULL::varchar as scored_id, "
        "NULL::double as gap_score, NULL::varchar as status where false"
    )
    con.execute(
        f"""
        insert into score_changes
        with new_scores as (
            select 'claim' as level, claim_id as scored_id, gap_score, status from claim_gap
            union all
            select 'company', company_id, gap_score, band from company_gap
        ),

        old_scores as ({old_scores}),

        final as (
            select
                {this} as release,
                {previous_sql} as previous_release,
                coalesce(new.level, old.level) as score_level,
                coalesce(new.scored_id, old.scored_id) as scored_id,
                old.gap_score as old_gap_score,
                new.gap_score as new_gap_score,
                round(new.gap_score - old.gap_score, 1) as gap_score_change,
                old.status as old_status,
                new.status as new_status,
                {"old.scored_id is not null" if known else "false"} as old_score_known
            from new_scores as new
            full join old_scores as old using (level, scored_id)
            where old.gap_score is distinct from new.gap_score
               or old.status is distinct from new.status
        )

        select * from final order by score_level, scored_id
        """
    )
