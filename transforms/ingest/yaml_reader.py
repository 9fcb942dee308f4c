"""Reading hand-written YAML (case files, adapter files) safely.

Case files are edited by many people and hold text from the open web, so the reader is strict
about structure and lenient about form:
- accepted: a UTF-8 byte-order mark, CRLF line endings, Arabic in any Unicode normalisation form
  (every string is normalised to NFC so equal text compares equal);
- refused with a message naming the line: text that is not UTF-8, YAML syntax errors, duplicate
  keys in one record (YAML would silently keep the last), aliases (`*name`, which can expand
  exponentially), nesting deeper than any case file needs, and files too large to be
  hand-written;
- refused, because a reader could take them to mean something else: the merge key `<<:` (it
  silently overrides or drops fields), explicit tags (`!!timestamp`, `!!int`, `!!bool`, `!x`),
  `.nan` and `.inf`, numbers in octal, hex, binary, sexagesimal or with `_` (YAML 1.1 reads
  `0100` as 64), and control characters in text. A refused *value* does not stop the file: it
  becomes a `RefusedValue` that the record reader reports against its record and field, so
  every other problem of the file is still found;
- YAML 1.1's other surprises are switched off: `NO` stays the text "NO" (not false) and dates
  stay text until saydo parses them with their precision.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.cyaml import CParser

from transforms.ingest.files import UnreadableFile, read_capped
from validations.problems import Problem

MAX_CASE_FILE_BYTES = 5 * 1024 * 1024
MAX_NESTING = 10

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Plain decimal numbers only: no leading zeros, no underscores, no other bases.
_PLAIN_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_PLAIN_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_PLAIN_NUMBER_HINT = "write a plain decimal number such as 1500000 or 1.5, or put text in quotes."
# Line breaks and tabs are text; every other control character is refused (a feed's text too:
# transforms.ingest.feeds runs the same pattern in DuckDB, whose RE2 reads it alike).
CONTROL_CHARACTER = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_CONTROL = re.compile(CONTROL_CHARACTER)


def control_character_words(character: str) -> tuple[str, str]:
    """What the door says of text holding `character`, a control character: message and hint."""
    return (
        f"the text holds the control character U+{ord(character):04X}, which a reader cannot see.",
        "delete it; only line breaks and tabs are allowed in text.",
    )


class CaseFileError(Exception):
    def __init__(self, line: int | None, message: str, hint: str = ""):
        self.line = line
        self.message = message
        self.hint = hint
        super().__init__(message)


@dataclass(frozen=True)
class RefusedValue:
    """A scalar the reader would not guess the meaning of; reported where it is used."""

    line: int
    message: str
    hint: str

    def __str__(self) -> str:
        return "(refused value)"


def refused_values(document: object) -> list[RefusedValue]:
    """Every refused value anywhere in a parsed document (keys included)."""
    found: list[RefusedValue] = []
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, RefusedValue):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return sorted(found, key=lambda r: r.line)


class Mapping(dict):
    """A YAML mapping that remembers the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_lines = {}


def _line(node_or_event) -> int:
    return node_or_event.start_mark.line + 1


class _CaseLoader(
    yaml.composer.Composer, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver
):
    """libyaml scans and parses (five times faster than PyYAML's Python scanner); the nodes
    are composed here in Python, so every alias, tag and nesting level passes the checks below.
    Composer comes before CParser so that its composing methods, not libyaml's, are used."""

    def __init__(self, stream):
        CParser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._depth = 0
        # Refused tagged values, parked under the node's value until they are constructed.
        self._refusals: dict[str, RefusedValue] = {}

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise CaseFileError(
                _line(event),
                f"YAML alias '*{event.anchor}' is not allowed in case files.",
                "write the value out in full; aliases can expand to enormous documents.",
            )
        event = self.peek_event()
        explicit_tag = getattr(event, "tag", None) is not None and not (
            isinstance(event, yaml.ScalarEvent) and event.implicit[0]
        )
        if explicit_tag and isinstance(event, yaml.ScalarEvent):
            # An explicit tag on a value (!!int twelve, !!timestamp 2023-02-30, !custom): the
            # value is refused where it stands, and the rest of the file is still read.
            node = super().compose_node(parent, index)
            node.tag = _REFUSED_TAG
            node.value = str(len(self._refusals))
            self._refusals[node.value] = RefusedValue(
                _line(event),
                f"the YAML tag '{_short_tag(event.tag)}' is not allowed in case files.",
                "write the value plainly; put it in quotes to keep it as text.",
            )
            return node
        if explicit_tag:
            raise CaseFileError(
                _line(event),
                f"the YAML tag '{_short_tag(event.tag)}' is not allowed in case files.",
                "write the list or record plainly, without a tag.",
            )
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise CaseFileError(
                    _line(event),
                    f"nesting is deeper than {MAX_NESTING} levels.",
                    "case files are lists of flat records; check the indentation.",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_REFUSED_TAG = "tag:saydo,2026:refused"


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org") else tag


# Keep YAML's int, float and null; drop its timestamps (saydo parses dates with their precision)
# and its yes/no/on/off booleans (a country code NO must stay "NO").
_CaseLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CaseLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _CaseLoader, node: yaml.MappingNode):
    data = Mapping()
    data.line = _line(node)
    yield data
    seen: dict[object, int] = {}
    for key_node, _value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            raise CaseFileError(
                _line(key_node),
                "the merge key '<<' is not allowed in case files.",
                "write every field of the record out in full.",
            )
        if not isinstance(key_node, yaml.ScalarNode):
            raise CaseFileError(_line(key_node), "a key must be plain text.")
        key = key_node.value
        line = _line(key_node)
        if key in seen:
            raise CaseFileError(
                line,
                f"key '{key}' appears twice in the record that starts on line {data.line} "
                f"(first on line {seen[key]}).",
                "keep one; YAML would silently drop the first.",
            )
        seen[key] = line
        data.key_lines[key] = line
    data.update(loader.construct_mapping(node))


