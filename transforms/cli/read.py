"""Commands that read a built package: query, report, diff."""

from __future__ import annotations

import argparse
import io
import json
import os
import stat
import sys
from pathlib import Path

from transforms.cli import UsageError, command, db_option


def _configure_query(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sql", nargs="?", help="the SQL to run")
    parser.add_argument("-f", "--file", help="read the SQL from a file")
    db_option(parser)
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--csv", action="store_true", help="CSV, safe for spreadsheets")
    output.add_argument("--json", action="store_true", help="a JSON list of records")
    output.add_argument("--parquet", metavar="PATH", help="write a Parquet file")
    output.add_argument(
        "--wide",
        action="store_true",
        help="a table that never cuts long values (for reading notes)",
    )
    parser.add_argument(
        "-o",
        "--output",
        help="with --csv: write to this file (UTF-8 with a byte-order mark, so Excel reads Arabic)",
    )
    parser.add_argument(
        "--what-if",
        action="store_true",
        help="run on a private copy that may be changed (UPDATE score_weights ...), then "
        "thrown away; the package is never touched",
    )


def _read_sql_file(path: Path) -> str:
    """A shared SQL file, read with a cap; a folder, a device or a missing file is named."""
    from transforms.ingest.files import UnreadableFile, read_capped

    try:
        data = read_capped(path, 10 * 1_048_576)
    except UnreadableFile as error:
        raise UsageError(f"the SQL file {path} {error.message} {error.hint}".strip()) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"the SQL file {path} is not UTF-8 text; save it as UTF-8.") from None


def _starts_a_regular_file(stream) -> bool:
    """True when `stream` is the start of a regular file (`> out.csv`), not a pipe or an append."""
    try:
        descriptor = stream.fileno()
        return (
            stat.S_ISREG(os.fstat(descriptor).st_mode) and os.lseek(descriptor, 0, os.SEEK_CUR) == 0
        )
    except (OSError, ValueError, io.UnsupportedOperation):
        return False


@command("query", _configure_query)
def cmd_query(args: argparse.Namespace) -> int:
    """run SQL on the built package, read-only (it can read nothing else and write nothing)

    example:
      saydo query "select claim_id, gap_score from claim_gap order by gap_score desc"
      saydo query -f my-question.sql --csv -o contradicted.csv
      saydo query --wide "select claim_id, review_note from claims where review_note is not null"
      saydo query "select * from company_gap" --parquet company_gap.parquet
      saydo query --what-if "update score_weights set weight = 0 where factor = 'voice'
        and level = 'third_party'; select company_name, gap_score from company_gap"
    """
    from transforms.exporters.query import (
        csv_text,
        json_text,
        run,
        save_csv,
        save_parquet,
        table_text,
    )
    from transforms.publish import check_output_file
    from validations.problems import printable_lines

    if (args.sql is None) == (args.file is None):
        raise UsageError("give the SQL as an argument or with -f FILE, not both.")
    sql = args.sql if args.sql is not None else _read_sql_file(Path(args.file))
    db = Path(args.db)
    reads = (db.parent, *((Path(args.file),) if args.file else ()))
    for target in (args.parquet, args.output):
        if target:
            check_output_file(Path(target), reads)
    if args.parquet:
        rows = save_parquet(db, sql, Path(args.parquet))
        print(f"wrote {rows} rows to {args.parquet}", file=sys.stderr)
        return 0
    columns, rows = run(db, sql, what_if=args.what_if)
    if args.csv and args.output:
        save_csv(columns, rows, Path(args.output))
        print(f"wrote {len(rows)} rows to {args.output}", file=sys.stderr)
    elif args.csv:
        text = csv_text(columns, rows)
        # Exact bytes into a pipe or a file; escaped controls on a terminal. `> file.csv` gets the
        # byte-order mark `-o` writes, or Excel on Windows misreads every non-Latin letter.
        if sys.stdout.isatty():
            text = printable_lines(text)
        elif _starts_a_regular_file(sys.stdout):
            text = "\ufeff" + text
        sys.stdout.write(text)
    elif args.json:
        print(json_text(columns, rows))
    else:
        print(table_text(columns, rows, width=None if args.wide else 60))
    return 0


def _configure_report(parser: argparse.ArgumentParser) -> None:
    db_option(parser)
    parser.add_argument("--out", default="dist/report", help="folder (default: dist/report)")
    parser.add_argument(
        "--no-png", action="store_true", help="SVG images only (no headless Chromium needed)"
    )


@command("report", _configure_report)
def cmd_report(args: argparse.Namespace) -> int:
    """write the HTML report: an index, a page per company, the methodology, story images

    example:
      saydo report                     # dist/report/index.html, a page per company, images/
      saydo report --out /tmp/saydo-report --no-png
    """
    from transforms.exporters.report import write_reports
    from transforms.publish import INPUT_FOLDERS, OutputRefused

    out = Path(args.out)
    for source in INPUT_FOLDERS:
        if out.resolve().is_relative_to(source.resolve()):
            raise OutputRefused(f"saydo will not write the report into {source}; use --out.")
    written = write_reports(Path(args.db), out, png=not args.no_png)
    print(
        f"wrote {len(written.pages)} pages and {len(written.images)} images to {out}/ "
        f"(open {out / 'index.html'})"
    )
    if written.note:
        print(written.note, file=sys.stderr)
    return 0


def _configure_diff(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", help="a release folder (dist/) or record (releases/X.Y.Z.json)")
    parser.add_argument("new", help="a release folder (dist/) or record (releases/X.Y.Z.json)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


@command("diff", _configure_diff)
def cmd_diff(args: argparse.Namespace) -> int:
    """what was added, changed and retracted between two releases, and how scores moved

    example:
      saydo diff releases/1.0.0.json dist       # what changed since 1.0.0
      saydo diff old-dist/ dist/ --json
    """
    from transforms.release.diff import diff_paths

    changes = diff_paths(Path(args.old), Path(args.new))
    print(json.dumps(changes.as_json(), indent=2) if args.json else changes.render_table())
    return 0
