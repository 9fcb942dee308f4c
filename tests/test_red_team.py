"""The red team's failures, by class (issue 13): for each class the example it found and a
second instance of the same class, each of which must fail the same clean way: a message that
names the thing and what to do, nothing published, no input touched.

The commands run as a user runs them (`transforms.cli.main`, the function behind `saydo`);
Ctrl-C and the FIFO run in a real subprocess because they involve the operating system. Every
instance that a build must refuse, of every class, shares one build (`refused`), each in a file
of its own; the release records that can be bent share another."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from tests.conftest import (
    REPO,
    TODAY,
    corrected,
    feed_row,
    made_once,
    minimal_case,
    read_as_the_build_reads,
    record,
    snapshot,
    write_case,
    write_variant,
)
from transforms.build import BuildResult, build
from transforms.cli import _message, main
from transforms.publish import (
    BuildLocked,
    OutputRefused,
    build_lock,
    check_output_file,
    check_output_folder,
)
from transforms.release import manifest as release_manifest
from transforms.release.records import (
    ReleaseRecordError,
    envelope_checksum,
    read_releases,
    sha256_of,
)
from transforms.release.version import next_version
from validations.problems import InputError


def saydo(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([*argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _build_problems(datasets: Path, out: Path) -> str:
    with pytest.raises(InputError) as caught:
        build(datasets, out, today=TODAY, gate=False)
    return str(caught.value)


def _case_text(datasets: Path) -> Path:
    return datasets / "cases" / "acme.yaml"


def _about(message: str, file: str) -> str:
    """The lines of a refusal that name `file`: each problem is one line, beginning with where
    it is. The instances share a build, each in a file of its own."""
    return "\n".join(line for line in message.splitlines() if f"- {file}" in line)


def _refused_together(folder: Path) -> str:
    """One build of folder/datasets, which must be refused; its message."""
    return _build_problems(folder / "datasets", folder / "dist")


@dataclass(frozen=True)
class Refusal:
    """The one refused build of every instance below: its message, and the line each
    instance's value is on, by the name of its file (for those a test looks for at a line)."""

    message: str
    lines: dict[str, int]


@pytest.fixture(scope="module")
def refused() -> Refusal:
    """Every instance of every class below that the build must refuse, each in a file of its
    own beside the hand-made case (which the feeds' rows point at): case files with their ids
    prefixed (conftest.write_variant), feed rows with ids of their own, so that no two meet.
    The door reports every problem of a run at once, each at its file, so one build stands for
    the forty-odd; each test reads the lines that name its own file (`_about`)."""

    def make(folder: Path) -> Refusal:
        datasets = folder / "datasets"
        write_case(datasets, minimal_case())
        lines: dict[str, int] = {}
        for write in (
            _special_files,
            _yaml_oddities,
            _misread_numbers,
            _merge_keys,
            _parquet_oddities,
            _feed_shapes,
            _odd_characters,
        ):
            lines |= write(datasets)
        return Refusal(_refused_together(folder), lines)

    return made_once("red-team", make)


# --- 1. special files in datasets/ ----------------------------------------------------------------
def test_a_fifo_named_like_a_case_file_is_refused_without_hanging(tmp_path: Path) -> None:
    # The FIFO alone: no valid case beside it for the check to validate (and to import pandera
    # for) in the subprocess; a reader that opened it would hang all the same.
    datasets = tmp_path / "datasets"
    (datasets / "cases").mkdir(parents=True)
    os.mkfifo(datasets / "cases" / "x.yaml")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "transforms.cli", "check", "--datasets", str(datasets)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert time.monotonic() - started < 60
    assert result.returncode == 1
    assert "x.yaml" in result.stderr and "FIFO" in result.stderr
    assert "Traceback" not in result.stderr


DEVICE_LINKS = [
    ("cases/zero.yaml", "/dev/zero"),  # the red team's example
    ("feeds/evidence/zero.csv", "/dev/zero"),  # second instance: a feed
]
OUTSIDE_LINKS = ["cases/secret.yaml", "feeds/claims/secret.csv"]


def _special_files(datasets: Path) -> dict[str, int]:
    """Links to a device, links to a secret outside the repository, a folder named like a
    case file."""

    def link(name: str, target: Path | str) -> None:
        path = datasets / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)

    for name, target in DEVICE_LINKS:
        link(name, target)
    secret = datasets.parent / "outside" / "token.txt"
    secret.parent.mkdir()
    secret.write_text("AWS_SECRET=hunter2-do-not-print\n")
    for name in OUTSIDE_LINKS:
        link(name, secret)
    (datasets / "cases" / "folder.yaml").mkdir()
    return {}


@pytest.mark.parametrize(
    "name", [pytest.param(name, id=f"{name}-{target}") for name, target in DEVICE_LINKS]
)
def test_a_link_to_a_device_is_refused_before_it_is_read(refused: Refusal, name: str) -> None:
    about = _about(refused.message, f"datasets/{name}")
    assert "symbolic link" in about and Path(name).name in about, refused.message


@pytest.mark.parametrize("name", OUTSIDE_LINKS)
def test_a_link_outside_the_repo_is_never_followed_nor_printed(refused: Refusal, name: str) -> None:
    assert "hunter2" not in refused.message and "AWS_SECRET" not in refused.message
    assert "symbolic link" in _about(refused.message, f"datasets/{name}"), refused.message


