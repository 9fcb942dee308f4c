"""The `saydo` command as a user runs it: help, query in every format, read-only, safe CSV,
new-case scaffolds, reports, and the cookbook."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from schemas.registry import TABLE_ORDER
from tests.conftest import (
    HOSTILE,
    REPO,
    SAYDO,
    TODAY,
    hostile_build,
    made_once,
    minimal_case,
    write_case,
)
from transforms.build import check
from transforms.cli import main as saydo
from transforms.db import dict_rows
from transforms.exporters.docs import fill_generated_section, generated_section, recipes
from transforms.exporters.query import csv_text, neutralise, save_csv
from transforms.exporters.report import (
    Page,
    _timeline_items,
    company_page,
    direction,
    environment,
    number_items,
    open_package,
    page_globals,
    release_of,
    score_points,
    story_image,
)
from transforms.exporters.report.chart import quarter_end, quarters
from transforms.exporters.report.timeline import Item, Rows, period, timeline_svg

COMMANDS = ("build", "release", "check", "query", "report", "diff", "new-case", "feed", "docs")


@pytest.fixture(scope="module")
def package() -> Path:
    """The hand-made case with a formula, a script and other hostile text in its claims, built
    by `saydo build` into a pipe once for the run (conftest.hostile_build)."""
    folder, printed = hostile_build()
    assert printed["returncode"] == 0, printed["err"]
    return folder / "dist" / "saydo.duckdb"


def test_help_lists_every_command_and_each_has_an_example(capfd) -> None:
    listing = subprocess.run([SAYDO, "--help"], capture_output=True, text=True, check=True)
    for command in COMMANDS:
        assert command in listing.stdout
        # Each command's own help from the same entry point, in this process.
        with pytest.raises(SystemExit) as stopped:
            saydo([command, "--help"])
        assert stopped.value.code == 0
        own = capfd.readouterr().out
        assert "example:" in own and "saydo " + command.split()[0] in own, command


def test_query_prints_a_table_json_csv_and_parquet(package: Path, tmp_path: Path, capsys) -> None:
    sql = "select claim_id, gap_score from claim_gap order by claim_id"
    assert saydo(["query", sql, "--db", str(package)]) == 0
    table = capsys.readouterr().out
    assert "acme-denial" in table and "70.0" in table and "(2 rows)" in table
    assert saydo(["query", sql, "--db", str(package), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"claim_id": "acme-arabic", "gap_score": 0.0},
        {"claim_id": "acme-denial", "gap_score": 70.0},
    ]
    assert saydo(["query", sql, "--db", str(package), "--csv"]) == 0
    assert capsys.readouterr().out == "claim_id,gap_score\nacme-arabic,0.0\nacme-denial,70.0\n"
    target = tmp_path / "out.parquet"
    assert saydo(["query", sql, "--db", str(package), "--parquet", str(target)]) == 0
    assert pq.read_table(target).num_rows == 2
    sql_file = tmp_path / "q.sql"
    sql_file.write_text(sql, encoding="utf-8")
    assert saydo(["query", "-f", str(sql_file), "--db", str(package), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_query_is_read_only_and_errors_are_one_paragraph(
    package: Path, tmp_path: Path, capfd
) -> None:
    # A copy: were read-only ever broken, the probe must not damage the run's shared package.
    package = Path(shutil.copy(package, tmp_path / "saydo.duckdb"))
    before = package.stat().st_mtime_ns
    result = subprocess.run(
        [SAYDO, "query", "delete from claims", "--db", str(package)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "read-only" in result.stderr and "Traceback" not in result.stderr
    assert duckdb.connect(str(package), read_only=True).execute(
        "select count(*) from claims"
    ).fetchall() == [(2,)]
    assert package.stat().st_mtime_ns == before
    # The same entry point, in this process: the message of a missing package.
    assert saydo(["query", "select 1", "--db", "/nonexistent/saydo.duckdb"]) == 1
    assert "run `make build`" in capfd.readouterr().err


def test_csv_export_neutralises_formulas_and_keeps_utf8(package: Path, tmp_path: Path) -> None:
    target = tmp_path / "claims.csv"
    assert (
        saydo(
            [
                "query",
                "select claim_id, quote, summary from claims order by claim_id",
                "--db",
                str(package),
                "--csv",
                "-o",
                str(target),
            ]
        )
        == 0
    )
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    denial = next(r for r in rows if r["claim_id"] == "acme-denial")
    assert denial["summary"] == '\'=HYPERLINK("http://evil.example","click")'
    assert denial["quote"] == HOSTILE  # a formula only at the start of a cell is one
    arabic = next(r for r in rows if r["claim_id"] == "acme-arabic")
    assert arabic["quote"] == "نحن نحترم حقوق الإنسان"
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(value) == "'" + value
    assert neutralise(-1) == -1 and neutralise("plain") == "plain"
    # A column's name is a cell too: SQL can name one `"=cmd|' /C calc'!A0"`.
    # (No comma or quote in it, so the CSV writer leaves the cell unquoted; the number -1 is a
    # number, not a formula, and stays as it is.)
    assert csv_text(["=cmd|' /C calc'!A0", "n"], [("-1+1", -1)]) == (
        "'=cmd|' /C calc'!A0,n\n'-1+1,-1\n"
    )
    chinese = tmp_path / "zh.csv"
    save_csv(["name"], [("海康威视",), ("=cmd|' /C calc'!A0",)], chinese)
    with open(chinese, encoding="utf-8-sig", newline="") as handle:
        assert [r[0] for r in csv.reader(handle)] == ["name", "海康威视", "'=cmd|' /C calc'!A0"]


def test_new_case_scaffolds_a_valid_file_with_every_field(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    write_case(datasets, minimal_case())
    assert saydo(["new-case", "acme-forced-labour", "--datasets", str(datasets)]) == 0
    text = (datasets / "cases" / "acme-forced-labour.yaml").read_text(encoding="utf-8")
    from schemas.registry import AUTHORING, TABLES

    for table in TABLES.values():
        assert f"\n{AUTHORING[table.name].case_file_key}: []" in text
        for field in table.columns:
            if field.derived or field.name.endswith("_precision") or field.name == "recorded_on":
                continue
            assert f" {field.name}: " in text, (table.name, field.name)
    assert check(datasets, today=TODAY)["claims"] == 2  # valid as written
    assert saydo(["new-case", "acme-forced-labour", "--datasets", str(datasets)]) == 1
    assert saydo(["new-case", "Not A Slug", "--datasets", str(datasets)]) == 1


def test_report_writes_an_index_and_a_page_per_company(package: Path, tmp_path: Path) -> None:
    assert saydo(["report", "--db", str(package), "--out", str(tmp_path / "report")]) == 0
    pages = sorted(p.name for p in (tmp_path / "report").glob("*.html"))
    assert pages == ["acme-sub.html", "acme.html", "index.html", "methodology.html", "other.html"]
    images = sorted(p.name for p in (tmp_path / "report" / "images").iterdir())
    # An SVG per company; a PNG (from chromium, when it is installed) for those with claims.
    assert [i for i in images if i.endswith(".svg")] == ["acme-sub.svg", "acme.svg", "other.svg"]
    assert [i for i in images if i.endswith(".png")] in ([], ["acme.png"])
    page = (tmp_path / "report" / "acme.html").read_text(encoding="utf-8")
    # The pages carry no script at all: the fixture's <script> in a summary is shown as text.
    assert "<script" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 1
    story = (tmp_path / "report" / "images" / "acme.svg").read_text(encoding="utf-8")
    assert "<script" not in story
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    assert "http" not in page.split("<body>")[0]  # nothing loaded from the network
    # A quote's direction follows its language, whatever its region or script: Egyptian Arabic
    # and Persian in Iran are right to left, English and an unknown language left to right.
    tags = ("ar", "ar-EG", "fa-IR", "en", "en-GB", None)
    assert [direction(tag) for tag in tags] == ["rtl", "rtl", "rtl", "ltr", "ltr", "ltr"]


def test_the_score_chart_steps_at_quarter_ends_and_numbers_what_moved_it(
    minimal_release: Path,
) -> None:
    d = dt.date
    assert [quarter_end(day) for day in (d(2024, 2, 29), d(2024, 9, 30), d(2024, 10, 1))] == [
        d(2024, 3, 31),
        d(2024, 9, 30),
        d(2024, 12, 31),
    ]
    assert quarters(d(2023, 11, 15), d(2024, 4, 1)) == [
        d(2023, 12, 31),
        d(2024, 3, 31),
        d(2024, 6, 30),
    ]
    assert quarters(d(2024, 5, 1), d(2024, 5, 2)) == [d(2024, 6, 30)]
    con = duckdb.connect(str(minimal_release / "saydo.duckdb"), read_only=True)
    items = number_items(
        dict_rows(con, "select * from timeline where company_id in ('acme', 'acme-sub')")
    )
    (acme,) = dict_rows(con, "select * from company_gap where company_id = 'acme'")
    points = [(p.quarter, p.score, p.moved_by) for p in score_points(con, acme, items)]
    # Worked by hand. Public on: the denial 2023-03-31 (dated March 2023, known when the month
    # ends), the files refuting it 2023-05-02, the Arabic claim 2023-12-31 (dated 2023); data
    # date 2024-01-10. Items drawn left to right: the denial (mid-March) 1, the files 2, Acme's
    # reply (1 June) 3, the Arabic claim (mid-2023) 4. The files make the denial contradicted
    # (70.0); the Arabic claim is untested, so it moves nothing.
    assert points == [
        (d(2023, 3, 31), None, []),
        (d(2023, 6, 30), 70.0, [2]),
        (d(2023, 9, 30), 70.0, []),
        (d(2023, 12, 31), 70.0, []),
        (d(2024, 3, 31), 70.0, []),
    ]
    con.close()


def test_build_is_quiet_in_a_pipe() -> None:
    # `saydo build` run as a process with its output into pipes (conftest.hostile_build).
    _, printed = hostile_build()
    assert printed["returncode"] == 0
    assert printed["err"] == ""
    assert printed["out"].startswith("saydo built")


def _cookbook() -> str:
    return (REPO / "docs" / "cookbook.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def regenerated(real_release: Path) -> tuple[int, Path]:
    """`saydo docs` run on a copy of docs/ and the README, from the real datasets and their
    package: what it returned, and the copy. It runs every cookbook recipe on the package and
    writes each one's sample, so the two tests below share one run of them (once for the run)."""

    def make(folder: Path) -> tuple[int, Path]:
        project = folder / "project"
        shutil.copytree(REPO / "docs", project / "docs")
        shutil.copy(REPO / "README.md", project / "README.md")
        # Every generated part of the copy emptied first, so only a run that writes it again
        # can make the copy equal the committed docs (a run that skipped the cookbook would
        # leave the committed samples in place and pass).
        for name in ("data-dictionary.md", "cases.md"):
            (project / "docs" / name).write_text("", encoding="utf-8")
        emptied = {"docs/errors.md": ["rules"], "docs/methodology.md": ["weights"]}
        emptied["README.md"] = ["counts"]
        emptied["docs/cookbook.md"] = [f"result-{r.number}" for r in recipes(_cookbook())]
        for name, markers in emptied.items():
            text = (project / name).read_text(encoding="utf-8")
            for marker in markers:
                text = fill_generated_section(text, marker, "")
            (project / name).write_text(text, encoding="utf-8")
        arguments = ["docs", "--docs", str(project / "docs"), "--datasets", str(REPO / "datasets")]
        return saydo([*arguments, "--db", str(real_release / "saydo.duckdb")]), project

    return made_once("docs-regenerated", make)


