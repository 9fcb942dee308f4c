"""Fuzzing the door: random and mutated case files are either accepted and valid, or refused
with a clean InputError naming the file. Nothing else may escape."""

from __future__ import annotations

import copy
import datetime as dt
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TODAY, examples, feed_row, minimal_case, write_case
from transforms.build import check
from validations.problems import InputError

SETTINGS = settings(
    max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# Text a YAML emitter can write (no lone surrogates), with the odd characters case files meet.
TEXT = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",))
        | st.sampled_from(["\u202e", "\u200f", "\ufeff", "'", '"', ":", "#", "\n", "\t"]),
        max_size=40,
    ),
    st.sampled_from(["- ", "&a", "*a", "2023-02-30", "NO", "yes", "~", "0x1F", ".inf"]),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    TEXT,
    st.dates().map(dt.date.isoformat),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def _check_cleanly(text: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        datasets = Path(folder) / "datasets"
        (datasets / "cases").mkdir(parents=True)
        (datasets / "cases" / "fuzz.yaml").write_bytes(text)
        try:
            check(datasets, today=TODAY)
        except InputError as error:
            assert error.problems, "an InputError must carry its problems"
            for problem in error.problems:
                assert problem.file.startswith("datasets/cases/fuzz.yaml")
                assert problem.message


@pytest.mark.slow
@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes_are_refused_or_accepted_cleanly(data: bytes) -> None:
    _check_cleanly(data)


@pytest.mark.slow
@SETTINGS
@given(st.dictionaries(TEXT, VALUES, max_size=5))
def test_random_yaml_documents_are_refused_or_accepted_cleanly(document: dict) -> None:
    _check_cleanly(yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))


def _mutate(case: dict, data: st.DataObject) -> dict:
    case = copy.deepcopy(case)
    for _ in range(data.draw(st.integers(1, 4))):
        section = data.draw(
            st.sampled_from([k for k in case if isinstance(case[k], list) and case[k]] or ["case"])
        )
        kind = data.draw(st.sampled_from(["set", "drop", "duplicate", "rename", "replace"]))
        if section == "case" or not case.get(section):
            case[data.draw(TEXT)] = data.draw(VALUES)
            continue
        records = case[section]
        record = data.draw(st.sampled_from(records))
        if kind == "duplicate":
            records.append(copy.deepcopy(record))
        elif kind == "replace":
            records[records.index(record)] = data.draw(VALUES)
        elif not isinstance(record, dict) or not record:
            continue
        elif kind == "drop":
            record.pop(data.draw(st.sampled_from(sorted(record))))
        elif kind == "rename":
            key = data.draw(st.sampled_from(sorted(record)))
            record[data.draw(TEXT)] = record.pop(key)
        else:
            record[data.draw(st.sampled_from(sorted(record)))] = data.draw(VALUES)
    return case


@pytest.mark.slow
@SETTINGS
@given(st.data())
def test_mutated_case_files_are_refused_or_accepted_cleanly(data: st.DataObject) -> None:
    case = _mutate(minimal_case(), data)
    with tempfile.TemporaryDirectory() as folder:
        datasets = Path(folder) / "datasets"
        write_case(datasets, case, "fuzz")
        try:
            check(datasets, today=TODAY)
        except InputError as error:
            assert error.problems
            assert all(p.file == "datasets/cases/fuzz.yaml" for p in error.problems)


# --- the YAML door: what safe_dump never writes -----------------------------------------------
# Tags, anchors, aliases, merge keys and YAML 1.1 scalars, written as raw text into a real case
# file at the place of one field's value (or as a whole record), so they meet the reader where a
# person would type them.
YAML_ODDITIES = st.sampled_from(
    [
        "!!int twelve",
        "!!timestamp 2023-02-30",
        "!!bool maybe",
        "!!str 0100",
        "!!float .nan",
        "!!binary aGVsbG8=",
        "!!python/object/apply:os.system ['true']",
        "!shout loud",
        "!<tag:example.com,2000:x> y",
        "&anchor value",
        "*anchor",
        "{<<: {topic: environment}}",
        "[a, *a]",
        "0100",
        "0o17",
        "0x1F",
        "0b101",
        "1_000",
        "1:20:30",
        "190:20:30.15",
        ".nan",
        ".NaN",
        "-.inf",
        "+.Inf",
        "yes",
        "No",
        "on",
        "~",
        "null",
        "2023-02-30",
        "2001-12-14t21:59:43.10-05:00",
        "'\\x1b[2J'",
        '"\\e]0;title\\a"',
        '"\\u202eevil"',
        '"\\0"',
        "|\n    multi\n    line",
        ">-\n    folded",
        "? complex key",
    ]
)


@pytest.mark.slow
@SETTINGS
@given(st.data())
def test_yaml_tags_anchors_merge_keys_and_1_1_scalars_are_refused_or_accepted_cleanly(
    data: st.DataObject,
) -> None:
    text = yaml.safe_dump(minimal_case(), allow_unicode=True, sort_keys=False)
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        fields = [i for i, line in enumerate(lines) if line.startswith("  ") and ": " in line]
        index = data.draw(st.sampled_from(fields))
        key = lines[index].split(": ", 1)[0]
        lines[index] = f"{key}: {data.draw(YAML_ODDITIES)}"
    _check_cleanly(("\n".join(lines) + "\n").encode("utf-8"))


# --- the feed door: Parquet with nested, wrong and odd types ------------------------------------
ODD_ARROW = st.sampled_from(
    [
        pa.array([{"a": "x", "b": 1}]),
        pa.array([["x", "y"]]),
        pa.array([[("k", "v")]], pa.map_(pa.string(), pa.string())),
        pa.array([19000], pa.int64()),
        pa.array([19000], pa.int32()),
        pa.array([1.5], pa.float64()),
        pa.array([float("nan")], pa.float64()),
        pa.array([True]),
        pa.array([b"bytes"], pa.binary()),
        pa.array([1_700_000_000_000], pa.timestamp("ms")),
        pa.array([1_700_000_000_000], pa.timestamp("us", tz="UTC")),
        pa.array([3600], pa.time32("s")),
        pa.array([None], pa.null()),
        pa.array(["2023-02-30"]),
        pa.array(["\x1b[2J"]),
        pa.array([""]),
        pa.array(["x"]).dictionary_encode(),
        pa.array([12345], pa.decimal128(10, 2)),
        pa.array([10_000], pa.date32()),
        pa.array(["a" * 100_000]),
    ]
)
FEED_ROW = feed_row()


@pytest.mark.slow
@SETTINGS
@given(st.data())
def test_parquet_feeds_with_nested_wrong_and_odd_types_are_refused_or_accepted_cleanly(
    data: st.DataObject,
) -> None:
    columns = {name: pa.array([value]) for name, value in FEED_ROW.items()}
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from([*FEED_ROW, "extra_column", "Summary", ""]))
        if data.draw(st.booleans()) and name in columns and len(columns) > 1:
            columns.pop(name)
        else:
            columns[name or "unnamed"] = data.draw(ODD_ARROW)
    with tempfile.TemporaryDirectory() as folder:
        datasets = Path(folder) / "datasets"
        write_case(datasets, minimal_case())
        feed = datasets / "feeds" / "evidence" / "fuzz.parquet"
        feed.parent.mkdir(parents=True)
        pq.write_table(pa.table(columns), feed)
        try:
            check(datasets, today=TODAY)
        except InputError as error:
            assert error.problems
            for problem in error.problems:
                assert problem.file == "datasets/feeds/evidence/fuzz.parquet", problem
                assert problem.message