def test_a_folder_with_a_case_files_name_is_one_clear_message(refused: Refusal) -> None:
    about = _about(refused.message, "datasets/cases/folder.yaml")
    assert "folder.yaml" in about and "is a folder, not a regular file" in about, refused.message


# --- 2. YAML that means something other than it says ----------------------------------------------
YAML_ODDITIES = [
    # the red team's examples
    ('summary: "Acme denied it."', "summary: !!int twelve", "summary", "tag"),
    ('claim_date: "2023-03"', "claim_date: !!timestamp 2023-02-30", "claim_date", "tag"),
    ('quote_lang: "en"', "quote_lang: !!bool maybe", "quote_lang", "tag"),
    # second instances: a local tag, a Python tag, a sexagesimal number
    ('summary: "Acme denied it."', "summary: !shout Acme denied it.", "summary", "tag"),
    ('summary: "Acme denied it."', "summary: !!python/name:os.system", "summary", "tag"),
    ('summary: "Acme denied it."', "summary: 1:20:30", "summary", "sexagesimal"),
]


def _yaml_oddities(datasets: Path) -> dict[str, int]:
    """Every oddity in a case file of its own, beside a second, unrelated problem in the same
    file; each oddity's line."""
    lines: dict[str, int] = {}
    for i, (replace, by, _, _) in enumerate(YAML_ODDITIES):
        case = minimal_case()
        case["claims"][1]["topic"] = "not-a-topic"  # a second, unrelated problem
        path = write_variant(datasets, case, f"oddity-{i}")
        text = path.read_text().replace(replace.replace('"', ""), by, 1)
        text = text.replace(replace, by, 1)
        path.write_text(text)
        assert by in text
        line = text.splitlines().index(next(x for x in text.splitlines() if by in x)) + 1
        lines[f"oddity-{i}"] = line
    return lines


@pytest.mark.parametrize(
    ("oddity", "field", "words"),
    [pytest.param(i, field, words, id=by) for i, (_, by, field, words) in enumerate(YAML_ODDITIES)],
)
def test_yaml_tags_and_odd_scalars_name_the_line_and_hide_no_other_problem(
    refused: Refusal, oddity: int, field: str, words: str
) -> None:
    message = refused.message
    file = f"datasets/cases/oddity-{oddity}.yaml"
    at_line = _about(message, f"{file}:{refused.lines[f'oddity-{oddity}']}:")
    assert at_line and words in at_line.lower() and f"'{field}'" in at_line, message
    assert "not-a-topic" in _about(message, file)  # the other problem is still reported


MISREAD_NUMBERS = [
    (".nan", "not a number"),  # the red team's examples
    (".inf", "infinity"),
    ("0100", "leading zero"),
    ("-.Inf", "infinity"),  # second instances
    ("0x1F", "hexadecimal"),
    ("1_000", "underscore"),
]


def _misread_numbers(datasets: Path) -> dict[str, int]:
    """Each number in a case file of its own; each amount's line."""
    lines: dict[str, int] = {}
    for i, (value, _) in enumerate(MISREAD_NUMBERS):
        case = minimal_case()
        case["evidence"][0].update(amount=1, amount_currency="USD", amount_kind="penalty")
        path = write_variant(datasets, case, f"number-{i}")
        text = path.read_text().replace("amount: 1\n", f"amount: {value}\n")
        path.write_text(text)
        lines[f"number-{i}"] = next(
            n for n, x in enumerate(text.splitlines(), 1) if "  amount:" in x
        )
    return lines


@pytest.mark.parametrize(
    ("number", "words"),
    [pytest.param(i, words, id=value) for i, (value, words) in enumerate(MISREAD_NUMBERS)],
)
def test_numbers_a_reader_could_misread_are_refused(
    refused: Refusal, number: int, words: str
) -> None:
    line = refused.lines[f"number-{number}"]
    at_line = _about(refused.message, f"datasets/cases/number-{number}.yaml:{line}:")
    assert "'amount'" in at_line and words in at_line.lower(), refused.message


MERGE_KEYS = [
    # the red team's example: a merge key that silently overrides a field
    "- <<: {topic: environment}\n  claim_id: merged-claim\n",
    # second instance: a merge key whose anchor would be dropped
    "- &base\n  claim_id: merged-claim\n- <<: *base\n",
]


def _merge_keys(datasets: Path) -> dict[str, int]:
    """Each merge key at the head of the claims of a case file of its own (named without the
    words the test looks for)."""
    for i, merge in enumerate(MERGE_KEYS):
        path = write_variant(datasets, minimal_case(), f"yaml-key-{i}")
        path.write_text(path.read_text().replace("claims:\n", "claims:\n" + merge, 1))
    return {}


@pytest.mark.parametrize("merge", [pytest.param(i, id=merge) for i, merge in enumerate(MERGE_KEYS)])
def test_the_merge_key_is_refused(refused: Refusal, merge: int) -> None:
    about = _about(refused.message, f"datasets/cases/yaml-key-{merge}.yaml:").lower()
    assert about and ("merge" in about or "alias" in about), refused.message


# --- 3. feeds with shapes the door does not expect ------------------------------------------------
def _write_parquet(path: Path, columns: dict[str, pa.Array]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)


PARQUET_ODDITIES = [
    # the red team's examples
    ("publisher_struct", None, "struct"),
    ("summary", pa.array([["a", "b"]]), "list"),
    ("recorded_on", pa.array([19000], pa.int64()), "int64"),
    # second instances: a map, a timestamp where a date is expected, binary text
    ("summary", pa.array([[("k", "v")]], pa.map_(pa.string(), pa.string())), "map"),
    ("evidence_date", pa.array([1_700_000_000_000], pa.timestamp("ms")), "timestamp"),
    ("summary", pa.array([b"A feed row."], pa.binary()), "binary"),
]


