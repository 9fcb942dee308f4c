"""The files that make a build a release: SHA256SUMS, the DuckDB file made the same bytes on
every build, datapackage.json and the CHANGELOG section."""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import duckdb

from schemas.generate import frictionless_schema
from schemas.registry import PUBLISHED_TABLES, release_file
from schemas.views import VIEWS
from transforms.release.manifest import Comparison
from transforms.release.records import sha256_of

DATA_LICENCE = "CC-BY-4.0"
LICENSES = [
    {
        "name": DATA_LICENCE,
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0",
    }
]


# Digests of the files a build has just written, by path and stat, so the data package and
# SHA256SUMS read each file once (a 10-million-claim release is gigabytes). Only for writing:
# verifying a release always hashes the bytes again.
_BUILD_DIGESTS: dict[tuple[str, int, int, int], str] = {}


def build_sha256(path: Path) -> str:
    info = path.stat()
    key = (str(path.resolve()), info.st_ino, info.st_size, info.st_mtime_ns)
    if key not in _BUILD_DIGESTS:
        _BUILD_DIGESTS[key] = sha256_of(path)
    return _BUILD_DIGESTS[key]


def write_checksums(folder: Path) -> Path:
    """SHA256SUMS for every file in the release, in `sha256sum -c` format."""
    lines = [
        f"{build_sha256(p)}  {p.relative_to(folder).as_posix()}"
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "SHA256SUMS"
    ]
    target = folder / "SHA256SUMS"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


_DUCKDB_HEADER_ID = slice(124, 140)  # the random file identifier DuckDB 2.0.1 writes
_CHECKSUM_FACTOR = 0xBF58476D1CE4E5B9


def _header_checksum(block: bytes) -> int:
    result = 5381
    for (word,) in struct.iter_unpack("<Q", block):
        result ^= (word * _CHECKSUM_FACTOR) & 0xFFFFFFFFFFFFFFFF
    return result


def normalize_duckdb_file(path: Path) -> bool:
    """Zero the random identifier DuckDB writes into a database file's main header (and fix
    the header's checksum), so two builds of the same data give the same bytes. Done only for
    the pinned DuckDB whose header layout was checked, and only if the file still opens;
    otherwise the file is left as written. Returns whether it was normalized."""
    if duckdb.__version__ != "2.0.1":
        return False
    with open(path, "r+b") as handle:
        original = handle.read(4096)
        header = bytearray(original)
        if len(header) < 4096 or struct.unpack("<Q", header[:8])[0] != _header_checksum(
            bytes(header[8:])
        ):
            return False
        header[_DUCKDB_HEADER_ID] = bytes(16)
        header[:8] = struct.pack("<Q", _header_checksum(bytes(header[8:])))
        handle.seek(0)
        handle.write(header)
    try:
        con = duckdb.connect(str(path), read_only=True)
        con.execute("select count(*) from duckdb_tables()").fetchall()
        con.close()
    except duckdb.Error:
        with open(path, "r+b") as handle:
            handle.write(original)
        return False
    return True


def datapackage(
    folder: Path,
    version: str,
    data_date: dt.date,
    method_version: str,
    sources: list[dict],
) -> dict:
    """A Frictionless data package describing every Parquet file in the release folder, each
    with its size and sha256 (and those of its JSON Lines twin), and the public sources the
    records cite as the package's sources."""
    resources = [
        _resource(folder, name, table.description, frictionless_schema(table))
        for name, table in PUBLISHED_TABLES.items()
    ]
    for view in VIEWS.values():
        resources.append(
            _resource(
                folder,
                view.name,
                view.description + " A snapshot of the view with the default weights.",
                frictionless_schema(view),
            )
        )
    cited = [
        {
            "title": f"{source['publisher']}: {source['title']}"
            if source.get("title")
            else source["publisher"],
            "path": source.get("url") or source["archived_url"],
            **{k: source[k] for k in ("rights", "licence") if source.get(k)},
        }
        for source in sources
        if source.get("url") or source.get("archived_url")
    ]
    return {
        "profile": "tabular-data-package",
        "name": "saydo",
        "title": "saydo: what companies say, beside what is documented",
        "description": "Company claims about ESG and human rights beside the evidence that "
        "refutes, supports or gives context to them, each row citing its source, with the "
        "say-do gap scored in the open.",
        "version": version,
        # The data date, not the wall clock, so a rebuild of the same data is the same bytes.
        "created": f"{data_date.isoformat()}T00:00:00Z",
        "homepage": "https://github.com/saydo-data/saydo",
        "licenses": LICENSES,
        "keywords": ["ESG", "human rights", "greenwashing", "corporate claims", "evidence"],
        "sources": [
            {
                "title": "Every source the records cite, with what its publisher permits "
                "(including those with no public address)",
                "path": "parquet/sources.parquet",
            },
            *cited,
        ],
        "saydo": {"data_date": data_date.isoformat(), "method_version": method_version},
        "resources": resources,
    }


