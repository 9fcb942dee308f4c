"""The public views and macros of the DuckDB file, declared with typed columns.

Their SQL is in `transforms/sql/`; this is what they return. The comments on every view column,
the Parquet schemas of the view snapshots, their entries in `datapackage.json` and the data
dictionary are generated from here, and a test compares the built views with these columns.
Shared columns reuse the registry's field (one description, one type)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from schemas.registry import FIELDS, Field
from schemas.types import DATE, INTEGER, NUMBER, STRING

# A view column can hold a list of ids.
STRING_LIST = "list<string>"

STATUSES: dict[str, str] = {
    "contradicted": "refuted, with a gap at or above the threshold, and nothing supports it",
    "questioned": "refuted, with a gap below the threshold",
    "disputed": "both refuted and supported",
    "supported": "only supported",
    "unverified": "neither refuted nor supported by recorded evidence",
}
BANDS: dict[str, str] = {
    "untested": "no tested claim",
    "low": "gap score below the moderate threshold",
    "moderate": "from the moderate threshold",
    "high": "from the high threshold",
    "severe": "from the severe threshold",
}
ITEM_KINDS: dict[str, str] = {
    "claim": "something the company said",
    "evidence": "something documented",
    "response": "the company's reply",
}


def _column(name: str, type_: str, description: str, enum: dict | None = None) -> Field:
    return Field(name=name, type=type_, description=description, enum=enum)


def _shared(name: str, as_name: str | None = None, description: str | None = None) -> Field:
    declared = replace(FIELDS[name], required=False, derived=False)
    return replace(declared, name=as_name or name, description=description or declared.description)


_AS_OF = _column(
    "as_of", DATE, "The as-of date the score was computed for; empty in the current views."
)
_METHOD_VERSION = _column(
    "method_version", STRING, "Version of the scoring method (docs/methodology.md)."
)
_FINGERPRINT = _column(
    "weights_fingerprint",
    STRING,
    "MD5 of every row of score_weights: equal fingerprints, equal weights.",
)


@dataclass(frozen=True)
class View:
    name: str
    description: str
    columns: tuple[Field, ...]
    # The order of the Parquet snapshot's rows (and the view's own ORDER BY).
    order_by: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


CLAIM_GAP = View(
    "claim_gap",
    "One row per claim: the evidence that refutes, supports or gives context to it, and its gap "
    "score. Same as claim_gap_as_of(NULL).",
    (
        _shared("claim_id"),
        _shared("company_id"),
        _shared("name", "company_name"),
        _shared("claim_date"),
        _shared("claim_date_precision"),
        _shared("topic"),
        _shared("claim_type"),
        _shared("summary", description="The claim's one-line summary."),
        _column(
            "refuting_evidence_count",
            INTEGER,
            "Refuting links to evidence known at the as-of date.",
        ),
        _column(
            "supporting_evidence_count",
            INTEGER,
            "Supporting links to evidence known at the as-of date.",
        ),
        _column("context_evidence_count", INTEGER, "Context links (shown, not scored)."),
        _column(
            "contradiction_strength",
            NUMBER,
            "Noisy-OR of the refuting links' strengths, 0 to 1: 1 - product(1 - strength), one "
            "strength per original source.",
        ),
        _column("support_strength", NUMBER, "Noisy-OR of the supporting links' strengths, 0 to 1."),
        _column(
            "gap_score",
            NUMBER,
            "100 x contradiction_strength x (1 - support offset x support_strength), rounded to "
            "one decimal; 0 when nothing refutes the claim.",
        ),
        _column(
            "status",
            STRING,
            "contradicted (refuted, gap at or above the threshold), questioned (refuted, below "
            "it), disputed (refuted and supported), supported, or unverified (neither).",
            STATUSES,
        ),
        _column(
            "refuting_evidence_ids", STRING_LIST, "Ids of the refuting evidence, strongest first."
        ),
        _column(
            "supporting_evidence_ids",
            STRING_LIST,
            "Ids of the supporting evidence, strongest first.",
        ),
        _column("context_evidence_ids", STRING_LIST, "Ids of the context evidence, by id."),
        _AS_OF,
        _METHOD_VERSION,
        _FINGERPRINT,
    ),
    ("company_id", "claim_date", "claim_id"),
)

COMPANY_GAP = View(
    "company_gap",
    "One row per company: its claims, how many are contradicted, and its gap score and band, "
    "for the company alone and for its group.",
    (
        _shared("company_id"),
        _shared("name", "company_name"),
        _shared("parent_company_id"),
        _column("claims", INTEGER, "Claims by this company alone."),
        _column("tested_claims", INTEGER, "Of those, claims with refuting or supporting evidence."),
        _column("contradicted_claims", INTEGER, "Of those, claims whose status is contradicted."),
        _column(
            "gap_score",
            NUMBER,
            "Mean gap_score of this company's tested claims, 0 to 100; empty when none is tested.",
        ),
        _column(
            "max_claim_gap_score", NUMBER, "The highest gap_score among this company's claims."
        ),
        _column(
            "band",
            STRING,
            "untested, low, moderate, high or severe, from gap_score and the band weights.",
            BANDS,
        ),
        _column(
            "group_companies",
            INTEGER,
            "Companies in the group: this one and every subsidiary and affiliate below it "
            "through parent_company_id.",
        ),
        _column("group_claims", INTEGER, "Claims by any company in the group."),
        _column(
            "group_tested_claims", INTEGER, "Of those, claims with refuting or supporting evidence."
        ),
        _column(
            "group_contradicted_claims", INTEGER, "Of those, claims whose status is contradicted."
        ),
        _column(
            "group_gap_score", NUMBER, "Mean gap_score of the group's tested claims, 0 to 100."
        ),
        _column("group_band", STRING, "The band of group_gap_score.", BANDS),
        _AS_OF,
        _METHOD_VERSION,
        _FINGERPRINT,
    ),
    ("group_gap_score desc nulls last", "gap_score desc nulls last", "company_id"),
)

TIMELINE = View(
    "timeline",
    "Claims, evidence and responses of each company in date order, with their sources, for "
    "reading a case as a story.",
    (
        _column("company_id", STRING, "The company the item is about."),
        _column(
            "group_company_id",
            STRING,
            "The top of the company's group (itself when it has no parent), to read a parent's "
            "story with its affiliates'.",
        ),
        _column("item_date", DATE, "The item's date (claim_date, evidence_date or response_date)."),
        _column(
            "item_date_precision",
            STRING,
            "Precision of item_date: day, month or year.",
            FIELDS["claim_date_precision"].enum,
        ),
        _column("item_kind", STRING, "claim, evidence or response.", ITEM_KINDS),
        _column("item_id", STRING, "claim_id, evidence_id or response_id."),
        _column("item_type", STRING, "claim_type, evidence_type or response_type."),
        _column("summary", STRING, "The item's one-line summary."),
        _shared("quote"),
        _shared("quote_lang"),
        _shared("quote_en"),
        _column(
            "refutes_claim_ids",
            STRING_LIST,
            "For evidence: the claims it refutes. For a claim: empty.",
        ),
        _column(
            "refuted_by_evidence_ids",
            STRING_LIST,
            "For a claim: the evidence that refutes it. Otherwise empty.",
        ),
        _column("responds_to_id", STRING, "For a response: the claim or evidence it answers."),
        _shared("review_status"),
        _shared("retracted_on"),
        _shared("source_id"),
        _shared("publisher", "source_publisher"),
        _shared("title", "source_title"),
        _shared("url", "source_url"),
        _shared("archived_url", "source_archived_url"),
    ),
    ("company_id", "item_date nulls last", "item_kind", "item_id"),
)

VIEWS: dict[str, View] = {v.name: v for v in (CLAIM_GAP, COMPANY_GAP, TIMELINE)}

MACROS: dict[str, str] = {
    "claim_gap_as_of": "claim_gap computed from what was dated and recorded on or before as_of "
    "(a DATE); NULL means everything. companies := ['id', ...] scores only those companies' "
    "claims, in milliseconds.",
    "company_gap_as_of": "company_gap computed from what was dated and recorded on or before "
    "as_of; NULL means everything. companies := ['id', ...] computes only their rows.",
    "timeline_of": "timeline for the companies listed (NULL: all), unordered; the fast way to "
    "read one company's story.",
    "company_group_members": "Every (group_company_id, member_company_id) pair: a company and "
    "everything below it through parent_company_id, on as_of (NULL: now).",
    "company_group_top": "Every company with the top of its group (itself when it has no "
    "parent), on as_of (NULL: now).",
    "date_period_end": "The last day of the period a date with its precision stands for.",
    "version_current_on": "Whether a version valid from valid_from until valid_to (exclusive; "
    "empty: still current) was the current one on as_of.",
    "score_method_version": "The version of the scoring method.",
    "score_weights_fingerprint": "MD5 of every row of score_weights, as the scored rows carry it.",
    "gap_band": "The band (untested, low, moderate, high, severe) of a gap score, given the "
    "band thresholds.",
}
