"""Every column saydo sets itself, computed in the work database after validation:

- release stamps from `releases/`: the release in which each record was first published
  (`first_release`) and the one that published its current version (`last_changed_release`),
  and for every version of a changed record the release that published it (the released clock);
- `effective_review_status`: the weakest of a record's own status and those of every source it
  rests on (through `based_on_source_id`, its primary material, the company publication a claim
  was said in; a link takes the weaker of its two ends);
- `public_from`: the first day a record's content had been published (the published clock);
- the company identifier columns on `companies`, from `company_identifiers`.

A record no release holds yet is stamped with this build's version. The build refuses a new
record, correction or retraction dated before the last release was published: the released clock
would otherwise see the package say something on a day it had not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from schemas.generate import record_id_sql, sql_string
from schemas.registry import TABLES, VERSIONED_TABLES, authoring
from transforms.db import register_rows
from transforms.history import RESTS_ON, changed_versions
from transforms.ingest.origins import Origins
from transforms.release.records import Release
from validations.problems import Problem

RELEASES_SQL = "release_list"


@dataclass
class Candidate:
    version: str
    released_on: dt.date | None
    data_date: dt.date
    method_version: str


def _release_list(
    con: duckdb.DuckDBPyConnection, releases: list[Release], candidate: Candidate
) -> None:
    """`release_list(release, ordinal, released_on, data_date, method_version)`: every recorded
    release and this build, in order."""
    rows = [
        (r.version, i, r.released_on, r.data_date, r.method_version) for i, r in enumerate(releases)
    ]
    if not releases or releases[-1].version != candidate.version:
        rows.append(
            (
                candidate.version,
                len(rows),
                candidate.released_on,
                candidate.data_date,
                candidate.method_version,
            )
        )
    con.execute(
        f"create or replace temp table {RELEASES_SQL} (release varchar, ordinal integer, "
        f"released_on date, data_date date, method_version varchar)"
    )
    con.executemany(f"insert into {RELEASES_SQL} values (?, ?, ?, ?, ?)", rows)


# What each release held, one row per record: the temp table and format 1's rows both take
# their columns from here.
_RELEASE_RECORDS = {
    "ordinal": pl.Int32,
    "table_name": pl.String,
    "record_id": pl.String,
    "retracted": pl.Boolean,
}


def _release_records(con: duckdb.DuckDBPyConnection, releases: list[Release]) -> None:
    """`release_records(ordinal, table_name, record_id, retracted)`: what each release held."""
    register_rows(con, "held", [], _RELEASE_RECORDS)
    con.execute("create or replace temp table release_records as select * from held")
    con.unregister("held")
    null_hash = "74234e98afe7"  # format 1's hash of an empty value
    for ordinal, release in enumerate(releases):
        if release.format == 1:
            rows: list[dict] = []
            for name, records in release.values.items():
                columns = [c for c, _, _ in release.columns[name]]
                at = columns.index("retracted_on") if "retracted_on" in columns else None
                rows += [
                    {
                        "ordinal": ordinal,
                        "table_name": name,
                        "record_id": record_id,
                        "retracted": at is not None and hashes[at] != null_hash,
                    }
                    for record_id, hashes in records.items()
                ]
            if rows:
                # One relation, not a statement per row (a thousand rows took 35 ms).
                register_rows(con, "held", rows, _RELEASE_RECORDS)
                con.execute("insert into release_records select * from held")
                con.unregister("held")
        else:
            con.execute(
                f"insert into release_records select {ordinal}, table_name, record_id, retracted "
                f"from read_parquet({sql_string(str(release.records_path))}) "
                f"where table_name not in ('claim_gap', 'company_gap')"
            )


def _stamp_corrections(con: duckdb.DuckDBPyConnection) -> int:
    """first_release on corrections, and `first_seen(table_name, record_id, ordinal)`: the
    first release that held each record. Returns this build's ordinal."""
    candidate_ordinal = con.execute(f"select max(ordinal) from {RELEASES_SQL}").fetchall()[0][0]
    con.execute(
        """create or replace temp table first_seen as
        select table_name, record_id, min(ordinal) as ordinal
        from release_records group by all"""
    )
    con.execute(
        f"""update corrections set first_release = (
            select release from {RELEASES_SQL}
            where ordinal = coalesce(
                (select seen.ordinal from first_seen as seen
                 where seen.table_name = 'corrections'
                   and seen.record_id = corrections.table_name || '/' || corrections.record_id
                       || '/' || corrections.field_name || '/'
                       || strftime(corrections.corrected_on, '%Y-%m-%d')),
                {candidate_ordinal}))"""
    )
    return candidate_ordinal


