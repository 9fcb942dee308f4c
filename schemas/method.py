"""The scoring method's declarations: its version and every weight with the reason for it. The
`score_weights` table and the weights tables in `docs/methodology.md` and
`docs/data-dictionary.md` are generated from here.

The formula itself is SQL, in `transforms/sql/`; `docs/methodology.md` explains it; the views
it produces are declared in `schemas/views.py`."""

from __future__ import annotations

from dataclasses import dataclass

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
