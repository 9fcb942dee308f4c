"""`.saydo-cache/` beside `dist/`: what a plain build keeps for the next one (pandera's verdicts
on rows, the empty package, the gate's verdicts). Losing it only costs time; `saydo release`
never reads it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def keep(folder: Path, name: str, data: bytes) -> bool:
    """`data` as folder/name, whole or not at all: written under a private name first, so two
    builds beside each other never move each other's half. A cache that cannot be written
    (read-only, full, not a folder) only costs time: returns False."""
    partial: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        partial = Path(temporary)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        partial.replace(folder / name)
        partial = None
        return True
    except OSError:
        return False
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
