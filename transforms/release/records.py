"""The release records kept in `releases/`: what each release published, verified before use.

Since format 2, a release is two files:
- `releases/<version>.json`: the envelope (version, the day it was released, data date, method
  version, every table's columns with their types and allowed values, row counts, headline
  scores), the sha256 of the records file, the sha256 of the previous release's envelope (a
  chain), and a checksum of the envelope itself;
- `releases/<version>.parquet`: one row per published record (table, id, whether it was
  retracted) with digests of its values (see `transforms.release.manifest`).

Release 1.0.0 was recorded in format 1 (one JSON file with a hash of every value); it is read as
it is, and anchored by its sha256, written below, because it predates checksums.

A file that does not verify, a record file that is missing or altered, a stray file, or an empty
or broken JSON stops the build with a message naming the file."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from validations.problems import Problem, printable

FORMAT = 2
FIRST_VERSION = "1.0.0"
# Releases recorded before records carried their own checksums, by the sha256 of their file.
ANCHORED = {"1.0.0": "1f26f0db322e517a1c7323f1cf2ac47f280e33597fe650faa184094bf4083ab2"}
_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


class ReleaseRecordError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def envelope_checksum(envelope: dict) -> str:
    """sha256 of the envelope's canonical JSON, without its own checksum."""
    body = {k: v for k, v in envelope.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Release:
    version: str
    released_on: dt.date
    data_date: dt.date
    method_version: str
    format: int
    # table -> [[column, type, allowed values or None], ...]
    columns: dict[str, list[list]]
    scores: dict
    path: Path
    # table -> rows, digest_columns, run_length (format 2; format 1 has rows only)
    tables: dict[str, dict] = field(default_factory=dict)
    hash_engine: str | None = None
    # Format 1: table -> record id -> list of value hashes (in column order).
    values: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # Format 2: the records file.
    records_path: Path | None = None

    @property
    def display(self) -> str:
        return f"releases/{self.path.name}"


def problem_at(path: Path, message: str, hint: str = "") -> Problem:
    return Problem(
        f"releases/{printable(path.name)}", None, "", "", message, hint, "release_record"
    )


def _load_json(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReleaseRecordError(
            [
                problem_at(
                    path,
                    f"is not a readable release record: {printable(error)}.",
                    "restore it from git (`git checkout releases/`).",
                )
            ]
        ) from None
    if not isinstance(document, dict):
        raise ReleaseRecordError(
            [
                problem_at(
                    path, "is not a release record (not a JSON object).", "restore it from git."
                )
            ]
        )
    return document


def _read_format_1(path: Path, document: dict) -> Release:
    expected = ANCHORED.get(document.get("version", ""))
    if expected is None or sha256_of(path) != expected:
        raise ReleaseRecordError(
            [
                problem_at(
                    path,
                    "does not match the release it records (its sha256 differs from the "
                    "one saydo knows for it).",
                    "restore it from git; a released record is never edited.",
                )
            ]
        )
    tables = document["tables"]
    return Release(
        version=document["version"],
        released_on=dt.date.fromisoformat(document["data_date"]),
        data_date=dt.date.fromisoformat(document["data_date"]),
        method_version=document["method_version"],
        format=1,
        columns={name: [[c, t, None] for c, t in spec["columns"]] for name, spec in tables.items()},
        scores=document.get("scores", {}),
        path=path,
        tables={name: {"rows": len(spec["records"])} for name, spec in tables.items()},
        values={name: spec["records"] for name, spec in tables.items()},
    )


def _read_format_2(path: Path, document: dict) -> Release:
    problems = []
    required = (
        "version",
        "released_on",
        "data_date",
        "method_version",
        "tables",
        "records",
        "checksum",
    )
    missing = [k for k in required if k not in document]
    if missing:
        raise ReleaseRecordError(
            [
                problem_at(
                    path,
                    f"is not a complete release record (missing {', '.join(missing)}).",
                    "restore it from git.",
                )
            ]
        )
    if envelope_checksum(document) != document["checksum"]:
        problems.append(
            problem_at(
                path,
                "has been edited: its checksum does not match its content.",
                "restore it from git; a released record is never edited.",
            )
        )
    records = path.with_name(document["records"]["file"])
    if not records.is_file() or records.is_symlink():
        problems.append(
            problem_at(
                path,
                f"names its records file {document['records']['file']}, which is missing.",
                "restore it from git.",
            )
        )
    elif sha256_of(records) != document["records"]["sha256"]:
        problems.append(
            problem_at(
                records,
                "has been altered: its sha256 is not the one its release recorded.",
                "restore it from git.",
            )
        )
    if problems:
        raise ReleaseRecordError(problems)
    return Release(
        version=document["version"],
        released_on=dt.date.fromisoformat(document["released_on"]),
        data_date=dt.date.fromisoformat(document["data_date"]),
        method_version=document["method_version"],
        format=2,
        columns={name: spec["columns"] for name, spec in document["tables"].items()},
        scores=document.get("scores", {}),
        path=path,
        tables=document["tables"],
        hash_engine=document.get("hash_engine"),
        records_path=records,
    )


def read_release(path: Path) -> Release:
    document = _load_json(path)
    version = document.get("version")
    if not isinstance(version, str) or version != path.stem:
        raise ReleaseRecordError(
            [
                problem_at(
                    path,
                    f"says it is release {printable(version)!s}, but its file name says "
                    f"{path.stem}.",
                    "restore it from git.",
                )
            ]
        )
    reader = {1: _read_format_1, 2: _read_format_2}.get(document.get("format"))
    if reader is None:
        raise ReleaseRecordError(
            [
                problem_at(
                    path,
                    f"has an unknown format {printable(document.get('format'))}.",
                    "restore it from git, or update saydo.",
                )
            ]
        )
    return reader(path, document)


def read_releases(folder: Path) -> list[Release]:
    """Every release in `folder`, oldest first, each verified, with the chain between them."""
    if not folder.is_dir():
        return []
    problems: list[Problem] = []
    releases: list[Release] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or (path.suffix == ".parquet" and _VERSION.match(path.stem)):
            continue
        if (
            path.suffix != ".json"
            or not _VERSION.match(path.stem)
            or not path.is_file()
            or path.is_symlink()
        ):
            problems.append(
                problem_at(
                    path,
                    "is not a release record; releases/ holds only X.Y.Z.json "
                    "records and their X.Y.Z.parquet files.",
                    "move it out of releases/.",
                )
            )
            continue
        try:
            releases.append(read_release(path))
        except ReleaseRecordError as error:
            problems += error.problems
    if problems:
        raise ReleaseRecordError(problems)
    releases.sort(key=lambda r: version_key(r.version))
    problems += _chain_problems(releases)
    if problems:
        raise ReleaseRecordError(problems)
    return releases


def _chain_problems(releases: list[Release]) -> list[Problem]:
    problems = []
    for previous, release in itertools.pairwise(releases):
        if release.format < 2:
            continue
        link = _load_json(release.path).get("previous") or {}
        if link.get("version") != previous.version or link.get("sha256") != sha256_of(
            previous.path
        ):
            problems.append(
                problem_at(
                    release.path,
                    f"does not chain to release {previous.version}: the "
                    "earlier record was changed, removed or replaced.",
                    "restore releases/ from git.",
                )
            )
    return problems


def write_release(
    folder: Path,
    envelope: dict,
    records_file: Path,
    previous: Release | None,
) -> Path:
    """Record a release: copy its records file, chain it to the previous release, checksum it."""
    folder.mkdir(parents=True, exist_ok=True)
    version = envelope["version"]
    target_records = folder / f"{version}.parquet"
    target_records.write_bytes(records_file.read_bytes())
    envelope = dict(envelope)
    envelope["format"] = FORMAT
    envelope["records"] = {"file": target_records.name, "sha256": sha256_of(target_records)}
    envelope["previous"] = (
        {"version": previous.version, "sha256": sha256_of(previous.path)} if previous else None
    )
    envelope["checksum"] = envelope_checksum(envelope)
    target = folder / f"{version}.json"
    target.write_text(
        json.dumps(envelope, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return target
