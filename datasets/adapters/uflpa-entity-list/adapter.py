"""The UFLPA Entity List (listings.csv beside this file: one row per listed entity, built from
pages that report DHS's listings) as saydo rows: one evidence row per entity's listing, and a
company row for each entity. What each column means, and what could not be sourced, is in
adapter.yaml beside this file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import yaml

REVIEW_STATUSES = {"verified", "partially_verified", "secondary_only", "needs_review"}
QUOTE_KINDS = {"verbatim", "paraphrase"}
# How the listing date was established: the list's effective date for the entity, the day DHS
# announced it (effective date not read), the first list's effective date (the page says only
# that the entity was on the first list), or no listing date at all (dated to the report).
DATE_KINDS = {"effective", "announced", "initial", "reported"}


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _date(value: str | None, date_format: str) -> dt.date | None:
    value = _text(value)
    return dt.datetime.strptime(value, date_format).date() if value else None


def _check(rows: list[dict], source_file: Path) -> None:
    """Refuse an input that would write rows saydo cannot stand behind."""
    ids = [r["company_id"] for r in rows]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{source_file}: company_id given twice: {', '.join(duplicates)}.")
    known = set(ids)
    for r in rows:
        where = f"{source_file}: {r['company_id']}"
        for column in ("name", "listed_name", "source_id", "company_source_id", "quote_kind"):
            if not r[column]:
                raise ValueError(f"{where}: {column} is empty.")
        if r["parent_company_id"] and r["parent_company_id"] not in known:
            raise ValueError(f"{where}: parent {r['parent_company_id']} is not a row of the file.")
        if r["quote_kind"] not in QUOTE_KINDS:
            raise ValueError(f"{where}: quote_kind must be one of {sorted(QUOTE_KINDS)}.")
        for column in ("company_review_status", "evidence_review_status"):
            if r[column] not in REVIEW_STATUSES:
                raise ValueError(f"{where}: {column} must be one of {sorted(REVIEW_STATUSES)}.")
        if r["date_kind"] not in DATE_KINDS:
            raise ValueError(f"{where}: date_kind must be one of {sorted(DATE_KINDS)}.")
        if r["date_kind"] == "reported":
            if r["listing_date"] or not r["reported_on"]:
                raise ValueError(
                    f"{where}: a 'reported' row has no listing_date and a reported_on."
                )
        elif not (
            r["listing_date"] and r["listing_date_precision"] == "day" and r["date_source_id"]
        ):
            raise ValueError(
                f"{where}: give listing_date (a day), listing_date_precision and date_source_id."
            )


def summary(r: dict, publisher: str) -> str:
    """One line, in saydo's words, on what the page reports DHS did; a disputed listing keeps
    who reports it."""
    name = r["name"]
    if r["listed_as"]:
        name += f", listed as {r['listed_as']},"
    date = r["evidence_date"].isoformat()
    kind = r["date_kind"]
    if kind == "reported":
        return (
            f"{publisher} reported on {date} that CBP already treated {name} as a banned entity "
            f"under the UFLPA; when it was listed is not stated."
        )
    if kind == "initial":
        return (
            f"{name} was on the first UFLPA Entity List, which DHS published in June 2022 and "
            f"which took effect on {date}."
        )
    if kind == "announced":
        return f"DHS announced on {date} that {name} was being added to the UFLPA Entity List."
    if r["evidence_review_status"] == "needs_review":
        return (
            f"{publisher} reported that DHS added {name} to the UFLPA Entity List, in the round "
            f"effective {date}; disputed or unconfirmed (see the review note)."
        )
    return f"DHS added {name} to the UFLPA Entity List, effective {date}."


def _read_note(r: dict, source: dict) -> str:
    publisher = source["publisher"]
    if source["source_type"] in ("regulator_action", "government_list"):
        read = (
            f"Read in DHS's own release ({publisher}), in part; the quote is the entity as "
            f"printed there."
        )
    elif r["quote_kind"] == "verbatim":
        read = (
            f"Read in {publisher}, in part: DHS's release as reprinted there, not DHS's own page; "
            f"the quote is the entity as printed there."
        )
    else:
        read = (
            f"Read in {publisher}, in part: a report of DHS's action, not DHS's text; the quote is "
            f"the entity's name as that page prints it."
        )
    return (
        f"{read} DHS's UFLPA Entity List and the Federal Register notice were not read "
        f"(round: {r['round']})."
    )


def _sources(context) -> dict[str, dict]:
    """The source records in adapter.yaml, by id: who published each and what kind it is."""
    document = yaml.safe_load((context.adapter.folder / "adapter.yaml").read_text("utf-8"))
    return {s["source_id"]: s for s in document.get("sources") or []}


def convert(source_file: Path, context) -> dict[str, list[dict]]:
    settings = context.settings
    date_format = context.date_format("listing_date")
    reported_format = context.date_format("reported_on")
    sources = _sources(context)
    rows = [
        {k: (v or "").strip() for k, v in row.items()}
        for row in pl.read_csv(source_file, infer_schema=False).to_dicts()
    ]
    _check(rows, source_file)
    columns = ("source_id", "company_source_id", "name_source_id", "date_source_id")
    cited = {r[c] for r in rows for c in columns} - {""}
    missing = sorted(cited - set(sources))
    if missing:
        raise ValueError(f"{source_file}: sources not in adapter.yaml: {', '.join(missing)}.")
    evidence, companies = [], []
    for r in rows:
        source = sources[r["source_id"]]
        publisher = source["publisher"]
        r["evidence_date"] = _date(r["listing_date"], date_format) or _date(
            r["reported_on"], reported_format
        )
        evidence_id = f"{settings['evidence_id_prefix']}-{r['company_id']}"
        evidence.append(
            {
                "evidence_id": evidence_id,
                "company_id": r["company_id"],
                "source_id": r["source_id"],
                "primary_source_id": r["primary_source_id"] or settings["primary_source_id"],
                "evidence_date": r["evidence_date"],
                "evidence_date_precision": "day",
                "evidence_type": "government_list",
                "voice": "government",
                "quote": r["listed_name"],
                "quote_lang": "en",
                "quote_en": r["listed_name"],
                "quote_kind": r["quote_kind"],
                "quote_en_origin": "original",
                "summary": summary(r, publisher),
                "review_status": r["evidence_review_status"],
                "review_note": f"{_read_note(r, source)} {r['evidence_note']}".strip(),
                "recorded_on": context.recorded(evidence_id),
            }
        )
        company_publisher = sources[r["company_source_id"]]["publisher"]
        name_from = ""
        if r["name_source_id"] and r["name_source_id"] != r["company_source_id"]:
            name_from = f" The name is as {sources[r['name_source_id']]['publisher']} prints it."
        companies.append(
            {
                "company_id": r["company_id"],
                "name": r["name"],
                "country": _text(r["country"]),
                "parent_company_id": _text(r["parent_company_id"]),
                "parent_relationship": "subsidiary" if r["parent_company_id"] else None,
                "source_id": r["company_source_id"],
                "review_status": r["company_review_status"],
                "review_note": (
                    f"Named as a UFLPA Entity List entity by {company_publisher}, read in part."
                    f"{name_from} {r['company_note']}"
                ).strip(),
                "recorded_on": context.recorded(r["company_id"]),
            }
        )
    return {"companies": companies, "evidence": evidence}
