"""The FCC Covered List (a two-column table: the FCC's text, its date of inclusion) as saydo
rows: one evidence row per listed company, and a company row for those no case file holds.
What to read, and how, is in adapter.yaml beside this file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

SOURCE_ID = "fcc-covered-list"


def inclusion_date(text: str, date_format: str) -> dt.date:
    """'March 12, 2021' -> 2021-03-12. A cell with later 'Updated:' dates gives its first."""
    first = text.split("Updated:")[0].strip()
    return dt.datetime.strptime(first, date_format).date()


def summary(name: str, text: str) -> str:
    """One line on what the FCC listed; when the FCC limits the listing to some uses, so does
    the summary."""
    line = f"The FCC placed equipment produced by {name} on the Covered List"
    if "to the extent it is used for" in text:
        line += (
            ", to the extent it is used for public safety, the security of government facilities, "
            "surveillance of critical infrastructure and other national security purposes"
        )
    return line + "."


def convert(source_file: Path, context) -> dict[str, list[dict]]:
    columns = context.adapter.meta["columns"]
    date_format = context.date_format(columns["date"])
    listing = pl.read_csv(source_file, infer_schema=False)
    evidence, companies = [], []
    for company in context.settings["listed"]:
        entries = listing.filter(
            pl.col(columns["text"]).str.contains(company["fcc_name"], literal=True)
        )
        if entries.height != 1:
            raise ValueError(
                f"{source_file}: expected one entry naming '{company['fcc_name']}', found "
                f"{entries.height}; update `listed` in adapter.yaml."
            )
        text = entries[columns["text"]][0]
        evidence_id = f"fcc-covered-list-{company['company_id']}"
        evidence.append(
            {
                "evidence_id": evidence_id,
                "company_id": company["company_id"],
                "source_id": SOURCE_ID,
                "evidence_date": inclusion_date(entries[columns["date"]][0], date_format),
                "evidence_date_precision": "day",
                "evidence_type": "government_list",
                "voice": "government",
                "quote": text,
                "quote_lang": "en",
                "quote_en": text,
                "quote_kind": "verbatim",
                "quote_en_origin": "original",
                "summary": summary(company["fcc_name"], text),
                "review_status": "verified",
                "review_note": "The FCC's own text and date of inclusion.",
                "recorded_on": context.recorded(evidence_id),
            }
        )
        if company["company_row"]:
            companies.append(
                {
                    "company_id": company["company_id"],
                    "name": company["fcc_name"],
                    "source_id": SOURCE_ID,
                    "review_status": "verified",
                    "review_note": "Named on the FCC Covered List, which states no country or "
                    "identifiers; those are left empty.",
                    "recorded_on": context.recorded(company["company_id"]),
                }
            )
    return {"companies": companies, "evidence": evidence}
