"""The catalogue of bad input (the cross-table rules have their own, one case per kind, in
tests/test_rule_catalogue.py): each kind stops the build with a message naming the file, the
record and the field, reports every problem of the run at once, and leaves dist/ as it was."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import (
    TODAY,
    Refused,
    corrected,
    identify,
    made_once,
    minimal_case,
    read_as_the_build_reads,
    refused_over,
    variant_name,
    write_case,
    write_variant,
)
from transforms.build import build
from validations.problems import InputError, Problem


def _claim(case: dict, i: int = 0) -> dict:
    return case["claims"][i]


def _drop(record: dict, field: str) -> dict:
    record.pop(field)
    return record


# (id, mutation, record label expected in the message, field expected, words expected)
CATALOGUE: list[tuple[str, Callable[[dict], object], str, str, str]] = [
    (
        "missing required field",
        lambda c: _drop(_claim(c), "topic"),
        "claim acme-denial",
        "topic",
        "required",
    ),
    (
        "wrong type",
        lambda c: _claim(c).update(summary=123),
        "claim acme-denial",
        "summary",
        "expected text",
    ),
    (
        "true where a number belongs",  # YAML's true is not the number 1
        lambda c: c["evidence"][0].update(
            amount=True, amount_currency="USD", amount_kind="penalty"
        ),
        "evidence acme-files",
        "amount",
        "expected a number, got true/false True",
    ),
    (
        # An amount is at least 0; -5 is read as the number -5.0, which pandera hands back as
        # the text '-5.0': shown as the number written.
        "amount below its minimum",
        lambda c: c["evidence"][0].update(amount=-5, amount_currency="USD", amount_kind="penalty"),
        "evidence acme-files",
        "amount",
        "-5 is out of range. Fix: amount is at least 0.",
    ),
    (
        "unknown enum value",
        lambda c: _claim(c).update(claim_type="denail"),
        "claim acme-denial",
        "claim_type",
        "'denail' is not an allowed value",
    ),
    (
        "impossible date",
        lambda c: _claim(c).update(claim_date="2023-02-30"),
        "claim acme-denial",
        "claim_date",
        "not a real date",
    ),
    (
        "precision does not match the date",
        lambda c: _claim(c).update(claim_date="2023-03-15", claim_date_precision="month"),
        "claim acme-denial",
        "claim_date_precision",
        "written at day precision",
    ),
    (
        "date in the future",
        lambda c: c["evidence"][0].update(evidence_date="2030-01-01"),
        "evidence acme-files",
        "evidence_date",
        "in the future",
    ),
    (
        "recorded in the future",
        lambda c: _claim(c).update(recorded_on="2026-01-01"),
        "claim acme-denial",
        "recorded_on",
        "in the future",
    ),
    (
        "id with capitals",  # ids are lowercase slugs (README): Acme-Denial is refused
        lambda c: _claim(c).update(claim_id="Acme-Denial"),
        "claim Acme-Denial",
        "claim_id",
        "must be a lowercase slug",
    ),
    (
        "id with an underscore",
        lambda c: c["evidence"][0].update(evidence_id="acme_files"),
        "evidence acme_files",
        "evidence_id",
        "must be a lowercase slug",
    ),
    (
        "id with a doubled hyphen",
        lambda c: c["companies"][2].update(company_id="other--co"),
        "company other--co",
        "company_id",
        "must be a lowercase slug",
    ),
    (
        "duplicate id in one file",
        lambda c: c["claims"].append(dict(_claim(c))),
        "claim acme-denial",
        "claim_id",
        "used more than once",
    ),
    (
        "claim names a missing company",
        lambda c: _claim(c).update(company_id="ghost"),
        "claim acme-denial",
        "company_id",
        "'ghost' does not match any companies.company_id",
    ),
    (
        "claim names a missing source",
        lambda c: _claim(c).update(source_id="ghost-source"),
        "claim acme-denial",
        "source_id",
        "does not match any sources.source_id",
    ),
    (
        "link names a missing claim",
        lambda c: c["links"][0].update(claim_id="ghost-claim"),
        "link ghost-claim -> acme-files",
        "claim_id",
        "does not match any claims.claim_id",
    ),
    (
        "link names missing evidence",
        lambda c: c["links"][0].update(evidence_id="ghost-ev"),
        "link acme-denial -> ghost-ev",
        "evidence_id",
        "does not match any evidence",
    ),
    (
        "linked as both refutes and supports",
        lambda c: c["links"].append({**c["links"][0], "relation": "supports"}),
        "link acme-denial -> acme-files",
        "evidence_id",
        "refutes, supports",
    ),
    (
        "empty quote",
        lambda c: _claim(c).update(quote=""),
        "claim acme-denial",
        "quote",
        "empty or only whitespace",
    ),
    (
        "whitespace-only quote",
        lambda c: _claim(c).update(quote="   \n  "),
        "claim acme-denial",
        "quote",
        "empty or only whitespace",
    ),
    (
        "quote not in English without a translation",
        lambda c: _drop(_claim(c, 1), "quote_en"),
        "claim acme-arabic",
        "quote_en",
        "is missing",
    ),
    (
        "malformed URL",
        lambda c: c["sources"][0].update(url="htp:/example"),
        "source src-report",
        "url",
        "not a valid http(s) URL",
    ),
    (
        "unknown language tag",
        lambda c: _claim(c).update(quote_lang="xx"),
        "claim acme-denial",
        "quote_lang",
        "not a known BCP-47 language tag",
    ),
    (
        "misspelt field",
        lambda c: _claim(c).update(qoute="x"),
        "claim acme-denial",
        "qoute",
        "did you mean 'quote'",
    ),
    (
        "quote without its kind",
        lambda c: _drop(_claim(c), "quote_kind"),
        "claim acme-denial",
        "quote_kind",
        "is missing",
    ),
    (
        "LEI with a mistyped character",  # Deutsche Bank's LEI is 7LTWFZYICNSX8D621K86
        lambda c: identify(c, "lei", "7LTWFZYICNSX8D621K87"),
        "identifier acme -> lei -> 7LTWFZYICNSX8D621K87",
        "identifier",
        "fails its check digit",
    ),
]


@pytest.fixture(scope="module")
def every_bad_case_refused(minimal_release: Path) -> Refused:
    """One build over a real release (conftest's build of the hand-made case) of a folder
    holding every case above, each in its own file with its ids prefixed by the case's name so
    that no two meet. The door reports every problem of a run at once, and each case's problems
    are the same alone or together, so one refused build stands for twenty-five (made once for
    the run)."""

    def make(folder: Path) -> Refused:
        for name, mutate, *_ in CATALOGUE:
            case = minimal_case()
            mutate(case)
            write_variant(folder / "datasets", case, variant_name(name))
        return refused_over(folder, minimal_release)

    return made_once("bad-input", make)


@pytest.mark.parametrize(
    ("name", "record", "field", "words"),
    [pytest.param(name, r, f, w, id=name) for name, _, r, f, w in CATALOGUE],
)
def test_each_bad_record_is_named_at_its_file_line_and_field(
    every_bad_case_refused: Refused, name: str, record: str, field: str, words: str
) -> None:
    prefix = f"{variant_name(name)}-"
    matching = [
        p
        for p in every_bad_case_refused.problems
        if p.file == f"datasets/cases/{variant_name(name)}.yaml"
        and p.record.replace(prefix, "") == record
        and p.field == field
    ]
    listed = "\n".join(p.render() for p in every_bad_case_refused.problems)
    assert matching, f"no problem names {record} / {field}:\n{listed}"
    assert any(words in p.render().replace(prefix, "") for p in matching), listed
    assert all(p.line for p in matching), "every case-file problem carries a line number"


def test_a_refused_build_keeps_dist_and_leaves_no_staging_folder(
    every_bad_case_refused: Refused,
) -> None:
    assert every_bad_case_refused.dist_before, "the good build wrote nothing"
    assert every_bad_case_refused.dist_after == every_bad_case_refused.dist_before
    assert every_bad_case_refused.left_behind == [], "a failed build left its staging folder"
    # Nothing but the bad cases is blamed: every problem is in one of their files.
    files = {f"datasets/cases/{variant_name(name)}.yaml" for name, *_ in CATALOGUE}
    assert {p.file for p in every_bad_case_refused.problems} <= files


@pytest.mark.slow
def test_each_bad_case_raises_the_same_problems_alone_as_beside_the_others(
    tmp_path: Path, every_bad_case_refused: Refused
) -> None:
    """What lets one refused build stand for twenty-five: a case's problems do not depend on
    the cases beside it (their messages differ only in the file they name)."""
    for name, mutate, *_ in CATALOGUE:
        case = minimal_case()
        mutate(case)
        datasets = tmp_path / variant_name(name) / "datasets"
        write_case(datasets, case)
        with pytest.raises(InputError) as caught:
            build(datasets, datasets.parent / "dist", today=TODAY, gate=False)
        file, prefix = f"datasets/cases/{variant_name(name)}.yaml", f"{variant_name(name)}-"

        def seen(p: Problem, file: str, prefix: str) -> tuple:
            text = p.render().replace(file, "FILE").replace(prefix, "")
            return (p.rule, p.record.replace(prefix, ""), p.field, p.line, text)

        beside = [seen(p, file, prefix) for p in every_bad_case_refused.problems if p.file == file]
        alone = [seen(p, "datasets/cases/acme.yaml", "") for p in caught.value.problems]
        assert sorted(beside) == sorted(alone), name


@dataclass(frozen=True)
class FirstBuild:
    """A first build (no dist/ yet) that must be refused: what it raised, and where."""

    problems: list[Problem]
    folder: Path
    every_problem: Path  # the case file with three problems
    one_problem: Path  # the case file with one

    @property
    def error(self) -> InputError:
        return InputError(self.problems)


@pytest.fixture(scope="module")
def first_build_refused() -> FirstBuild:
    """One first build of the three tests below: the hand-made case with one of its claims
    copied into a second file, zeta.yaml (its id then in two files), beside a case with three
    problems and one with a single problem, each in a file of its own with its ids prefixed
    (conftest.write_variant). Problems are reported per file and record, so one refused build
    stands for three (made once for the run)."""

    def make(folder: Path) -> FirstBuild:
        datasets = folder / "datasets"
        write_case(datasets, minimal_case(), "acme")
        second = {"case": {"recorded_on": "2024-01-10"}, "claims": [minimal_case()["claims"][0]]}
        write_case(datasets, second, "zeta")
        case = minimal_case()
        case["claims"][0]["topic"] = "weather"
        case["evidence"][0]["evidence_date"] = "2023-13-01"
        case["sources"][0]["url"] = "not a url"
        every_problem = write_variant(datasets, case, "every-problem")
        case = minimal_case()
        case["claims"][0]["topic"] = "weather"
        one_problem = write_variant(datasets, case, "one-problem")
        with pytest.raises(InputError) as caught:
            build(datasets, folder / "dist", today=TODAY)
        return FirstBuild(caught.value.problems, folder, every_problem, one_problem)

    return made_once("first-build", make)


def _in(file: Path, problems: list[Problem]) -> list[Problem]:
    """The problems of one case file."""
    return [p for p in problems if p.file == f"datasets/cases/{file.name}"]


def test_duplicate_id_across_two_files_names_both(first_build_refused: FirstBuild) -> None:
    text = first_build_refused.error.render()
    assert "datasets/cases/acme.yaml" in text and "datasets/cases/zeta.yaml" in text
    duplicates = [p for p in first_build_refused.error.problems if p.rule == "primary_key"]
    assert {p.file for p in duplicates} == {"datasets/cases/acme.yaml", "datasets/cases/zeta.yaml"}
    # Each place names the other one, not itself: acme.yaml's problem points at zeta.yaml.
    for problem in duplicates:
        other = ({"datasets/cases/acme.yaml", "datasets/cases/zeta.yaml"} - {problem.file}).pop()
        assert f"also at {other}:" in problem.message and problem.file not in problem.message
    assert not (first_build_refused.folder / "dist").exists(), (
        "no dist/ should appear from a failed first build"
    )


def test_every_problem_of_a_run_is_reported_at_once(first_build_refused: FirstBuild) -> None:
    problems = first_build_refused.error.problems
    mine = _in(first_build_refused.every_problem, problems)
    assert {p.field for p in mine} == {"topic", "evidence_date", "url"} and len(mine) == 3
    # Every problem of the run, of every file: 3 here, 1 in the one-problem case, and the
    # duplicated id once in each of its two files: 3 + 1 + 2 = 6.
    assert first_build_refused.error.render().startswith("saydo found 6 problem(s)")


def test_a_long_refusal_lists_each_problem_once_and_counts_what_it_leaves_out() -> None:
    # 205 distinct problems, the first three reported twice (two checks can find the same):
    # counted once each, the first 200 listed, and the 5 left counted on the last line.
    problems = [
        Problem("datasets/cases/acme.yaml", line, "claim acme-denial", "topic", "is wrong.")
        for line in range(1, 206)
    ]
    lines = InputError(problems + problems[:3]).render().splitlines()
    assert lines[0] == "saydo found 205 problem(s) in the input; nothing was written."
    assert lines[1] == "  - datasets/cases/acme.yaml:1: claim acme-denial, field 'topic': is wrong."
    assert lines[200] == (
        "  - datasets/cases/acme.yaml:200: claim acme-denial, field 'topic': is wrong."
    )
    assert lines[201:] == ["  ... and 5 more."]


def test_problem_points_at_the_line_of_the_field(first_build_refused: FirstBuild) -> None:
    path = first_build_refused.one_problem
    (problem,) = _in(path, first_build_refused.error.problems)
    line = path.read_text(encoding="utf-8").splitlines()[problem.line - 1]
    assert line.strip() == "topic: weather"


def test_identifiers_with_right_check_digits_are_accepted(tmp_path: Path) -> None:
    from transforms.build import check

    case = minimal_case()
    # Apple's and Hikvision's ISINs, Deutsche Bank's LEI: all on Acme, one check.
    right = [("isin", "US0378331005"), ("isin", "CNE100000PM8"), ("lei", "7LTWFZYICNSX8D621K86")]
    for scheme, identifier in right:
        identify(case, scheme, identifier)
    write_case(tmp_path / "datasets", case)
    assert check(tmp_path / "datasets", today=TODAY)["company_identifiers"] == 3


@pytest.mark.parametrize(
    ("section", "field"),
    [("claims", "claim_id"), ("links", "evidence_id")],
    ids=["an id", "one part of a two-part key"],
)
def test_records_without_their_key_are_each_missing_it_not_sharing_the_key_none(
    tmp_path: Path, section: str, field: str
) -> None:
    from transforms.build import check

    # Two copies of the section's first record, each without `field`: each is told the field is
    # missing, at its own line, and neither that it shares the key 'None' with the other (a key
    # left empty, whole or in part, is not a key used twice). The rules then run with the keys
    # taken as unique, and none of them fails on the two.
    case = minimal_case()
    for _ in range(2):
        record = dict(case[section][0])
        record.pop(field)
        case[section].append(record)
    write_case(tmp_path / "datasets", case)
    with pytest.raises(InputError) as caught:
        check(tmp_path / "datasets", today=TODAY)
    missing = [p for p in caught.value.problems if p.field == field]
    assert [p.message for p in missing] == ["is required but missing or empty."] * 2
    assert len({p.line for p in missing}) == 2
    assert not [p for p in caught.value.problems if p.rule == "primary_key"]


def test_a_record_without_its_id_hides_no_correction_of_an_unknown_record(
    tmp_path: Path,
) -> None:
    from transforms.build import check

    # A correction names a claim the package does not hold, beside a claim written without its
    # id: both are reported in the same run (every problem at once), not the second alone.
    case = corrected(
        minimal_case(), "summary", "Acme denied it.", "Acme admitted it.", "2024-02-01", "Typo."
    )
    case["corrections"][0]["record_id"] = "acme-ghost"
    without_id = dict(_claim(case))
    without_id.pop("claim_id")
    case["claims"].append(without_id)
    write_case(tmp_path / "datasets", case)
    with pytest.raises(InputError) as caught:
        check(tmp_path / "datasets", today=TODAY)
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("claim_id", "is required but missing or empty."),
        ("record_id", "'acme-ghost' is not a record of claims."),
    ]


@pytest.mark.parametrize("duplicated_id", [False, True])
def test_rules_report_the_same_problems_together_or_one_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, duplicated_id: bool
) -> None:
    """A small package runs every cross-table rule in one statement, a large one a rule at a
    time; both must name the same problems. With a duplicated id a rule that looks a record up
    by id can fail (it finds two): here one rule always fails, which sends the one statement to
    its fallback, a rule at a time, where the failing rule is skipped and no other is lost."""
    import validations.rules as rules

    case = minimal_case()
    case["claims"][0]["company_id"] = "nobody"  # foreign_key
    case["links"][0]["evidence_id"] = "no-such-evidence"  # foreign_key
    case["evidence"][0]["source_id"] = "src-nowhere"  # foreign_key
    if duplicated_id:
        case["companies"].append(dict(case["companies"][0]))  # primary_key
        declared = rules.rules
        failing = rules.Rule(
            "fails_on_duplicates",
            "companies",
            "company_id",
            "select _origin, error('two records') as detail from companies",
            "{detail}",
            "",
        )
        monkeypatch.setattr(rules, "rules", lambda today: [*declared(today), failing])
    write_case(tmp_path / "datasets", case)
    reported = []
    for rows in (rules.RULES_TOGETHER_ROWS, 0):
        monkeypatch.setattr(rules, "RULES_TOGETHER_ROWS", rows)
        with pytest.raises(InputError) as caught:
            build(tmp_path / "datasets", tmp_path / "dist", today=TODAY, gate=False)
        reported.append(caught.value.problems)
    assert reported[0] == reported[1]
    named = {(p.record, p.field, p.rule.split(":")[0]) for p in reported[0]}
    assert {
        ("claim acme-denial", "company_id", "foreign_key"),
        ("evidence acme-files", "source_id", "foreign_key"),
    } <= named, named
    assert any(p.field == "evidence_id" and p.rule.startswith("foreign_key") for p in reported[0])
    assert any(p.rule == "primary_key" for p in reported[0]) == duplicated_id


def test_the_same_refused_value_in_two_files_is_reported_in_each(tmp_path: Path) -> None:
    # A number YAML would read as octal at line 4 of two files: in a.yaml in a record, which
    # its record reader reports; in b.yaml as a key of the header, outside any record. A
    # refusal is a file's own, so b's is not taken for a's, already reported.
    texts = {
        "a": "case:\n  title: A case\nsources:\n- source_id: 0100\n",
        "b": "case:\n  title: B case\n  recorded_on: 2024-01-10\n  0100: x\n",
    }
    (tmp_path / "datasets" / "cases").mkdir(parents=True)
    for name, text in texts.items():
        (tmp_path / "datasets" / "cases" / f"{name}.yaml").write_text(text, encoding="utf-8")
    with read_as_the_build_reads(tmp_path / "datasets") as (_, ingested):
        refused = [(p.file, p.line) for p in ingested.problems if "0100" in p.message]
    assert refused == [("datasets/cases/a.yaml", 4), ("datasets/cases/b.yaml", 4)]
