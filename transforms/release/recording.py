"""`saydo release`: build, then record the release in `releases/` and `CHANGELOG.md`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from transforms.release.records import read_releases, write_release


def record_release(
    datasets: Path,
    out: Path,
    releases: Path,
    changelog: Path,
    today: dt.date,
    progress: Callable[[str], None] | None = None,
    gate: bool = True,
) -> str:
    """Build the release into `out`, then record it; returns what to tell the user."""
    from transforms.build import SYNTHETIC_VERSION, build
    from transforms.cli import UsageError

    history = read_releases(releases)
    previous = history[-1] if history else None
    # released_on: the release is published today, so the package's released clock sees it,
    # and nothing is reused from a plain build's cache (every row and the gate judged afresh).
    result = build(
        datasets,
        out,
        today=today,
        progress=progress,
        releases=releases,
        gate=gate,
        released_on=today,
    )
    version = result.summary["version"]
    if version == SYNTHETIC_VERSION:
        raise UsageError("a build of synthetic data is never recorded as a release.")
    if previous is not None and previous.version == version:
        return f"{result.render()}\nNothing changed since {version}; no new release recorded."
    envelope = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    envelope["released_on"] = today.isoformat()
    target = write_release(releases, envelope, out / "manifest.parquet", previous)
    section = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    old = changelog.read_text(encoding="utf-8") if changelog.exists() else "# Changelog\n\n"
    head, _, rest = old.partition("\n\n")
    changelog.write_text(f"{head}\n\n{section}\n{rest}".rstrip() + "\n", encoding="utf-8")
    return (
        f"{result.render()}\nRecorded release {version}: {target}, "
        f"{target.with_suffix('.parquet')} and {changelog}. Commit them."
    )
