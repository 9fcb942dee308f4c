"""The scoring method's declarations: its version and every weight with the reason for it. The
`score_weights` table and the weights tables in `docs/methodology.md` and
`docs/data-dictionary.md` are generated from here.

The formula itself is SQL, in `transforms/sql/`; `docs/methodology.md` explains it; the views
it produces are declared in `schemas/views.py`."""

from __future__ import annotations

from dataclasses import dataclass

# Bump the major part when the formula changes, the minor part when a default weight or a
# status rule changes.
METHOD_VERSION = "2.1"


@dataclass(frozen=True)
class Weight:
    factor: str
    level: str
    weight: float | None
    why: str


# Who speaks in the evidence.
_VOICE = {
    "company": (
        1.0,
        "the company's own words or material, against its own claim: the hardest to dispute",
    ),
    "company_agent": (
        0.9,
        "its employee, the counsel or auditor it hired, its own review: speaking for it, not as it",
    ),
    "court": (0.9, "a court's judgment or order, made under the rules of a court"),
    "government": (
        0.9,
        "a regulator's order, an official list or rule: a formal act, open to challenge",
    ),
    "third_party": (
        0.7,
        "journalists, researchers, NGOs: one organisation's reading of documents, "
        "recordings or visits",
    ),
}
# How the words reached the package: first-hand, or relayed by a source of this type.
_RELAY = {
    "first_hand": (
        1.0,
        "the speaker's own publication: the company's report, the regulator's "
        "order, the journalist's own investigation",
    ),
    "read_at_second_hand": (
        1.0,
        "evidence saydo read only in someone else's report is "
        "discounted once, by its review status (secondary_only), not twice",
    ),
    "investigative_journalism": (
        0.85,
        "relayed by investigative reporting that obtained the material itself",
    ),
    "leaked_document": (0.85, "relayed in leaked material"),
    "research_report": (0.8, "relayed by an NGO's or researchers' report"),
    "company_report": (0.9, "relayed in the company's own report"),
    "company_statement": (0.9, "relayed in the company's own statement"),
    "company_marketing": (0.9, "relayed in the company's own material"),
    "regulator_action": (0.9, "relayed in a regulator's document"),
    "court_action": (0.9, "relayed in a court's document"),
    "government_list": (0.9, "relayed in an official list"),
    "legislative_report": (0.9, "relayed in a parliamentary or congressional committee's report"),
    "reference_work": (
        0.5,
        "relayed by an encyclopedia or reference database: far from the original, and open to "
        "editing",
    ),
    "news_report": (0.7, "relayed by a news story: one step from the original"),
    "legal_commentary": (0.7, "relayed by a law firm's summary: one step from the original"),
}
_CONFIDENCE = {
    "high": (1.0, "the evidence speaks directly to what the claim says"),
    "medium": (0.6, "a step of inference is needed; it counts a little over half"),
    "low": (0.3, "suggestive only; several low links are needed to move a score far"),
}
# How well the evidence was checked: its effective review status (the weakest of its own and
# every source it rests on).
_CERTAINTY = {
    "verified": (1.0, "everything it rests on was read in full"),
    "partially_verified": (0.8, "something it rests on was read only in part"),
    "secondary_only": (0.6, "known only through someone else's report"),
    "needs_review": (
        0.3,
        "something it rests on could not be sourced; counts little until checked",
    ),
}
# How sure the package is of the claim itself: whose words it holds, and how well it was checked.
_CLAIM_WORDING = {
    "verbatim": (1.0, "the company's own words, in the language it used"),
    "translation": (1.0, "the company's words, as a source translated them"),
    "paraphrase": (
        0.8,
        "a source's account of what the company said, not its words: never scored contradicted",
    ),
    "back_translation": (
        0.8,
        "words reconstructed from a translation, not the company's: never scored contradicted",
    ),
    "headline": (
        0.6,
        "a publication's headline about what the company said: never scored contradicted",
    ),
    "none": (
        0.5,
        "no wording is recorded (an implied representation, a claim known only as "
        "described): the claim is never scored contradicted",
    ),
}
_CLAIM_REVIEW = {
    "verified": (1.0, "the claim was read in full in everything it rests on"),
    "partially_verified": (0.9, "something the claim rests on was read only in part"),
    "secondary_only": (0.8, "the claim is known only through someone else's report"),
    "needs_review": (0.5, "the claim could not be sourced in full: never scored contradicted"),
}

WEIGHTS: tuple[Weight, ...] = (
    *(Weight("voice", k, w, why) for k, (w, why) in _VOICE.items()),
    *(Weight("relay", k, w, why) for k, (w, why) in _RELAY.items()),
    *(Weight("confidence", k, w, why) for k, (w, why) in _CONFIDENCE.items()),
    *(Weight("certainty", k, w, why) for k, (w, why) in _CERTAINTY.items()),
    *(Weight("claim_wording", k, w, why) for k, (w, why) in _CLAIM_WORDING.items()),
    *(Weight("claim_review", k, w, why) for k, (w, why) in _CLAIM_REVIEW.items()),
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
        "a confirmed claim with refuting and no supporting evidence is 'contradicted' at this "
        "gap_score or above and 'questioned' below it",
    ),
    Weight("band", "moderate", 25.0, "company gap_score from which the band is 'moderate'"),
    Weight("band", "high", 50.0, "company gap_score from which the band is 'high'"),
    Weight("band", "severe", 75.0, "company gap_score from which the band is 'severe'"),
)