def test_every_cookbook_query_runs_and_its_sample_is_current(
    regenerated: tuple[int, Path],
) -> None:
    code, project = regenerated
    assert code == 0  # every recipe ran on the real package
    text = _cookbook()
    found = recipes(text)
    assert len(found) >= 10
    samples = (project / "docs" / "cookbook.md").read_text(encoding="utf-8")
    for recipe in found:
        # A sample ends with the count of the rows the recipe returned (exporters/docs.sample).
        section = generated_section(samples, f"result-{recipe.number}")
        (shown,) = re.findall(r"^(\d+) rows?\b", section, re.M)
        assert int(shown) > 0, f"recipe {recipe.number} returns nothing to show"
    assert samples == text, "run `saydo docs` to refresh the cookbook's samples"


def _query(package: Path, *arguments: str, stdout=None) -> subprocess.CompletedProcess:
    """`saydo query` as a shell runs it; text unless `stdout` is given (bytes then)."""
    command = [SAYDO, "query", "--db", str(package), *arguments]
    if stdout is None:
        return subprocess.run(command, text=True, capture_output=True)
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE)


def _in_a_new_process(
    entry: str, arguments: list[str], watched: tuple[str, ...], after: str = ""
) -> tuple[subprocess.CompletedProcess, list[str]]:
    """`transforms.cli.<entry>(arguments)` in a new Python process, then `after`; its result
    and which of the `watched` modules it had imported by then."""
    script = (
        "import json, sys\n"
        f"from transforms.cli import {entry}\n"
        f"code = {entry}({arguments!r})\n"
        f"{after}"
        f"print(json.dumps(sorted(m for m in {watched!r} if m in sys.modules)))\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO
    )
    lines = result.stdout.splitlines()
    return result, json.loads(lines[-1]) if lines else []


