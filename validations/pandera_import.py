"""How the door imports pandera: without what it never uses, where that costs no one else.

Imported by the `saydo` command before anything heavy, so it imports nothing itself but the
standard library."""

from __future__ import annotations

import importlib.abc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_LIGHT_IMPORT_ALLOWED = False


def light_pandera_allowed() -> None:
    """Let the door import pandera without pandas and numpy (below). Called by the `saydo`
    command, whose process runs nothing but saydo: a program that imports saydo as a library
    may use pandera's pandas API beside it, which that import would leave missing."""
    global _LIGHT_IMPORT_ALLOWED
    _LIGHT_IMPORT_ALLOWED = True


# What pandera imports whenever it is installed, for its pandas API, which the door never uses
# (it validates polars frames): pandas and numpy were 0.6 s of pandera's 0.8 s import, in every
# `saydo build` and `saydo check` that judges a row. pandera supports installs without them (its
# polars-only install), so the door imports it as if they were absent. They stay installed for
# great-expectations, which imports them itself.
_NOT_FOR_PANDERA = ("pandas", "numpy")


class _AbsentForPandera(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in _NOT_FOR_PANDERA:
            # pandera's own words for a module that is not installed, which it expects.
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@contextmanager
def pandera_imported_lightly() -> Iterator[None]:
    """For pandera's first validation in a process: pandera is imported without pandas and
    numpy (above), and hypothesis, which pandera imports as it first validates (for its checks'
    data strategies, which the door never uses), without running every installed hypothesis
    plugin (trio's: 0.2 s), by hypothesis' own switch HYPOTHESIS_NO_PLUGINS. Both are taken away
    after, so no other code in the process, and no child process, sees them; pandera itself
    keeps its polars-only shape for the rest of the process, so pandas and numpy are hidden only
    where light_pandera_allowed() was called (the `saydo` command). Should a pandera release stop
    working without pandas, it is imported again the usual way."""
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
