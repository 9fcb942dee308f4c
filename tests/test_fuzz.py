"""Fuzzing the door: random and mutated case files are either accepted and valid, or refused
with a clean InputError naming the file. Nothing else may escape."""

from __future__ import annotations

import copy
import datetime as dt
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TODAY, minimal_case, write_case
from transforms.build import check
from validations.problems import InputError

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
