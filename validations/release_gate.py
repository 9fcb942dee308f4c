"""The release gate: great-expectations suites run on the Parquet files about to ship.

pandera has already checked every row at the door; this gate checks what rows cannot show:
row counts against the previous release, fill rates of key fields, that every reference in the
shipped files resolves, that no synthetic row ships, and the range and drift of the scores.
Files are read through DuckDB into pandas (GX's own DuckDB route is broken in 1.x). GX is
imported only here, so ordinary development never pays for it.

A failing expectation stops the release. The result is kept in `validation/release-checks.json`,
without GX's run ids and timestamps so two builds of the same data write the same file.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from schemas.method import METHOD_VERSION
from schemas.registry import TABLE_ORDER
from transforms.db import connect

# Declared bounds. Change them here, in review, when the data is meant to move further.
BOUNDS: dict = {
    # Rows may grow by this factor, plus this many, over the previous release; they may not
    # shrink (a released id never disappears).
    "max_growth_factor": 5.0,
    "max_growth_rows": 500,
    # Minimum share of rows with the field filled, per table.
    "fill": {
        "sources": {"source_id": 1.0, "source_type": 1.0, "publisher": 0.8},
        "companies": {"name": 1.0, "source_id": 1.0},
        "claims": {"summary": 1.0, "source_id": 1.0, "claim_date": 0.6, "quote": 0.4},
        "evidence": {"summary": 1.0, "source_id": 1.0, "evidence_date": 1.0, "quote": 0.4},
        "claim_evidence": {"rationale": 1.0},
    },
    # How far the mean claim gap_score may move between two releases of the same method.
    "max_mean_gap_shift": 25.0,
}


class ReleaseRefused(Exception):
    def __init__(self, failures: list[str], report: Path):
        self.failures = failures
        self.report = report
        text = "\n".join(f"  - {f}" for f in failures)
        super().__init__(
            f"the release gate refused this build ({len(failures)} failed expectation(s)); "
            f"the previous release is left as it was.\n{text}\n"
            f"Details: {report}. If the data is meant to move this far, change BOUNDS in "
            f"validations/release_gate.py."
        )


@dataclass
class Suite:
    name: str
    # One row: what DuckDB measured over the whole shipped file.
    sql: str
    expectations: list = field(default_factory=list)


def _suites(folder: Path, previous: dict | None, bounds: dict) -> list[Suite]:
    """DuckDB reduces each shipped file to one row of measures (row count, fill rates,
    unresolved references, synthetic rows, score range and mean); GX judges those rows. The
    cost hardly grows with the data, where GX over whole tables would (PUDL's finding)."""
    import great_expectations as gx

    e = gx.expectations

    def parquet(name: str) -> str:
        return (
            "read_parquet('" + str(folder / "parquet" / f"{name}.parquet").replace("'", "''") + "')"
        )

    def between(column: str, low: float | None, high: float | None):
        return e.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high)

    previous_counts = {
        name: len(t["records"]) for name, t in (previous or {}).get("tables", {}).items()
    }
    references = {
        "claims": [("company_id", "companies", "company_id")],
        "evidence": [("company_id", "companies", "company_id")],
        "claim_evidence": [
            ("claim_id", "claims", "claim_id"),
            ("evidence_id", "evidence", "evidence_id"),
        ],
    }
    suites = []
    for table in TABLE_ORDER:
        fills = bounds["fill"].get(table, {})
        measures = ["count(*) as rows", "count(*) filter (where t.is_synthetic) as synthetic_rows"]
        measures += [f"coalesce(avg(({c} is not null)::int), 1) as fill_{c}" for c in fills]
        measures += [
            f"count(*) filter (where t.{column} is not null and t.{column} not in "
            f"(select {key} from {parquet(target)})) as unresolved_{column}"
            for column, target, key in references.get(table, [])
        ]
        expectations = [between("rows", 0, None)]
        if not bounds.get("allow_synthetic"):
            expectations.append(between("synthetic_rows", 0, 0))
        expectations += [between(f"fill_{c}", share, 1) for c, share in fills.items()]
        expectations += [
            between(f"unresolved_{column}", 0, 0) for column, _, _ in references.get(table, [])
        ]
        if table in previous_counts:
            before = previous_counts[table]
            expectations.append(
                between(
                    "rows",
                    before,
                    int(before * bounds["max_growth_factor"] + bounds["max_growth_rows"]),
                )
            )
        suites.append(
            Suite(table, f"select {', '.join(measures)} from {parquet(table)} t", expectations)
        )

    claim_gap = [
        between("min_gap", 0, 100),
        between("max_gap", 0, 100),
        between("min_strength", 0, 1),
        between("max_strength", 0, 1),
        between("unknown_status", 0, 0),
        between("unresolved_company_id", 0, 0),
    ]
    scores = (previous or {}).get("scores", {})
    same_method = (previous or {}).get("method_version") == METHOD_VERSION
    if "claim_gap_mean" in scores and same_method:
        shift = bounds["max_mean_gap_shift"]
        claim_gap.append(
            between(
                "mean_gap",
                max(0.0, scores["claim_gap_mean"] - shift),
                min(100.0, scores["claim_gap_mean"] + shift),
            )
        )
    suites.append(
        Suite(
            "claim_gap",
            f"""
        select coalesce(min(gap_score), 0) as min_gap, coalesce(max(gap_score), 0) as max_gap,
               coalesce(avg(gap_score), 0) as mean_gap,
               coalesce(least(min(contradiction_strength), min(support_strength)), 0)
                   as min_strength,
               coalesce(greatest(max(contradiction_strength), max(support_strength)), 0)
                   as max_strength,
               count(*) filter (where status not in ('contradicted', 'questioned', 'disputed',
                                                     'supported', 'unverified'))
                   as unknown_status,
               count(*) filter (where company_id not in (select company_id from
                                {parquet("companies")})) as unresolved_company_id
        from {parquet("claim_gap")}""",
            claim_gap,
        )
    )
    suites.append(
        Suite(
            "company_gap",
            f"""
        select coalesce(min(least(gap_score, group_gap_score)), 0) as min_gap,
               coalesce(max(greatest(gap_score, group_gap_score)), 0) as max_gap,
               count(*) filter (where band not in ('untested', 'low', 'moderate', 'high',
                                                   'severe')) as unknown_band
        from {parquet("company_gap")}""",
            [
                between("min_gap", 0, 100),
                between("max_gap", 0, 100),
                between("unknown_band", 0, 0),
            ],
        )
    )
    return suites