def _parquet_oddities(datasets: Path) -> dict[str, int]:
    """Every odd type in a Parquet feed of its own."""
    for i, (column, array, _) in enumerate(PARQUET_ODDITIES):
        row = feed_row(evidence_id=f"feed-row-{i}")
        columns = {name: pa.array([value]) for name, value in row.items()}
        if column == "publisher_struct":
            column, array = "summary", pa.array([{"PQ": "x", "Co": "y"}])
        columns[column] = array
        _write_parquet(datasets / "feeds" / "evidence" / f"odd-{i}.parquet", columns)
    return {}


@pytest.mark.parametrize(
    ("index", "column", "words"),
    [
        pytest.param(i, column, words, id=f"{column}-{words}")
        for i, (column, _, words) in enumerate(PARQUET_ODDITIES)
    ],
)
def test_parquet_feed_types_the_door_does_not_expect_are_refused(
    refused: Refusal, index: int, column: str, words: str
) -> None:
    about = _about(refused.message, f"datasets/feeds/evidence/odd-{index}.parquet")
    column = "summary" if column == "publisher_struct" else column
    assert f"'{column}'" in about and words in about.lower(), refused.message


PATTERN_NAMES = ["[acme].csv", "acme*.csv", "ac?me.csv"]
DUPLICATED_COLUMN_FORMS = ["csv", "parquet"]


def _one_row_csv(path: Path, row: dict) -> None:
    path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n")


def _feed_shapes(datasets: Path) -> dict[str, int]:
    """A CSV feed whose records span lines, a Parquet feed with bad rows, feeds named like glob
    patterns, a CSV feed without a required column, and a CSV and a Parquet feed with a column
    twice."""
    folder = datasets / "feeds" / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    header = ",".join(feed_row())
    good = [feed_row(evidence_id=f"row-{i}", summary=f'"line one\nline two {i}"') for i in (1, 2)]
    bad = feed_row(evidence_id="row-bad", evidence_type="rumour")
    lines = [header] + [",".join(r.values()) for r in [*good, bad]]
    (folder / "multi.csv").write_text("\n".join(lines) + "\n")
    for i, name in enumerate(PATTERN_NAMES):
        row = feed_row(evidence_id=f"pattern-{i}", evidence_type="rumour")
        _one_row_csv(folder / name, row)
    # A Parquet feed has no lines: its rows are counted from 1, as a reader counts them. Its
    # third row's amount is a float NaN, which Parquet holds and saydo does not take as a number.
    rows = [
        feed_row(evidence_id="rows-good", amount=None, amount_currency=None, amount_kind=None),
        feed_row(
            evidence_id="rows-bad",
            voice="rumour",
            amount=None,
            amount_currency=None,
            amount_kind=None,
        ),
        feed_row(
            evidence_id="rows-nan",
            amount=float("nan"),
            amount_currency="USD",
            amount_kind="penalty",
        ),
    ]
    _write_parquet(
        folder / "rows.parquet", {name: pa.array([r[name] for r in rows]) for name in rows[0]}
    )
    # A feed without a required column is named once, at its header, not at every row.
    row = feed_row(evidence_id="summary-missing")
    del row["summary"]
    _one_row_csv(folder / "missing.csv", row)
    for form in DUPLICATED_COLUMN_FORMS:
        row = feed_row(evidence_id=f"duplicated-{form}")
        if form == "csv":
            header = ",".join(row) + ",summary"
            (folder / "dup.csv").write_text(header + "\n" + ",".join(row.values()) + ",again\n")
        else:
            names = [*row, "summary"]
            arrays = [pa.array([v]) for v in row.values()] + [pa.array(["again"])]
            pq.write_table(pa.Table.from_arrays(arrays, names=names), folder / "dup.parquet")
    return {}


def test_a_csv_record_is_reported_at_the_line_it_starts_on(refused: Refusal) -> None:
    # header 1, two records of two lines each (2-3, 4-5): the bad one starts on line 6
    about = _about(refused.message, "datasets/feeds/evidence/multi.csv:6")
    assert "rumour" in about, refused.message


def test_a_parquet_row_is_reported_at_its_number_counted_from_one(refused: Refusal) -> None:
    # rows-good is row 1, rows-bad row 2 (the file's row index 1, plus one), rows-nan row 3
    about = _about(refused.message, "datasets/feeds/evidence/rows.parquet:2")
    assert "evidence rows-bad" in about and "'rumour'" in about, refused.message
    about = _about(refused.message, "datasets/feeds/evidence/rows.parquet:3")
    assert "evidence rows-nan, field 'amount': 'nan' is not a valid number" in about, about


@pytest.mark.parametrize("name", PATTERN_NAMES)
def test_a_feed_named_like_a_pattern_is_read_as_itself(refused: Refusal, name: str) -> None:
    # A decoy the pattern would also match: the error must describe the named file only.
    about = _about(refused.message, f"datasets/feeds/evidence/{name}:2")
    assert "rumour" in about, refused.message


def test_a_feed_without_a_required_column_is_named_at_its_header(refused: Refusal) -> None:
    about = _about(refused.message, "datasets/feeds/evidence/missing.csv")
    assert about.strip() == (
        "- datasets/feeds/evidence/missing.csv:1: header, field 'summary': required column is "
        "missing. Fix: add a 'summary' column."
    ), refused.message


