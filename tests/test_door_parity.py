"""The two doors judge a value the same way: each value below is written once in a case file and
once in a feed (CSV and Parquet) beside the hand-made case, and one check must report the same
problems for that field at both doors (or, where the doors' words for a type are their own, the
same verdict). Found by a differential red team; every value was judged differently before."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from tests.conftest import TODAY, feed_row, made_once, minimal_case, write_case
from transforms.build import check
from validations.problems import InputError, Problem

_ID = {"evidence": "evidence_id", "sources": "source_id", "companies": "company_id"}


def _record(table: str) -> dict:
    """A valid record of `table` pointing at the hand-made case, as a feed writes it."""
    return {
        "evidence": feed_row(review_note="No wording recorded."),
        "sources": {
            "source_id": "x",
            "publisher": "P",
            "title": "T",
            "url": "https://example.org/a",
            "published_date": "2023-05-02",
            "published_date_precision": "day",
            "source_lang": "en",
            "source_type": "investigative_journalism",
            "review_status": "verified",
            "recorded_on": "2024-01-10",
        },
        "companies": {
            "company_id": "x",
            "name": "N",
            "country": "US",
            "source_id": "src-company",
            "review_status": "verified",
            "recorded_on": "2024-01-10",
        },
    }[table]


# (id, table, column, value, YAML as written when not the value quoted, refused, same words)
VALUES = [
    # Whitespace beyond ASCII: a case file's text is trimmed by str.strip() and judged by
    # polars, whose \s is Unicode; a feed's was trimmed of six ASCII characters and judged by
    # RE2, whose \s is ASCII.
    ("nbsp-only-text", "evidence", "summary", "\u00a0", None, True, True),
    ("ideographic-space-only-text", "companies", "name", "\u3000", None, True, True),
    ("line-separator-only-text", "companies", "name", "\u2028", None, True, True),
    ("nbsp-in-url-path", "sources", "url", "https://example.org/a\u00a0b", None, True, True),
    ("em-space-in-url-host", "sources", "url", "https://exa\u2003mple.org", None, True, True),
    ("nbsp-after-allowed-value", "evidence", "review_status", "verified\u00a0", None, False, True),
    ("em-space-before-country", "companies", "country", "\u2003US", None, False, True),
    ("ideographic-space-after-id", "evidence", "company_id", "acme\u3000", None, False, True),
    ("nbsp-before-date", "evidence", "evidence_date", "\u00a02023-05-02", None, False, True),
    # Control characters: a case file's reader refuses them in text.
    ("escape-in-text", "evidence", "summary", "A\x1b[31m row", None, True, True),
    ("delete-in-text", "companies", "name", "Acme\x7f", None, True, True),
    # Digits of other scripts in a date, and the year 0 (1 BC to DuckDB).
    (
        "arabic-indic-digits-date",
        "evidence",
        "evidence_date",
        "\u0662\u0660\u0662\u0663-\u0660\u0665-\u0660\u0662",
        None,
        True,
        False,
    ),
    (
        "fullwidth-digits-date",
        "evidence",
        "evidence_date",
        "\uff12\uff10\uff12\uff13-\uff10\uff15-\uff10\uff12",
        None,
        True,
        False,
    ),
    ("year-zero", "evidence", "evidence_date", "0000-01-01", None, True, False),
    # A decimal too large for a double is infinity, which both doors refuse when written so.
    ("decimal-overflowing-to-infinity", "evidence", "amount", "1.0e+400", "1.0e+400", True, False),
]


@dataclass(frozen=True)
class Judged:
    problems: list[Problem]


def _write(datasets: Path) -> None:
    write_case(datasets, minimal_case())
    for i, (_, table, column, value, raw, _, _) in enumerate(VALUES):
        record = _record(table)
        record[_ID[table]] = f"case-{i}"
        record.pop(f"{column}_precision", None)
        record.pop("evidence_date_precision", None)
        record.pop("published_date_precision", None)
        if column == "amount":
            record.update(amount_currency="USD", amount_kind="penalty")
        record[column] = "__VALUE__" if raw else value
        text = yaml.safe_dump(
            {"case": {"title": "t", "recorded_on": "2024-01-10"}, table: [record]},
            allow_unicode=True,
            sort_keys=False,
            width=10**6,
        )
        (datasets / "cases" / f"v{i}.yaml").write_text(
            text.replace("__VALUE__", raw) if raw else text, encoding="utf-8"
        )
        row = _record(table)
        if column == "amount":
            row.update(amount_currency="USD", amount_kind="penalty")
        row[column] = value
        folder = datasets / "feeds" / table
        folder.mkdir(parents=True, exist_ok=True)
        row[_ID[table]] = row[_ID[table]] if column == _ID[table] else f"csv-{i}"
        (folder / f"v{i}.csv").write_bytes(_rows([row], end="\r\n"))
        row[_ID[table]] = row[_ID[table]] if column == _ID[table] else f"parquet-{i}"
        columns = {k: pa.array([v], pa.string()) for k, v in row.items()}
        pq.write_table(pa.table(columns), folder / f"p{i}.parquet")


@pytest.fixture(scope="module")
def judged() -> Judged:
    def make(folder: Path) -> Judged:
        datasets = folder / "datasets"
        _write(datasets)
        try:
            check(datasets, today=TODAY)
        except InputError as error:
            return Judged(error.problems)
        return Judged([])

    return made_once("door-parity", make)


def _said(problems: list[Problem], name: str, column: str) -> list[tuple[str, str]]:
    return sorted(
        {(p.message, p.hint) for p in problems if p.file.endswith(name) and p.field == column}
    )


@pytest.mark.parametrize(("index", "entry"), list(enumerate(VALUES)), ids=[v[0] for v in VALUES])
def test_both_doors_judge_a_value_alike(judged: Judged, index: int, entry: tuple) -> None:
    _, table, column, _, _, refused, same_words = entry
    case = _said(judged.problems, f"cases/v{index}.yaml", column)
    fed = _said(judged.problems, f"{table}/v{index}.csv", column)
    parquet = _said(judged.problems, f"{table}/p{index}.parquet", column)
    assert bool(case) == refused, case
    assert bool(fed) == refused, fed
    assert bool(parquet) == refused, parquet
    if same_words:
        assert case == fed == parquet


def _feed_check(tmp_path: Path, name: str, data: bytes) -> list[Problem]:
    datasets = tmp_path / "datasets"
    write_case(datasets, minimal_case())
    folder = datasets / "feeds" / "evidence"
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data)
    with pytest.raises(InputError) as caught:
        check(datasets, today=TODAY)
    return caught.value.problems


def _rows(rows: list[dict], end: str = "\n") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=end)
    writer.writerow(rows[0])
    for row in rows:
        writer.writerow(row.values())
    return out.getvalue().encode("utf-8")


def test_a_feed_with_a_cell_longer_than_csvs_default_limit_is_told_its_line(
    tmp_path: Path,
) -> None:
    """A 200 KB summary is fine (a case file may hold one); a problem in the feed must be told
    at its line, not stop the check with `field larger than field limit`."""
    rows = [
        feed_row(evidence_id="long", review_note="n", summary="x" * 200_000),
        feed_row(evidence_id="bad", review_note="n", voice="nobody"),
    ]
    problems = _feed_check(tmp_path, "long.csv", _rows(rows))
    assert [(p.file, p.line, p.field) for p in problems] == [
        ("datasets/feeds/evidence/long.csv", 3, "voice")
    ]


def test_a_feed_whose_lines_end_in_cr_alone_is_read(tmp_path: Path) -> None:
    rows = [
        feed_row(evidence_id="first", review_note="n"),
        feed_row(evidence_id="bad", review_note="n", voice="nobody"),
    ]
    problems = _feed_check(tmp_path, "mac.csv", _rows(rows, "\r"))
    assert [(p.file, p.line, p.field) for p in problems] == [
        ("datasets/feeds/evidence/mac.csv", 3, "voice")
    ]


def test_a_parquet_date_before_year_one_is_refused(tmp_path: Path) -> None:
    row = feed_row(evidence_id="ancient", review_note="n")
    columns = {k: pa.array([v], pa.string()) for k, v in row.items()}
    columns["evidence_date"] = pa.array([-720_000], pa.int32()).cast(pa.date32())
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(columns), sink)
    problems = _feed_check(tmp_path, "ancient.parquet", sink.getvalue().to_pybytes())
    assert [(p.line, p.field) for p in problems] == [(1, "evidence_date")]
    assert "is not a valid date" in problems[0].message


def test_a_value_refused_as_written_is_named_once_at_either_door(tmp_path: Path) -> None:
    # 'EN' is no language tag (tags are lowercase): the claim's in a case file and a quoted
    # feed row's are each named once, for that field. The rules that read a quote's language
    # (its English translation and where it came from, whether a verbatim quote is in the
    # company's language) leave the two records alone, as they do a value the reader refused:
    # before, these two mistakes were seven problems.
    case = minimal_case()
    case["claims"][0]["quote_lang"] = "EN"
    datasets = tmp_path / "datasets"
    write_case(datasets, case)
    row = feed_row(evidence_id="quoted", quote="We did it.", quote_lang="EN", quote_kind="verbatim")
    folder = datasets / "feeds" / "evidence"
    folder.mkdir(parents=True)
    (folder / "quoted.csv").write_bytes(_rows([row]))
    with pytest.raises(InputError) as caught:
        check(datasets, today=TODAY)
    assert [(p.file, p.record, p.field, p.message) for p in caught.value.problems] == [
        (
            "datasets/cases/acme.yaml",
            "claim acme-denial",
            "quote_lang",
            "'EN' is not a known BCP-47 language tag.",
        ),
        (
            "datasets/feeds/evidence/quoted.csv",
            "evidence quoted",
            "quote_lang",
            "'EN' is not a known BCP-47 language tag.",
        ),
    ]


def test_a_sources_language_refused_as_written_is_not_read_for_the_claims_quoting_it(
    tmp_path: Path,
) -> None:
    # 'english' is no language tag: the company's statement is named for it, once. Its claim,
    # quoted verbatim in English from that statement, is not judged against the refused tag
    # (it was "not in the company's language" too).
    case = minimal_case()
    case["sources"][1]["source_lang"] = "english"
    assert case["sources"][1]["source_id"] == case["claims"][0]["source_id"] == "src-company"
    write_case(tmp_path / "datasets", case)
    with pytest.raises(InputError) as caught:
        check(tmp_path / "datasets", today=TODAY)
    assert [(p.record, p.field, p.message) for p in caught.value.problems] == [
        ("source src-company", "source_lang", "'english' is not a known BCP-47 language tag.")
    ]


def test_an_english_quote_in_a_feed_is_told_how_to_give_its_english(tmp_path: Path) -> None:
    # A case file fills in an English quote's quote_en (the quote) and quote_en_origin
    # ('original'); a feed gives every column itself, so it is told to, and what to write.
    row = feed_row(evidence_id="quoted", quote="We did it.", quote_lang="en", quote_kind="verbatim")
    problems = _feed_check(tmp_path, "quoted.csv", _rows([row]))
    assert [(p.field, p.hint) for p in problems] == [
        (
            "quote_en",
            "add the English translation in quote_en (for a quote in English, the quote itself: "
            "a case file fills it in), and say whose it is in quote_en_origin.",
        ),
        (
            "quote_en_origin",
            "say who made quote_en: original (the quote is in English), source_translation or "
            "saydo_translation.",
        ),
    ]
