"""Finding and opening the input files, trusting nothing about them.

Only regular files are read. A symbolic link, a device, a FIFO or a folder that carries a data
file's name is refused with one clear message and never opened, so a link to /dev/zero cannot
grow memory without end, a FIFO cannot hang the build, and a link to a file outside the repo
cannot print that file into a CI log. Files are opened without following links and without
blocking, and read with a cap, whatever size the file system reports. Hidden files (names
starting with a dot, such as editors' `.#case.yaml` lock links) are not inputs and are skipped.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from validations.problems import Problem

CASE_SUFFIXES = (".yaml", ".yml")
FEED_SUFFIXES = (".csv", ".parquet")


class UnreadableFile(Exception):
    def __init__(self, message: str, hint: str = ""):
        self.message = message
        self.hint = hint
        super().__init__(message)


@dataclass(frozen=True)
class InputFile:
    path: Path
    # How the file is named in messages: relative to the repo (datasets/cases/acme.yaml).
    display: str


def display_name(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_regular(path: Path, display: str) -> Problem | None:
    """A problem unless `path` itself (not what a link points to) is a regular file."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as error:
        return Problem(display, None, "", "", f"cannot be read: {error.strerror}.", "", "read")
    if stat.S_ISREG(mode):
        return None
    return Problem(
        display,
        None,
        "",
        "",
        f"is {_kind(mode)}, not a regular file; saydo reads only regular files in datasets/.",
        "replace it with the file itself (links, devices, pipes and folders are never read).",
        "read",
    )


def list_inputs(
    folder: Path, suffixes: tuple[str, ...], root: Path
) -> tuple[list[InputFile], list[Problem]]:
    """Regular files in `folder` with one of `suffixes`, in name order, and a problem for every
    entry that has such a name but is not a regular file. Hidden entries are skipped."""
    found: list[InputFile] = []
    problems: list[Problem] = []
    if not folder.is_dir() or folder.is_symlink():
        return found, problems
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in suffixes:
            continue
        display = display_name(path, root)
        problem = check_regular(path, display)
        if problem:
            problems.append(problem)
        else:
            found.append(InputFile(path, display))
    return found, problems


def read_capped(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, refusing anything else and anything over `limit` bytes
    (counted while reading, not taken from the file system's word)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise UnreadableFile(f"cannot be opened: {error.strerror}.") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFile(
                f"is {_kind(mode)}, not a regular file.", "replace it with the file itself."
            )
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise UnreadableFile(
                    f"is larger than {limit // 1_048_576} MB, the limit for this kind of file.",
                    "put bulk records in a feed under datasets/feeds/<table>/ (CSV or Parquet).",
                )
        return b"".join(chunks)
    finally:
        os.close(fd)