@pytest.mark.parametrize("form", DUPLICATED_COLUMN_FORMS)
def test_a_duplicate_feed_column_is_refused_by_name(refused: Refusal, form: str) -> None:
    # The red team's example is a CSV; the second instance a Parquet file, whose format allows
    # two columns of one name.
    about = _about(refused.message, f"datasets/feeds/evidence/dup.{form}")
    assert "'summary'" in about and "twice" in about, refused.message
    assert "_duplicated_" not in refused.message


# --- 4. saydo query is read-only ------------------------------------------------------------------
@pytest.mark.parametrize(
    "sql",
    [
        # the red team's examples
        "COPY (select 1) TO '{dist}/parquet/claims.parquet' (FORMAT parquet)",
        "ATTACH '{tmp}/new.duckdb' AS other (READ_ONLY false)",
        "INSTALL httpfs",
        "SET autoinstall_known_extensions = true",
        # second instances
        "COPY (select 1) TO '{tmp}/elsewhere.csv'",
        "SET enable_external_access = true",
        "LOAD httpfs",
        "select * from read_csv('/etc/passwd')",
        "create table x as select 1",
        "PRAGMA lock_configuration = false",
    ],
)
def test_query_cannot_write_read_elsewhere_or_reach_the_network(
    capsys, tmp_path: Path, built: Path, sql: str
) -> None:
    before = snapshot(built)
    statement = sql.format(dist=built, tmp=tmp_path)
    code, out, err = saydo(capsys, "query", "--db", str(built / "saydo.duckdb"), statement)
    assert code == 1, (out, err)
    assert "Traceback" not in err and err.strip()
    assert snapshot(built) == before
    assert not (tmp_path / "new.duckdb").exists() and not (tmp_path / "elsewhere.csv").exists()


def test_a_shared_sql_file_cannot_write_either(capsys, tmp_path: Path, built: Path) -> None:
    shared = tmp_path / "shared.sql"
    target = tmp_path / "stolen.parquet"
    shared.write_text(f"select 1;\nCOPY claims TO '{target}' (FORMAT parquet);\nselect 2;\n")
    code, _, err = saydo(capsys, "query", "--db", str(built / "saydo.duckdb"), "-f", str(shared))
    assert code == 1 and not target.exists()
    assert "reads only the package" in err


