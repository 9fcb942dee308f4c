"""docs/cases.md: every case and feed with its sources and how far each row was checked.
Generated from datasets/ by `saydo docs`; a test fails when it is out of date."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import polars as pl

from transforms.load import load_datasets

_SCORED_TABLES = ("claims", "evidence", "claim_evidence", "responses")


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def _statuses(frame: pl.DataFrame) -> str:
    if "review_status" not in frame.columns or frame.is_empty():
        return ""
    counts = Counter(frame["review_status"].to_list())
    return ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))


def cases_markdown(datasets: Path) -> str:
    loaded = load_datasets(datasets)
    frames = loaded.frames()
    out = [
        "# Cases",
        "",
        "Generated from `datasets/` by `saydo docs`; do not edit by hand. Review statuses say how "
        "far each row was checked: `verified` (read in the cited source in full), "
        "`partially_verified` (the source read only in part), `secondary_only` (read only in a "
        "secondary report or mirror), `needs_review` (a field could not be sourced; see the "
        "row's review_note).",
        "",
    ]
    case_ids = sorted({*loaded.cases, *frames["sources"]["case_id"].to_list()})
    for case_id in case_ids:
        header = loaded.cases.get(case_id, {})
        of_case = {name: f.filter(pl.col("case_id") == case_id) for name, f in frames.items()}
        title = header.get("title") or case_id
        where = header.get("file") or f"datasets/feeds/*/{case_id.removeprefix('feed:')}.*"
        out += [f"## {title}", "", f"`{where}`", ""]
        if header.get("summary"):
            out += [header["summary"], ""]
        counts = ", ".join(
            f"{name} {of_case[name].height}"
            for name in ("companies", "claims", "evidence", "claim_evidence", "responses")
            if of_case[name].height
        )
        out += [f"Rows: {counts or 'sources only'}.", ""]
        for name in _SCORED_TABLES:
            if of_case[name].height and "review_status" in of_case[name].columns:
                out.append(f"- {name} review status: {_statuses(of_case[name])}")
        companies = of_case["companies"]["company_id"].to_list()
        if companies:
            out.append(f"- companies: {', '.join(f'`{c}`' for c in companies)}")
        out.append("")
        sources = of_case["sources"].sort("source_id")
        if sources.height:
            out += [
                "| source | publisher | published | type | review status |",
                "|---|---|---|---|---|",
            ]
            for row in sources.iter_rows(named=True):
                label = (
                    f"[`{row['source_id']}`]({row['url']})"
                    if row["url"]
                    else (f"`{row['source_id']}`")
                )
                date = row["published_date"]
                if date is not None:
                    date = {"day": str(date), "month": str(date)[:7], "year": str(date)[:4]}[
                        row["published_date_precision"]
                    ]
                out.append(
                    f"| {label} | {_cell(row['publisher'])} | {_cell(date)} | "
                    f"{row['source_type']} | {row['review_status']} |"
                )
            out.append("")
    return "\n".join(out)
