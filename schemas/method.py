"""The scoring method's declarations: its version, every weight with the reason for it, and the
columns of the public views. The `score_weights` table, the comments on every view column and
the tables in `docs/methodology.md` and `docs/data-dictionary.md` are generated from here.

The formula itself is SQL, in `transforms/sql/`; `docs/methodology.md` explains it."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.registry import FIELDS

# Bump the major part when the formula changes, the minor part when a default weight changes.
METHOD_VERSION = "1.0"


@dataclass(frozen=True)
class Weight:
    factor: str
    level: str
    weight: float | None
    why: str


_SOURCE_TYPE_WEIGHTS = {
    "regulator_action": (0.9, "a formal finding with legal consequences, open to challenge"),
    "court_action": (0.9, "a filing or judgment made under the rules of a court"),
    "company_report": (0.9, "the company's own admission, in a report it published"),
    "company_statement": (0.9, "the company's own admission, in its own words"),
    "company_marketing": (0.9, "the company's own material shows what it sold"),
    "government_list": (0.8, "an official listing; its reasons are often not stated in full"),
    "leaked_document": (0.8, "primary material, but its provenance is harder to check"),
    "investigative_journalism": (0.7, "original reporting from documents, recordings or visits"),
    "research_report": (0.6, "NGO or academic research; methods vary"),
    "news_report": (0.5, "relays what others found; one step from the original"),
    "legal_commentary": (0.5, "a law firm's summary of an action; one step from the original"),
}
_CONFIDENCE_WEIGHTS = {
    "high": (1.0, "the evidence speaks directly to what the claim says"),
    "medium": (0.6, "a step of inference is needed; it counts a little over half"),
    "low": (0.3, "suggestive only; several low links are needed to move a score far"),
}
_REVIEW_WEIGHTS = {
    "verified": (1.0, "read in the cited source in full"),
    "partially_verified": (0.8, "the cited source was read only in part"),
    "secondary_only": (0.6, "known only through a secondary report or a mirror"),
    "needs_review": (0.3, "a field could not be sourced; kept, but counts little until checked"),
}

WEIGHTS: tuple[Weight, ...] = (
    *(Weight("source_type", k, w, why) for k, (w, why) in _SOURCE_TYPE_WEIGHTS.items()),
    *(Weight("confidence", k, w, why) for k, (w, why) in _CONFIDENCE_WEIGHTS.items()),
    *(Weight("review_status", k, w, why) for k, (w, why) in _REVIEW_WEIGHTS.items()),
    Weight("relation", "refutes", 1.0, "scales every refuting link; 1 leaves them as they are"),
    Weight("relation", "supports", 1.0, "scales every supporting link; 1 leaves them as they are"),
    Weight(
        "support",
        "offset",
        0.5,
        "how far support can pull a contradicted claim's gap down: at 0.5, support as strong "
        "as possible halves the gap; it never removes a documented contradiction",
    ),
    Weight(
        "time_decay",
        "half_life_days",
        None,
        "off when empty. When set, a link's strength halves for every this many days between "
        "the evidence date and the as-of date (the data date in the views)",
    ),
    Weight(
        "status",
        "contradicted_min_gap",
        50.0,
        "a claim with refuting and no supporting evidence is 'contradicted' at this gap_score "
        "or above and 'questioned' below it",
    ),
    Weight("band", "moderate", 25.0, "company gap_score from which the band is 'moderate'"),
    Weight("band", "high", 50.0, "company gap_score from which the band is 'high'"),
    Weight("band", "severe", 75.0, "company gap_score from which the band is 'severe'"),
)

SCORE_WEIGHTS_TABLE = {
    "description": "Every weight the gap score uses, with why. UPDATE a weight and the views "
    "follow; weights_fingerprint in each view says which weights made a score.",
    "columns": {
        "factor": "What the weight applies to: source_type, confidence, review_status, "
        "relation, support, time_decay, status or band.",
        "level": "The value of the factor it applies to (regulator_action, high, verified, ...) "
        "or the name of a setting.",
        "weight": "The weight (0 to 1) or the setting's value; empty switches a setting off. A "
        "missing weight counts as 0.",
        "description": "Why the weight has this value.",
    },
}

_CLAIM_GAP_COLUMNS = {
    "claim_id": FIELDS["claim_id"].description,
    "company_id": FIELDS["company_id"].description,
    "company_name": FIELDS["name"].description,
    "claim_date": FIELDS["claim_date"].description,
    "claim_date_precision": FIELDS["claim_date_precision"].description,
    "topic": FIELDS["topic"].description,
    "claim_type": FIELDS["claim_type"].description,
    "summary": "The claim's one-line summary.",
    "refuting_evidence_count": "Refuting links to evidence known at the as-of date.",
    "supporting_evidence_count": "Supporting links to evidence known at the as-of date.",
    "context_evidence_count": "Context links (shown, not scored).",
    "contradiction_strength": "Noisy-OR of the refuting links' strengths, 0 to 1: "
    "1 - product(1 - strength), one strength per original source.",
    "support_strength": "Noisy-OR of the supporting links' strengths, 0 to 1.",
    "gap_score": "100 x contradiction_strength x (1 - support offset x support_strength), "
    "rounded to one decimal; 0 when nothing refutes the claim.",
    "status": "contradicted (refuted, gap at or above the threshold), questioned (refuted, "
    "below it), disputed (refuted and supported), supported, or unverified (neither).",
    "refuting_evidence_ids": "Ids of the refuting evidence, strongest first.",
    "supporting_evidence_ids": "Ids of the supporting evidence, strongest first.",
    "context_evidence_ids": "Ids of the context evidence, by id.",
    "as_of": "The as-of date the score was computed for; empty in the current views.",
    "method_version": "Version of the scoring method (docs/methodology.md).",
    "weights_fingerprint": "MD5 of every row of score_weights: equal fingerprints, equal weights.",
}

_COMPANY_GAP_COLUMNS = {
    "company_id": FIELDS["company_id"].description,
    "company_name": FIELDS["name"].description,
    "parent_company_id": FIELDS["parent_company_id"].description,
    "claims": "Claims by this company alone.",
    "tested_claims": "Of those, claims with refuting or supporting evidence.",
    "contradicted_claims": "Of those, claims whose status is contradicted.",
    "gap_score": "Mean gap_score of this company's tested claims, 0 to 100; empty when none "
    "is tested.",
    "max_claim_gap_score": "The highest gap_score among this company's claims.",
    "band": "untested, low, moderate, high or severe, from gap_score and the band weights.",
    "group_companies": "Companies in the group: this one and every subsidiary and affiliate "
    "below it through parent_company_id.",
    "group_claims": "Claims by any company in the group.",
    "group_tested_claims": "Of those, claims with refuting or supporting evidence.",
    "group_contradicted_claims": "Of those, claims whose status is contradicted.",
    "group_gap_score": "Mean gap_score of the group's tested claims, 0 to 100.",
    "group_band": "The band of group_gap_score.",
    "as_of": _CLAIM_GAP_COLUMNS["as_of"],
    "method_version": _CLAIM_GAP_COLUMNS["method_version"],
    "weights_fingerprint": _CLAIM_GAP_COLUMNS["weights_fingerprint"],
}

_TIMELINE_COLUMNS = {
    "company_id": "The company the item is about.",
    "group_company_id": "The top of the company's group (itself when it has no parent), to read "
    "a parent's story with its affiliates'.",
    "item_date": "The item's date (claim_date, evidence_date or response_date).",
    "item_date_precision": "Precision of item_date: day, month or year.",
    "item_kind": "claim, evidence or response.",
    "item_id": "claim_id, evidence_id or response_id.",
    "item_type": "claim_type, evidence_type or response_type.",
    "summary": "The item's one-line summary.",
    "quote": FIELDS["quote"].description,
    "quote_lang": FIELDS["quote_lang"].description,
    "quote_en": FIELDS["quote_en"].description,
    "refutes_claim_ids": "For evidence: the claims it refutes. For a claim: empty.",
    "refuted_by_evidence_ids": "For a claim: the evidence that refutes it. Otherwise empty.",
    "responds_to_id": "For a response: the claim or evidence it answers.",
    "review_status": FIELDS["review_status"].description,
    "retracted_on": FIELDS["retracted_on"].description,
    "source_id": FIELDS["source_id"].description,
    "source_publisher": FIELDS["publisher"].description,
    "source_title": FIELDS["title"].description,
    "source_url": FIELDS["url"].description,
    "source_archived_url": FIELDS["archived_url"].description,
}

VIEWS: dict[str, dict] = {
    "claim_gap": {
        "description": "One row per claim: the evidence that refutes, supports or gives context "
        "to it, and its gap score. Same as claim_gap_as_of(NULL).",
        "columns": _CLAIM_GAP_COLUMNS,
    },
    "company_gap": {
        "description": "One row per company: its claims, how many are contradicted, and its gap "
        "score and band, for the company alone and for its group.",
        "columns": _COMPANY_GAP_COLUMNS,
    },
    "timeline": {
        "description": "Claims, evidence and responses of each company in date order, with their "
        "sources, for reading a case as a story.",
        "columns": _TIMELINE_COLUMNS,
    },
}

MACROS = {
    "claim_gap_as_of": "claim_gap computed from what was dated and recorded on or before as_of "
    "(a DATE); NULL means everything. companies := ['id', ...] scores only those companies' "
    "claims, in milliseconds.",
    "company_gap_as_of": "company_gap computed from what was dated and recorded on or before "
    "as_of; NULL means everything. companies := ['id', ...] computes only their rows.",
    "timeline_of": "timeline for the companies listed (NULL: all), unordered; the fast way to "
    "read one company's story.",
    "date_period_end": "The last day of the period a date with its precision stands for.",
    "score_method_version": "The version of the scoring method.",
    "score_weights_fingerprint": "MD5 of every row of score_weights, as the scored rows carry it.",
    "gap_band": "The band (untested, low, moderate, high, severe) of a gap score, given the "
    "band thresholds.",
}
