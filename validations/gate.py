"""The release gate: great-expectations suites run on the Parquet files about to ship.

The door has already checked every row; this gate checks what rows cannot show: row counts
against the previous release, fill rates of key fields, that every reference in the shipped
files resolves (every foreign key the registry declares), that no synthetic row ships, and the
range, allowed values and drift of the scores. DuckDB reduces each shipped file to one row of
measures; great-expectations judges those rows (its DuckDB route is broken in 1.x, and over
whole tables it would cost minutes where this costs milliseconds).

The bounds are data, in `validations/gate.yaml`. A failing expectation stops the release; the
report is kept in `validation/release-checks.json` of the release, and, when the gate refuses,
beside the output folder as `<out>.refused-release-checks.json`, where the message points.
Each suite's verdict is cached by the hash of what it judged (its measures and bounds), so an
unchanged release is not judged twice, an edit is judged only in the suites whose measures it
moved, and great-expectations is imported only when there is something new to judge."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from schemas.method import METHOD_VERSION
from schemas.registry import TABLE_ORDER, TABLES, release_file
from schemas.views import BANDS, STATUSES
from transforms.cache import keep
from transforms.db import connect
from validations.light_imports import great_expectations_imported_lightly

BOUNDS_FILE = Path(__file__).with_name("gate.yaml")


def load_bounds() -> dict:
    return yaml.safe_load(BOUNDS_FILE.read_text(encoding="utf-8"))


class ReleaseRefused(Exception):
    def __init__(self, failures: list[str], report: Path):
        self.failures = failures
        self.report = report
        text = "\n".join(f"  - {f}" for f in failures)
        super().__init__(
            f"the release gate refused this build ({len(failures)} failed expectation(s)); "
            f"the previous release is left as it was.\n{text}\n"
            f"Details: {report}. If the data is meant to move this far, change the bounds in "
            f"validations/gate.yaml."
        )


@dataclass
class Suite:
    name: str
    # One row: what DuckDB measured over the whole shipped file.
    sql: str
    # (column, least, most) for each expectation on that row.
    bounds: list[tuple[str, float | None, float | None]] = field(default_factory=list)


def _parquet(folder: Path, name: str) -> str:
    return "read_parquet('" + str(folder / release_file(name, "parquet")).replace("'", "''") + "')"


def _table_suite(folder: Path, name: str, previous_rows: dict[str, int], bounds: dict) -> Suite:
    table = TABLES[name]
    fills = bounds["fill"].get(name, {})
    measures = ["count(*) as rows", "count(*) filter (where t.is_synthetic) as synthetic_rows"]
    measures += [f"coalesce(avg(({c} is not null)::int), 1) as fill_{c}" for c in fills]
    measures += [
        f"count(*) filter (where t.{fk.fields[0]} is not null and t.{fk.fields[0]} not in "
        f"(select {fk.table_fields[0]} from {_parquet(folder, fk.table)})) "
        f"as unresolved_{fk.fields[0]}"
        for fk in table.foreign_keys
    ]
    checks: list[tuple[str, float | None, float | None]] = [("rows", 0, None)]
    if not bounds.get("allow_synthetic"):
        checks.append(("synthetic_rows", 0, 0))
    checks += [(f"fill_{c}", share, 1) for c, share in fills.items()]
    checks += [(f"unresolved_{fk.fields[0]}", 0, 0) for fk in table.foreign_keys]
    if name in previous_rows:
        before = previous_rows[name]
        checks.append(
            ("rows", before, int(before * bounds["max_growth_factor"] + bounds["max_growth_rows"]))
        )
    return Suite(name, f"select {', '.join(measures)} from {_parquet(folder, name)} t", checks)


def _in(values: dict[str, str]) -> str:
    return ", ".join("'" + v + "'" for v in values)


def suites(folder: Path, previous, bounds: dict) -> list[Suite]:
    """DuckDB reduces each shipped file to one row of measures; each suite says what to expect
    of it. The cost hardly grows with the data, where GX over whole tables would (PUDL's
    finding)."""
    previous_rows = (
        {name: spec["rows"] for name, spec in previous.tables.items()} if previous else {}
    )
    out = [_table_suite(folder, name, previous_rows, bounds) for name in TABLE_ORDER]
    claim_gap = [
        ("min_gap", 0, 100),
        ("max_gap", 0, 100),
        ("min_strength", 0, 1),
        ("max_strength", 0, 1),
        ("unknown_status", 0, 0),
        ("unresolved_company_id", 0, 0),
    ]
    scores = previous.scores if previous is not None else {}
    if "claim_gap_mean" in scores and previous.method_version == METHOD_VERSION:
        shift = bounds["max_mean_gap_shift"]
        claim_gap.append(
            (
                "mean_gap",
                max(0.0, scores["claim_gap_mean"] - shift),
                min(100.0, scores["claim_gap_mean"] + shift),
            )
        )
    out.append(
        Suite(
            "claim_gap",
            f"""select coalesce(min(gap_score), 0) as min_gap,
                   coalesce(max(gap_score), 0) as max_gap,
                   coalesce(avg(gap_score), 0) as mean_gap,
                   coalesce(least(min(contradiction_strength), min(support_strength)), 0)
                       as min_strength,
                   coalesce(greatest(max(contradiction_strength), max(support_strength)), 0)
                       as max_strength,
                   count(*) filter (where status not in ({_in(STATUSES)})) as unknown_status,
                   count(*) filter (where company_id not in (select company_id from
                                    {_parquet(folder, "companies")})) as unresolved_company_id
            from {_parquet(folder, "claim_gap")}""",
            claim_gap,
        )
    )
    out.append(
        Suite(
            "company_gap",
            f"""select coalesce(min(least(gap_score, group_gap_score)), 0) as min_gap,
                   coalesce(max(greatest(gap_score, group_gap_score)), 0) as max_gap,
                   count(*) filter (where band not in ({_in(BANDS)})) as unknown_band
            from {_parquet(folder, "company_gap")}""",
            [("min_gap", 0, 100), ("max_gap", 0, 100), ("unknown_band", 0, 0)],
        )
    )
    return out


def _quiet() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", message=".*sre_(parse|constants).*")


def _measure(folder: Path, specs: list[Suite]) -> list[dict]:
    reader = connect()
    try:
        measured = []
        for spec in specs:
            cursor = reader.execute(spec.sql)
            names = [d[0] for d in cursor.description]
            row = cursor.fetchall()[0]
            measured.append(
                {
                    n: (float(v) if isinstance(v, float) else v)
                    for n, v in zip(names, row, strict=True)
                }
            )
        return measured
    finally:
        reader.close()


def _judge(specs: list[Suite], measured: list[dict]) -> dict:
    """great-expectations on each suite's row of measures."""
    _quiet()
    with great_expectations_imported_lightly():
        import great_expectations as gx
    import pandas as pd

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas("saydo_release")
    report: dict = {"suites": []}
    for spec, measures in zip(specs, measured, strict=True):
        asset = source.add_dataframe_asset(name=spec.name)
        batch = asset.add_batch_definition_whole_dataframe(f"{spec.name}_all")
        suite = context.suites.add(gx.ExpectationSuite(name=spec.name))
        for column, least, most in spec.bounds:
            suite.add_expectation(
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column=column, min_value=least, max_value=most
                )
            )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=spec.name, data=batch, suite=suite)
        )
        result = definition.run(
            batch_parameters={"dataframe": pd.DataFrame([measures])}, result_format="SUMMARY"
        )
        entries = []
        for item in result.results:
            config = item.expectation_config
            kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
            entries.append(
                {
                    "expectation": config.type,
                    "kwargs": kwargs,
                    "success": item.success,
                    "observed": measures.get(kwargs.get("column")),
                }
            )
        report["suites"].append(
            {
                "suite": spec.name,
                "measures": measures,
                "success": result.success,
                "expectations": entries,
            }
        )
    return report