def test_a_query_starts_without_the_builds_libraries(package: Path) -> None:
    # A journalist's `saydo query` reads the package through DuckDB alone: polars, pyarrow
    # and pandera are the build's, and importing them took 0.35 s of each query's 0.6 s.
    result, imported = _in_a_new_process(
        "main",
        ["query", "select count(*) from claims", "--db", str(package)],
        ("polars", "pyarrow", "pandera", "pandas"),
    )
    assert result.returncode == 0, result.stderr
    assert imported == [], result.stdout


def test_the_door_judges_a_value_without_importing_pandas(tmp_path: Path) -> None:
    # pandera imports pandas and numpy whenever they are installed (0.6 s of every check and
    # build), and hypothesis as it first validates (0.17 s); the door validates polars frames
    # and asks for no data, and in a `saydo` process, which runs nothing else, imports pandera
    # as if they were not installed. A bad value is refused in the same words, at
    # its file, line and field. Where saydo is imported as a library, pandera stays whole: its
    # pandas API, which the caller may use beside saydo, still imports after the door has run.
    case = minimal_case()
    case["claims"][0]["topic"] = "weather"
    write_case(tmp_path / "datasets", case)
    refused = re.compile(
        r"acme\.yaml:\d+: claim acme-denial, field 'topic': 'weather' is not an allowed value\. "
        r"Fix: use one of: human_rights, "
    )
    for entry, after, expected in (
        ("console_main", "", ["pandera"]),
        ("main", "import pandera.pandas\n", ["hypothesis", "pandas", "pandera"]),
    ):
        result, imported = _in_a_new_process(
            entry,
            ["check", "--datasets", str(tmp_path / "datasets")],
            ("pandera", "pandas", "hypothesis"),
            after,
        )
        assert result.returncode == 1, result.stderr
        assert imported == expected, (entry, result.stdout, result.stderr)
        assert refused.search(result.stderr), result.stderr