@pytest.mark.parametrize("option", ["-o", "--parquet"])
def test_query_output_never_overwrites_an_input_or_the_package(
    capsys, tmp_path: Path, built: Path, datasets: Path, option: str, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where a user runs saydo: datasets/ beside dist/
    case_file = _case_text(datasets)
    before = case_file.read_bytes(), snapshot(built)
    for target in (case_file, built / "parquet" / "claims.parquet"):
        args = ["query", "--db", str(built / "saydo.duckdb"), "select 1 as one"]
        args += ["--csv", "-o", str(target)] if option == "-o" else ["--parquet", str(target)]
        code, _, err = saydo(capsys, *args)
        assert code == 1 and "will not overwrite" in err, err
    assert (case_file.read_bytes(), snapshot(built)) == before


# --- 5. control characters never reach the terminal -----------------------------------------------
CONTROL_CHARACTERS = [
    ("quote", "We never\x1b]0;pwned\x07 did it."),  # the red team's example: ESC and BEL
    ("quote", "We never\x00 did it."),  # NUL
    ("summary", "Acme \x1b[2J denied it."),  # second instance: another field
    # A C1 control (CSI, which a terminal reads as ESC [), written by YAML as the escape "\x9B"
    # in a double-quoted string, so it passes libyaml's reader and reaches saydo's own check.
    ("summary", "Acme \x9b2J denied it."),
    ("claim_id", "acme\u202edenial"),  # a right-to-left override in an id
    ("claim_id", "acme-d\u200benial"),  # a zero-width space in an id
]
CONFUSABLE_IDS = [
    ("acme-deni\u0430l", "U+0430 CYRILLIC SMALL LETTER A"),  # the red team's example
    ("acme-den\u0456al", "U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I"),
]


def _odd_characters(datasets: Path) -> dict[str, int]:
    """Every control, format and confusable character in a case file of its own."""
    values = [*CONTROL_CHARACTERS, *(("claim_id", value) for value, _ in CONFUSABLE_IDS)]
    for i, (field, value) in enumerate(values):
        case = minimal_case()
        if field == "claim_id":
            case["links"][0]["claim_id"] = value
        case["claims"][0][field] = value
        write_variant(datasets, case, f"characters-{i}")
    return {}


@pytest.mark.parametrize(
    ("index", "field"),
    [pytest.param(i, field, id=repr(value)) for i, (field, value) in enumerate(CONTROL_CHARACTERS)],
)
def test_control_and_format_characters_are_refused_and_never_printed_raw(
    refused: Refusal, index: int, field: str
) -> None:
    assert not any(c in refused.message for c in "\x00\x07\x1b\x9b\u202e\u200b")
    about = _about(refused.message, f"datasets/cases/characters-{index}.yaml")
    assert f"'{field}'" in about, refused.message


@pytest.mark.parametrize(
    ("index", "shown"),
    [
        pytest.param(len(CONTROL_CHARACTERS) + i, shown, id=repr(value))
        for i, (value, shown) in enumerate(CONFUSABLE_IDS)
    ],
)
def test_a_confusable_letter_in_an_id_is_pointed_at(
    refused: Refusal, index: int, shown: str
) -> None:
    about = _about(refused.message, f"datasets/cases/characters-{index}.yaml")
    assert shown in about and "'claim_id'" in about, refused.message


def test_query_output_escapes_control_characters(capsys, built: Path) -> None:
    db = str(built / "saydo.duckdb")
    sql = "select chr(27) || '[2J' || chr(155) || chr(8238) as x"
    code, table, _ = saydo(capsys, "query", "--db", db, sql)
    assert code == 0 and "\\x1b[2J\\x9b\\u202e" in table
    code, as_json, _ = saydo(capsys, "query", "--db", db, "--json", sql)
    assert json.loads(as_json) == [{"x": "\x1b[2J\x9b\u202e"}]  # the same data ...
    assert not any(c in as_json for c in "\x1b\x9b\u202e")  # ... inert to print
    # Into a pipe or a file, CSV keeps the exact value (a spreadsheet gets what SQL gave).
    code, as_csv, _ = saydo(capsys, "query", "--db", db, "--csv", sql)
    assert as_csv.splitlines()[1] == "\x1b[2J\x9b\u202e"
    # A column's name is text from the query too, shown as its escapes in the table.
    code, table, _ = saydo(capsys, "query", "--db", db, 'select 1 as "\x1b[2J"')
    assert code == 0 and table.splitlines()[0] == "\\x1b[2J" and "\x1b" not in table
    # And DuckDB's error, which quotes the query: "Table with name \x1b[2J does not exist".
    code, _, err = saydo(capsys, "query", "--db", db, 'select * from "\x1b[2J"')
    assert code == 1 and "Table with name \\x1b[2J does not exist" in err and "\x1b" not in err


# --- 6. outputs never destroy inputs --------------------------------------------------------------
@pytest.mark.parametrize(
    "out",
    [
        "datasets",  # the red team's examples
        "releases",
        "datasets/cases",  # second instances: inside an input, and holding every input
        ".",
        "releases/dist",  # inside the release records, where no folder exists yet
    ],
)
def test_an_output_folder_that_overlaps_an_input_is_refused_before_anything_is_touched(
    capsys, tmp_path: Path, datasets: Path, out: str, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "releases").mkdir()
    (tmp_path / "releases" / "keep.txt").write_text("keep")
    before = snapshot(tmp_path)
    code, _, err = saydo(capsys, "build", "--datasets", "datasets", "--out", out, "--no-gate")
    assert (
        (code == 1 and "refused" not in err.lower()) or "saydo will not" in err or "overlaps" in err
    )
    assert code == 1
    assert snapshot(tmp_path) == before


def test_a_release_folder_holding_the_datasets_is_not_an_output(built: Path) -> None:
    # dist/ is saydo's own release, but the datasets were put inside it: replacing dist/
    # would delete them.
    write_case(built / "datasets", minimal_case())
    with pytest.raises(OutputRefused, match="overlaps the input"):
        check_output_folder(built, inputs=(built / "datasets",))


def test_a_folder_is_saydos_release_only_with_both_of_its_files(tmp_path: Path) -> None:
    # A folder of downloads holding a SHA256SUMS (or a datapackage.json) of something else is
    # not a release saydo may replace: a release has both.
    for name in ("SHA256SUMS", "datapackage.json"):
        out = tmp_path / name.lower()
        out.mkdir()
        (out / name).write_text("not saydo's\n")
        (out / "thesis.docx").write_text("years of work")
        with pytest.raises(OutputRefused, match="saydo did not make"):
            check_output_folder(out, inputs=(tmp_path / "datasets",))


def test_no_output_file_or_lock_is_written_through_a_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "notes.txt"
    elsewhere.write_text("mine")
    link = tmp_path / "out.csv"
    link.symlink_to(elsewhere)
    with pytest.raises(OutputRefused, match="not a plain file"):
        check_output_file(link)
    (tmp_path / "dist.lock").symlink_to(elsewhere)
    with pytest.raises(BuildLocked, match="not a plain file"), build_lock(tmp_path / "dist"):
        pass
    assert elsewhere.read_text() == "mine"


@pytest.mark.parametrize("kind", ["file", "foreign folder"])
def test_an_output_that_saydo_did_not_make_is_left_whole(
    capsys, tmp_path: Path, datasets: Path, kind: str
) -> None:
    out = tmp_path / "dist"
    if kind == "file":
        out.write_text("my notes")
    else:
        out.mkdir()
        (out / "thesis.docx").write_text("years of work")
    before = snapshot(tmp_path)
    code, _, err = saydo(
        capsys, "build", "--datasets", str(datasets), "--out", str(out), "--no-gate"
    )
    assert code == 1 and str(out) in err
    assert snapshot(tmp_path) == before


# --- 7. release records that can be bent ----------------------------------------------------------
def _released(tmp_path: Path, datasets: Path) -> Path:
    """A first release of the minimal case (in `datasets`, tmp_path/datasets), recorded in
    tmp_path/releases."""
    assert datasets == tmp_path / "datasets"
    return record(tmp_path)


STRAY_RECORDS = [
    ("1.1.0.json", "{not json", "not a readable release record"),  # the red team's
    ("notes.json", '{"note": "hi"}', "is not a release record"),
    ("9.9.9.json", "{}", "9.9.9.json"),
    ("2.0.0.json", "[1, 2]", "not a release record"),  # second instance: a JSON list
]


@dataclass(frozen=True)
class BentRecords:
    message: str  # what `saydo` would print
    edited: str  # the name of the record edited by hand


@pytest.fixture(scope="module")
def bent_records() -> BentRecords:
    """A first release of the minimal case whose own record is edited by hand, with every stray
    or broken record above beside it, a copy of the record named for another release, and its
    records file replaced by a link; one build over them. Every record is read before any is
    used and each one's problem is reported (transforms/release/records.py), so one refused
    build stands for seven."""

    def make(folder: Path) -> BentRecords:
        write_case(folder / "datasets", minimal_case())
        releases = record(folder)
        edited = next(releases.glob("*.json"))
        # The untouched record copied under another release's name: its content verifies, its
        # name does not.
        (releases / "1.0.1.json").write_text(edited.read_text())
        # Its records file a link to the same bytes kept elsewhere: a release's files are
        # never read through a link, whatever they hold.
        kept = folder / "kept.parquet"
        (releases / "1.0.0.parquet").rename(kept)
        (releases / "1.0.0.parquet").symlink_to(kept)
        document = json.loads(edited.read_text())
        document["version"] = document["version"]  # untouched envelope ...
        document["tables"]["claims"]["rows"] = 1  # ... but one figure bent
        edited.write_text(json.dumps(document))
        for name, content, _ in STRAY_RECORDS:
            (releases / name).write_text(content)
        with pytest.raises(Exception) as caught:
            build(folder / "datasets", folder / "dist2", today=TODAY, gate=False, releases=releases)
        return BentRecords(_message(caught.value), edited.name)

    return made_once("bent-records", make)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        pytest.param(name, words, id=f"{name}-{content}-{words}")
        for name, content, words in STRAY_RECORDS
    ],
)
def test_a_stray_or_broken_release_record_is_named(
    bent_records: BentRecords, name: str, words: str
) -> None:
    about = _about(bent_records.message, f"releases/{name}")
    # Once: a file that is no release record is not read as one as well.
    assert len(about.splitlines()) == 1 and name in about and words in about, bent_records.message