# What a kept verdict holds; raised when _judge writes its entries differently, so a verdict of
# the old shape is never shipped beside new ones.
VERDICT_FORMAT = 1


def _canonical(value: object) -> str:
    """`value` as JSON written one way only: what a verdict's key hashes, what the cache keeps
    and what a kept verdict's measures are compared in."""
    return json.dumps(value, sort_keys=True, default=str)


def _suite_key(spec: Suite, measures: dict, judged_by: str) -> str:
    """The hash of what a suite's verdict rests on: its measures and bounds, the verdict's
    format and the great-expectations version that judges it."""
    text = _canonical([VERDICT_FORMAT, judged_by, spec.name, spec.bounds, measures])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_gate(folder: Path, previous, bounds: dict | None = None, cache: Path | None = None) -> dict:
    """Judge the release in `folder`; write validation/release-checks.json and raise
    ReleaseRefused if any expectation failed. With a `cache` folder, a suite whose measures and
    bounds were judged before is not judged again: an edit to one table's rows is judged in the
    suites it moves, not in all twelve."""
    bounds = bounds or load_bounds()
    specs = suites(folder, previous, bounds)
    measured = _measure(folder, specs)
    # From its metadata: importing it is what a kept verdict spares.
    judged_by = importlib.metadata.version("great_expectations")
    keys = [
        _suite_key(spec, measures, judged_by)
        for spec, measures in zip(specs, measured, strict=True)
    ]
    verdicts = [
        _kept_verdict(cache, spec, measures, key) if cache else None
        for spec, measures, key in zip(specs, measured, keys, strict=True)
    ]
    unjudged = [i for i, verdict in enumerate(verdicts) if verdict is None]
    if unjudged:
        judged = _judge([specs[i] for i in unjudged], [measured[i] for i in unjudged])
        for i, verdict in zip(unjudged, judged["suites"], strict=True):
            verdicts[i] = verdict
    report: dict = {"suites": verdicts}
    failures = [
        f"{suite['suite']}.{entry['kwargs'].get('column', '')}: {entry['expectation']} failed "
        f"(observed {entry['observed']}, expected {entry['kwargs']})"
        for suite in report["suites"]
        for entry in suite["expectations"]
        if not entry["success"]
    ]
    report["success"] = not failures
    text = json.dumps(report, indent=2, sort_keys=True, default=str) + "\n"
    target = folder / "validation" / "release-checks.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")
    if failures:
        kept = folder.parent / f"{folder.name.split('.building-')[0]}.refused-release-checks.json"
        kept.write_text(text, encoding="utf-8")
        raise ReleaseRefused(failures, kept)
    if cache is not None:
        for i in unjudged:
            verdict = _canonical(verdicts[i]).encode("utf-8")
            keep(cache, _verdict_name(specs[i].name, keys[i]), verdict)
        if unjudged:
            forget_old_verdicts(cache, [specs[i].name for i in unjudged])
    return report


