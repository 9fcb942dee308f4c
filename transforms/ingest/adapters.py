"""Feed adapters: one folder per public list, found by the build and the CLI.

    datasets/adapters/<name>/adapter.yaml   what the list is and how to read it
    datasets/adapters/<name>/adapter.py     convert(source_file, context) -> rows per table

`adapter.yaml` has an `adapter:` section (title, publisher, url, licence, which tables it
writes, how its dates are written, its own settings, and assertions such as the least and most
rows each table may hold) and the list's own source record under `sources:`, so everything
about a list lives in its folder. `saydo feed NAME FILE` runs the entry point and writes
`datasets/feeds/<table>/<name>.csv`; the build checks the assertions on every run. Adding an
adapter touches nothing outside its folder."""

from __future__ import annotations

import datetime as dt
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from schemas.generate import polars_schema
from schemas.registry import TABLES
from schemas.types import is_slug
from transforms.ingest.cases import refusals_left
from transforms.ingest.files import InputFile, check_regular, display_name
from transforms.ingest.yaml_reader import Mapping, read_case_file
from validations.problems import Problem

ADAPTER_FILE = "adapter.yaml"
ENTRY_POINT = "adapter.py"
# The sections of adapter.yaml that hold records: the list's own source record, and corrections
# to what the adapter published before.
RECORD_SECTIONS = ("sources", "corrections")


class AdapterError(Exception):
    """An adapter cannot be found or run; the message says which and why."""


@dataclass
class Adapter:
    name: str
    folder: Path
    file: InputFile
    meta: dict
    assertions: dict[str, dict] = field(default_factory=dict)

    @property
    def feed_id(self) -> str:
        return f"feed:{self.name}"

    @property
    def writes(self) -> list[str]:
        return list(self.meta.get("writes") or [])

    def feed_path(self, datasets: Path, table: str) -> Path:
        return datasets / "feeds" / table / f"{self.name}.csv"


@dataclass
class AdapterContext:
    """What an adapter's entry point is given besides the source file."""

    adapter: Adapter
    today: dt.date
    # recorded_on of rows the adapter wrote before, by id, so a rerun keeps them.
    recorded_on: dict[str, dt.date]

    @property
    def settings(self) -> dict:
        return dict(self.adapter.meta.get("settings") or {})

    def date_format(self, column: str) -> str:
        return self.adapter.meta["date_formats"][column]

    def recorded(self, record_id: str) -> dt.date:
        return self.recorded_on.get(record_id, self.today)


def discover(datasets: Path) -> tuple[list[Adapter], list[Problem]]:
    """Every adapter folder under datasets/adapters/, with its description read."""
    folder = datasets / "adapters"
    adapters: list[Adapter] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return adapters, problems
    root = datasets.parent
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_dir() or path.is_symlink():
            continue
        display = display_name(path / ADAPTER_FILE, root)
        if not is_slug(path.name):
            problems.append(
                Problem(
                    display,
                    None,
                    "",
                    "",
                    "the adapter's folder name must be a lowercase slug such as fcc-covered-list.",
                    "",
                    "adapter",
                )
            )
            continue
        problem = check_regular(path / ADAPTER_FILE, display)
        if problem:
            problems.append(problem)
            continue
        document, read_problems = read_case_file(path / ADAPTER_FILE, display)
        problems += read_problems
        if document is None:
            continue
        meta_refusals = refusals_left(
            document.get("adapter") if isinstance(document, Mapping) else document, display, set()
        )
        if meta_refusals:
            problems += meta_refusals
            continue
        meta = document.get("adapter") if isinstance(document, Mapping) else None
        if not isinstance(meta, Mapping):
            problems.append(
                Problem(
                    display,
                    None,
                    "",
                    "adapter",
                    "is missing: adapter.yaml starts with an "
                    "`adapter:` section describing the list.",
                    "see datasets/adapters/README.md.",
                    "adapter",
                )
            )
            continue
        unknown = [t for t in meta.get("writes") or [] if t not in TABLES]
        for table in unknown:
            problems.append(
                Problem(
                    display,
                    meta.key_lines.get("writes"),
                    "adapter",
                    "writes",
                    f"'{table}' is not a table.",
                    f"tables: {', '.join(TABLES)}.",
                    "adapter",
                )
            )
        adapters.append(
            Adapter(
                path.name,
                path,
                InputFile(path / ADAPTER_FILE, display),
                dict(meta),
                dict(meta.get("assertions") or {}),
            )
        )
    return adapters, problems


def find(datasets: Path, name: str) -> Adapter:
    adapters, _ = discover(datasets)
    for adapter in adapters:
        if adapter.name == name:
            return adapter
    known = ", ".join(a.name for a in adapters) or "none"
    raise AdapterError(f"no adapter named '{name}' in {datasets / 'adapters'} (adapters: {known}).")


def _entry_point(adapter: Adapter):
    path = adapter.folder / ENTRY_POINT
    spec = importlib.util.spec_from_file_location(
        f"saydo_adapter_{adapter.name.replace('-', '_')}", path
    )
    if spec is None or spec.loader is None:
        raise AdapterError(f"{path} is missing: an adapter needs an entry point with convert().")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.convert


def _previous_recorded_on(adapter: Adapter, datasets: Path) -> dict[str, dt.date]:
    known: dict[str, dt.date] = {}
    for table in adapter.writes:
        path = adapter.feed_path(datasets, table)
        if path.exists():
            rows = pl.read_csv(path, infer_schema=False)
            key = TABLES[table].primary_key[0]
            for record_id, recorded in rows.select(key, "recorded_on").iter_rows():
                known[record_id] = dt.date.fromisoformat(recorded)
    return known


def run(adapter: Adapter, source_file: Path, datasets: Path, today: dt.date) -> list[Path]:
    """Run the adapter on the list as published and write its feeds; returns the files."""
    convert = _entry_point(adapter)
    context = AdapterContext(adapter, today, _previous_recorded_on(adapter, datasets))
    produced: dict[str, list[dict]] = convert(source_file, context)
    written = []
    for table, rows in produced.items():
        if table not in adapter.writes:
            raise AdapterError(
                f"adapter {adapter.name} wrote '{table}', which its adapter.yaml does not list "
                f"under writes."
            )
        schema = polars_schema(TABLES[table])
        columns = [c for c in schema if c in rows[0]] if rows else []
        frame = pl.DataFrame(rows, schema={c: schema[c] for c in columns}).sort(
            list(TABLES[table].primary_key)
        )
        path = adapter.feed_path(datasets, table)
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_csv(path)
        written.append(path)
    return written


def assertion_rules(
    adapters: list[Adapter],
) -> list[tuple[Adapter, str, str, int | None, int | None]]:
    """(adapter, table, SQL counting its rows, least, most) for every declared assertion."""
    out = []
    for adapter in adapters:
        for table, bounds in adapter.assertions.items():
            if table not in TABLES or not isinstance(bounds, dict):
                continue
            sql = f"select count(*) from {table} where case_id = '{adapter.feed_id}'"
            out.append((adapter, table, sql, bounds.get("min_rows"), bounds.get("max_rows")))
    return out