def test_a_release_record_under_another_version_s_name_is_named(
    bent_records: BentRecords,
) -> None:
    about = _about(bent_records.message, "releases/1.0.1.json")
    assert "says it is release 1.0.0, but its file name says 1.0.1" in about, bent_records.message


def test_a_release_record_edited_by_hand_is_refused(bent_records: BentRecords) -> None:
    about = _about(bent_records.message, f"releases/{bent_records.edited}")
    assert bent_records.edited in about and "checksum" in about, bent_records.message
    # Its records file, now a link, is refused as if it were missing.
    assert "names its records file 1.0.0.parquet, which is missing" in about, about


def _chained(releases: Path, version: str, previous: str, previous_sha256: str) -> None:
    """A record of `version` in `releases`, made from 1.0.0's (and its records file), chained
    to `previous` by `previous_sha256`, with its own checksum right."""
    document = json.loads((releases / "1.0.0.json").read_text())
    document["version"] = version
    document["previous"] = {"version": previous, "sha256": previous_sha256}
    document["checksum"] = envelope_checksum(document)
    (releases / f"{version}.json").write_text(json.dumps(document))


def test_releases_are_read_in_number_order_and_each_must_chain_to_the_one_before(
    tmp_path: Path, datasets: Path
) -> None:
    releases = _released(tmp_path, datasets)
    _chained(releases, "1.9.0", "1.0.0", sha256_of(releases / "1.0.0.json"))
    _chained(releases, "1.10.0", "1.9.0", sha256_of(releases / "1.9.0.json"))
    # 1.10.0 follows 1.9.0 (as numbers; as text "1.10.0" < "1.9.0").
    assert [r.version for r in read_releases(releases)] == ["1.0.0", "1.9.0", "1.10.0"]
    # A record that names the right version before it but not its bytes: 1.10.0 was replaced.
    _chained(releases, "1.11.0", "1.10.0", "0" * 64)
    with pytest.raises(ReleaseRecordError) as caught:
        read_releases(releases)
    ((file, message),) = [(p.file, p.message) for p in caught.value.problems]
    assert file == "releases/1.11.0.json" and "does not chain to release 1.10.0" in message


def test_a_made_up_previous_value_is_refused(tmp_path: Path, datasets: Path) -> None:
    releases = _released(tmp_path, datasets)
    case = corrected(
        minimal_case(),
        "summary",
        "Acme denied it, firmly.",
        previous="Acme admitted it.",  # not what was published
        on="2024-02-01",
        reason="Sharper wording.",
    )
    write_case(datasets, case)
    with pytest.raises(InputError) as caught:
        build(datasets, tmp_path / "dist2", today=TODAY, gate=False, releases=releases)
    message = str(caught.value)
    assert "previous_value" in message and "published" in message


@pytest.mark.parametrize(
    "command", [["report", "--out", "{tmp}/report"], ["diff", "{dist}", "{dist}"], ["query"]]
)
def test_every_command_that_reads_dist_refuses_a_hand_edited_one(
    capsys, tmp_path: Path, built: Path, command: list[str]
) -> None:
    with open(built / "saydo.duckdb", "r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00edited")
    args = [a.format(tmp=tmp_path, dist=built) for a in command]
    if args[0] in ("report", "query"):
        args += ["--db", str(built / "saydo.duckdb")]
    if args[0] == "query":
        args.append("select 1")
    code, _, err = saydo(capsys, *args)
    assert code == 1 and "SHA256SUMS" in err and "saydo.duckdb" in err