# How many verdicts are kept per suite: today's, and a few before it, for an edit undone.
VERDICTS_KEPT_PER_SUITE = 4
# A kept verdict's file name (_verdict_name), and the shape before verdicts were kept per suite.
_VERDICT_FILE = re.compile(r"gate-(?:(?P<suite>[a-z_]+)-)?[0-9a-f]{64}\.json")


def _verdict_name(suite: str, key: str) -> str:
    return f"gate-{suite}-{key}.json"


def forget_old_verdicts(cache: Path, suite_names: list[str]) -> None:
    """Delete all but the VERDICTS_KEPT_PER_SUITE verdicts last used of each suite named (each
    edit that moves a suite's measures adds a verdict, so an editor's cache would grow without
    end), and any verdict kept in the shape of before they were kept per suite, which nothing
    reads. Nothing else in the cache is touched; a file that cannot be deleted stays."""
    try:
        files = [(p, _VERDICT_FILE.fullmatch(p.name)) for p in cache.glob("gate-*.json")]
        by_suite: dict[str, list[tuple[int, Path]]] = {}
        for path, match in files:
            if match is None:
                continue
            if match["suite"] is None:
                path.unlink(missing_ok=True)
            elif match["suite"] in suite_names:
                by_suite.setdefault(match["suite"], []).append((path.stat().st_mtime_ns, path))
        for kept in by_suite.values():
            for _, path in sorted(kept, reverse=True)[VERDICTS_KEPT_PER_SUITE:]:
                path.unlink(missing_ok=True)
    except OSError:
        pass  # only costs space


def _kept_verdict(cache: Path, spec: Suite, measures: dict, key: str) -> dict | None:
    """The verdict kept for this suite on these measures, if it can be read and is of them: a
    broken one costs a judgement, like any cache in .saydo-cache/, never a failed build."""
    path = cache / _verdict_name(spec.name, key)
    try:
        text = path.read_text(encoding="utf-8")
        verdict = json.loads(text)
    except (OSError, ValueError):
        return None
    if not isinstance(verdict, dict):
        return None
    entries = verdict.get("expectations")
    if not (
        verdict.get("suite") == spec.name
        and verdict.get("success") is True
        and _canonical(verdict.get("measures")) == _canonical(measures)
        and isinstance(entries, list)
        and len(entries) == len(spec.bounds)
        and all(
            isinstance(entry, dict)
            and entry.get("success") is True
            and isinstance(entry.get("kwargs"), dict)
            and isinstance(entry.get("expectation"), str)
            for entry in entries
        )
    ):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: among the last forgotten (forget_old_verdicts)
    return verdict
