"""`make mutate`: deliberate bugs, each applied alone to a scratch copy of the project, each
expected to make at least one fast test fail. It prints which were caught and which survived,
and exits 1 when one survived.

The list is the behaviour the package promises (the as-of clock, the rules at the door, the
score formula, releases, the report); it grows with the method. A mutation names the fast tests
that should catch it, so a run takes minutes, not the whole suite per bug. Not part of `make
test`: it never touches the working tree (each bug lives in a copy under a temporary folder)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str  # relative to the repository
    old: str  # must occur in the file; every occurrence is replaced
    new: str
    tests: tuple[str, ...]  # pytest node ids or files expected to catch it
    also: tuple[tuple[str, str], ...] = ()  # further edits in the same file, as (old, new)


UNCONFIRMED_TEST = (
    "tests/test_scoring.py::test_a_claim_not_confirmed_as_the_companys_words_is_unconfirmed_first"
)
SOURCES_CORRECTED_TEST = (
    "tests/test_scoring.py::"
    "test_the_released_clock_keeps_a_release_s_statuses_when_only_sources_were_corrected"
)
DOOR_CACHE_TEST = (
    "tests/test_door_cache.py::"
    "test_a_verdict_kept_under_other_checks_code_libraries_or_switches_is_not_used"
)
NEXT_RELEASE_TEST = (
    "tests/test_scoring.py::test_a_release_s_statuses_end_where_the_next_release_begins"
)
ADAPTER_RERUN_TEST = (
    "tests/test_loader.py::"
    "test_an_adapter_run_again_keeps_each_rows_recorded_day_and_writes_its_feeds_sorted"
)
FORGET_VERDICTS_TEST = (
    "tests/test_gate.py::"
    "test_the_cache_keeps_the_last_verdicts_used_of_each_suite_and_forgets_the_rest"
)
EDGE_TEST = "tests/test_rule_catalogue.py::test_each_rule_stops_exactly_at_its_edge["
UNKNOWNS_TEST = (
    "tests/test_rule_catalogue.py::"
    "test_a_rule_reports_nothing_it_cannot_read_and_hides_nothing_it_can"
)
PARSED_TEST = "tests/test_parsed_cache.py::"
CHART_TEST = (
    "tests/test_cli.py::test_the_score_chart_steps_at_quarter_ends_and_numbers_what_moved_it"
)
EMPTY_PACKAGE_TEST = (
    "tests/test_build.py::test_the_empty_package_a_build_copies_is_the_one_its_statements_make"
)

GENERATIONS_TEST = "tests/test_scoring.py::test_a_group_reaches_every_generation_below_it"
CHAIN_OF_SOURCES_TEST = (
    "tests/test_scoring.py::test_a_source_rests_on_its_whole_chain_for_its_status_and_its_day"
)
SPEAKERS_TEST = (
    "tests/test_scoring.py::test_each_voice_speaks_first_hand_in_its_own_kind_of_publication"
)
APPEARS_TEST = "tests/test_release.py::test_a_score_that_appears_or_disappears_is_a_score_change"
SUPPORTED_TEST = (
    "tests/test_scoring.py::"
    "test_two_supporting_pieces_combine_by_noisy_or_and_support_alone_is_supported"
)

DIFF_TEST = "tests/test_release.py::test_diff_command_prints_a_table_and_json"
CHAIN_TEST = (
    "tests/test_red_team.py::"
    "test_releases_are_read_in_number_order_and_each_must_chain_to_the_one_before"
)
IDENTIFIERS_TEST = (
    "tests/test_scoring.py::"
    "test_a_company_carries_its_current_identifiers_and_a_ticker_its_exchange"
)
LONG_REFUSAL_TEST = (
    "tests/test_bad_input.py::"
    "test_a_long_refusal_lists_each_problem_once_and_counts_what_it_leaves_out"
)
FEED_TEST = "tests/test_loader.py::test_feed_enters_the_same_tables_and_validation"
PARITY_TEST = "tests/test_door_parity.py::test_both_doors_judge_a_value_alike["
TRIMMED_TEST = (
    "tests/test_loader.py::test_text_is_trimmed_and_a_quote_in_any_english_is_its_own_translation"
)

REPORT_TEMPLATE = "transforms/exporters/report/templates/company.html"
REPORT_QUOTES_TEST = (
    "tests/test_cli.py::"
    "test_a_report_shows_the_speakers_words_apart_from_translations_and_paraphrases"
)
REPORT_ONCE_TEST = (
    "tests/test_cli.py::test_a_report_lists_each_piece_of_evidence_once_and_marks_retractions"
)
SOURCE_LINE_TEST = (
    "tests/test_cli.py::test_a_reports_source_line_shows_what_the_build_counts_and_every_address"
)
TIMELINE_TEST = (
    "tests/test_cli.py::test_the_timeline_marks_refutations_retractions_and_escapes_its_labels"
)
STORY_TEST = (
    "tests/test_cli.py::test_the_story_image_escapes_the_name_and_puts_the_chart_below_the_timeline"
)
GROUP_PAGE_TEST = (
    "tests/test_cli.py::"
    "test_a_groups_page_puts_the_company_first_and_every_number_links_to_one_item"
)
NUMBERING_TEST = (
    "tests/test_cli.py::"
    "test_the_report_numbers_items_by_date_kind_then_id_and_reads_the_newest_release"
)
CITED_TEST = (
    "tests/test_build.py::test_the_data_package_cites_sources_with_an_address_and_their_terms"
)
OVERLAP_TEST = (
    "tests/test_red_team.py::"
    "test_an_output_folder_that_overlaps_an_input_is_refused_before_anything_is_touched"
    "[releases/dist]"
)
LINK_TEST = "tests/test_red_team.py::test_no_output_file_or_lock_is_written_through_a_link"
CLI_ERRORS_TEST = "tests/test_red_team.py::test_a_disk_error_names_the_file_and_a_saydo_bug_exits_2"
NEW_CASE_TEST = (
    "tests/test_red_team.py::test_new_case_writes_no_control_character_and_nothing_through_a_link"
)

REFUSED_AS_WRITTEN_TEST = (
    "tests/test_door_parity.py::test_a_value_refused_as_written_is_named_once_at_either_door"
)
NULL_KEY_TEST = (
    "tests/test_bad_input.py::"
    "test_records_without_their_key_are_each_missing_it_not_sharing_the_key_none"
)
# The duplicate-id check joining keys as equal when NULL too: a key left empty is a key.
KEYS_NOT_DISTINCT = (
    "semi join repeated using ({keys})",
    "semi join repeated on {' and '.join(f'repeated.{k} is not distinct from "
    "{name}.{k}' for k in table.primary_key)}",
)

MUTATIONS = (
    # The evidence's and the link's checks each stand in for the other (a link is public once
    # its claim and evidence are), so only dropping both is a bug a test can see.
    Mutation(
        "as-of sees evidence and links before they were published",
        "transforms/sql/20_link_scores.sql",
        "    where (as_of is null or clock != 'published' or evidence.public_from <= as_of)",
        "    where true",
        ("tests/test_scoring.py::test_the_published_clock_never_sees_the_future",),
        also=(
            (
                "where (as_of is null or clock != 'published' or link.public_from <= as_of)",
                "where true",
            ),
        ),
    ),
    Mutation(
        "a month-dated fact is known from the month's first day",
        "transforms/sql/00_functions.sql",
        "when 'month' then (date_trunc('month', item_date) + interval 1 month - interval 1 day)"
        "::date",
        "when 'month' then item_date",
        ("tests/test_scoring.py::test_the_published_clock_never_sees_the_future",),
    ),
    Mutation(
        "evidence's own date is ignored by the published clock",
        "transforms/derive.py",
        "coalesce(greatest({own}, {source}), {own}, {source}, t.recorded_on)",
        "coalesce({source}, t.recorded_on)",
        ("tests/test_scoring.py::test_the_published_clock_never_sees_the_future",),
    ),
    Mutation(
        "an undated claim's own publication is ignored by the published clock",
        "transforms/derive.py",
        '            "floor_said_in_source_id.published_end, "\n',
        "",
        (
            "tests/test_scoring.py::"
            "test_an_undated_claim_is_public_once_the_company_had_published_it",
        ),
    ),
    Mutation(
        "ids are not checked as lowercase slugs",
        "schemas/types.py",
        'r"^[a-z0-9]+(?:-[a-z0-9]+)*$"',
        'r"^.+$"',
        ("tests/test_rule_catalogue.py", "tests/test_bad_input.py"),
    ),
    Mutation(
        "most cross-table rules switched off",
        "validations/rules.py",
        "return _generated_rules(today) + _WRITTEN_RULES + _EDITORIAL_RULES",
        "return _generated_rules(today)[:12] + _WRITTEN_RULES[:2]",
        ("tests/test_rule_catalogue.py",),
    ),
    Mutation(
        "the swap deletes dist/ and then copies the new build in",
        "transforms/publish.py",
        "    if out.exists() and _exchange(staging, out):\n"
        "        shutil.rmtree(staging)  # now holds the previous release\n",
        "    if out.exists():\n"
        "        shutil.rmtree(out)\n"
        "        shutil.copytree(staging, out)\n"
        "        shutil.rmtree(staging)\n",
        ("tests/test_faults.py",),
    ),
    Mutation(
        "a correction covers its whole record",
        "transforms/release/manifest.py",
        'corrected_fields = {(f["record_id"], f["field_name"]) for f in own_fixes}',
        'corrected_fields = {(f["record_id"], c) for f in own_fixes for c in table.fields}',
        ("tests/test_release.py",),
    ),
    Mutation(
        "a removed column bumps MINOR",
        "transforms/release/version.py",
        'return f"{major + 1}.0.0"',
        'return f"{major}.{minor + 1}.0"',
        ("tests/test_release.py",),
    ),
    Mutation(
        "the gate forgets the row-count bound",
        "validations/gate.py",
        "    if name in previous_rows:\n        before = previous_rows[name]",
        "    if False:\n        before = previous_rows[name]",
        ("tests/test_gate.py",),
    ),
    Mutation(
        "the gate forgets the drift of the mean score",
        "validations/gate.py",
        'if "claim_gap_mean" in scores and previous.method_version == METHOD_VERSION:',
        "if False:",
        ("tests/test_gate.py",),
    ),
    Mutation(
        "the gate forgets unresolved references",
        "validations/gate.py",
        'checks += [(f"unresolved_{fk.fields[0]}", 0, 0) for fk in table.foreign_keys]',
        "checks += []",
        ("tests/test_gate.py",),
    ),
    Mutation(
        "bands start just above their thresholds",
        "transforms/sql/00_functions.sql",
        "when score >= severe_from then 'severe'\n"
        "        when score >= high_from then 'high'\n"
        "        when score >= moderate_from then 'moderate'",
        "when score > severe_from then 'severe'\n"
        "        when score > high_from then 'high'\n"
        "        when score > moderate_from then 'moderate'",
        ("tests/test_scoring.py::test_bands_start_at_their_thresholds",),
    ),
    Mutation(
        "a link's strength is not kept within 0 and 1",
        "transforms/sql/20_link_scores.sql",
        "least(greatest(\n"
        "            voice_weight * relay_weight * confidence_weight * certainty_weight\n"
        "            * relation_weight * decay, 0), 1)",
        "(\n"
        "            voice_weight * relay_weight * confidence_weight * certainty_weight\n"
        "            * relation_weight * decay)",
        ("tests/test_scoring.py",),
    ),
    Mutation(
        "supporting pieces combine by max, not noisy-OR",
        "transforms/sql/30_claim_gap.sql",
        "1 - coalesce(product(1 - counted_strength) filter (where relation = 'supports'), 1)",
        "coalesce(max(counted_strength) filter (where relation = 'supports'), 0)",
        (
            "tests/test_scoring.py::test_two_supporting_pieces_combine_by_noisy_or_and_support_alone_is_supported",
        ),
    ),
    Mutation(
        "a claim only supported is never 'supported'",
        "transforms/sql/30_claim_gap.sql",
        "            when scored.supporting_evidence_count > 0 then 'supported'\n",
        "",
        (
            "tests/test_scoring.py::test_two_supporting_pieces_combine_by_noisy_or_and_support_alone_is_supported",
        ),
    ),
    Mutation(
        "saydo release does not record its release",
        "transforms/release/recording.py",
        'target = write_release(releases, envelope, out / "manifest.parquet", previous)',
        'target = releases / f"{version}.json"',
        ("tests/test_release.py",),
    ),
    Mutation(
        "a paraphrase of a claim counts as the company's words",
        "transforms/sql/00_functions.sql",
        "coalesce(quote_kind in ('verbatim', 'translation'), false)",
        "quote_kind is not null",
        ("tests/test_scoring.py::test_a_paraphrase_or_back_translation_never_confirms_a_claim",),
    ),
    Mutation(
        "the report does not escape the data",
        "transforms/exporters/report/__init__.py",
        'autoescape=select_autoescape(["html"])',
        "autoescape=False",
        ("tests/test_cli.py",),
    ),
    Mutation(
        "the DuckDB file carries the time it was built",
        "transforms/store.py",
        "    fill_history(con, versions)\n",
        "    fill_history(con, versions)\n    import time\n\n"
        '    con.execute(f"create table internal.built_at as select {time.time()} as t")\n',
        ("tests/test_build.py::test_every_file_of_two_builds_is_byte_identical",),
    ),
    # Two builds in one process share the empty package, so only laying it out twice sees this.
    Mutation(
        "the empty package is laid out with a random value",
        "transforms/store.py",
        "            for statement in statements:\n                con.execute(statement)\n",
        "            for statement in statements:\n                con.execute(statement)\n"
        '            con.execute("create table internal.drawn as select random() as r")\n',
        (EMPTY_PACKAGE_TEST,),
    ),
    Mutation(
        "a damaged copy of the empty package in .saydo-cache/ is used",
        "transforms/store.py",
        "return layout if layout.digest == digest else None",
        "return layout",
        (EMPTY_PACKAGE_TEST,),
    ),
    Mutation(
        "a release starts from the copy a plain build read from .saydo-cache/",
        "transforms/store.py",
        "    if layout is not None:\n        layout.write(path)\n",
        "    if layout is not None:\n"
        "        _LAID_OUT[fingerprint] = layout\n"
        "        layout.write(path)\n",
        (EMPTY_PACKAGE_TEST,),
    ),
    Mutation(
        "the empty package is reused after its statements change",
        "transforms/store.py",
        "PACKAGE_STORAGE_VERSION, path.name, statements)",
        "PACKAGE_STORAGE_VERSION, path.name)",
        (EMPTY_PACKAGE_TEST,),
    ),
    Mutation(
        "the DuckDB file's random string compression is back",
        "transforms/store.py",
        """con.execute("SET disabled_compression_methods = 'fsst'")""",
        "pass",
        ("tests/test_build.py::test_every_file_of_two_builds_is_byte_identical",),
    ),
    Mutation(
        "a company's group is scored from the companies asked for only",
        "transforms/sql/40_company_gap.sql",
        "from (select member_company_id from group_members\n",
        "from (select member_company_id from group_members\n"
        "                            where list_contains(companies, member_company_id)\n",
        ("tests/test_scoring.py::test_subsidiary_counts_in_the_group_not_in_the_parent",),
    ),
    # The build reads the stored claim rows for a slice's groups (company_gap_unchecked).
    Mutation(
        "a company's group is stored from its own slice of companies only",
        "transforms/sql/40_company_gap.sql",
        "         from group_members)\n    ) using (company_key)",
        "         from group_members where list_contains(companies, member_company_id))\n"
        "    ) using (company_key)",
        ("tests/test_build.py::test_views_stored_a_slice_of_companies_at_a_time_equal_the_whole",),
    ),
    Mutation(
        "record tables are stored in the order they were read, not by key",
        "transforms/store.py",
        'from {work}.{name} order by {keys}")',
        'from {work}.{name}")',
        ("tests/test_build.py::test_every_file_is_in_its_declared_order",),
    ),
    Mutation(
        "the story on a past date tells no claim",
        "transforms/sql/50_timeline.sql",
        "    select * from story_rows('claims', as_of, companies, clock)",
        "    select * from story_rows('claims', as_of,\n"
        "        case when as_of is null then companies else []::varchar[] end, clock)",
        ("tests/test_scoring.py::test_scoped_macros_return_exactly_the_views_rows",),
    ),
    Mutation(
        "a what-if copy tells the current story stored at build time",
        "transforms/store.py",
        'return "\\n".join([*views, live_timeline])',
        'return "\\n".join(views)',
        ("tests/test_scoring.py::test_a_live_copy_tells_the_current_story_from_its_records",),
    ),
    Mutation(
        "the weights' fingerprint reads a caller's CTE named score_weights",
        "transforms/sql/10_weights.sql",
        "    from main.score_weights",
        "    from score_weights",
        (
            "tests/test_scoring.py::test_a_query_of_its_own_named_like_a_table_changes_no_macro_answer",
        ),
    ),
    Mutation(
        "the story on a date names every refutation the package holds today",
        "transforms/sql/50_timeline.sql",
        "    select claim_id, evidence_id from known_rows('claim_evidence', as_of, clock)\n"
        "    where relation = 'refutes' and as_of is not null\n"
        "      and (clock != 'published' or public_from <= as_of)",
        "    select claim_id, evidence_id from main.claim_evidence\n"
        "    where relation = 'refutes' and as_of is not null",
        (
            "tests/test_scoring.py::test_the_published_clock_never_sees_the_future",
            "tests/test_scoring.py::test_the_released_clock_sees_only_what_was_released",
        ),
    ),
    Mutation(
        "the story on a date names what a response answers before it is known",
        "transforms/sql/50_timeline.sql",
        "                then case when response.claim_id in "
        "(select claim_id from known_claim_ids)\n"
        "                          then response.claim_id end\n"
        "            when response.evidence_id in (select evidence_id from known_evidence_ids)\n"
        "                then response.evidence_id\n"
        "        end,",
        "                then response.claim_id\n"
        "            else response.evidence_id\n"
        "        end,",
        ("tests/test_scoring.py::test_the_published_clock_never_sees_the_future",),
    ),
    Mutation(
        "claims on the released clock carry today's company names",
        "transforms/sql/30_claim_gap.sql",
        "select company_id, name from known_rows('companies', as_of, clock)",
        "select company_id, name from main.companies",
        ("tests/test_scoring.py::test_the_released_clock_sees_only_what_was_released",),
    ),
    Mutation(
        "an unset clock reads as an empty answer",
        "transforms/sql/00_functions.sql",
        "    case when clock in ('published', 'released') then clock::varchar",
        "    case when clock in ('published', 'released') or clock is null then clock::varchar",
        ("tests/test_scoring.py::test_a_clock_is_one_of_two_and_a_date_may_be_written_as_text",),
    ),
    Mutation(
        "a temporary table named like the package's is read in its place",
        "transforms/store.py",
        "        when count(*) = 0 then true",
        "        when true then true",
        (
            "tests/test_scoring.py::test_a_temporary_table_named_like_the_packages_stops_every_macro",
        ),
    ),
    Mutation(
        "a company id the package does not hold is an empty answer",
        "transforms/sql/10_weights.sql",
        "  and (unknown.company_id is null",
        "  and (true",
        (
            "tests/test_scoring.py::"
            "test_a_company_the_package_does_not_hold_is_an_error_not_an_empty_answer",
        ),
    ),
    Mutation(
        "an unknown id in other letters gets no suggestion",
        "transforms/sql/10_weights.sql",
        "join unknown_ids on held.company_id = lower(unknown_ids.company_id)",
        "join unknown_ids on held.company_id = unknown_ids.company_id",
        (
            "tests/test_scoring.py::"
            "test_a_company_the_package_does_not_hold_is_an_error_not_an_empty_answer",
        ),
    ),
    Mutation(
        "a company's name in other letters gets no suggestion",
        "transforms/sql/10_weights.sql",
        "join unknown_ids on lower(held.name) = lower(unknown_ids.company_id)",
        "join unknown_ids on held.name = unknown_ids.company_id",
        (
            "tests/test_scoring.py::"
            "test_a_company_the_package_does_not_hold_is_an_error_not_an_empty_answer",
        ),
    ),
    Mutation(
        "the released clock reads today's review status into an older release",
        "transforms/sql/20_link_scores.sql",
        "where (base is null or table_name = base) and as_of is not null",
        "where false and (base is null or table_name = base) and as_of is not null",
        ("tests/test_scoring.py::test_the_released_clock_sees_only_what_was_released",),
    ),
    Mutation(
        "a release's statuses are worked out from today's sources",
        "transforms/history.py",
        "released_from is not null and version_current_on(released_from, released_to, $day)",
        "valid_to is null",
        ("tests/test_scoring.py::test_the_released_clock_sees_only_what_was_released",),
    ),
    Mutation(
        "a tightened allowed list does not send the rows it passed back to pandera",
        "validations/door.py",
        "(c.name, c.type, c.required, c.enum, c.pattern, c.minimum, c.maximum)",
        "(c.name, c.type, c.required)",
        (DOOR_CACHE_TEST,),
    ),
    Mutation(
        "the door's cache passes rows judged under other checks, code or libraries",
        "validations/door.py",
        '(pl.col("table") == name) & (pl.col("fingerprint") == cls.fingerprint(name))',
        'pl.col("table") == name',
        (DOOR_CACHE_TEST,),
    ),
    Mutation(
        "a key left empty is a key: records without their id share the id 'None'",
        "validations/rules.py",
        "select {keys} from {name} where {filled}",
        "select {keys} from {name}",
        (NULL_KEY_TEST,),
        also=(KEYS_NOT_DISTINCT,),
    ),
    Mutation(
        "a key of two parts with one left empty is a key: links without evidence share one",
        "validations/rules.py",
        'filled = " and ".join(f"{k} is not null" for k in table.primary_key)',
        'filled = " or ".join(f"{k} is not null" for k in table.primary_key)',
        (NULL_KEY_TEST,),
        also=(KEYS_NOT_DISTINCT,),
    ),
    Mutation(
        "a record without its id hides every correction of an unknown record of its table",
        "validations/rules.py",
        "and not exists (select 1 from {table.name} where {key} = fix.record_id)",
        "and fix.record_id not in (select {key} from {table.name})",
        (
            "tests/test_bad_input.py::"
            "test_a_record_without_its_id_hides_no_correction_of_an_unknown_record",
        ),
    ),
    Mutation(
        "a rule reads a value refused in another field of its record as absent",
        "validations/rules.py",
        '_refused_cell("found._origin", rule.table, (rule.field, *rule.reads))',
        '_refused_cell("found._origin", rule.table, (rule.field,))',
        (UNKNOWNS_TEST,),
    ),
    Mutation(
        "a rule that asks whether a value is there counts a refused one as absent",
        "validations/rules.py",
        'return f"({present} or {refused})"',
        'return f"({present})"',
        (UNKNOWNS_TEST,),
    ),
    Mutation(
        "a thousand refused values fill a rule's rows and hide the problems after them",
        "validations/rules.py",
        "    if rule.table not in refused_tables:\n        return sql\n",
        "    return sql\n",
        (
            "tests/test_rule_catalogue.py::"
            "test_a_thousand_refused_dates_hide_no_rules_problem_after_them",
        ),
    ),
    Mutation(
        "a company group whose top is refused, unknown or in a loop is a group of its own",
        "validations/rules.py",
        "           join known_tops as ",
        "           join tops as ",
        (UNKNOWNS_TEST,),
    ),
    Mutation(
        "a claim read in a source that is not there hides its verbatim quote's language",
        "validations/rules.py",
        "           left join sources as read_in on read_in.source_id = claim.source_id",
        "           join sources as read_in on read_in.source_id = claim.source_id",
        (UNKNOWNS_TEST,),
    ),
    Mutation(
        "problems of one field on one line come in the order of a set's hashes",
        "validations/problems.py",
        "return (p.file, p.line or 0, p.field, p.rule, p.message, p.record, p.hint)",
        "return (p.file, p.line or 0, p.field)",
        ("tests/test_rule_catalogue.py::test_problems_of_one_field_on_one_line_come_in_one_order",),
    ),
    Mutation(
        "the rules read again a value the door refused as written",
        "transforms/build.py",
        "        ingested.rejected | refused_as_written,\n",
        "        ingested.rejected,\n",
        (REFUSED_AS_WRITTEN_TEST,),
    ),
    Mutation(
        "a case file's value refused as written is read again by the rules",
        "validations/door.py",
        "origin_id = row_origins[row]\n"
        "            if refused_as_written is not None and check != REQUIRED:",
        "origin_id = row_origins[row]\n            if False:",
        (REFUSED_AS_WRITTEN_TEST,),
    ),
    Mutation(
        "a feed's value refused as written is read again by the rules",
        "validations/door.py",
        "for column, check, value in failures:\n"
        "                if refused_as_written is not None and check != REQUIRED:",
        "for column, check, value in failures:\n                if False:",
        (REFUSED_AS_WRITTEN_TEST,),
    ),
    Mutation(
        "whether a verbatim quote is in the company's language reads a refused language tag",
        "validations/rules.py",
        'reads=("said_in_source_id", "quote_lang"),',
        'reads=("said_in_source_id",),',
        (REFUSED_AS_WRITTEN_TEST,),
    ),
    Mutation(
        "a rule about a claim reads its source's refused language",
        "validations/rules.py",
        """        return f"({refused})" if table in refused_tables else "false"\n""",
        """        return "false"\n""",
        (
            "tests/test_door_parity.py::"
            "test_a_sources_language_refused_as_written_is_not_read_for_the_claims_quoting_it",
        ),
    ),
    Mutation(
        "an id used twice is a duplicate only three times over",
        "validations/rules.py",
        "                    group by all having count(*) > 1\n",
        "                    group by all having count(*) > 2\n",
        ("tests/test_bad_input.py::test_duplicate_id_across_two_files_names_both",),
    ),
    Mutation(
        "a year-precision date need not be the year's first day",
        "validations/rules.py",
        "                   or ({precision} = 'year' and (month({name}) != 1 or day({name}) != 1))",
        "",
        ("tests/test_rule_catalogue.py::test_each_rule_stops_exactly_at_its_edge",),
    ),
    Mutation(
        "a record retracted on the day it was recorded is refused",
        "validations/rules.py",
        "from {table.name} where retracted_on < recorded_on",
        "from {table.name} where retracted_on <= recorded_on",
        ("tests/test_rule_catalogue.py::test_each_rule_stops_exactly_at_its_edge",),
    ),
    Mutation(
        "a retraction alone keeps the release's version",
        "transforms/release/version.py",
        "        or any(comparison.retracted.values())\n",
        "",
        ("tests/test_release.py::test_a_retraction_alone_bumps_patch",),
    ),
    Mutation(
        "a correction dated before the last release is accepted",
        "transforms/derive.py",
        '    checks.append(("corrections", "corrected_on", "first_release"))\n',
        "",
        ("tests/test_scoring.py::test_a_record_dated_before_the_last_release_is_refused",),
    ),
    Mutation(
        "a retraction dated before the last release is accepted",
        "transforms/derive.py",
        '    checks += [\n        (name, "retracted_on", "last_changed_release")',
        '    checks += [] and [\n        (name, "retracted_on", "last_changed_release")',
        ("tests/test_scoring.py::test_a_record_dated_before_the_last_release_is_refused",),
    ),
    Mutation(
        "the changes show the wording before the last correction, not the published one",
        "transforms/release/changes.py",
        "arg_min(previous_value, corrected_on) as old_value",
        "arg_max(previous_value, corrected_on) as old_value",
        (
            "tests/test_release.py::"
            "test_two_corrections_in_one_release_show_what_was_published_and_what_is_now",
        ),
    ),
    Mutation(
        "a status that moves without its score is not a score change",
        "transforms/release/changes.py",
        "            where old.gap_score is distinct from new.gap_score\n"
        "               or old.status is distinct from new.status",
        "            where old.gap_score is distinct from new.gap_score",
        ("tests/test_release.py::test_a_status_that_moves_without_its_score_is_a_score_change",),
    ),
    Mutation(
        "a build where only sources were corrected keeps no release's statuses",
        "transforms/history.py",
        'for name in ("sources", *RESTS_ON)',
        "for name in RESTS_ON",
        (SOURCES_CORRECTED_TEST,),
    ),
    Mutation(
        "a source based on a corrected one keeps today's status on the released clock",
        "transforms/history.py",
        "where chain.ancestor_id in (select source_id from internal.sources_versions)",
        "where chain.node_id in (select source_id from internal.sources_versions)",
        (SOURCES_CORRECTED_TEST,),
    ),
    Mutation(
        "a link's released status is worked out only when both its ends changed",
        "transforms/history.py",
        "where claim_then.record_id is not null or evidence_then.record_id is not null",
        "where claim_then.record_id is not null and evidence_then.record_id is not null",
        (SOURCES_CORRECTED_TEST,),
    ),
    Mutation(
        "a released record is as checked as the strongest thing it rests on",
        "transforms/history.py",
        "review_status_of_rank(least(min(review_rank(rested_on.review_status)),",
        "review_status_of_rank(greatest(min(review_rank(rested_on.review_status)),",
        (SOURCES_CORRECTED_TEST,),
    ),
    Mutation(
        "of two sources a released record rests on, the stronger counts",
        "transforms/history.py",
        "coalesce(min(floors.floor_rank), 4)",
        "coalesce(max(floors.floor_rank), 4)",
        (SOURCES_CORRECTED_TEST,),
    ),
    Mutation(
        "a released link is as checked as its stronger end",
        "transforms/history.py",
        "        review_status_of_rank(least(\n            review_rank(coalesce(claim_then",
        "        review_status_of_rank(greatest(\n            review_rank(coalesce(claim_then",
        (SOURCES_CORRECTED_TEST,),
    ),
    Mutation(
        "a refuted and supported claim not confirmed reads 'disputed'",
        "transforms/sql/30_claim_gap.sql",
        "            when scored.refuting_evidence_count > 0 and not scored.claim_confirmed\n"
        "                then 'unconfirmed'\n"
        "            when scored.refuting_evidence_count > 0"
        " and scored.supporting_evidence_count > 0\n"
        "                then 'disputed'\n",
        "            when scored.refuting_evidence_count > 0"
        " and scored.supporting_evidence_count > 0\n"
        "                then 'disputed'\n"
        "            when scored.refuting_evidence_count > 0 and not scored.claim_confirmed\n"
        "                then 'unconfirmed'\n",
        (UNCONFIRMED_TEST,),
    ),
    Mutation(
        "a claim whose own review needs it counts as confirmed",
        "transforms/sql/30_claim_gap.sql",
        "            and claim.effective_review_status != 'needs_review' as claim_confirmed,",
        "            as claim_confirmed,",
        (UNCONFIRMED_TEST,),
    ),
    Mutation(
        "a claim whose words were not kept counts as confirmed",
        "transforms/sql/30_claim_gap.sql",
        "            and claim.quote is not null\n",
        "",
        (UNCONFIRMED_TEST,),
    ),
    Mutation(
        "a retracted claim keeps its company 'known' on a date",
        "transforms/sql/30_claim_gap.sql",
        "exists (select 1 from main.claims where retracted_on is null\n",
        "exists (select 1 from main.claims where true\n",
        (
            "tests/test_scoring.py::"
            "test_a_company_whose_every_claim_was_retracted_has_none_on_any_date",
        ),
    ),
    Mutation(
        "a verbatim quote is refused beside a statement in several languages",
        "validations/rules.py",
        "where claim.quote_kind = 'verbatim' and own.source_lang not in ('und', 'mul')",
        "where claim.quote_kind = 'verbatim'",
        (EDGE_TEST + "verbatim French from a statement in several languages]",),
    ),
    Mutation(
        "a verbatim quote is refused when its report's original is of undetermined language",
        "validations/rules.py",
        "             and original.source_lang not in ('und', 'mul')",
        "",
        (EDGE_TEST + "verbatim from a report based on a source of undetermined language]",),
    ),
    Mutation(
        "the kept empty package is used under another DuckDB",
        "transforms/store.py",
        "repr((duckdb.__version__, PACKAGE_STORAGE_VERSION,",
        "repr((PACKAGE_STORAGE_VERSION,",
        (EMPTY_PACKAGE_TEST,),
    ),
    Mutation(
        "the kept empty package is used after its code changed",
        "transforms/store.py",
        "    for code in _LAYOUT_CODE:\n        digest.update(code.read_bytes())\n",
        "",
        (EMPTY_PACKAGE_TEST,),
    ),
    Mutation(
        "a release's statuses are still read after the next release",
        "transforms/history.py",
        "$day::date as released_from, $until::date as released_to,",
        "$day::date as released_from, NULL::date as released_to,",
        (NEXT_RELEASE_TEST,),
    ),
    Mutation(
        "a released status is read on any day after its release",
        "transforms/sql/20_link_scores.sql",
        "  and version_current_on(released_from, released_to, as_of);",
        "  and released_from <= as_of;",
        (NEXT_RELEASE_TEST,),
    ),
    Mutation(
        "a record added and retracted in one release is listed as added only",
        "transforms/release/changes.py",
        'where retracted_on is not null and last_changed_release = {this}"""',
        "where retracted_on is not null and last_changed_release = {this}\n"
        '              and first_release != {this}"""',
        ("tests/test_release.py::test_new_records_bump_minor",),
    ),
    Mutation(
        "the gate forgets the verdicts of suites it did not judge",
        "validations/gate.py",
        '            elif match["suite"] in suite_names:',
        "            else:",
        (FORGET_VERDICTS_TEST,),
    ),
    Mutation(
        "a verdict used again is forgotten as if unused",
        "validations/gate.py",
        "        os.utime(path)  # used now",
        "        pass  # used now",
        (FORGET_VERDICTS_TEST,),
    ),
    Mutation(
        "the changelog lists a record added and retracted in one release as added only",
        "transforms/release/manifest.py",
        "comparison.retracted[name] = sorted(record_id for record_id, _ in retracted)",
        "comparison.retracted[name] = sorted(retracted_since)",
        ("tests/test_release.py::test_new_records_bump_minor",),
    ),
    Mutation(
        "saydo diff lists a record added and retracted in one release as added only",
        "transforms/release/diff.py",
        "from new_ids n left join old_ids o using (record_id)",
        "from new_ids n join old_ids o using (record_id)",
        ("tests/test_release.py::test_new_records_bump_minor",),
    ),
    Mutation(
        "an adapter run again records every row as new today",
        "transforms/ingest/adapters.py",
        "return self.recorded_on.get(record_id, self.today)",
        "return self.today",
        (ADAPTER_RERUN_TEST,),
    ),
    Mutation(
        "an adapter writes its feeds in the list's own order",
        "transforms/ingest/adapters.py",
        """        frame = pl.DataFrame(rows, schema={c: schema[c] for c in columns}).sort(
            list(TABLES[table].primary_key)
        )""",
        "        frame = pl.DataFrame(rows, schema={c: schema[c] for c in columns})",
        (ADAPTER_RERUN_TEST,),
    ),
    Mutation(
        "a number out of range is shown as the text pandera hands back",
        "validations/door.py",
        'return f"{_number(value, shown)} is out of range."',
        'return f"{shown} is out of range."',
        (
            "tests/test_bad_input.py::test_each_bad_record_is_named_at_its_file_line_and_field["
            "amount below its minimum]",
        ),
    ),
    Mutation(
        "a response's released status is not read in the story",
        "transforms/sql/50_timeline.sql",
        "when 'response' then 'responses' end",
        "when 'response' then 'response' end",
        (SOURCES_CORRECTED_TEST,),
    ),
    Mutation(
        "a Parquet feed's rows are numbered from 0 in messages",
        "transforms/ingest/origins.py",
        "            return row + 1\n",
        "            return row\n",
        ("tests/test_red_team.py::test_a_parquet_row_is_reported_at_its_number_counted_from_one",),
    ),
    Mutation(
        "a C1 control character in a case file's text is accepted",
        "transforms/ingest/yaml_reader.py",
        r"\x0e-\x1f\x7f-\x9f]",
        r"\x0e-\x1f]",
        (
            "tests/test_red_team.py::"
            "test_control_and_format_characters_are_refused_and_never_printed_raw",
        ),
    ),
    Mutation(
        "a case file with CR line endings is read as one line",
        "transforms/ingest/yaml_reader.py",
        '.replace("\\r\\n", "\\n").replace("\\r", "\\n")',
        '.replace("\\r\\n", "\\n")',
        ("tests/test_hostile.py::test_a_control_character_anywhere_is_refused_at_its_line",),
    ),
    Mutation(
        "saydo diff lists a retraction as a change to retracted_on too",
        "transforms/release/diff.py",
        'i for i, c in enumerate(columns) if c not in ("retracted_on", "retraction_reason")',
        "i for i, c in enumerate(columns)",
        (DIFF_TEST,),
    ),
    Mutation(
        "saydo diff lists again what the older release had already retracted",
        "transforms/release/diff.py",
        "where n.retracted and not coalesce(o.retracted, false) order by 1",
        "where n.retracted order by 1",
        (DIFF_TEST,),
    ),
    Mutation(
        "saydo diff prints a bare header when nothing changed",
        "transforms/release/diff.py",
        '        if len(lines) == 2:\n            lines.append("(no changes)")\n',
        "",
        (DIFF_TEST,),
    ),
    Mutation(
        "a duplicate key's message names its second line as its first",
        "transforms/ingest/yaml_reader.py",
        "(first on line {seen[key]})",
        "(first on line {line})",
        ("tests/test_loader.py::test_duplicate_key_in_a_record_is_refused",),
    ),
    Mutation(
        "a case file's text keeps the spaces and line break around it",
        "transforms/ingest/cases.py",
        "return _nfc(value).strip()",
        "return _nfc(value)",
        (TRIMMED_TEST,),
    ),
    Mutation(
        "a quote in British English is not its own translation",
        "transforms/ingest/cases.py",
        '(row.get("quote_lang") or "").split("-")[0] == "en"',
        '(row.get("quote_lang") or "") == "en"',
        (TRIMMED_TEST,),
    ),
    Mutation(
        "YAML's true is read as the number 1",
        "transforms/ingest/cases.py",
        "if (isinstance(value, bool) and column.type != BOOLEAN) or not",
        "if not",
        (
            "tests/test_bad_input.py::test_each_bad_record_is_named_at_its_file_line_and_field["
            "true where a number belongs]",
        ),
    ),
    Mutation(
        "a case file named other than a slug is refused row by row",
        "transforms/ingest/cases.py",
        'if not is_slug(case_id.removeprefix("feed:")):',
        "if False:",
        ("tests/test_loader.py::test_a_case_file_named_other_than_a_slug_is_one_clear_message",),
    ),
    Mutation(
        "a feed's TRUE and FALSE in capitals are not booleans",
        "transforms/ingest/feeds.py",
        "BOOLEAN: f\"case lower({value}) when 'true'",
        "BOOLEAN: f\"case {value} when 'true'",
        (FEED_TEST,),
    ),
    Mutation(
        "a feed's date need not be written YYYY-MM-DD",
        "transforms/ingest/feeds.py",
        "f\"case when regexp_full_match({value}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') \"",
        'f"case when true "',
        (FEED_TEST,),
    ),
    Mutation(
        "a feed's column names keep the spaces around them",
        "transforms/ingest/feeds.py",
        "return [name.strip() for name in csv_header(head)]",
        "return list(csv_header(head))",
        (FEED_TEST,),
    ),
    Mutation(
        "a feed's text is stored in the form it was written, not NFC",
        "transforms/ingest/feeds.py",
        'return _trimmed(f"nfc_normalize({col})")',
        "return _trimmed(col)",
        (FEED_TEST,),
    ),
    Mutation(
        "a NaN in a Parquet feed's number column is accepted",
        "transforms/ingest/feeds.py",
        'return f"case when isfinite({col}::double) then {col}::double end"',
        'return f"{col}::double"',
        ("tests/test_red_team.py::test_a_parquet_row_is_reported_at_its_number_counted_from_one",),
    ),
    Mutation(
        "a feed without a required column is refused row by row, not at its header",
        "transforms/ingest/feeds.py",
        "if column.required and not column.derived and column.name not in seen:",
        "if False:",
        ("tests/test_red_team.py::test_a_feed_without_a_required_column_is_named_at_its_header",),
    ),
    Mutation(
        "a feed's value at its column's minimum is refused",
        "validations/door.py",
        'checks.append((MINIMUM, f"{name} < {column.minimum}"))',
        'checks.append((MINIMUM, f"{name} <= {column.minimum}"))',
        (EDGE_TEST + "an amount of 0, at its minimum, at both doors]",),
    ),
    Mutation(
        "a case file's value at its column's minimum is refused",
        "schemas/generate.py",
        "found.append(pa_pl.Check.ge(column.minimum))",
        "found.append(pa_pl.Check.gt(column.minimum))",
        (EDGE_TEST + "an amount of 0, at its minimum, at both doors]",),
    ),
    Mutation(
        "releases are read in the order of their names as text (1.10.0 before 1.9.0)",
        "transforms/release/records.py",
        "releases.sort(key=lambda r: version_key(r.version))",
        "releases.sort(key=lambda r: r.version)",
        (CHAIN_TEST,),
    ),
    Mutation(
        "a release chains to the one before it by version alone, not by its bytes",
        "transforms/release/records.py",
        'if link.get("version") != previous.version or link.get("sha256") != sha256_of(',
        'if link.get("version") != previous.version or False and link.get("sha256") != sha256_of(',
        (CHAIN_TEST,),
    ),
    Mutation(
        "a release record under another release's name is read",
        "transforms/release/records.py",
        "if not isinstance(version, str) or version != path.stem:",
        "if not isinstance(version, str):",
        ("tests/test_red_team.py::test_a_release_record_under_another_version_s_name_is_named",),
    ),
    Mutation(
        "a stray file in releases/ is read as a record as well as named",
        "transforms/release/records.py",
        "            continue\n        try:\n            releases.append",
        "            pass\n        try:\n            releases.append",
        ("tests/test_red_team.py::test_a_stray_or_broken_release_record_is_named",),
    ),
    Mutation(
        "a CSV's header row is not neutralised",
        "transforms/exporters/query.py",
        "writer.writerow([neutralise(c) for c in columns])",
        "writer.writerow(columns)",
        ("tests/test_cli.py::test_csv_export_neutralises_formulas_and_keeps_utf8",),
    ),
    Mutation(
        "a query's column names reach the terminal raw",
        "transforms/exporters/query.py",
        "    columns = [printable(c) for c in columns]\n",
        "",
        ("tests/test_red_team.py::test_query_output_escapes_control_characters",),
    ),
    Mutation(
        "a retracted identifier is still the company's",
        "transforms/derive.py",
        "            where retracted_on is null\n            group by company_id",
        "            group by company_id",
        (IDENTIFIERS_TEST,),
    ),
    Mutation(
        "a company's ticker is published without its exchange",
        "transforms/derive.py",
        "min(coalesce(issuer || ':', '') || identifier) filter (where scheme = 'ticker')",
        "min(identifier) filter (where scheme = 'ticker')",
        (IDENTIFIERS_TEST,),
    ),
    Mutation(
        "a refusal lists a problem two checks found twice",
        "validations/problems.py",
        "self.problems = sorted(set(problems), key=",
        "self.problems = sorted(problems, key=",
        (LONG_REFUSAL_TEST,),
    ),
    Mutation(
        "a long refusal counts every problem as left out",
        "validations/problems.py",
        '"  ... and {len(self.problems) - limit} more."',
        '"  ... and {len(self.problems)} more."',
        (LONG_REFUSAL_TEST,),
    ),
    Mutation(
        "a release's records file is read through a link",
        "transforms/release/records.py",
        "if not records.is_file() or records.is_symlink():",
        "if not records.is_file():",
        ("tests/test_red_team.py::test_a_release_record_edited_by_hand_is_refused",),
    ),
    Mutation(
        "an error message reaches the terminal with its control characters",
        "transforms/cli/__init__.py",
        "print(printable_lines(message), file=sys.stderr)",
        "print(message, file=sys.stderr)",
        ("tests/test_red_team.py::test_query_output_escapes_control_characters",),
    ),
    Mutation(
        "a query's table shows every row on a terminal",
        "transforms/exporters/query.py",
        "        for row in rows[:limit]\n",
        "        for row in rows\n",
        ("tests/test_cli.py::test_query_wide_never_cuts_and_the_default_says_when_it_cuts",),
    ),
    Mutation(
        "a line break in a value splits its row in a query's table",
        "transforms/exporters/query.py",
        '.replace("\\n", " ")',
        "",
        ("tests/test_cli.py::test_query_wide_never_cuts_and_the_default_says_when_it_cuts",),
    ),
    Mutation(
        "a value under its minimum is told the wrong bound",
        "validations/door.py",
        'else f"at least {column.minimum:g}"',
        'else f"at most {column.minimum:g}"',
        (
            "tests/test_bad_input.py::test_each_bad_record_is_named_at_its_file_line_and_field["
            "amount below its minimum]",
        ),
    ),
    Mutation(
        "text on two lines does not match text's pattern",
        "schemas/types.py",
        'r"^[\\s\\S]*\\S[\\s\\S]*$",',
        'r"^.*\\S.*$",',
        (
            "tests/test_build.py::test_datapackage_describes_every_shipped_file",
            EDGE_TEST + "a summary on two lines]",
        ),
    ),
    Mutation(
        "the DuckDB file keeps no allowed values",
        "schemas/generate.py",
        '            line += f" CHECK ({c.name} IN ({allowed}))"\n',
        "",
        ("tests/test_build.py::test_every_column_is_typed_and_commented_as_the_registry_declares",),
    ),
    Mutation(
        "an Arabic quote with a region is shown left to right",
        "transforms/exporters/report/__init__.py",
        'return "rtl" if (lang or "").split("-")[0] in RTL_LANGUAGES else "ltr"',
        'return "rtl" if (lang or "") in RTL_LANGUAGES else "ltr"',
        ("tests/test_cli.py::test_report_writes_an_index_and_a_page_per_company",),
    ),
    Mutation(
        "a release lists again the corrections of earlier releases",
        "transforms/release/changes.py",
        "            where list_contains({releases_sql}, first_release)\n",
        "",
        ("tests/test_release.py::test_correction_and_retraction_keep_history_and_bump_patch",),
    ),
    Mutation(
        "a quarter of the report's chart ends a month early",
        "transforms/exporters/report/chart.py",
        "month = (day.month - 1) // 3 * 3 + 3",
        "month = (day.month - 1) // 3 * 3 + 2",
        (CHART_TEST,),
    ),
    Mutation(
        "the report's chart stops a quarter before the data date",
        "transforms/exporters/report/chart.py",
        "range(number(first), number(last) + 1)",
        "range(number(first), number(last))",
        (CHART_TEST,),
    ),
    Mutation(
        "the chart credits a move to items public in earlier quarters",
        "transforms/exporters/report/__init__.py",
        "if quarter_end(day) == quarter",
        "if day <= quarter",
        (CHART_TEST,),
    ),
    # The SQL that computes the numbers a journalist prints (the fourth hunt).
    Mutation(
        "a company's group reaches only its direct subsidiaries",
        "transforms/sql/00_functions.sql",
        "    where walk.depth < 50\n)\n\nselect distinct group_company_id",
        "    where walk.depth < 1\n)\n\nselect distinct group_company_id",
        (GENERATIONS_TEST,),
    ),
    Mutation(
        "a chain of parents is walked one step only",
        "transforms/sql/00_functions.sql",
        "where parent.parent_id is not null and walk.depth < 50",
        "where parent.parent_id is not null and walk.depth < 1",
        (GENERATIONS_TEST, CHAIN_OF_SOURCES_TEST),
    ),
    Mutation(
        "a translation is public from the earliest date along its chain",
        "transforms/sql/00_functions.sql",
        "       max(date_period_end(source.published_date, source.published_date_precision))",
        "       min(date_period_end(source.published_date, source.published_date_precision))",
        (CHAIN_OF_SOURCES_TEST,),
    ),
    Mutation(
        "a company's agent in leaked material is weighed as relayed",
        "transforms/sql/00_functions.sql",
        "                                                  'company_marketing', 'leaked_document')",
        "                                                  'company_marketing')",
        (SPEAKERS_TEST,),
    ),
    Mutation(
        "a government in a committee's report is weighed as relayed",
        "transforms/sql/00_functions.sql",
        "        when 'government' then source_type in ('regulator_action', 'government_list',\n"
        "                                               'legislative_report')",
        "        when 'government' then source_type in ('regulator_action', 'government_list')",
        (SPEAKERS_TEST,),
    ),
    Mutation(
        "the story on a date leaves out what became public that day",
        "transforms/sql/00_functions.sql",
        "  and (clock != 'published' or public_from <= as_of);",
        "  and (clock != 'published' or public_from < as_of);",
        ("tests/test_scoring.py::test_the_published_clock_never_sees_the_future",),
    ),
    Mutation(
        "a support read in the report a refutation was read in is merged into it",
        "transforms/sql/20_link_scores.sql",
        "        partition by claim_id, relation, counts_as_source_id",
        "        partition by claim_id, counts_as_source_id",
        (
            "tests/test_scoring.py::"
            "test_a_supporting_piece_is_never_merged_into_a_refuting_one_from_the_same_report",
        ),
    ),
    Mutation(
        "time decay in the views runs to the day they are read",
        "transforms/sql/20_link_scores.sql",
        "select coalesce(as_of, (select max(data_date) from main.releases)) as reference_date",
        "select coalesce(as_of, current_date) as reference_date",
        ("tests/test_scoring.py::test_time_decay_is_off_by_default_and_halves_per_half_life",),
    ),
    Mutation(
        "a link's relation weight is left out of its strength",
        "transforms/sql/20_link_scores.sql",
        "            * relation_weight * decay, 0), 1)",
        "            * decay, 0), 1)",
        ("tests/test_scoring.py::test_changing_a_weight_changes_scores_as_the_formula_says",),
    ),
    Mutation(
        "a claim's refuting pieces are listed by id, not strongest first",
        "transforms/sql/30_claim_gap.sql",
        "        list(evidence_id order by counted_strength desc, strength desc, evidence_id)\n"
        "            filter (where relation = 'refutes')",
        "        list(evidence_id order by evidence_id)\n"
        "            filter (where relation = 'refutes')",
        ("tests/test_scoring.py::test_methodology_worked_example_matches_the_view",),
    ),
    Mutation(
        "today's claim scores say the first release's data date",
        "transforms/sql/30_claim_gap.sql",
        "        coalesce(as_of::date, (select max(data_date) from main.releases)) as as_of,",
        "        coalesce(as_of::date, (select min(data_date) from main.releases)) as as_of,",
        ("tests/test_scoring.py::test_the_released_clock_sees_only_what_was_released",),
    ),
    Mutation(
        "a supported claim does not count in its company's mean",
        "transforms/sql/40_company_gap.sql",
        "        mean_to_tenth(case when status != 'unverified' then gap_score end) as gap_score,",
        "        mean_to_tenth(case when status not in ('unverified', 'supported')"
        " then gap_score end) as gap_score,",
        (SUPPORTED_TEST,),
    ),
    Mutation(
        "a claim only supported is not counted as tested",
        "transforms/sql/40_company_gap.sql",
        "        count(*) filter (where status != 'unverified') as tested_claims,",
        "        count(*) filter (where refuting_evidence_count > 0) as tested_claims,",
        (SUPPORTED_TEST,),
    ),
    Mutation(
        "a company's highest claim score is its lowest",
        "transforms/sql/40_company_gap.sql",
        "        max(gap_score) as max_claim_gap_score",
        "        min(gap_score) as max_claim_gap_score",
        (SUPPORTED_TEST,),
    ),
    Mutation(
        "a group counts its questioned claims as contradicted",
        "transforms/sql/40_company_gap.sql",
        "        count(claim.claim_id) filter (where claim.status = 'contradicted')\n"
        "            as group_contradicted_claims",
        "        count(claim.claim_id) filter (where claim.status in"
        " ('contradicted', 'questioned'))\n            as group_contradicted_claims",
        ("tests/test_scoring.py::test_review_status_reaches_every_record_resting_on_a_source",),
    ),
    Mutation(
        "company_gap_as_of(NULL) reads the stored rows after the weights change",
        "transforms/sql/40_company_gap.sql",
        "    where view_name = 'company_gap' and as_of is null\n"
        "      and weights_fingerprint = score_weights_fingerprint()",
        "    where view_name = 'company_gap' and as_of is null",
        ("tests/test_scoring.py::test_changing_a_weight_changes_scores_as_the_formula_says",),
    ),
    Mutation(
        "the story on a date names the claim a reply answers before it is public",
        "transforms/sql/50_timeline.sql",
        "    select claim_id from known_rows('claims', as_of, clock)\n"
        "    where as_of is not null and (clock != 'published' or public_from <= as_of)",
        "    select claim_id from known_rows('claims', as_of, clock)\n    where as_of is not null",
        (
            "tests/test_scoring.py::"
            "test_a_reply_names_the_claim_it_answers_only_once_that_is_public",
        ),
    ),
    Mutation(
        "a retracted claim's score is not a score change",
        "transforms/release/changes.py",
        "            full join old_scores as old using (level, scored_id)",
        "            left join old_scores as old using (level, scored_id)",
        (APPEARS_TEST,),
    ),
    Mutation(
        "a new claim's score is said to have been known before",
        "transforms/release/changes.py",
        '{"old.scored_id is not null" if known else "false"} as old_score_known',
        '{"true" if known else "false"} as old_score_known',
        (APPEARS_TEST,),
    ),
    # --- the fifth mutation hunt: the report, release files, outputs, rule edges ---------------
    Mutation(
        "a paraphrase is shown without saying it is not the speaker's words",
        REPORT_TEMPLATE,
        '{% if kind and kind != "verbatim" %}',
        '{% if kind and kind not in ("verbatim", "paraphrase") %}',
        (REPORT_QUOTES_TEST,),
    ),
    Mutation(
        "the report shows the English translation as the quote",
        REPORT_TEMPLATE,
        ">{{ text }}</blockquote>",
        ">{{ english or text }}</blockquote>",
        (REPORT_QUOTES_TEST,),
    ),
    Mutation(
        "saydo's translation is not said to be saydo's",
        "transforms/exporters/report/__init__.py",
        '"saydo_translation": "translation by saydo",',
        '"saydo_translation": "",',
        (REPORT_QUOTES_TEST,),
    ),
    Mutation(
        "a reply's headline is shown as its words",
        REPORT_TEMPLATE,
        "{{ quote(r.quote, r.quote_lang, r.quote_en, r.quote_en_origin, r.quote_kind) }}",
        "{{ quote(r.quote, r.quote_lang, r.quote_en, r.quote_en_origin, None) }}",
        (REPORT_QUOTES_TEST,),
    ),
    Mutation(
        "other evidence's paraphrase is shown as its words",
        REPORT_TEMPLATE,
        "{{ quote(item.quote, item.quote_lang, item.quote_en, None, item.quote_kind) }}",
        "{{ quote(item.quote, item.quote_lang, item.quote_en, None, None) }}",
        (REPORT_QUOTES_TEST,),
    ),
    Mutation(
        "a claim's card shows its company's band as its status",
        REPORT_TEMPLATE,
        '<a href="index.html#{{ c.status }}"><strong>{{ c.status }}</strong></a>',
        '<a href="index.html#{{ c.status }}"><strong>{{ company.band }}</strong></a>',
        (REPORT_QUOTES_TEST,),
    ),
    Mutation(
        "a retracted claim's card is not marked retracted",
        REPORT_TEMPLATE,
        "{% if c.retracted_on %} · <strong",
        "{% if c.link_retracted_on %} · <strong",
        (REPORT_ONCE_TEST,),
    ),
    Mutation(
        "a retracted link's row is not marked retracted",
        REPORT_TEMPLATE,
        "'retracted' if ev.retracted_on or link.link_retracted_on",
        "'retracted' if ev.retracted_on",
        (REPORT_ONCE_TEST,),
    ),
    Mutation(
        "evidence linked to a claim is listed again as other evidence",
        "transforms/exporters/report/__init__.py",
        'if i["item_kind"] == "evidence" and i["item_id"] not in linked',
        'if i["item_kind"] == "evidence"',
        (REPORT_ONCE_TEST,),
    ),
    Mutation(
        "a retracted item is not struck through on the timeline",
        "transforms/exporters/report/__init__.py",
        'retracted=i["retracted_on"] is not None,',
        "retracted=False,",
        (TIMELINE_TEST,),
    ),
    Mutation(
        "a timeline label is not escaped",
        "transforms/exporters/report/timeline.py",
        'fill="#18181b"{strike}>{esc(item.label)}</text>',
        'fill="#18181b"{strike}>{item.label}</text>',
        (TIMELINE_TEST,),
    ),
    Mutation(
        "refuting evidence is drawn grey and other evidence red",
        "transforms/exporters/report/timeline.py",
        'return COLOURS["refuting"] if self.refutes else COLOURS["evidence"]',
        'return COLOURS["evidence"] if self.refutes else COLOURS["refuting"]',
        (TIMELINE_TEST,),
    ),
    Mutation(
        "a refuting item's label does not name the claims it refutes",
        "transforms/exporters/report/__init__.py",
        'claim_numbers[c] for c in (i["refutes_claim_ids"] or []) if c in claim_numbers',
        "claim_numbers[c] for c in [] if c in claim_numbers",
        (TIMELINE_TEST,),
    ),
    Mutation(
        "a December-dated item's span on the timeline runs backwards",
        "transforms/exporters/report/timeline.py",
        "following = dt.date(date.year + (date.month == 12), date.month % 12 + 1, 1)",
        "following = dt.date(date.year, date.month % 12 + 1, 1)",
        ("tests/test_cli.py::test_a_date_known_to_its_month_spans_the_month_even_in_december",),
    ),
    Mutation(
        "timeline labels in a row may touch",
        "transforms/exporters/report/timeline.py",
        "return all(right + GAP <= a or left >= b + GAP for a, b in self.boxes[row])",
        "return all(right <= a or left >= b for a, b in self.boxes[row])",
        ("tests/test_cli.py::test_timeline_labels_keep_a_gap_between_them_in_a_row",),
    ),
    Mutation(
        "the story image does not escape the company's name",
        "transforms/exporters/report/__init__.py",
        'f"{esc(name)}: what it said, and what is documented</text>"',
        'f"{name}: what it said, and what is documented</text>"',
        (STORY_TEST,),
    ),
    Mutation(
        "the story image draws the chart over the timeline",
        "transforms/exporters/report/__init__.py",
        "f'<svg y=\"{header + height_of[0]}\">{chart}</svg>',",
        "f'<svg y=\"{header}\">{chart}</svg>',",
        (STORY_TEST,),
    ),
    Mutation(
        "a merged piece of evidence points at a claim's number",
        "transforms/exporters/report/__init__.py",
        'number_of.get(("evidence", merged)) if merged else None',
        'number_of.get(("claim", merged)) if merged else None',
        (GROUP_PAGE_TEST,),
    ),
    Mutation(
        "evidence linked to two claims gets its anchor twice",
        "transforms/exporters/report/__init__.py",
        '                    link["evidence_id"] not in anchored,\n',
        "                    True,\n",
        (GROUP_PAGE_TEST,),
    ),
    Mutation(
        "a group's page lists its members by id, the company not first",
        "transforms/exporters/report/__init__.py",
        "order by member_company_id = $root desc, member_company_id",
        "order by member_company_id",
        (GROUP_PAGE_TEST,),
    ),
    Mutation(
        "a source line shows the source's own status, not the weakest it rests on",
        REPORT_TEMPLATE,
        "{% set status = source_status[source_id] %}",
        "{% set status = s.review_status %}",
        (SOURCE_LINE_TEST,),
    ),
    Mutation(
        "a source with no address hides its archived copy",
        REPORT_TEMPLATE,
        "{% if s.archived_url %} · <a",
        "{% if s.url and s.archived_url %} · <a",
        (SOURCE_LINE_TEST,),
    ),
    Mutation(
        "undated items are numbered first",
        "transforms/exporters/report/__init__.py",
        '            i["item_date"] is None,\n            anchor_moment',
        '            i["item_date"] is not None,\n            anchor_moment',
        (NUMBERING_TEST,),
    ),
    Mutation(
        "the report reads the oldest release",
        "transforms/exporters/report/__init__.py",
        "order by data_date desc, release desc limit 1",
        "order by data_date, release limit 1",
        (NUMBERING_TEST,),
    ),
    Mutation(
        "SHA256SUMS lists only the release folder's top files",
        "transforms/release/package.py",
        'for p in sorted(folder.rglob("*"))',
        'for p in sorted(folder.glob("*"))',
        (
            "tests/test_build.py::test_sha256sums_vouches_for_every_file_in_every_folder_of_the_release",
        ),
    ),
    Mutation(
        "the DuckDB file keeps its random identifier",
        "transforms/release/package.py",
        "        header[_DUCKDB_HEADER_ID] = bytes(16)\n",
        "",
        (
            "tests/test_build.py::"
            "test_the_duckdb_files_random_identifier_is_zeroed_and_the_file_still_opens",
        ),
    ),
    Mutation(
        "a source known only by its archived copy is not cited",
        "transforms/release/package.py",
        '        if source.get("url") or source.get("archived_url")\n    ]',
        '        if source.get("url")\n    ]',
        (CITED_TEST,),
    ),
    Mutation(
        "a cited source loses its licence",
        "transforms/release/package.py",
        'for k in ("rights", "licence") if source.get(k)',
        'for k in ("rights",) if source.get(k)',
        (CITED_TEST,),
    ),
    Mutation(
        "a retracted source is cited in datapackage.json",
        "transforms/build.py",
        '"where retracted_on is null order by source_id"',
        '"order by source_id"',
        ("tests/test_build.py::test_the_data_package_cites_no_retracted_source",),
    ),
    Mutation(
        "a synthetic source alone does not make the input synthetic",
        "transforms/build.py",
        'for name in ("claims", "sources")',
        'for name in ("claims",)',
        (
            "tests/test_build.py::"
            "test_a_synthetic_claim_or_a_synthetic_source_makes_the_input_synthetic",
        ),
    ),
    Mutation(
        "a release problem does not name the release record",
        "transforms/build.py",
        'f"{problem.message} (see {problem.file})",',
        "problem.message,",
        ("tests/test_release.py::test_changed_value_without_correction_is_refused_at_its_line",),
    ),
    Mutation(
        "frictionless reads an empty number as NaN",
        "schemas/generate.py",
        '        spec["missingValues"] = ["", "nan"]\n',
        "        pass\n",
        ("tests/test_build.py::test_pandera_and_frictionless_follow_the_registry",),
    ),
    Mutation(
        "the DuckDB file has no NOT NULL",
        "schemas/generate.py",
        '            line += " NOT NULL"\n',
        "            pass\n",
        ("tests/test_build.py::test_every_column_is_typed_and_commented_as_the_registry_declares",),
    ),
    Mutation(
        "an allowed value added is listed as changed, one removed is not",
        "transforms/release/manifest.py",
        "and set(before[c][2]) - set(now[c].enum)",
        "and set(now[c].enum) - set(before[c][2])",
        (
            "tests/test_release.py::"
            "test_the_version_follows_what_changed_in_the_columns_and_the_rows",
        ),
    ),
    Mutation(
        "a release folder holding the datasets may be the output",
        "transforms/publish.py",
        "if target == source or source.is_relative_to(target) or target.is_relative_to(source):",
        "if target == source or target.is_relative_to(source):",
        ("tests/test_red_team.py::test_a_release_folder_holding_the_datasets_is_not_an_output",),
    ),
    Mutation(
        "an output folder inside an input may be used",
        "transforms/publish.py",
        "if target == source or source.is_relative_to(target) or target.is_relative_to(source):",
        "if target == source or source.is_relative_to(target):",
        (OVERLAP_TEST,),
    ),
    Mutation(
        "the build may write inside releases/",
        "transforms/build.py",
        "check_output_folder(out, inputs=(datasets, releases))",
        "check_output_folder(out, inputs=(datasets,))",
        (OVERLAP_TEST,),
    ),
    Mutation(
        "a folder with either of a release's files is replaced as a release",
        "transforms/publish.py",
        'return (folder / "SHA256SUMS").is_file() and (folder / "datapackage.json").is_file()',
        'return (folder / "SHA256SUMS").is_file() or (folder / "datapackage.json").is_file()',
        ("tests/test_red_team.py::test_a_folder_is_saydos_release_only_with_both_of_its_files",),
    ),
    Mutation(
        "an output file that is a link is written through",
        "transforms/publish.py",
        "if target.is_symlink() or (target.exists() and not target.is_file()):",
        "if target.exists() and not target.is_file():",
        (LINK_TEST,),
    ),
    Mutation(
        "a lock file that is a link is written through",
        "transforms/publish.py",
        "if lock_path.is_symlink() or (lock_path.exists() and not lock_path.is_file()):",
        "if lock_path.exists() and not lock_path.is_file():",
        (LINK_TEST,),
    ),
    Mutation(
        "Ctrl-C exits 1 like a refused input",
        "transforms/cli/__init__.py",
        "    return 130\n",
        "    return 1\n",
        ("tests/test_red_team.py::test_ctrl_c_anywhere_exits_130_with_one_line",),
    ),
    Mutation(
        "a record recorded on the day it records is refused",
        "validations/rules.py",
        "from {table.name} where recorded_on < {name}",
        "from {table.name} where recorded_on <= {name}",
        (EDGE_TEST + "a claim dated and recorded today]",),
    ),
    Mutation(
        "an en-GB quote's original English is refused as a translation",
        "validations/rules.py",
        "and split_part(quote_lang, '-', 1) != 'en'",
        "and quote_lang != 'en'",
        (EDGE_TEST + "an English quote from Britain, in its original English]",),
    ),
    Mutation(
        "a claim said in the company's marketing is refused",
        "validations/rules.py",
        "                                            'company_marketing')",
        "                                            'company_report')",
        (EDGE_TEST + "a claim said in the company's marketing]",),
    ),
    Mutation(
        "a Wikidata id may start with 0",
        "validations/rules.py",
        "regexp_full_match(identifier, 'Q[1-9][0-9]*')",
        "regexp_full_match(identifier, 'Q[0-9]+')",
        (EDGE_TEST + "a Wikidata id with a leading zero]",),
    ),
    Mutation(
        "a PermID may start with 0",
        "validations/rules.py",
        "regexp_full_match(identifier, '[1-9][0-9]*'))",
        "regexp_full_match(identifier, '[0-9]+'))",
        (EDGE_TEST + "a PermID with a leading zero]",),
    ),
    Mutation(
        "a loop of three parents is missed",
        "validations/rules.py",
        "                 and not list_contains(walk.path, walk.current_id)",
        "                 and len(walk.path) < 2",
        ("tests/test_rule_catalogue.py::test_a_loop_of_three_parents_is_named_from_each_company",),
    ),
    Mutation(
        "a duplicated id's problem names its own place among the others",
        "validations/rules.py",
        "for o in members if o != origin_id",
        "for o in members",
        ("tests/test_bad_input.py::test_duplicate_id_across_two_files_names_both",),
    ),
    Mutation(
        "a disk error's message does not name the file",
        "transforms/cli/__init__.py",
        '        where = f" {error.filename}" if error.filename else ""\n'
        "        return (\n"
        '            f"saydo could not',
        '        where = ""\n        return (\n            f"saydo could not',
        (CLI_ERRORS_TEST,),
    ),
    Mutation(
        "a saydo bug exits 1 like a refused input",
        "transforms/cli/__init__.py",
        "            file=sys.stderr,\n        )\n        return 2",
        "            file=sys.stderr,\n        )\n        return 1",
        (CLI_ERRORS_TEST,),
    ),
    Mutation(
        "query takes SQL and a file at once, the file ignored",
        "transforms/cli/read.py",
        "if (args.sql is None) == (args.file is None):",
        "if args.sql is None and args.file is None:",
        ("tests/test_red_team.py::test_query_takes_its_sql_one_way_only",),
    ),
    Mutation(
        "saydo feed exits 0 beside an adapter it cannot read",
        "transforms/cli/data.py",
        "return 0 if not problems else 1",
        "return 0",
        (
            "tests/test_cli.py::"
            "test_feed_lists_the_adapters_it_can_read_and_exits_1_naming_the_one_it_cannot",
        ),
    ),
    Mutation(
        "new-case writes through a dangling link",
        "transforms/cli/data.py",
        "if target.exists() or target.is_symlink():",
        "if target.exists():",
        (NEW_CASE_TEST,),
    ),
    Mutation(
        "new-case takes a title with a control character",
        "transforms/cli/data.py",
        "    if not title.isprintable():\n",
        "    if False:\n",
        (NEW_CASE_TEST,),
    ),
    Mutation(
        "the report may be written into datasets/",
        "transforms/cli/read.py",
        '            raise OutputRefused(f"saydo will not write the report into {source}; '
        'use --out.")\n',
        "            pass\n",
        ("tests/test_red_team.py::test_the_report_is_never_written_into_datasets",),
    ),
    Mutation(
        "a parsed case file is kept under a key that ignores its text",
        "transforms/ingest/parsed_cache.py",
        'digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()',
        'digest = hashlib.sha256(b"").hexdigest()',
        (f"{PARSED_TEST}test_a_rebuild_parses_only_the_file_that_changed",),
    ),
    Mutation(
        "parsed case files are read back under another reader",
        "transforms/ingest/parsed_cache.py",
        'if stored.get("fingerprint") == self.fingerprint:',
        "if True:",
        (f"{PARSED_TEST}test_a_cache_from_another_reader_or_a_broken_one_is_never_read",),
    ),
    Mutation(
        "a parsed mapping read back from the cache loses its line",
        "transforms/ingest/parsed_cache.py",
        'if value["l"] is not None:',
        "if False:",
        (f"{PARSED_TEST}test_every_real_case_file_and_every_kind_of_node_reads_back_as_parsed",),
    ),
    Mutation(
        "a refusal reported in one case file hides the same refusal in the next",
        "transforms/ingest/cases.py",
        "    out.reported_refusals = set()\n",
        "",
        ("tests/test_bad_input.py::test_the_same_refused_value_in_two_files_is_reported_in_each",),
    ),
    Mutation(
        "a parsed-case cache nested too deep stops the build",
        "transforms/ingest/parsed_cache.py",
        "        except Exception:  # RecursionError included: nested too deep to read\n",
        "        except (OSError, ValueError):\n",
        (f"{PARSED_TEST}test_a_cache_from_another_reader_or_a_broken_one_is_never_read",),
    ),
    Mutation(
        "a refused value read back from the cache keeps a line that is text",
        "transforms/ingest/parsed_cache.py",
        "if type(line) is not int or type(message) is not str or type(hint) is not str:",
        "if False:",
        (f"{PARSED_TEST}test_a_cache_from_another_reader_or_a_broken_one_is_never_read",),
    ),
    Mutation(
        "a claim recorded on the day of the build is dropped as it is read",
        "transforms/ingest/cases.py",
        "        out.rows[table.name].append(row)\n",
        "        if str(row.get('recorded_on')) != '2025-01-01' or table.name != 'claims':\n"
        "            out.rows[table.name].append(row)\n",
        (f"{EDGE_TEST}a claim dated and recorded today]",),
    ),
    Mutation(
        "a feed's text is trimmed of ASCII whitespace only",
        "transforms/ingest/feeds.py",
        '_SPACE = rf"[{WHITE_SPACE_RE2}\\x{{1c}}-\\x{{1f}}]"',
        '_SPACE = r"[\\t\\n\\x0b\\x0c\\r ]"',
        (f"{PARITY_TEST}nbsp-after-allowed-value]",),
    ),
    Mutation(
        "the feed door reads a pattern's \\s as RE2 does, ASCII only",
        "validations/door.py",
        "sql_string(re2_pattern(column.pattern))",
        "sql_string(column.pattern)",
        (f"{PARITY_TEST}nbsp-in-url-path]",),
    ),
    Mutation(
        "a feed's text may hold control characters",
        "transforms/ingest/feeds.py",
        "return f\"regexp_matches({_quoted(name)}, '{_CONTROL}')\"",
        'return "false"',
        (f"{PARITY_TEST}escape-in-text]",),
    ),
    Mutation(
        "a feed's date may be before year 1",
        "transforms/ingest/feeds.py",
        "between {_FIRST_DAY} and {_LAST_DAY} then ({date_sql}) end",
        "is not null then ({date_sql}) end",
        (f"{PARITY_TEST}year-zero]",),
    ),
    Mutation(
        "a feed's decimal too large for a double is stored as infinity",
        "transforms/ingest/feeds.py",
        'f"and isfinite(try_cast({value} as DOUBLE)) then try_cast({value} as DOUBLE) end"',
        'f"then try_cast({value} as DOUBLE) end"',
        (f"{PARITY_TEST}decimal-overflowing-to-infinity]",),
    ),
    Mutation(
        "a case file's decimal too large for a double is stored as infinity",
        "transforms/ingest/yaml_reader.py",
        "if not math.isfinite(number):",
        "if False:",
        (f"{PARITY_TEST}decimal-overflowing-to-infinity]",),
    ),
    Mutation(
        "a case file's date may be written in digits of any script",
        "schemas/types.py",
        'r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$"',
        'r"^(\\d{4})(?:-(\\d{2})(?:-(\\d{2}))?)?$"',
        (f"{PARITY_TEST}arabic-indic-digits-date]",),
    ),
    Mutation(
        "finding a feed's line stops at a cell over 128 KB",
        "transforms/ingest/origins.py",
        "    csv.field_size_limit(max(csv.field_size_limit(), path.stat().st_size + 1))\n",
        "",
        (
            "tests/test_door_parity.py::"
            "test_a_feed_with_a_cell_longer_than_csvs_default_limit_is_told_its_line",
        ),
    ),
    Mutation(
        "a feed's header ended by CR alone stops the check",
        "transforms/ingest/origins.py",
        'io.StringIO(text, newline="")',
        "io.StringIO(text)",
        ("tests/test_door_parity.py::test_a_feed_whose_lines_end_in_cr_alone_is_read",),
    ),
)


