"""Shared fixtures: a small hand-made case that every test can copy and break.

A build costs about a second whatever its size (most of it is DuckDB planning and pandera's
checks, per table), so the fast suite's time is its number of builds. Where a test needs many
variants of the case (a catalogue of bad input, the scoring rules), they share one build: each
variant in a case file of its own, its ids prefixed (`write_variant`), and each test reads only
what names its own file or ids (tests/test_rule_catalogue.py, test_bad_input.py, the variants
in test_scoring.py). A variant whose records would meet another's (a release, a feed) keeps a
build of its own. A build that tests only read (the hand-made case, the real datasets, a
catalogue's refusal, a recorded release) is made once for the whole run, by whichever xdist
worker asks first (`once_per_run`, `made_once`, `record`); a test copies what it changes."""

from __future__ import annotations

import copy
import datetime as dt
import fcntl
import hashlib
import json
import os
import pickle
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
import yaml

from schemas.registry import FIELDS
from schemas.types import SLUG

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# Builds in tests see a fixed "today" so future-date rules do not drift with the calendar.
TODAY = dt.date(2025, 1, 1)
# The day a test's first release is published: the day its records were recorded, so what a
# later release adds (dated up to TODAY) is never dated before it.
FIRST_RELEASE_DAY = dt.date(2024, 1, 10)
# The `saydo` command a user runs, installed beside this Python.
SAYDO = str(Path(sys.executable).parent / "saydo")


def examples(default: int) -> int:
    """How many generated examples a property or fuzz test tries: few by default, so the suite
    stays quick; `SAYDO_EXAMPLES=500 make test` searches harder."""
    return int(os.environ.get("SAYDO_EXAMPLES", default))


# A complete, valid case in the shape a journalist writes: two sources, a parent with a
# subsidiary and an unrelated company, an English and an Arabic claim, evidence, a link and a
# response. Tests deep-copy it and break one thing.
MINIMAL_CASE: dict = {
    "case": {"title": "Acme test case", "recorded_on": "2024-01-10"},
    "sources": [
        {
            "source_id": "src-report",
            "publisher": "Example News",
            "title": "Files show Acme did it",
            "url": "https://example.org/report",
            "published_date": "2023-05-02",
            "source_lang": "en",
            "source_type": "investigative_journalism",
            "review_status": "verified",
        },
        {
            "source_id": "src-company",
            "publisher": "Acme",
            "source_lang": "en",
            "source_type": "company_statement",
            "published_date": "2023-03",
            "review_status": "verified",
        },
        {
            "source_id": "src-company-ar",
            "publisher": "Acme",
            "source_lang": "ar",
            "source_type": "company_statement",
            "published_date": "2023",
            "review_status": "verified",
        },
    ],
    "companies": [
        {
            "company_id": "acme",
            "name": "Acme",
            "country": "US",
            "source_id": "src-company",
            "review_status": "verified",
        },
        {
            "company_id": "acme-sub",
            "name": "Acme Sub",
            "parent_company_id": "acme",
            "parent_relationship": "subsidiary",
            "source_id": "src-company",
            "review_status": "verified",
        },
        {
            "company_id": "other",
            "name": "Other Co",
            "source_id": "src-company",
            "review_status": "verified",
        },
    ],
    "company_names": [
        {
            "company_id": "acme",
            "alt_name": "أكمي",
            "alt_name_lang": "ar",
            "source_id": "src-company",
            "review_status": "verified",
        },
    ],
    "claims": [
        {
            "claim_id": "acme-denial",
            "company_id": "acme",
            "source_id": "src-company",
            "claim_date": "2023-03",
            "topic": "human_rights",
            "claim_type": "denial",
            "quote": "We never did it.",
            "quote_lang": "en",
            "quote_kind": "verbatim",
            "summary": "Acme denied it.",
            "review_status": "verified",
        },
        {
            "claim_id": "acme-arabic",
            "company_id": "acme",
            "source_id": "src-company-ar",
            "claim_date": "2023",
            "topic": "human_rights",
            "claim_type": "commitment",
            "quote": "نحن نحترم حقوق الإنسان",
            "quote_lang": "ar",
            "quote_en": "We respect human rights",
            "quote_kind": "verbatim",
            "quote_en_origin": "saydo_translation",
            "summary": "Acme said it respects human rights.",
            "review_status": "verified",
        },
    ],
    "evidence": [
        {
            "evidence_id": "acme-files",
            "company_id": "acme-sub",
            "source_id": "src-report",
            "evidence_date": "2023-05-02",
            "evidence_type": "investigative_finding",
            "voice": "third_party",
            "quote": "Files show it.",
            "quote_lang": "en",
            "quote_kind": "verbatim",
            "summary": "Files show Acme's subsidiary did it.",
            "review_status": "verified",
        },
        {
            "evidence_id": "other-files",
            "company_id": "other",
            "source_id": "src-report",
            "evidence_date": "2023-05-02",
            "evidence_type": "investigative_finding",
            "voice": "third_party",
            "summary": "Something about another company.",
            "review_status": "needs_review",
            "review_note": "No wording recorded.",
        },
    ],
    "links": [
        {
            "claim_id": "acme-denial",
            "evidence_id": "acme-files",
            "relation": "refutes",
            "confidence": "high",
            "rationale": "The files show what the denial denies.",
        },
    ],
    "responses": [
        {
            "response_id": "acme-reply",
            "company_id": "acme",
            "evidence_id": "acme-files",
            "response_type": "reply",
            "response_date": "2023-06-01",
            "source_id": "src-report",
            "quote": "We stand by our statement.",
            "quote_lang": "en",
            "quote_kind": "verbatim",
            "summary": "Acme stood by its denial.",
            "review_status": "verified",
        },
    ],
}


