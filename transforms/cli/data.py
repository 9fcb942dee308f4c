"""Commands that write inputs or docs: new-case, feed, docs."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from schemas.types import is_slug
from transforms.cli import UsageError, command, datasets_option, db_option


def _configure_new_case(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the case's slug, also its file name")
    parser.add_argument("--title", help="the case's title")
    datasets_option(parser)


@command("new-case", _configure_new_case)
def cmd_new_case(args: argparse.Namespace) -> int:
    """start a case file with every field described

    example:
      saydo new-case volkswagen-dieselgate --title "Volkswagen: clean diesel #dieselgate"
    """
    from transforms.ingest.scaffold import scaffold

    if not is_slug(args.name):
        raise UsageError(
            f"'{args.name}' is not a lowercase slug; try for example 'acme-forced-labour'."
        )
    title = args.title or args.name.replace("-", " ").capitalize()
    if not title.isprintable():
        raise UsageError("the title holds a control character; write it as plain text.")
    target = Path(args.datasets) / "cases" / f"{args.name}.yaml"
    if target.exists() or target.is_symlink():
        raise UsageError(f"{target} exists already; edit it, or choose another name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(scaffold(title, dt.date.today()), encoding="utf-8")
    print(f"wrote {target}: every field is described in it. Fill it in, then run `saydo check`.")
    return 0


def _configure_feed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "name", nargs="?", help="the adapter (datasets/adapters/<name>/); omit to list them"
    )
    parser.add_argument("source_file", nargs="?", help="the list as published")
    datasets_option(parser)


@command("feed", _configure_feed)
def cmd_feed(args: argparse.Namespace) -> int:
    """turn a public list into saydo's own feed files, with its adapter

    example:
      saydo feed                       # list the adapters
      saydo feed fcc-covered-list ../shared/realdata/fcc_covered_list_table.csv
    """
    from transforms.ingest.adapters import discover, find, run

    datasets = Path(args.datasets)
    if args.name is None:
        adapters, problems = discover(datasets)
        for adapter in adapters:
            meta = adapter.meta
            print(
                f"{adapter.name}: {meta.get('title', '')} ({meta.get('publisher', '')}) "
                f"-> {', '.join(adapter.writes)}"
            )
        for problem in problems:
            print(problem.render(), file=sys.stderr)
        return 0 if not problems else 1
    if args.source_file is None:
        raise UsageError(f"give the file of the list: saydo feed {args.name} FILE")
    written = run(find(datasets, args.name), Path(args.source_file), datasets, dt.date.today())
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def _configure_docs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--docs", default="docs", help="docs folder (default: docs)")
    datasets_option(parser)
    db_option(parser)


@command("docs", _configure_docs)
def cmd_docs(args: argparse.Namespace) -> int:
    """regenerate the generated docs: data dictionary, weights, cases, errors, cookbook samples

    example:
      saydo docs                       # after saydo build, so the cookbook's samples refresh
    """
    from transforms.exporters.docs import write_docs

    skipped = write_docs(Path(args.docs), Path(args.datasets), Path(args.db))
    for what in skipped:
        print(f"not refreshed: {what}", file=sys.stderr)
    print(
        f"wrote {args.docs}/: data-dictionary.md, cases.md, errors.md, the weights in "
        f"methodology.md and the cookbook's samples"
    )
    return 0
