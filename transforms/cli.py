"""The `saydo` command. Every subcommand has --help with an example.

Errors a user can hit are printed as one clear paragraph; --debug shows the traceback."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

from transforms.problems import InputError
from transforms.publish import BuildLocked
from validations.release_gate import ReleaseRefused

EXAMPLES = {
    "build": "saydo build                      # datasets/ -> dist/\n"
    "  saydo build --out /tmp/saydo-dist",
    "release": "saydo release                    # build, then record releases/<version>.json\n"
    "  git add releases CHANGELOG.md && git commit -m 'Release X.Y.Z'",
    "diff": "saydo diff releases/1.0.0.json dist       # what changed since 1.0.0\n"
    "  saydo diff old-dist/ dist/ --json",
    "query": 'saydo query "select claim_id, gap_score from claim_gap order by gap_score desc"\n'
    "  saydo query -f docs/queries/contradicted.sql --csv > contradicted.csv\n"
    '  saydo query "select * from company_gap" --parquet company_gap.parquet',
    "report": "saydo report                     # dist/report/index.html and a page per company",
    "new-case": 'saydo new-case volkswagen-dieselgate --title "Volkswagen and clean diesel"',
    "check": "saydo check                      # validate datasets/ only, write nothing",
    "feed": "saydo feed fcc-covered-list ../shared/realdata/fcc_covered_list_table.csv",
    "synth": "saydo synth --companies 2000 --claims 100000 --links-per-claim 3 --seed 1\n"
    "  saydo build --datasets synthetic/datasets --out synthetic/dist --no-gate",
    "docs": "saydo docs                       # regenerate the data dictionary and weights",
}


def _progress(enabled: bool):
    """A one-line progress bar on a terminal; nothing in pipes and CI."""
    if not enabled or os.environ.get("CI"):
        return None
    from transforms.build import BUILD_STAGES

    def show(stage: str) -> None:
        done = BUILD_STAGES.index(stage) if stage in BUILD_STAGES else 0
        width = len(BUILD_STAGES)
        bar = "#" * done + "." * (width - done)
        print(f"\r  saydo [{bar}] {stage:<16}", end="", file=sys.stderr, flush=True)
        if stage == BUILD_STAGES[-1]:
            print(file=sys.stderr)

    return show


def cmd_build(args: argparse.Namespace) -> int:
    from transforms.build import build

    quiet = args.quiet or not sys.stderr.isatty()
    result = build(
        Path(args.datasets), Path(args.out), progress=_progress(not quiet), gate=not args.no_gate
    )
    print(result.render())
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    """A release is a build whose manifest and changelog section are kept in the repo."""
    import shutil

    from transforms.build import build
    from transforms.release import latest_manifest

    releases = Path(args.releases)
    previous = latest_manifest(releases)
    quiet = args.quiet or not sys.stderr.isatty()
    result = build(
        Path(args.datasets), Path(args.out), progress=_progress(not quiet), releases=releases
    )
    version = result.summary["version"]
    if previous is not None and previous["version"] == version:
        print(f"Nothing changed since {version}; no new release recorded.")
        return 0
    releases.mkdir(exist_ok=True)
    shutil.copyfile(Path(args.out) / "manifest.json", releases / f"{version}.json")
    changelog = Path(args.changelog)
    section = (Path(args.out) / "CHANGELOG.md").read_text(encoding="utf-8")
    old = changelog.read_text(encoding="utf-8") if changelog.exists() else "# Changelog\n\n"
    head, _, rest = old.partition("\n\n")
    changelog.write_text(f"{head}\n\n{section}\n{rest}".rstrip() + "\n", encoding="utf-8")
    print(result.render())
    print(
        f"Recorded release {version}: {releases / (version + '.json')} and {changelog}. "
        f"Commit both."
    )
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    import json

    from transforms.release import diff, read_manifest

    changes = diff(read_manifest(Path(args.old)), read_manifest(Path(args.new)))
    print(json.dumps(changes.as_json(), indent=2) if args.json else changes.render_table())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from transforms.build import check

    counts = check(Path(args.datasets))
    print(
        "saydo check: all input is valid ("
        + ", ".join(f"{t} {n}" for t, n in counts.items())
        + "); nothing was written."
    )
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from schemas.generate import data_dictionary, fill_generated_section, weights_table

    docs = Path(args.docs)
    (docs / "data-dictionary.md").write_text(data_dictionary(), encoding="utf-8")
    methodology = docs / "methodology.md"
    methodology.write_text(
        fill_generated_section(methodology.read_text(encoding="utf-8"), "weights", weights_table()),
        encoding="utf-8",
    )
    from transforms.case_docs import cases_markdown

    (docs / "cases.md").write_text(cases_markdown(Path(args.datasets)), encoding="utf-8")
    from transforms.cookbook import refresh
    from transforms.error_docs import rules_table

    db = Path(args.db)
    if db.exists():
        cookbook = docs / "cookbook.md"
        cookbook.write_text(refresh(cookbook.read_text(encoding="utf-8"), db), encoding="utf-8")
    else:
        print(
            f"{db} is missing, so the cookbook's samples were not refreshed: run "
            f"`saydo build` first.",
            file=sys.stderr,
        )
    errors = docs / "errors.md"
    errors.write_text(
        fill_generated_section(errors.read_text(encoding="utf-8"), "rules", rules_table()),
        encoding="utf-8",
    )
    print(
        f"wrote {docs}/: data-dictionary.md, cases.md, errors.md, the weights in methodology.md "
        f"and the cookbook's samples"
    )
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from transforms.synth import generate, write_feed

    frames = generate(args.companies, args.claims, args.links_per_claim, args.seed)
    written = write_feed(Path(args.out), frames)
    counts = ", ".join(f"{name} {frame.height}" for name, frame in frames.items())
    print(
        f"wrote a synthetic feed ({counts}) to {Path(args.out) / 'feeds'}; every row is "
        f"marked synthetic and no release will accept it."
    )
    return 0 if written else 1


def cmd_feed(args: argparse.Namespace) -> int:
    import datetime as dt

    from transforms.fcc_covered_list import write_feeds

    written = write_feeds(Path(args.source_file), Path(args.datasets), dt.date.today())
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    import json

    from transforms.query import csv_text, run, save_csv, save_parquet, table_text

    if (args.sql is None) == (args.file is None):
        raise UsageError("give the SQL as an argument or with -f FILE, not both.")
    sql = args.sql if args.sql is not None else Path(args.file).read_text(encoding="utf-8")
    db = Path(args.db)
    if args.parquet:
        rows = save_parquet(db, sql, Path(args.parquet))
        print(f"wrote {rows} rows to {args.parquet}", file=sys.stderr)
        return 0
    columns, rows = run(db, sql)
    if args.csv and args.output:
        save_csv(columns, rows, Path(args.output))
        print(f"wrote {len(rows)} rows to {args.output}", file=sys.stderr)
    elif args.csv:
        sys.stdout.write(csv_text(columns, rows))
    elif args.json:
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        print(json.dumps(records, ensure_ascii=False, indent=1, default=str))
    else:
        print(table_text(columns, rows))
    return 0


def cmd_new_case(args: argparse.Namespace) -> int:
    import datetime as dt
    import re

    from transforms.scaffold import scaffold

    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", args.name):
        raise UsageError(
            f"'{args.name}' is not a lowercase slug; try for example 'acme-forced-labour'."
        )
    target = Path(args.datasets) / "cases" / f"{args.name}.yaml"
    if target.exists():
        raise UsageError(f"{target} exists already; edit it, or choose another name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        scaffold(args.title or args.name.replace("-", " ").capitalize(), dt.date.today()),
        encoding="utf-8",
    )
    print(f"wrote {target}: every field is described in it. Fill it in, then run `saydo check`.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from transforms.report import write_reports

    pages = write_reports(Path(args.db), Path(args.out))
    print(f"wrote {len(pages)} pages to {args.out}/ (open {Path(args.out) / 'index.html'})")
    return 0


class UsageError(Exception):
    pass


def _datasets_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--datasets", default="datasets", help="input folder (default: datasets)")


def _db_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--db", default="dist/saydo.duckdb", help="the package's DuckDB file")


def _release_options(command: argparse.ArgumentParser) -> None:
    """What `build` and `release` share: where the release goes and how much they say."""
    command.add_argument("--out", default="dist", help="output folder (default: dist)")
    command.add_argument("--quiet", action="store_true", help="no progress lines")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="saydo",
        description="What companies say about ESG and human rights, beside what is documented.",
        epilog="Run `saydo COMMAND --help` for each command's options and an example.",
    )
    main.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, handler) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog="example:\n  " + EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(handler=handler)
        return sub

    build = add("build", "validate datasets/ and build the package into dist/", cmd_build)
    _datasets_option(build)
    _release_options(build)
    build.add_argument(
        "--no-gate",
        action="store_true",
        help="skip the great-expectations release gate (quick local builds)",
    )
    release = add("release", "build a release and record its manifest and changelog", cmd_release)
    _datasets_option(release)
    _release_options(release)
    release.add_argument("--releases", default="releases", help="manifests (default: releases)")
    release.add_argument("--changelog", default="CHANGELOG.md", help="the repo's changelog")
    diff = add("diff", "what was added, changed and retracted between two releases", cmd_diff)
    diff.add_argument("old", help="a release folder (dist/) or manifest (releases/X.json)")
    diff.add_argument("new", help="a release folder (dist/) or manifest (releases/X.json)")
    diff.add_argument("--json", action="store_true", help="print JSON instead of a table")
    query = add("query", "run SQL on the built package, read-only", cmd_query)
    query.add_argument("sql", nargs="?", help="the SQL to run")
    query.add_argument("-f", "--file", help="read the SQL from a file")
    _db_option(query)
    output = query.add_mutually_exclusive_group()
    output.add_argument("--csv", action="store_true", help="CSV, safe for spreadsheets")
    output.add_argument("--json", action="store_true", help="a JSON list of records")
    output.add_argument("--parquet", metavar="PATH", help="write a Parquet file")
    query.add_argument("-o", "--output", help="with --csv: write to this file (UTF-8 with BOM)")
    report = add("report", "write the HTML reports: an index and a page per company", cmd_report)
    _db_option(report)
    report.add_argument("--out", default="dist/report", help="folder (default: dist/report)")
    new_case = add("new-case", "start a case file with every field described", cmd_new_case)
    new_case.add_argument("name", help="the case's slug, also its file name")
    new_case.add_argument("--title", help="the case's title")
    _datasets_option(new_case)
    check = add("check", "validate the input only; fast, writes nothing", cmd_check)
    _datasets_option(check)
    feed = add("feed", "turn a known public list into saydo's own feed files", cmd_feed)
    feed.add_argument("name", choices=["fcc-covered-list"], help="which list")
    feed.add_argument("source_file", help="the list as published (CSV)")
    _datasets_option(feed)
    synth = add("synth", "write a deterministic synthetic feed for tests and benchmarks", cmd_synth)
    synth.add_argument("--companies", type=int, default=1000)
    synth.add_argument("--claims", type=int, default=10000)
    synth.add_argument("--links-per-claim", type=int, default=3)
    synth.add_argument("--seed", type=int, default=1)
    synth.add_argument(
        "--out",
        default="synthetic/datasets",
        help="datasets folder to write (default: synthetic/datasets; never datasets/)",
    )
    docs = add("docs", "regenerate the data dictionary from the schema registry", cmd_docs)
    docs.add_argument("--docs", default="docs", help="docs folder (default: docs)")
    _datasets_option(docs)
    docs.add_argument(
        "--db", default="dist/saydo.duckdb", help="the built package, for the cookbook's samples"
    )
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except (
        InputError,
        BuildLocked,
        ReleaseRefused,
        UsageError,
        FileNotFoundError,
        duckdb.Error,
    ) as error:
        if args.debug:
            raise
        print(str(error), file=sys.stderr)
        return 1
    except Exception as error:
        if args.debug:
            raise
        print(
            f"saydo {args.command} failed: {type(error).__name__}: {error}\n"
            f"Run again with --debug for the traceback, and report it if it looks like a bug.",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
