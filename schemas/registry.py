"""The one place where every column of saydo is declared.

A column's name, logical type, description, nullability, pattern and allowed values are written
here once. The pandera models, the DuckDB DDL and its comments, the Parquet (Arrow) schema, the
Frictionless table schemas and `docs/data-dictionary.md` are all generated from these
declarations by `schemas.generate`; `tests/test_schema_drift.py` fails if any of them disagree.

Fields are declared in FIELDS (PUDL-style field registry) and tables list which fields they hold.
A field used by several tables (`company_id`, `review_status`, ...) keeps one meaning everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from schemas.languages import LANGUAGE_TAG_PATTERN

# Logical types. Each generator maps these to its own system's types.
STRING = "string"
DATE = "date"
BOOLEAN = "boolean"
INTEGER = "integer"
NUMBER = "number"

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
URL_PATTERN = r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$"
# Text that holds at least one character that is not whitespace (pandera's str_length would
# accept "   "). (?s) lets text with line breaks pass.
NON_BLANK_PATTERN = r"(?s)^.*\S.*$"

DATE_PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    # Set by the loader, never written by an author.
    derived: bool = False
    default: object | None = None
    # An explanation of each allowed value, for the data dictionary.
    enum_descriptions: dict[str, str] | None = None


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
    # The key under which records of this table are written in a case file.
    case_file_key: str = ""
    # How one record is called in messages ("claim", "link"), followed by its label_fields.
    noun: str = ""
    # The field that names a record in error messages ("claim hikvision-denial-2019").
    label_fields: tuple[str, ...] = field(default=())
    # Registry fields that are required elsewhere but optional here (a response may answer a
    # claim or a piece of evidence, so both ids are optional in `responses`).
    optional_fields: tuple[str, ...] = ()

    @property
    def columns(self) -> list[Field]:
        return [self.column(name) for name in self.fields]

    def column(self, name: str) -> Field:
        declared = FIELDS[name]
        if name in self.optional_fields:
            return replace(declared, required=False)
        return declared


def _enum(description: str, values: dict[str, str], required: bool = True) -> dict:
    return {
        "type": STRING,
        "description": description,
        "required": required,
        "enum": tuple(values),
        "enum_descriptions": values,
    }


def _date_pair(prefix: str, what: str, required: bool) -> list[Field]:
    return [
        Field(
            f"{prefix}_date",
            DATE,
            f"{what}. Stored as the first day of the period its precision names: "
            f"a month-precision date of March 2023 is 2023-03-01, never an invented day.",
            required=required,
        ),
        Field(
            f"{prefix}_date_precision",
            STRING,
            f"How precise {prefix}_date is: day, month or year. Derived from how the date "
            f"was written in the case file (2023-03-15, 2023-03 or 2023).",
            required=required,
            enum=DATE_PRECISIONS,
        ),
    ]


_FIELD_LIST: list[Field] = [
    # --- identifiers -------------------------------------------------------------------
    Field(
        "company_id",
        STRING,
        "Stable identifier of a company: a lowercase slug such as `hikvision`. Never changes "
        "or disappears once released.",
        required=True,
        pattern=SLUG_PATTERN,
    ),
    Field(
        "source_id",
        STRING,
        "Stable identifier of a source: a lowercase slug such as `axios-2023-04-17`.",
        required=True,
        pattern=SLUG_PATTERN,
    ),
    Field(
        "claim_id",
        STRING,
        "Stable identifier of a claim (something a company said): a lowercase slug.",
        required=True,
        pattern=SLUG_PATTERN,
    ),
    Field(
        "evidence_id",
        STRING,
        "Stable identifier of a piece of evidence (something documented): a lowercase slug.",
        required=True,
        pattern=SLUG_PATTERN,
    ),
    Field(
        "response_id",
        STRING,
        "Stable identifier of a company response: a lowercase slug.",
        required=True,
        pattern=SLUG_PATTERN,
    ),
    Field(
        "parent_company_id",
        STRING,
        "The company_id of this company's parent, for subsidiaries and affiliates; empty for "
        "a company with no recorded parent. Group figures roll up along this link.",
        pattern=SLUG_PATTERN,
    ),
    Field(
        "based_on_source_id",
        STRING,
        "The source this one translates, mirrors or reports on, when it is not itself the "
        "original (the Arabic article is a translation of an Axios report).",
        pattern=SLUG_PATTERN,
    ),
    Field(
        "said_in_source_id",
        STRING,
        "The company's own publication in which the statement was first made, when the quote "
        "was read in another source (a report finding quoted by a newspaper).",
        pattern=SLUG_PATTERN,
    ),
    Field(
        "case_id",
        STRING,
        "The case file (`datasets/cases/<case_id>.yaml`) or feed (`feed:<name>`) the record was "
        "written in.",
        required=True,
        derived=True,
        pattern=r"^(?:feed:)?[a-z0-9]+(?:[-_][a-z0-9]+)*$",
    ),
    # --- companies -----------------------------------------------------------------------
    Field(
        "name",
        STRING,
        "The company's name as commonly written in English sources.",
        required=True,
        pattern=NON_BLANK_PATTERN,
    ),
    Field(
        "country",
        STRING,
        "Country of incorporation or headquarters, ISO 3166-1 alpha-2 (CN, US, DE).",
        pattern=r"^[A-Z]{2}$",
    ),
    Field(
        **_enum(
            "How this company relates to its parent_company_id; empty when it has no parent.",
            {
                "subsidiary": "majority-owned or controlled by the parent",
                "affiliate": "reported as belonging to or tied to the parent, ownership share "
                "not established",
            },
            required=False,
        ),
        name="parent_relationship",
    ),
    Field(
        "lei",
        STRING,
        "Legal Entity Identifier (ISO 17442), filled only from a cited source.",
        pattern=r"^[A-Z0-9]{18}[0-9]{2}$",
    ),
    Field(
        "isin",
        STRING,
        "ISIN of the company's main listed share (ISO 6166), filled only from a cited source.",
        pattern=r"^[A-Z]{2}[A-Z0-9]{9}[0-9]$",
    ),
    Field(
        "stock_ticker",
        STRING,
        "Stock ticker with its exchange, as `EXCHANGE:SYMBOL` (SZSE:002415), filled only from a "
        "cited source.",
        pattern=r"^[A-Z]+:[A-Z0-9.]+$",
    ),
    Field(
        "wikidata_id",
        STRING,
        "Wikidata item (Q-number), filled only from a cited source.",
        pattern=r"^Q[1-9][0-9]*$",
    ),
    Field(
        "permid",
        STRING,
        "Refinitiv/LSEG PermID, filled only from a cited source.",
        pattern=r"^[1-9][0-9]*$",
    ),
    Field(
        "alt_name",
        STRING,
        "The company's name in another language or script, as written in the cited source.",
        required=True,
        pattern=NON_BLANK_PATTERN,
    ),
    Field(
        "alt_name_lang",
        STRING,
        "BCP-47 language tag of alt_name (ar, zh-Hans).",
        required=True,
        pattern=LANGUAGE_TAG_PATTERN,
    ),
    # --- sources -------------------------------------------------------------------------
    Field(
        "publisher",
        STRING,
        "Who published the source (Axios, US FCC, Hikvision); empty when not known.",
        pattern=NON_BLANK_PATTERN,
    ),
    Field(
        "title",
        STRING,
        "The source's title as published, in its own language; empty when not known.",
        pattern=NON_BLANK_PATTERN,
    ),
    Field(
        "url",
        STRING,
        "Where the source can be read; empty when no public address is known.",
        pattern=URL_PATTERN,
    ),
    Field(
        "archived_url",
        STRING,
        "An archived copy of the source (web.archive.org, archive.today), when one is known.",
        pattern=URL_PATTERN,
    ),
    *_date_pair("published", "When the source was published; empty when not known", False),
    Field(
        "source_lang",
        STRING,
        "BCP-47 language tag of the source's text.",
        required=True,
        pattern=LANGUAGE_TAG_PATTERN,
    ),
    Field(
        **_enum(
            "What kind of document the source is. Scoring weighs evidence by this.",
            {
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
            },
        ),
        name="source_type",
    ),
    # --- claims, evidence and responses ----------------------------------------------------
    *_date_pair(
        "claim",
        "When the company made the statement, or first published it; empty when no source "
        "dates it (marketing known only as 'marketed as ...'), with review_note saying so",
        False,
    ),
    *_date_pair("evidence", "When the documented fact happened or was made public", True),
    *_date_pair("response", "When the company responded; empty for no reply", False),
    Field(
        **_enum(
            "What the claim is about. Companies are compared within a topic.",
            {
                "human_rights": "human rights, including surveillance of minorities",
                "labour_rights": "forced labour, working conditions, supply-chain labour",
                "environment": "emissions, pollution, recyclability and other environmental claims",
                "esg_investing": "claims about ESG research, screening or integration in funds",
                "governance": "compliance, oversight and conduct of the business",
            },
        ),
        name="topic",
    ),
    Field(
        **_enum(
            "What kind of statement the company made.",
            {
                "denial": "the company denied an allegation",
                "commitment": "the company promised to do or not do something",
                "assertion": "the company stated something as fact",
                "report_finding": "a finding the company published in its own report or review",
                "implied_representation": "a representation a regulator or report says the "
                "company implied; no wording of the company's is quoted",
                "marketing_claim": "a claim made to sell a product or fund",
            },
        ),
        name="claim_type",
    ),
    Field(
        **_enum(
            "What kind of fact the evidence documents.",
            {
                "government_action": "an enforcement, listing or rule by a government body",
                "government_list": "a listing on an official list",
                "leaked_recording": "a recording obtained from inside the company",
                "procurement_record": "tenders, contracts and other procurement documents",
                "product_marketing": "the company's own product material showing what it sold",
                "investigative_finding": "a finding of an investigation from documents or visits",
                "media_report": "a report of a fact, relayed from another source",
                "context": "background that bears on a claim without proving or disproving it",
            },
        ),
        name="evidence_type",
    ),
    Field(
        "quote",
        STRING,
        "The passage as written in the source, in its original language. Empty when the source "
        "gives no wording (an implied representation), never paraphrased into quote marks.",
        pattern=NON_BLANK_PATTERN,
    ),
    Field(
        "quote_lang",
        STRING,
        "BCP-47 language tag of quote (ar, en, zh-Hans).",
        pattern=LANGUAGE_TAG_PATTERN,
    ),
    Field(
        "quote_en",
        STRING,
        "The quote in English: the quote itself when it is English, else a translation "
        "(quote_en_origin says whose).",
        pattern=NON_BLANK_PATTERN,
    ),
    Field(
        **_enum(
            "Whether quote holds the speaker's own words or the source's report of them.",
            {
                "verbatim": "the company's (or document's) own words",
                "reported": "the source's words describing what was said or found",
            },
            required=False,
        ),
        name="quote_kind",
    ),
    Field(
        **_enum(
            "Who made quote_en.",
            {
                "original": "quote is in English; quote_en repeats it",
                "source_translation": "a translation published by a source",
                "saydo_translation": "translated by the saydo project; check against the original",
            },
            required=False,
        ),
        name="quote_en_origin",
    ),
    Field(
        "summary",
        STRING,
        "One line in plain English: what was said or documented.",
        required=True,
        pattern=NON_BLANK_PATTERN,
    ),
    Field(
        "amount",
        NUMBER,
        "A money amount the evidence documents (a penalty, a contract's value), in "
        "amount_currency.",
        minimum=0,
    ),
    Field(
        "amount_currency",
        STRING,
        "ISO 4217 currency of amount (USD, CAD).",
        pattern=r"^[A-Z]{3}$",
    ),
    Field(
        **_enum(
            "What amount is.",
            {
                "penalty": "a civil or administrative penalty",
                "donation": "a payment ordered or agreed to a charity or fund",
                "costs": "investigation or legal costs the company paid",
                "contract_value": "the value of a contract or project",
            },
            required=False,
        ),
        name="amount_kind",
    ),
    # --- links -----------------------------------------------------------------------------
    Field(
        **_enum(
            "How the evidence bears on the claim. Only refutes and supports enter the score.",
            {
                "refutes": "the evidence contradicts the claim",
                "supports": "the evidence bears the claim out",
                "context": "the evidence is relevant background; shown, not scored",
            },
        ),
        name="relation",
    ),
    Field(
        **_enum(
            "How strongly the evidence bears on the claim, in the judgement recorded in rationale.",
            {
                "high": "the evidence speaks directly to what the claim says",
                "medium": "the evidence bears on the claim but needs a step of inference",
                "low": "the evidence is suggestive only",
            },
        ),
        name="confidence",
    ),
    Field(
        "rationale",
        STRING,
        "Why the evidence refutes, supports or gives context to the claim, in one or two "
        "sentences a reader can check against both quotes.",
        required=True,
        pattern=NON_BLANK_PATTERN,
    ),
    Field(
        **_enum(
            "What the company did when asked or confronted.",
            {
                "reply": "the company answered",
                "declined_to_comment": "the company was asked and declined",
                "no_reply": "the company was asked and did not answer",
            },
        ),
        name="response_type",
    ),
    # --- review and provenance ---------------------------------------------------------------
    Field(
        **_enum(
            "How far the record was checked against its cited source.",
            {
                "verified": "read in the cited source in full",
                "partially_verified": "the cited source was read only in part",
                "secondary_only": "read only in a secondary report or a mirror, not the original",
                "needs_review": "a field could not be sourced and is left empty; see review_note",
            },
        ),
        name="review_status",
    ),
    Field(
        "review_note",
        STRING,
        "What is unchecked or disputed about the record, and where sources disagree.",
        pattern=NON_BLANK_PATTERN,
    ),
    Field(
        "recorded_on",
        DATE,
        "The date the record entered the package. Point-in-time queries use it so a backtest "
        "never sees a record before it was recorded.",
        required=True,
    ),
    Field(
        "retracted_on",
        DATE,
        "The date the record was retracted (found wrong, or its source withdrawn); empty while "
        "it stands. A retracted record stays in the package with its id; scores from this date "
        "on leave it out, and the history keeps it.",
    ),
    Field(
        "retraction_reason",
        STRING,
        "Why the record was retracted; given exactly when retracted_on is.",
        pattern=NON_BLANK_PATTERN,
    ),
    Field(
        "table_name",
        STRING,
        "The table of the corrected record.",
        required=True,
        # Its allowed values are the versioned tables, filled in once TABLES exists (below).
    ),
    Field(
        "record_id",
        STRING,
        "The corrected record's primary key; for tables with a key of several columns, the "
        "values joined by '/' (claim_evidence: claim_id/evidence_id).",
        required=True,
        pattern=NON_BLANK_PATTERN,
    ),
    Field(
        "field_name",
        STRING,
        "The corrected column.",
        required=True,
        pattern=r"^[a-z][a-z0-9_]*$",
    ),
    Field(
        "previous_value",
        STRING,
        "The column's value before the correction, as text (dates as YYYY-MM-DD); empty when "
        "it was empty. The current value is in the record itself.",
    ),
    Field(
        "corrected_on",
        DATE,
        "The date the correction entered the package; the history's new version starts then.",
        required=True,
    ),
    Field(
        "reason",
        STRING,
        "Why the value was corrected, and on what evidence.",
        required=True,
        pattern=NON_BLANK_PATTERN,
    ),
    # --- history (each <table>_history adds these to the table's columns) -------------------
    Field(
        "version",
        INTEGER,
        "The record's version: 1, 2, ... in time order.",
        required=True,
        derived=True,
        minimum=1,
    ),
    Field(
        "valid_from",
        DATE,
        "The day this version entered the package.",
        required=True,
        derived=True,
    ),
    Field(
        "valid_to",
        DATE,
        "The day the next version replaced this one; empty for the current version.",
        derived=True,
    ),
    Field(
        "change",
        STRING,
        "How this version began.",
        required=True,
        derived=True,
        enum=("recorded", "corrected", "retracted"),
        enum_descriptions={
            "recorded": "the record entered the package",
            "corrected": "a correction changed a value (see the corrections table)",
            "retracted": "the record was retracted",
        },
    ),
    Field(
        "change_reason",
        STRING,
        "The correction's or retraction's reason; empty for the first version.",
        derived=True,
    ),
    Field(
        "is_synthetic",
        BOOLEAN,
        "True for generated test and benchmark rows. A release refuses any synthetic row.",
        required=True,
        derived=True,
        default=False,
    ),
]

FIELDS: dict[str, Field] = {f.name: f for f in _FIELD_LIST}
if len(FIELDS) != len(_FIELD_LIST):  # pragma: no cover - guards the registry itself
    raise RuntimeError("a field is declared twice in schemas/registry.py")

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


def _fk(field_name: str, table: str, table_field: str | None = None) -> ForeignKey:
    return ForeignKey((field_name,), table, (table_field or field_name,))


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            name="sources",
            noun="source",
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
                *_PROVENANCE,
            ),
            primary_key=("source_id",),
            foreign_keys=(_fk("based_on_source_id", "sources", "source_id"),),
            case_file_key="sources",
            label_fields=("source_id",),
        ),
        Table(
            name="companies",
            noun="company",
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
            ),
            primary_key=("company_id",),
            foreign_keys=(
                _fk("parent_company_id", "companies", "company_id"),
                _fk("source_id", "sources"),
            ),
            case_file_key="companies",
            label_fields=("company_id",),
        ),
        Table(
            name="company_names",
            noun="company name",
            description="A company's names in other languages and scripts, each as written in "
            "a cited source.",
            fields=("company_id", "alt_name", "alt_name_lang", "source_id", *_PROVENANCE),
            primary_key=("company_id", "alt_name_lang", "alt_name"),
            foreign_keys=(_fk("company_id", "companies"), _fk("source_id", "sources")),
            case_file_key="company_names",
            label_fields=("company_id", "alt_name_lang"),
        ),
        Table(
            name="claims",
            noun="claim",
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
            ),
            primary_key=("claim_id",),
            foreign_keys=(
                _fk("company_id", "companies"),
                _fk("source_id", "sources"),
                _fk("said_in_source_id", "sources", "source_id"),
            ),
            case_file_key="claims",
            label_fields=("claim_id",),
        ),
        Table(
            name="evidence",
            noun="evidence",
            description="What is documented: investigations, leaked records, procurement "
            "documents and government actions, each with its quote and source.",
            fields=(
                "evidence_id",
                "company_id",
                "source_id",
                "evidence_date",
                "evidence_date_precision",
                "evidence_type",
                *_QUOTE,
                "summary",
                "amount",
                "amount_currency",
                "amount_kind",
                *_PROVENANCE,
            ),
            primary_key=("evidence_id",),
            foreign_keys=(_fk("company_id", "companies"), _fk("source_id", "sources")),
            case_file_key="evidence",
            label_fields=("evidence_id",),
        ),
        Table(
            name="claim_evidence",
            noun="link",
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
            ),
            primary_key=("claim_id", "evidence_id"),
            foreign_keys=(_fk("claim_id", "claims"), _fk("evidence_id", "evidence")),
            case_file_key="links",
            label_fields=("claim_id", "evidence_id"),
        ),
        Table(
            name="responses",
            noun="response",
            description="The company's right of reply: what it answered to a claim or a piece "
            "of evidence, or that it declined or did not answer.",
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
            ),
            primary_key=("response_id",),
            foreign_keys=(
                _fk("company_id", "companies"),
                _fk("claim_id", "claims"),
                _fk("evidence_id", "evidence"),
                _fk("source_id", "sources"),
            ),
            case_file_key="responses",
            label_fields=("response_id",),
            optional_fields=("claim_id", "evidence_id"),
        ),
        Table(
            name="corrections",
            noun="correction",
            description="Every correction to a published value: which record and column, what "
            "it said before, when and why. The current value is in the record; the table's "
            "history holds both versions.",
            fields=(
                "table_name",
                "record_id",
                "field_name",
                "corrected_on",
                "previous_value",
                "reason",
                "case_id",
                "is_synthetic",
            ),
            primary_key=("table_name", "record_id", "field_name", "corrected_on"),
            case_file_key="corrections",
            label_fields=("table_name", "record_id", "field_name"),
        ),
    ]
}

# Tables whose records have versions (the corrections table describes them).
VERSIONED_TABLES: tuple[str, ...] = tuple(t for t in TABLES if t != "corrections")
HISTORY_FIELDS = ("version", "valid_from", "valid_to", "change", "change_reason")
FIELDS["table_name"] = replace(FIELDS["table_name"], enum=VERSIONED_TABLES)


def _history_table(table: Table) -> Table:
    return Table(
        name=f"{table.name}_history",
        noun=f"{table.noun} version",
        description=f"Every version of every record of {table.name}, with the interval in "
        f"which it was current. A correction or retraction adds a version; none is ever "
        f"removed. Point-in-time macros read from here.",
        fields=(*table.fields, *HISTORY_FIELDS),
        primary_key=(*table.primary_key, "version"),
        label_fields=table.label_fields,
        optional_fields=table.optional_fields,
    )


HISTORY_TABLES: dict[str, Table] = {
    f"{name}_history": _history_table(TABLES[name]) for name in VERSIONED_TABLES
}
# Everything the package publishes as a table: the authored tables and their histories.
PUBLISHED_TABLES: dict[str, Table] = {**TABLES, **HISTORY_TABLES}

# Build order: a table comes after the tables its foreign keys point to.
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)
PUBLISHED_ORDER: tuple[str, ...] = tuple(PUBLISHED_TABLES)


def table_for_case_key(key: str) -> Table | None:
    return next((t for t in TABLES.values() if t.case_file_key == key), None)
