"""The loader: what it accepts (BOM, CRLF, any Unicode form), what it refuses (bad YAML, bad
encoding, aliases, deep nesting, huge files, duplicate keys) and how dates get their precision."""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from pathlib import Path

import polars as pl
import pytest
import yaml

from schemas.types import parse_partial_date
from tests.conftest import TODAY, load, minimal_case, write_case
from transforms.build import check
from transforms.ingest.yaml_reader import MAX_CASE_FILE_BYTES
from validations.problems import InputError


def _problems(datasets: Path) -> list[str]:
    return [p.render() for p in load(datasets).problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-03-15", (dt.date(2023, 3, 15), "day")),
        ("2023-03", (dt.date(2023, 3, 1), "month")),
        ("2023", (dt.date(2023, 1, 1), "year")),
        ("2023-02-30", None),
        ("2023-13", None),
        ("March 2023", None),
        ("23-03-15", None),
    ],
)
def test_partial_dates_keep_their_precision(text: str, expected) -> None:
    assert parse_partial_date(text) == expected


def test_minimal_case_loads_with_precisions(datasets: Path) -> None:
    loaded = load(datasets)
    assert loaded.problems == []
    claims = loaded.frames["claims"].sort("claim_id")
    assert claims.select("claim_id", "claim_date", "claim_date_precision").rows() == [
        ("acme-arabic", dt.date(2023, 1, 1), "year"),
        ("acme-denial", dt.date(2023, 3, 1), "month"),
    ]
    # An English quote is its own translation.
    denial = claims.filter(pl.col("claim_id") == "acme-denial").row(0, named=True)
    assert denial["quote_en"] == "We never did it."
    assert denial["quote_en_origin"] == "original"
    assert denial["case_id"] == "acme" and denial["is_synthetic"] is False
    assert denial["recorded_on"] == dt.date(2024, 1, 10)  # the case header's default


def test_bom_and_crlf_are_accepted(datasets: Path) -> None:
    path = datasets / "cases" / "acme.yaml"
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert check(datasets, today=TODAY)["claims"] == 2


def test_arabic_in_two_normal_forms_is_stored_as_nfc(tmp_path: Path) -> None:
    # "أ" is one code point in NFC and alef + hamza above in NFD.
    nfc = "أكمي"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    case = minimal_case()
    case["company_names"][0]["alt_name"] = nfd
    case["claims"][1]["quote"] = nfd + " " + nfc
    write_case(tmp_path / "datasets", case)
    frames = load(tmp_path / "datasets").frames
    assert frames["company_names"]["alt_name"].to_list() == [nfc]
    assert frames["claims"].filter(pl.col("claim_id") == "acme-arabic")["quote"][0] == (
        nfc + " " + nfc
    )


def test_yaml_1_1_surprises_are_off(tmp_path: Path) -> None:
    case = minimal_case()
    case["companies"][0]["country"] = "NO"
    path = write_case(tmp_path / "datasets", case)
    path.write_text(
        path.read_text(encoding="utf-8").replace("country: 'NO'", "country: NO"), encoding="utf-8"
    )
    assert "country: NO\n" in path.read_text(encoding="utf-8")
    frames = load(tmp_path / "datasets").frames
    assert frames["companies"].filter(pl.col("company_id") == "acme")["country"][0] == "NO"


def test_text_is_trimmed_and_a_quote_in_any_english_is_its_own_translation(
    tmp_path: Path,
) -> None:
    # A block scalar (|) keeps its last line break, and a quoted value keeps an author's stray
    # spaces; neither is part of the text (a feed's text is trimmed the same way).
    case = minimal_case()
    case["claims"][0]["summary"] = "  Acme denied it.\n"
    case["claims"][0]["quote"] = "We never did it.\n"
    # British English is English: the quote is its own translation (the rule for a quote not
    # in English would otherwise ask for quote_en).
    case["claims"][0]["quote_lang"] = "en-GB"
    write_case(tmp_path / "datasets", case)
    loaded = load(tmp_path / "datasets")
    assert loaded.problems == []
    denial = loaded.frames["claims"].filter(pl.col("claim_id") == "acme-denial").row(0, named=True)
    assert (denial["summary"], denial["quote"], denial["quote_en"], denial["quote_en_origin"]) == (
        "Acme denied it.",
        "We never did it.",
        "We never did it.",
        "original",
    )