def _construct_string(loader: _CaseLoader, node: yaml.ScalarNode) -> str:
    text = unicodedata.normalize("NFC", loader.construct_scalar(node))
    bad = _CONTROL.search(text)
    if bad:
        return RefusedValue(_line(node), *control_character_words(bad.group()))
    return text


def _construct_int(loader: _CaseLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if not _PLAIN_INT.match(text):
        return RefusedValue(
            _line(node),
            f"the number {text} is not a plain decimal number ({_int_trap(text)}).",
            "write it without leading zeros, underscores or a base prefix, or put it in quotes "
            "if it is text (a ticker, a code).",
        )
    return int(text)


def _int_trap(text: str) -> str:
    """What YAML 1.1 would make of a number written this way, in words."""
    digits = text.lstrip("+-")
    try:
        meant = yaml.safe_load(text)
    except yaml.YAMLError:
        meant = text
    if ":" in digits:
        return f"YAML 1.1 reads it as sexagesimal (base 60), {meant!r}"
    if "_" in digits:
        return f"it has an underscore; YAML 1.1 reads it as {meant!r}"
    if digits.lower().startswith("0x"):
        return f"it is hexadecimal; YAML reads it as {meant!r}"
    if digits.lower().startswith("0b"):
        return f"it is binary; YAML reads it as {meant!r}"
    if digits.startswith("0"):
        return f"it has a leading zero; YAML 1.1 reads it as octal, {meant!r}"
    return f"YAML would read it as {meant!r}"


def _construct_float(loader: _CaseLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node)
    if not _PLAIN_FLOAT.match(text):
        lowered = text.lower()
        what = (
            "not a number (NaN)"
            if "nan" in lowered
            else "infinity"
            if "inf" in lowered
            else "not a plain decimal number"
        )
        if ":" in text:
            what = "sexagesimal (base 60) in YAML 1.1"
        elif "_" in text:
            what = "a number with an underscore, which YAML 1.1 drops"
        return RefusedValue(
            _line(node),
            f"{text} is {what}; saydo accepts only plain decimal numbers.",
            _PLAIN_NUMBER_HINT,
        )
    number = float(text)
    if not math.isfinite(number):  # 1.0e+400: too large for a double, read as infinity
        return RefusedValue(
            _line(node),
            f"{text} is too large: it would be stored as infinity; saydo accepts only plain "
            f"decimal numbers.",
            _PLAIN_NUMBER_HINT,
        )
    return number


def _construct_refused(loader: _CaseLoader, node: yaml.ScalarNode) -> RefusedValue:
    return loader._refusals[node.value]


_CaseLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_CaseLoader.add_constructor("tag:yaml.org,2002:str", _construct_string)
_CaseLoader.add_constructor(_INT_TAG, _construct_int)
_CaseLoader.add_constructor(_FLOAT_TAG, _construct_float)
_CaseLoader.add_constructor(_REFUSED_TAG, _construct_refused)


def decode_text(data: bytes) -> str:
    """UTF-8 with or without a byte-order mark; CRLF and CR become LF."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CaseFileError(
            line,
            f"the file is not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}).",
            "save the file as UTF-8 (most editors: 'Save with encoding > UTF-8').",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_case_text(text: str) -> object:
    try:
        return yaml.load(text, Loader=_CaseLoader)
    except CaseFileError:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise CaseFileError(
            line,
            f"not valid YAML: {error.problem or error}.",
            "check the indentation and quoting near that line; quote text that contains ': '.",
        ) from None
    except yaml.reader.ReaderError as error:
        # A character YAML refuses anywhere, even in a comment (control characters).
        # libyaml counts the position in bytes of the UTF-8 text, not in characters.
        line = text.encode("utf-8")[: error.position].count(b"\n") + 1
        raise CaseFileError(
            line,
            f"the file holds the control character U+{error.character:04X}, which a reader "
            f"cannot see.",
            "delete it; only line breaks and tabs are allowed in text.",
        ) from None
    except yaml.YAMLError as error:
        raise CaseFileError(None, f"not valid YAML: {error}.") from None
    except RecursionError:
        raise CaseFileError(None, "the YAML is nested too deeply to read.") from None
    except (ValueError, TypeError, OverflowError) as error:
        # A constructor YAML itself provides failed on a value; say so with the file named.
        raise CaseFileError(None, f"a value cannot be read: {error}.") from None


def read_case_file(
    path: Path, display_name: str, parse: Callable[[str], object] | None = None
) -> tuple[object | None, list[Problem]]:
    """Parse one case file (with `parse`, parse_case_text by default: a build passes its
    ParsedCaseFiles). Returns the document, or None with the problems that stopped it."""
    try:
        data = read_capped(path, MAX_CASE_FILE_BYTES)
        return (parse or parse_case_text)(decode_text(data)), []
    except UnreadableFile as error:
        return None, [Problem(display_name, None, "", "", error.message, error.hint, "read")]
    except CaseFileError as error:
        return None, [Problem(display_name, error.line, "", "", error.message, error.hint, "read")]
