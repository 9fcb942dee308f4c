"""Case files a plain build parsed before are read back from `.saydo-cache/`, equal to a fresh
parse, and never stand in for a file whose text or reader changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import (
    REPO,
    TODAY,
    minimal_case,
    read_as_the_build_reads,
    write_case,
    write_variant,
)
from transforms.build import build
from transforms.ingest import yaml_reader
from transforms.ingest.parsed_cache import ParsedCaseFiles, decode, encode

# A file with each kind of node the reader makes: nested mappings with their lines, a list,
# text, a whole number, a decimal, true, an empty value, and three values the reader refuses
# (an octal-looking number, .nan, an explicit tag), one of them a key.
EVERY_KIND = """\
case:
  title: Every kind
  count: 12
  share: 0.25
  flag: true
  empty:
claims:
  - claim_id: a
    amount: 0100
    ratio: .nan
    nested:
      - inner: !!str text
0100: a key refused
"""


def _same(fresh: object, cached: object) -> bool:
    """Equal values of the same types, with the same lines on every mapping and key."""
    if type(fresh) is not type(cached):
        return False
    if isinstance(fresh, yaml_reader.Mapping):
        return (
            fresh.__dict__ == cached.__dict__
            and list(fresh) == list(cached)
            and all(_same(fresh[key], cached[key]) for key in fresh)
        )
    if isinstance(fresh, list):
        return len(fresh) == len(cached) and all(map(_same, fresh, cached))
    return fresh == cached


def test_every_real_case_file_and_every_kind_of_node_reads_back_as_parsed(tmp_path: Path) -> None:
    every_kind = yaml_reader.parse_case_text(EVERY_KIND)
    refused = yaml_reader.refused_values(every_kind)
    assert [value.line for value in refused] == [9, 10, 12, 13]  # the test's own premise
    assert every_kind.line == 1 and every_kind["claims"][0].key_lines["amount"] == 9
    documents = [every_kind] + [
        yaml_reader.read_case_file(path, path.name)[0]
        for path in sorted((REPO / "datasets").rglob("*.yaml"))
    ]
    assert len(documents) > 30
    # Through JSON text, as the cache keeps them.
    for document in documents:
        assert _same(document, decode(json.loads(json.dumps(encode(document)))))


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The titles of the case files parsed afresh from now on."""
    parsed: list[str] = []
    real = yaml_reader.parse_case_text

    def watch(text: str) -> object:
        document = real(text)
        parsed.append(document["case"]["title"])
        return document

    monkeypatch.setattr(yaml_reader, "parse_case_text", watch)
    return parsed


def _titled(title: str, summary: str = "Acme denied it.") -> dict:
    case = minimal_case()
    case["case"]["title"] = title
    case["claims"][0]["summary"] = summary
    return case


def _read(datasets: Path, cache: Path) -> None:
    with read_as_the_build_reads(datasets, cache):
        pass


def test_a_rebuild_parses_only_the_file_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    datasets = tmp_path / "datasets"
    write_variant(datasets, _titled("First"), "first")
    write_variant(datasets, _titled("Second"), "second")
    parsed = _parses(monkeypatch)
    # A build keeps what it parsed beside its dist/ (test_build's byte-identical builds show a
    # build from the cache is the same, to the byte).
    build(datasets, tmp_path / "dist", today=TODAY, gate=False)
    assert sorted(parsed) == ["First", "Second"]
    cache = tmp_path / ".saydo-cache"
    assert (cache / ParsedCaseFiles.FILE).is_file()

    # One file edited: it alone is parsed, the other read from the cache.
    parsed.clear()
    write_variant(datasets, _titled("Second", "Acme denied it again."), "second")
    _read(datasets, cache)
    assert parsed == ["Second"]
    # What is kept is what the read used: two documents, the edited file as it is now.
    kept = json.loads((cache / ParsedCaseFiles.FILE).read_bytes())
    assert len(kept["documents"]) == 2
    # Nothing changed: nothing parsed.
    parsed.clear()
    _read(datasets, cache)
    assert parsed == []


def test_a_cache_from_another_reader_or_a_broken_one_is_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    datasets = tmp_path / "datasets"
    write_case(datasets, minimal_case())
    cache = tmp_path / ".saydo-cache"
    _read(datasets, cache)
    kept = cache / ParsedCaseFiles.FILE
    stored = json.loads(kept.read_bytes())
    parsed = _parses(monkeypatch)
    _read(datasets, cache)
    assert parsed == []  # the test's premise: read from the cache as it stands

    # The same text under another reader (its code, PyYAML or Python changed): parsed again.
    kept.write_text(json.dumps({**stored, "fingerprint": "another reader"}))
    _read(datasets, cache)
    assert parsed == ["Acme test case"]

    # A file that is not JSON or is nested too deep to read, or a document no parse gives (a
    # mapping without its pairs, a refused value whose line is text): parsed again, never a
    # crash or a wrong document.
    not_documents = [
        {"l": 1},
        {"m": [["case", {"r": ["4", "refused", ""]}]], "l": 1, "k": [["case", 1]]},
    ]
    broken_files = [b"{not json", b"[" * 100_000] + [
        json.dumps(
            {**stored, "documents": {digest: document for digest in stored["documents"]}}
        ).encode()
        for document in not_documents
    ]
    for broken in broken_files:
        parsed.clear()
        kept.write_bytes(broken)
        _read(datasets, cache)
        assert parsed == ["Acme test case"]