def _identifiers(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """update companies set
            lei = ids.lei, isin = ids.isin, stock_ticker = ids.stock_ticker,
            wikidata_id = ids.wikidata_id, permid = ids.permid
        from (
            select company_id,
                   min(identifier) filter (where scheme = 'lei') as lei,
                   min(identifier) filter (where scheme = 'isin') as isin,
                   min(coalesce(issuer || ':', '') || identifier) filter (where scheme = 'ticker')
                       as stock_ticker,
                   min(identifier) filter (where scheme = 'wikidata') as wikidata_id,
                   min(identifier) filter (where scheme = 'permid') as permid
            from company_identifiers
            where retracted_on is null
            group by company_id
        ) as ids
        where companies.company_id = ids.company_id"""
    )


def _derived_sql(name: str, candidate_ordinal: int) -> str:
    """One UPDATE of a versioned table setting every column saydo derives for it (one pass
    over its rows: at a million claims each pass of an UPDATE costs about a second):

    - first_release and last_changed_release: the first release that held the record, and the
      latest of that, a correction's release and the release that first held its retraction
      (this build when none has yet);
    - effective_review_status: the weakest of its own status and its sources' floors (a link:
      the weaker of its claim and its evidence, whose own are set before it);
    - public_from: its own date's period end, published no earlier than its source (a claim:
      its date, or else its publication's or its source's); a link: the later of its ends."""
    key = record_id_sql(TABLES[name], "t")
    # Each source a record rests on, joined as floor_<column> from source_floor: its floor
    # (the weakest status up its chain) and the day its content was published.
    floors = {source: f"floor_{source}" for source in RESTS_ON.get(name, ())}
    joins = [
        f"left join source_floor as {alias} on {alias}.source_id = t.{source}"
        for source, alias in floors.items()
    ]
    derived: dict[str, str] = {}  # column -> its expression
    if floors:
        ranks = ", ".join(f"coalesce({alias}.floor_rank, 4)" for alias in floors.values())
        derived["effective_review_status"] = (
            f"review_status_of_rank(least(review_rank(t.review_status), {ranks}))"
        )
    if name == "claims":
        derived["public_from"] = (
            "coalesce(date_period_end(t.claim_date, t.claim_date_precision), "
            "floor_said_in_source_id.published_end, "
            "floor_source_id.published_end, t.recorded_on)"
        )
    elif name in ("evidence", "responses"):
        prefix = "evidence" if name == "evidence" else "response"
        own = f"date_period_end(t.{prefix}_date, t.{prefix}_date_precision)"
        source = "floor_source_id.published_end"
        derived["public_from"] = (
            f"coalesce(greatest({own}, {source}), {own}, {source}, t.recorded_on)"
        )
    elif name == "claim_evidence":
        derived["effective_review_status"] = (
            "review_status_of_rank(least(review_rank(claim.effective_review_status), "
            "review_rank(evidence.effective_review_status)))"
        )
        derived["public_from"] = "greatest(claim.public_from, evidence.public_from)"
        joins += [
            "left join claims as claim on claim.claim_id = t.claim_id",
            "left join evidence on evidence.evidence_id = t.evidence_id",
        ]
    selected = "".join(f",\n                {sql} as {column}" for column, sql in derived.items())
    joined = "".join(f"\n            {join}" for join in joins)
    assigned = "".join(f"{column} = final.{column},\n            " for column in derived)
    return f"""
        with

        seen as (
            select record_id, ordinal from first_seen where table_name = '{name}'
        ),

        corrected as (
            select fix.record_id, max(release.ordinal) as ordinal
            from corrections as fix
            join {RELEASES_SQL} as release on release.release = fix.first_release
            where fix.table_name = '{name}'
            group by fix.record_id
        ),

        retracted as (
            select record_id, min(ordinal) as ordinal
            from release_records
            where table_name = '{name}' and retracted
            group by record_id
        ),

        stamped as (
            select
                t._origin,
                coalesce(seen.ordinal, {candidate_ordinal}) as first_ordinal,
                greatest(
                    coalesce(seen.ordinal, {candidate_ordinal}),
                    coalesce(corrected.ordinal, 0),
                    case when t.retracted_on is not null
                         then coalesce(retracted.ordinal, {candidate_ordinal}) else 0 end
                ) as last_ordinal{selected}
            from {name} as t
            left join seen on seen.record_id = {key}
            left join corrected on corrected.record_id = {key}
            left join retracted on retracted.record_id = {key}{joined}
        ),

        final as (
            select stamped.*, first.release as first_release, last.release as last_changed_release
            from stamped
            join {RELEASES_SQL} as first on first.ordinal = stamped.first_ordinal
            join {RELEASES_SQL} as last on last.ordinal = stamped.last_ordinal
        )

        update {name} set
            {assigned}first_release = final.first_release,
            last_changed_release = final.last_changed_release
        from final where {name}._origin = final._origin"""