def _quiet() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", message=".*sre_(parse|constants).*")


def _observed(result: dict) -> object:
    observed = result.get("observed_value")
    if observed is None and "unexpected_count" in result:
        observed = {
            "unexpected_count": result["unexpected_count"],
            "unexpected_examples": result.get("partial_unexpected_list", [])[:5],
        }
    return observed


def run_gate(folder: Path, previous: dict | None, bounds: dict | None = None) -> dict:
    """Run every suite on the release in `folder`; write validation/release-checks.json and
    raise ReleaseRefused if any expectation failed."""
    _quiet()
    import great_expectations as gx

    bounds = bounds or BOUNDS
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas("saydo_release")
    report: dict = {"suites": [], "success": True}
    reader = connect()
    failures: list[str] = []
    for suite_spec in _suites(folder, previous, bounds):
        asset = source.add_dataframe_asset(name=suite_spec.name)
        batch = asset.add_batch_definition_whole_dataframe(f"{suite_spec.name}_all")
        suite = context.suites.add(gx.ExpectationSuite(name=suite_spec.name))
        for expectation in suite_spec.expectations:
            suite.add_expectation(expectation)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite_spec.name, data=batch, suite=suite)
        )
        frame = reader.execute(suite_spec.sql).df()
        measures = {
            k: (v.item() if hasattr(v, "item") else v) for k, v in frame.iloc[0].to_dict().items()
        }
        result = definition.run(batch_parameters={"dataframe": frame}, result_format="SUMMARY")
        entries = []
        for item in result.results:
            config = item.expectation_config
            kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id",)}
            if "value_set" in kwargs and len(kwargs["value_set"]) > 10:
                kwargs["value_set"] = f"{len(kwargs['value_set'])} values"
            entry = {
                "expectation": config.type,
                "kwargs": kwargs,
                "success": item.success,
                "observed": measures.get(kwargs.get("column"), _observed(item.result)),
            }
            entries.append(entry)
            if not item.success:
                column = kwargs.get("column", "")
                failures.append(
                    f"{suite_spec.name}{'.' + column if column else ''}: "
                    f"{config.type} failed (observed {entry['observed']}, "
                    f"expected {kwargs})"
                )
        report["suites"].append(
            {
                "suite": suite_spec.name,
                "measures": measures,
                "success": result.success,
                "expectations": entries,
            }
        )
    report["success"] = not failures
    target = folder / "validation" / "release-checks.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(
        json.dumps(report, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
    )
    if failures:
        raise ReleaseRefused(failures, target)
    return report