def _file_facts(folder: Path, path: str) -> dict:
    """The file's sha256 (`hash`) and size. The size is `saydo:bytes`, not the standard `bytes`:
    frictionless cannot measure a Parquet file's bytes and would call every resource invalid."""
    target = folder / path
    return {"hash": f"sha256:{build_sha256(target)}", "saydo:bytes": target.stat().st_size}


def _resource(folder: Path, name: str, description: str, schema: dict) -> dict:
    # Frictionless resource names allow no underscore: foreign keys point to hyphenated names.
    for fk in schema.get("foreignKeys", []):
        fk["reference"]["resource"] = fk["reference"]["resource"].replace("_", "-")
    path = release_file(name, "parquet")
    jsonl = release_file(name, "jsonl")
    return {
        "name": name.replace("_", "-"),
        "path": path,
        "profile": "tabular-data-resource",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        **_file_facts(folder, path),
        "description": description,
        # The same rows as JSON Lines, for consumers who stream.
        "saydo:jsonl": {
            "path": jsonl,
            "mediatype": "application/jsonl",
            "compression": "gz",
            **_file_facts(folder, jsonl),
        },
        "schema": schema,
    }


def changelog_section(
    comparison: Comparison, version: str, data_date: dt.date, method_version: str
) -> str:
    lines = [f"## {version} ({data_date.isoformat()})", ""]
    first = comparison.previous is None
    if first:
        lines.append("First release.")
    lines.append(f"Scoring method {method_version}.")
    lines.append("")
    for name in PUBLISHED_TABLES:
        if name not in comparison.added and name not in comparison.corrected:
            continue
        parts = []
        if comparison.added.get(name):
            parts.append(f"{len(comparison.added[name])} added")
        if comparison.corrected.get(name):
            parts.append(f"{len(comparison.corrected[name])} corrected")
        if comparison.retracted.get(name):
            parts.append(f"{len(comparison.retracted[name])} retracted")
        if comparison.columns_added.get(name) and not first:
            parts.append(
                "new columns " + ", ".join(f"`{c}`" for c in comparison.columns_added[name])
            )
        changed = comparison.columns_removed.get(name, []) + comparison.columns_retyped.get(
            name, []
        )
        if changed:
            parts.append("changed columns " + ", ".join(f"`{c}`" for c in changed))
        if comparison.values_changed.get(name):
            parts.append(
                "allowed values changed in "
                + ", ".join(f"`{c}`" for c in comparison.values_changed[name])
            )
        if parts:
            lines.append(f"- `{name}`: " + "; ".join(parts) + ".")
        if not first:
            for record, fields in sorted(comparison.corrected.get(name, {}).items()):
                lines.append(f"  - corrected `{record}`: {', '.join(fields)}")
            for record in comparison.retracted.get(name, []):
                lines.append(f"  - retracted `{record}`")
    return "\n".join(lines) + "\n"


class ReleaseFolderAltered(Exception):
    """A release folder does not match its own SHA256SUMS."""


def verify_release_folder(folder: Path, names: tuple[str, ...] | None = None) -> None:
    """Check the files of a release folder (or only `names`) against its SHA256SUMS, so a file
    edited by hand after the build is never read as the release. A folder without SHA256SUMS
    is not a release and is refused too."""
    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        raise ReleaseFolderAltered(
            f"{folder} has no SHA256SUMS, so it is not a saydo release; build one with "
            f"`saydo build`."
        )
    listed = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    for name in names if names is not None else tuple(listed):
        path = folder / name
        if name not in listed or not path.is_file() or sha256_of(path) != listed[name]:
            raise ReleaseFolderAltered(
                f"{path} does not match {sums}: it was changed, added or removed after the "
                f"build, so saydo will not read it. Rebuild with `saydo build` (or restore the "
                f"release as published)."
            )
