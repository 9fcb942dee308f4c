"""Case files parsed by an earlier build, kept in `.saydo-cache/` by their text: a rebuild after
an edit to one case file parses that file alone (parsing the real datasets' files is about a
quarter of a second, most of a rebuild's `read` stage).

A parsed document is kept as JSON, each mapping with the lines the reader found for it and its
keys, each refused value with its line and message, so it reads back equal to a fresh parse. The
file is keyed by everything a parse depends on: the reader's code and this module's, PyYAML,
libyaml and Python. A cache that cannot be read (damaged, nested too deep, a value no parse
gives) is passed over and one that cannot be written only costs time; a file that did not parse
is never kept. Like pandera's kept verdicts, a document edited by hand in the cache is read as it
stands: the records it gives are judged by the door and the rules like any other, and `saydo
release` and `saydo check` never use a cache (a release judges everything afresh; a command
that reads writes nothing)."""

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
    """The reader's code and this module's (the JSON form), PyYAML, libyaml and Python."""
    from yaml import _yaml

    code = Path(yaml_reader.__file__).read_bytes() + Path(__file__).read_bytes()
    versions = repr((yaml.__version__, _yaml.get_version_string(), sys.version))
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
    """The document `encode` gave; ValueError for anything it could not have given (the file
    is the build's own, but may be damaged or edited)."""
    if type(value) is list:
        return [decode(item) for item in value]
    if type(value) is dict:
        if "r" in value:
            line, message, hint = value["r"]
            if type(line) is not int or type(message) is not str or type(hint) is not str:
                raise ValueError("not a refused value")
            return RefusedValue(line, message, hint)
        mapping = Mapping((_key(key), decode(item)) for key, item in value["m"])
        if value["l"] is not None:
            if type(value["l"]) is not int:
                raise ValueError("not a line")
            mapping.line = value["l"]
        mapping.key_lines = {_key(key): line for key, line in value["k"]}
        if any(type(line) is not int for line in mapping.key_lines.values()):
            raise ValueError("not a line")
        return mapping
    if value is None or type(value) in (str, bool, int, float):
        return value
    raise ValueError("not a value")


def _key(value: object) -> object:
    key = decode(value)
    if not (key is None or type(key) in (str, bool, int, float, RefusedValue)):
        raise ValueError("not a key")
    return key


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
                    self.known = {
                        str(digest): document for digest, document in stored["documents"].items()
                    }
        except Exception:  # RecursionError included: nested too deep to read
            self.known = {}  # a broken cache costs a full parse, never a crash

    def parse(self, text: str) -> object:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        if digest in self.known:
            try:
                document = decode(self.known[digest])
                self.used[digest] = self.known[digest]
                return document
            except Exception:  # not a document encode gives, damaged or edited
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
