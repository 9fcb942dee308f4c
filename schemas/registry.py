"""The one place where every column of saydo is declared.

`FIELD_SPECS` is plain data in Frictionless terms (PUDL's field registry is the model): each
field's type (a logical type or a semantic type from `schemas.types`), description and
constraints (required, enum with the meaning of each value, minimum, maximum). A field used by
several tables (`company_id`, `review_status`, ...) keeps one meaning everywhere.

`TABLES` lists which fields each table holds, its primary key and foreign keys. The pandera
models, DuckDB DDL and comments, the Parquet (Arrow) schema, the Frictionless table schemas and
`docs/data-dictionary.md` are all generated from here by `schemas.generate`; tests in
`tests/test_schema.py` fail if any of them disagree. How records are written by hand (the
section of a case file, how a record is named in messages) is declared apart, in `AUTHORING`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from schemas.types import (
    BOOLEAN,
    DATE,
    DATE_PRECISIONS,
    INTEGER,
    LOGICAL_TYPES,
    NUMBER,
    SEMANTIC_TYPES,
    STRING,
    SemanticType,
)


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a logical type (string, date, ...)
    description: str
    required: bool = False
    # Allowed values, each with its meaning (insertion order is the documented order).
    enum: dict[str, str] | None = None
    semantic: SemanticType | None = None
    minimum: float | None = None
    maximum: float | None = None
    # Set by saydo, never written by an author.
    derived: bool = False

    @property
    def pattern(self) -> str | None:
        return self.semantic.pattern if self.semantic else None

    @property
    def values(self) -> tuple[str, ...] | None:
        return tuple(self.enum) if self.enum else None


def _field(name: str, spec: dict) -> Field:
    kind = spec["type"]
    semantic = SEMANTIC_TYPES.get(kind)
    if semantic is None and kind not in LOGICAL_TYPES:  # pragma: no cover - guards the registry
        raise ValueError(f"field {name}: unknown type {kind!r}")
    constraints = spec.get("constraints", {})
    return Field(
        name=name,
        type=semantic.type if semantic else kind,
        description=spec["description"],
        required=constraints.get("required", False),
        enum=constraints.get("enum"),
        semantic=semantic,
        minimum=constraints.get("minimum"),
        maximum=constraints.get("maximum"),
        derived=spec.get("derived", False),
    )


def _date_pair(prefix: str, what: str, required: bool) -> dict[str, dict]:
    return {
        f"{prefix}_date": {
            "type": DATE,
            "description": f"{what}. Stored as the first day of the period its precision names: "
            f"a month-precision date of March 2023 is 2023-03-01, never an invented day.",
            "constraints": {"required": required},
        },
        f"{prefix}_date_precision": {
            "type": STRING,
            "description": f"How precise {prefix}_date is: day, month or year. Derived from how "
            f"the date was written in the case file (2023-03-15, 2023-03 or 2023).",
            "constraints": {
                "required": required,
                "enum": {
                    "day": "the exact day is known",
                    "month": "only the month is known",
                    "year": "only the year is known",
                },
            },
        },
    }


REQUIRED = {"required": True}

FIELD_SPECS: dict[str, dict] = {
    # --- identifiers -------------------------------------------------------------------------
    "company_id": {
        "type": "slug",
        "description": "Stable identifier of a company: a lowercase slug such as `hikvision`. "
        "Never changes or disappears once released.",
        "constraints": REQUIRED,
    },
    "source_id": {
        "type": "slug",
        "description": "Stable identifier of a source: a lowercase slug such as "
        "`axios-2023-04-17`.",
        "constraints": REQUIRED,
    },
    "claim_id": {
        "type": "slug",
        "description": "Stable identifier of a claim (something a company said): a lowercase slug.",
        "constraints": REQUIRED,
    },
    "evidence_id": {
        "type": "slug",
        "description": "Stable identifier of a piece of evidence (something documented): a "
        "lowercase slug.",
        "constraints": REQUIRED,
    },
    "response_id": {
        "type": "slug",
        "description": "Stable identifier of a company response: a lowercase slug.",
        "constraints": REQUIRED,
    },
    "parent_company_id": {
        "type": "slug",
        "description": "The company_id of this company's parent, for subsidiaries and "
        "affiliates; empty for a company with no recorded parent. Group figures roll up along "
        "this link.",
    },
    "based_on_source_id": {
        "type": "slug",
        "description": "The source this one translates, mirrors or reports on, when it is not "
        "itself the original (the Arabic article is a translation of an Axios report).",
    },
    "said_in_source_id": {
        "type": "slug",
        "description": "The company's own publication in which the statement was first made, "
        "when the quote was read in another source (a report finding quoted by a newspaper).",
    },
    "case_id": {
        "type": "case_id",
        "description": "The case file (`datasets/cases/<case_id>.yaml`) or feed "
        "(`feed:<name>`) the record was written in.",
        "constraints": REQUIRED,
        "derived": True,
    },
    # --- companies ---------------------------------------------------------------------------
    "name": {
        "type": "text",
        "description": "The company's name as commonly written in English sources.",
        "constraints": REQUIRED,
    },
    "country": {
        "type": "country_code",
        "description": "Country of incorporation or headquarters, ISO 3166-1 alpha-2 (CN, US, DE).",
    },
    "parent_relationship": {
        "type": STRING,
        "description": "How this company relates to its parent_company_id; empty when it has "
        "no parent.",
        "constraints": {
            "enum": {
                "subsidiary": "majority-owned or controlled by the parent",
                "affiliate": "reported as belonging to or tied to the parent, ownership share "
                "not established",
            }
        },
    },
    "lei": {
        "type": STRING,
        "description": "Legal Entity Identifier (ISO 17442): the first, by value, of the "
        "company's lei identifiers in company_identifiers, each cited there. Set by saydo.",
        "derived": True,
    },
    "isin": {
        "type": STRING,
        "description": "ISIN (ISO 6166): the first, by value, of the company's isin identifiers "
        "in company_identifiers (a company may list several shares). Set by saydo.",
        "derived": True,
    },
    "stock_ticker": {
        "type": STRING,
        "description": "A stock ticker with its exchange, as `EXCHANGE:SYMBOL` (SZSE:002415): "
        "the first, by value, of the company's ticker identifiers. Set by saydo.",
        "derived": True,
    },
    "wikidata_id": {
        "type": STRING,
        "description": "Wikidata item (Q-number): the first of the company's wikidata "
        "identifiers. Set by saydo.",
        "derived": True,
    },
    "permid": {
        "type": STRING,
        "description": "Refinitiv/LSEG PermID: the first of the company's permid identifiers. "
        "Set by saydo.",
        "derived": True,
    },
    "alt_name": {
        "type": "text",
        "description": "The company's name in another language or script, as written in the "
        "cited source.",
        "constraints": REQUIRED,
    },
    "alt_name_lang": {
        "type": "language_tag",
        "description": "BCP-47 language tag of alt_name (ar, zh-Hans).",
        "constraints": REQUIRED,
    },
    # --- sources -----------------------------------------------------------------------------
    "publisher": {
        "type": "text",
        "description": "Who published the source (Axios, US FCC, Hikvision); empty when not known.",
    },
    "title": {
        "type": "text",
        "description": "The source's title as published, in its own language; empty when not "
        "known.",
    },
    "url": {
        "type": "url",
        "description": "Where the source can be read; empty when no public address is known.",
    },
    "archived_url": {
        "type": "url",
        "description": "An archived copy of the source (web.archive.org, archive.today), when "
        "one is known.",
    },
    **_date_pair("published", "When the source was published; empty when not known", False),
    "source_lang": {
        "type": "language_tag",
        "description": "BCP-47 language tag of the source's text.",
        "constraints": REQUIRED,
    },
    "rights": {
        "type": STRING,
        "description": "What the publisher permits; empty when not established. saydo keeps "
        "only short quotes of any source, for reporting and research, each cited.",
        "constraints": {
            "enum": {
                "public_domain": "not under copyright (for example a work of the US federal "
                "government)",
                "open_licence": "published under an open licence; licence names it",
                "all_rights_reserved": "the publisher reserves its rights",
            }
        },
    },
    "licence": {
        "type": STRING,
        "description": "The open licence's SPDX identifier (CC-BY-4.0, OGL-UK-3.0), when rights "
        "is open_licence.",
        "constraints": {"pattern": r"^[A-Za-z0-9][A-Za-z0-9.+-]*$"},
    },
    "source_type": {
        "type": STRING,
        "description": "What kind of document the source is. Scoring weighs evidence by this.",
        "constraints": {
            "required": True,
            "enum": {
                "company_report": "a report the company published (annual, ESG, sustainability)",
                "company_statement": "a statement, letter or e-mail from the company",
                "company_marketing": "the company's product pages, brochures or adverts",
                "regulator_action": "an order, rule, notice or settlement of a regulator",
                "court_action": "a complaint, judgment or filing in a court",
                "government_list": "an official list (sanctions, entity, covered lists)",
                "investigative_journalism": "original reporting from documents or recordings",
                "news_report": "a news story that reports what others found or said",
                "research_report": "a report by an NGO, think tank or academic group",
                "legal_commentary": "a law firm's or legal publisher's summary of an action",
                "leaked_document": "a leaked document or recording, published as such",
                "legislative_report": "a report, hearing record or letter of a parliament's or "
                "congress's committee",
                "reference_work": "an encyclopedia article or a reference database (a register's "
                "mirror, a market-data page): for identifiers and background, not findings",
            },
        },
    },
    # --- claims, evidence and responses --------------------------------------------------------
    **_date_pair(
        "claim",
        "When the company made the statement, or first published it; empty when no source "
        "dates it (marketing known only as 'marketed as ...'), with review_note saying so",
        False,
    ),
    **_date_pair("evidence", "When the documented fact happened or was made public", True),
    **_date_pair("response", "When the company responded; empty for no reply", False),
    "topic": {
        "type": STRING,
        "description": "What the claim is about. Companies are compared within a topic.",
        "constraints": {
            "required": True,
            "enum": {
                "human_rights": "human rights, including surveillance of minorities",
                "labour_rights": "forced labour, working conditions, supply-chain labour",
                "environment": "emissions, pollution, recyclability and other environmental claims",
                "esg_investing": "claims about ESG research, screening or integration in funds",
                "governance": "compliance, oversight and conduct of the business",
            },
        },
    },
    "claim_type": {
        "type": STRING,
        "description": "What kind of statement the company made.",
        "constraints": {
            "required": True,
            "enum": {
                "denial": "the company denied an allegation",
                "commitment": "the company promised to do or not do something",
                "assertion": "the company stated something as fact",
                "report_finding": "a finding the company published in its own report or review",
                "implied_representation": "a representation a regulator or report says the "
                "company implied; no wording of the company's is quoted",
                "marketing_claim": "a claim made to sell a product or fund",
            },
        },
    },
    "evidence_type": {
        "type": STRING,
        "description": "What kind of fact the evidence documents.",
        "constraints": {
            "required": True,
            "enum": {
                "government_action": "an enforcement, listing or rule by a government body",
                "government_list": "a listing on an official list",
                "leaked_recording": "a recording obtained from inside the company",
                "procurement_record": "tenders, contracts and other procurement documents",
                "product_marketing": "the company's own product material showing what it sold",
                "investigative_finding": "a finding of an investigation from documents or visits",
                "media_report": "a report of a fact, relayed from another source",
                "context": "background that bears on a claim without proving or disproving it",
            },
        },
    },
    "quote": {
        "type": "text",
        "description": "The passage as written in the source, in its original language. Empty "
        "when the source gives no wording (an implied representation), never paraphrased into "
        "quote marks.",
    },
    "quote_lang": {
        "type": "language_tag",
        "description": "BCP-47 language tag of quote (ar, en, zh-Hans).",
    },
    "quote_en": {
        "type": "text",
        "description": "The quote in English: the quote itself when it is English, else a "
        "translation (quote_en_origin says whose).",
    },
    "quote_kind": {
        "type": STRING,
        "description": "Whose words quote holds, and how they reached the source. Only verbatim "
        "is ever shown as the speaker's own words.",
        "constraints": {
            "enum": {
                "verbatim": "the speaker's own words, in the language the speaker used",
                "translation": "the speaker's words as a source translated them into another "
                "language",
                "back_translation": "words reconstructed by translating a translation back into "
                "the speaker's language; never the speaker's words",
                "headline": "a publication's headline or title: the publisher's words, not the "
                "speaker's",
                "paraphrase": "the source's own words reporting what was said or found",
            }
        },
    },
    "quote_en_origin": {
        "type": STRING,
        "description": "Who made quote_en.",
        "constraints": {
            "enum": {
                "original": "quote is in English; quote_en repeats it",
                "source_translation": "a translation published by a source",
                "saydo_translation": "translated by the saydo project; check against the original",
                "saydo_back_translation": "saydo's English from a translation of words first "
                "said in English: a reconstruction, never the speaker's words",
            }
        },
    },
    "voice": {
        "type": STRING,
        "description": "Who is speaking in the evidence: whose finding, words or document it "
        "is, whoever relayed it. Scoring weighs evidence by it; 'contradicted by its own "
        "people' is voice company or company_agent.",
        "constraints": {
            "required": True,
            "enum": {
                "company": "the company itself: its own publication, product material, filing "
                "or statement",
                "company_agent": "someone acting for the company: an employee, the counsel or "
                "auditor it hired, its own review",
                "government": "a government body: a regulator, ministry, agency or official list",
                "court": "a court, in a judgment or order",
                "third_party": "anyone else: journalists, researchers, NGOs, self-regulatory "
                "bodies",
            },
        },
    },
    "primary_source_id": {
        "type": "slug",
        "description": "The primary material this piece rests on (a recording, a leaked file, "
        "an order), recorded as a source of its own, when the source it was read in reports it "
        "second-hand. Pieces that rest on the same primary material count once per claim.",
    },
    "summary": {
        "type": "text",
        "description": "One line in plain English: what was said or documented.",
        "constraints": REQUIRED,
    },
    "amount": {
        "type": NUMBER,
        "description": "A money amount the evidence documents (a penalty, a contract's value), "
        "in amount_currency.",
        "constraints": {"minimum": 0},
    },
    "amount_currency": {
        "type": "currency_code",
        "description": "ISO 4217 currency of amount (USD, CAD).",
    },
    "amount_kind": {
        "type": STRING,
        "description": "What amount is.",
        "constraints": {
            "enum": {
                "penalty": "a civil or administrative penalty",
                "donation": "a payment ordered or agreed to a charity or fund",
                "costs": "investigation or legal costs the company paid",
                "contract_value": "the value of a contract or project",
            }
        },
    },
    # --- links -------------------------------------------------------------------------------
    "relation": {
        "type": STRING,
        "description": "How the evidence bears on the claim. Only refutes and supports enter "
        "the score.",
        "constraints": {
            "required": True,
            "enum": {
                "refutes": "the evidence contradicts the claim",
                "supports": "the evidence bears the claim out",
                "context": "the evidence is relevant background; shown, not scored",
            },
        },
    },
    "confidence": {
        "type": STRING,
        "description": "How strongly the evidence bears on the claim, in the judgement "
        "recorded in rationale.",
        "constraints": {
            "required": True,
            "enum": {
                "high": "the evidence speaks directly to what the claim says",
                "medium": "the evidence bears on the claim but needs a step of inference",
                "low": "the evidence is suggestive only",
            },
        },
    },
    "rationale": {
        "type": "text",
        "description": "Why the evidence refutes, supports or gives context to the claim, in "
        "one or two sentences a reader can check against both quotes.",
        "constraints": REQUIRED,
    },
    "response_type": {
        "type": STRING,
        "description": "What the company did when asked or confronted.",
        "constraints": {
            "required": True,
            "enum": {
                "reply": "the company answered",
                "declined_to_comment": "the company was asked and declined",
                "no_reply": "the company was asked and did not answer",
            },
        },
    },
    # --- review and provenance -----------------------------------------------------------------
    "review_status": {
        "type": STRING,
        "description": "How far the record was checked against its cited source.",
        "constraints": {
            "required": True,
            "enum": {
                "verified": "read in the cited source in full",
                "partially_verified": "the cited source was read only in part",
                "secondary_only": "read only in a secondary report or a mirror, not the original",
                "needs_review": "a field could not be sourced and is left empty; see review_note",
            },
        },
    },
    "review_note": {
        "type": "text",
        "description": "What is unchecked or disputed about the record, and where sources "
        "disagree.",
    },
    "recorded_on": {
        "type": DATE,
        "description": "The date the record entered the package. Point-in-time queries use it "
        "so a backtest never sees a record before it was recorded.",
        "constraints": REQUIRED,
    },
    "retracted_on": {
        "type": DATE,
        "description": "The date the record was retracted (found wrong, or its source "
        "withdrawn); empty while it stands. A retracted record stays in the package with its "
        "id; scores from this date on leave it out, and the history keeps it.",
    },
    "retraction_reason": {
        "type": "text",
        "description": "Why the record was retracted; given exactly when retracted_on is.",
    },
    "table_name": {
        "type": STRING,
        "description": "The table of the corrected record.",
        # Its allowed values are the versioned tables: filled in where TABLES is known (below).
        "constraints": REQUIRED,
    },
    "record_id": {
        "type": "text",
        "description": "The corrected record's primary key; for tables with a key of several "
        "columns, the values joined by '/' (claim_evidence: claim_id/evidence_id).",
        "constraints": REQUIRED,
    },
    "field_name": {
        "type": "column_name",
        "description": "The corrected column.",
        "constraints": REQUIRED,
    },
    "previous_value": {
        "type": STRING,
        "description": "The column's value before the correction, as text (dates as "
        "YYYY-MM-DD); empty when it was empty. The current value is in the record itself.",
    },
    "corrected_on": {
        "type": DATE,
        "description": "The date the correction entered the package; the history's new "
        "version starts then.",
        "constraints": REQUIRED,
    },
    "reason": {
        "type": "text",
        "description": "Why the value was corrected, and on what evidence.",
        "constraints": REQUIRED,
    },
    "effective_review_status": {
        "type": STRING,
        "description": "The weakest of the record's own review_status and those of every source "
        "it rests on: the source it was read in, the sources that one is based on, its primary "
        "material, the company's own publication a claim was said in, and for a link both its "
        "claim and its evidence. The method weighs records by it. Set by saydo.",
        "constraints": {
            "enum": {
                "verified": "everything it rests on was read in full",
                "partially_verified": "something it rests on was read only in part",
                "secondary_only": "something it rests on was read only at second hand",
                "needs_review": "something it rests on could not be sourced in full",
            }
        },
        "derived": True,
    },
    "first_release": {
        "type": STRING,
        "description": "The release in which the record was first published, from releases/ "
        "(this build's version for a record that no release holds yet). Set by saydo: filter on "
        "it for what is new since a release.",
        "derived": True,
    },
    "last_changed_release": {
        "type": STRING,
        "description": "The release that published the record's current version (its first "
        "release, or the release of its latest correction or its retraction). Set by saydo.",
        "derived": True,
    },
    "public_from": {
        "type": DATE,
        "description": "The first day what the record says had been published, as far as the "
        "package's sources show: a claim from its own date (or its sources' dates when it has "
        "none), evidence and replies from their own date or their source's publication date if "
        "later, a link from the later of its two ends. Undated records count from the day they "
        "were recorded. The published clock of the as-of macros reads it. Set by saydo.",
        "derived": True,
    },
    # --- company identifiers -------------------------------------------------------------------
    "scheme": {
        "type": STRING,
        "description": "The identifier scheme.",
        "constraints": {
            "required": True,
            "enum": {
                "lei": "Legal Entity Identifier (ISO 17442)",
                "isin": "International Securities Identification Number (ISO 6166) of a share",
                "ticker": "a stock ticker, with its exchange in issuer",
                "wikidata": "a Wikidata item (Q-number)",
                "permid": "a Refinitiv/LSEG PermID",
                "opencorporates": "an OpenCorporates company path (jurisdiction/number)",
                "national_register": "a number in a national company register, with the "
                "register named in issuer",
                "opensanctions": "an OpenSanctions entity id",
            },
        },
    },
    "identifier": {
        "type": "text",
        "description": "The identifier exactly as the cited source prints it.",
        "constraints": REQUIRED,
    },
    "issuer": {
        "type": "text",
        "description": "Who issues the identifier when the scheme needs it said: the exchange "
        "of a ticker (SZSE, NYSE, XETRA) or the register of a national number; empty otherwise.",
    },
    # --- score_weights ------------------------------------------------------------------------
    "factor": {
        "type": STRING,
        "description": "What the weight applies to: voice, relay, confidence, certainty, "
        "claim_wording, claim_review, relation, support, time_decay, status or band.",
        "constraints": {"required": True},
    },
    "level": {
        "type": STRING,
        "description": "The value of the factor it applies to (company, news_report, high, "
        "verified, ...) or the name of a setting.",
        "constraints": {"required": True},
    },
    "weight": {
        "type": NUMBER,
        "description": "The weight (0 to 1) or the setting's value; empty switches a setting "
        "off. A missing weight counts as 0.",
    },
    "weight_reason": {
        "type": "text",
        "description": "Why the weight has this value.",
        "constraints": {"required": True},
    },
    # --- releases -----------------------------------------------------------------------------
    "release": {
        "type": STRING,
        "description": "A release's version (MAJOR.MINOR.PATCH).",
        "constraints": {"required": True},
    },
    "released_on": {
        "type": DATE,
        "description": "The day the release was published (empty for a build not yet released). "
        "The released clock of the as-of macros reads it.",
    },
    "data_date": {
        "type": DATE,
        "description": "The latest day anything in the release entered the package.",
        "constraints": REQUIRED,
    },
    "method_version": {
        "type": STRING,
        "description": "The scoring method's version in the release (docs/methodology.md).",
        "constraints": REQUIRED,
    },
    # --- what changed in a release (dist/changes/) ----------------------------------------------
    "previous_release": {
        "type": STRING,
        "description": "The release this one is compared with; empty for the first release.",
    },
    "change_id": {
        "type": "text",
        "description": "The change's stable id: release, table, record, operation and field "
        "joined by '|'.",
        "constraints": REQUIRED,
    },
    "changed_table": {
        "type": STRING,
        "description": "The table of the changed record.",
        "constraints": REQUIRED,
    },
    "changed_record_id": {
        "type": "text",
        "description": "The changed record's id, written as corrections.record_id writes it.",
        "constraints": REQUIRED,
    },
    "operation": {
        "type": STRING,
        "description": "What happened to the record in this release.",
        "constraints": {
            "required": True,
            "enum": {
                "added": "the record was published for the first time",
                "corrected": "a correction changed a published value (see corrections)",
                "changed": "a column new in this release gave the record a value",
                "retracted": "the record was retracted (it stays in the package, marked)",
            },
        },
    },
    "changed_field": {
        "type": "column_name",
        "description": "The column that changed; empty when a whole record was added or retracted.",
    },
    "old_value": {
        "type": STRING,
        "description": "The value the previous release published, as text (dates as "
        "YYYY-MM-DD); empty for an added record, a new column or an empty value.",
    },
    "new_value": {
        "type": STRING,
        "description": "The value this release publishes, as text; empty when it is empty.",
    },
    "change_note": {
        "type": "text",
        "description": "Why: the correction's or the retraction's reason, or what the new "
        "column is.",
    },
    "changed_on": {
        "type": DATE,
        "description": "The day the change entered the package: recorded_on, corrected_on or "
        "retracted_on.",
    },
    "score_level": {
        "type": STRING,
        "description": "Whose score moved.",
        "constraints": {
            "required": True,
            "enum": {
                "claim": "a claim's gap score and status (claim_gap)",
                "company": "a company's gap score and band (company_gap)",
            },
        },
    },
    "scored_id": {
        "type": "text",
        "description": "The claim_id or company_id whose score moved.",
        "constraints": REQUIRED,
    },
    "old_gap_score": {
        "type": NUMBER,
        "description": "The gap score the previous release published; empty when it had none "
        "(a new record, or a release that recorded no per-record scores).",
    },
    "new_gap_score": {
        "type": NUMBER,
        "description": "The gap score this release publishes; empty when it has none.",
    },
    "gap_score_change": {
        "type": NUMBER,
        "description": "new_gap_score minus old_gap_score, when both are known.",
    },
    "old_status": {
        "type": STRING,
        "description": "The previous release's claim status or company band.",
    },
    "new_status": {
        "type": STRING,
        "description": "This release's claim status or company band.",
    },
    "old_score_known": {
        "type": BOOLEAN,
        "description": "Whether the previous release recorded this score (release 1.0.0 "
        "recorded only its mean claim gap).",
        "constraints": REQUIRED,
    },
    # --- history (each <table>_history adds these to the table's columns) ---------------------
    "version": {
        "type": INTEGER,
        "description": "The record's version: 1, 2, ... in time order.",
        "constraints": {"required": True, "minimum": 1},
        "derived": True,
    },
    "valid_from": {
        "type": DATE,
        "description": "The day this version entered the package.",
        "constraints": REQUIRED,
        "derived": True,
    },
    "valid_to": {
        "type": DATE,
        "description": "The day the next version replaced this one; empty for the current version.",
        "derived": True,
    },
    "change": {
        "type": STRING,
        "description": "How this version began.",
        "constraints": {
            "required": True,
            "enum": {
                "recorded": "the record entered the package",
                "corrected": "a correction changed a value (see the corrections table)",
                "retracted": "the record was retracted",
            },
        },
        "derived": True,
    },
    "change_reason": {
        "type": STRING,
        "description": "The correction's or retraction's reason; empty for the first version.",
        "derived": True,
    },
    "released_in": {
        "type": STRING,
        "description": "The release that first published this version (this build's version "
        "for a version no release holds yet).",
        "derived": True,
    },
    "released_from": {
        "type": DATE,
        "description": "The day released_in was published; empty while it is not released.",
        "derived": True,
    },
    "released_to": {
        "type": DATE,
        "description": "The day a release first published the next version; empty while this "
        "version is the latest released.",
        "derived": True,
    },
    "is_synthetic": {
        "type": BOOLEAN,
        "description": "True for generated test and benchmark rows. A release refuses any "
        "synthetic row.",
        "constraints": REQUIRED,
        "derived": True,
    },
}

# A field's own pattern (identifier schemes with no semantic type of their own).
_PATTERNS = {
    name: spec["constraints"]["pattern"]
    for name, spec in FIELD_SPECS.items()
    if "pattern" in spec.get("constraints", {})
}


def _with_pattern(name: str, built: Field) -> Field:
    if name not in _PATTERNS:
        return built
    return replace(
        built,
        semantic=SemanticType(
            name,
            STRING,
            _PATTERNS[name],
            f"does not have the form of a {name}.",
            built.description,
            "",
        ),
    )


FIELDS: dict[str, Field] = {
    name: _with_pattern(name, _field(name, spec)) for name, spec in FIELD_SPECS.items()
}


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    table: str
    table_fields: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    fields: tuple[str, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    # Registry fields that are required elsewhere but optional here (a response may answer a
    # claim or a piece of evidence, so both ids are optional in `responses`).
    optional_fields: tuple[str, ...] = ()
    # Fields whose allowed values are narrower or wider here than in FIELDS.
    enums: dict[str, dict[str, str]] = field(default_factory=dict)
    # The release folder its files go in; empty: parquet/ and jsonl/ (RELEASE_FORMATS).
    folder: str = ""

    @property
    def columns(self) -> list[Field]:
        return [self.column(name) for name in self.fields]

    def column(self, name: str) -> Field:
        declared = FIELDS[name]
        if name in self.optional_fields:
            declared = replace(declared, required=False)
        if name in self.enums:
            declared = replace(declared, enum=self.enums[name])
        return declared


_PROVENANCE = (
    "review_status",
    "review_note",
    "recorded_on",
    "retracted_on",
    "retraction_reason",
    "case_id",
    "is_synthetic",
)
_QUOTE = ("quote", "quote_lang", "quote_en", "quote_kind", "quote_en_origin")
# Set by saydo on every versioned table: the releases that published a record.
_STAMPS = ("first_release", "last_changed_release")
# Set by saydo on what the method weighs: how far it was checked, and since when it was public.
_WEIGHED = ("effective_review_status", "public_from")


def _fk(field_name: str, table: str, table_field: str | None = None) -> ForeignKey:
    return ForeignKey((field_name,), table, (table_field or field_name,))


_TABLE_LIST = [
    Table(
        name="sources",
        description="Every document the package cites: reports, statements, regulators' "
        "actions, lists and investigations, with where to read them.",
        fields=(
            "source_id",
            "publisher",
            "title",
            "url",
            "archived_url",
            "published_date",
            "published_date_precision",
            "source_lang",
            "source_type",
            "based_on_source_id",
            "rights",
            "licence",
            *_PROVENANCE,
            *_STAMPS,
        ),
        primary_key=("source_id",),
        foreign_keys=(_fk("based_on_source_id", "sources", "source_id"),),
    ),
    Table(
        name="companies",
        description="Companies that made claims or that evidence is about, with their parent "
        "for subsidiaries and affiliates, and identifiers filled only from a source.",
        fields=(
            "company_id",
            "name",
            "country",
            "parent_company_id",
            "parent_relationship",
            "lei",
            "isin",
            "stock_ticker",
            "wikidata_id",
            "permid",
            "source_id",
            *_PROVENANCE,
            *_STAMPS,
        ),
        primary_key=("company_id",),
        foreign_keys=(
            _fk("parent_company_id", "companies", "company_id"),
            _fk("source_id", "sources"),
        ),
    ),
    Table(
        name="company_names",
        description="A company's names in other languages and scripts, each as written in a "
        "cited source.",
        fields=("company_id", "alt_name", "alt_name_lang", "source_id", *_PROVENANCE, *_STAMPS),
        primary_key=("company_id", "alt_name_lang", "alt_name"),
        foreign_keys=(_fk("company_id", "companies"), _fk("source_id", "sources")),
    ),
    Table(
        name="company_identifiers",
        description="Identifiers of companies in other datasets and registers (LEI, ISIN, "
        "tickers with their exchange, Wikidata, national register numbers), several per scheme "
        "where a company has them, each exactly as a cited source prints it.",
        fields=(
            "company_id",
            "scheme",
            "identifier",
            "issuer",
            "source_id",
            *_PROVENANCE,
            *_STAMPS,
        ),
        primary_key=("company_id", "scheme", "identifier"),
        foreign_keys=(_fk("company_id", "companies"), _fk("source_id", "sources")),
    ),
    Table(
        name="claims",
        description="What companies said: denials, commitments, assertions and report "
        "findings, each with its quote in the original language and in English.",
        fields=(
            "claim_id",
            "company_id",
            "source_id",
            "said_in_source_id",
            "claim_date",
            "claim_date_precision",
            "topic",
            "claim_type",
            *_QUOTE,
            "summary",
            *_PROVENANCE,
            *_WEIGHED,
            *_STAMPS,
        ),
        primary_key=("claim_id",),
        foreign_keys=(
            _fk("company_id", "companies"),
            _fk("source_id", "sources"),
            _fk("said_in_source_id", "sources", "source_id"),
        ),
    ),
    Table(
        name="evidence",
        description="What is documented: investigations, leaked records, procurement "
        "documents and government actions, each with its quote and source.",
        fields=(
            "evidence_id",
            "company_id",
            "source_id",
            "primary_source_id",
            "evidence_date",
            "evidence_date_precision",
            "evidence_type",
            "voice",
            *_QUOTE,
            "summary",
            "amount",
            "amount_currency",
            "amount_kind",
            *_PROVENANCE,
            *_WEIGHED,
            *_STAMPS,
        ),
        primary_key=("evidence_id",),
        foreign_keys=(
            _fk("company_id", "companies"),
            _fk("source_id", "sources"),
            _fk("primary_source_id", "sources", "source_id"),
        ),
    ),
    Table(
        name="claim_evidence",
        description="Links between a claim and a piece of evidence: refutes, supports or "
        "context, with confidence and the reason.",
        fields=(
            "claim_id",
            "evidence_id",
            "relation",
            "confidence",
            "rationale",
            "recorded_on",
            "retracted_on",
            "retraction_reason",
            "case_id",
            "is_synthetic",
            *_WEIGHED,
            *_STAMPS,
        ),
        primary_key=("claim_id", "evidence_id"),
        foreign_keys=(_fk("claim_id", "claims"), _fk("evidence_id", "evidence")),
    ),
    Table(
        name="responses",
        description="The company's right of reply: what it answered to a claim or a piece of "
        "evidence, or that it declined or did not answer.",
        fields=(
            "response_id",
            "company_id",
            "claim_id",
            "evidence_id",
            "response_type",
            "response_date",
            "response_date_precision",
            "source_id",
            *_QUOTE,
            "summary",
            *_PROVENANCE,
            *_WEIGHED,
            *_STAMPS,
        ),
        primary_key=("response_id",),
        foreign_keys=(
            _fk("company_id", "companies"),
            _fk("claim_id", "claims"),
            _fk("evidence_id", "evidence"),
            _fk("source_id", "sources"),
        ),
        optional_fields=("claim_id", "evidence_id"),
    ),
    Table(
        name="corrections",
        description="Every correction to a published value: which record and column, what it "
        "said before, when and why. The current value is in the record; the table's history "
        "holds both versions.",
        fields=(
            "table_name",
            "record_id",
            "field_name",
            "corrected_on",
            "previous_value",
            "reason",
            "case_id",
            "is_synthetic",
            "first_release",
        ),
        primary_key=("table_name", "record_id", "field_name", "corrected_on"),
    ),
]

# Tables whose records have versions (the corrections table describes them).
VERSIONED_TABLES: tuple[str, ...] = tuple(t.name for t in _TABLE_LIST if t.name != "corrections")
TABLES: dict[str, Table] = {
    t.name: (
        replace(
            t,
            enums={"table_name": {name: f"a record of {name}" for name in VERSIONED_TABLES}},
        )
        if t.name == "corrections"
        else t
    )
    for t in _TABLE_LIST
}
HISTORY_FIELDS = (
    "version",
    "valid_from",
    "valid_to",
    "change",
    "change_reason",
    "released_in",
    "released_from",
    "released_to",
)


# Values a column once allowed and no longer does. Records holding one were corrected, so the
# current tables never hold it, but their earlier versions in the history tables keep it.
RETIRED_VALUES: dict[str, dict[str, str]] = {
    "quote_kind": {
        "reported": "retired in release 1.1.0: the source's own words reporting what was said; "
        "corrected to paraphrase (see corrections)",
    },
}


def _history_table(table: Table) -> Table:
    retired = {
        name: {**(table.enums.get(name) or FIELDS[name].enum or {}), **values}
        for name, values in RETIRED_VALUES.items()
        if name in table.fields
    }
    return Table(
        name=f"{table.name}_history",
        description=f"Every version of every record of {table.name}, with the interval in "
        f"which it was current. A correction or retraction adds a version; none is ever "
        f"removed. Point-in-time macros read from here. The columns saydo sets "
        f"(effective_review_status, public_from and the release stamps) hold today's values in "
        f"every version; on the released clock the macros work out a record's status as released "
        f"from the versions of it and of its sources.",
        fields=(*table.fields, *HISTORY_FIELDS),
        primary_key=(*table.primary_key, "version"),
        optional_fields=table.optional_fields,
        enums={**table.enums, **retired},
    )


def history_name(table: str) -> str:
    return f"{table}_history"


HISTORY_TABLES: dict[str, Table] = {
    history_name(name): _history_table(TABLES[name]) for name in VERSIONED_TABLES
}
# Tables saydo writes itself, from releases/.
DERIVED_TABLES: dict[str, Table] = {
    "releases": Table(
        name="releases",
        description="Every release of the package, from releases/, and this build: when each "
        "was published (the released clock reads it), its data date and scoring method.",
        fields=("release", "released_on", "data_date", "method_version"),
        primary_key=("release",),
    ),
    "changes": Table(
        name="changes",
        description="What this release changed, one row per change: records added, values "
        "corrected (with the value before and after, and why), columns new in this release, "
        "records retracted. Written to dist/changes/ as Parquet and JSON Lines.",
        fields=(
            "change_id",
            "release",
            "previous_release",
            "changed_table",
            "changed_record_id",
            "operation",
            "changed_field",
            "old_value",
            "new_value",
            "change_note",
            "changed_on",
        ),
        primary_key=("change_id",),
        enums={"changed_table": {name: f"a record of {name}" for name in TABLES}},
        folder="changes",
    ),
    "score_changes": Table(
        name="score_changes",
        description="How each claim's and company's gap score and status moved since the "
        "previous release: one row per score that changed, appeared or disappeared.",
        fields=(
            "release",
            "previous_release",
            "score_level",
            "scored_id",
            "old_gap_score",
            "new_gap_score",
            "gap_score_change",
            "old_status",
            "new_status",
            "old_score_known",
        ),
        primary_key=("score_level", "scored_id"),
        folder="changes",
    ),
    "score_weights": Table(
        name="score_weights",
        description="Every weight the gap score uses, with why. UPDATE a weight and the views "
        "follow; weights_fingerprint in each view says which weights made a score "
        "(docs/methodology.md gives the recipe, so it can be recomputed from this file).",
        fields=("factor", "level", "weight", "weight_reason"),
        primary_key=("factor", "level"),
    ),
}
# Everything the package publishes as a table: the authored tables, their histories, releases.
PUBLISHED_TABLES: dict[str, Table] = {**TABLES, **HISTORY_TABLES, **DERIVED_TABLES}

# Build order: a table comes after the tables its foreign keys point to.
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)
PUBLISHED_ORDER: tuple[str, ...] = tuple(PUBLISHED_TABLES)


# The file formats of a release: the folder each goes in (unless its table names its own) and
# its file extension. JSON Lines are gzip-compressed: uncompressed they are twenty times the
# size of the Parquet files (12 GB at a million claims), and every JSON reader takes gzip.
RELEASE_FORMATS = {"parquet": "parquet", "jsonl": "jsonl.gz"}


def release_file(name: str, kind: str) -> str:
    """Where a table's or view's file is in a release: parquet/<name>.parquet and
    jsonl/<name>.jsonl.gz, or the table's own folder (changes/)."""
    table = PUBLISHED_TABLES.get(name)
    folder = table.folder if table is not None and table.folder else kind
    return f"{folder}/{name}.{RELEASE_FORMATS[kind]}"


