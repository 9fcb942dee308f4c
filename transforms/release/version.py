"""The version a build gets: the Frictionless data-package version recipe."""

from __future__ import annotations

from transforms.release.manifest import Comparison
from transforms.release.records import FIRST_VERSION, Release, version_key


def next_version(previous: Release | None, comparison: Comparison) -> str:
    """MAJOR when a column is removed, renamed or retyped; MINOR when data, columns or tables
    are added; PATCH for corrections and retractions; unchanged when nothing changed."""
    if previous is None:
        return FIRST_VERSION
    major, minor, patch = version_key(previous.version)
    tables = set(comparison.added) | set(comparison.corrected) | set(comparison.columns_added)
    if any(comparison.columns_removed.get(t) or comparison.columns_retyped.get(t) for t in tables):
        return f"{major + 1}.0.0"
    if any(comparison.columns_removed.values()) or any(comparison.columns_retyped.values()):
        return f"{major + 1}.0.0"
    # A new row of `corrections` records a correction: it is a PATCH, not new data.
    if any(ids for name, ids in comparison.added.items() if name != "corrections") or any(
        comparison.columns_added.values()
    ):
        return f"{major}.{minor + 1}.0"
    if (
        any(comparison.corrected.values())
        or any(comparison.retracted.values())
        or any(comparison.added.values())
    ):
        return f"{major}.{minor}.{patch + 1}"
    return previous.version
