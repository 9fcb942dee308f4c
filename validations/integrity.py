"""Cross-table and cross-field rules, as SQL that returns the offending rows.

Each rule selects `_row` (the row's position in its table, mapped back to file and line) and
`detail` (the values that make it wrong). Rules derived from the registry (primary keys,
foreign keys, dates) are generated; the rest are written out below. The same rules run on the
frames before anything is written, and can be run on a built DuckDB file with `run_rules`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from schemas.registry import DATE, TABLES, VERSIONED_TABLES
from transforms.db import connect
from transforms.history import correctable_fields, record_id_sql
from transforms.problems import Origin, Problem


@dataclass(frozen=True)
class Rule:
    name: str
    table: str
    field: str
    sql: str
    message: str  # formatted with {detail}
    hint: str


def _generated_rules(today: dt.date) -> list[Rule]:
    rules = []
    for table in TABLES.values():
        for fk in table.foreign_keys:
            (column,), (target,) = fk.fields, fk.table_fields
            rules.append(
                Rule(
                    f"foreign_key:{table.name}.{column}",
                    table.name,
                    column,
                    f"""select child._row, child.{column} as detail
                    from {table.name} as child
                    left join {fk.table} as parent on child.{column} = parent.{target}
                    where child.{column} is not null and parent.{target} is null""",
                    f"'{{detail}}' does not match any {fk.table}.{target}.",
                    "add that record to a case file, or correct the id "
                    "(ids are lowercase and must match exactly).",
                )
            )
            if "recorded_on" in table.fields and "recorded_on" in TABLES[fk.table].fields:
                rules.append(
                    Rule(
                        f"recorded_before_reference:{table.name}.{column}",
                        table.name,
                        "recorded_on",
                        f"""select child._row,
                               child.recorded_on || ' is before ' || parent.recorded_on
                               || ', when ' || child.{column} || ' was recorded' as detail
                        from {table.name} as child
                        join {fk.table} as parent on child.{column} = parent.{target}
                        where child.recorded_on < parent.recorded_on""",
                        "{detail}: a record cannot enter the package before what it refers to.",
                        f"check recorded_on here and on the {fk.table} record.",
                    )
                )
        for column in table.columns:
            if column.type != DATE:
                continue
            name = column.name
            rules.append(
                Rule(
                    f"future_date:{table.name}.{name}",
                    table.name,
                    name,
                    f"select _row, {name}::varchar as detail from {table.name} "
                    f"where {name} > DATE '{today.isoformat()}'",
                    f"{{detail}} is in the future (today is {today}).",
                    "check the year; saydo records only what has happened.",
                )
            )
            precision = f"{name}_precision"
            if precision in table.fields:
                rules.append(
                    Rule(
                        f"date_precision:{table.name}.{name}",
                        table.name,
                        precision,
                        f"""select _row, {precision} || ' precision but ' || {name} as detail
                        from {table.name}
                        where ({name} is null) != ({precision} is null)
                           or ({precision} = 'month' and day({name}) != 1)
                           or ({precision} = 'year' and (month({name}) != 1
                                                         or day({name}) != 1))""",
                        "does not fit its date: {detail}.",
                        "a month-precision date is the 1st of its month, a year-precision date "
                        "is 1 January; give both the date and its precision.",
                    )
                )
                rules.append(
                    Rule(
                        f"recorded_before_date:{table.name}.{name}",
                        table.name,
                        "recorded_on",
                        f"""select _row, recorded_on || ' is before ' || {name} as detail
                        from {table.name} where recorded_on < {name}""",
                        "{detail}: a record cannot enter the package before what it records.",
                        "set recorded_on to the date the record was added.",
                    )
                )
        if "retracted_on" in table.fields:
            rules.append(
                Rule(
                    f"retraction_reason:{table.name}",
                    table.name,
                    "retraction_reason",
                    f"""select _row, coalesce(retracted_on::varchar, '(no date)') as detail
                    from {table.name}
                    where (retracted_on is null) != (retraction_reason is null)""",
                    "and retracted_on go together (retracted_on: {detail}).",
                    "a retraction needs both its date and its reason.",
                )
            )
            rules.append(
                Rule(
                    f"retracted_before_recorded:{table.name}",
                    table.name,
                    "retracted_on",
                    f"""select _row, retracted_on || ' is before ' || recorded_on as detail
                    from {table.name} where retracted_on < recorded_on""",
                    "{detail}: a record cannot be retracted before it was recorded.",
                    "check the dates.",
                )
            )
        if table.name in VERSIONED_TABLES:
            key = record_id_sql(table)
            record_key = record_id_sql(table, "record")
            correctable = ", ".join(f"'{f}'" for f in correctable_fields(table))
            rules.append(
                Rule(
                    f"correction_target:{table.name}",
                    "corrections",
                    "record_id",
                    f"""select fix._row, fix.record_id as detail
                    from corrections as fix
                    where fix.table_name = '{table.name}'
                      and fix.record_id not in (select {key} from {table.name})""",
                    f"'{{detail}}' is not a record of {table.name}.",
                    "record_id is the record's primary key (for links: claim_id/evidence_id).",
                )
            )
            rules.append(
                Rule(
                    f"correction_field:{table.name}",
                    "corrections",
                    "field_name",
                    f"""select _row, field_name as detail from corrections
                    where table_name = '{table.name}' and field_name not in ({correctable})""",
                    f"'{{detail}}' cannot be corrected in {table.name}.",
                    f"correctable columns: {correctable.replace(chr(39), '')}; ids never change "
                    "(retract the record and add a new one), and retractions use retracted_on.",
                )
            )
            rules.append(
                Rule(
                    f"correction_before_record:{table.name}",
                    "corrections",
                    "corrected_on",
                    f"""select fix._row, fix.corrected_on || ' is before ' || record.recorded_on
                    from corrections as fix
                    join {table.name} as record on fix.record_id = ({record_key})
                    where fix.table_name = '{table.name}'
                      and fix.corrected_on <= record.recorded_on""",
                    "{detail}: a correction comes after the record was recorded.",
                    "set corrected_on to the day the correction was made.",
                )
            )
        if "quote" in table.fields:
            for companion in ("quote_lang", "quote_en", "quote_kind", "quote_en_origin"):
                rules.append(
                    Rule(
                        f"quote_needs:{table.name}.{companion}",
                        table.name,
                        companion,
                        f"""select _row, coalesce(quote_lang, '?') as detail from {table.name}
                        where quote is not null and {companion} is null""",
                        "is missing: a record with a quote (language {detail}) needs it.",
                        {
                            "quote_lang": "give the quote's BCP-47 language tag (ar, en, zh-Hans).",
                            "quote_en": "add the English translation in quote_en, and say whose it "
                            "is in quote_en_origin.",
                            "quote_kind": "say whether the quote is verbatim (the speaker's words) "
                            "or reported (the source's words).",
                            "quote_en_origin": "say who translated it: source_translation or "
                            "saydo_translation.",
                        }[companion],
                    )
                )
            rules.append(
                Rule(
                    f"quote_orphans:{table.name}",
                    table.name,
                    "quote",
                    f"""select _row, 'quote_lang/quote_en without quote' as detail from {table.name}
                    where quote is null and (quote_lang is not null or quote_en is not null)""",
                    "is missing while {detail} are given.",
                    "add the quote in its original language, or remove the others.",
                )
            )
            rules.append(
                Rule(
                    f"translation_origin:{table.name}",
                    table.name,
                    "quote_en_origin",
                    f"""select _row, quote_lang as detail from {table.name}
                    where quote is not null and quote_en_origin = 'original'
                      and split_part(quote_lang, '-', 1) != 'en'""",
                    "is 'original' but the quote is in {detail}, not English.",
                    "use source_translation or saydo_translation.",
                )
            )
            rules.append(
                Rule(
                    f"unquoted_needs_note:{table.name}",
                    table.name,
                    "review_note",
                    f"""select _row, '' as detail from {table.name}
                    where quote is null and review_note is null""",
                    "is required when a record has no quote{detail}.",
                    "say in review_note why no wording is given (for example: known only as "
                    "described by the regulator).",
                )
            )
    return rules


_WRITTEN_RULES = [
    Rule(
        "own_parent",
        "companies",
        "parent_company_id",
        "select _row, company_id as detail from companies where parent_company_id = company_id",
        "'{detail}' names itself as its parent.",
        "remove parent_company_id or correct it.",
    ),
    Rule(
        "parent_loop",
        "companies",
        "parent_company_id",
        """with recursive walk(start_id, current_id, path) as (
               select company_id, parent_company_id, [company_id]
               from companies
               where parent_company_id is not null and parent_company_id != company_id
               union all
               select walk.start_id, companies.parent_company_id,
                      list_append(walk.path, walk.current_id)
               from walk
               join companies on companies.company_id = walk.current_id
               where companies.parent_company_id is not null
                 and not list_contains(walk.path, walk.current_id)
           )
           select distinct companies._row,
                  array_to_string(list_append(walk.path, walk.current_id), ' -> ') as detail
           from walk
           join companies on companies.company_id = walk.start_id
           where walk.current_id = walk.start_id""",
        "parents form a loop: {detail}.",
        "a company's chain of parents must end.",
    ),
    Rule(
        "parent_relationship",
        "companies",
        "parent_relationship",
        """select _row, coalesce(parent_company_id, '(none)') as detail from companies
           where (parent_company_id is null) != (parent_relationship is null)""",
        "must be given exactly when parent_company_id is (parent: {detail}).",
        "write subsidiary or affiliate beside the parent, or remove both.",
    ),
    Rule(
        "based_on_itself",
        "sources",
        "based_on_source_id",
        "select _row, source_id as detail from sources where based_on_source_id = source_id",
        "'{detail}' says it is based on itself.",
        "remove based_on_source_id.",
    ),
    Rule(
        "link_unrelated_companies",
        "claim_evidence",
        "evidence_id",
        """with recursive ancestry(company_id, ancestor_id, depth) as (
               select company_id, company_id, 0 from companies
               union all
               select ancestry.company_id, companies.parent_company_id, ancestry.depth + 1
               from ancestry
               join companies on companies.company_id = ancestry.ancestor_id
               where companies.parent_company_id is not null and ancestry.depth < 50
           ),
           links as (
               select link._row, claims.company_id as claim_company,
                      evidence.company_id as evidence_company
               from claim_evidence as link
               join claims using (claim_id)
               join evidence using (evidence_id)
           ),
           related as (
               select distinct links._row
               from links
               join ancestry as claim_side on claim_side.company_id = links.claim_company
               join ancestry as evidence_side
                 on evidence_side.company_id = links.evidence_company
                and evidence_side.ancestor_id = claim_side.ancestor_id
           )
           select links._row, links.claim_company || ' vs ' || links.evidence_company as detail
           from links
           where links._row not in (select _row from related)""",
        "links a claim and evidence about unrelated companies ({detail}).",
        "link evidence about the same company or its group (parent, subsidiary, affiliate), "
        "or set parent_company_id if the companies are related.",
    ),
    Rule(
        "undated_claim_needs_note",
        "claims",
        "claim_date",
        "select _row, '' as detail from claims where claim_date is null and review_note is null",
        "is empty and review_note does not say why{detail}.",
        "give the date as precisely as a source states it (2015, 2015-09), or say in "
        "review_note that no source dates the statement.",
    ),
    Rule(
        "response_subject",
        "responses",
        "claim_id",
        "select _row, '' as detail from responses where claim_id is null and evidence_id is null",
        "and evidence_id are both empty{detail}: a response answers something.",
        "give the claim_id or evidence_id the company was responding to.",
    ),
    Rule(
        "amount_parts",
        "evidence",
        "amount",
        """select _row, concat_ws(', ', amount::varchar, amount_currency, amount_kind) as detail
           from evidence
           where not ((amount is null and amount_currency is null and amount_kind is null)
                   or (amount is not null and amount_currency is not null
                       and amount_kind is not null))""",
        "amount, amount_currency and amount_kind go together (got: {detail}).",
        "give all three, or none.",
    ),
]


def rules(today: dt.date) -> list[Rule]:
    return _generated_rules(today) + _WRITTEN_RULES


def _register(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> None:
    for name, frame in frames.items():
        con.register(name, frame.with_row_index("_row").to_arrow())


def _primary_key_problems(
    frames: dict[str, pl.DataFrame], origins: dict[str, list[Origin]]
) -> list[Problem]:
    problems = []
    for name, frame in frames.items():
        table = TABLES[name]
        keys = list(table.primary_key)
        duplicated = (
            frame.select(keys)
            .with_row_index("_row")
            .filter(pl.struct(keys).is_duplicated())
            .group_by(keys, maintain_order=True)
            .agg(pl.col("_row"))
        )
        for group in duplicated.iter_rows(named=True):
            rows = group["_row"]
            key_text = " -> ".join(str(group[k]) for k in keys)
            for row in rows:
                others = ", ".join(
                    f"{origins[name][o].file}:{origins[name][o].line or '?'}"
                    for o in rows
                    if o != row
                )
                if name == "claim_evidence":
                    relations = ", ".join(str(frame["relation"][r]) for r in rows)
                    message = (
                        f"claim and evidence are linked more than once ({relations}; "
                        f"also at {others})."
                    )
                    hint = "a claim and a piece of evidence have one relation: keep one link."
                else:
                    message = f"'{key_text}' is used more than once (also at {others})."
                    hint = "ids are unique across all case files and feeds; rename one."
                problems.append(origins[name][row].problem(keys[-1], message, hint, "primary_key"))
    return problems


def check_integrity(
    frames: dict[str, pl.DataFrame],
    origins: dict[str, list[Origin]],
    today: dt.date,
    already_reported: set[tuple[str, int, str]] = frozenset(),
) -> list[Problem]:
    """Run every rule; `already_reported` holds (table, row, field) the loader rejected."""
    problems = _primary_key_problems(frames, origins)
    con = connect()
    _register(con, frames)
    for rule in rules(today):
        for row, detail in con.execute(rule.sql).fetchall():
            if (rule.table, row, rule.field) in already_reported:
                continue
            message = rule.message.format(detail=detail)
            problems.append(
                origins[rule.table][row].problem(rule.field, message, rule.hint, rule.name)
            )
    con.close()
    return problems
