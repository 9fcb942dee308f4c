"""The types a column can have: five logical types, the semantic types built on them, and the
partial date (a date with its precision).

A semantic type (slug, url, language tag, ...) carries its own pattern, the message an author
reads when a value does not fit, and an example. The registry names a field's semantic type;
pandera, the loader's messages, the scaffold and the data dictionary all take the pattern and
the words from here, so a rule and its explanation cannot drift apart."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from schemas.languages import LANGUAGE_TAG_PATTERN

# Unicode's White_Space, what `\s` means to polars (pandera's engine), as the inside of an RE2
# character class: DuckDB's RE2 reads `\s` as ASCII only. The feeds' door (validations.door) and
# the feed reader's trimming (transforms.ingest.feeds) spell it from here.
WHITE_SPACE_RE2 = r"\t\n\x0b\x0c\r\x{85}\p{Z}"

# Logical types, in Frictionless terms. Each generator maps them to its own system's types.
STRING = "string"
DATE = "date"
BOOLEAN = "boolean"
INTEGER = "integer"
NUMBER = "number"
LOGICAL_TYPES = (STRING, DATE, BOOLEAN, INTEGER, NUMBER)


@dataclass(frozen=True)
class SemanticType:
    name: str
    # The logical type underneath.
    type: str
    # Anchored at both ends (pandera's str_matches anchors only the start).
    pattern: str
    # What is wrong with a value that does not match, as the end of a sentence that starts with
    # the value: "'Acme Inc' must be a lowercase slug ...".
    message: str
    # How to fix it, with an example.
    hint: str
    example: str


SLUG = SemanticType(
    "slug",
    STRING,
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "must be a lowercase slug of letters, digits and single hyphens.",
    "for example hikvision-denial-2019-10-08.",
    "a-lowercase-slug",
)
URL = SemanticType(
    "url",
    STRING,
    r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$",
    "is not a valid http(s) URL.",
    "write the full address, https://...",
    "https://...",
)
LANGUAGE_TAG = SemanticType(
    "language_tag",
    STRING,
    LANGUAGE_TAG_PATTERN,
    "is not a known BCP-47 language tag.",
    "use an ISO 639-1 code with optional script and region: ar, en, en-GB, zh-Hans.",
    "en",
)
COUNTRY_CODE = SemanticType(
    "country_code",
    STRING,
    r"^[A-Z]{2}$",
    "is not an ISO 3166-1 alpha-2 country code.",
    "use two capital letters: CN, US, DE.",
    "US",
)
CURRENCY_CODE = SemanticType(
    "currency_code",
    STRING,
    r"^[A-Z]{3}$",
    "is not an ISO 4217 currency code.",
    "use three capital letters: USD, EUR, CAD.",
    "USD",
)
# Text that holds at least one character that is not whitespace (pandera's str_length would
# accept "   "), on any number of lines: [\s\S] is any character, line breaks included, in every
# engine that reads the pattern (polars, DuckDB, frictionless), where an inline (?s) flag is read
# by the first two only.
TEXT = SemanticType(
    "text",
    STRING,
    r"^[\s\S]*\S[\s\S]*$",
    "is empty or only whitespace.",
    "write the text, or remove the field.",
    "...",
)
COLUMN_NAME = SemanticType(
    "column_name",
    STRING,
    r"^[a-z][a-z0-9_]*$",
    "is not a column name.",
    "write the column's name as the data dictionary spells it.",
    "quote",
)
# A case file's name, or `feed:<name>` for a feed (derived by saydo, never written by hand).
CASE_ID = SemanticType(
    "case_id",
    STRING,
    r"^(?:feed:)?[a-z0-9]+(?:-[a-z0-9]+)*$",
    "is not a case file name or feed name.",
    "name files with a lowercase slug, such as hikvision-uyghurs.yaml.",
    "hikvision-uyghurs",
)

SEMANTIC_TYPES: dict[str, SemanticType] = {
    t.name: t
    for t in (SLUG, URL, LANGUAGE_TAG, COUNTRY_CODE, CURRENCY_CODE, TEXT, COLUMN_NAME, CASE_ID)
}

_SLUG_RE = re.compile(SLUG.pattern)


def is_slug(text: str) -> bool:
    """The one slug rule, for ids, case file names and adapter names."""
    return bool(_SLUG_RE.match(text))


# --- partial dates ---------------------------------------------------------------------------
DATE_PRECISIONS = ("day", "month", "year")
# ASCII digits only: Python's \d is any script's digit, and int() reads Arabic-Indic or
# fullwidth digits, which a feed's date (YYYY-MM-DD in DuckDB) never accepts.
_PARTIAL_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def parse_partial_date(text: str) -> tuple[dt.date, str] | None:
    """'2023-03-15' -> (2023-03-15, day); '2023-03' -> (2023-03-01, month); '2023' -> year.
    None when the text is not a date (including impossible days such as 2023-02-30)."""
    match = _PARTIAL_DATE.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        value = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return value, "day" if day else "month" if month else "year"


def format_partial_date(value: dt.date | None, precision: str | None, words: bool = False) -> str:
    """A date as precisely as it is known: 2023-03-15, 2023-03 or 2023; with words=True,
    '15 March 2023', 'March 2023' or '2023'. An empty date is 'undated'."""
    if value is None:
        return "undated"
    precision = precision or "day"
    if words:
        month = _MONTHS[value.month - 1]
        return {
            "day": f"{value.day} {month} {value.year}",
            "month": f"{month} {value.year}",
            "year": str(value.year),
        }[precision]
    return {"day": value.isoformat(), "month": value.isoformat()[:7], "year": str(value.year)}[
        precision
    ]


def period_end(value: dt.date, precision: str) -> dt.date:
    """The last day of the period a date with its precision stands for (the SQL macro
    date_period_end does the same in DuckDB)."""
    if precision == "year":
        return dt.date(value.year, 12, 31)
    if precision == "month":
        following = dt.date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return value