# --- 8. messages instead of catch-alls ------------------------------------------------------------
def test_a_lock_file_that_is_a_folder_is_named(capsys, tmp_path: Path, datasets: Path) -> None:
    out = tmp_path / "dist"
    (tmp_path / "dist.lock").mkdir()
    code, _, err = saydo(capsys, "build", "--datasets", str(datasets), "--out", str(out))
    assert code == 1 and "dist.lock" in err and "failed:" not in err


def test_a_dangling_editor_lock_link_is_not_an_input(
    capsys, tmp_path: Path, datasets: Path
) -> None:
    (datasets / "cases" / ".#acme.yaml").symlink_to("user@host.1234:1700000000")
    code, _, err = saydo(capsys, "check", "--datasets", str(datasets))
    assert code == 0, err


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00binary", b"[1, 2, 3]", b""],  # binary, a JSON list, empty
)
def test_diff_on_something_that_is_not_a_release_is_named(
    capsys, tmp_path: Path, built: Path, content: bytes
) -> None:
    odd = tmp_path / "odd.json"
    odd.write_bytes(content)
    code, _, err = saydo(capsys, "diff", str(odd), str(built))
    assert code == 1 and "odd.json" in err and "failed:" not in err


@pytest.mark.parametrize("what", ["a folder as the SQL file", "a missing SQL file"])
def test_query_file_that_cannot_be_read_is_named(
    capsys, tmp_path: Path, built: Path, what: str
) -> None:
    path = tmp_path / "q.sql"
    if what.startswith("a folder"):
        path.mkdir()
    code, _, err = saydo(capsys, "query", "--db", str(built / "saydo.duckdb"), "-f", str(path))
    assert code == 1 and "q.sql" in err and "failed:" not in err


@pytest.mark.parametrize("command", ["query", "report"])
def test_a_folder_given_as_the_package_file_is_named(capsys, tmp_path: Path, command: str) -> None:
    folder = tmp_path / "not-a-file"
    folder.mkdir()
    args = [command, "--db", str(folder)] + (["select 1"] if command == "query" else [])
    code, _, err = saydo(capsys, *args)
    assert code == 1 and "not-a-file is not the package's DuckDB file" in err


def test_a_missing_datasets_folder_is_an_error_not_an_empty_package(capsys, tmp_path: Path) -> None:
    code, out, err = saydo(capsys, "check", "--datasets", str(tmp_path / "nowhere"))
    assert code == 1 and "nowhere: does not exist" in err and "valid" not in out


def test_a_read_only_place_is_a_message_not_a_traceback(
    capsys, tmp_path: Path, built: Path, datasets: Path
) -> None:
    # A folder saydo may not write in: a chmod 555 one, or, for root (who ignores file
    # permissions), sysfs, where nobody may create a file.
    if os.geteuid() == 0:
        out = Path("/sys/saydo-dist")
        if not Path("/sys").is_dir():
            pytest.skip("no sysfs to stand in for a read-only file system")
    else:
        out = built
        tmp_path.chmod(0o555)
    try:
        code, _, err = saydo(
            capsys, "build", "--datasets", str(datasets), "--out", str(out), "--no-gate"
        )
    finally:
        tmp_path.chmod(0o755)
    assert code == 1 and "failed:" not in err and "Traceback" not in err
    assert str(out) in err and ("permission" in err.lower() or "not permitted" in err.lower())
    assert (built / "SHA256SUMS").is_file()