@pytest.mark.slow
def test_the_gate_judges_without_loading_what_great_expectations_never_uses(
    tmp_path: Path,
) -> None:
    # great-expectations imports scipy and altair for one expectation the gate never asks for
    # (2 of its 4 s import). In a `saydo` process they are bound but not run; as a library,
    # saydo leaves the import as it is. Either way the gate judges, and the build passes it.
    write_case(tmp_path / "datasets", minimal_case())
    for entry, expected in (
        ("console_main", ["great_expectations"]),
        ("main", ["altair.vegalite", "great_expectations", "scipy.stats._stats_py"]),
    ):
        # Each beside a cache of its own: a verdict kept by the first would spare the second
        # its judgement, and its import.
        out = tmp_path / entry / "dist"
        result, imported = _in_a_new_process(
            entry,
            ["build", "--datasets", str(tmp_path / "datasets"), "--out", str(out)],
            ("great_expectations", "scipy.stats._stats_py", "altair.vegalite"),
        )
        assert result.returncode == 0, result.stderr
        assert imported == expected, (entry, result.stdout, result.stderr)
        shipped = json.loads((out / "validation" / "release-checks.json").read_text("utf-8"))
        assert shipped["success"] is True
        # A suite for each table, and one each for the claims' and the companies' scores.
        judged = [suite["suite"] for suite in shipped["suites"]]
        assert judged == [*TABLE_ORDER, "claim_gap", "company_gap"]


def test_query_dead_ends_get_saydo_hint_under_duckdb_message(package: Path, capfd) -> None:
    dead_ends = {
        "update score_weights set weight = 0": "--what-if",
        "select * from claims where claim_date like '2021%'": "year(claim_date) = 2021",
        "select * from claims where claim_date = 'March 2023'": "claim_date_precision = 'month'",
        "select * from claim_gapp": "duckdb_views()",
        "select * from timeline_of(['acme'], as_of := (select max(data_date) from releases))": (
            "as_of := getvariable('day')"
        ),
        "select * from releases, timeline_of(['acme'], as_of := data_date)": (
            "timeline_from_records takes the same arguments"
        ),
        "select * from company_gap_as_of(NULL, companies := 'acme')": "companies := ['hikvision']",
        "create temp table evidence as select 1 as x; select * from link_scores_as_of(NULL)": (
            "WHERE temporary"
        ),
    }
    for sql, hint in dead_ends.items():
        assert saydo(["query", "--db", str(package), sql]) == 1, sql
        shown = capfd.readouterr()
        assert hint in shown.err, (sql, shown.err)
        assert shown.out == ""
    # The README's what-if example works as printed, on a private copy.
    what_if = [
        "query",
        "--db",
        str(package),
        "--what-if",
        "update score_weights set weight = 0 where factor = 'relation' and level = 'refutes'; "
        "select claim_id, gap_score from claim_gap order by claim_id",
        "--json",
    ]
    assert saydo(what_if) == 0, capfd.readouterr().err
    assert json.loads(capfd.readouterr().out) == [
        {"claim_id": "acme-arabic", "gap_score": 0.0},
        {"claim_id": "acme-denial", "gap_score": 0.0},
    ]
    sql = "select gap_score from claim_gap where claim_id = 'acme-denial'"
    assert saydo(["query", "--db", str(package), sql]) == 0
    assert "70.0" in capfd.readouterr().out  # the package itself is untouched


