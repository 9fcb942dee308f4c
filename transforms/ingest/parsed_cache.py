"""Case files parsed by an earlier build, kept in `.saydo-cache/` by their text: a rebuild after
an edit to one case file parses that file alone (parsing the real datasets' files is about a
quarter of a second, most of a rebuild's `read` stage).

A parsed document is kept as JSON, each mapping with the lines the reader found for it and its
keys, each refused value with its line and message, so it reads back equal to a fresh parse. The
file is keyed by everything a parse depends on: the reader's own code, PyYAML and its libyaml,
and Python. A cache that cannot be read is passed over and one that cannot be written only costs
time; a file that did not parse is never kept. `saydo release` and `saydo check` never use one
(a release judges everything afresh; a command that reads writes nothing)."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import yaml

from transforms.cache import keep
from transforms.ingest import yaml_reader
from transforms.ingest.yaml_reader import Mapping, RefusedValue


class Uncacheable(Exception):
    """A document holding something the JSON form does not keep (never expected)."""


def _fingerprint() -> str:
    code = Path(yaml_reader.__file__).read_bytes()
    versions = repr((yaml.__version__, yaml.__with_libyaml__, sys.version))
    return hashlib.sha256(code + versions.encode("utf-8")).hexdigest()


def encode(node: object) -> object:
    """A parsed document as JSON values: a mapping {"m": pairs, "l": line, "k": key lines}, a
    refused value {"r": [line, message, hint]}, a list a list, a scalar itself."""
    if type(node) is Mapping:
        return {
            "m": [[encode(key), encode(value)] for key, value in node.items()],
            "l": node.__dict__.get("line"),
            "k": [[encode(key), line] for key, line in node.key_lines.items()],
        }
    if type(node) is list:
        return [encode(item) for item in node]
    if type(node) is RefusedValue:
        return {"r": [node.line, node.message, node.hint]}
    if node is None or type(node) in (str, bool, int, float):
        return node
    raise Uncacheable(type(node).__name__)


def decode(value: object) -> object:
    if type(value) is list:
        return [decode(item) for item in value]
    if type(value) is dict:
        if "r" in value:
            return RefusedValue(*value["r"])
        mapping = Mapping((decode(key), decode(item)) for key, item in value["m"])
        if value["l"] is not None:
            mapping.line = value["l"]
        mapping.key_lines = {decode(key): line for key, line in value["k"]}
        return mapping
    return value


class ParsedCaseFiles:
    """The documents parsed before, by the sha256 of their text; `parse` answers from them or
    parses, and `save` keeps what this build read (nothing else, so the file never grows
    beyond the datasets)."""

    FILE = "case-files.json"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fingerprint = _fingerprint()
        self.known: dict[str, object] = {}
        self.used: dict[str, object] = {}
        self.changed = False
        path = folder / self.FILE
        try:
            if path.is_file() and not path.is_symlink():
                stored = json.loads(path.read_bytes())
                if stored.get("fingerprint") == self.fingerprint:
                    self.known = dict(stored["documents"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            self.known = {}  # a broken cache costs a full parse, never a wrong document

    def parse(self, text: str) -> object:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        if digest in self.known:
            try:
                document = decode(self.known[digest])
                self.used[digest] = self.known[digest]
                return document
            except (TypeError, ValueError, KeyError):
                self.changed = True
        document = yaml_reader.parse_case_text(text)  # raises CaseFileError: never kept
        try:
            self.used[digest] = encode(document)
            self.changed = True
        except Uncacheable:
            pass
        return document

    def save(self) -> None:
        if not self.changed and self.used.keys() == self.known.keys():
            return
        data = {"fingerprint": self.fingerprint, "documents": self.used}
        keep(self.folder, self.FILE, json.dumps(data).encode("ascii"))