def feed_row(**values) -> dict:
    """One valid evidence row of a feed about Acme, with `values` changed."""
    return {
        "evidence_id": "feed-row",
        "company_id": "acme",
        "source_id": "src-report",
        "evidence_date": "2023-05-02",
        "evidence_date_precision": "day",
        "evidence_type": "investigative_finding",
        "voice": "third_party",
        "summary": "A feed row.",
        "review_status": "verified",
        "recorded_on": "2024-01-10",
    } | values


def minimal_case() -> dict:
    return copy.deepcopy(MINIMAL_CASE)


def identify(case: dict, scheme: str, identifier: str) -> None:
    """Give Acme an identifier in `scheme` (isin, lei, ticker, ...), beside any it has."""
    case.setdefault("company_identifiers", []).append(
        {
            "company_id": "acme",
            "scheme": scheme,
            "identifier": identifier,
            "source_id": "src-company",
            "review_status": "verified",
        }
    )


# Every field that holds a record's id or points at one: the registry's slug fields, and a
# correction's record_id (which names a claim, a piece of evidence, ...).
ID_FIELDS = frozenset(
    {name for name, field in FIELDS.items() if field.semantic is SLUG} | {"record_id"}
)


def namespaced(case: dict, prefix: str) -> dict:
    """`case` with every id it holds or points at prefixed by `prefix-`, so that several cases
    can share one build without their records meeting: a reference that resolved still
    resolves, and one that dangled still dangles."""

    def rename(value):
        if isinstance(value, dict):
            return {
                key: f"{prefix}-{item}"
                if key in ID_FIELDS and isinstance(item, str)
                else rename(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [rename(item) for item in value]
        return value

    return rename(case)


def variant_name(label: str) -> str:
    """A label (a rule kind, a test's words, a function's name) as a case file's name and the
    prefix of its ids: 'id with capitals' -> 'id-with-capitals'."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def write_variant(datasets: Path, case: dict, name: str) -> Path:
    """`case` as datasets/cases/<name>.yaml with its ids prefixed by `name-`, beside other
    variants in one build."""
    return write_case(datasets, namespaced(case, name), name)


@dataclass(frozen=True)
class Refused:
    """A refused build over a release: what it reported, and dist/ before and after."""

    problems: list
    dist_before: dict[str, str]
    dist_after: dict[str, str]
    left_behind: list[Path]  # staging folders the build should have removed


def refused_over(folder: Path, release: Path) -> Refused:
    """Build folder/datasets into folder/dist, a copy of `release`; the build must refuse."""
    from transforms.build import build
    from validations.problems import InputError

    out = folder / "dist"
    shutil.copytree(release, out)
    before = snapshot(out)
    with pytest.raises(InputError) as caught:
        build(folder / "datasets", out, today=TODAY, gate=False)
    return Refused(
        caught.value.problems, before, snapshot(out), list(folder.glob("dist.building-*"))
    )


def corrected(case: dict, field: str, value: str, previous: str, on: str, reason: str) -> dict:
    """`case` (the hand-made case or a copy) with its denial's `field` changed from `previous`
    to `value`, and the correction record that says so, dated `on`."""
    case["claims"][0][field] = value
    case["corrections"] = [
        {
            "table_name": "claims",
            "record_id": case["claims"][0]["claim_id"],
            "field_name": field,
            "previous_value": previous,
            "corrected_on": on,
            "reason": reason,
        }
    ]
    return case


# libyaml's emitter writes what yaml.safe_dump writes, four times faster (a case file is written
# some two hundred times a run).
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write_case(datasets: Path, case: dict, name: str = "acme") -> Path:
    path = datasets / "cases" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(case, Dumper=_YAML_DUMPER, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under folder with its sha256, to show a failed build changed nothing."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _content_digest(path: Path) -> str | None:
    """Every entry under path (or path itself) by relative name and kind: a regular file by
    its bytes, a link by its target, anything else by its mode, a folder by being there. The
    build treats each kind differently (a link or a FIFO named like a case file is refused)."""
    if not path.exists() and not path.is_symlink():
        return None
    digest = hashlib.sha256()
    entries = [path]
    if path.is_dir() and not path.is_symlink():
        for folder, folders, files in os.walk(path, followlinks=False):
            entries += [Path(folder) / name for name in sorted(folders + files)]
    for entry in entries:
        mode = entry.lstat().st_mode
        if stat.S_ISLNK(mode):
            content = b"link:" + os.readlink(entry).encode()
        elif stat.S_ISREG(mode):
            content = b"file:" + entry.read_bytes()
        else:
            content = f"mode:{stat.S_IFMT(mode)}".encode()
        digest.update(str(entry.relative_to(path.parent)).encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


# What `record` wrote, for the whole run (every test worker), by everything it read: the same
# inputs are recorded once and copied after (a recorded release is byte-identical wherever it is
# written, as test_build and test_release show), which spares about twenty builds of the same
# first release.
_RECORD_OUTPUTS = ("dist", "releases", "CHANGELOG.md")


def record(folder: Path, day: dt.date = FIRST_RELEASE_DAY, gate: bool = False) -> Path:
    """Record folder/datasets as a release, as `saydo release` does: built into folder/dist,
    recorded in folder/releases and folder/CHANGELOG.md on `day`. Returns the releases folder."""
    from transforms.release.recording import record_release

    key = repr(
        (
            day,
            gate,
            # Not .saydo-cache: a release never reads it (test_door_cache shows it).
            *(_content_digest(folder / name) for name in ("datasets", *_RECORD_OUTPUTS)),
        )
    )

    def make(kept: Path) -> None:
        for name in ("datasets", *_RECORD_OUTPUTS):
            _copy(folder / name, kept / name)
        record_release(
            kept / "datasets",
            kept / "dist",
            kept / "releases",
            kept / "CHANGELOG.md",
            day,
            gate=gate,
        )

    kept = once_per_run(f"recorded-{hashlib.sha256(key.encode()).hexdigest()[:16]}", make)
    for name in _RECORD_OUTPUTS:
        _copy(kept / name, folder / name)
    return folder / "releases"


def _copy(source: Path, target: Path) -> None:
    """source in place of target (a folder or a file), or target gone if source is."""
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    if source.is_dir():
        shutil.copytree(source, target)
    elif source.exists():
        shutil.copy2(source, target)


def once_per_run(name: str, make: Callable[[Path], None]) -> Path:
    """The folder `make` filled, made once for the whole test run: whichever test worker asks
    first makes it, under a lock, and the others wait and read it. Callers copy what they
    change. (xdist gives each worker its own temporary folder under one shared parent.)"""
    root = _run_folder()
    folder = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".made").exists():
            if folder.exists():
                shutil.rmtree(folder)  # a worker stopped halfway
            folder.mkdir()
            make(folder)
            (folder / ".made").touch()
    return folder


Made = TypeVar("Made")


def made_once(name: str, make: Callable[[Path], Made]) -> Made:
    """What `make(folder)` returns, made once for the whole run (once_per_run) and read back by
    every worker: for a module's costly fixture (one build standing for a catalogue), which
    xdist's work stealing would otherwise make on both workers. The value must pickle."""

    def fill(folder: Path) -> None:
        (folder / "made.pickle").write_bytes(pickle.dumps(make(folder)))

    return pickle.loads((once_per_run(name, fill) / "made.pickle").read_bytes())


_RUN_FOLDER: list[Path] = []


def _run_folder() -> Path:
    if not _RUN_FOLDER:
        raise RuntimeError("once_per_run is used from a test or fixture, after the session starts")
    return _RUN_FOLDER[0]


@pytest.fixture(scope="session", autouse=True)
def _shared_run_folder(tmp_path_factory: pytest.TempPathFactory):
    basetemp = tmp_path_factory.getbasetemp()
    # Under xdist each worker's folder (popen-gwN) sits in the run's own folder.
    shared = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp
    _RUN_FOLDER[:] = [shared / "once-per-run"]
    _RUN_FOLDER[0].mkdir(exist_ok=True)
    yield


# --- hostile text, built once by the real command ------------------------------------------
HOSTILE = (
    "<script>alert('saydo')</script> =cmd|' /C calc'!A0 '; DROP TABLE claims; -- "
    '\u202egnp.exe\u202c "quoted" & <b>bold</b>'
)


def hostile_case() -> dict:
    """The hand-made case with hostile text in its first claim and its link, and a script in
    the second claim's summary (which test_cli's report must show as text)."""
    case = minimal_case()
    case["claims"][0]["quote"] = HOSTILE
    case["claims"][0]["summary"] = '=HYPERLINK("http://evil.example","click")'
    case["claims"][1]["summary"] = "Acme said it respects human rights. <script>alert(1)</script>"
    case["links"][0]["rationale"] = "'); DELETE FROM evidence; --"
    return case


def hostile_build() -> tuple[Path, dict]:
    """`saydo build` of hostile_case(), run as a shell runs it with its output into a pipe, once
    for the whole test run (conftest.once_per_run): the folder of its datasets/ and dist/, and
    what it printed. Read by test_hostile and test_cli (its queries, report and quiet pipe)."""

    def make(folder: Path) -> None:
        write_case(folder / "datasets", hostile_case())
        command = [SAYDO, "build", "--datasets", str(folder / "datasets")]
        command += ["--out", str(folder / "dist"), "--no-gate"]
        # This checkout's code, wherever the installed script's editable path points.
        environment = {**os.environ, "PYTHONPATH": str(REPO)}
        result = subprocess.run(command, capture_output=True, text=True, env=environment)
        printed = {"returncode": result.returncode, "out": result.stdout, "err": result.stderr}
        (folder / "printed.json").write_text(json.dumps(printed), encoding="utf-8")

    folder = once_per_run("hostile-build", make)
    return folder, json.loads((folder / "printed.json").read_text(encoding="utf-8"))


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    folder = tmp_path / "datasets"
    write_case(folder, minimal_case())
    return folder


@pytest.fixture(scope="session")
def minimal_release() -> Path:
    """The hand-made case built once for the run; tests get copies (see `built`)."""
    from transforms.build import build

    def make(folder: Path) -> None:
        write_case(folder / "datasets", minimal_case())
        build(folder / "datasets", folder / "dist", today=TODAY, gate=False)

    return once_per_run("minimal-release", make) / "dist"


@pytest.fixture
def built(tmp_path: Path, datasets: Path, minimal_release: Path) -> Path:
    """The hand-made case's release in this test's own folder, beside its datasets/: a copy of
    the one build (builds are byte-identical wherever they are written, as test_build shows),
    so a test may change it freely."""
    out = tmp_path / "dist"
    shutil.copytree(minimal_release, out)
    return out


@dataclass
class Loaded:
    """What the reader made of `datasets/`: its problems (before validation) and each table's
    rows as a polars frame."""

    problems: list
    frames: dict


@contextmanager
def read_as_the_build_reads(datasets: Path, cache: Path | None = None) -> Iterator[tuple]:
    """`datasets` read into a work database as the build's read stage does (with `cache`, as a
    plain build beside that cache folder): the connection and what was read
    (transforms.ingest.read.Ingested), for a test of a stage after it."""
    from transforms.build import open_work_database
    from transforms.ingest.read import read_datasets

    with tempfile.TemporaryDirectory(prefix="saydo-read-") as folder:
        scratch = Path(folder)
        con = open_work_database(scratch / "work.duckdb", scratch)
        try:
            yield con, read_datasets(datasets, con, scratch, cache)
        finally:
            con.close()


def load(datasets: Path) -> Loaded:
    import polars as pl

    from schemas.registry import TABLES

    with read_as_the_build_reads(datasets) as (con, ingested):
        frames = {
            name: pl.from_arrow(
                con.sql(f"select * exclude (_origin) from {name} order by _origin").to_arrow_table()
            )
            for name in TABLES
        }
    return Loaded(ingested.problems, frames)


def validate_stage(datasets: Path, cache: Path | None = None, today: dt.date = TODAY) -> None:
    """The build's read and validate stages (transforms.build.validate), with pandera's
    verdicts kept in `cache` as a plain build keeps them in .saydo-cache/. Raises InputError
    where the build would be refused."""
    from transforms.build import validate

    with read_as_the_build_reads(datasets) as (con, ingested):
        validate(con, ingested, today, cache)


@pytest.fixture(scope="session")
def real_release() -> Path:
    """The real datasets/ built once for the run, for tests that only read it."""
    from transforms.build import build

    def make(folder: Path) -> None:
        build(REPO / "datasets", folder / "dist", gate=False)

    return once_per_run("real-release", make) / "dist"