def test_query_wide_never_cuts_and_the_default_says_when_it_cuts(package: Path, capfd) -> None:
    sql = "select repeat('word ', 30) as note"
    assert saydo(["query", "--db", str(package), sql]) == 0
    cut = capfd.readouterr().out
    assert ("word " * 30).strip() not in cut
    assert "…" in cut and "--wide shows them whole" in cut
    assert saydo(["query", "--db", str(package), "--wide", sql]) == 0
    wide = capfd.readouterr().out
    assert ("word " * 30).strip() in wide
    assert "--wide" not in wide
    # A terminal gets the first 200 rows and the count of all: 0..199 shown of 201, in a column
    # as wide as its widest value (199: three characters).
    assert saydo(["query", "--db", str(package), "select range as n from range(201)"]) == 0
    shown = [str(n) for n in range(200)]
    assert capfd.readouterr().out.splitlines() == [
        "n",
        "---",
        *shown,
        "(201 rows, first 200 shown)",
    ]
    # A line break in a value is a space in its cell, so a row stays one line.
    assert saydo(["query", "--db", str(package), "select 'a' || chr(10) || 'b' as x"]) == 0
    assert capfd.readouterr().out.splitlines() == ["x", "---", "a b", "(1 row)"]


def test_csv_redirected_to_a_file_gets_a_byte_order_mark_and_a_pipe_does_not(
    package: Path, tmp_path: Path
) -> None:
    sql = "select quote from claims where claim_id = 'acme-arabic'"
    target = tmp_path / "redirected.csv"
    with target.open("wb") as handle:
        assert _query(package, sql, "--csv", stdout=handle).returncode == 0
    assert target.read_bytes() == "\ufeffquote\nنحن نحترم حقوق الإنسان\n".encode()
    piped = _query(package, sql, "--csv", stdout=subprocess.PIPE)
    assert piped.stdout == "quote\nنحن نحترم حقوق الإنسان\n".encode()
    # Appending to a file that has rows already adds no mark in the middle.
    with target.open("ab") as handle:
        assert _query(package, sql, "--csv", stdout=handle).returncode == 0
    assert target.read_bytes().count("\ufeff".encode()) == 1