def test_a_case_file_named_other_than_a_slug_is_one_clear_message(tmp_path: Path) -> None:
    write_case(tmp_path / "datasets", minimal_case(), "Acme_2024")
    (problem,) = load(tmp_path / "datasets").problems
    assert problem.file == "datasets/cases/Acme_2024.yaml" and problem.record == ""
    assert "the name must be a lowercase slug" in problem.message


def _write_raw(tmp_path: Path, data: bytes) -> Path:
    folder = tmp_path / "datasets"
    (folder / "cases").mkdir(parents=True)
    (folder / "cases" / "broken.yaml").write_bytes(data)
    return folder


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    folder = _write_raw(tmp_path, b'claims:\n  - claim_id: a\n    quote: "unclosed\n')
    (problem,) = load(folder).problems
    assert problem.file == "datasets/cases/broken.yaml"
    assert problem.line is not None and "not valid YAML" in problem.message


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    folder = _write_raw(tmp_path, b"case:\n  title: ok\nclaims:\n  - quote: caf\xe9\n")
    (problem,) = load(folder).problems
    assert problem.line == 4 and "not UTF-8" in problem.message and "UTF-8" in problem.hint


def test_duplicate_key_in_a_record_is_refused(tmp_path: Path) -> None:
    folder = _write_raw(tmp_path, b"claims:\n  - quote: q\n    claim_id: a\n    claim_id: b\n")
    (problem,) = load(folder).problems
    # The record starts on line 2 (its "- "), claim_id is first on line 3 and again on line 4.
    assert problem.line == 4
    assert "appears twice in the record that starts on line 2 (first on line 3)" in (
        problem.message
    )


def test_exponential_aliases_are_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    folder = _write_raw(tmp_path, ("\n".join(lines) + "\n").encode())
    start = time.perf_counter()
    (problem,) = load(folder).problems
    assert time.perf_counter() - start < 2.0
    assert "alias" in problem.message and problem.line == 2


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    folder = _write_raw(tmp_path, ("claims: " + "[" * 5000 + "]" * 5000 + "\n").encode())
    (problem,) = load(folder).problems
    assert "nesting" in problem.message or "nested" in problem.message


def test_fifty_megabyte_case_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    folder = tmp_path / "datasets"
    (folder / "cases").mkdir(parents=True)
    big = folder / "cases" / "huge.yaml"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    assert big.stat().st_size > MAX_CASE_FILE_BYTES
    start = time.perf_counter()
    (problem,) = load(folder).problems
    assert time.perf_counter() - start < 1.0
    assert "larger than 5 MB" in problem.message and "datasets/feeds" in problem.hint


def test_unknown_section_suggests_the_right_one(tmp_path: Path) -> None:
    case = minimal_case()
    case["claim"] = case.pop("claims")
    write_case(tmp_path / "datasets", case)
    messages = _problems(tmp_path / "datasets")
    assert any("did you mean 'claims'" in m for m in messages)