def _scratch_copy(target: Path) -> None:
    """The tracked files as they are in the working tree (uncommitted edits included)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = REPO / os.fsdecode(name)
        if source.is_file():
            destination = target / os.fsdecode(name)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def apply_check(mutation: Mutation) -> None:
    """Stop, naming it, if `mutation` no longer applies to the working tree."""
    with tempfile.TemporaryDirectory(prefix="saydo-mutate-check-") as folder:
        copy = Path(folder) / mutation.path
        copy.parent.mkdir(parents=True)
        shutil.copy2(REPO / mutation.path, copy)
        apply(Path(folder), mutation)


def apply(root: Path, mutation: Mutation) -> None:
    path = root / mutation.path
    text = path.read_text(encoding="utf-8")
    for old, new in ((mutation.old, mutation.new), *mutation.also):
        if old not in text:
            raise SystemExit(
                f"mutation '{mutation.name}' no longer applies: {mutation.path} does not contain "
                f"{old!r}. Update it in transforms/dev/mutate.py."
            )
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


# Far above any mutation's run here (2-25 s): a bug that makes the tests loop forever is caught
# (the suite never passes with it) rather than hanging this check.
HANG_SECONDS = 180


def run_one(mutation: Mutation, scratch: Path) -> tuple[bool, float]:
    """True when a fast test failed with the bug in place."""
    root = scratch / "repo"
    if root.exists():
        shutil.rmtree(root)
    _scratch_copy(root)
    apply(root, mutation)
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        result = subprocess.run(
            [
                *(sys.executable, "-m", "pytest", "-x", "-q", "-n", "0", "-m", "not slow"),
                *("-p", "no:cacheprovider", *mutation.tests),
            ],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=HANG_SECONDS,
        )
    except subprocess.TimeoutExpired:
        return True, time.perf_counter() - started
    if result.returncode not in (0, 1):  # not a test failure: the run itself broke
        tail = "\n".join(result.stdout.splitlines()[-15:])
        raise SystemExit(f"mutation '{mutation.name}': pytest exited {result.returncode}\n{tail}")
    return result.returncode == 1, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", help="only mutations whose name contains this text")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.k or args.k in m.name]
    # Every mutation must still apply before any is run: a stale one should not cost minutes.
    for mutation in chosen:
        apply_check(mutation)
    survived = []
    with tempfile.TemporaryDirectory(prefix="saydo-mutate-") as folder:
        for mutation in chosen:
            caught, seconds = run_one(mutation, Path(folder))
            print(f"{'caught  ' if caught else 'SURVIVED'} {seconds:5.1f} s  {mutation.name}")
            if not caught:
                survived.append(mutation.name)
    print(f"\n{len(chosen) - len(survived)} of {len(chosen)} deliberate bugs caught by fast tests.")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