def test_feed_lists_the_adapters_and_runs_one(tmp_path: Path, capsys) -> None:
    datasets = tmp_path / "datasets"
    shutil.copytree(REPO / "datasets" / "adapters", datasets / "adapters")
    assert saydo(["feed", "--datasets", str(datasets)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in listed] == ["fcc-covered-list", "uflpa-entity-list"]
    assert saydo(["feed", "fcc-covered-list", "--datasets", str(datasets)]) == 1
    assert "give the file of the list" in capsys.readouterr().err
    fcc = REPO.parent / "shared" / "realdata" / "fcc_covered_list_table.csv"
    if fcc.exists():
        assert saydo(["feed", "fcc-covered-list", str(fcc), "--datasets", str(datasets)]) == 0
        written = sorted(p.relative_to(datasets).as_posix() for p in datasets.rglob("*.csv"))
        committed = sorted(
            p.relative_to(REPO / "datasets").as_posix()
            for p in (REPO / "datasets" / "feeds").rglob("*.csv")
            if "fcc" in p.name
        )
        assert [w for w in written if w.startswith("feeds/")] == committed


def test_feed_lists_the_adapters_it_can_read_and_exits_1_naming_the_one_it_cannot(
    tmp_path: Path, capsys
) -> None:
    datasets = tmp_path / "datasets"
    shutil.copytree(REPO / "datasets" / "adapters", datasets / "adapters")
    (datasets / "adapters" / "Bad_Name").mkdir()
    assert saydo(["feed", "--datasets", str(datasets)]) == 1
    printed = capsys.readouterr()
    assert [line.split(":")[0] for line in printed.out.splitlines()] == [
        "fcc-covered-list",
        "uflpa-entity-list",
    ]
    assert "Bad_Name" in printed.err and "must be a lowercase slug" in printed.err


def test_docs_regenerates_exactly_the_committed_docs(regenerated: tuple[int, Path]) -> None:
    code, project = regenerated
    assert code == 0
    for name in ("data-dictionary.md", "cases.md", "errors.md", "methodology.md"):
        assert (project / "docs" / name).read_text(encoding="utf-8") == (
            REPO / "docs" / name
        ).read_text(encoding="utf-8"), f"docs/{name} is stale: run `saydo docs`"
    assert (project / "README.md").read_text(encoding="utf-8") == (REPO / "README.md").read_text(
        encoding="utf-8"
    ), "the README's counts are stale: run `saydo docs`"


def test_debug_shows_the_traceback_a_user_otherwise_never_sees(tmp_path: Path, capfd) -> None:
    missing = str(tmp_path / "nowhere")
    # Without --debug, from the same entry point in this process: one paragraph.
    assert saydo(["check", "--datasets", missing]) == 1
    plain = capfd.readouterr().err
    assert "Traceback" not in plain
    assert missing in plain and "give --datasets PATH" in plain
    debug = subprocess.run(
        [SAYDO, "--debug", "check", "--datasets", missing], capture_output=True, text=True
    )
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr


# --- the report's editorial promises, on the hand-made case's pages ----------------------------
_PAGES: dict[tuple[Path, str], tuple[Page, dict]] = {}


def _page_of(
    release: Path, company_id: str, change: Callable[[Page, dict], None] = lambda page, g: None
) -> tuple[Page, str]:
    """A company's page of the hand-made case's report, as `saydo report` renders it, after
    `change` altered its data or the sources every page reads (a quote kind, a retraction...).
    The page's data is read once per test run and copied for each change."""
    if (release, company_id) not in _PAGES:
        con = open_package(release / "saydo.duckdb")
        try:
            release_row = release_of(con)
            companies = dict_rows(con, "select * from company_gap")
            (company,) = [c for c in companies if c["company_id"] == company_id]
            page = company_page(con, company, companies, release_row)
            _PAGES[release, company_id] = (page, page_globals(con, release_row))
        finally:
            con.close()
    page, shared = copy.deepcopy(_PAGES[release, company_id])
    change(page, shared)
    env = environment()
    env.globals |= shared
    return page, env.get_template("company.html").render(page=page)


PARAPHRASE_NOTE = "the source&#39;s words, not the speaker&#39;s"


def _noted(kind: str, words: str, note: str) -> str:
    """An English quote of `kind` as a company page shows it, with the note under it."""
    return (
        f'<blockquote lang="en" dir="ltr" data-kind="{kind}">{words}</blockquote>\n'
        f'<p class="note quote-kind">{note}</p>'
    )


def test_a_report_shows_the_speakers_words_apart_from_translations_and_paraphrases(
    minimal_release: Path,
) -> None:
    _, page = _page_of(minimal_release, "acme")
    # The Arabic claim: its own words in Arabic, right to left, then saydo's English beside it,
    # said to be saydo's (quote_en_origin saydo_translation).
    assert (
        '<blockquote lang="ar" dir="rtl" data-kind="verbatim">نحن نحترم حقوق الإنسان</blockquote>\n'
        '<p class="translation" lang="en">We respect human rights '
        '<span class="note">(translation by saydo)</span></p>'
    ) in page
    # An English verbatim quote is shown once, with no translation and no kind note.
    assert (
        '<blockquote lang="en" dir="ltr" data-kind="verbatim">We never did it.</blockquote>\n\n'
        in (page)
    )
    # The statuses are the claims' own words, linked to where the index explains them: the
    # denial is contradicted by the files, the Arabic claim has no evidence (unverified).
    assert '<a href="index.html#contradicted"><strong>contradicted</strong></a>' in page
    assert '<a href="index.html#unverified"><strong>unverified</strong></a>' in page

    def reworded(page: Page, _: dict) -> None:
        denial = next(c for c in page.claims if c.row["claim_id"] == "acme-denial")
        denial.row["quote_kind"] = "paraphrase"
        page.responses[0]["quote_kind"] = "headline"

    _, page = _page_of(minimal_release, "acme", reworded)
    # What is not the speaker's words says so under the words (apostrophes escaped).
    assert _noted("paraphrase", "We never did it.", PARAPHRASE_NOTE) in page
    headline_note = "a publication&#39;s headline, not the speaker&#39;s words"
    assert _noted("headline", "We stand by our statement.", headline_note) in page

    # Acme Sub has no claim: the files about it are its other evidence, their quote kind shown.
    def paraphrased(page: Page, _: dict) -> None:
        page.other_evidence[0]["quote_kind"] = "paraphrase"

    _, page = _page_of(minimal_release, "acme-sub", paraphrased)
    assert _noted("paraphrase", "Files show it.", PARAPHRASE_NOTE) in page


def test_a_report_lists_each_piece_of_evidence_once_and_marks_retractions(
    minimal_release: Path,
) -> None:
    page, _ = _page_of(minimal_release, "acme")
    # The files are linked to the denial, so they are in its card and not again as other
    # evidence; the evidence about Other Co is not Acme's group's.
    assert [e.evidence["evidence_id"] for c in page.claims for e in c.evidence] == ["acme-files"]
    assert page.other_evidence == []
    # On Acme Sub's page the files are about it and answer no claim of its own.
    sub, _ = _page_of(minimal_release, "acme-sub")
    assert [e["item_id"] for e in sub.other_evidence] == ["acme-files"]

    def retracted(page: Page, _: dict) -> None:
        denial = next(c for c in page.claims if c.row["claim_id"] == "acme-denial")
        denial.row |= {"retracted_on": dt.date(2024, 2, 1), "retraction_reason": "Misquoted."}
        denial.evidence[0].link["link_retracted_on"] = dt.date(2024, 2, 1)

    _, page = _page_of(minimal_release, "acme", retracted)
    # A retracted claim says so where its status stood, and its formula is not shown.
    assert '<strong class="retracted-label">retracted 2024-02-01</strong>: Misquoted.' in page
    assert "#contradicted" not in page and page.count('<p class="formula">') == 1
    # A retracted link's row is marked retracted.
    assert '<tr id="link-acme-denial-acme-files" class="retracted">' in page


def test_a_reports_source_line_shows_what_the_build_counts_and_every_address(
    minimal_release: Path,
) -> None:
    def weaker(page: Page, shared: dict) -> None:
        # As if the report rested on material read only at second hand: the source counts as
        # secondary_only (source_floor), whatever its own status (verified).
        shared["source_status"]["src-report"] = "secondary_only"
        # Acme's statement has no public address but an archived copy.
        shared["sources"]["src-company"]["archived_url"] = "https://archive.example/acme"

    _, page = _page_of(minimal_release, "acme", weaker)
    assert (
        '<a class="review-secondary_only" href="index.html#review-secondary_only">'
        "secondary only</a>"
    ) in page
    assert (
        "Acme (no public address recorded) · "
        '<a href="https://archive.example/acme" rel="noreferrer">archived copy</a>'
    ) in page


def test_the_timeline_marks_refutations_retractions_and_escapes_its_labels(
    minimal_release: Path,
) -> None:
    con = duckdb.connect(str(minimal_release / "saydo.duckdb"), read_only=True)
    items = number_items(
        dict_rows(con, "select * from timeline where company_id in ('acme', 'acme-sub')")
    )
    con.close()
    # Numbered as the chart test works out: the denial 1, the files 2, the reply 3, the Arabic
    # claim 4. The files refute the denial, so their label ends "→ 1" and they are red.
    for item in items:
        if item["item_id"] == "acme-denial":
            item["retracted_on"] = dt.date(2024, 2, 1)
    marks = {i.item_id: i for i in _timeline_items(items)}
    files = marks["acme-files"]
    assert (files.refutes, files.label) == ([1], "Files show Acme's subsidiary did it → 1")
    assert files.colour == "#b91c1c" and marks["acme-reply"].colour == "#7c3aed"
    assert Item(5, "evidence", "e", None, None, "Other").colour == "#52525b"  # refutes nothing
    assert [i for i, mark in marks.items() if mark.retracted] == ["acme-denial"]
    svg = timeline_svg(list(marks.values()), "Acme")
    struck = re.findall(r'text-decoration="line-through">([^<]*)</text>', svg)
    assert struck == ["Acme denied it"]  # the summary without its full stop
    # A label is text, whatever the summary holds.
    hostile = Item(1, "claim", "x", dt.date(2023, 1, 1), "day", "<b>Acme</b> & co")
    assert ">&lt;b&gt;Acme&lt;/b&gt; &amp; co</text>" in timeline_svg([hostile], "A<b>")
    assert "<b>" not in timeline_svg([hostile], "A<b>")


def test_a_date_known_to_its_month_spans_the_month_even_in_december() -> None:
    d = dt.date
    assert period(d(2023, 12, 1), "month") == (d(2023, 12, 1), d(2023, 12, 31))
    assert period(d(2024, 2, 1), "month") == (d(2024, 2, 1), d(2024, 2, 29))  # a leap year
    assert period(d(2023, 1, 1), "year") == (d(2023, 1, 1), d(2023, 12, 31))
    assert period(d(2023, 5, 2), "day") == (d(2023, 5, 2), d(2023, 5, 2))


def test_timeline_labels_keep_a_gap_between_them_in_a_row() -> None:
    rows = Rows()
    # A label of 100 px at 500 sits in row 0: its box runs from 490 (half a badge, 10 px,
    # before its anchor) to 590.
    assert rows.place(500, 100) == 0
    # One of 95 px at 400 would end at 485, 5 px before 490: closer than the 10 px gap, so it
    # goes a row up. One of 85 px ends at 475, 15 px away: it stays in row 0.
    assert rows.place(400, 95) == 1
    assert rows.place(300, 85) == 0 and rows.place(200, 85) == 0


def test_the_story_image_escapes_the_name_and_puts_the_chart_below_the_timeline(
    minimal_release: Path,
) -> None:
    def renamed(page: Page, _: dict) -> None:
        page.company["company_name"] = "Acme & <Sons>"

    page, _ = _page_of(minimal_release, "acme", renamed)
    story = story_image(page, {"version": "1.0.0", "data_date": "2024-01-10"})
    assert "Acme &amp; &lt;Sons&gt;: what it said, and what is documented</text>" in story
    assert "<Sons>" not in story
    # The timeline starts under the 56 px header; the chart starts where the timeline ends.
    timeline_height = int(re.search(r'height="(\d+)"', str(page.timeline))[1])
    assert '<svg y="56"><svg xmlns' in story
    assert f'<svg y="{56 + timeline_height}"><svg xmlns' in story
    assert "Gap score 70.0 (high)" in story  # the denial's 70.0, Acme's only tested claim


def test_a_groups_page_puts_the_company_first_and_every_number_links_to_one_item(
    real_release: Path,
) -> None:
    page, html = _page_of(real_release, "clorox-co")
    # The case file makes clorox-australia a subsidiary of clorox-co: the page's own company
    # comes first, though its id sorts after its subsidiary's.
    assert [m["company_id"] for m in page.members] == ["clorox-co", "clorox-australia"]
    numbers = {(i["item_kind"], i["item_id"]): i["number"] for i in page.items}
    merged = [e for claim in page.claims for e in claim.evidence if e.link["merged_into"]]
    assert merged  # pieces resting on the same primary material, as the case records them
    for e in merged:
        # "not counted again ... as #N": N is the evidence it was merged into.
        assert e.merged_into_number == numbers["evidence", e.link["merged_into"]]
        assert f'<a href="#item-{e.merged_into_number}">#{e.merged_into_number}</a>' in html
    # Evidence linked to several claims is in each card, its number's anchor only in the
    # first: every item's anchor is on the page exactly once.
    anchors = re.findall(r'id="item-(\d+)"', html)
    assert sorted(map(int, anchors)) == sorted(numbers.values())


def test_the_report_numbers_items_by_date_kind_then_id_and_reads_the_newest_release() -> None:
    d = dt.date

    def item(kind: str, item_id: str, day: dt.date | None, precision: str | None) -> dict:
        return {
            "item_kind": kind,
            "item_id": item_id,
            "item_date": day,
            "item_date_precision": precision,
        }

    items = [
        item("claim", "undated", None, None),
        item("evidence", "e-may", d(2023, 5, 2), "day"),
        item("claim", "c-2023", d(2023, 1, 1), "year"),
        item("response", "r-may", d(2023, 5, 2), "day"),
        item("claim", "c-may", d(2023, 5, 2), "day"),
    ]
    # On 2 May 2023 a claim, then evidence, then a response; the claim dated 2023 sits in the
    # middle of its year (2 July), after them; the undated claim comes last.
    numbered = [(i["number"], i["item_id"]) for i in number_items(items)]
    assert numbered == [(1, "c-may"), (2, "e-may"), (3, "r-may"), (4, "c-2023"), (5, "undated")]
    con = duckdb.connect()
    con.execute(
        "create table releases as select * from (values ('1.1.0', date '2024-03-01'), "
        "('1.0.0', date '2024-01-10')) as t(release, data_date)"
    )
    # A package holds every release so far: the pages say the newest and its data date.
    assert release_of(con) == {"version": "1.1.0", "data_date": "2024-03-01"}
    con.close()
