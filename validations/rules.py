"""Cross-table and cross-field rules, as SQL that returns the offending rows.

Each rule selects `_origin` (where the row came from: file and line) and `detail` (the values
that make it wrong). Rules derived from the registry (keys, foreign keys, dates, quotes,
corrections) are generated; the rest are written out below. They run on the work database before
anything is written, over case-file and feed rows alike."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Set
from dataclasses import dataclass

import duckdb

from schemas.generate import record_id_sql
from schemas.registry import DATE, TABLES, VERSIONED_TABLES, Table, authoring, correctable_fields
from transforms.ingest.origins import Origins
from validations.problems import Problem, printable

# Check digits, as SQL over a column x. LEI (ISO 17442): letters as 10..35, the whole as a number
# mod 97 is 1 (ISO 7064). ISIN (ISO 6166): letters as 10..35, then the Luhn sum of the digits.
_LEI_CHECK = (
    "list_reduce(list_prepend(0, list_transform(string_split(x, ''), lambda c: case when c "
    "between '0' and '9' then ascii(c) - 48 else ascii(c) - 55 end)), lambda acc, d: (acc * "
    "case when d >= 10 then 100 else 10 end + d) % 97) = 1"
)
_ISIN_DIGITS = (
    "reverse(array_to_string(list_transform(string_split(x, ''), lambda c: case when c between "
    "'0' and '9' then c else (ascii(c) - 55)::varchar end), ''))"
)
_ISIN_CHECK = (
    f"list_sum(list_transform(range(1, length({_ISIN_DIGITS}) + 1), lambda i: case when i % 2 = 1 "
    f"then {_ISIN_DIGITS}[i]::int else 2 * {_ISIN_DIGITS}[i]::int - case when 2 * "
    f"{_ISIN_DIGITS}[i]::int > 9 then 9 else 0 end end)) % 10 = 0"
)


@dataclass(frozen=True)
class Rule:
    name: str
    table: str
    field: str
    sql: str
    message: str  # formatted with {detail}
    hint: str
    # Other fields of the same record the rule reads: a record whose value in one of them was
    # refused (and left empty) is not judged, as one refused in `field` is not. The door has
    # named the value, and an empty one would read as absent (a retraction without its date, a
    # quote without its language).
    reads: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """The rule's kind: its name without the table and column it is generated for."""
        return self.name.split(":")[0]


def _given(table: str, column: str, alias: str | None = None) -> str:
    """SQL, true when a record of `table` (named `alias` in the rule) gives `column`: a value,
    or one the reader refused (left empty in the row, and named by the door). A rule that asks
    whether a value is there counts a refused one as there; one that reads the value skips the
    record (Rule.reads). A mark until the rule runs (_judged): on a table with no refused value,
    as in every clean build, it is `column is not null`, and no lookup is planned."""
    return f"__given({table},{alias or table},{column})__"


def _refused(table: str, column: str, alias: str) -> str:
    """SQL, true when the value of `column` in a record of `table` (named `alias` in the rule)
    was refused by the reader or the door: for a rule about another record that reads it (a
    claim's quote judged by its source's language), which then does not judge that record. A
    mark, as _given's: `false` on a table with no refused value."""
    return f"__refused({table},{alias},{column})__"


_MARK = re.compile(r"__(given|refused)\((\w+),(\w+),(\w+)\)__")


def _refused_cell(origin: str, table: str, fields: tuple[str, ...]) -> str:
    """SQL, true when the record of `table` at `origin` (an SQL expression) had its value in
    one of `fields` refused (rule_problems fills _refused_cells)."""
    named = ", ".join(f"'{f}'" for f in fields)
    return (
        f"exists (select 1 from _refused_cells as refused where refused._origin = {origin} "
        f"and refused.table_name = '{table}' and refused.field_name in ({named}))"
    )


def _mark_sql(kind: str, table: str, alias: str, column: str, refused_tables: Set[str]) -> str:
    refused = _refused_cell(f"{alias}._origin", table, (column,))
    if kind == "refused":
        return f"({refused})" if table in refused_tables else "false"
    present = f"{alias}.{column} is not null"
    if table not in refused_tables:
        return f"({present})"
    return f"({present} or {refused})"


