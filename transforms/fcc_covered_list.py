"""The FCC Covered List as saydo rows: one evidence row per company in saydo, dated to its
inclusion on the list, citing the FCC.

The copy of the list in `../shared/realdata/` came through a third party whose licence marking is
unclear, so it is never committed. This converter writes the facts it holds for saydo's companies
into the project's own feeds (`datasets/feeds/{companies,evidence}/fcc-covered-list.csv`), and a
test checks the committed feeds still match the list wherever the copy is present.

    saydo feed fcc-covered-list ../shared/realdata/fcc_covered_list_table.csv
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from schemas.generate import polars_schema
from schemas.registry import TABLES

SOURCE_ID = "fcc-covered-list"
FEED_NAME = "fcc-covered-list"


@dataclass(frozen=True)
class ListedCompany:
    company_id: str
    # The company as the FCC's text names it; matched word for word.
    fcc_name: str
    # False when the company is already written in a case file.
    needs_company_row: bool = True


# Which FCC entries concern companies in saydo. A new company is one line here.
LISTED: tuple[ListedCompany, ...] = (
    ListedCompany("hikvision", "Hangzhou Hikvision Digital Technology Company", False),
    ListedCompany("dahua", "Dahua Technology Company"),
    ListedCompany("huawei", "Huawei Technologies Company"),
    ListedCompany("zte", "ZTE Corporation"),
    ListedCompany("hytera", "Hytera Communications Corporation"),
)


def inclusion_date(text: str) -> dt.date:
    """'March 12, 2021' -> 2021-03-12. A cell with later 'Updated:' dates gives its first."""
    first = text.split("Updated:")[0].strip()
    return dt.datetime.strptime(first, "%B %d, %Y").date()


def convert(
    fcc_csv: Path, recorded_on: dict[str, dt.date], today: dt.date
) -> dict[str, pl.DataFrame]:
    """Rows for the companies and evidence feeds. `recorded_on` keeps the date each existing
    row entered the package; new rows are recorded today."""
    listing = pl.read_csv(fcc_csv, infer_schema=False)
    evidence, companies = [], []
    for company in LISTED:
        entries = listing.filter(
            pl.col("covered_equipment_or_services").str.contains(company.fcc_name, literal=True)
        )
        if entries.height != 1:
            raise ValueError(
                f"{fcc_csv}: expected one entry naming '{company.fcc_name}', found "
                f"{entries.height}; update LISTED in {__file__}."
            )
        text, date_text = entries.row(0)
        evidence_id = f"fcc-covered-list-{company.company_id}"
        evidence.append(
            {
                "evidence_id": evidence_id,
                "company_id": company.company_id,
                "source_id": SOURCE_ID,
                "evidence_date": inclusion_date(date_text),
                "evidence_date_precision": "day",
                "evidence_type": "government_list",
                "quote": text,
                "quote_lang": "en",
                "quote_en": text,
                "quote_kind": "verbatim",
                "quote_en_origin": "original",
                "summary": f"The FCC placed equipment produced by {company.fcc_name} on the "
                f"Covered List.",
                "review_status": "verified",
                "review_note": "The FCC's own text and date of inclusion.",
                "recorded_on": recorded_on.get(evidence_id, today),
            }
        )
        if company.needs_company_row:
            companies.append(
                {
                    "company_id": company.company_id,
                    "name": company.fcc_name,
                    "source_id": SOURCE_ID,
                    "review_status": "verified",
                    "review_note": "Named on the FCC Covered List, which states no country or "
                    "identifiers; those are left empty.",
                    "recorded_on": recorded_on.get(company.company_id, today),
                }
            )

    def frame(table: str, rows: list[dict]) -> pl.DataFrame:
        schema = polars_schema(TABLES[table])
        authored = {k: v for k, v in schema.items() if not TABLES[table].column(k).derived}
        return pl.DataFrame(rows, schema={k: authored[k] for k in rows[0]}).sort(
            TABLES[table].primary_key
        )

    return {"companies": frame("companies", companies), "evidence": frame("evidence", evidence)}


def feed_path(datasets: Path, table: str) -> Path:
    return datasets / "feeds" / table / f"{FEED_NAME}.csv"


def existing_recorded_on(datasets: Path) -> dict[str, dt.date]:
    known: dict[str, dt.date] = {}
    for table in ("companies", "evidence"):
        path = feed_path(datasets, table)
        if path.exists():
            rows = pl.read_csv(path, infer_schema=False)
            key = TABLES[table].primary_key[0]
            for record_id, recorded in rows.select(key, "recorded_on").iter_rows():
                known[record_id] = dt.date.fromisoformat(recorded)
    return known


def write_feeds(fcc_csv: Path, datasets: Path, today: dt.date) -> list[Path]:
    frames = convert(fcc_csv, existing_recorded_on(datasets), today)
    written = []
    for table, frame in frames.items():
        path = feed_path(datasets, table)
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_csv(path)
        written.append(path)
    return written
