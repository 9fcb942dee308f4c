"""A catalogue case for every kind of cross-table rule: each breaks the hand-made case in one
way, and the rule of that kind must name the record and the field. A rule kind with no case here
fails the last test, so a new rule arrives with its case."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import (
    TODAY,
    identify,
    made_once,
    minimal_case,
    read_as_the_build_reads,
    variant_name,
    write_case,
    write_variant,
)
from transforms.build import check, validate
from validations.problems import InputError, Problem
from validations.rules import rule_kinds


@dataclass(frozen=True)
class Feed:
    """A feed file to write beside the case (for rules that a case file's door cannot reach)."""

    path: str  # under datasets/feeds/
    text: str

    def write(self, datasets: Path) -> None:
        target = datasets / "feeds" / self.path
        target.parent.mkdir(parents=True)
        target.write_text(self.text, encoding="utf-8")


def _claim(case: dict, i: int = 0) -> dict:
    return case["claims"][i]


def _evidence(case: dict) -> dict:
    return case["evidence"][0]


def _correction(case: dict, **fields) -> None:
    case["corrections"] = [
        {
            "table_name": "claims",
            "record_id": "acme-denial",
            "field_name": "summary",
            "previous_value": "Acme said no.",
            "corrected_on": "2024-02-01",
            "reason": "Reworded.",
        }
        | fields
    ]


def _unquote(record: dict, note: str | None = None) -> dict:
    for field in ("quote", "quote_lang", "quote_en", "quote_kind", "quote_en_origin"):
        record.pop(field, None)
    if note:
        record["review_note"] = note
    return record


def _in_french(case: dict) -> None:
    """The denial's words given in French, verbatim, with their English translation."""
    _claim(case).update(
        quote="Nous ne l'avons jamais fait.",
        quote_lang="fr",
        quote_en="We never did it.",
        quote_en_origin="saydo_translation",
    )


_LISTED_HEADER = (
    "evidence_id,company_id,source_id,evidence_date,evidence_date_precision,"
    "evidence_type,voice,summary,review_status,review_note,recorded_on\n"
)


def _listed_on(date: str, precision: str) -> Feed:
    return Feed(
        "evidence/listed.csv",
        _LISTED_HEADER + f"feed-one,acme,src-report,{date},{precision},government_list,"
        "government,Listed.,verified,No quote.,2024-01-10\n",
    )


def _nil_amounts(case: dict) -> Feed:
    """An amount of 0 (its minimum) in the case file, which pandera judges, and in a feed, which
    the same check judges as SQL."""
    _evidence(case).update(amount=0, amount_currency="USD", amount_kind="donation")
    return Feed(
        "evidence/nil.csv",
        _LISTED_HEADER.replace("recorded_on\n", "recorded_on,amount,amount_currency,amount_kind\n")
        + "feed-one,acme,src-report,2023-06-01,day,government_list,government,Listed.,verified,"
        "No quote.,2024-01-10,0,USD,donation\n",
    )


# (rule kind, how the case is broken, record named, field named)
CATALOGUE: list[tuple[str, Callable[[dict], object], str, str]] = [
    (
        "foreign_key",
        lambda c: _claim(c).update(company_id="ghost"),
        "claim acme-denial",
        "company_id",
    ),
    (
        "recorded_before_reference",  # the claim entered before its source did (2024-01-10)
        lambda c: _claim(c).update(recorded_on="2024-01-05"),
        "claim acme-denial",
        "recorded_on",
    ),
    (
        "future_date",
        lambda c: _evidence(c).update(evidence_date="2030-01-01"),
        "evidence acme-files",
        "evidence_date",
    ),
    (
        "date_precision",  # a feed's own precision column contradicting its date
        lambda c: _listed_on("2023-06-15", "month"),
        "evidence feed-one",
        "evidence_date_precision",
    ),
    (
        "recorded_before_date",  # recorded on 2023-05-01, a day before the files it records
        lambda c: _evidence(c).update(recorded_on="2023-05-01"),
        "evidence acme-files",
        "recorded_on",
    ),
    (
        "retraction_reason",
        lambda c: _evidence(c).update(retracted_on="2024-06-01"),
        "evidence acme-files",
        "retraction_reason",
    ),
    (
        "retracted_before_recorded",
        lambda c: _evidence(c).update(retracted_on="2023-12-01", retraction_reason="Forged."),
        "evidence acme-files",
        "retracted_on",
    ),
    ("correction_target", lambda c: _correction(c, record_id="ghost"), "correction", "record_id"),
    (
        "correction_field",
        lambda c: _correction(c, field_name="claim_id"),
        "correction",
        "field_name",
    ),
    (
        "correction_before_record",
        lambda c: _correction(c, corrected_on="2023-12-31"),
        "correction",
        "corrected_on",
    ),
    ("quote_needs", lambda c: _claim(c).pop("quote_lang"), "claim acme-denial", "quote_lang"),
    (
        "quote_orphans",  # the words went, their language stayed
        lambda c: (_claim(c).pop("quote"), _claim(c).update(review_note="Known as described.")),
        "claim acme-denial",
        "quote",
    ),
    (
        "translation_origin",  # an Arabic quote's English cannot be the original
        lambda c: _claim(c, 1).update(quote_en_origin="original"),
        "claim acme-arabic",
        "quote_en_origin",
    ),
    ("unquoted_needs_note", lambda c: _unquote(_evidence(c)), "evidence acme-files", "review_note"),
    (
        "own_parent",
        lambda c: c["companies"][0].update(
            parent_company_id="acme", parent_relationship="affiliate"
        ),
        "company acme",
        "parent_company_id",
    ),
    (
        "parent_loop",
        lambda c: c["companies"][0].update(
            parent_company_id="acme-sub", parent_relationship="affiliate"
        ),
        "company acme",
        "parent_company_id",
    ),
    (
        "parent_relationship",  # a relationship with no parent
        lambda c: c["companies"][2].update(parent_relationship="subsidiary"),
        "company other",
        "parent_relationship",
    ),
    (
        "based_on_itself",
        lambda c: c["sources"][0].update(based_on_source_id="src-report"),
        "source src-report",
        "based_on_source_id",
    ),
    (
        "link_unrelated_companies",
        lambda c: c["links"].append(
            {
                "claim_id": "acme-denial",
                "evidence_id": "other-files",
                "relation": "context",
                "confidence": "low",
                "rationale": "Wrong company.",
            }
        ),
        "link acme-denial -> other-files",
        "evidence_id",
    ),
    (
        "undated_claim_needs_note",
        lambda c: _claim(c).pop("claim_date"),
        "claim acme-denial",
        "claim_date",
    ),
    (
        "response_subject",
        lambda c: c["responses"][0].pop("evidence_id"),
        "response acme-reply",
        "claim_id",
    ),
    ("amount_parts", lambda c: _evidence(c).update(amount=5), "evidence acme-files", "amount"),
    (
        "said_in_not_company",  # a news report is not where the company said it
        lambda c: _claim(c).update(said_in_source_id="src-report"),
        "claim acme-denial",
        "said_in_source_id",
    ),
    (
        "verbatim_in_another_language",  # French words from an English statement
        _in_french,
        "claim acme-denial",
        "quote_kind",
    ),
    (
        "verbatim_of_a_translation",  # English words from a report translating an Arabic one
        lambda c: c["sources"][0].update(based_on_source_id="src-company-ar"),
        "evidence acme-files",
        "quote_kind",
    ),
    (
        "high_on_a_headline",
        lambda c: _evidence(c).update(quote_kind="headline"),
        "link acme-denial -> acme-files",
        "confidence",
    ),
    (
        "primary_is_own_source",
        lambda c: _evidence(c).update(primary_source_id="src-report"),
        "evidence acme-files",
        "primary_source_id",
    ),
    (
        "licence_without_open_rights",
        lambda c: c["sources"][0].update(licence="CC-BY-4.0"),
        "source src-report",
        "licence",
    ),
    (
        "identifier_form",
        lambda c: identify(c, "ticker", "ACME"),
        "identifier acme -> ticker -> ACME",
        "identifier",
    ),
    (
        "identifier_check_digit",  # Apple's ISIN is US0378331005
        lambda c: identify(c, "isin", "US0378331006"),
        "identifier acme -> isin -> US0378331006",
        "identifier",
    ),
]


@pytest.fixture(scope="module")
def problems_of_every_case() -> list[Problem]:
    """One check of a folder holding every catalogue case that breaks the case file, each
    in its own file with its ids prefixed by the case's name: the rules judge all the records
    at once, as they do in a real build, and one check stands for thirty (the problems each
    case raises are the same alone or together; the rules never look across unrelated
    records). A case that writes a feed is checked on its own in the test. Made once for the
    run."""

    def cases() -> Iterator[tuple[str, dict]]:
        for kind, mutate, _, _ in CATALOGUE:
            case = minimal_case()
            if not isinstance(mutate(case), Feed):
                yield kind, case

    return made_once("rule-catalogue", lambda folder: _checked_together(folder, cases()))


def _checked_together(folder: Path, cases: Iterable[tuple[str, dict]]) -> list[Problem]:
    """The problems of one check of folder/datasets holding each (name, case) in a file of its
    own, its ids prefixed with the name (write_variant)."""
    for name, case in cases:
        write_variant(folder / "datasets", case, variant_name(name))
    with pytest.raises(InputError) as caught:
        check(folder / "datasets", today=TODAY)
    return caught.value.problems


@pytest.mark.parametrize(
    ("kind", "mutate", "record", "field"),
    [pytest.param(*case, id=case[0]) for case in CATALOGUE],
)
def test_each_rule_kind_names_the_record_and_field(
    tmp_path: Path,
    problems_of_every_case: list[Problem],
    kind: str,
    mutate,
    record: str,
    field: str,
) -> None:
    case = minimal_case()
    feed = mutate(case)
    if isinstance(feed, Feed):
        write_case(tmp_path / "datasets", case)
        feed.write(tmp_path / "datasets")
        with pytest.raises(InputError) as caught:
            check(tmp_path / "datasets", today=TODAY)
        problems, expected_file, prefix = caught.value.problems, f"datasets/feeds/{feed.path}", ""
    else:
        problems = problems_of_every_case
        expected_file = f"datasets/cases/{variant_name(kind)}.yaml"
        prefix = f"{variant_name(kind)}-"
    found = [p for p in problems if p.rule.split(":")[0] == kind and p.file == expected_file]
    assert found, f"no {kind} problem in {expected_file}:\n" + "\n".join(
        p.render() for p in problems
    )
    assert any(
        p.record.replace(prefix, "").startswith(record) and p.field == field and p.line
        for p in found
    ), "\n".join(p.render() for p in found)


def test_every_rule_kind_has_a_catalogue_case() -> None:
    covered = [kind for kind, *_ in CATALOGUE]
    assert len(covered) == len(set(covered))
    assert sorted(set(rule_kinds()) - set(covered)) == []
    assert sorted(set(covered) - set(rule_kinds())) == []  # no case for a rule that is gone


def test_the_unbroken_case_passes_every_rule(tmp_path: Path) -> None:
    write_case(tmp_path / "datasets", minimal_case())
    assert check(tmp_path / "datasets", today=TODAY)["claims"] == 2


def _variant_problems(problems: list[Problem], name: str) -> list[Problem]:
    """The problems of the variant `name` among a shared check's: those in its own file."""
    return [p for p in problems if p.file == f"datasets/cases/{name}.yaml"]


def _unprefixed(problem: Problem, prefix: str = "") -> tuple:
    """A problem as (rule, record, field, line, message), a variant's `prefix` taken off."""
    return (
        problem.rule,
        problem.record.replace(prefix, ""),
        problem.field,
        problem.line,
        problem.message.replace(prefix, ""),
    )


@pytest.mark.slow
def test_each_case_raises_the_same_problems_alone_as_beside_the_others(
    tmp_path: Path, problems_of_every_case: list[Problem]
) -> None:
    """What lets one check stand for thirty: no rule looks across unrelated records. A rule
    that did would make a case's problems differ beside the others; this checks each alone."""
    for kind, mutate, _, _ in CATALOGUE:
        case = minimal_case()
        if isinstance(mutate(case), Feed):
            continue
        write_case(tmp_path / kind / "datasets", case)
        with pytest.raises(InputError) as caught:
            check(tmp_path / kind / "datasets", today=TODAY)
        name = variant_name(kind)
        beside = [
            _unprefixed(p, f"{name}-") for p in _variant_problems(problems_of_every_case, name)
        ]
        alone = [_unprefixed(p) for p in caught.value.problems]
        assert sorted(beside) == sorted(alone), kind


# (what the edge is, how the case reaches it, the rule kind refusing it or None when allowed)
EDGES: list[tuple[str, Callable[[dict], object], str | None]] = [
    (
        # The case's records are recorded on 2024-01-10 (its header): a retraction that day is
        # not before the recording.
        "retracted on the day it was recorded",
        lambda c: _evidence(c).update(retracted_on="2024-01-10", retraction_reason="Forged."),
        None,
    ),
    ("a year stored as its first day", lambda c: _listed_on("2023-01-01", "year"), None),
    ("a year stored as a later day", lambda c: _listed_on("2023-06-15", "year"), "date_precision"),
    ("a month stored as its first day", lambda c: _listed_on("2023-06-01", "month"), None),
    ("an amount of 0, at its minimum, at both doors", _nil_amounts, None),
    (
        # Text may run over several lines (a YAML block); its pattern is any text that is not
        # all whitespace.
        "a summary on two lines",
        lambda c: _claim(c).update(summary="Acme denied it.\nIn two lines."),
        None,
    ),
    (
        # A statement published in several languages (mul) holds French words as said.
        "verbatim French from a statement in several languages",
        lambda c: (c["sources"][1].update(source_lang="mul"), _in_french(c)),
        None,
    ),
    (
        # Whether a report translates an original of undetermined language (und) is unknown, so
        # its English words are not refused as a translation's.
        "verbatim from a report based on a source of undetermined language",
        lambda c: (
            c["sources"][2].update(source_lang="und"),
            c["sources"][0].update(based_on_source_id="src-company-ar"),
        ),
        None,
    ),
    (
        # Recorded today (the build's day, 2025-01-01) and dated today: neither in the future
        # nor recorded before what it records.
        "a claim dated and recorded today",
        lambda c: _claim(c, 1).update(claim_date="2025-01-01", recorded_on="2025-01-01"),
        None,
    ),
    (
        "an English quote from Britain, in its original English",
        lambda c: _claim(c).update(quote_lang="en-GB", quote_en_origin="original"),
        None,
    ),
    (
        # Marketing is the company's own publication as much as its statements are.
        "a claim said in the company's marketing",
        lambda c: (
            c["sources"].append(
                dict(c["sources"][1], source_id="src-advert", source_type="company_marketing")
            ),
            _claim(c).update(said_in_source_id="src-advert"),
        ),
        None,
    ),
    (
        # A headline may give context at high confidence; only refuting or supporting on it is
        # refused (the denial's own link is lowered so it does not refuse on the headline).
        "a context link at high confidence on a headline",
        lambda c: (
            _evidence(c).update(quote_kind="headline"),
            c["links"][0].update(confidence="medium"),
            c["links"].append(
                {
                    "claim_id": "acme-arabic",
                    "evidence_id": "acme-files",
                    "relation": "context",
                    "confidence": "high",
                    "rationale": "Background.",
                }
            ),
        ),
        None,
    ),
    (
        "a Wikidata id with a leading zero",
        lambda c: identify(c, "wikidata", "Q0312"),
        "identifier_form",
    ),
    (
        "a PermID with a leading zero",
        lambda c: identify(c, "permid", "04295905573"),
        "identifier_form",
    ),
    ("the smallest Wikidata id", lambda c: identify(c, "wikidata", "Q1"), None),
    (
        "an undated claim whose note says why",
        lambda c: (
            _claim(c).pop("claim_date"),
            _claim(c).update(review_note="No source dates it."),
        ),
        None,
    ),
    (
        # The door refuses the date (no 13th month); the claim is then undated, but the rule
        # asking an undated claim for a note does not report the same field again.
        "a claim date that is not a real date",
        lambda c: _claim(c).update(claim_date="2023-13"),
        "date",
    ),
    (
        # The group is the parent and everything below it, whichever side the parent is on.
        "a subsidiary's claim refuted by evidence about its parent",
        lambda c: (
            _claim(c).update(company_id="acme-sub"),
            _evidence(c).update(company_id="acme"),
            c["responses"][0].update(company_id="acme-sub"),
        ),
        None,
    ),
]


@dataclass(frozen=True)
class EveryEdge:
    problems: list[Problem]
    claims: dict[str, int]  # claims read, by case file (an edge's variant name)


@pytest.fixture(scope="module")
def every_edge() -> EveryEdge:
    """One check of a folder holding every edge reached through the case file, each in its own
    file with its ids prefixed (as problems_of_every_case does for the catalogue; the slow
    test below shows each edge's problems are the same alone), and the claims read from each
    file. An edge that writes a feed is checked on its own in the test. Made once for the run."""

    def make(folder: Path) -> EveryEdge:
        files = set()
        for edge, reach, _ in EDGES:
            case = minimal_case()
            if not isinstance(reach(case), Feed):
                write_variant(folder / "datasets", case, variant_name(edge))
                files.add(f"datasets/cases/{variant_name(edge)}.yaml")
        # As check() does, on a work database kept open to count what was read.
        with read_as_the_build_reads(folder / "datasets") as (con, ingested):
            with pytest.raises(InputError) as caught:
                validate(con, ingested, TODAY)
            claims = dict(
                con.execute("select case_id, count(*) from claims group by all").fetchall()
            )
        # Each problem is some edge's own, so none is lost between them.
        assert {p.file for p in caught.value.problems} <= files
        return EveryEdge(caught.value.problems, claims)

    return made_once("rule-edges", make)


@pytest.mark.parametrize(
    ("edge", "reach", "refused_by"), [pytest.param(*e, id=e[0]) for e in EDGES]
)
def test_each_rule_stops_exactly_at_its_edge(
    tmp_path: Path, every_edge: EveryEdge, edge: str, reach, refused_by: str | None
) -> None:
    case = minimal_case()
    feed = reach(case)
    if isinstance(feed, Feed):
        write_case(tmp_path / "datasets", case)
        feed.write(tmp_path / "datasets")
        if refused_by is None:
            assert check(tmp_path / "datasets", today=TODAY)["claims"] == 2, edge
            return
        with pytest.raises(InputError) as caught:
            check(tmp_path / "datasets", today=TODAY)
        problems = caught.value.problems
    else:
        name = variant_name(edge)
        problems = _variant_problems(every_edge.problems, name)
        if refused_by is None:
            # Allowed, and read whole: both of its claims.
            assert every_edge.claims.get(name) == 2, edge
    assert [p.rule.split(":")[0] for p in problems] == ([refused_by] if refused_by else []), edge


@pytest.mark.slow
def test_the_edges_checked_together_are_each_the_same_alone(
    tmp_path: Path, every_edge: EveryEdge
) -> None:
    """What lets one check stand for every edge: an edge raises the same problems alone as
    beside the others, and the edges allowed are read whole (two claims each)."""
    for edge, reach, _ in EDGES:
        case = minimal_case()
        if isinstance(reach(case), Feed):
            continue
        name = variant_name(edge)
        write_case(tmp_path / name / "datasets", case)
        try:
            check_counts, alone = check(tmp_path / name / "datasets", today=TODAY), []
        except InputError as refused:
            check_counts, alone = None, refused.problems
        beside = [
            _unprefixed(p, f"{name}-")[:4] for p in _variant_problems(every_edge.problems, name)
        ]
        assert sorted(beside) == sorted(_unprefixed(p)[:4] for p in alone), edge
        if not alone:
            assert check_counts["claims"] == 2, edge


def test_a_loop_of_three_parents_is_named_from_each_company(tmp_path: Path) -> None:
    case = minimal_case()
    acme, _, other = case["companies"]
    # acme -> other -> acme-sub -> acme: acme-sub's parent (acme) stays as the case has it.
    acme.update(parent_company_id="other", parent_relationship="affiliate")
    other.update(parent_company_id="acme-sub", parent_relationship="affiliate")
    write_case(tmp_path / "datasets", case)
    with pytest.raises(InputError) as caught:
        check(tmp_path / "datasets", today=TODAY)
    loops = sorted((p.record, p.message) for p in caught.value.problems if p.rule == "parent_loop")
    # Each company's walk up its parents, back to itself.
    assert loops == [
        ("company acme", "parents form a loop: acme -> other -> acme-sub -> acme."),
        ("company acme-sub", "parents form a loop: acme-sub -> acme -> other -> acme-sub."),
        ("company other", "parents form a loop: other -> acme-sub -> acme -> other."),
    ]


def test_a_date_or_precision_left_empty_in_a_feed_is_named_not_printed_as_none(
    tmp_path: Path,
) -> None:
    # The door says the empty one is required; the rule says what the other holds. It used to
    # print "None": the text joined to an empty value was empty.
    for date, precision, detail in (
        ("2023-06-01", "", "no precision but 2023-06-01"),
        ("", "day", "day precision but no date"),
    ):
        datasets = tmp_path / precision / "datasets"
        write_case(datasets, minimal_case())
        _listed_on(date, precision).write(datasets)
        with pytest.raises(InputError) as caught:
            check(datasets, today=TODAY)
        (problem,) = [p for p in caught.value.problems if p.rule.startswith("date_precision")]
        assert problem.message == f"does not fit its date: {detail}."


# What a rule may not conclude from a value it cannot read: a value the reader refused (a number
# where text belongs, a date that does not exist) is left empty and named once by the door, and
# no rule may take the empty value as absent and report it again, on another field of its record
# or on another record; a company group whose top is not known (a parent refused, naming no
# company, or in a loop) is no group of its own; and a problem a rule can judge is not hidden
# behind another field that names nothing. (what, how the case is reached, the problems as
# (rule kind, record, field))
UNKNOWNS: list[tuple[str, Callable[[dict], object], list[tuple[str, str, str]]]] = [
    (
        # Neither the relationship beside it nor the link across the group is reported.
        "a parent refused",
        lambda c: c["companies"][1].update(parent_company_id=123),
        [("type", "company acme-sub", "parent_company_id")],
    ),
    (
        "a retraction's date refused beside its reason",
        lambda c: _claim(c).update(retracted_on="2024-02-30", retraction_reason="Wrong."),
        [("date", "claim acme-denial", "retracted_on")],
    ),
    (
        "an amount's currency refused",
        lambda c: _evidence(c).update(amount=5, amount_currency=840, amount_kind="donation"),
        [("type", "evidence acme-files", "amount_currency")],
    ),
    (
        "rights refused beside a licence",
        lambda c: c["sources"][0].update(licence="CC-BY-4.0", rights=1),
        [("type", "source src-report", "rights")],
    ),
    (
        "a response's evidence refused",
        lambda c: c["responses"][0].update(evidence_id=7),
        [("type", "response acme-reply", "evidence_id")],
    ),
    (
        "a quote refused",
        lambda c: _evidence(c).update(quote=42),
        [("type", "evidence acme-files", "quote")],
    ),
    (
        # Read in an English statement, said (the refused id) in the Arabic one.
        "the publication an Arabic verbatim quote was said in refused",
        lambda c: _claim(c, 1).update(source_id="src-company", said_in_source_id=5),
        [("type", "claim acme-arabic", "said_in_source_id")],
    ),
    (
        "an undated claim's note refused",
        lambda c: (_claim(c).pop("claim_date"), _claim(c).update(review_note=5)),
        [("type", "claim acme-denial", "review_note")],
    ),
    (
        "a ticker's exchange refused",
        lambda c: (identify(c, "ticker", "ACME"), c["company_identifiers"][-1].update(issuer=7)),
        [("type", "identifier acme -> ticker -> ACME", "issuer")],
    ),
    (
        # A refused value is there for a rule that asks whether it is: the missing
        # relationship beside it is reported in the same run.
        "a parent refused, its relationship missing",
        lambda c: (
            c["companies"][1].update(parent_company_id=123),
            c["companies"][1].pop("parent_relationship"),
        ),
        [
            ("type", "company acme-sub", "parent_company_id"),
            ("parent_relationship", "company acme-sub", "parent_relationship"),
        ],
    ),
    (
        "a retraction's date refused, its reason missing",
        lambda c: _claim(c).update(retracted_on="2024-02-30"),
        [
            ("date", "claim acme-denial", "retracted_on"),
            ("retraction_reason", "claim acme-denial", "retraction_reason"),
        ],
    ),
    (
        "an amount's currency refused, its kind missing",
        lambda c: _evidence(c).update(amount=5, amount_currency=840),
        [
            ("type", "evidence acme-files", "amount_currency"),
            ("amount_parts", "evidence acme-files", "amount"),
        ],
    ),
    (
        "an LEI of the wrong form, its issuer refused",
        lambda c: (identify(c, "lei", "ACME"), c["company_identifiers"][-1].update(issuer=7)),
        [
            ("type", "identifier acme -> lei -> ACME", "issuer"),
            ("identifier_form", "identifier acme -> lei -> ACME", "identifier"),
        ],
    ),
    (
        "a parent that names no company",
        lambda c: c["companies"][1].update(parent_company_id="acme-typo"),
        [("foreign_key", "company acme-sub", "parent_company_id")],
    ),
    (
        "a claim and evidence about two companies in one loop of parents",
        lambda c: c["companies"][0].update(
            parent_company_id="acme-sub", parent_relationship="affiliate"
        ),
        [
            ("parent_loop", "company acme", "parent_company_id"),
            ("parent_loop", "company acme-sub", "parent_company_id"),
        ],
    ),
    (
        # said_in_source_id names the Arabic statement: an English verbatim quote is refused
        # whatever source_id names.
        "English said verbatim in an Arabic statement, read in a source that is not there",
        lambda c: _claim(c).update(said_in_source_id="src-company-ar", source_id="src-gone"),
        [
            ("foreign_key", "claim acme-denial", "source_id"),
            ("verbatim_in_another_language", "claim acme-denial", "quote_kind"),
        ],
    ),
]


@pytest.fixture(scope="module")
def problems_of_every_unknown() -> list[Problem]:
    """One check of a folder holding every case of UNKNOWNS, each in its own file with its ids
    prefixed (as problems_of_every_case does for the catalogue). Made once for the run."""

    def cases() -> Iterator[tuple[str, dict]]:
        for what, reach, _ in UNKNOWNS:
            case = minimal_case()
            reach(case)
            yield what, case

    return made_once("rule-unknowns", lambda folder: _checked_together(folder, cases()))


@pytest.mark.parametrize(
    ("what", "reach", "expected"), [pytest.param(*u, id=u[0]) for u in UNKNOWNS]
)
def test_a_rule_reports_nothing_it_cannot_read_and_hides_nothing_it_can(
    problems_of_every_unknown: list[Problem], what: str, reach, expected: list
) -> None:
    name = variant_name(what)
    found = sorted(
        (p.rule.split(":")[0], p.record.replace(f"{name}-", ""), p.field)
        for p in _variant_problems(problems_of_every_unknown, name)
    )
    assert found == sorted(expected), what


def test_a_thousand_refused_dates_hide_no_rules_problem_after_them(tmp_path: Path) -> None:
    # A rule keeps its first thousand rows; rows refused in what it reads are left out before
    # they are counted. Here a thousand feed rows with a date that does not exist (each named
    # by the reader, its precision not judged again) come before a row whose date is not the
    # first of the month its precision says: that row is still reported.
    refused = "".join(
        f"feed-{i},acme,src-report,2023-02-30,day,government_list,government,Listed.,verified,"
        "No quote.,2024-01-10\n"
        for i in range(1000)
    )
    feed = _listed_on("2023-06-15", "month")
    header, row = feed.text.split("\n", 1)
    write_case(tmp_path / "datasets", minimal_case())
    Feed(feed.path, f"{header}\n{refused}{row}").write(tmp_path / "datasets")
    with pytest.raises(InputError) as caught:
        check(tmp_path / "datasets", today=TODAY)
    rules = [p.rule.split(":")[0] for p in caught.value.problems]
    assert rules.count("type") == 1000
    (precision,) = [p for p in caught.value.problems if p.rule.startswith("date_precision")]
    assert precision.record == "evidence feed-one"
    assert precision.message == "does not fit its date: month precision but 2023-06-15."


def test_problems_of_one_field_on_one_line_come_in_one_order() -> None:
    # Twenty problems of one field on one line, as two rules on one record give: listed by
    # rule and message, whatever order they came in (not in the order of a set's hashes,
    # which change from run to run).
    problems = [
        Problem(
            "datasets/cases/acme.yaml",
            5,
            "claim acme-denial",
            "recorded_on",
            f"is {i:02}.",
            rule=f"rule-{i:02}",
        )
        for i in range(20)
    ]
    for given in (problems, problems[::-1]):
        assert InputError(given).problems == problems