# --- generated from the registry -----------------------------------------------------------------
def _foreign_key_rules(table: Table) -> list[Rule]:
    rules = []
    for fk in table.foreign_keys:
        (column,), (target,) = fk.fields, fk.table_fields
        rules.append(
            Rule(
                f"foreign_key:{table.name}.{column}",
                table.name,
                column,
                f"""select child._origin, child.{column} as detail
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
                    f"""select child._origin,
                           child.recorded_on || ' is before ' || parent.recorded_on
                           || ', when ' || child.{column} || ' was recorded' as detail
                    from {table.name} as child
                    join {fk.table} as parent on child.{column} = parent.{target}
                    where child.recorded_on < parent.recorded_on""",
                    "{detail}: a record cannot enter the package before what it refers to.",
                    f"check recorded_on here and on the {fk.table} record.",
                )
            )
    return rules


def _date_rules(table: Table, today: dt.date) -> list[Rule]:
    rules = []
    for column in table.columns:
        if column.type != DATE:
            continue
        name = column.name
        rules.append(
            Rule(
                f"future_date:{table.name}.{name}",
                table.name,
                name,
                f"select _origin, {name}::varchar as detail from {table.name} "
                f"where {name} > DATE '{today.isoformat()}'",
                f"{{detail}} is in the future (today is {today}).",
                "check the year; saydo records only what has happened.",
            )
        )
        precision = f"{name}_precision"
        if precision not in table.fields:
            continue
        rules.append(
            Rule(
                f"date_precision:{table.name}.{name}",
                table.name,
                precision,
                f"""select _origin, coalesce({precision}, 'no') || ' precision but '
                       || coalesce({name}::varchar, 'no date') as detail
                from {table.name}
                where ({name} is null) != ({precision} is null)
                   or ({precision} = 'month' and day({name}) != 1)
                   or ({precision} = 'year' and (month({name}) != 1 or day({name}) != 1))""",
                "does not fit its date: {detail}.",
                "a month-precision date is the 1st of its month, a year-precision date is "
                "1 January; give both the date and its precision.",
                reads=(name,),
            )
        )
        rules.append(
            Rule(
                f"recorded_before_date:{table.name}.{name}",
                table.name,
                "recorded_on",
                f"""select _origin, recorded_on || ' is before ' || {name} as detail
                from {table.name} where recorded_on < {name}""",
                "{detail}: a record cannot enter the package before what it records.",
                "set recorded_on to the date the record was added.",
            )
        )
    return rules


def _retraction_rules(table: Table) -> list[Rule]:
    if "retracted_on" not in table.fields:
        return []
    return [
        Rule(
            f"retraction_reason:{table.name}",
            table.name,
            "retraction_reason",
            f"""select _origin, coalesce(retracted_on::varchar, case
                       when {_given(table.name, "retracted_on")} then '(refused)'
                       else '(no date)' end) as detail
            from {table.name}
            where {_given(table.name, "retracted_on")}
                  != {_given(table.name, "retraction_reason")}""",
            "and retracted_on go together (retracted_on: {detail}).",
            "a retraction needs both its date and its reason.",
        ),
        Rule(
            f"retracted_before_recorded:{table.name}",
            table.name,
            "retracted_on",
            f"""select _origin, retracted_on || ' is before ' || recorded_on as detail
            from {table.name} where retracted_on < recorded_on""",
            "{detail}: a record cannot be retracted before it was recorded.",
            "check the dates.",
        ),
    ]


def _correction_rules(table: Table) -> list[Rule]:
    if table.name not in VERSIONED_TABLES:
        return []
    key = record_id_sql(table)
    record_key = record_id_sql(table, "record")
    correctable = ", ".join(f"'{f}'" for f in correctable_fields(table))
    return [
        Rule(
            f"correction_target:{table.name}",
            "corrections",
            "record_id",
            # NOT EXISTS, not NOT IN: a record still without its id (the door names it) would
            # make NOT IN unknown for every correction of the table, and hide them all.
            f"""select fix._origin, fix.record_id as detail
            from corrections as fix
            where fix.table_name = '{table.name}'
              and not exists (select 1 from {table.name} where {key} = fix.record_id)""",
            f"'{{detail}}' is not a record of {table.name}.",
            "record_id is the record's primary key (for links: claim_id/evidence_id).",
        ),
        Rule(
            f"correction_field:{table.name}",
            "corrections",
            "field_name",
            f"""select _origin, field_name as detail from corrections
            where table_name = '{table.name}' and field_name not in ({correctable})""",
            f"'{{detail}}' cannot be corrected in {table.name}.",
            f"correctable columns: {correctable.replace(chr(39), '')}; ids never change "
            "(retract the record and add a new one), and retractions use retracted_on.",
        ),
        Rule(
            f"correction_before_record:{table.name}",
            "corrections",
            "corrected_on",
            f"""select fix._origin, fix.corrected_on || ' is before ' || record.recorded_on
            from corrections as fix
            join {table.name} as record on fix.record_id = ({record_key})
            where fix.table_name = '{table.name}' and fix.corrected_on < record.recorded_on""",
            "{detail}: a correction cannot come before the record was recorded.",
            "set corrected_on to the day the correction was made (the day the record was "
            "recorded is allowed).",
        ),
    ]


_QUOTE_FIXES = {
    "quote_lang": "give the quote's BCP-47 language tag (ar, en, zh-Hans).",
    "quote_en": "add the English translation in quote_en (for a quote in English, the quote "
    "itself: a case file fills it in), and say whose it is in quote_en_origin.",
    "quote_kind": "say whose words the quote holds: verbatim, translation, back_translation, "
    "headline or paraphrase (docs/editorial.md).",
    "quote_en_origin": "say who made quote_en: original (the quote is in English), "
    "source_translation or saydo_translation.",
}


def _quote_rules(table: Table) -> list[Rule]:
    if "quote" not in table.fields:
        return []
    rules = [
        Rule(
            f"quote_needs:{table.name}.{companion}",
            table.name,
            companion,
            f"""select _origin, coalesce(quote_lang, '?') as detail from {table.name}
            where quote is not null and {companion} is null""",
            "is missing: a record with a quote (language {detail}) needs it.",
            fix,
            # An English quote is its own translation, but only once its language is read.
            reads=("quote_lang",),
        )
        for companion, fix in _QUOTE_FIXES.items()
    ]
    rules += [
        Rule(
            f"quote_orphans:{table.name}",
            table.name,
            "quote",
            f"""select _origin, 'quote_lang/quote_en without quote' as detail from {table.name}
            where quote is null and (quote_lang is not null or quote_en is not null)""",
            "is missing while {detail} are given.",
            "add the quote in its original language, or remove the others.",
        ),
        Rule(
            f"translation_origin:{table.name}",
            table.name,
            "quote_en_origin",
            f"""select _origin, quote_lang as detail from {table.name}
            where quote is not null and quote_en_origin = 'original'
              and split_part(quote_lang, '-', 1) != 'en'""",
            "is 'original' but the quote is in {detail}, not English.",
            "use source_translation or saydo_translation.",
        ),
        Rule(
            f"unquoted_needs_note:{table.name}",
            table.name,
            "review_note",
            f"""select _origin, '' as detail from {table.name}
            where not {_given(table.name, "quote")} and not {_given(table.name, "review_note")}""",
            "is required when a record has no quote{detail}.",
            "say in review_note why no wording is given (for example: known only as described "
            "by the regulator).",
        ),
    ]
    return rules


def _generated_rules(today: dt.date) -> list[Rule]:
    rules = []
    for table in TABLES.values():
        rules += _foreign_key_rules(table)
        rules += _date_rules(table, today)
        rules += _retraction_rules(table)
        rules += _correction_rules(table)
        rules += _quote_rules(table)
    return rules


# --- written out ---------------------------------------------------------------------------------
_WRITTEN_RULES = [
    Rule(
        "own_parent",
        "companies",
        "parent_company_id",
        "select _origin, company_id as detail from companies where parent_company_id = company_id",
        "'{detail}' names itself as its parent.",
        "remove parent_company_id or correct it.",
    ),
    Rule(
        "parent_loop",
        "companies",
        "parent_company_id",
        # The walk keeps its path to stop at a loop and to print it; company_group_members
        # (which needs no path) cannot say which companies form the loop.
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
           select distinct companies._origin,
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
        f"""select _origin, coalesce(parent_company_id, case
                   when {_given("companies", "parent_company_id")} then '(refused)'
                   else '(none)' end) as detail
           from companies
           where {_given("companies", "parent_company_id")}
                 != {_given("companies", "parent_relationship")}""",
        "must be given exactly when parent_company_id is (parent: {detail}).",
        "write subsidiary or affiliate beside the parent, or remove both.",
    ),
    Rule(
        "based_on_itself",
        "sources",
        "based_on_source_id",
        "select _origin, source_id as detail from sources where based_on_source_id = source_id",
        "'{detail}' says it is based on itself.",
        "remove based_on_source_id.",
    ),
    Rule(
        "link_unrelated_companies",
        "claim_evidence",
        "evidence_id",
        # A group is judged only when its top is known: a company with no parent. A parent the
        # reader refused, one that names no company, or a loop of parents leaves the group
        # unknown (each is reported where it stands), not a group of its own.
        """with tops as (select * from company_group_top('companies')),
           known_tops as (
               select tops.company_id, tops.group_company_id
               from tops
               join companies as top on top.company_id = tops.group_company_id
               where not """
        + _given("companies", "parent_company_id", alias="top")
        + """
           ),
           links as (
               select link._origin, claims.company_id as claim_company,
                      evidence.company_id as evidence_company
               from claim_evidence as link
               join claims using (claim_id)
               join evidence using (evidence_id)
           )
           select links._origin, links.claim_company || ' vs ' || links.evidence_company as detail
           from links
           join known_tops as claim_top on claim_top.company_id = links.claim_company
           join known_tops as evidence_top on evidence_top.company_id = links.evidence_company
           where claim_top.group_company_id != evidence_top.group_company_id""",
        "links a claim and evidence about unrelated companies ({detail}).",
        "link evidence about the same company or its group (parent, subsidiary, affiliate), "
        "or set parent_company_id if the companies are related.",
    ),
    Rule(
        "undated_claim_needs_note",
        "claims",
        "claim_date",
        f"select _origin, '' as detail from claims where not {_given('claims', 'claim_date')} "
        f"and not {_given('claims', 'review_note')}",
        "is empty and review_note does not say why{detail}.",
        "give the date as precisely as a source states it (2015, 2015-09), or say in "
        "review_note that no source dates the statement.",
    ),
    Rule(
        "response_subject",
        "responses",
        "claim_id",
        f"select _origin, '' as detail from responses "
        f"where not {_given('responses', 'claim_id')} and not {_given('responses', 'evidence_id')}",
        "and evidence_id are both empty{detail}: a response answers something.",
        "give the claim_id or evidence_id the company was responding to.",
    ),
    Rule(
        "amount_parts",
        "evidence",
        "amount",
        f"""select _origin, concat_ws(', ', amount::varchar, amount_currency, amount_kind) as detail
           from evidence
           where {_given("evidence", "amount")}::int + {_given("evidence", "amount_currency")}::int
                 + {_given("evidence", "amount_kind")}::int in (1, 2)""",
        "amount, amount_currency and amount_kind go together (got: {detail}).",
        "give all three, or none.",
    ),
]


# The editorial checklist's rules that a rule can check (docs/editorial.md).
_EDITORIAL_RULES = [
    Rule(
        "said_in_not_company",
        "claims",
        "said_in_source_id",
        """select claim._origin, source.source_id || ' (' || source.source_type || ')' as detail
           from claims as claim join sources as source on source.source_id = claim.said_in_source_id
           where source.source_type not in ('company_report', 'company_statement',
                                            'company_marketing')""",
        "names {detail}, which is not the company's own publication.",
        "said_in_source_id is where the company itself first made the statement (its report, "
        "statement or marketing); leave it empty when that publication is not known.",
    ),
    Rule(
        "verbatim_in_another_language",
        "claims",
        "quote_kind",
        # The language the company spoke in: its own publication's, when the claim names one or
        # was read in one. The source it was read in is a left join: a said_in_source_id names
        # the publication even while source_id names no source.
        """select claim._origin,
                  claim.quote_lang || ' in a quote from a publication in ' || own.source_lang
                  as detail
           from claims as claim
           left join sources as read_in on read_in.source_id = claim.source_id
           join sources as own
             on own.source_id = coalesce(claim.said_in_source_id,
                                         case when read_in.source_type like 'company_%'
                                              then claim.source_id end)
           where claim.quote_kind = 'verbatim' and own.source_lang not in ('und', 'mul')
             and split_part(claim.quote_lang, '-', 1) != split_part(own.source_lang, '-', 1)
             and not """
        + _refused("sources", "source_lang", alias="own"),
        "is verbatim, but the quote's language is not the one the company used ({detail}).",
        "a quote in a language the speaker did not use is a translation (or, translated back, "
        "a back_translation); never verbatim.",
        reads=("said_in_source_id", "quote_lang"),
    ),
    Rule(
        "verbatim_of_a_translation",
        "evidence",
        "quote_kind",
        """select evidence._origin, source.source_id as detail
           from evidence
           join sources as source on source.source_id = evidence.source_id
           join sources as original on original.source_id = source.based_on_source_id
           where evidence.quote_kind = 'verbatim'
             and split_part(evidence.quote_lang, '-', 1) != split_part(original.source_lang, '-', 1)
             and original.source_lang not in ('und', 'mul')""",
        "is verbatim, but {detail} translates a source written in another language.",
        "a quote from a translation is a translation or a paraphrase, not the speaker's words.",
    ),
    Rule(
        "high_on_a_headline",
        "claim_evidence",
        "confidence",
        """select link._origin, evidence.evidence_id as detail
           from claim_evidence as link join evidence using (evidence_id)
           where link.confidence = 'high' and evidence.quote_kind = 'headline'
             and link.relation in ('refutes', 'supports')""",
        "is high, but the evidence {detail} is quoted only by a headline.",
        "a high link rests on what a source establishes, not on a headline: quote the finding "
        "from the body, or lower the confidence to medium.",
    ),
    Rule(
        "primary_is_own_source",
        "evidence",
        "primary_source_id",
        "select _origin, source_id as detail from evidence where primary_source_id = source_id",
        "is the source the evidence was read in ({detail}).",
        "primary_source_id names other material the source rests on; leave it empty when the "
        "source is first-hand.",
    ),
    Rule(
        "licence_without_open_rights",
        "sources",
        "licence",
        """select _origin, coalesce(rights, '(empty)') as detail from sources
           where licence is not null and rights is distinct from 'open_licence'""",
        "is given but rights is {detail}.",
        "a licence names an open licence: set rights: open_licence, or remove licence.",
        reads=("rights",),
    ),
    Rule(
        "identifier_form",
        "company_identifiers",
        "identifier",
        """select _origin, scheme || ' ' || identifier as detail from company_identifiers
           -- An empty identifier is reported as missing, once.
           where identifier is not null and (
                 (scheme = 'lei' and not regexp_full_match(identifier, '[A-Z0-9]{18}[0-9]{2}'))
              or (scheme = 'isin' and not regexp_full_match(identifier, '[A-Z]{2}[A-Z0-9]{9}[0-9]'))
              or (scheme = 'wikidata' and not regexp_full_match(identifier, 'Q[1-9][0-9]*'))
              or (scheme = 'permid' and not regexp_full_match(identifier, '[1-9][0-9]*'))
              or (scheme = 'ticker' and not """
        + _given("company_identifiers", "issuer")
        + "))",
        "does not have the form its scheme requires ({detail}).",
        "copy the identifier as the source prints it; a ticker needs its exchange in issuer.",
    ),
    Rule(
        "identifier_check_digit",
        "company_identifiers",
        "identifier",
        f"""select _origin, scheme || ' ' || identifier as detail
            from (select *, identifier as x from company_identifiers)
            where (scheme = 'lei' and regexp_full_match(identifier, '[A-Z0-9]{{18}}[0-9]{{2}}')
                   and not ({_LEI_CHECK}))
               or (scheme = 'isin' and regexp_full_match(identifier, '[A-Z]{{2}}[A-Z0-9]{{9}}[0-9]')
                   and not ({_ISIN_CHECK}))""",
        "fails its check digit ({detail}): one character is mistyped.",
        "copy the identifier again, character by character, from the source.",
    ),
]


def rules(today: dt.date) -> list[Rule]:
    return _generated_rules(today) + _WRITTEN_RULES + _EDITORIAL_RULES


def rule_kinds() -> list[str]:
    """Every kind of rule, once (for the catalogue and the docs)."""
    return list(dict.fromkeys(r.kind for r in rules(dt.date(2000, 1, 1))))


# --- running them --------------------------------------------------------------------------------
LabelOf = Callable[[str, list[int]], dict[int, str]]


def key_problems(
    con: duckdb.DuckDBPyConnection, origins: Origins, label_of: LabelOf
) -> list[Problem]:
    """A record id used more than once (in one file or across files), naming every place."""
    problems = []
    for name, table in TABLES.items():
        keys = ", ".join(table.primary_key)
        # The repeated keys first, by a count alone: listing the places only for those spares a
        # sorted list per record (1.2 of 2.1 s at a million claims). A record without its id
        # is named by the door as missing it, not as sharing the id 'None' with another.
        filled = " and ".join(f"{k} is not null" for k in table.primary_key)
        groups = con.execute(
            f"""with repeated as (
                    select {keys} from {name} where {filled}
                    group by all having count(*) > 1
                )
                select {keys}, list(_origin order by _origin) from {name}
                semi join repeated using ({keys})
                group by all order by all limit 1000"""
        ).fetchall()
        noun = authoring(name).noun
        relations = {}
        if name == "claim_evidence" and groups:
            relations = dict(
                con.execute(
                    "select _origin, relation from claim_evidence where _origin in "
                    "(select unnest(?))",
                    [[o for g in groups for o in g[-1]]],
                ).fetchall()
            )
        for group in groups:
            members = group[-1]
            labels = label_of(name, members)
            places = {o: origins.origin(o, noun, labels.get(o, "")) for o in members}
            key_text = " -> ".join(printable(v) for v in group[:-1])
            for origin_id in members:
                others = ", ".join(
                    f"{places[o].file}:{places[o].line or '?'}" for o in members if o != origin_id
                )
                if name == "claim_evidence":
                    found = ", ".join(str(relations.get(o)) for o in members)
                    message = (
                        f"claim and evidence are linked more than once ({found}; also at {others})."
                    )
                    hint = "a claim and a piece of evidence have one relation: keep one link."
                else:
                    message = f"'{key_text}' is used more than once (also at {others})."
                    hint = "ids are unique across all case files and feeds; rename one."
                problems.append(
                    places[origin_id].problem(table.primary_key[-1], message, hint, "primary_key")
                )
    return problems


def rule_problems(
    con: duckdb.DuckDBPyConnection,
    origins: Origins,
    today: dt.date,
    already_reported: set[tuple[str, int, str]],
    label_of: LabelOf,
    keys_unique: bool = True,
) -> list[Problem]:
    """Run every rule; each offending row becomes a problem at its file and line.

    With a duplicated id a rule that looks a record up by id can find two; those rules are
    skipped (the duplicate is already reported, and the rule runs again once it is fixed). With
    unique ids a failing rule is a defect in saydo and is raised."""
    problems = []
    every_rule = rules(today)
    # The values the reader or the door refused, where the rules read them: a row refused in
    # what a rule reads is left out before the rule's thousand rows are counted, so a thousand
    # refusals cannot fill a rule's rows and hide the problems after them.
    con.execute(
        "create or replace temp table _refused_cells "
        "(table_name varchar, _origin bigint, field_name varchar)"
    )
    try:
        if already_reported:
            tables, origin_ids, fields = (list(c) for c in zip(*already_reported, strict=True))
            con.execute(
                "insert into _refused_cells select unnest($1), unnest($2), unnest($3)",
                [tables, origin_ids, fields],
            )
        refused_tables = {table for table, _, _ in already_reported}
        found_by_rule = _offending_rows(con, every_rule, keys_unique, refused_tables)
    finally:
        con.execute("drop table if exists _refused_cells")
    for rule, found in zip(every_rule, found_by_rule, strict=True):
        labels = label_of(rule.table, [origin for origin, _ in found])
        noun = authoring(rule.table).noun
        for origin_id, detail in found:
            message = rule.message.format(detail=printable(detail))
            origin = origins.origin(origin_id, noun, labels.get(origin_id, ""))
            problems.append(origin.problem(rule.field, message, rule.hint, rule.name))
    return problems


# Rows in the rules' tables up to which every rule runs in one statement (the real package
# holds about 1,200; 100 thousand synthetic claims, half a million).
RULES_TOGETHER_ROWS = 100_000


def _offending_rows(
    con: duckdb.DuckDBPyConnection,
    every_rule: list[Rule],
    keys_unique: bool,
    refused_tables: Set[str] = frozenset(),
) -> list[list[tuple[int, str]]]:
    """Each rule's offending (origin, detail) rows, at most a thousand per rule, in origin order.

    On a small package all rules run as one statement: a hundred and fifty statements cost
    more to plan and send than to run. A large package runs them one at a time, so no two
    rules' joins hold memory at once. With duplicated ids a rule that looks a record up by id
    can fail (it finds two); then each rule runs alone and the failing ones are skipped, as
    `rule_problems` explains."""
    # A rule reports rows of its own table: on an empty table it has nothing to find, and is
    # not planned (a quarter of the rules, on a package with no corrections or identifiers).
    tables = sorted({rule.table for rule in every_rule})
    counted = " union all ".join(f"select '{name}', count(*) from {name}" for name in tables)
    rows_of = dict(con.execute(counted).fetchall())
    limited = {
        index: f"select * from ({_judged(rule, refused_tables)}) order by 1 limit 1000"
        for index, rule in enumerate(every_rule)
        if rows_of[rule.table]
    }
    if sum(rows_of.values()) <= RULES_TOGETHER_ROWS:
        together = " union all ".join(
            f"(select {index} as rule_index, found.* from ({sql}) as found(origin, detail))"
            for index, sql in limited.items()
        )
        try:
            rows = con.execute(together).fetchall() if limited else []
        except duckdb.Error:
            if keys_unique:
                raise
        else:
            found: list[list[tuple[int, str]]] = [[] for _ in every_rule]
            for index, origin, detail in rows:
                found[index].append((origin, detail))
            return [_in_origin_order(rule_rows) for rule_rows in found]
    one_by_one: list[list[tuple[int, str]]] = [[] for _ in every_rule]
    for index, sql in limited.items():
        try:
            rows = con.execute(sql).fetchall()
        except duckdb.Error:
            if keys_unique:
                raise
            rows = []
        one_by_one[index] = _in_origin_order(rows)
    return one_by_one


def _judged(rule: Rule, refused_tables: Set[str]) -> str:
    """The rule's SQL, its _given marks written out, and its rows but those of a record refused
    in what the rule reads (_refused_cells). A table with no refused value is left as it is:
    planning the filter for every rule costs a clean build (every real one) about half a
    second."""
    sql = _MARK.sub(lambda mark: _mark_sql(*mark.groups(), refused_tables), rule.sql)
    if rule.table not in refused_tables:
        return sql
    refused = _refused_cell("found._origin", rule.table, (rule.field, *rule.reads))
    return f"select * from ({sql}) as found(_origin, detail) where not {refused}"


def _in_origin_order(rows: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return sorted(rows, key=lambda row: (row[0], str(row[1])))
