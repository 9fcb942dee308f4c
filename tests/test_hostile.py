"""Hostile text is stored as given and never becomes code; the build needs no network."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.conftest import (
    HOSTILE,
    REPO,
    SAYDO,
    Refused,
    hostile_build,
    made_once,
    minimal_case,
    refused_over,
    write_case,
)
from transforms.db import connect
from transforms.ingest.yaml_reader import CaseFileError, decode_text, parse_case_text


def test_hostile_quote_is_stored_exactly_and_changes_no_query() -> None:
    folder, printed = hostile_build()
    assert printed["returncode"] == 0, printed["err"]
    con = duckdb.connect(str(folder / "dist" / "saydo.duckdb"), read_only=True)
    quote, summary = con.execute(
        "select quote, summary from claims where claim_id = ?", ["acme-denial"]
    ).fetchall()[0]
    assert quote == HOSTILE
    assert summary.startswith("=HYPERLINK(")
    # Nothing was dropped or deleted, and the scores still compute.
    assert con.execute("select count(*) from claims").fetchall() == [(2,)]
    assert con.execute("select count(*) from evidence").fetchall() == [(2,)]
    assert con.execute(
        "select gap_score from claim_gap where claim_id = 'acme-denial'"
    ).fetchall() == [(70.0,)]
    parquet = pq.read_table(folder / "dist" / "parquet" / "claims.parquet").to_pylist()
    assert next(r for r in parquet if r["claim_id"] == "acme-denial")["quote"] == HOSTILE


UNREADABLE = [
    ("not-yaml", b"claims:\n  - claim_id: a\n   quote: [unclosed\n", "not valid YAML"),
    ("not-utf8", b"case:\n  title: caf\xe9\n", "not UTF-8"),
    ("aliases", b"a: &a [1, 2]\nb: [*a, *a]\n", "alias"),
    ("deep", b"claims: " + b"[" * 200 + b"]" * 200 + b"\n", "nest"),
    ("not-a-mapping", b"- just\n- a list\n", "must be a mapping"),
]


@pytest.fixture(scope="module")
def unreadable_refused(minimal_release: Path) -> Refused:
    """Every unreadable file beside the hand-made case, one build over its release (once for
    the run)."""

    def make(folder: Path) -> Refused:
        write_case(folder / "datasets", minimal_case())
        for name, content, _ in UNREADABLE:
            (folder / "datasets" / "cases" / f"{name}.yaml").write_bytes(content)
        return refused_over(folder, minimal_release)

    return made_once("unreadable", make)


@pytest.mark.parametrize(
    ("name", "words"), [pytest.param(name, words, id=name) for name, _, words in UNREADABLE]
)
def test_unreadable_case_file_stops_the_build_and_keeps_dist(
    unreadable_refused: Refused, name: str, words: str
) -> None:
    problems = unreadable_refused.problems
    assert unreadable_refused.dist_before, "the good build wrote nothing"
    (problem,) = [p for p in problems if p.file == f"datasets/cases/{name}.yaml"]
    assert words in problem.message
    assert unreadable_refused.dist_after == unreadable_refused.dist_before
    # Nothing else is blamed: one problem per unreadable file, none in the good case.
    assert len(problems) == len(UNREADABLE)


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [
        ("case:\n  title: a\n# note \x1b[31m red\n", 3, "U+001B"),  # in a comment
        ("case:\n  title: a \x07 bell\n", 2, "U+0007"),  # in a plain value
        # Old Mac line endings (CR alone) are line breaks too: the bell is on line 3.
        ("case:\r  title: a\r  summary: b \x07 bell\r", 3, "U+0007"),
        # After Arabic text (two bytes a letter in UTF-8): still the line it is on.
        ("title: " + "عربي" * 10 + "\nb: 1\nc: x\x07\nd: 2\ne: 3\nf: 4\n", 3, "U+0007"),
    ],
)
def test_a_control_character_anywhere_is_refused_at_its_line(
    text: str, line: int, code: str
) -> None:
    # libyaml refuses these before any value is built; the message still names the line. The
    # file's bytes are decoded as the reader decodes them (a lone CR becomes a line break).
    with pytest.raises(CaseFileError) as caught:
        parse_case_text(decode_text(text.encode("utf-8")))
    assert caught.value.line == line
    assert code in caught.value.message
    assert "\x1b" not in caught.value.message and "\x07" not in caught.value.message


def test_duckdb_never_tries_to_download_an_extension() -> None:
    con = connect()
    for sql in (
        "select * from read_xlsx('x.xlsx')",
        "select * from 'https://example.org/file.parquet'",
    ):
        with pytest.raises(duckdb.Error, match="extension"):
            con.execute(sql).fetchall()
    loaded = {
        r[0]
        for r in con.execute(
            "select extension_name from duckdb_extensions() where loaded"
        ).fetchall()
    }
    assert loaded <= {"core_functions", "icu", "json", "parquet"}
    # No SQL statement in the package installs or loads an extension.
    statement = re.compile(r"""(?:^|["';])\s*(?:install|load)\s+\w+""", re.I | re.M)
    for folder in ("transforms", "validations", "schemas"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix in (".py", ".sql"):
                assert not statement.search(path.read_text(encoding="utf-8")), path


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("unshare") is None, reason="util-linux unshare not present")
def test_the_build_runs_with_no_network_at_all(tmp_path: Path) -> None:
    """Run a whole release build, gate included, in a network namespace with no interfaces."""
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("this sandbox does not allow a new network namespace")
    result = subprocess.run(
        [
            "unshare",
            "-n",
            SAYDO,
            "build",
            "--datasets",
            str(REPO / "datasets"),
            "--out",
            str(tmp_path / "dist"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dist" / "validation" / "release-checks.json").exists()
