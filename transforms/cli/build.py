"""Commands that build: build, release, check."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from transforms.cli import command, datasets_option, release_options


def progress_display(enabled: bool):
    """One line on a terminal, driven by the build's own list of stages; nothing in pipes
    and CI."""
    if not enabled or os.environ.get("CI"):
        return None
    from transforms.build import STAGE_NAMES, STAGES

    def show(stage: str) -> None:
        done = STAGE_NAMES.index(stage)
        bar = "#" * done + "." * (len(STAGES) - done)
        says = STAGES[done].says
        print(f"\r  saydo [{bar}] {says:<40}", end="", file=sys.stderr, flush=True)
        if stage == STAGE_NAMES[-1]:
            print(file=sys.stderr)

    return show


def _quiet(args: argparse.Namespace) -> bool:
    return args.quiet or not sys.stderr.isatty()


def _configure_build(parser: argparse.ArgumentParser) -> None:
    release_options(parser)
    parser.add_argument(
        "--no-gate",
        action="store_true",
        help="skip the great-expectations release gate (quick local builds)",
    )


@command("build", _configure_build)
def cmd_build(args: argparse.Namespace) -> int:
    """validate datasets/ and build the package into dist/

    example:
      saydo build                      # datasets/ -> dist/
      saydo build --out /tmp/saydo-dist --no-gate
    """
    from transforms.build import build

    result = build(
        Path(args.datasets),
        Path(args.out),
        progress=progress_display(not _quiet(args)),
        gate=not args.no_gate,
    )
    print(result.render())
    return 0


def _configure_release(parser: argparse.ArgumentParser) -> None:
    _configure_build(parser)
    parser.add_argument(
        "--releases", default="releases", help="release records (default: releases)"
    )
    parser.add_argument("--changelog", default="CHANGELOG.md", help="the repo's changelog")


@command("release", _configure_release)
def cmd_release(args: argparse.Namespace) -> int:
    """build a release and record it in releases/ and CHANGELOG.md

    example:
      saydo release                    # build, then record releases/<version>.json
      git add releases CHANGELOG.md && git commit -m 'Release X.Y.Z'
    """
    from transforms.release.recording import record_release

    print(
        record_release(
            Path(args.datasets),
            Path(args.out),
            Path(args.releases),
            Path(args.changelog),
            dt.date.today(),
            progress_display(not _quiet(args)),
            gate=not args.no_gate,
        )
    )
    return 0


@command("check", datasets_option)
def cmd_check(args: argparse.Namespace) -> int:
    """validate the input only; fast, writes nothing

    example:
      saydo check                      # validate datasets/ only, write nothing
    """
    from transforms.build import check

    counts = check(Path(args.datasets))
    print(
        "saydo check: all input is valid ("
        + ", ".join(f"{t} {n}" for t, n in counts.items())
        + "); nothing was written."
    )
    return 0
