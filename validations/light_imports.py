"""How the build imports its two heaviest checkers, pandera (the door) and great-expectations
(the release gate): without what they never use here, where that costs no one else.

Imported by the `saydo` command before anything heavy, so it imports nothing itself but the
standard library."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_LIGHT_IMPORT_ALLOWED = False


def light_imports_allowed() -> None:
    """Let the door import pandera without pandas and numpy, and the gate import
    great-expectations with scipy and altair loaded only if used (below). Called by the `saydo`
    command, whose process runs nothing but saydo: a program that imports saydo as a library may
    use pandera's pandas API beside it, which the first would leave missing, and may use scipy
    from threads, which the second's deferred loading does not allow on Python 3.11."""
    global _LIGHT_IMPORT_ALLOWED
    _LIGHT_IMPORT_ALLOWED = True


# What pandera imports whenever it is installed, for its pandas API, which the door never uses
# (it validates polars frames): pandas and numpy were 0.6 s of pandera's 0.8 s import, in every
# `saydo build` and `saydo check` that judges a row. pandera supports installs without them (its
# polars-only install), so the door imports it as if they were absent. They stay installed for
# great-expectations, which imports them itself. Likewise hypothesis, which pandera imports as
# it first validates, for its checks' data strategies (0.17 s), and which it does without when
# it is not installed: the door never asks pandera for data.
_NOT_FOR_PANDERA = ("pandas", "numpy", "hypothesis")


class _AbsentForPandera(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in _NOT_FOR_PANDERA:
            # pandera's own words for a module that is not installed, which it expects.
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@contextmanager
def pandera_imported_lightly() -> Iterator[None]:
    """For pandera's first validation in a process: pandera is imported, and validates, without
    pandas, numpy and hypothesis (above) where light_imports_allowed() was called (the `saydo`
    command); elsewhere hypothesis, which pandera imports as it first validates, is imported
    without running every installed hypothesis plugin (trio's: 0.2 s), by hypothesis' own switch
    HYPOTHESIS_NO_PLUGINS. Both are taken away after, so no other code in the process, and no
    child process, sees them; pandera itself keeps its polars-only shape for the rest of the
    process, which is why they are hidden only in a `saydo` process. Should a pandera release
    stop working without them, it is imported again the usual way."""
    if "pandera" in sys.modules:
        yield
        return
    plugins_set = "HYPOTHESIS_NO_PLUGINS" not in os.environ
    if plugins_set:
        os.environ["HYPOTHESIS_NO_PLUGINS"] = "1"
    finder = _AbsentForPandera() if _LIGHT_IMPORT_ALLOWED else None
    if finder is not None:
        sys.meta_path.insert(0, finder)
    try:
        if finder is not None:
            try:
                import pandera.errors
                import pandera.polars  # noqa: F401
            except Exception:
                sys.meta_path.remove(finder)
                for module in [m for m in sys.modules if m.partition(".")[0] == "pandera"]:
                    del sys.modules[module]
        yield
    finally:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        if plugins_set:
            os.environ.pop("HYPOTHESIS_NO_PLUGINS", None)


# What great-expectations imports for one expectation saydo never asks for (the KL divergence
# of a column, `from scipy import stats` and `import altair` at the top of its module): 2.1 s
# of its 4.2 s import, in every build whose gate has something new to judge. They are loaded
# as the standard library's LazyLoader loads a module: bound at once, run at their first use.
_DEFERRED_FOR_GX = ("scipy", "altair")


class _DeferredForGreatExpectations(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: object = None, target: object = None):
        if name.partition(".")[0] not in _DEFERRED_FOR_GX:
            return None
        for finder in sys.meta_path:
            # Any finder of this kind is skipped, not only this one: two would ask each other.
            if isinstance(finder, _DeferredForGreatExpectations) or not hasattr(
                finder, "find_spec"
            ):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is None:
                continue
            # Python source only: an extension module cannot be loaded late.
            if isinstance(spec.loader, importlib.machinery.SourceFileLoader):
                spec.loader = importlib.util.LazyLoader(spec.loader)
            return spec
        return None


@contextmanager
def great_expectations_imported_lightly() -> Iterator[None]:
    """For the gate's first judgement in a process: great-expectations is imported with scipy
    and altair (above) deferred to their first use, where light_imports_allowed() was called.
    Nothing is left out: whatever uses them later loads them then. There is no second try the
    usual way: great-expectations registers its pydantic validators once per process, so a
    half-finished import cannot be undone, and its error is shown as it is."""
    if "great_expectations" in sys.modules or not _LIGHT_IMPORT_ALLOWED:
        yield
        return
    finder = _DeferredForGreatExpectations()
    sys.meta_path.insert(0, finder)
    try:
        import great_expectations  # noqa: F401
    finally:
        sys.meta_path.remove(finder)
    yield