def _derived_columns(con: duckdb.DuckDBPyConnection, candidate_ordinal: int) -> None:
    """Every versioned table's derived columns, a table at a time (a link after its claim and
    its evidence), from `source_floor`: each source's floor (the weakest status along its
    based_on chain) and the day its content was published."""
    con.execute(
        "create or replace temp table source_floor as select * from source_floor('sources')"
    )
    # A link's status and public_from come from its claim's and its evidence's: set last.
    for name in sorted(VERSIONED_TABLES, key=lambda name: name == "claim_evidence"):
        con.execute(_derived_sql(name, candidate_ordinal))


def _late_records(
    con: duckdb.DuckDBPyConnection, releases: list[Release], candidate: Candidate, origins: Origins
) -> list[Problem]:
    """A record, correction or retraction new in this build but dated before the last release
    was published."""
    if not releases or releases[-1].version == candidate.version:
        return []
    last = releases[-1]
    problems = []
    checks = [(name, "recorded_on", "first_release") for name in VERSIONED_TABLES]
    checks.append(("corrections", "corrected_on", "first_release"))
    checks += [
        (name, "retracted_on", "last_changed_release")
        for name in VERSIONED_TABLES
        if "retracted_on" in TABLES[name].fields
    ]
    for name, column, stamp in checks:
        found = con.execute(
            f"select _origin, {column} from {name} where {stamp} = ? and {column} < ?",
            [candidate.version, last.released_on],
        ).fetchall()
        noun = authoring(name).noun
        for origin_id, day in found:
            labels = authoring(name).label_fields
            label = " -> ".join(
                str(v)
                for v in con.execute(
                    f"select {', '.join(labels)} from {name} where _origin = ?", [origin_id]
                ).fetchall()[0]
            )
            origin = origins.origin(origin_id, noun, label)
            problems.append(
                origin.problem(
                    column,
                    f"{day} is before {last.released_on}, when release {last.version} was "
                    f"published; this is new since that release.",
                    f"date it on or after {last.released_on} (the day it enters the package); "
                    f"what happened earlier belongs in the record's own dates.",
                    "dated_before_release",
                )
            )
    return problems


def derive(
    con: duckdb.DuckDBPyConnection,
    releases: list[Release],
    candidate: Candidate,
    origins: Origins,
) -> tuple[dict[str, list[dict]], list[Problem]]:
    """Set every derived column in the work database; returns the versions of changed records
    (with the release that published each) and the problems of late-dated records."""
    _release_list(con, releases, candidate)
    _release_records(con, releases)
    _derived_columns(con, _stamp_corrections(con))
    problems = _late_records(con, releases, candidate, origins)
    _identifiers(con)
    versions = {
        name: _released(con, name, changed_versions(con, name)) for name in VERSIONED_TABLES
    }
    return versions, problems


def _released(con: duckdb.DuckDBPyConnection, name: str, versions: list[dict]) -> list[dict]:
    """The release that published each version of the changed records, and its dates."""
    if not versions:
        return versions
    table = TABLES[name]
    releases = {
        release: (ordinal, released_on)
        for release, ordinal, released_on in con.execute(
            f"select release, ordinal, released_on from {RELEASES_SQL}"
        ).fetchall()
    }
    fixes: dict[tuple[str, dt.date], str] = {}
    for record_id, day, release in con.execute(
        "select record_id, corrected_on, first_release from corrections where table_name = ?",
        [name],
    ).fetchall():
        key = (record_id, day)
        if key not in fixes or releases[release][0] > releases[fixes[key]][0]:
            fixes[key] = release
    by_record: dict[str, list[dict]] = {}
    for version in versions:
        record_id = "/".join(str(version[k]) for k in table.primary_key)
        by_record.setdefault(record_id, []).append(version)
    for record_id, record_versions in by_record.items():
        for version in record_versions:
            if version["change"] == "recorded":
                release = version["first_release"]
            elif version["change"] == "corrected":
                release = fixes.get(
                    (record_id, version["valid_from"]), version["last_changed_release"]
                )
            else:
                release = version["last_changed_release"]
            version["released_in"] = release
            version["released_from"] = releases[release][1]
        for version, following in zip(record_versions, [*record_versions[1:], None], strict=True):
            version["released_to"] = following["released_from"] if following else None
    return versions