@pytest.mark.slow
def test_ctrl_c_stops_with_one_line(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    shutil.copytree(REPO / "datasets", datasets)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "transforms.cli",
            "build",
            "--datasets",
            str(datasets),
            "--out",
            str(tmp_path / "dist"),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "stopped (Ctrl-C)" in err
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize(
    "stop",
    [KeyboardInterrupt(), duckdb.InterruptException("INTERRUPT Error: Interrupted!")],
    ids=["in Python", "inside a DuckDB query"],
)
def test_ctrl_c_anywhere_exits_130_with_one_line(
    capsys, monkeypatch, datasets: Path, stop: BaseException
) -> None:
    """The fast half of the slow test above: wherever the interrupt lands, the exit code is
    the shell's for SIGINT (128 + 2) and the message one line."""

    def interrupted(*_args, **_kwargs):
        raise stop

    monkeypatch.setattr("transforms.build.check", interrupted)
    code, out, err = saydo(capsys, "check", "--datasets", str(datasets))
    assert (code, out, err) == (130, "", "saydo: stopped (Ctrl-C); nothing was published.\n")


def test_a_disk_error_names_the_file_and_a_saydo_bug_exits_2(
    capsys, monkeypatch, datasets: Path
) -> None:
    # An OSError that is not a missing file or a permission: the disk, named with its file.
    full = OSError(28, "No space left on device", "dist/saydo.duckdb")
    assert _message(full) == (
        "saydo could not read or write dist/saydo.duckdb: No space left on device. Nothing was "
        "published; check the disk, the path and its permissions, then run again."
    )

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    # An error saydo did not foresee is a bug: exit 2 (not 1, a refused input), and how to see
    # and report it.
    monkeypatch.setattr("transforms.build.check", broken)
    code, _, err = saydo(capsys, "check", "--datasets", str(datasets))
    assert (code, err) == (
        2,
        "saydo check failed: RuntimeError: boom\n"
        "Run again with --debug for the traceback, and report it if it looks like a bug.\n",
    )


def test_query_takes_its_sql_one_way_only(capsys, tmp_path: Path) -> None:
    sql = tmp_path / "q.sql"
    sql.write_text("select 2")
    for args in (["select 1", "-f", str(sql)], []):  # both, or neither
        code, out, err = saydo(capsys, "query", "--db", str(tmp_path / "none.duckdb"), *args)
        assert (code, out) == (1, "")
        assert err == "give the SQL as an argument or with -f FILE, not both.\n"


def test_new_case_writes_no_control_character_and_nothing_through_a_link(
    capsys, tmp_path: Path
) -> None:
    datasets = tmp_path / "datasets"
    code, _, err = saydo(
        capsys, "new-case", "acme-test", "--title", "Acme\x1b[2J", "--datasets", str(datasets)
    )
    assert (code, err) == (1, "the title holds a control character; write it as plain text.\n")
    # A link left where the case file would go, pointing at a file that does not exist yet:
    # writing the case would create that file elsewhere.
    (datasets / "cases").mkdir(parents=True)
    target = datasets / "cases" / "acme-test.yaml"
    target.symlink_to(tmp_path / "elsewhere.yaml")
    code, _, err = saydo(capsys, "new-case", "acme-test", "--datasets", str(datasets))
    assert code == 1 and f"{target} exists already" in err
    assert not (tmp_path / "elsewhere.yaml").exists()


def test_the_report_is_never_written_into_datasets(
    capsys, monkeypatch, tmp_path: Path, built: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # datasets/ beside dist/, as a user runs saydo
    before = snapshot(tmp_path / "datasets")
    db = str(built / "saydo.duckdb")
    code, _, err = saydo(capsys, "report", "--db", db, "--out", "datasets/report", "--no-png")
    assert (code, err) == (1, "saydo will not write the report into datasets; use --out.\n")
    assert snapshot(tmp_path / "datasets") == before


# --- 9. small traps -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "title",
    [
        "Acme: forced labour",  # the red team's examples
        "Volkswagen's clean diesel #dieselgate",
        '"Quoted" title - with * and & and ! and % and @',  # second instance
    ],
)
def test_new_case_keeps_any_title_exactly(capsys, tmp_path: Path, monkeypatch, title: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = saydo(capsys, "new-case", "acme-test", "--title", title)
    assert code == 0, err
    written = next(tmp_path.rglob("acme-test.yaml"))
    assert yaml.safe_load(written.read_text())["case"]["title"] == title


@dataclass(frozen=True)
class Rebuilt:
    result: BuildResult
    changes: dict[tuple[str, str], object]  # (kind of change, table) -> what changed


def _changes(comparison) -> dict[tuple[str, str], object]:
    """Every change a comparison with the last release found: (kind, table) -> what."""
    return {
        (kind.name, table): found
        for kind in dataclasses.fields(comparison)
        if kind.name not in ("previous", "problems")
        for table, found in getattr(comparison, kind.name).items()
        if found
    }


@pytest.fixture(scope="module")
def renamed_and_corrected() -> Rebuilt:
    """A build over a first release of the minimal case after its case file was given a new
    name and, in it, one claim's summary corrected on the day the release was recorded: one
    build for the two promises below, and every change it found."""

    def make(folder: Path) -> Rebuilt:
        datasets = folder / "datasets"
        write_case(datasets, minimal_case())
        releases = record(folder)
        case = minimal_case()
        corrected(
            case,
            "summary",
            "Acme denied it, in March 2023.",
            previous="Acme denied it.",
            on=case["case"]["recorded_on"],  # the day it was recorded
            reason="The month is known.",
        )
        write_case(datasets, case)
        _case_text(datasets).rename(datasets / "cases" / "acme-renamed.yaml")
        result = build(datasets, folder / "dist2", today=TODAY, gate=False, releases=releases)
        comparison = result.comparison
        assert comparison.problems == []
        return Rebuilt(result, _changes(comparison))

    return made_once("renamed-and-corrected", make)


def test_a_correction_on_release_day_is_accepted(renamed_and_corrected: Rebuilt) -> None:
    # The build went through, and took the new summary for the correction it is.
    assert renamed_and_corrected.changes[("corrected", "claims")] == {"acme-denial": ["summary"]}


def test_renaming_a_case_file_needs_no_correction(renamed_and_corrected: Rebuilt) -> None:
    # Nothing changed but what the correction changed: the summary it corrects and its own row
    # (named table/record/field/day). Had the new name changed a record, it would be listed.
    assert renamed_and_corrected.changes == {
        ("corrected", "claims"): {"acme-denial": ["summary"]},
        ("added", "corrections"): ["claims/acme-denial/summary/2024-01-10"],
    }
    # 1.0.0 and a patch for the correction alone.
    assert renamed_and_corrected.result.summary["version"] == "1.0.1"


def test_renaming_alone_changes_nothing_and_keeps_the_version(tmp_path: Path) -> None:
    # The rename alone, through the build's own read and comparison with the release (the
    # whole build of a rename is the one above): no change at all, so no new version.
    write_case(tmp_path / "datasets", minimal_case())
    (previous,) = read_releases(record(tmp_path))
    _case_text(tmp_path / "datasets").rename(tmp_path / "datasets" / "cases" / "acme-renamed.yaml")
    with read_as_the_build_reads(tmp_path / "datasets") as (con, ingested):
        assert ingested.problems == []
        comparison = release_manifest.compare(con, previous)
    assert comparison.problems == []
    assert _changes(comparison) == {}
    assert next_version(previous, comparison) == previous.version == "1.0.0"