# --- how records are written by hand ----------------------------------------------------------
@dataclass(frozen=True)
class Authoring:
    # The key under which records of this table are written in a case file.
    case_file_key: str
    # How one record is called in messages ("claim", "link"), followed by its label_fields.
    noun: str
    label_fields: tuple[str, ...]


AUTHORING: dict[str, Authoring] = {
    "sources": Authoring("sources", "source", ("source_id",)),
    "companies": Authoring("companies", "company", ("company_id",)),
    "company_names": Authoring("company_names", "company name", ("company_id", "alt_name_lang")),
    "company_identifiers": Authoring(
        "company_identifiers", "identifier", ("company_id", "scheme", "identifier")
    ),
    "claims": Authoring("claims", "claim", ("claim_id",)),
    "evidence": Authoring("evidence", "evidence", ("evidence_id",)),
    "claim_evidence": Authoring("links", "link", ("claim_id", "evidence_id")),
    "responses": Authoring("responses", "response", ("response_id",)),
    "corrections": Authoring(
        "corrections", "correction", ("table_name", "record_id", "field_name")
    ),
}


def authoring(table: str) -> Authoring:
    """How a table's records are named; a history table's are named as its table's."""
    return AUTHORING[table.removesuffix("_history")]


def table_for_case_key(key: str) -> Table | None:
    name = next((t for t, a in AUTHORING.items() if a.case_file_key == key), None)
    return TABLES[name] if name else None


__all__ = [
    "BOOLEAN",
    "DATE",
    "DATE_PRECISIONS",
    "FIELDS",
    "HISTORY_TABLES",
    "INTEGER",
    "NUMBER",
    "PUBLISHED_TABLES",
    "STRING",
    "TABLES",
    "Field",
    "Table",
]


# --- corrections ----------------------------------------------------------------------------------
# Columns a correction may not change: the key, and what the package itself keeps (a record moved
# to another file keeps its values; a retraction is written on the record).
UNCORRECTABLE = frozenset(
    {"recorded_on", "case_id", "is_synthetic", "retracted_on", "retraction_reason"}
)


def correctable_fields(table: Table) -> list[str]:
    return [
        c.name
        for c in table.columns
        if c.name not in UNCORRECTABLE and c.name not in table.primary_key and not c.derived
    ]
