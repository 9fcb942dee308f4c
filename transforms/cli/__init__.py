"""The `saydo` command: thin commands over the pipeline, the release tools and the outputs.

Each command is a function in one of this package's modules, registered with `@command`; its
docstring's first line is its help, and the docstring holds its example (a test fails if one
lacks either). Errors a user can hit are printed as one clear paragraph; --debug shows the
traceback; Ctrl-C stops with one line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from validations.light_imports import light_imports_allowed
from validations.problems import InputError, printable, printable_lines


class UsageError(Exception):
    pass


@dataclass(frozen=True)
class Command:
    name: str
    handler: Callable[[argparse.Namespace], int]
    configure: Callable[[argparse.ArgumentParser], None]

    @property
    def help(self) -> str:
        return (self.handler.__doc__ or "").strip().splitlines()[0]

    @property
    def example(self) -> str:
        doc = self.handler.__doc__ or ""
        return doc.split("example:", 1)[1].strip("\n") if "example:" in doc else ""


COMMANDS: list[Command] = []


def command(name: str, configure: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    def register(handler: Callable[[argparse.Namespace], int]):
        COMMANDS.append(Command(name, handler, configure))
        return handler

    return register


# --- options shared by several commands ----------------------------------------------------------
def datasets_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--datasets", default="datasets", help="input folder (default: datasets)")


def db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default="dist/saydo.duckdb", help="the package's DuckDB file")


def release_options(parser: argparse.ArgumentParser) -> None:
    """What `build` and `release` share: where the release goes and how much they say."""
    datasets_option(parser)
    parser.add_argument("--out", default="dist", help="output folder (default: dist)")
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def _load_commands() -> None:
    if COMMANDS:
        return
    from transforms.cli import build, data, dev, read  # noqa: F401 - they register themselves


def parser() -> argparse.ArgumentParser:
    _load_commands()
    main_parser = argparse.ArgumentParser(
        prog="saydo",
        description="What companies say about ESG and human rights, beside what is documented.",
        epilog="Run `saydo COMMAND --help` for each command's options and an example.",
    )
    main_parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for entry in COMMANDS:
        sub = commands.add_parser(
            entry.name,
            help=entry.help,
            description=entry.help,
            epilog="example:\n" + entry.example,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        entry.configure(sub)
        sub.set_defaults(handler=entry.handler)
    return main_parser


def _message(error: BaseException) -> str:
    from transforms.ingest.adapters import AdapterError
    from transforms.publish import BuildLocked, OutputRefused
    from transforms.release.package import ReleaseFolderAltered
    from transforms.release.records import ReleaseRecordError
    from validations.gate import ReleaseRefused

    known = (
        InputError,
        ReleaseRefused,
        UsageError,
        BuildLocked,
        OutputRefused,
        AdapterError,
        ReleaseFolderAltered,
    )
    if isinstance(error, known):
        return str(error)
    if isinstance(error, ReleaseRecordError):
        return InputError(error.problems).render()
    if isinstance(
        error, FileNotFoundError | IsADirectoryError | NotADirectoryError | PermissionError
    ):
        where = f" {error.filename}" if error.filename else ""
        return f"saydo cannot use{where}: {error.strerror}. Check the path and its permissions."
    if isinstance(error, OSError):
        where = f" {error.filename}" if error.filename else ""
        return (
            f"saydo could not read or write{where}: {error.strerror or error}. Nothing was "
            f"published; check the disk, the path and its permissions, then run again."
        )
    if isinstance(error, duckdb.Error):
        from transforms.exporters.query import explain

        return explain(error)
    return ""


def _interrupted(error: Exception) -> bool:
    """Ctrl-C during a DuckDB query arrives as DuckDB's own error, not KeyboardInterrupt."""
    return isinstance(error, duckdb.InterruptException) or (
        isinstance(error, RuntimeError) and str(error).strip() == "Query interrupted"
    )


def _stopped() -> int:
    print("saydo: stopped (Ctrl-C); nothing was published.", file=sys.stderr)
    return 130


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return _stopped()
    except Exception as error:
        if _interrupted(error):
            return _stopped()
        if args.debug:
            raise
        message = _message(error)
        if message:
            print(printable_lines(message), file=sys.stderr)
            return 1
        print(
            f"saydo {args.command} failed: {type(error).__name__}: {printable(error)}\n"
            f"Run again with --debug for the traceback, and report it if it looks like a bug.",
            file=sys.stderr,
        )
        return 2


def console_main(argv: list[str] | None = None) -> int:
    """The `saydo` command: main() in a process of its own, which runs nothing but saydo."""
    light_imports_allowed()
    return main(argv)


if __name__ == "__main__":
    sys.exit(console_main())
