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
    sql: str
    expectations: list = field(default_factory=list)


def _suites(folder: Path, previous: dict | None, bounds: dict) -> list[Suite]:
    import great_expectations as gx

    e = gx.expectations
    parquet = folder / "parquet"
    reader = connect()

    def path(name: str) -> str:
        return str(parquet / f"{name}.parquet").replace("'", "''")

    def ids(table: str, column: str) -> list[str]:
        return [
            r[0]
            for r in reader.execute(
                f"select distinct {column} from read_parquet('{path(table)}')"
            ).fetchall()
        ]

    previous_counts = {
        name: len(t["records"]) for name, t in (previous or {}).get("tables", {}).items()
    }
    suites: dict[str, Suite] = {}
    for table, fills in [
        (t, bounds["fill"].get(t, {}))
        for t in (
            "sources",
            "companies",
            "company_names",
            "claims",
            "evidence",
            "claim_evidence",
            "responses",
            "corrections",
        )
    ]:
        expectations = [e.ExpectColumnValuesToBeInSet(column="is_synthetic", value_set=[False])]
        expectations += [
            e.ExpectColumnValuesToNotBeNull(column=c, mostly=share) for c, share in fills.items()
        ]
        if table in previous_counts:
            before = previous_counts[table]
            expectations.append(
                e.ExpectTableRowCountToBeBetween(
                    min_value=before,
                    max_value=int(before * bounds["max_growth_factor"] + bounds["max_growth_rows"]),
                )
            )
        suites[table] = Suite(table, f"select * from read_parquet('{path(table)}')", expectations)

    company_ids = ids("companies", "company_id")
    suites["claims"].expectations.append(
        e.ExpectColumnValuesToBeInSet(column="company_id", value_set=company_ids)
    )
    suites["evidence"].expectations.append(
        e.ExpectColumnValuesToBeInSet(column="company_id", value_set=company_ids)
    )
    suites["claim_evidence"].expectations += [
        e.ExpectColumnValuesToBeInSet(column="claim_id", value_set=ids("claims", "claim_id")),
        e.ExpectColumnValuesToBeInSet(
            column="evidence_id", value_set=ids("evidence", "evidence_id")
        ),
    ]

    claim_gap = [
        e.ExpectColumnValuesToBeBetween(column="gap_score", min_value=0, max_value=100),
        e.ExpectColumnValuesToBeBetween(column="contradiction_strength", min_value=0, max_value=1),
        e.ExpectColumnValuesToBeBetween(column="support_strength", min_value=0, max_value=1),
        e.ExpectColumnValuesToBeInSet(
            column="status",
            value_set=["contradicted", "questioned", "disputed", "supported", "unverified"],
        ),
        e.ExpectColumnValuesToBeInSet(column="company_id", value_set=company_ids),
    ]
    scores = (previous or {}).get("scores", {})
    if "claim_gap_mean" in scores:
        shift = bounds["max_mean_gap_shift"]
        claim_gap.append(
            e.ExpectColumnMeanToBeBetween(
                column="gap_score",
                min_value=max(0.0, scores["claim_gap_mean"] - shift),
                max_value=min(100.0, scores["claim_gap_mean"] + shift),
            )
        )
    suites["claim_gap"] = Suite(
        "claim_gap",
        f"select * exclude (refuting_evidence_ids, "
        f"supporting_evidence_ids, context_evidence_ids) "
        f"from read_parquet('{path('claim_gap')}')",
        claim_gap,
    )
    suites["company_gap"] = Suite(
        "company_gap",
        f"select * from read_parquet('{path('company_gap')}')",
        [
            e.ExpectColumnValuesToBeBetween(column="gap_score", min_value=0, max_value=100),
            e.ExpectColumnValuesToBeBetween(column="group_gap_score", min_value=0, max_value=100),
            e.ExpectColumnValuesToBeInSet(
                column="band", value_set=["untested", "low", "moderate", "high", "severe"]
            ),
        ],
    )
    return list(suites.values())


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
                "observed": _observed(item.result),
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
                "rows": len(frame),
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