def test_feed_enters_the_same_tables_and_validation(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    write_case(datasets, minimal_case())
    feed = datasets / "feeds" / "evidence" / "extra.csv"
    feed.parent.mkdir(parents=True)
    rows = [
        "evidence_id,company_id,source_id,evidence_date,evidence_date_precision,evidence_type,"
        "voice,summary,review_status,review_note,recorded_on",
        "feed-one,acme,src-report,2023-06-01,day,government_list,government,Listed.,verified,"
        "No quote.,2024-01-10",
        "feed-two,acme,src-report,2023-06-31,day,government_list,government,Listed.,verified,"
        "No quote.,2024-01-10",
        # A real day, but not written YYYY-MM-DD: a feed's dates are ISO, never guessed.
        "feed-three,acme,src-report,2023-6-1,day,government_list,government,Listed.,verified,"
        "No quote.,2024-01-10",
    ]
    feed.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        check(datasets, today=TODAY)
    assert [(p.file, p.line, p.record, p.field) for p in caught.value.problems] == [
        ("datasets/feeds/evidence/extra.csv", 3, "evidence feed-two", "evidence_date"),
        ("datasets/feeds/evidence/extra.csv", 4, "evidence feed-three", "evidence_date"),
    ]

    # The good row as another machine writes it: spaces around a column's name, a boolean in
    # capitals, and text in decomposed Unicode (e + combining acute), stored composed (NFC).
    header = rows[0].replace(",voice,", ", voice ,") + ",is_synthetic"
    good = rows[1].replace("Listed.", "Liste\u0301.") + ",FALSE"
    feed.write_text(header + "\n" + good + "\n", encoding="utf-8")
    loaded = load(datasets)
    assert loaded.problems == []
    row = loaded.frames["evidence"].filter(pl.col("evidence_id") == "feed-one").row(0, named=True)
    assert row["case_id"] == "feed:extra" and row["evidence_date"] == dt.date(2023, 6, 1)
    assert (row["voice"], row["summary"], row["is_synthetic"]) == (
        "government",
        "List\u00e9.",
        False,
    )


def test_saydo_reads_a_case_file_as_any_yaml_parser_does(datasets: Path) -> None:
    """What saydo reads stays plain YAML: every text value saydo loaded is the value a standard
    parser reads from the same file (no saydo-only syntax, nothing added or lost)."""
    plain = yaml.safe_load((datasets / "cases" / "acme.yaml").read_text(encoding="utf-8"))
    frames = load(datasets).frames
    for section, table, key in (
        ("claims", "claims", "claim_id"),
        ("sources", "sources", "source_id"),
    ):
        loaded = {row[key]: row for row in frames[table].iter_rows(named=True)}
        assert sorted(loaded) == sorted(record[key] for record in plain[section])
        for record in plain[section]:
            for field, value in record.items():
                if isinstance(value, str) and not field.endswith("_date"):
                    assert loaded[record[key]][field] == value, (section, field)


def test_an_adapter_run_again_keeps_each_rows_recorded_day_and_writes_its_feeds_sorted(
    tmp_path: Path,
) -> None:
    """`saydo feed` on a newer copy of a list: rows written before keep the day they were first
    recorded (a rerun that re-dated them would make every old listing look new to the released
    clock), a row new to the list is recorded today, and each feed is sorted by its key, so a
    rerun's diff shows only what the list changed. The UFLPA adapter, on its committed input."""
    import shutil

    from transforms.ingest.adapters import find, run

    repo = Path(__file__).resolve().parent.parent
    datasets = tmp_path / "datasets"
    shutil.copytree(repo / "datasets" / "adapters", datasets / "adapters")
    listings = datasets / "adapters" / "uflpa-entity-list" / "listings.csv"
    every_row = pl.read_csv(listings, infer_schema=False)
    # The list as it stood before its last entity that is no other's parent was added: run on
    # 1 February 2025.
    parents = set(every_row["parent_company_id"].drop_nulls())
    newest = [c for c in every_row["company_id"] if c not in parents][-1]
    earlier = tmp_path / "earlier.csv"
    every_row.filter(pl.col("company_id") != newest).write_csv(earlier)
    adapter = find(datasets, "uflpa-entity-list")
    run(adapter, earlier, datasets, dt.date(2025, 2, 1))
    # The list as it is now: run again on 1 March 2025.
    run(adapter, listings, datasets, dt.date(2025, 3, 1))
    for table, key, ids in (
        ("companies", "company_id", list(every_row["company_id"])),
        ("evidence", "evidence_id", [f"uflpa-entity-list-{c}" for c in every_row["company_id"]]),
    ):
        feed = pl.read_csv(datasets / "feeds" / table / "uflpa-entity-list.csv", infer_schema=False)
        assert list(feed[key]) == sorted(ids), table
        days = dict(zip(feed[key], feed["recorded_on"], strict=True))
        new_id = newest if table == "companies" else f"uflpa-entity-list-{newest}"
        assert days.pop(new_id) == "2025-03-01", table
        assert set(days.values()) == {"2025-02-01"}, table
        assert len(days) == len(ids) - 1, table
