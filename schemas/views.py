"""The public views and macros of the DuckDB file, declared with typed columns.

Their SQL is in `transforms/sql/`; this is what they return. The comments on every view column,
the Parquet schemas of the view snapshots, their entries in `datapackage.json` and the data
dictionary are generated from here, and a test compares the built views with these columns.
Shared columns reuse the registry's field (one description, one type)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from schemas.registry import FIELDS, PUBLISHED_TABLES, Field, ForeignKey
from schemas.types import BOOLEAN, DATE, INTEGER, NUMBER, STRING

# A view column can hold a list of ids.
STRING_LIST = "list<string>"

STATUSES: dict[str, str] = {
    "contradicted": "a confirmed claim, refuted, with a gap at or above the threshold, and "
    "nothing supports it",
    "questioned": "a confirmed claim, refuted, with a gap below the threshold",
    "disputed": "a confirmed claim, both refuted and supported",
    "unconfirmed": "evidence bears against the claim, but the claim itself needs confirming: "
    "the package does not hold the company's own words (no wording, or only a paraphrase or a "
    "back-translation), or what it rests on could not be sourced",
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
CLOCKS: dict[str, str] = {
    "published": "what had been published anywhere by the as-of date, by the records' and "
    "their sources' own dates (public_from), as the package knows it today",
    "released": "what this package had itself released by the as-of date (releases)",
}
RELAYS: dict[str, str] = {
    "first_hand": "the speaker's own publication",
    "read_at_second_hand": "read only in someone else's report (review status secondary_only)",
    **{kind: "relayed by a source of this type" for kind in FIELDS["source_type"].enum or {}},
}
CLAIM_WORDINGS: dict[str, str] = {
    **(FIELDS["quote_kind"].enum or {}),
    "none": "no wording is recorded",
}


def _column(name: str, type_: str, description: str, enum: dict | None = None) -> Field:
    return Field(name=name, type=type_, description=description, enum=enum)


def _shared(name: str, as_name: str | None = None, description: str | None = None) -> Field:
    declared = replace(FIELDS[name], required=False, derived=False)
    return replace(declared, name=as_name or name, description=description or declared.description)


_AS_OF = _column(
    "as_of",
    DATE,
    "The as-of date the score was computed for; in the current views (and their Parquet "
    "snapshots), the package's data date: everything it held then.",
)
_CLOCK = _column(
    "clock",
    STRING,
    "The clock the as-of date was read on (published by default); published when as_of is NULL, "
    "since what the package holds now is the same on either clock.",
    CLOCKS,
)
_METHOD_VERSION = _column(
    "method_version", STRING, "Version of the scoring method (docs/methodology.md)."
)
_FINGERPRINT = _column(
    "weights_fingerprint",
    STRING,
    "MD5 of every row of score_weights: equal fingerprints, equal weights.",
)
_SCORED = (_AS_OF, _CLOCK, _METHOD_VERSION, _FINGERPRINT)


@dataclass(frozen=True)
class View:
    name: str
    description: str
    columns: tuple[Field, ...]
    # The order of the Parquet snapshot's rows (and the view's own ORDER BY).
    order_by: tuple[str, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    # The macro call that computes the view from the records (its live form); empty for a view
    # written in SQL (quotes). Such views are stored at build time (transforms/store.py).
    computed_by: str = ""
    # Whether its numbers depend on score_weights.
    weighted: bool = True
    # The call the build stores a computed view with: its macro without the checks of its
    # arguments, which are the build's own (each check costs DuckDB milliseconds to plan); for
    # company_gap, one that reads the claim rows the build has just stored, as computed_by does
    # while the weights are unchanged, without planning how those are computed from the
    # records. {companies} stands for the SQL list expression of the companies stored at a time.
    built_by: str = ""

    def built_for(self, companies: str) -> str:
        """The macro call the build stores the rows of `companies` with."""
        return self.built_by.format(companies=companies)

    def column(self, name: str) -> Field:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


LINK_SCORES = View(
    "link_scores",
    "One row per link between a claim and a piece of evidence: every factor of its strength, "
    "whether it counted or was merged into a piece resting on the same primary material, and "
    "what it adds. claim_gap is computed from these rows alone.",
    (
        _shared("claim_id"),
        _shared("evidence_id"),
        _shared("company_id", description="The claim's company."),
        _shared("relation"),
        _shared("confidence"),
        _shared("voice"),
        _shared("source_id", "read_in_source_id", "The source the evidence was read in."),
        _shared("source_type", "read_in_source_type", "That source's type."),
        _shared(
            "source_id",
            "counts_as_source_id",
            "The primary material or original source the piece rests on: pieces resting on the "
            "same one count once per claim and relation.",
        ),
        _shared(
            "effective_review_status",
            "evidence_review_status",
            "The evidence's effective review status.",
        ),
        _column(
            "relay",
            STRING,
            "How the evidence reached the package: first_hand, read_at_second_hand, or the type "
            "of the source that relayed it.",
            RELAYS,
        ),
        _column("voice_weight", NUMBER, "score_weights: voice, at the evidence's voice."),
        _column("relay_weight", NUMBER, "score_weights: relay, at relay."),
        _column(
            "confidence_weight", NUMBER, "score_weights: confidence, at the link's confidence."
        ),
        _column(
            "certainty_weight",
            NUMBER,
            "score_weights: certainty, at the evidence's effective review status.",
        ),
        _column("relation_weight", NUMBER, "score_weights: relation, at the link's relation."),
        _column("decay", NUMBER, "Time decay: 1 unless time_decay.half_life_days is set."),
        _column(
            "strength",
            NUMBER,
            "voice x relay x confidence x certainty x relation x decay, within 0 and 1; 0 for "
            "context, which is shown, not scored.",
        ),
        _column(
            "counted",
            BOOLEAN,
            "True for the strongest piece on its primary material for this claim and relation; "
            "false for context and for merged pieces.",
        ),
        _column(
            "merged_into",
            STRING,
            "For a merged piece, the evidence that counted instead; empty otherwise.",
        ),
        _column("merged_because", STRING, "Why the piece was merged, in words."),
        _column(
            "counted_strength",
            NUMBER,
            "What the link adds to the noisy-OR: its strength when counted, else 0.",
        ),
        *_SCORED,
    ),
    ("company_id", "claim_id", "relation", "counted_strength desc", "evidence_id"),
    primary_key=("claim_id", "evidence_id"),
    computed_by="link_scores_as_of(NULL)",
    built_by="link_scores_unchecked(NULL, {companies}, 'published')",
    foreign_keys=(
        ForeignKey(("claim_id",), "claims", ("claim_id",)),
        ForeignKey(("evidence_id",), "evidence", ("evidence_id",)),
        ForeignKey(("company_id",), "companies", ("company_id",)),
    ),
)

CLAIM_GAP = View(
    "claim_gap",
    "One row per claim: the evidence that refutes, supports or gives context to it, how sure the "
    "package is of the claim itself, and its gap score. Computed from link_scores; the same as "
    "claim_gap_as_of(NULL).",
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
            "claim_wording",
            STRING,
            "Whose words the claim's quote holds (its quote_kind), or none when no wording is "
            "recorded.",
            CLAIM_WORDINGS,
        ),
        _shared(
            "effective_review_status",
            "claim_review_status",
            "The claim's effective review status: the weakest of its own and its sources'.",
        ),
        _column(
            "claim_certainty",
            NUMBER,
            "How sure the package is of the claim itself, 0 to 1: the claim_wording weight times "
            "the claim_review weight.",
        ),
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
            "Noisy-OR of the counted refuting links' strengths in link_scores, 0 to 1: "
            "1 - product(1 - counted_strength); pieces on the same primary material count once.",
        ),
        _column(
            "support_strength",
            NUMBER,
            "Noisy-OR of the counted supporting links' strengths, 0 to 1.",
        ),
        _column(
            "gap_score",
            NUMBER,
            "100 x contradiction_strength x (1 - support offset x support_strength) x "
            "claim_certainty, rounded to one decimal; 0 when nothing refutes the claim.",
        ),
        _column(
            "status", STRING, "What the evidence does to the claim (see the values).", STATUSES
        ),
        _column(
            "refuting_evidence_ids",
            STRING_LIST,
            "Ids of the refuting evidence, counted pieces strongest first.",
        ),
        _column(
            "supporting_evidence_ids",
            STRING_LIST,
            "Ids of the supporting evidence, counted pieces strongest first.",
        ),
        _column("context_evidence_ids", STRING_LIST, "Ids of the context evidence, by id."),
        *_SCORED,
    ),
    ("company_id", "claim_date", "claim_id"),
    primary_key=("claim_id",),
    computed_by="claim_gap_as_of(NULL)",
    built_by="claim_gap_unchecked(NULL, {companies}, 'published')",
    foreign_keys=(
        ForeignKey(("claim_id",), "claims", ("claim_id",)),
        ForeignKey(("company_id",), "companies", ("company_id",)),
    ),
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
            "unconfirmed_claims",
            INTEGER,
            "Of those, claims evidence bears against whose own wording or sources need confirming.",
        ),
        _column(
            "gap_score",
            NUMBER,
            "Mean gap_score of this company's tested claims, 0 to 100, rounded to one decimal; "
            "empty when none is tested.",
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
            "group_gap_score",
            NUMBER,
            "Mean gap_score of the group's tested claims, 0 to 100, rounded to one decimal.",
        ),
        _column("group_band", STRING, "The band of group_gap_score.", BANDS),
        *_SCORED,
    ),
    ("group_gap_score desc nulls last", "gap_score desc nulls last", "company_id"),
    primary_key=("company_id",),
    foreign_keys=(ForeignKey(("company_id",), "companies", ("company_id",)),),
    computed_by="company_gap_as_of(NULL)",
    built_by="company_gap_unchecked(NULL, {companies}, 'published', 'stored')",
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
        _shared("quote_kind"),
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
        _shared("effective_review_status"),
        _shared("retracted_on"),
        _shared("source_id"),
        _shared("publisher", "source_publisher"),
        _shared("title", "source_title"),
        _shared("url", "source_url"),
        _shared("archived_url", "source_archived_url"),
    ),
    ("company_id", "item_date nulls last", "item_kind", "item_id"),
    primary_key=("company_id", "item_kind", "item_id"),
    computed_by="timeline_from_records(NULL)",
    built_by="timeline_unchecked({companies}, NULL, 'published')",
    weighted=False,
    foreign_keys=(ForeignKey(("company_id",), "companies", ("company_id",)),),
)

QUOTES = View(
    "quotes",
    "Every quote in the package, claims, evidence and replies alike, with whose words it holds "
    "and a link to follow, ready to paste into a story. Only company_own_words rows are the "
    "company's own words.",
    (
        _column("table_name", STRING, "The table the quote is in: claims, evidence or responses."),
        _column("record_id", STRING, "The record's id in that table."),
        _shared("company_id"),
        _shared(
            "voice",
            description="Who speaks: company for claims and replies, the evidence's voice for "
            "evidence.",
        ),
        _shared("quote"),
        _shared("quote_lang"),
        _shared("quote_kind"),
        _shared("quote_en"),
        _shared("quote_en_origin"),
        _column(
            "said_on",
            STRING,
            "The record's date as a person writes it, as precisely as it is known (15 March "
            "2023, March 2023, 2023), or undated.",
        ),
        _shared("source_id"),
        _column(
            "citable_url",
            STRING,
            "A link to cite: the source's url, else its archived url, else the url of the "
            "original it translates or reports on.",
        ),
        _shared("effective_review_status"),
        _column(
            "company_own_words",
            BOOLEAN,
            "True only for the company's own words: a verbatim quote in the company's voice.",
        ),
        _shared("retracted_on"),
    ),
    ("company_id", "table_name", "record_id"),
    primary_key=("table_name", "record_id"),
    foreign_keys=(ForeignKey(("company_id",), "companies", ("company_id",)),),
)

VIEWS: dict[str, View] = {
    v.name: v for v in (LINK_SCORES, CLAIM_GAP, COMPANY_GAP, TIMELINE, QUOTES)
}

MACROS: dict[str, str] = {
    "link_scores_as_of": "link_scores from what was known on as_of (a DATE, or text naming one; "
    "NULL: everything), on clock := 'published' (the default) or 'released' (anything else, NULL "
    "included, is an error); companies := ['id', ...] keeps only their claims' links.",
    "claim_gap_as_of": "claim_gap from what was known on as_of on a clock (as link_scores_as_of); "
    "companies := ['id', ...] scores only those companies' claims, in milliseconds. A date on "
    "which nothing about them was known is an error naming the first day something was.",
    "company_gap_as_of": "company_gap from what was known on as_of on a clock; companies := "
    "['id', ...] computes only their rows. A date on which no claim of theirs was known is an "
    "error, as in claim_gap_as_of.",
    "timeline_of": "timeline for the companies listed (NULL: all), unordered; as_of := and "
    "clock := give the story as known on a date. Without as_of it reads the story stored at "
    "build time: the fast way to read one company's story. as_of must be known before the "
    "query runs (a date, current_date, getvariable(...) or NULL), not a subquery or a column.",
    "timeline_from_records": "timeline_of told from the records every time, with the same "
    "arguments; as_of may be any expression, such as another table's date column.",
    "link_scores_unchecked": "link_scores_as_of without the checks of its arguments (clock, "
    "companies held, no temporary table hiding the package's), with all three arguments given: "
    "the building block of claim_gap_as_of, and what the build stores link_scores with. Call "
    "link_scores_as_of.",
    "claim_gap_unchecked": "claim_gap_as_of without the checks of its arguments, for "
    "company_gap_as_of and the build's stored claim_gap. Call claim_gap_as_of.",
    "company_gap_unchecked": "company_gap_as_of without the checks of its arguments, with a "
    "fourth, claims_from: 'stored' reads the stored claim_gap rows (the build's), NULL scores "
    "the claims as claim_gap_as_of does. Call company_gap_as_of.",
    "timeline_unchecked": "timeline_from_records without the checks of its arguments, for "
    "timeline_of and the build's stored story. Call timeline_from_records.",
    "known_rows": "The rows of a versioned table ('claims', ...) known on as_of on a clock, "
    "without their history columns. Their effective_review_status is today's: on the released "
    "clock, released_review gives the one a release published where it differs.",
    "released_review": "On a date on the released clock, (table_name, record_id, "
    "effective_review_status) for each record of 'claims', 'evidence', 'responses' or "
    "'claim_evidence' (record_id 'claim_id/evidence_id'; NULL: all four) whose status, worked out "
    "from the versions the release then current held, differs from today's (a correction of it, "
    "or of a source it rests on, came later); empty otherwise. The score macros and timeline_of "
    "read it.",
    "released_as_of": "The date the groups and sources behind a score are read on: as_of on the "
    "released clock, NULL (today's) on the published one.",
    "company_group_members": "Every (group_company_id, member_company_id) pair: a company and "
    "everything below it through parent_company_id, from a table of companies.",
    "company_group_top": "Every company with the top of its group (itself when it has no "
    "parent), from a table of companies.",
    "source_origins": "Every source with the source at the end of its based_on_source_id chain.",
    "first_hand": "Whether a voice speaks first-hand in a source of a given type.",
    "date_period_end": "The last day of the period a date with its precision stands for.",
    "date_in_words": "A date as a person writes it, as precisely as it is known.",
    "version_current_on": "Whether a version valid from valid_from until valid_to (exclusive; "
    "empty: still current) was the current one on as_of.",
    "review_rank": "A review status as a rank: 4 verified down to 1 needs_review.",
    "review_status_of_rank": "The review status of a rank.",
    "score_method_version": "The version of the scoring method.",
    "score_weights_fingerprint": "MD5 of every row of score_weights, as the scored rows carry it.",
    "gap_band": "The band (untested, low, moderate, high, severe) of a gap score, given the "
    "band thresholds.",
}


def declared_order(name: str) -> tuple[str, ...]:
    """The order a published table's or view's rows are kept in, in its files and its view:
    a view's declared ORDER BY terms, a table's key."""
    return VIEWS[name].order_by if name in VIEWS else PUBLISHED_TABLES[name].primary_key
