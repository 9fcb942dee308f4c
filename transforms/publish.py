"""Putting a finished build in place of `dist/` in one step, and keeping two builds apart.

A build writes into `dist.building-<pid>/` beside `dist/`. Only when everything has passed is it
swapped with `dist/` by one atomic rename (Linux `renameat2(RENAME_EXCHANGE)`), so a failure or
a kill at any moment leaves the previous release whole. A lock file keeps a second build out."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class BuildLocked(Exception):
    pass


class OutputRefused(Exception):
    """The output folder cannot be used; nothing was touched."""


def _is_saydo_release(folder: Path) -> bool:
    return (folder / "SHA256SUMS").is_file() and (folder / "datapackage.json").is_file()


def check_output_folder(out: Path, inputs: tuple[Path, ...]) -> None:
    """Refuse, before anything is touched, an output that would destroy an input: one that is,
    holds or sits inside an input folder, or that is not a folder saydo made (a plain file, a
    link, a folder with other things in it)."""
    target = out.resolve()
    for folder in inputs:
        source = folder.resolve()
        if target == source or source.is_relative_to(target) or target.is_relative_to(source):
            raise OutputRefused(
                f"the output folder {out} overlaps the input {folder}; building there would "
                f"delete it. Choose another --out, such as dist."
            )
    if out.is_symlink():
        raise OutputRefused(f"{out} is a symbolic link; saydo writes only into a folder it made.")
    if out.exists() and not out.is_dir():
        raise OutputRefused(
            f"{out} exists and is not a folder; saydo will not replace it. Move it away or "
            f"choose another --out."
        )
    if out.is_dir() and any(out.iterdir()) and not _is_saydo_release(out):
        raise OutputRefused(
            f"{out} is a folder saydo did not make (it has no SHA256SUMS and datapackage.json); "
            f"saydo replaces only its own releases. Empty it, or choose another --out."
        )


# Folders a command reads from, relative to where it runs: no output file may land in them.
INPUT_FOLDERS = (Path("datasets"), Path("releases"))


def check_output_file(target: Path, reads: tuple[Path, ...] = ()) -> None:
    """Refuse, before writing, an output file that would overwrite an input: anything inside
    datasets/, releases/ or a folder the command reads (the release folder of the package it
    queries), a file it reads, or something that is not a plain file."""
    resolved = target.resolve()
    for source in (*INPUT_FOLDERS, *reads):
        source = source.resolve()
        if resolved == source or resolved.is_relative_to(source):
            raise OutputRefused(
                f"saydo will not overwrite {target}: it is, or is inside, {source}, which this "
                f"command reads. Write the output somewhere else (a new file outside datasets/, "
                f"releases/ and the release folder)."
            )
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise OutputRefused(
            f"saydo will not overwrite {target}: it is not a plain file. Choose a new file name."
        )


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths. False where the kernel or libc cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


def staging_dir(out: Path) -> Path:
    """A fresh folder beside `out` to build into; leftovers of killed builds are removed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for leftover in out.parent.glob(f"{out.name}.building-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(leftover, ignore_errors=True)
    staging = out.parent / f"{out.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def publish(staging: Path, out: Path) -> None:
    """Put `staging` where `out` is, in one step; the old release is deleted afterwards."""
    for path in staging.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    if out.exists() and _exchange(staging, out):
        shutil.rmtree(staging)  # now holds the previous release
    elif out.exists():
        # Without RENAME_EXCHANGE there is a moment with no dist/; the old one is kept aside
        # until the new one is in place.
        old = out.parent / f"{out.name}.previous-{os.getpid()}"
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old)
    else:
        os.rename(staging, out)
    with contextlib.suppress(OSError):
        fd = os.open(out.parent, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Hold `<out>.lock` for the whole build; a second build exits at once with a message."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.parent / f"{out.name}.lock"
    if lock_path.is_symlink() or (lock_path.exists() and not lock_path.is_file()):
        raise BuildLocked(
            f"the lock file {lock_path} is not a plain file; remove it and build again."
        )
    handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the whole build
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise BuildLocked(
            f"another saydo build is writing {out} (process {holder}). Wait for it to finish "
            f"and run the build again; {out} is left as it was."
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
