"""`saydo synth`: a deterministic synthetic feed for tests and benchmarks, never for release.

Every row is marked `is_synthetic = true`; the release gate refuses such rows and the build
records no manifest for them. The shapes are meant to look like real screening data:
- claims per company are skewed (a few companies say a lot);
- relations are mixed (mostly refutes, some supports and context);
- dates spread over fifteen years, some at month precision;
- a tenth of the companies are subsidiaries of another.
Each claim links to evidence about its own company, so every link passes the relatedness rule.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from schemas.registry import FIELDS

RECORDED_ON = dt.date(2025, 1, 1)
FIRST_DAY = dt.date(2010, 1, 1)
DAYS = (dt.date(2024, 12, 31) - FIRST_DAY).days


def _choice(rng, values: tuple[str, ...], size: int, weights: list[float] | None = None):
    return pl.Series(values).gather(rng.choice(len(values), size=size, p=weights))


def _ids(prefix: str, numbers, width: int) -> pl.Series:
    return prefix + pl.Series(numbers).cast(pl.String).str.zfill(width)


def _days(rng, size: int) -> pl.Series:
    offsets = pl.Series(rng.integers(0, DAYS + 1, size=size))
    return (pl.lit(FIRST_DAY) + pl.duration(days=offsets)).alias("d")


def generate(companies: int, claims: int, links_per_claim: int, seed: int) -> dict:
    """One polars frame per table, deterministic for the same arguments."""
    import numpy as np

    rng = np.random.default_rng(seed)
    sources_n = max(50, claims // 200)
    source_types = FIELDS["source_type"].values
    review = FIELDS["review_status"].values
    review_weights = [0.55, 0.25, 0.15, 0.05]

    sources = pl.DataFrame(
        {
            "source_id": _ids("syn-src-", np.arange(sources_n), 7),
            "publisher": _ids("Synthetic Publisher ", rng.integers(0, 60, sources_n), 1),
            "title": _ids("Synthetic report ", np.arange(sources_n), 1),
            "url": _ids("https://synthetic.example/report/", np.arange(sources_n), 1),
            "published_date": pl.select(_days(rng, sources_n)).to_series(),
            "source_type": _choice(rng, source_types, sources_n),
            "review_status": _choice(rng, review, sources_n, review_weights),
        }
    ).with_columns(
        pl.lit("day").alias("published_date_precision"),
        pl.lit("en").alias("source_lang"),
    )

    top = max(1, companies // 10)
    parents = pl.Series(rng.integers(0, top, companies))
    has_parent = pl.int_range(companies, eager=True) >= companies - companies // 10
    companies_frame = (
        pl.DataFrame(
            {
                "company_id": _ids("syn-co-", np.arange(companies), 7),
                "name": _ids("Synthetic Company ", np.arange(companies), 7),
                "country": _choice(
                    rng, ("US", "GB", "DE", "FR", "CN", "JP", "IN", "BR"), companies
                ),
                "parent_index": parents,
                "has_parent": has_parent,
                "source_id": _ids("syn-src-", rng.integers(0, sources_n, companies), 7),
            }
        )
        .with_columns(
            pl.when(pl.col("has_parent") & (pl.int_range(pl.len()) >= top))
            .then(pl.format("syn-co-{}", pl.col("parent_index").cast(pl.String).str.zfill(7)))
            .alias("parent_company_id"),
        )
        .with_columns(
            pl.when(pl.col("parent_company_id").is_not_null())
            .then(pl.lit("subsidiary"))
            .alias("parent_relationship"),
            pl.lit("verified").alias("review_status"),
        )
        .drop("parent_index", "has_parent")
    )

    # Skewed: the company of each claim is drawn with density falling as index^-0.7.
    company_of = (companies * rng.random(claims) ** 3).astype("int64")
    order = np.argsort(company_of, kind="stable")
    company_sorted = company_of[order]
    month_precision = rng.random(claims) < 0.1
    claim_days = pl.select(_days(rng, claims)).to_series()
    claims_frame = (
        pl.DataFrame(
            {
                "claim_id": _ids("syn-cl-", np.arange(claims), 9),
                "company_id": _ids("syn-co-", company_sorted, 7),
                "source_id": _ids("syn-src-", rng.integers(0, sources_n, claims), 7),
                "claim_date": claim_days,
                "month": pl.Series(month_precision),
                "topic": _choice(rng, FIELDS["topic"].values, claims),
                "claim_type": _choice(rng, FIELDS["claim_type"].values[:4], claims),
                "review_status": _choice(rng, review, claims, review_weights),
            }
        )
        .with_columns(
            pl.when(pl.col("month"))
            .then(pl.col("claim_date").dt.truncate("1mo"))
            .otherwise(pl.col("claim_date"))
            .alias("claim_date"),
            pl.when(pl.col("month"))
            .then(pl.lit("month"))
            .otherwise(pl.lit("day"))
            .alias("claim_date_precision"),
            pl.format("Synthetic statement {}.", pl.col("claim_id")).alias("quote"),
            pl.lit("en").alias("quote_lang"),
            pl.format("Synthetic statement {}.", pl.col("claim_id")).alias("quote_en"),
            pl.lit("verbatim").alias("quote_kind"),
            pl.lit("original").alias("quote_en_origin"),
            pl.format("Synthetic company statement {}.", pl.col("claim_id")).alias("summary"),
            pl.lit("Synthetic row.").alias("review_note"),
        )
        .drop("month")
    )

    # One piece of evidence per claim, about the same company (same sorted position).
    penalty = rng.random(claims) < 0.05
    evidence_frame = (
        pl.DataFrame(
            {
                "evidence_id": _ids("syn-ev-", np.arange(claims), 9),
                "company_id": claims_frame["company_id"],
                "source_id": _ids("syn-src-", rng.integers(0, sources_n, claims), 7),
                "evidence_date": pl.select(_days(rng, claims)).to_series(),
                "evidence_type": _choice(rng, FIELDS["evidence_type"].values, claims),
                "voice": _choice(rng, FIELDS["voice"].values, claims),
                "review_status": _choice(rng, review, claims, review_weights),
                "penalty": pl.Series(penalty),
                "amount_value": pl.Series(rng.integers(10, 5000, claims) * 10_000.0),
            }
        )
        .with_columns(
            pl.lit("day").alias("evidence_date_precision"),
            pl.format("Synthetic finding {}.", pl.col("evidence_id")).alias("quote"),
            pl.lit("en").alias("quote_lang"),
            pl.format("Synthetic finding {}.", pl.col("evidence_id")).alias("quote_en"),
            pl.lit("verbatim").alias("quote_kind"),
            pl.lit("original").alias("quote_en_origin"),
            pl.format("Synthetic documented fact {}.", pl.col("evidence_id")).alias("summary"),
            pl.when(pl.col("penalty")).then(pl.col("amount_value")).alias("amount"),
            pl.when(pl.col("penalty")).then(pl.lit("USD")).alias("amount_currency"),
            pl.when(pl.col("penalty")).then(pl.lit("penalty")).alias("amount_kind"),
            pl.lit("Synthetic row.").alias("review_note"),
        )
        .drop("penalty", "amount_value")
    )

    # Links: claim at sorted position p links to the evidence at p, p+1, ... within its
    # company's run of positions, so every link joins a claim and evidence of one company.
    start = np.searchsorted(company_sorted, company_sorted, side="left")
    end = np.searchsorted(company_sorted, company_sorted, side="right")
    size = end - start
    positions = np.arange(claims)
    link_frames = []
    for j in range(links_per_claim):
        target = start + (positions - start + j) % size
        link_frames.append(
            pl.DataFrame(
                {
                    "claim_position": positions,
                    "evidence_position": target,
                    "keep": (j < size),
                }
            )
        )
    links = pl.concat(link_frames).filter(pl.col("keep"))
    relation_draw = rng.random(links.height)
    links_frame = links.select(
        pl.format("syn-cl-{}", pl.col("claim_position").cast(pl.String).str.zfill(9)).alias(
            "claim_id"
        ),
        pl.format("syn-ev-{}", pl.col("evidence_position").cast(pl.String).str.zfill(9)).alias(
            "evidence_id"
        ),
    ).with_columns(
        pl.when(pl.Series(relation_draw) < 0.6)
        .then(pl.lit("refutes"))
        .when(pl.Series(relation_draw) < 0.8)
        .then(pl.lit("supports"))
        .otherwise(pl.lit("context"))
        .alias("relation"),
        _choice(rng, FIELDS["confidence"].values, links.height).alias("confidence"),
        pl.lit("Synthetic link.").alias("rationale"),
    )

    frames = {
        "sources": sources,
        "companies": companies_frame,
        "claims": claims_frame,
        "evidence": evidence_frame,
        "claim_evidence": links_frame,
    }
    return {
        name: frame.with_columns(
            pl.lit(RECORDED_ON).alias("recorded_on"), pl.lit(True).alias("is_synthetic")
        )
        for name, frame in frames.items()
    }


def write_feed(datasets: Path, frames: dict[str, pl.DataFrame]) -> list[Path]:
    written = []
    for table, frame in frames.items():
        path = datasets / "feeds" / table / "synthetic.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(path, compression="zstd", statistics=False)
        written.append(path)
    return written
